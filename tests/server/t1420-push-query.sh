#!/bin/sh
# t1420-push-query.sh: reactive queries over SSE; trimmed history; events.fcgi
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
export QUERY_FCGI # REST's answer, as plain CGI, beside a live query's
run_py "$top_srcdir/tests/server/t1420-push-query.py"
