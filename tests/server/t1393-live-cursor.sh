#!/bin/sh
# t1393-live-cursor.sh: a live query takes cursor= (REST's
# meta.pagination.nextCursor) on /live/query and WebSocket subscriptions:
# its result is the page after the cursor's entry, as GET /api/items
# answers the same query, filtered or not, and stays so as entries change
# around it. A cursor with pagination[page] or one that does not decode
# is REST's 400 with REST's message on both transports.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
ql_live_start
run_py "$top_srcdir/tests/server/t1393-live-cursor.py"
