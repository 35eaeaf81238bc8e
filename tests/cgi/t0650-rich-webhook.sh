#!/bin/sh
# t0650-rich-webhook.sh: a real Strapi 5 app's deliveries (relations,
# media, components, dynamic zones, single types, i18n) through
# webhook.fcgi as plain CGI, with the app's schema and without it
. "$top_srcdir/tests/lib.sh"

R=${FIXTURES_RICH:-$top_srcdir/tests/fixtures/strapi5-rich}
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
AUTH="HTTP_AUTHORIZATION=Bearer $SECRET"
export STRAPI_LIVE_COLLECTIONS=article,author,category,global,about

# Each delivery's raw body and event header, in arrival order.
mkdir -p "$T/fx"
python3 - "$T/fx" "$R"/[0-9][0-9]-*.json <<'PY'
import json, os, sys
for f in sys.argv[2:]:
    d = json.load(open(f))
    name = os.path.basename(f)[:-5]
    open(os.path.join(sys.argv[1], name + ".body"), "w").write(d["raw_body"])
    open(os.path.join(sys.argv[1], name + ".event"), "w").write(d["headers"]["X-Strapi-Event"])
PY

# post NAME: one delivery; prints "STATUS ACTION".
post() {
	cgi_run "$WEBHOOK_FCGI" POST "$T/fx/$1.body" \
	    CONTENT_TYPE=application/json "$AUTH" \
	    "HTTP_X_STRAPI_EVENT=$(cat "$T/fx/$1.event")" >"$T/out" \
	    2>>"$T/stderr"
	printf '%s %s\n' "$(cgi_status <"$T/out")" \
	    "$(cgi_body <"$T/out" | json - 'd.get("action") or d["error"]["message"]')"
}

# --- with the app's schema ------------------------------------------------
export STRAPI_LIVE_SCHEMA_DIR="$R/strapi-src"
: >"$T/answers"
for f in "$T"/fx/*.body; do
	n=$(basename "$f" .body)
	echo "$n $(post "$n")" >>"$T/answers"
done
is "$(wc -l <"$T/answers")" 83 "83 deliveries posted"
is "$(awk '$2 !~ /^2/' "$T/answers")" "" "every delivery is answered 2xx"
is "$(awk '$2 == 422' "$T/answers" | wc -l)" 0 "none is 422"
is "$(awk '$1 ~ /^11-/ { print $3 }' "$T/answers")" upserted \
    "A1's publish (category and author relations) is stored"
is "$(awk '$1 ~ /^01-/ { print $3 }' "$T/answers")" upserted \
    "media.create is stored as a media row"
is "$(awk '$1 ~ /^62-/ { print $3 }' "$T/answers")" removed \
    "media.delete removes the media row"

"$STRAPI_LIVE" events >"$T/events"
is "$(grep -c '"event":"entry.publish","model":"article","documentId":"ps7ajq06b9x40es6l4z2jnsw","outcome":"upserted"' "$T/events")" 5 \
    "the event log says what came of each of A1's five publishes (en and fr, each with its files)"
is "$(grep -c '"model":"upload.file","documentId":"4","outcome":"removed"' "$T/events")" 1 \
    "and of the media.delete"
"$STRAPI_LIVE" dump >"$T/dump"
python3 - "$T/dump" >"$T/check" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
arts = [r for r in rows if "title" in r and "slug" in r and "author" in r]
a1 = [r for r in arts if r["documentId"] == "ps7ajq06b9x40es6l4z2jnsw"
      and r["locale"] == "en"]
print("a1", len(a1))
if a1:
    a = a1[0]
    print("author", json.dumps(a["author"], sort_keys=True))
    print("category", json.dumps(a["category"], sort_keys=True))
    print("cover", type(a["cover"]).__name__)
    print("blocks", ",".join(b["__component"] for b in a["blocks"]))
print("embedded", sum(1 for r in arts
                      if isinstance(r.get("author"), dict) and "name" in r["author"]))
g = [r for r in rows if "siteName" in r]
print("global", len(g), g and type(g[0]["defaultSeo"]["shareImage"]).__name__)
PY
is "$(sed -n 's/^a1 //p' "$T/check")" 1 "published A1 (en) is in the store"
is "$(sed -n 's/^author //p' "$T/check")" '{"documentId": "pc1j2ob6vnqzps3oqq3ilsrq"}' \
    "its author is a reference, not a copy"
is "$(sed -n 's/^category //p' "$T/check")" \
    '{"documentId": "cf82x4vdnh5eqwpr5h1o4xhs", "locale": "en"}' \
    "its category is a reference with the target's locale"
is "$(sed -n 's/^cover //p' "$T/check")" int "its cover is the file's id"
is "$(sed -n 's/^blocks //p' "$T/check")" \
    "shared.rich-text,shared.quote,shared.media,shared.slider" \
    "its dynamic zone is kept, in order"
is "$(sed -n 's/^embedded //p' "$T/check")" 0 "no article embeds an author copy"
is "$(sed -n 's/^global //p' "$T/check")" "1 int" \
    "the single type global is stored, its component's media an id"

# The media rows, as the change log has them: the last change of each.
files() {
	cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=0&format=json&limit=1000" \
	    2>/dev/null | cgi_body | python3 -c '
import json, sys
last = {}
for c in json.load(sys.stdin)["data"]:
    if c["collection"] == "upload.file":
        last[int(c["documentId"])] = c
for i in sorted(last):
    c = last[i]
    print(i, c["op"], c["entry"]["name"] if c["entry"] else "-")'
}
files >"$T/files"
is "$(awk '{ print $1, $2 }' "$T/files" | tr '\n' ' ')" \
    "1 upsert 2 upsert 3 upsert 4 remove " \
    "the uploaded files are media rows; the deleted one is removed"
is "$(awk '$1 == 1 { print $3 }' "$T/files")" cover-mountains-renamed.png \
    "media row 1 has the name media.update gave it"
cgi_run "$EVENTS_FCGI" GET "" QUERY_STRING="since=0&format=json&limit=1000" \
    2>/dev/null | cgi_body | python3 -c '
import json, sys
ch = [c for c in json.load(sys.stdin)["data"] if c["collection"] == "articles" and c["entry"]]
print(len(ch), sorted(set(k for c in ch for k in c["entry"]) & {"author", "category", "cover", "blocks"}))' >"$T/public"
check "the change stream carries articles in their public form (no relation, media or zone key)" \
    grep -q '^[1-9][0-9]* \[\]$' "$T/public"
check "the store verifies (entries, indexes, references)" "$STRAPI_LIVE" verify

is "$(post 57-entry.update.about)" "200 unchanged" \
    "the same entry delivery twice is unchanged"
is "$(post 58-media.update)" "200 unchanged" \
    "the same media delivery twice is unchanged"
is "$(post 60-entry.update.article)" "200 ignored-draft" \
    "a draft save still changes nothing"
is "$(post 61-entry.publish.article)" "200 unchanged" \
    "A4's publish again (its cover the deleted file) is unchanged"
files >"$T/files2"
is "$(awk '$1 == 4 { print $2 }' "$T/files2")" remove \
    "an entry payload with the deleted file does not bring it back"

sed 's/"author":{"id":1,/"author":"x","a":{"id":1,/' \
    "$T/fx/11-entry.publish.article.body" >"$T/fx/bad.body"
echo entry.publish >"$T/fx/bad.event"
is "$(post bad)" "422 entry.author: a to-one relation must be an object, null or {\"count\":N}" \
    "a relation that is a string is refused, naming the attribute"
printf '{"event":"media.create","createdAt":"2026-12-03T08:16:07.600Z","media":5}' \
    >"$T/fx/badm.body"
echo media.create >"$T/fx/badm.event"
is "$(post badm)" "422 media: must be an object" \
    "a media.* delivery whose file is a number is refused"

# --- without a schema: the flat article as before -------------------------
unset STRAPI_LIVE_SCHEMA_DIR
export STRAPI_LIVE_STORE_DIR="$T/store2"
is "$(post 11-entry.publish.article)" \
    "422 entry.category: must be a string of at most 256 bytes without control characters, or null" \
    "without the schema a relation-valued category is refused as before"
is "$(post 01-media.create)" "200 skipped" "without the schema media.* is skipped"
is "$(post 04-entry.create.author)" "200 upserted" \
    "without the schema an author is stored as sent"
check "as sent: with its avatar's file object" \
    sh -c "'$STRAPI_LIVE' dump | grep -q '\"formats\":{'"

# Setting schema_dir afterwards: the refused delivery replays into the store.
STRAPI_LIVE_SCHEMA_DIR="$R/strapi-src" "$STRAPI_LIVE" replay >"$T/replay" 2>/dev/null
is "$(json "$T/replay" 'd["answer"]["action"]')" upserted \
    "with schema_dir set, replay stores the article refused without it"
check "as a stored form: its author a reference" \
    sh -c "'$STRAPI_LIVE' dump | grep -q '\"author\":{\"documentId\":\"pc1j2ob6vnqzps3oqq3ilsrq\"}'"
done_testing
