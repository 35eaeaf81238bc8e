#!/bin/sh
# t1370-live-filters.sh: live queries take REST's filters (every
# operator, $and/$or/$not, relation paths; as query-string pairs over SSE,
# as pairs or JSON over WebSocket) on t1280's schema, and their results
# are what GET /api/items answers for the same query. A change that makes
# a row stop matching re-pushes; a change no filtered query can match
# runs none (counted: /live/metrics); a relation filter follows the
# related entry. An unknown attribute or operator is REST's 400 with
# REST's message on both transports; a query reading more than
# query_max_scan entries is refused with REST's 400 and counted.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
ql_live_start
run_py "$top_srcdir/tests/server/t1370-live-filters.py"
