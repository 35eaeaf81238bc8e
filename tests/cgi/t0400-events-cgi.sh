#!/bin/sh
# t0400-events-cgi.sh: events.fcgi as plain CGI: JSON pages and a bounded stream
. "${top_srcdir:-.}/tests/lib.sh"
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
post() {
	fixture_body "$FIXTURES/$1" "$T/body"
	cgi_run "$WEBHOOK_FCGI" POST "$T/body" CONTENT_TYPE=application/json \
	    HTTP_AUTHORIZATION="Bearer $SECRET" >/dev/null 2>&1
}
post 04-entry.publish.json
post 13-entry.publish.json
post 15-entry.publish.json

out=$(cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=1&format=json" 2>/dev/null)
is "$(printf "%s\n" "$out" | cgi_status)" 200 "JSON page answers 200"
body=$(printf "%s\n" "$out" | cgi_body)
is "$(printf "%s\n" "$body" | json - '[c["seq"] for c in d["data"]]')" "[2, 3]" \
    "changes after since, in order"
is "$(printf "%s\n" "$body" | json - 'd["meta"]["next"]')" 3 "next since given"
out=$(cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=0&limit=1" \
    HTTP_ACCEPT=application/json 2>/dev/null | cgi_body)
is "$(printf "%s\n" "$out" | json - '(len(d["data"]), d["meta"]["next"], d["meta"]["more"])')" \
    "[1, 1, true]" "limit bounds the page; more says there is more"
out=$(cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=abc&format=json" 2>/dev/null)
is "$(printf "%s\n" "$out" | cgi_status)" 400 "bad since: 400"
out=$(cgi_run "$EVENTS_FCGI" POST "" 2>/dev/null)
is "$(printf "%s\n" "$out" | cgi_status)" 405 "POST: 405"

out=$(STRAPI_LIVE_EVENTS_DURATION=1 cgi_run "$EVENTS_FCGI" GET "" \
    HTTP_LAST_EVENT_ID=1 2>/dev/null)
printf "%s\n" "$out" | grep -q '^Content-Type: text/event-stream'
ok $? "stream has the event-stream type"
is "$(printf "%s\n" "$out" | sed -n 's/^id: //p' | tr '\n' ' ')" "2 3 " \
    "stream replays after Last-Event-ID"
is "$(printf "%s\n" "$out" | tr -d '\r' | grep -v '^$' | tail -1)" "retry: 500" \
    "stream ends (bounded time) with a retry hint"
STRAPI_LIVE_PUSH_TOKEN=s3cret cgi_run "$EVENTS_FCGI" GET "" \
    QUERY_STRING="format=json" 2>/dev/null | cgi_status >"$T/st"
is "$(cat "$T/st")" 401 "token required when configured"
done_testing
