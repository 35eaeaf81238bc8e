#!/bin/sh
# t0300-query-cgi.sh: query.fcgi as plain CGI: every route, parameter and
# error, checked against the recorded Strapi 5 REST responses.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"

# qreq METHOD URI [VAR=VAL...]: one CGI request. Sets STATUS; headers in
# $T/hdr, body in $T/body.
qreq() {
	local method=$1 uri=$2 qs=""
	shift 2
	case $uri in *\?*) qs=${uri#*\?} ;; esac
	env REQUEST_METHOD="$method" GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_URI="$uri" QUERY_STRING="$qs" SCRIPT_NAME="" \
	    PATH_INFO="${uri%%\?*}" "$@" "$QUERY_FCGI" </dev/null \
	    >"$T/resp" 2>>"$T/stderr"
	STATUS=$(cgi_status <"$T/resp")
	sed -n '1,/^\r*$/p' "$T/resp" | tr -d '\r' >"$T/hdr"
	cgi_body <"$T/resp" >"$T/body"
}
hdr() {
	sed -n "s/^$1: //Ip" "$T/hdr" | head -1
}
body() {
	json "$T/body" "$1"
}

# Strapi's path for a fixture, as recorded: the default order is Strapi's
# (row id ascending), so every recorded request is replayed as sent.
fixture_uri() {
	json "$FIXTURES/$1" 'd["request"]["path"]'
}

# -- empty collection -----------------------------------------------------
qreq GET /api/articles
is "$STATUS" 200 "empty collection: 200"
is "$(body 'd["data"], d["meta"]["pagination"]')" \
    '[[], {"page": 1, "pageSize": 25, "pageCount": 0, "total": 0, "nextCursor": null}]' \
    "empty collection: no data, total 0"
is "$(body 'd["meta"]["seq"]')" 0 "empty store: meta.seq is 0"
is "$(hdr X-Strapi-Live-Seq)" 0 "empty store: X-Strapi-Live-Seq 0"

# -- the recorded data set ------------------------------------------------
check "import the entries of a recorded REST answer" \
    "$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json"
is "$(json "$FIXTURES/rest-list-default-params.json" \
    '[e["id"] for e in d["body"]["data"]] == sorted([e["id"] for e in d["body"]["data"]], key=lambda i: [x["publishedAt"] for x in d["body"]["data"] if x["id"] == i][0])')" \
    true "recorded data: id order is publishedAt order (comparison premise)"

for f in rest-list-default-params.json rest-list-page1.json \
    rest-list-page1-token.json rest-list-page2.json \
    rest-list-offset-pagination.json rest-list-fields-select.json \
    rest-filter-slug.json rest-filter-slug-nomatch.json \
    rest-filter-category.json rest-get-by-documentId.json \
    rest-get-draft-only-doc.json rest-error-404-unknown-documentId.json \
    rest-error-404-unknown-route.json rest-error-400-invalid-filter.json \
    rest-error-400-invalid-param.json rest-error-400-pagesize-too-big.json; do
	uri=$(fixture_uri "$f")
	qreq GET "$uri"
	strapi_compare "$FIXTURES/$f" "$STATUS" "$T/body"
	ok $? "same answer as Strapi 5: $f ($uri)"
done

# -- ordering and paging boundaries ----------------------------------------
qreq GET /api/articles
is "$(body '[e["id"] for e in d["data"]]')" '[6, 21, 23, 25, 27, 29]' \
    "default list is Strapi's default order: row id ascending"
qreq GET '/api/articles?sort=publishedAt:desc'
is "$(body '[e["id"] for e in d["data"]]')" '[29, 27, 25, 23, 21, 6]' \
    "sort=publishedAt:desc is newest first"
qreq GET '/api/articles?sort=publishedAt:asc'
is "$(body '[e["id"] for e in d["data"]]')" '[6, 21, 23, 25, 27, 29]' \
    "sort=publishedAt:asc is oldest first"
qreq GET '/api/articles?pagination[page]=3&pagination[pageSize]=2'
is "$(body '[e["id"] for e in d["data"]], d["meta"]["pagination"]["nextCursor"]')" \
    '[[27, 29], null]' "last page: the two highest ids, nextCursor null"
qreq GET '/api/articles?pagination[page]=4&pagination[pageSize]=2'
is "$STATUS:$(body 'd["data"], d["meta"]["pagination"]["page"], d["meta"]["pagination"]["pageCount"], d["meta"]["pagination"]["total"]')" \
    '200:[[], 4, 3, 6]' "page past the end: empty data, Strapi's meta"
qreq GET '/api/articles?pagination[start]=5&pagination[limit]=10'
is "$(body '[e["id"] for e in d["data"]], d["meta"]["pagination"]["start"], d["meta"]["pagination"]["limit"]')" \
    '[[29], 5, 10]' "offset paging: start=5 gives the last entry"
qreq GET '/api/articles?pagination[pageSize]=0'
is "$(body 'd["meta"]["pagination"]["pageSize"], len(d["data"])')" '[1, 1]' \
    "pageSize=0 is raised to 1 as Strapi does"

# -- cursor paging ----------------------------------------------------------
# walk EXTRA: pages of 2 by nextCursor; sets ids (the ids seen, in order),
# pages (how many) and first (the first page's cursor).
walk() {
	local uri="/api/articles?pagination[pageSize]=2$1"
	ids=""
	for pages in 1 2 3 4; do
		qreq GET "$uri"
		ids="$ids$(body '",".join(str(e["id"]) for e in d["data"])'),"
		cur=$(body 'd["meta"]["pagination"]["nextCursor"] or ""')
		[ -n "$cur" ] || break
		[ "$pages" = 1 ] && first=$cur
		uri="/api/articles?pagination[pageSize]=2$1&cursor=$cur"
	done
}
walk ""
is "$ids" "6,21,23,25,27,29," "cursor paging walks every entry once, in order"
is "$pages" 3 "cursor paging ends (nextCursor null) on the last page"
# the same walk under another sort: the index's (publishedAt), and a scan's
for sort in publishedAt:desc title:desc; do
	walk "&sort=$sort"
	qreq GET "/api/articles?sort=$sort&pagination[pageSize]=100"
	is "$ids" "$(body '",".join(str(e["id"]) for e in d["data"])'),"  \
	    "sort=$sort: cursor paging walks the sorted list once, in order"
done
qreq GET "/api/articles?sort=title:desc&pagination[pageSize]=2&cursor=$first"
is "$STATUS" 200 "a sort's cursor continues that sort"
qreq GET "/api/articles?sort=title:asc&pagination[pageSize]=2&cursor=$first"
is "$STATUS:$(body 'd["error"]["message"]')" \
    "400:Invalid cursor (a cursor continues the list with the sort it came from)" \
    "a cursor of one sort refused under another"
# -- the scan's bound (query_max_scan) ---------------------------------------
qreq GET '/api/articles?sort=title:asc' STRAPI_LIVE_QUERY_MAX_SCAN=5
is "$STATUS:$(body 'd["error"]["message"]')" \
    "400:The list reads more than 5 entries (query_max_scan) for its filters or sort: add a slug or category filter, or sort by publishedAt" \
    "a scan over query_max_scan entries: 400 saying so"
qreq GET '/api/articles?sort=title:asc' STRAPI_LIVE_QUERY_MAX_SCAN=6
is "$STATUS:$(body 'len(d["data"])')" 200:6 "a scan of exactly query_max_scan entries is served"
qreq GET '/api/articles?sort=publishedAt:desc' STRAPI_LIVE_QUERY_MAX_SCAN=1
is "$STATUS:$(body 'len(d["data"])')" 200:6 "sort=publishedAt (the index) is not bounded by it"
qreq GET '/api/articles?filters[category][$eq]=tech&sort=title:asc' STRAPI_LIVE_QUERY_MAX_SCAN=5
is "$STATUS" 200 "the category index narrows what a scan reads"
qreq GET '/api/articles?pagination[pageSize]=2&cursor=AAAA'
is "$STATUS" 400 "a forged cursor is a 400"
qreq GET '/api/articles?pagination[page]=2&cursor=MTc5.eHh4'
is "$STATUS" 400 "cursor with pagination[page] is a 400"

# -- single entries and short forms ------------------------------------------
qreq GET /api/articles/slug/berkeley-db-in-practice
is "$STATUS:$(body 'd["data"]["documentId"], list(d["meta"])')" \
    '200:["ogzyq6tjs9qrcyfpp78iiy12", ["seq"]]' "GET …/slug/<slug>: the entry"
json "$FIXTURES/rest-get-by-documentId.json" 'd["body"]["data"]' >"$T/want"
is "$(body 'd["data"]')" "$(cat "$T/want")" "by slug: same data as Strapi's findOne"
qreq GET /api/articles/slug/no-such-slug
is "$STATUS:$(body 'd["error"]["name"]')" 404:NotFoundError "unknown slug: 404 NotFoundError"
qreq GET '/api/articles/ogzyq6tjs9qrcyfpp78iiy12?fields[0]=title'
is "$(body 'd["data"]')" \
    '{"id": 29, "documentId": "ogzyq6tjs9qrcyfpp78iiy12", "title": "Berkeley DB In Practice"}' \
    "findOne with fields[]"
qreq GET '/api/articles/ogzyq6tjs9qrcyfpp78iiy12?pagination[page]=1'
is "$STATUS:$(body 'd["error"]["message"]')" "400:Invalid key pagination" \
    "findOne refuses list parameters"
qreq GET '/api/articles?category=tech'
cp "$T/body" "$T/short"
qreq GET '/api/articles?filters[category][$eq]=tech'
is "$(json "$T/short" 'd["data"]')" "$(body 'd["data"]')" \
    "?category= is the same list as filters[category][\$eq]"
is "$(body '[e["category"] for e in d["data"]]')" '["tech", "tech", "tech"]' \
    "category list holds only that category"
qreq GET '/api/articles?filters[slug][$eq]=berkeley-db-in-practice&filters[category][$eq]=ops'
is "$(body 'd["data"], d["meta"]["pagination"]["total"]')" '[[], 0]' \
    "slug and category filters both apply"

# -- percent-decoding and UTF-8 ------------------------------------------------
cat >"$T/utf8.jsonl" <<'EOF'
{"id":90,"documentId":"utf8doc0000000000000000a","title":"Café","slug":"café-crème","content":"x","excerpt":"y","category":"événements","createdAt":"2026-11-23T10:00:00.000Z","updatedAt":"2026-11-23T10:00:00.000Z","publishedAt":"2026-11-23T10:00:00.000Z"}
{"id":91,"documentId":"utf8doc0000000000000000b","title":"Slash","slug":"a/b c+d","content":"x","excerpt":"y","category":"a&b=c","createdAt":"2026-11-23T10:00:01.000Z","updatedAt":"2026-11-23T10:00:01.000Z","publishedAt":"2026-11-23T10:00:01.000Z"}
EOF
check "import JSON lines" "$STRAPI_LIVE" import "$T/utf8.jsonl"
qreq GET '/api/articles/slug/caf%C3%A9-cr%C3%A8me'
is "$STATUS:$(body 'd["data"]["id"]')" 200:90 "UTF-8 slug in the path, percent-encoded"
qreq GET '/api/articles/slug/a%2Fb%20c+d'
is "$STATUS:$(body 'd["data"]["id"]')" 200:91 "encoded / and space in a path slug; + is literal"
qreq GET '/api/articles?filters[slug][$eq]=a%2Fb+c%2Bd'
is "$(body '[e["id"] for e in d["data"]]')" '[91]' "query slug: + is a space, %2B a plus"
qreq GET '/api/articles?category=%C3%A9v%C3%A9nements'
is "$(body '[e["id"] for e in d["data"]]')" '[90]' "UTF-8 category, percent-encoded"
qreq GET '/api/articles?category=a%26b%3Dc'
is "$(body '[e["id"] for e in d["data"]]')" '[91]' "category with & and ="
qreq GET '/api/articles?category=%zz'
is "$STATUS:$(body 'd["error"]["name"]')" 400:ValidationError "malformed escape in the query: 400"
qreq GET '/api/articles?category=%C3'
is "$STATUS" 400 "invalid UTF-8 in the query: 400"
qreq GET '/api/articles/slug/%E2%28'
is "$STATUS" 400 "invalid UTF-8 in the path: 400"
qreq GET '/api/articles/slug/50%'
is "$STATUS" 400 "malformed escape in the path: 400"
long=$(python3 -c 'print("x" * 2000)')
qreq GET "/api/articles?filters[slug][\$eq]=$long"
is "$STATUS:$(body 'd["error"]["status"]')" 400:400 "over-long parameter: 400 in Strapi's shape"
long=$(python3 -c 'print("x" * 9000)')
qreq GET "/api/articles?category=$long"
is "$STATUS" 400 "over-long query string: 400"
qreq GET "/api/articles/slug/$long"
is "$STATUS" 400 "over-long path: 400"

# -- change sequence, ETag, 304, HEAD ------------------------------------------------
qreq GET /api/articles
seq=$(hdr X-Strapi-Live-Seq)
is "$(body 'd["meta"]["seq"]')" "$seq" "meta.seq equals X-Strapi-Live-Seq"
is "$seq" 8 "seq counts the 8 applied changes"
is "$(hdr ETag)" "W/\"$seq\"" "ETag is W/\"<seq>\""
is "$(hdr Content-Type)" "application/json; charset=utf-8" "Content-Type"
is "$(hdr Cache-Control)" "public, max-age=0, must-revalidate" "default Cache-Control"
qreq GET /api/articles HTTP_IF_NONE_MATCH="W/\"$seq\""
is "$STATUS:$(wc -c <"$T/body")" 304:0 "If-None-Match with the current ETag: 304, no body"
is "$(hdr X-Strapi-Live-Seq):$(hdr ETag)" "$seq:W/\"$seq\"" "304 carries seq and ETag"
qreq GET /api/articles/slug/no-such-slug HTTP_IF_NONE_MATCH="\"1\", W/\"$seq\""
is "$STATUS" 304 "If-None-Match list with the current tag: 304"
qreq GET /api/articles HTTP_IF_NONE_MATCH='W/"1"'
is "$STATUS" 200 "stale ETag: 200"
qreq HEAD /api/articles
is "$STATUS:$(wc -c <"$T/body"):$(hdr ETag)" "200:0:W/\"$seq\"" "HEAD: headers, no body"
qreq GET /api/articles STRAPI_LIVE_CACHE_CONTROL="public, max-age=30"
is "$(hdr Cache-Control)" "public, max-age=30" "Cache-Control is configurable"
qreq GET '/api/articles?foo=1'
is "$(hdr X-Strapi-Live-Seq)" "$seq" "errors carry the seq too"

# -- methods and CORS ------------------------------------------------------------
qreq POST /api/articles
is "$STATUS:$(hdr Allow):$(body 'd["error"]["name"]')" \
    "405:GET, HEAD, OPTIONS:MethodNotAllowedError" "POST: 405 with Allow"
qreq DELETE /api/articles/ogzyq6tjs9qrcyfpp78iiy12
is "$STATUS" 405 "DELETE: 405"
qreq OPTIONS /api/articles HTTP_ORIGIN=https://blog.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET
is "$STATUS:$(hdr Access-Control-Allow-Origin):$(hdr Access-Control-Allow-Methods)" \
    "204:*:GET, HEAD, OPTIONS" "preflight (any origin): 204 with methods"
case $(hdr Access-Control-Allow-Headers) in
*If-None-Match*) ok 0 "preflight allows If-None-Match" ;;
*) ok 1 "preflight allows If-None-Match" ;;
esac
qreq GET /api/articles HTTP_ORIGIN=https://blog.example \
    STRAPI_LIVE_CORS_ORIGINS="https://blog.example https://b.example"
is "$(hdr Access-Control-Allow-Origin):$(hdr Vary)" "https://blog.example:Origin" \
    "allowed origin echoed, Vary: Origin"
case $(hdr Access-Control-Expose-Headers) in
*X-Strapi-Live-Seq*) ok 0 "the seq header is exposed to pages" ;;
*) ok 1 "the seq header is exposed to pages" ;;
esac
qreq GET /api/articles HTTP_ORIGIN=https://evil.example \
    STRAPI_LIVE_CORS_ORIGINS="https://blog.example"
is "$STATUS:$(hdr Access-Control-Allow-Origin)" "200:" \
    "other origin: no Access-Control-Allow-Origin"
qreq OPTIONS /api/articles HTTP_ORIGIN=https://evil.example \
    HTTP_ACCESS_CONTROL_REQUEST_METHOD=GET STRAPI_LIVE_CORS_ORIGINS="https://blog.example"
is "$STATUS:$(hdr Access-Control-Allow-Origin)" "403:" "preflight from another origin: 403"
qreq GET /api/articles HTTP_ORIGIN=https://blog.example STRAPI_LIVE_CORS_ORIGINS=
is "$(hdr Access-Control-Allow-Origin)" "" "empty cors_origins allows none"

# -- mounting ----------------------------------------------------------------
env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 SCRIPT_NAME=/blog/query.fcgi \
    PATH_INFO=/api/articles/slug/berkeley-db-in-practice QUERY_STRING= \
    "$QUERY_FCGI" </dev/null 2>/dev/null | cgi_status >"$T/st"
is "$(cat "$T/st")" 200 "SCRIPT_NAME/PATH_INFO split without REQUEST_URI"
env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 SCRIPT_NAME=/blog/api \
    PATH_INFO=/articles QUERY_STRING= "$QUERY_FCGI" </dev/null 2>/dev/null |
    cgi_status >"$T/st"
is "$(cat "$T/st")" 200 "prefix split across SCRIPT_NAME and PATH_INFO"
# lighttpd's fall-back from a static answer's missing file (an error
# handler, conf/lighttpd-static.conf) hands the query only in REQUEST_URI.
qreq GET '/api/articles?filters[slug][$eq]=berkeley-db-in-practice'
cp "$T/body" "$T/qs"
env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_URI='/api/articles?filters[slug][$eq]=berkeley-db-in-practice' \
    QUERY_STRING= SCRIPT_NAME=/strapi-live-query "$QUERY_FCGI" \
    </dev/null 2>/dev/null | cgi_body >"$T/b"
is "$(json "$T/b" '[e["slug"] for e in d["data"]]')" \
    '["berkeley-db-in-practice"]' \
    "no QUERY_STRING: the query of REQUEST_URI"
cmp -s "$T/b" "$T/qs"
ok $? "… the same bytes as with QUERY_STRING"
# A server that rewrote the request to a route and dropped its query
# (Apache's QSD, nginx's "rewrite ... ?") meant it dropped: not taken
# back from REQUEST_URI.
env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_URI='/api/articles?filters[slug][$eq]=berkeley-db-in-practice' \
    QUERY_STRING= SCRIPT_NAME=/cgi-bin/query.cgi PATH_INFO=/api/articles \
    "$QUERY_FCGI" </dev/null 2>/dev/null | cgi_body >"$T/b"
is "$(json "$T/b" 'len(d["data"]) > 1')" true \
    "a query dropped by a rewrite to a route stays dropped"
qreq GET /blog/api/articles/slug/berkeley-db-in-practice
is "$STATUS" 200 "mounted under /blog"
qreq GET /cms/v1/articles STRAPI_LIVE_API_PREFIX=/cms/v1
is "$STATUS" 200 "configured api_prefix"
qreq GET /api/articles STRAPI_LIVE_API_PREFIX=/cms/v1
is "$STATUS" 404 "old prefix is a 404 once api_prefix changed"
qreq GET /api/articles/
is "$STATUS" 200 "trailing slash"
qreq GET /api/articles/a/b/c
is "$STATUS:$(body 'd["error"]["name"]')" 404:NotFoundError "unknown route: 404"

# -- locales ------------------------------------------------------------------
export STRAPI_LIVE_COLLECTION_ARTICLE_LOCALES="en fr"
cat >"$T/loc.jsonl" <<'EOF'
{"id":1,"documentId":"locdoc00000000000000000a","title":"Hello","slug":"hello","category":"tech","locale":"en","createdAt":"2026-11-24T10:00:00.000Z","updatedAt":"2026-11-24T10:00:00.000Z","publishedAt":"2026-11-24T10:00:00.000Z"}
{"id":2,"documentId":"locdoc00000000000000000a","title":"Bonjour","slug":"bonjour","category":"tech","locale":"fr","createdAt":"2026-11-24T10:00:00.000Z","updatedAt":"2026-11-24T10:00:00.000Z","publishedAt":"2026-11-24T10:00:00.000Z"}
EOF
check "import localized entries" "$STRAPI_LIVE" import "$T/loc.jsonl"
qreq GET /api/articles
is "$(body '[e["title"] for e in d["data"]]')" '["Hello"]' "default locale is the first configured"
qreq GET '/api/articles?locale=fr'
is "$(body '[(e["title"], e["locale"]) for e in d["data"]]')" '[["Bonjour", "fr"]]' "locale=fr"
qreq GET '/api/articles/locdoc00000000000000000a?locale=fr'
is "$(body 'd["data"]["title"]')" Bonjour "findOne with locale"
qreq GET '/api/articles/slug/bonjour?locale=fr'
is "$STATUS" 200 "slug with locale"
qreq GET '/api/articles/slug/bonjour'
is "$STATUS" 404 "a slug of another locale is not found"
unset STRAPI_LIVE_COLLECTION_ARTICLE_LOCALES

grep -q "ERROR\|AddressSanitizer\|runtime error" "$T/stderr"
ok $((! $?)) "no sanitizer reports or errors on stderr"

done_testing
