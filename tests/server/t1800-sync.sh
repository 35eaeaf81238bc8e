#!/bin/sh
# t1800-sync.sh: strapi-live sync against a fake Strapi serving recorded
# Strapi 5 pages: initial fill, idempotent re-sync, repairs, version rules.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ -x "$STRAPI_LIVE" ] || skip_all "strapi-live not built"
"$STRAPI_LIVE" --help | grep -q '^  sync ' || skip_all "built without sync"

fake_strapi_start
SL="$STRAPI_LIVE"
sj() { "$SL" sync --json "$@" 2>"$T/sync.err"; }
stat_of() { "$SL" stats | json - "$1"; }
field() { json "$T/out.json" "d['collections']['articles']['$1']"; }

# --- the fake answers filters as the recorded Strapi 5 did (sync relies on
# filters[documentId][$in] before it removes anything) ------------------------
for f in rest-filter-slug rest-filter-slug-nomatch rest-filter-category \
    rest-error-400-invalid-filter; do
	path=$(json "$FIXTURES/$f.json" 'd["request"]["path"]')
	st=$(curl -gs -o "$T/fx.json" -w '%{http_code}' \
	    -H "Authorization: Bearer $STRAPI_API_TOKEN" "$FAKE_URL$path")
	python3 -c 'import json,sys; fx=json.load(open(sys.argv[1]))
sys.exit(not (fx["status"] == int(sys.argv[2]) and fx["body"] == json.load(open(sys.argv[3]))))' \
	    "$FIXTURES/$f.json" "$st" "$T/fx.json"
	ok $? "the fake answers $f as recorded"
done

# --- initial sync into an empty store ---------------------------------------
sj >"$T/out.json"
ok $? "initial sync exits 0"
is "$(field fetched)" 6 "fetched the 6 published articles"
is "$(field upserted)" 6 "upserted all 6"
is "$(json "$T/out.json" 'd["status"]')" ok "summary status ok"
is "$(stat_of 'd["collections"]["articles"]["entries"]')" 6 "store holds 6"
is "$(store_state)" "$(upstream_state)" "store equals upstream, byte for byte"
is "$(stat_of 'd["lastSeq"]')" 6 "one change-log record per entry"
check "verify passes after the sync" "$SL" verify
"$SL" stats | json - 'd["lastSync"] is not None' | grep -q true
ok $? "stats reports the last sync"
slug=$(curl -sf "$FAKE_URL/_entries" | json - 'sorted(d,key=lambda e:e["publishedAt"])[-1]["slug"]')
"$SL" dump | grep -q "\"slug\":\"$slug\""
ok $? "dump shows the newest article ($slug)"

# --- re-sync with nothing changed: no writes, no change-log records ----------
ev0=$(stat_of 'd["lastEvent"]')
sj >"$T/out.json"
ok $? "re-sync exits 0"
is "$(field upserted)" 0 "re-sync upserts nothing"
is "$(field unchanged)" 6 "re-sync finds 6 unchanged"
is "$(stat_of 'd["lastSeq"]')" 6 "re-sync adds no change-log record"
is "$(stat_of 'd["lastEvent"]')" "$ev0" "re-sync adds no event-log record"
is "$(json "$T/out.json" 'd["connections"]')" 1 "one connection (keep-alive)"

# --- upstream adds, edits and deletes, webhooks lost -------------------------
gone=$(curl -sf "$FAKE_URL/_entries" | json - 'd[0]["documentId"]')
edit=$(curl -sf "$FAKE_URL/_entries" | json - 'd[1]["documentId"]')
fake_post "{\"lose\":true,\"upsert\":[{\"documentId\":\"newdoc00000000000000000a\",\"title\":\"Brand New\",\"slug\":\"brand-new\"},{\"documentId\":\"$edit\",\"title\":\"Edited Upstream\"}],\"remove\":[\"$gone\"]}" >/dev/null
ok $? "upstream changed (webhooks lost)"

sj --dry-run >"$T/out.json"
ok $? "dry run exits 0"
is "$(field upserted)/$(field removed)" "2/1" "dry run reports 2 upserts and 1 removal"
is "$(json "$T/out.json" 'd["dryRun"]')" true "summary says dry run"
is "$(stat_of 'd["lastSeq"]')" 6 "dry run writes nothing"
"$SL" dump | grep -q "$gone"
ok $? "dry run removed nothing"

sj --no-prune >"$T/out.json"
ok $? "--no-prune sync exits 0"
is "$(field upserted)/$(field removed)" "2/0" "--no-prune upserts, removes nothing"
"$SL" dump | grep -q "$gone"
ok $? "--no-prune keeps the entry gone upstream"

sj >"$T/out.json"
ok $? "repair sync exits 0"
is "$(field upserted)/$(field removed)" "0/1" "repair sync removes the deleted entry"
is "$(store_state)" "$(upstream_state)" "store equals upstream after the repair"
"$SL" dump | grep -q '"title":"Edited Upstream"'
ok $? "the upstream edit is stored"
is "$(stat_of 'd["lastSeq"]')" 9 "repairs are change-log records (pushed to subscribers)"
check "verify passes after the repair" "$SL" verify

# --- a webhook newer than the sync page wins ---------------------------------
doc=$(curl -sf "$FAKE_URL/_entries" | json - 'd[2]["documentId"]')
curl -sf "$FAKE_URL/_entries" | python3 -c '
import json,sys
e=[x for x in json.load(sys.stdin) if x["documentId"]==sys.argv[1]][0]
e["title"]="Newer From Webhook"; e["updatedAt"]="2099-01-01T00:00:00.000Z"
e["publishedAt"]="2099-01-01T00:00:00.001Z"
print(json.dumps({"event":"entry.publish","createdAt":"2099-01-01T00:00:00.002Z","model":"article","uid":"api::article.article","entry":e}))' "$doc" >"$T/hook.json"
cgi_run "$WEBHOOK_FCGI" POST "$T/hook.json" CONTENT_TYPE=application/json \
    HTTP_AUTHORIZATION="Bearer $SECRET" >"$T/hook.out" 2>/dev/null
is "$(cgi_status <"$T/hook.out")" 200 "newer webhook accepted"
sj >"$T/out.json"
is "$(field stale)/$(field upserted)/$(field removed)" "1/0/0" "sync finds the page stale"
"$SL" dump | grep -q '"title":"Newer From Webhook"'
ok $? "the newer webhook version is still stored"

# --- a tombstone (webhook delete) is never resurrected by a sync page ---------
doc2=$(curl -sf "$FAKE_URL/_entries" | json - 'd[3]["documentId"]')
curl -sf "$FAKE_URL/_entries" | python3 -c '
import json,sys
e=[x for x in json.load(sys.stdin) if x["documentId"]==sys.argv[1]][0]
print(json.dumps({"event":"entry.delete","createdAt":"2099-01-01T00:00:00.002Z","model":"article","uid":"api::article.article","entry":e}))' "$doc2" >"$T/del.json"
cgi_run "$WEBHOOK_FCGI" POST "$T/del.json" CONTENT_TYPE=application/json \
    HTTP_AUTHORIZATION="Bearer $SECRET" >/dev/null 2>&1
sj >"$T/out.json"
is "$(field stale)" 2 "the deleted document's page entry is stale"
"$SL" dump | grep -q "$doc2"
ok $((! $?)) "the webhook-deleted document is not resurrected"

# --- repairs wake the push side like any other change ---------------------------
python3 -c '
import socket,sys,os
s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(sys.argv[1])
open(sys.argv[2],"w").close(); s.settimeout(10)
last=b""
try:
    while True:
        last=s.recv(64); s.settimeout(0.5)
except socket.timeout: pass
print(last.decode())' "$STRAPI_LIVE_STORE_DIR/push.sock" "$T/bound" >"$T/wake" &
wp=$!
for i in $(seq 100); do [ -f "$T/bound" ] && break; sleep 0.05; done
fake_post '{"lose":true,"upsert":[{"title":"Wake Up"}]}' >/dev/null
sj >"$T/out.json"
wait $wp
rm -f "$STRAPI_LIVE_STORE_DIR/push.sock"
is "$(cat "$T/wake")" "$("$SL" stats | json - 'd["lastSeq"]')" "the sync sent the push wake-up with its last sequence"

# --- options ------------------------------------------------------------------
sj --collection articles >"$T/out.json"
ok $? "--collection articles"
"$SL" sync --collection nope >/dev/null 2>"$T/err"
is $? 2 "--collection of an unknown type exits 2"
grep -q "nope" "$T/err"
ok $? "and names it"
"$SL" sync --quiet >"$T/q.out" 2>&1
is "$?:$(wc -c <"$T/q.out")" "0:0" "--quiet prints nothing on success"
"$SL" sync </dev/null >"$T/line.out" 2>&1
is "$(wc -l <"$T/line.out")" 1 "one summary line when not on a terminal"
check "sync --help" "$SL" sync --help

# --- locales: one pass per configured locale, reconciled per locale ---------------
kill "$FAKE_PID"
export STRAPI_LIVE_STORE_DIR="$T/store-i18n"
export STRAPI_LIVE_COLLECTION_ARTICLE_LOCALES="en fr"
fake_strapi_start --generate 0
fake_post '{"lose":true,"upsert":[{"documentId":"doc0000000000000000000en","locale":"en","slug":"hello"},{"documentId":"doc0000000000000000000fr","locale":"fr","slug":"bonjour"}]}' >/dev/null
sj >"$T/out.json"
ok $? "sync with locales en and fr"
is "$(field fetched)/$(field upserted)" "2/2" "one entry from each locale"
"$SL" dump | python3 -c 'import json,sys; print(" ".join(sorted(json.loads(l)["locale"] for l in sys.stdin)))' >"$T/locs"
is "$(cat "$T/locs")" "en fr" "stored under their locales"
fake_post '{"lose":true,"remove":["doc0000000000000000000fr"]}' >/dev/null
sj >"$T/out.json"
is "$(field removed)" 1 "the fr entry gone upstream is removed"
"$SL" dump | grep -q '"slug":"hello"'
ok $? "the en entry stays"
unset STRAPI_LIVE_COLLECTION_ARTICLE_LOCALES

# --- many pages over one connection -------------------------------------------
kill "$FAKE_PID"
export STRAPI_LIVE_STORE_DIR="$T/store2"
fake_strapi_start --generate 250
sj >"$T/out.json"
ok $? "sync of 250 entries exits 0"
is "$(field fetched)/$(field upserted)" "250/250" "all 3 pages fetched and stored"
is "$(json "$T/out.json" 'd["requests"]')/$(json "$T/out.json" 'd["connections"]')" "3/1" "3 requests over 1 connection"
is "$(store_state)" "$(upstream_state)" "store equals upstream (250)"

done_testing
