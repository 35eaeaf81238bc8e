#!/bin/sh
# t1820-sync-webhooks.sh: syncs while Strapi keeps changing and its webhooks
# land on webhook.fcgi (lighttpd): the final state equals upstream, with
# webhooks delivered and with webhooks lost (the next sync repairs).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ -x "$STRAPI_LIVE" ] || skip_all "strapi-live not built"
"$STRAPI_LIVE" --help | grep -q '^  sync ' || skip_all "built without sync"
command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
SL="$STRAPI_LIVE"

fcgi_entry /strapi/webhook "$WEBHOOK_FCGI" 4 >"$T/fcgi.conf"
lighttpd_start <"$T/fcgi.conf" ||
    skip_all "lighttpd did not start"
fake_strapi_start --generate 1000 \
    --webhook "http://127.0.0.1:$LIGHTTPD_PORT/strapi/webhook"

# mutate ROUNDS LOSE: edits, creates and deletes upstream, each sent as
# Strapi's webhook unless LOSE is true.
mutate() {
	python3 - "$FAKE_URL" "$1" "$2" <<'PY'
import json, random, sys, urllib.request
url, rounds, lose = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "true"
rng = random.Random(rounds)
def call(path, body=None):
    req = urllib.request.Request(url + path, method="POST" if body else "GET",
        data=json.dumps(body).encode() if body else None,
        headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))
for i in range(rounds):
    docs = [e["documentId"] for e in call("/_entries")]
    body = {"lose": lose, "upsert": [
        {"documentId": rng.choice(docs), "title": "Edit %d" % i},
        {"title": "Created %d" % i, "slug": "created-%d-%s" % (i, lose)}],
        "remove": [rng.choice(docs)]}
    call("/_entries", body)
PY
}

"$SL" sync --quiet
ok $? "initial sync of 1000"
is "$(store_state)" "$(upstream_state)" "store equals upstream"

# --- sync while webhooks are posted ----------------------------------------------
fake_ctl 'slow_ms=60'
"$SL" sync --json >"$T/s1.json" 2>"$T/s1.err" &
sp=$!
mutate 40 false
wait $sp
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ]
ok $? "the concurrent sync finished (exit $rc: 0, or 1 when the total moved)"
is "$(json "$T/s1.json" 'd["collections"]["articles"]["removed"]')" 0 \
    "it removed nothing the webhooks did not"
is "$(store_state)" "$(upstream_state)" "with every webhook delivered, store equals upstream"
grep -c '' "$T/fake_strapi.log" | grep -qx 0
ok $? "every webhook was accepted"

# --- lost webhooks, repaired by the next sync, still under webhook load ---------
mutate 15 true
[ "$(store_state)" != "$(upstream_state)" ]
ok $? "lost webhooks leave the store behind upstream"
"$SL" sync --json >"$T/s2.json" 2>"$T/s2.err" &
sp=$!
mutate 20 false
wait $sp
fake_ctl 'slow_ms=0'
"$SL" sync --json >"$T/s3.json" 2>"$T/s3.err"
ok $? "a quiet repair sync completes"
is "$(store_state)" "$(upstream_state)" "after the repair sync, store equals upstream"
# --- mid-pass, a delete behind the pass and a create ahead of it ----------------
# The total stays the same and the later pages shift one place earlier, so the
# pass skips a document Strapi still has: it must not be removed.
skipped=$(curl -sf "$FAKE_URL/_entries" | json - 'd[300]["documentId"]')
fake_ctl 'shift_after_page=3'
"$SL" sync --json >"$T/s4.json" 2>"$T/s4.err"
ok $? "a sync while a delete and a create shift the pages completes"
is "$(curl -sf "$FAKE_URL/_control" | json - 'd["shift_after_page"]')" 0 \
    "the shift happened during the pass"
is "$(json "$T/s4.json" 'd["collections"]["articles"]["removed"]')" 0 \
    "it removed nothing (the document it skipped is still upstream)"
"$SL" dump | grep -q "\"documentId\":\"$skipped\""
ok $? "the document the pass skipped is still in the store"
is "$(store_state)" "$(upstream_state)" "after the shifted pass, store equals upstream"
check "verify" "$SL" verify

done_testing
