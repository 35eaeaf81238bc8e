#!/bin/sh
# t1530-hostile-input.sh: 101 malformed and hostile requests against every
# endpoint (tests/hostile.py); the store's content is byte-identical after.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/push_lib.sh"
push_need
export STRAPI_LIVE_SYNC_SECRET=hostile-sync-secret-1
export STRAPI_URL=http://127.0.0.1:9 STRAPI_API_TOKEN=unused-token
export STRAPI_LIVE_PUSH_MAX_MESSAGE=65536

"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }
push_web_start /strapi/webhook "$WEBHOOK_FCGI" 1 /api/ "$QUERY_FCGI" 1 \
    /cgi-bin/events.fcgi "$EVENTS_FCGI" 1
push_start
export LIGHTTPD_PORT PUSH_PORT STRAPI_LIVE_SYNC_SECRET

snapshot() { # the published content and the change log's bounds
	"$STRAPI_LIVE" dump
	"$STRAPI_LIVE" stats | json - '[d["firstSeq"], d["lastSeq"], d["collections"]]'
}
snapshot >"$T/before" 2>&1
python3 "$top_srcdir/tests/hostile.py" >"$T/tap" 2>"$T/hostile.err"
tap_include "$T/tap"
[ -s "$T/hostile.err" ] && sed 's/^/# /' "$T/hostile.err" | tail -20
snapshot >"$T/after" 2>&1
check "the store's entries and change log are byte-identical afterwards" \
    cmp "$T/before" "$T/after"
check "strapi-live verify is clean" "$STRAPI_LIVE" verify
check "the sidecar is still healthy" \
    curl -sf "http://127.0.0.1:$PUSH_PORT/live/healthz"
check "no program crashed (no core, no sanitizer report)" \
    sh -c "! grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' -e 'Segmentation' '$T/hostile-stderr.log' '$T/push.log'"
done_testing
