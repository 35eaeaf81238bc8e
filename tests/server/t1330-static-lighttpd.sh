#!/bin/sh
# t1330-static-lighttpd.sh: conf/lighttpd-static.conf (docs/static.md)
# under lighttpd: after the recorded rich deliveries every answer file,
# fetched through lighttpd, is the bytes query.fcgi answers for its URL,
# with its Content-Type, CORS and Cache-Control; the rest falls back to
# query.fcgi; a write shows at once; a writer killed between its commit
# and its render leaves stale files that the next writer repairs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/static_lib.sh"

command -v lighttpd >/dev/null 2>&1 || skip_all "lighttpd not installed"
[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"
rich_env
export STRAPI_LIVE_STATIC_DIR="$T/static"
S=$STRAPI_LIVE_STATIC_DIR
# The programs under lighttpd read the same settings from a file.
cat >"$T/strapi-live.conf" <<CONF
store_dir = $STRAPI_LIVE_STORE_DIR
static_dir = $S
schema_dir = $STRAPI_LIVE_SCHEMA_DIR
collections = $STRAPI_LIVE_COLLECTIONS
locales = $STRAPI_LIVE_LOCALES
CONF
sed -e "s|/usr/local/libexec/strapi-live/cgi-bin/query.fcgi|$QUERY_FCGI|" \
    -e "s|/run/strapi-live|$T|" \
    -e "s|/usr/local/etc/strapi-live.conf|$T/strapi-live.conf|" \
    -e "s|/usr/local/var/lib/strapi-live-static|$S|" \
    "$top_srcdir/conf/lighttpd-static.conf" >"$T/static.conf"
mkdir -p "$S"
lighttpd_start "include \"$T/static.conf\"" || skip_all "lighttpd did not start"
base=http://127.0.0.1:$LIGHTTPD_PORT

is "$(deliver_range_cgi 1 83)" 0 "the 83 recorded deliveries are taken"
set -- $(static_through "$base" "$S")
ok $(($1 < 40)) "40 answers or more are files ($1)"
is "$2" 0 "each, fetched through lighttpd, is the bytes query.fcgi answers"
is "$3" "$1" "each came from its file"

# Headers: the file's, and query.fcgi's for the same URL.
curl -s -D "$T/h" -o /dev/null -H 'Origin: https://front.example' \
    "$base/api/articles"
cgi_run "$QUERY_FCGI" GET "" REQUEST_URI=/api/articles QUERY_STRING= \
    HTTP_ORIGIN=https://front.example 2>>"$T/stderr" >"$T/dyn"
for h in Content-Type Access-Control-Allow-Origin \
    Access-Control-Expose-Headers Cache-Control; do
	is "$(static_header "$T/h" "$h")" "$(static_header "$T/dyn" "$h")" \
	    "$h as query.fcgi sends it ($(static_header "$T/dyn" "$h"))"
done
curl -s -D "$T/h" -o /dev/null "$base/api/articles"
is "$(static_header "$T/h" Access-Control-Allow-Origin)" "" \
    "no CORS header without Origin, as query.fcgi"
etag=$(static_header "$T/h" ETag)
is "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
    "$base/api/articles")" 304 "If-None-Match with the file's ETag: 304"

# The encoded form (qs.stringify's) is the same file.
curl -s -D "$T/h" -o "$T/b" \
    "$base/api/articles?filters%5Bslug%5D%5B%24eq%5D=hello-rich-strapi"
cmp -s "$T/b" "$S/articles/slug=hello-rich-strapi.json"
ok $? "filters%5Bslug%5D%5B%24eq%5D=…: the file too"

# What has no file is query.fcgi's.
for u in "/api/articles?pagination[page]=9" "/api/articles?sort=title" \
    "/api/articles/nosuchdocument0000000000" "/api/nothing"; do
	curl -sg -D "$T/h" -o "$T/b" "$base$u"
	cgi_get "$u"
	cmp -s "$T/b" "$T/body" && grep -qi '^X-Strapi-Live-Seq:' "$T/h"
	ok $? "no file: query.fcgi answers $u"
done
is "$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS \
    -H 'Origin: https://front.example' \
    -H 'Access-Control-Request-Method: GET' "$base/api/articles")" 204 \
    "a preflight reaches query.fcgi (204)"

# A write shows at once.
python3 - "$RICH/83-entry.publish.article.json" "$T/v" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = json.loads(d["raw_body"])
for n in (1, 2):
    e = b["entry"]
    e["updatedAt"] = e["updatedAt"][:17] + "5%d.000Z" % n
    e["publishedAt"] = e["publishedAt"][:17] + "5%d.001Z" % n
    e["title"] = "Through lighttpd %d" % n
    d["raw_body"] = json.dumps(b, separators=(",", ":"))
    json.dump(d, open(sys.argv[2] + str(n), "w"))
PY
slug=$(json "$T/v1" 'json.loads(d["raw_body"])["entry"]["slug"]')
STRAPI_LIVE_TEST_DIE_BEFORE_RENDER=1 deliver_cgi "$T/v1" >/dev/null
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" "$(json "$S/articles/slug/$slug/index.json" 'd["data"]["title"]')" \
    "a writer killed before its render: the file is served, old"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify finds the stale files first"
is "$(deliver_cgi "$T/v2")" 200 "the next writer"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" "Through lighttpd 2" \
    "its write is served at once"
set -- $(static_through "$base" "$S")
is "$2 $3" "0 $1" "every file through lighttpd is query.fcgi's answer again"
"$STRAPI_LIVE" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr" "$T/log/lighttpd.out" | awk -F: '{s += $2} END {print s}')" 0 \
    "no sanitizer reports"
done_testing
