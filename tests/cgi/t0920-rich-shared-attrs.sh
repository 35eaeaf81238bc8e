#!/bin/sh
# t0920-rich-shared-attrs.sh: attributes that are not localized (the
# article's cover) are one value for every locale of a document in Strapi,
# which sends no delivery for the other locales' rows it rewrites. With
# strapi_url set, a stored delivery whose such values differ from another
# locale's stored row re-fetches that locale (tests/fake_strapi.py --rich)
# and stores it as Strapi answers it; without strapi_url it stays as it
# was delivered.
. "$top_srcdir/tests/lib.sh"

rich_fake
A1=ps7ajq06b9x40es6l4z2jnsw

# cover: the fr row of A1's cover id and updatedAt, as query.fcgi answers.
cover() {
	local uri="/api/articles/$A1" qs="locale=fr&populate[cover]=true"
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_URI="$uri?$qs" QUERY_STRING="$qs" SCRIPT_NAME="" \
	    PATH_INFO="$uri" "$QUERY_FCGI" </dev/null 2>>"$T/stderr" |
	    cgi_body | json - '[d["data"]["cover"]["id"], d["data"]["updatedAt"]]'
}

fr_gets() {
	curl -sf "$FAKE_URL/_stats" |
	    json - "len([p for p in d['paths'] if p.startswith('/api/articles/$A1?locale=fr&')])"
}

# As recorded: publishing en with a new cover (36-38) leaves the fr
# published row as it was in Strapi (finding F7).
export STRAPI_LIVE_STORE_DIR="$T/recorded"
is "$(deliver_range_cgi 1 38)" 0 "deliveries 01-38 taken"
is "$(fr_gets)" 1 "the en publish with a new cover re-fetched the fr row once"
rec=$(json "$RICH/rest-article-by-documentId-locale-fr-populate-star.json" \
    '[d["body"]["data"]["cover"]["id"], d["body"]["data"]["updatedAt"]]')
is "$(cover)" "$rec" "the fr row is Strapi's recorded one (its old cover)"

# Strapi rewriting the fr row's cover with no delivery (a REST PUT that
# publishes en): the fake's fr row gets the en cover, sent nowhere.
python3 - "$RICH/rest-upload-files.json" "$T/edit" <<PY
import json, sys
f = [x for x in json.load(open(sys.argv[1]))["body"] if x["id"] == 3][0]
json.dump({"plural": "articles", "lose": True, "upsert": [
    {"documentId": "$A1", "locale": "fr", "cover": f}]}, open(sys.argv[2], "w"))
PY
fake_post "$(cat "$T/edit")" >/dev/null
ok $? "Strapi's fr row rewritten, no delivery"
new=$(curl -sf "$FAKE_URL/_entries?plural=articles" |
    json - "[[e['cover']['id'], e['updatedAt']] for e in d if e['documentId'] == '$A1' and e['locale'] == 'fr'][0]")

export STRAPI_LIVE_STORE_DIR="$T/rewritten"
is "$(deliver_range_cgi 1 35)" 0 "deliveries 01-35 taken"
is "$(cover)" "$rec" "before: the fr row as delivered"
is "$(deliver_range_cgi 36 38)" 0 "deliveries 36-38 (en's new cover) taken"
is "$(cover)" "$new" "after: the fr row as Strapi rewrote it, with its cover"
is "$("$STRAPI_LIVE" events | wc -l)" 38 \
    "the event log holds one record per delivery, none for the re-fetch"

# Without strapi_url the fr row stays as delivered.
export STRAPI_LIVE_STORE_DIR="$T/plain"
STRAPI_URL= deliver_range_cgi 1 38 >/dev/null
is "$(STRAPI_URL= cover)" "$rec" "without strapi_url: the fr row as delivered"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
