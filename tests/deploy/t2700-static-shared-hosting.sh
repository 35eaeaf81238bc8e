#!/bin/sh
# t2700-static-shared-hosting.sh: conf/shared-hosting.htaccess with static
# answers (docs/static.md) under Apache as plain CGI: the recorded rich
# deliveries through webhook.cgi render the files, each served by Apache,
# through the .htaccess rules, as the bytes query.cgi answers for its URL,
# with its Content-Type and CORS headers; the rest falls back to
# query.cgi; a webhook.cgi killed between its commit and its render leaves
# stale files that static-verify reports and the next delivery repairs.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/deploy/deploy_lib.sh"
. "$top_srcdir/tests/deploy/apache_lib.sh"
. "$top_srcdir/tests/static_lib.sh"

shared_hosting_deploy
rich_env
unset STRAPI_LIVE_SCHEMA_DIR STRAPI_LIVE_COLLECTIONS STRAPI_LIVE_LOCALES
S=$SRV/htdocs/strapi-live/static
cat >>"$SRV/strapi-live.conf" <<CONF
static_dir = $S
schema_dir = $RICH/strapi-src
collections = article,author,category,global,about
locales = en,fr
durable = no
CONF
export STRAPI_LIVE_CONFIG=$SRV/strapi-live.conf
base=http://127.0.0.1:$PORT
# query.cgi's own answer, run as the web server runs it (cgi_get).
cat >"$T/q.sh" <<SH
#!/bin/sh
exec $(command -v setpriv >/dev/null && [ "$RUNUSER" != "$(id -un)" ] &&
    echo "setpriv --reuid=$RUNUSER --regid=$RUNGROUP --init-groups") "$I_CGI/query.fcgi"
SH
chmod 755 "$T/q.sh"
QUERY_FCGI=$T/q.sh

# deliver FIXTURE: through Apache's webhook.cgi; prints the status.
deliver() {
	python3 - "$1" "$T/d.body" "$T/d.event" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write(d["raw_body"])
open(sys.argv[3], "w").write(d["headers"].get("X-Strapi-Event", ""))
PY
	curl -s -o /dev/null -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $SECRET" \
	    -H "X-Strapi-Event: $(cat "$T/d.event")" \
	    --data-binary @"$T/d.body" "$base/strapi/webhook"
}

bad=0
for f in "$RICH"/[0-9][0-9]-*.json; do
	case $(deliver "$f") in 2??) ;; *) bad=$((bad + 1)) ;; esac
done
is "$bad" 0 "the 83 recorded deliveries, through webhook.cgi"
set -- $(static_through "$base" "$S")
ok $(($1 < 40)) "40 answers or more are files ($1)"
is "$2" 0 "each, fetched through Apache, is the bytes query.cgi answers"
is "$3" "$1" "each came from its file (the .htaccess rules)"

curl -s -D "$T/h" -o /dev/null -H 'Origin: https://front.example' \
    "$base/api/articles"
env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI=/api/articles \
    QUERY_STRING= HTTP_ORIGIN=https://front.example "$QUERY_FCGI" \
    </dev/null >"$T/dyn" 2>>"$T/stderr"
for h in Content-Type Access-Control-Allow-Origin \
    Access-Control-Expose-Headers Cache-Control; do
	is "$(static_header "$T/h" "$h")" "$(static_header "$T/dyn" "$h")" \
	    "$h as query.cgi sends it ($(static_header "$T/dyn" "$h"))"
done
curl -s -D "$T/h" -o /dev/null "$base/api/articles"
is "$(static_header "$T/h" Access-Control-Allow-Origin)" "" \
    "no CORS header without Origin, as query.cgi"
etag=$(static_header "$T/h" ETag)
is "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
    "$base/api/articles")" 304 "If-None-Match with the file's ETag: 304"
curl -s -o "$T/b" \
    "$base/api/articles?filters%5Bslug%5D%5B%24eq%5D=hello-rich-strapi"
cmp -s "$T/b" "$S/articles/slug=hello-rich-strapi.json"
ok $? "filters%5Bslug%5D%5B%24eq%5D=…: the file too"
for u in "/api/articles?pagination[page]=9" "/api/articles?sort=title" \
    "/api/articles/nosuchdocument0000000000" "/api/nothing"; do
	curl -sg -D "$T/h" -o "$T/b" "$base$u"
	cgi_get "$u"
	cmp -s "$T/b" "$T/body" && grep -qi '^X-Strapi-Live-Seq:' "$T/h"
	ok $? "no file: query.cgi answers $u"
done
is "$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS \
    -H 'Origin: https://front.example' \
    -H 'Access-Control-Request-Method: GET' "$base/api/articles")" 204 \
    "a preflight reaches query.cgi (204)"

# webhook.cgi killed between its commit and its render.
python3 - "$RICH/83-entry.publish.article.json" "$T/v" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = json.loads(d["raw_body"])
for n in (1, 2):
    e = b["entry"]
    e["updatedAt"] = e["updatedAt"][:17] + "5%d.000Z" % n
    e["publishedAt"] = e["publishedAt"][:17] + "5%d.001Z" % n
    e["title"] = "Through Apache %d" % n
    d["raw_body"] = json.dumps(b, separators=(",", ":"))
    json.dump(d, open(sys.argv[2] + str(n), "w"))
PY
slug=$(json "$T/v1" 'json.loads(d["raw_body"])["entry"]["slug"]')
cp "$SRV/htdocs/.htaccess" "$T/htaccess"
echo "SetEnv STRAPI_LIVE_TEST_DIE_BEFORE_RENDER 1" >>"$SRV/htdocs/.htaccess"
st=$(deliver "$T/v1")
ok $([ "$st" != 200 ]; echo $?) "webhook.cgi dies after its commit ($st)"
cp "$T/htaccess" "$SRV/htdocs/.htaccess"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" \
    "$(json "$S/articles/slug/$slug/index.json" 'd["data"]["title"]')" \
    "the file is served, old"
cgi_get "/api/articles/slug/$slug"
is "$(json "$T/body" 'd["data"]["title"]')" "Through Apache 1" \
    "while the store has the write"
"$I_BIN/strapi-live" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 1 "static-verify finds the stale files first"
is "$(deliver "$T/v2")" 200 "the next delivery"
curl -s -o "$T/b" "$base/api/articles/slug/$slug"
is "$(json "$T/b" 'd["data"]["title"]')" "Through Apache 2" \
    "its write is served at once"
set -- $(static_through "$base" "$S")
is "$2 $3" "0 $1" "every file through Apache is query.cgi's answer again"
"$I_BIN/strapi-live" static-verify >"$T/verify" 2>>"$T/stderr"
is "$?" 0 "static-verify: nothing stale"
[ "$_tap_fail" = 0 ] || { deploy_logs; sed 's/^/# /' "$T/verify"; }
done_testing
