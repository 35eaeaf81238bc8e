#!/bin/sh
# t0600-schema-dir.sh: schema_dir: the collections take their REST names
# from a Strapi project's src/ folder (/api/categories, not /api/categorys);
# a broken or incomplete schema stops the program at start-up, naming the
# file or the collection; without schema_dir nothing changes.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
: "${FIXTURES_RICH:=$top_srcdir/tests/fixtures/strapi5-rich}"
SRC=$FIXTURES_RICH/strapi-src

# qreq URI [VAR=VAL...]: one GET as plain CGI. Sets STATUS and RC; the
# body in $T/body, stderr in $T/err.
qreq() {
	local uri=$1
	shift
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$uri" \
	    QUERY_STRING="" SCRIPT_NAME="" PATH_INFO="$uri" "$@" \
	    "$QUERY_FCGI" </dev/null >"$T/resp" 2>"$T/err"
	RC=$?
	STATUS=$(cgi_status <"$T/resp")
	cgi_body <"$T/resp" >"$T/body"
}

export STRAPI_LIVE_COLLECTIONS=article,author,category,global,about

# -- without schema_dir: the names as before ------------------------------
qreq /api/categorys
is "$STATUS" 200 "no schema_dir: /api/categorys is the category collection"
qreq /api/categories
is "$STATUS" 404 "no schema_dir: /api/categories is unknown"

# -- with the recorded app's src/ folder -------------------------------------
export STRAPI_LIVE_SCHEMA_DIR="$SRC"
qreq /api/categories
is "$STATUS" 200 "schema_dir: /api/categories answers (Strapi's plural)"
is "$(json "$T/body" 'd["data"]')" "[]" "schema_dir: an empty list"
qreq /api/categorys
is "$STATUS" 404 "schema_dir: /api/categorys is not a route"
is "$(json "$T/body" 'd["error"]["status"]')" 404 \
    "schema_dir: the 404 is Strapi's error envelope"
qreq /api/articles
is "$STATUS" 200 "schema_dir: /api/articles answers"
qreq /api/authors
is "$STATUS" 200 "schema_dir: /api/authors answers"
qreq /api/categories STRAPI_LIVE_COLLECTION_CATEGORY_PLURAL=topics
is "$STATUS" 404 "an operator's collection.category.plural wins over the schema"
qreq /api/topics STRAPI_LIVE_COLLECTION_CATEGORY_PLURAL=topics
is "$STATUS" 200 "the operator's plural answers"

# -- a configuration file works the same -----------------------------------
printf 'schema_dir = %s\n' "$SRC" >"$T/sl.conf"
chmod 600 "$T/sl.conf"
unset STRAPI_LIVE_SCHEMA_DIR
qreq /api/categories STRAPI_LIVE_CONFIG="$T/sl.conf"
export STRAPI_LIVE_SCHEMA_DIR="$SRC"
is "$STATUS" 200 "schema_dir in the config file: /api/categories answers"

# -- a collection the schema lacks -----------------------------------------
qreq /api/categories STRAPI_LIVE_COLLECTIONS=article,page
[ "$RC" -ne 0 ]
ok $? "a collection the schema lacks: non-zero exit"
grep -q "schema: collection 'page' is not a content type of $SRC" "$T/err"
ok $? "a collection the schema lacks: the log names it"
is "$(cgi_status <"$T/resp") $(cgi_body <"$T/resp" | json - 'd["data"], d["error"]["name"]' 2>/dev/null)" \
    '500 [null, "InternalServerError"]' \
    "a collection the schema lacks: answered 500 in Strapi's error envelope, no data"

# -- broken schemas: every program refuses to start, naming the file -------
cp -R "$SRC" "$T/bad"
printf '{"kind": "collectionType",' \
    >"$T/bad/api/article/content-types/article/schema.json"
for prog in "$QUERY_FCGI" "$WEBHOOK_FCGI" "$EVENTS_FCGI" "$SYNC_FCGI"; do
	[ -x "$prog" ] || continue
	name=${prog##*/}
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 PATH_INFO=/api/articles \
	    STRAPI_LIVE_SCHEMA_DIR="$T/bad" "$prog" </dev/null \
	    >"$T/resp" 2>"$T/err"
	RC=$?
	if [ "$name" = events.fcgi ]; then
		# A stream is served by the process itself: nothing answers.
		[ "$RC" -ne 0 ] && [ ! -s "$T/resp" ]
		ok $? "$name: a schema file that is not JSON: exits ($RC), answers nothing"
	else
		[ "$RC" -ne 0 ] && [ "$(cgi_status <"$T/resp")" = 500 ] &&
		    cgi_body <"$T/resp" | grep -q '"data":null,"error":{"status":500,.*the server.s error log says why'
		ok $? "$name: a schema file that is not JSON: exits ($RC), answers 500 pointing at the log"
	fi
	grep -q "$name.*schema: $T/bad/api/article/content-types/article/schema.json: not JSON" "$T/err"
	ok $? "$name: the log names the file and says it is not JSON"
done

cp -R "$SRC" "$T/nocomp"
rm "$T/nocomp/components/shared/quote.json"
qreq /api/articles STRAPI_LIVE_SCHEMA_DIR="$T/nocomp"
[ "$RC" -ne 0 ]
ok $? "a dynamic zone naming a missing component: exits"
grep -q "schema: $T/nocomp/api/about/content-types/about/schema.json: dynamic zone 'blocks' names unknown component 'shared.quote'" "$T/err"
ok $? "the log names the file, the zone and the component"

qreq /api/articles STRAPI_LIVE_SCHEMA_DIR="$T/nowhere"
[ "$RC" -ne 0 ]
ok $? "a schema_dir that does not exist: exits"
grep -q "schema: $T/nowhere/api: No such file or directory" "$T/err"
ok $? "the log names the missing folder"

# -- the command line takes the same names --------------------------------
STRAPI_LIVE_SCHEMA_DIR="$SRC" "$STRAPI_LIVE" --dump-config >"$T/dump" 2>"$T/err"
grep -qx 'collection.category.plural = categories' "$T/dump"
ok $? "strapi-live: collection.category.plural is the schema's"
STRAPI_LIVE_SCHEMA_DIR="$T/bad" "$STRAPI_LIVE" --dump-config >"$T/dump" 2>"$T/err"
RC=$?
[ "$RC" -ne 0 ] &&
    grep -q "schema: $T/bad/api/article/content-types/article/schema.json: not JSON" "$T/err"
ok $? "strapi-live: a broken schema is refused, naming the file"

# -- without schema_dir, writes and reads are as before ------------------------
unset STRAPI_LIVE_SCHEMA_DIR
fixture_body "$FIXTURES/04-entry.publish.json" "$T/hook"
cgi_run "$WEBHOOK_FCGI" POST "$T/hook" CONTENT_TYPE=application/json \
    HTTP_AUTHORIZATION="Bearer $SECRET" >"$T/resp" 2>"$T/err"
is "$(cgi_status <"$T/resp")" 200 "no schema_dir: a delivery is stored"
qreq /api/articles
is "$(json "$T/body" 'len(d["data"])')" 1 "no schema_dir: and served"
done_testing
