#!/bin/sh
# t1396-live-single-type.sh: a live query on a single type (about,
# global), over SSE and WebSocket, answers what REST's /api/<singular>
# answers: data is the entry (null while none is stored), meta is {}; a
# change to it sends the new entry; pagination, sort and filters are
# refused with REST's 400 and message, as /api/about refuses them.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1396-live-single-type.py"
