#!/bin/sh
# t1260-live-populate.sh: live queries with populate and fields, over SSE
# and WebSocket, on the recorded Strapi 5 blog template model (set up as
# t1200 does: the schema, five collections, locales en and fr). A result
# is what REST answers with the same parameters; a change to an entry or
# file a result embeds re-renders exactly the queries that embed it, and
# an unrelated change re-renders none (counted: /live/metrics). A bad
# populate is REST's 400 on both transports.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
rich_live_start
run_py "$top_srcdir/tests/server/t1260-live-populate.py"
