#!/bin/sh
# t0910-rich-refetch.sh: incomplete deliveries re-fetched from Strapi. With
# strapi_url set, webhook.fcgi answers a delivery whose files are ids alone
# (early Strapi 5 releases) by storing the document as Strapi's REST
# answers it (tests/fake_strapi.py --rich: the recorded answers), and an
# "entry": null delivery by syncing its type; both before answering.
# Without strapi_url, or when Strapi fails, both stay refused (422) and
# kept for replay, and a replay once Strapi answers stores them.
. "$top_srcdir/tests/lib.sh"

rich_fake
A1=ps7ajq06b9x40es6l4z2jnsw

# post BODYFILE EVENT: the delivery through webhook.fcgi; prints the status
# and the answer's action or error message.
post() {
	cgi_run "$WEBHOOK_FCGI" POST "$1" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" "HTTP_X_STRAPI_EVENT=$2" \
	    >"$T/r" 2>>"$T/stderr"
	printf '%s ' "$(cgi_status <"$T/r")"
	cgi_body <"$T/r" | json - 'd.get("action") or d["error"]["message"]'
}

# like GOT PATTERN NAME: passes when GOT matches the shell PATTERN.
like() {
	case $1 in
	$2) ok 0 "$3" ;;
	*) ok 1 "$3: $1" ;;
	esac
}

# get URI: query.fcgi's answer (status, then the body in $T/body).
get() {
	local qs=""
	case $1 in *\?*) qs=${1#*\?} ;; esac
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 REQUEST_URI="$1" \
	    QUERY_STRING="$qs" SCRIPT_NAME="" PATH_INFO="${1%%\?*}" \
	    "$QUERY_FCGI" </dev/null 2>>"$T/stderr" >"$T/resp"
	cgi_body <"$T/resp" >"$T/body"
	cgi_status <"$T/resp"
}

# The recorded publish of A1 en with its new cover (38), its files given
# by id alone, as early Strapi 5 releases sent them.
python3 - "$RICH/38-entry.publish.article.json" "$T/ids.body" <<'PY'
import json, sys
d = json.loads(json.load(open(sys.argv[1]))["raw_body"])
e = d["entry"]
e["cover"] = e["cover"]["id"]
for b in e["blocks"]:
    if "file" in b:
        b["file"] = b["file"]["id"]
    if "files" in b:
        b["files"] = [f["id"] for f in b["files"]]
open(sys.argv[2], "w").write(json.dumps(d))
PY

# Without strapi_url: refused and kept, as before.
export STRAPI_LIVE_STORE_DIR="$T/plain"
STRAPI_URL= post "$T/ids.body" entry.publish >"$T/out"
is "$(cat "$T/out")" \
    "422 entry.cover: media must be a file object or null" \
    "files by id alone, no strapi_url: 422 with the reason"
is "$(STRAPI_URL= get "/api/articles/$A1")" 404 "nothing stored"

# With strapi_url: the document as Strapi answers it now.
export STRAPI_LIVE_STORE_DIR="$T/ids"
is "$(post "$T/ids.body" entry.publish)" "200 upserted" \
    "files by id alone, strapi_url set: re-fetched and stored"
is "$(curl -sf "$FAKE_URL/_stats" | json - '[p.split("&")[0] for p in d["paths"]]')" \
    "[\"/api/articles/$A1?locale=en\"]" \
    "one GET of the document and its locale"
is "$(curl -sf "$FAKE_URL/_stats" | json - '"populate%5Bcover%5D=true" in d["paths"][0] and "populate%5Bblocks%5D%5Bpopulate%5D=*" in d["paths"][0]')" \
    true "with the populate a sync asks (files, components)"
is "$(get "/api/articles/$A1?populate[cover]=true&populate[blocks][populate]=*")" 200 \
    "the article is served"
want=$(json "$RICH/rest-articles-populate-blocks-star.json" \
    "[e for e in d['body']['data'] if e['documentId'] == '$A1'][0]['blocks']")
is "$(json "$T/body" 'd["data"]["blocks"]')" "$want" \
    "its blocks with their files, as Strapi answers them"
is "$(json "$T/body" 'd["data"]["cover"]["url"]')" \
    "$(json "$RICH/rest-article-by-documentId-populate-star.json" 'd["body"]["data"]["cover"]["url"]')" \
    "its cover as a file, as Strapi answers it"
is "$(get /api/upload/files/3) $(json "$T/body" 'd["id"]')" "200 3" \
    "the files are stored, though no media delivery came"

# A document Strapi no longer has: nothing stored, answered 200.
sed "s/$A1/q2mdrwub7z845ygz7u5fsxtv/g" "$T/ids.body" >"$T/gone.body"
is "$(post "$T/gone.body" entry.publish)" "200 gone-upstream" \
    "a document Strapi no longer has: 200 gone-upstream"
is "$(get /api/articles/q2mdrwub7z845ygz7u5fsxtv)" 404 "and nothing stored"

# Strapi failing: refused and kept; a replay once it answers stores it.
export STRAPI_LIVE_STORE_DIR="$T/failing"
curl -sf "$FAKE_URL/_control?fail500=1" >/dev/null
like "$(post "$T/ids.body" entry.publish)" \
    "422 files given by id alone, and re-fetching the document from Strapi failed (GET http://127.0.0.1:$FAKE_PORT/api/articles/$A1?locale=en&populate*HTTP 500: Internal Server Error); kept for replay" \
    "Strapi failing: 422 naming the request and Strapi's answer"
is "$(get "/api/articles/$A1")" 404 "nothing stored"
"$STRAPI_LIVE" replay >"$T/replay" 2>>"$T/stderr"
ok $? "replay once Strapi answers"
is "$(get "/api/articles/$A1") $(json "$T/body" 'd["data"]["id"]')" "200 17" \
    "the replayed delivery is stored"

# "entry": null names no document: the type is synced before answering.
printf '%s' '{"event":"entry.publish","createdAt":"2026-12-03T08:20:00.000Z","model":"article","uid":"api::article.article","entry":null}' \
    >"$T/null.body"
export STRAPI_LIVE_STORE_DIR="$T/null"
is "$(post "$T/null.body" entry.publish)" "200 refetched" \
    "entry: null, strapi_url set: 200 refetched"
is "$(get '/api/articles?sort=publishedAt:asc') $(json "$T/body" 'sorted(e["documentId"] for e in d["data"])')" \
    "200 $(json "$RICH/rest-articles.json" 'sorted(e["documentId"] for e in d["body"]["data"])')" \
    "the type's published documents are stored, as Strapi lists them"
is "$(get '/api/articles?locale=fr') $(json "$T/body" 'len(d["data"])')" \
    "200 $(json "$RICH/rest-articles-locale-fr.json" 'len(d["body"]["data"])')" \
    "in every locale"
is "$("$STRAPI_LIVE" events | tail -n 1 | json - '[d["status"], d["outcome"]]')" \
    '[200, "refetched"]' "the event log says so"
curl -sf "$FAKE_URL/_control?fail500=1" >/dev/null
like "$(post "$T/null.body" entry.publish)" \
    "422 entry: null, and re-fetching articles from Strapi failed (sync of articles: GET *HTTP 500: Internal Server Error); kept for replay" \
    "Strapi failing: 422, kept for replay"
is "$("$STRAPI_LIVE" events --failed | tail -n 1 | json - 'd["rawBytes"] > 0')" \
    true "with its body"

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
