#!/bin/sh
# t0310-admin-cli.sh: strapi-live events, replay, trim, backup, stats, dump,
# verify, and --help for each command.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

[ -x "$STRAPI_LIVE" ] || skip_all "strapi-live not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
SL="$STRAPI_LIVE"

hook() { # hook FIXTURE [VAR=VAL...]: deliver a recorded webhook as CGI
	local f=$1
	shift
	fixture_body "$FIXTURES/$f" "$T/body"
	cgi_run "$WEBHOOK_FCGI" POST "$T/body" CONTENT_TYPE=application/json \
	    HTTP_AUTHORIZATION="Bearer $SECRET" "$@" 2>>"$T/hook.err" |
	    cgi_status
}

for c in backup dump events replay stats trim verify; do
	"$SL" "$c" --help >"$T/help" 2>&1
	ok $? "$c --help exits 0"
	grep -q "usage: strapi-live $c" "$T/help"
	ok $? "$c --help prints its usage"
done
"$SL" frobnicate >/dev/null 2>&1
is $? 2 "an unknown command exits 2"

# --- a misconfiguration makes deliveries fail; replay after the fix ---------
is "$(STRAPI_LIVE_COLLECTION_ARTICLE_CATEGORY_FIELD=id hook 04-entry.publish.json)" 422 \
    "delivery fails while category_field is wrong (422)"
is "$(STRAPI_LIVE_COLLECTION_ARTICLE_CATEGORY_FIELD=id hook 13-entry.publish.json)" 422 \
    "a second one fails too"
is "$(hook 15-entry.publish.json HTTP_AUTHORIZATION='Bearer wrong')" 401 \
    "an unauthenticated delivery is refused"
is "$("$SL" events | wc -l)" 2 "events lists the 2 authenticated deliveries"
is "$("$SL" events --failed | wc -l)" 2 "both failed"
"$SL" events --failed | head -1 | json - 'd["status"]==422 and d["rawBytes"]>0 and d["origin"]=="webhook"' | grep -q true
ok $? "a failed delivery keeps its raw body"
"$SL" events --failed --raw --limit 1 | json - 'json.loads(d["raw"])["event"]' | grep -q entry.publish
ok $? "events --raw prints the body"
is "$("$SL" stats | json - 'd["webhookRefused"]["badSecret"]')" 1 \
    "an unauthenticated delivery is counted, not kept in the event log"
is "$("$SL" dump | wc -l)" 0 "nothing stored yet"

"$SL" replay >"$T/replay.out" 2>"$T/replay.err"
ok $? "replay after the fix exits 0"
is "$(wc -l <"$T/replay.out")" 2 "both kept deliveries replayed"
is "$(head -1 "$T/replay.out" | json - 'd["answer"]["action"]')" upserted "replayed delivery upserted"
is "$("$SL" dump | wc -l)" 2 "both entries are now stored"
"$SL" events | tail -1 | json - 'd["origin"]' | grep -qx replay
ok $? "the event log records the replay"
"$SL" replay >"$T/replay2.out" 2>/dev/null
is "$?:$(wc -l <"$T/replay2.out")" "0:0" "a second replay has nothing to do"
"$SL" replay --all >"$T/replay3.out" 2>/dev/null
is "$(head -1 "$T/replay3.out" | json - 'd["answer"]["action"]')" unchanged "replay --all is idempotent"

# --- stats ----------------------------------------------------------------------
"$SL" stats >"$T/stats.json"
ok $? "stats exits 0"
json "$T/stats.json" 'd["collections"]["articles"]["entries"]==2 and d["lastSeq"]==2 and d["storeBytes"]>0 and d["lastWebhook"] is not None and d["lastSync"] is None' | grep -q true
ok $? "stats: counts, store size, last webhook, no sync yet"
"$SL" dump --collection articles | wc -l | grep -qx 2
ok $? "dump --collection articles"
"$SL" dump --collection nope >/dev/null 2>&1
is $? 2 "dump of an unknown collection exits 2"

# --- trim -------------------------------------------------------------------------
for f in 17-entry.delete.json 22-entry.publish.json 23-entry.publish.json 24-entry.publish.json; do
	hook $f >/dev/null
done
"$SL" trim --keep-changes 2 --keep-events 3 >"$T/trim.json"
ok $? "trim exits 0"
is "$(json "$T/trim.json" 'd["removedChanges"]')" 3 "trim removed the 3 oldest changes"
is "$("$SL" events | wc -l)" 3 "3 events kept"
"$SL" stats | json - 'd["firstSeq"]==4 and d["lastSeq"]==5' | grep -q true
ok $? "change log now starts at 4"
check "verify passes after trim" "$SL" verify

# --- backup while webhooks keep writing --------------------------------------------
(
	for i in $(seq 1 30); do
		for f in 19-entry.create.json 22-entry.publish.json 25-entry.unpublish.json \
		    23-entry.publish.json 26-entry.unpublish.json 38-entry.publish.json; do
			hook $f >/dev/null
		done
	done
	touch "$T/writer.done"
) &
writer=$!
sl_track $writer
"$SL" backup "$T/copy" >"$T/backup.out" 2>"$T/backup.err"
ok $? "backup while webhooks write exits 0"
grep -q 'copied and verified' "$T/backup.out"
ok $? "backup reports the copy verified"
is "$(cd "$T/copy" && ls | grep -v '\.db$' | tr '\n' ' ')" "" \
    "the copy holds only databases (no region files, no log)"
kb=$(du -sk "$T/copy" | cut -f1)
ok $([ "$kb" -lt 1024 ] && echo 0 || echo 1) "the copy of a small store is small ($kb KiB; the store: $(du -sk "$STRAPI_LIVE_STORE_DIR" | cut -f1) KiB)"
wait $writer
STRAPI_LIVE_STORE_DIR="$T/copy" "$SL" verify >/dev/null 2>&1
ok $? "the copy opens and verifies on its own"
n=$(STRAPI_LIVE_STORE_DIR="$T/copy" "$SL" dump | wc -l)
[ "$n" -ge 2 ]
ok $? "the copy holds the entries ($n)"
is "$(hook 13-entry.publish.json STRAPI_LIVE_STORE_DIR="$T/copy")" 200 \
    "a restored copy takes deliveries"
check "and verifies after them" env STRAPI_LIVE_STORE_DIR="$T/copy" "$SL" verify
"$SL" backup "$T/copy" >/dev/null 2>&1
ok $((! $?)) "backup refuses a directory that already holds a store"
"$SL" backup >/dev/null 2>&1
is $? 2 "backup without DIR exits 2"

# --- the live store is still sound ----------------------------------------------------
check "verify passes on the live store" "$SL" verify

done_testing
