#!/bin/sh
# t0660-schema-pull.sh: strapi-live schema pull learns the content model
# from Strapi's content-type-builder (a custom API token with its read
# actions) and keeps it in the store; without schema_dir the programs use
# it exactly as they would the project's src/ folder. A token without the
# permissions, or no strapi_url, is a clear error and keeps nothing.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
"$STRAPI_LIVE" --help | grep -q '^  schema ' || skip_all "schema not built"
"$STRAPI_LIVE" --help | grep -q '^  sync ' || skip_all "built without libcurl"
R=${FIXTURES_RICH:-$top_srcdir/tests/fixtures/strapi5-rich}
AUTH="HTTP_AUTHORIZATION=Bearer $SECRET"
export STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
unset STRAPI_LIVE_SCHEMA_DIR

FAKE_TOKEN=custom-token fake_strapi_start

# -- nothing kept yet --------------------------------------------------------
"$STRAPI_LIVE" schema show >"$T/out" 2>"$T/err"
is "$?" 1 "schema show before a pull: exit 1"
check "schema show before a pull: says so" \
    grep -q "the store holds no schema (run 'strapi-live schema pull')" "$T/err"

# -- a token without the content-type-builder's permissions -----------------
STRAPI_API_TOKEN=read-only-token "$STRAPI_LIVE" schema pull >"$T/out" 2>"$T/err"
RC=$?
[ "$RC" -ne 0 ]
ok $? "a read-only token: non-zero exit ($RC)"
check "a read-only token: the error says HTTP 403 and names the four permissions" \
    grep -q "HTTP 403: the API token (STRAPI_API_TOKEN) lacks the content-type-builder's read permissions; give it a Custom token with plugin::content-type-builder.content-types.getContentTypes, content-types.getContentType, components.getComponents and components.getComponent (see docs/content-model.md" "$T/err"
"$STRAPI_LIVE" schema show >/dev/null 2>&1
is "$?" 1 "a read-only token: nothing is kept"

STRAPI_API_TOKEN= "$STRAPI_LIVE" schema pull >"$T/out" 2>"$T/err"
check "no token: the error says the Public role lacks the permissions" \
    grep -q "HTTP 403: the Public role (STRAPI_API_TOKEN is not set) lacks the content-type-builder's read permissions" "$T/err"

# -- no strapi_url -----------------------------------------------------------
STRAPI_URL= "$STRAPI_LIVE" schema pull >"$T/out" 2>"$T/err"
is "$?" 2 "no strapi_url: usage exit"
check "no strapi_url: the error names the setting" \
    grep -q "strapi_url (STRAPI_URL) is not set" "$T/err"

# -- a configured collection the model lacks ---------------------------------
STRAPI_LIVE_COLLECTIONS=article,page "$STRAPI_LIVE" schema pull >"$T/out" 2>"$T/err"
is "$?" 1 "a collection Strapi's model lacks: exit 1"
check "and the error names it" \
    grep -q "collection 'page' is not a content type of Strapi's model; not kept" "$T/err"
"$STRAPI_LIVE" schema show >/dev/null 2>&1
is "$?" 1 "and nothing is kept"

# -- the custom token --------------------------------------------------------
"$STRAPI_LIVE" schema pull >"$T/out" 2>"$T/err"
is "$?" 0 "schema pull with the custom token: exit 0"
check "it says what it kept" grep -q "kept 5 content types and 5 components" "$T/out"
"$STRAPI_LIVE" schema show >"$T/show" 2>"$T/err"
is "$?" 0 "schema show: exit 0"
is "$(cat "$T/show")" "api::about.about singleType abouts 2
api::article.article collectionType articles 7
api::author.author collectionType authors 4
api::category.category collectionType categories 4
api::global.global singleType globals 4" \
    "schema show lists the 5 content types: uid, kind, plural, attributes"

STRAPI_API_TOKEN=read-only-token "$STRAPI_LIVE" schema pull >/dev/null 2>&1
"$STRAPI_LIVE" schema show >"$T/show2" 2>&1
is "$(cat "$T/show2")" "$(cat "$T/show")" \
    "a refused pull leaves the kept schema as it was"

# qreq URI [VAR=VAL...]: query.fcgi's answer to GET URI; STATUS, RC,
# the body in $T/body, stderr in $T/err.
qreq() {
	local uri=$1
	shift
	cgi_run "$QUERY_FCGI" GET "" REQUEST_URI="$uri" PATH_INFO="$uri" \
	    QUERY_STRING= SCRIPT_NAME= "$@" >"$T/resp" 2>"$T/err"
	RC=$?
	STATUS=$(cgi_status <"$T/resp")
	cgi_body <"$T/resp" >"$T/body"
}

# -- the programs use the kept model without schema_dir ----------------------
qreq /api/categories
is "$STATUS" 200 "no schema_dir, a pulled schema: /api/categories answers"
qreq /api/categorys
is "$STATUS" 404 "and /api/categorys is not a route"
qreq /api/categories STRAPI_LIVE_SCHEMA_DIR="$T/nowhere"
[ "$RC" -ne 0 ]
ok $? "schema_dir set wins over the pulled schema (a missing one stops query.fcgi)"
# Every program loads the kept model at start: a collection it lacks stops
# each one, naming it.
: "${EVENTS_FCGI:=$top_builddir/cgi-bin/events.fcgi}"
: "${SYNC_FCGI:=$top_builddir/cgi-bin/sync.fcgi}"
: "${PUSH_BIN:=$top_builddir/src/strapi-live-push}"
for prog in "$QUERY_FCGI" "$WEBHOOK_FCGI" "$EVENTS_FCGI" "$SYNC_FCGI" \
    "$PUSH_BIN"; do
	[ -x "$prog" ] || continue
	name=${prog##*/}
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 PATH_INFO=/api/articles \
	    STRAPI_LIVE_COLLECTIONS=article,page \
	    STRAPI_LIVE_PUSH_LISTEN="127.0.0.1:$(free_port)" "$prog" \
	    </dev/null >"$T/resp" 2>"$T/err"
	RC=$?
	[ "$RC" -ne 0 ] &&
	    grep -q "$name.*schema: collection 'page' is not a content type of the schema pulled from Strapi (strapi-live schema pull)" "$T/err"
	ok $? "$name: a collection the pulled schema lacks stops it, naming it"
done

# The recorded app's deliveries, raw body and event header each.
FIXTURES=$R fixtures_extract

# deliver [VAR=VAL...]: the deliveries up to A1's publish (media,
# authors, categories, A1's draft, its updates and publish) into the
# store; prints "NAME STATUS" lines.
deliver() {
	local f n
	for f in "$T"/fx/0[1-9]-*.body "$T"/fx/1[01]-*.body; do
		n=$(basename "$f" .body)
		cgi_run "$WEBHOOK_FCGI" POST "$f" CONTENT_TYPE=application/json \
		    "$AUTH" "HTTP_X_STRAPI_EVENT=$(cat "$T/fx/$n.event")" \
		    "$@" >"$T/out" 2>>"$T/stderr"
		echo "$n $(cgi_status <"$T/out")"
	done
}
deliver >"$T/pulled"
"$STRAPI_LIVE" dump >"$T/dump.pulled"
deliver STRAPI_LIVE_STORE_DIR="$T/store2" STRAPI_LIVE_SCHEMA_DIR="$R/strapi-src" \
    >"$T/dir"
STRAPI_LIVE_STORE_DIR="$T/store2" STRAPI_LIVE_SCHEMA_DIR="$R/strapi-src" \
    "$STRAPI_LIVE" dump >"$T/dump.dir"
is "$(wc -l <"$T/pulled")" 11 "11 deliveries posted"
is "$(awk '$2 != 200' "$T/pulled")" "" "each is answered 200 with the pulled schema"
is "$(cat "$T/pulled")" "$(cat "$T/dir")" "as with schema_dir"
python3 - "$T/dump.pulled" >"$T/a1" <<'PY'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("documentId") == "ps7ajq06b9x40es6l4z2jnsw" and r.get("locale") == "en":
        print(json.dumps(r["author"], sort_keys=True))
        print(json.dumps(r["category"], sort_keys=True))
PY
is "$(cat "$T/a1")" '{"documentId": "pc1j2ob6vnqzps3oqq3ilsrq"}
{"documentId": "b8u3aiytfeq7l5dxnr3m2530", "locale": "en"}' \
    "A1 is stored with its author and category as references"
[ -s "$T/dump.pulled" ] && cmp -s "$T/dump.pulled" "$T/dump.dir"
ok $? "the store holds exactly what it holds with schema_dir (dump)"
qreq /api/categories
is "$(json "$T/body" 'len(d["data"])')" 3 "/api/categories serves the 3 delivered categories"
"$STRAPI_LIVE" stats >"$T/stats"
is "$(json "$T/stats" 'd["collections"]["categories"]["entries"]')" 3 \
    "strapi-live takes the pulled schema's names too (stats: categories)"
done_testing
