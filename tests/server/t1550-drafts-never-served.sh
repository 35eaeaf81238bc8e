#!/bin/sh
# t1550-drafts-never-served.sh: drafts of every kind Strapi 5 sends (draft
# create/update, the draft row of a published document, draft-discard,
# REST status=draft, a broken publish, unpublish and delete payloads, media,
# unknown models, a draft in the REST list seen by sync) carry a unique
# marker; no route that returns content ever shows it: query.fcgi (list,
# every filter, paging, by documentId, by slug), events.fcgi (SSE and JSON),
# the sidecar (/live/events, /live/query, /live/ws, live and replayed) and
# strapi-live dump. The published versions stay served (the control).
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_need
push_web_start /strapi/webhook "$WEBHOOK_FCGI" 1 /api/ "$QUERY_FCGI" 1 \
    /cgi-bin/events.fcgi "$EVENTS_FCGI" 2
fake_strapi_start
export STRAPI_LIVE FAKE_URL
run_py "$top_srcdir/tests/server/t1550-drafts-never-served.py"
