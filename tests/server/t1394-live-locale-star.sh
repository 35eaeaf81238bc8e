#!/bin/sh
# t1394-live-locale-star.sh: on the recorded Strapi 5 content (articles in
# en and fr), a live query with locale=* (/live/query and WebSocket) is
# every locale's list in turn, as GET /api/articles?locale=* answers it:
# paged across the locales, filtered and sorted; a change to an entry of
# either locale re-pushes it, REST's again. locale=* with a cursor is
# REST's 400 and message.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_need
rich_env
STRAPI_LIVE_STORE_DIR=$T/store
export STRAPI_LIVE_STORE_DIR
deliver_range_cgi 1 70 >/dev/null
rest_live_web
export top_srcdir FIXTURES_RICH
run_py "$top_srcdir/tests/server/t1394-live-locale-star.py"
