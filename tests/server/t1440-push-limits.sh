#!/bin/sh
# t1440-push-limits.sh: connection limits, token, CORS, slow consumers
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1440-push-limits.py"
