#!/bin/sh
# t0500-sync-cgi.sh: sync.fcgi run as CGI: method, admin secret, 409, summary.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ -x "$SYNC_FCGI" ] || skip_all "sync.fcgi not built (--disable-sync)"

ADMIN=admin-sync-secret-456
fake_strapi_start
run() { # run METHOD [VAR=VAL...]: response in $T/r
	cgi_run "$SYNC_FCGI" "$@" >"$T/r" 2>>"$T/cgi.err"
}
post() { run POST "" "$@"; }
st() { cgi_status <"$T/r"; }
body() { cgi_body <"$T/r"; }

run GET ""
is "$(st)" 405 "GET is refused (405)"
grep -qi '^Allow: POST' "$T/r"
ok $? "with Allow: POST"

post HTTP_AUTHORIZATION="Bearer $ADMIN"
is "$(st)" 503 "no sync_secret configured: 503"
body | json - 'd["error"]["message"]' | grep -q sync_secret
ok $? "the message names sync_secret"

export STRAPI_LIVE_SYNC_SECRET="$ADMIN"
post
is "$(st)" 401 "no Authorization: 401"
post HTTP_AUTHORIZATION="Bearer ${ADMIN}x"
is "$(st)" 401 "wrong secret: 401"
is "$(body | json - 'd["error"]["name"]')" UnauthorizedError "Strapi error envelope"
post HTTP_AUTHORIZATION="Bearer $STRAPI_LIVE_WEBHOOK_SECRET"
is "$(st)" 401 "the webhook secret is not the admin secret"
is "$("$STRAPI_LIVE" stats | json - 'd["lastSeq"]')" 0 "refused requests synced nothing"

post HTTP_AUTHORIZATION="Bearer $ADMIN" QUERY_STRING="dryRun=1"
is "$(st)" 200 "dry run: 200"
is "$(body | json - 'd["collections"]["articles"]["upserted"]')" 6 "dry run would upsert 6"
is "$("$STRAPI_LIVE" stats | json - 'd["lastSeq"]')" 0 "and wrote nothing"

post HTTP_AUTHORIZATION="Bearer $ADMIN"
is "$(st)" 200 "authorized POST: 200"
grep -qi '^Content-Type: application/json' "$T/r"
ok $? "JSON answer"
is "$(body | json - 'd["collections"]["articles"]["fetched"]')" 6 "summary: fetched 6"
is "$(body | json - 'd["collections"]["articles"]["upserted"]')" 6 "summary: upserted 6"
body | json - '"seconds" in d and d["status"]=="ok"' | grep -q true
ok $? "summary has seconds and status"
is "$(store_state)" "$(upstream_state)" "store equals upstream"

post HTTP_AUTHORIZATION="Bearer $ADMIN" QUERY_STRING="collection=articles&prune=0"
is "$(st)" 200 "collection=articles&prune=0: 200"
is "$(body | json - 'd["collections"]["articles"]["unchanged"]')" 6 "6 unchanged"
post HTTP_AUTHORIZATION="Bearer $ADMIN" QUERY_STRING="collection=nope"
is "$(st)" 400 "unknown collection: 400"
post HTTP_AUTHORIZATION="Bearer $ADMIN" QUERY_STRING="force=1"
is "$(st)" 400 "unknown parameter: 400"

# Two syncs at once: the second is refused while the first holds the lock.
fake_ctl 'slow_ms=1500'
base=$(curl -sf "$FAKE_URL/_stats" | json - 'd["api_requests"]')
cgi_run "$SYNC_FCGI" POST "" HTTP_AUTHORIZATION="Bearer $ADMIN" >"$T/r1" 2>/dev/null &
first=$!
for i in $(seq 100); do
	[ "$(curl -sf "$FAKE_URL/_stats" | json - 'd["api_requests"]')" -gt "$base" ] && break
	sleep 0.05
done
post HTTP_AUTHORIZATION="Bearer $ADMIN"
is "$(st)" 409 "a second sync while one runs: 409"
is "$(body | json - 'd["error"]["name"]')" ConflictError "ConflictError envelope"
wait $first
is "$(cgi_status <"$T/r1")" 200 "the first sync finished: 200"
fake_ctl 'slow_ms=0'

STRAPI_API_TOKEN=bad post HTTP_AUTHORIZATION="Bearer $ADMIN"
is "$(st)" 502 "Strapi refuses the token: 502"
body | json - 'd["error"]["message"]' | grep -q STRAPI_API_TOKEN
ok $? "the message names the token"
is "$(body | json - 'd["error"]["details"]["summary"]["status"]')" auth "details carry the summary"

done_testing
