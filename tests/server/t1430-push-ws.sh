#!/bin/sh
# t1430-push-ws.sh: the WebSocket protocol, malformed frames and messages
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_requires
run_py "$top_srcdir/tests/server/t1430-push-ws.py"
