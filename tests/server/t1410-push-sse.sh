#!/bin/sh
# t1410-push-sse.sh: raw change stream over SSE from the real sidecar
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1410-push-sse.py"
