#!/bin/sh
# t1300-query-lighttpd.sh: query.fcgi under a real lighttpd (mod_fastcgi),
# mounted at /api/ and under /blog/, against the recorded Strapi answers.
. "$top_srcdir/tests/lib.sh"

command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
command -v curl >/dev/null 2>&1 || skip_all "curl not installed"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"

"$STRAPI_LIVE" import "$FIXTURES/rest-list-default-params.json" >/dev/null ||
    { echo "Bail out! import failed"; exit 1; }

export STRAPI_LIVE_CORS_ORIGINS="https://blog.example"
{
	fcgi_entry /api/ "$QUERY_FCGI" 2
	# Mounted under a prefix: lighttpd's SCRIPT_NAME is /blog.
	fcgi_entry /blog/ "$QUERY_FCGI" 1 | sed 's/query_fcgi.sock/query_blog.sock/'
} >"$T/fcgi.conf"
lighttpd_start <"$T/fcgi.conf" || { echo "Bail out! lighttpd did not start"; exit 1; }
base="http://127.0.0.1:$LIGHTTPD_PORT"

# get URL [curl args]: sets STATUS; headers in $T/hdr, body in $T/body.
get() {
	local url=$1
	shift
	rm -f "$T/body"
	STATUS=$(curl -s -g -o "$T/body" -D "$T/hdr.raw" -w '%{http_code}' \
	    "$@" "$base$url")
	tr -d '\r' <"$T/hdr.raw" >"$T/hdr"
	touch "$T/body" # curl writes no file when there is no body
}
hdr() {
	sed -n "s/^$1: //Ip" "$T/hdr" | head -1
}
body() {
	json "$T/body" "$1"
}

# -- same data and meta as Strapi 5, through the server ------------------------
while read -r f uri; do
	get "$uri"
	strapi_compare "$FIXTURES/$f" "$STATUS" "$T/body"
	ok $? "through lighttpd, same as Strapi 5: $f"
done <<'EOF'
rest-list-page1.json /api/articles?pagination[page]=1&pagination[pageSize]=2&sort=publishedAt:desc
rest-list-page2.json /api/articles?pagination[page]=2&pagination[pageSize]=2&sort=publishedAt:desc
rest-list-default-params.json /api/articles?sort=publishedAt:asc
rest-list-offset-pagination.json /api/articles?pagination[start]=0&pagination[limit]=2&sort[0]=publishedAt:desc
rest-list-fields-select.json /api/articles?fields[0]=title&fields[1]=slug&fields[2]=publishedAt&pagination[pageSize]=2&sort=publishedAt:asc
rest-filter-slug.json /api/articles?filters[slug][$eq]=berkeley-db-in-practice
rest-filter-slug-nomatch.json /api/articles?filters[slug][$eq]=no-such-slug
rest-filter-category.json /api/articles?filters[category][$eq]=tech&sort=publishedAt:desc&pagination[pageSize]=25
rest-get-by-documentId.json /api/articles/ogzyq6tjs9qrcyfpp78iiy12
rest-get-draft-only-doc.json /api/articles/yatued01iqetgxzdhme6x205
rest-error-404-unknown-documentId.json /api/articles/doesnotexist000000000000
rest-error-404-unknown-route.json /api/nothing-here
rest-error-400-invalid-filter.json /api/articles?filters[nope][$eq]=1
rest-error-400-invalid-param.json /api/articles?foo=bar
rest-error-400-pagesize-too-big.json /api/articles?pagination[pageSize]=1000&sort=publishedAt:asc
EOF

# Percent-encoded brackets, as qs.stringify sends them by default.
get '/api/articles?filters%5Bslug%5D%5B%24eq%5D=berkeley-db-in-practice'
strapi_compare "$FIXTURES/rest-filter-slug.json" "$STATUS" "$T/body"
ok $? "percent-encoded brackets in keys"

# -- mounted under a prefix --------------------------------------------------------
get /blog/api/articles/slug/berkeley-db-in-practice
is "$STATUS:$(body 'd["data"]["id"]')" 200:29 "under /blog: by slug"
get '/blog/api/articles?category=ops'
is "$(body '[e["id"] for e in d["data"]]')" '[6, 25]' "under /blog: ?category= (id order)"

# -- short forms and encodings ------------------------------------------------------
get /api/articles/slug/no-such
is "$STATUS:$(body 'd["error"]["name"]')" 404:NotFoundError "unknown slug: 404"
# (lighttpd itself re-encodes a malformed "%zz" as "%25zz"; the CGI test
# covers the program's own 400 for it.)
get '/api/articles?category=%C3'
is "$STATUS:$(body 'd["error"]["name"]')" 400:ValidationError "invalid UTF-8 escape: 400"
get "/api/articles?filters[slug][\$eq]=$(python3 -c 'print("y" * 1500)')"
is "$STATUS" 400 "over-long parameter: 400"

# -- seq, ETag, 304, HEAD ----------------------------------------------------------
get /api/articles
seq=$(hdr X-Strapi-Live-Seq)
is "$(hdr ETag)" "W/\"$seq\"" "ETag from the seq"
is "$(body 'd["meta"]["seq"]')" "$seq" "meta.seq equals the header"
is "$(hdr Content-Type)" "application/json; charset=utf-8" "Content-Type through lighttpd"
get /api/articles -H "If-None-Match: W/\"$seq\""
is "$STATUS:$(wc -c <"$T/body")" 304:0 "If-None-Match: 304 through lighttpd"
get /api/articles -H 'If-None-Match: W/"0"'
is "$STATUS" 200 "stale If-None-Match: 200"
get /api/articles/slug/berkeley-db-in-practice -I # -I: output is the headers
is "$STATUS:$(grep -c '{' "$T/body")" 200:0 "HEAD: 200, no body"
is "$(hdr ETag)" "W/\"$seq\"" "HEAD: ETag"

# A change moves the seq and the ETag: the old one no longer gives 304.
cat >"$T/new.jsonl" <<'EOF'
{"id":99,"documentId":"newdoc00000000000000000a","title":"New","slug":"new","content":"x","excerpt":"y","category":"ops","createdAt":"2026-11-25T10:00:00.000Z","updatedAt":"2026-11-25T10:00:00.000Z","publishedAt":"2026-11-25T10:00:00.000Z"}
EOF
"$STRAPI_LIVE" import "$T/new.jsonl" >/dev/null
get /api/articles -H "If-None-Match: W/\"$seq\""
is "$STATUS:$(hdr X-Strapi-Live-Seq):$(body 'd["data"][-1]["id"]')" \
    "200:$((seq + 1)):99" "after a write: 200, next seq, new entry (highest id) last"

# The per-process answer cache never outlives a change.
get /api/articles/slug/new
get /api/articles/slug/new
is "$(body 'd["data"]["title"]')" New "cached answer (same seq)"
sed 's/"title":"New"/"title":"Newer"/; s/10:00:00.000Z","publishedAt"/10:00:05.000Z","publishedAt"/' \
    "$T/new.jsonl" >"$T/newer.jsonl"
"$STRAPI_LIVE" import "$T/newer.jsonl" >/dev/null
for i in 1 2 3; do # every process of the pool answers the new version
	get /api/articles/slug/new
	is "$(body 'd["data"]["title"]')" Newer "after an update, never the cached old answer ($i)"
done

# -- CORS and methods -------------------------------------------------------------
get /api/articles -X OPTIONS -H 'Origin: https://blog.example' \
    -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: if-none-match'
is "$STATUS:$(hdr Access-Control-Allow-Origin):$(hdr Access-Control-Allow-Methods)" \
    "204:https://blog.example:GET, HEAD, OPTIONS" "preflight: 204, origin, methods"
get /api/articles -X OPTIONS -H 'Origin: https://evil.example' \
    -H 'Access-Control-Request-Method: GET'
is "$STATUS" 403 "preflight from an origin not allowed: 403"
get /api/articles -H 'Origin: https://blog.example'
is "$(hdr Access-Control-Allow-Origin):$(hdr Vary)" "https://blog.example:Origin" \
    "GET with an allowed Origin"
get /api/articles -H 'Origin: https://evil.example'
is "$STATUS:$(hdr Access-Control-Allow-Origin)" "200:" "GET from another origin: no CORS header"
get /api/articles -X POST -H 'Content-Type: application/json' -d '{}'
is "$STATUS:$(hdr Allow)" "405:GET, HEAD, OPTIONS" "POST: 405"
get /api/articles/x -X PUT -d '{}'
is "$STATUS" 405 "PUT: 405"

# -- the programs survive bad input (still answering) --------------------------------
for u in '/api/articles?%' '/api/articles?a[[b]]=1' '/api/articles?sort=' \
    '/api/articles/slug/%ff%fe' '/api/articles?fields[99999999999]=x'; do
	get "$u"
	case $STATUS in 4??) ok 0 "bad input answered $STATUS: $u" ;;
	*) ok 1 "bad input answered $STATUS: $u" ;; esac
done
get /api/articles
is "$STATUS" 200 "still serving after bad input"
grep -q "AddressSanitizer\|runtime error\|fatal" "$T/log/lighttpd-error.log"
ok $((! $?)) "no crash or sanitizer report in the server log"

done_testing
