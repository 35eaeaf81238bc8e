#!/bin/sh
# t0311-id-order.sh: the default order (id ascending) and sort=id come from
# the store's by_id index: past query_max_scan, after an entry's id changes
# or it is deleted, and in a store written before the index existed.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"

# More entries than a list may scan: only an index answers them.
export STRAPI_LIVE_QUERY_MAX_SCAN=50

ids() {
	json "$T/body" '[e["id"] for e in d["data"]]'
}
# every id of the default list (or of $1's sort), by pages of 30 and cursor
walk() {
	local sort=$1 uri next
	: >"$T/walk"
	uri="/api/articles?pagination[pageSize]=30$sort"
	while :; do
		cgi_get "$uri"
		[ "$STATUS" = 200 ] || { echo "status $STATUS"; return; }
		json "$T/body" '"\n".join(str(e["id"]) for e in d["data"])' \
		    >>"$T/walk"
		next=$(json "$T/body" 'd["meta"]["pagination"]["nextCursor"] or ""')
		[ -n "$next" ] || break
		uri="/api/articles?pagination[pageSize]=30$sort&cursor=$next"
	done
	python3 -c 'import sys; print([int(l) for l in sys.stdin if l.strip()])' \
	    <"$T/walk"
}
# the ids the store holds, in the order wanted (python: key, reverse)
expect() {
	"$STRAPI_LIVE" dump >"$T/dump"
	python3 -c '
import json, sys
ids = sorted(json.loads(l)["id"] for l in open(sys.argv[1]) if l.strip())
print(ids[::-1] if sys.argv[2] == "desc" else ids)' "$T/dump" "$1"
}
deliver() { # deliver EVENT DOC N: a generated webhook (id N+1)
	python3 "$top_srcdir/tests/gen_delivery.py" "$1" "$2" "$3" >"$T/d.body"
	cgi_run "$WEBHOOK_FCGI" POST "$T/d.body" CONTENT_TYPE=application/json \
	    "HTTP_AUTHORIZATION=Bearer $SECRET" "HTTP_X_STRAPI_EVENT=$1" \
	    2>>"$T/stderr" | cgi_status
}

# 80 articles whose ids follow neither their documentIds nor their
# publication times.
python3 - "$T/e.jsonl" <<'EOF'
import json, random, sys
random.seed(7)
n = 80
ids = list(range(1, n + 1))
random.shuffle(ids)
with open(sys.argv[1], "w") as f:
    for i in range(n):
        f.write(json.dumps({
            "id": ids[i] * 3, "documentId": "doc%021d" % ((i * 37) % n),
            "title": "T%d" % i, "slug": "s%d" % i,
            "createdAt": "2024-01-01T00:00:00.000Z",
            "updatedAt": "2024-01-%02dT00:00:00.000Z" % (1 + i % 28),
            "publishedAt": "2024-02-01T00:%02d:%02d.000Z" % (i // 60, i % 60),
        }) + "\n")
EOF
check "import 80 articles" "$STRAPI_LIVE" import "$T/e.jsonl"

# -- a store written before the index: its programs build it at open ----
# (a store of an older version has no by_id.db; the import made one, so
# it is removed once the import has exited)
rm -f "$STRAPI_LIVE_STORE_DIR/by_id.db"
ok "$([ ! -e "$STRAPI_LIVE_STORE_DIR/by_id.db" ]; echo $?)" \
    "the store has no by_id index (as one written before it)"
cgi_get '/api/articles?pagination[pageSize]=100'
is "$STATUS:$(ids)" "200:$(expect asc)" \
    "the older store answers the default list, 80 entries past query_max_scan 50, in id order"
ok "$([ -e "$STRAPI_LIVE_STORE_DIR/by_id.db" ]; echo $?)" \
    "query.fcgi built the index at open"
check "the upgraded store verifies" "$STRAPI_LIVE" verify

# -- more entries than query_max_scan ------------------------------------
cgi_get '/api/articles'
is "$STATUS:$(ids)" "200:$(expect asc | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[:25])')" \
    "default list: 200, the 25 lowest ids in order"
is "$(json "$T/body" '[d["meta"]["pagination"][k] for k in ("page", "pageSize", "pageCount", "total")]')" \
    "[1, 25, 4, 80]" "default list: page 1 of 4, total 80"
cgi_get '/api/articles?pagination[page]=3&pagination[pageSize]=25'
is "$(ids)" "$(expect asc | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[50:75])')" \
    "page 3: the 51st to 75th ids"
cgi_get '/api/articles?pagination[start]=70&pagination[limit]=20&pagination[withCount]=true'
is "$(ids):$(json "$T/body" 'd["meta"]["pagination"]["total"]')" \
    "$(expect asc | python3 -c 'import sys,ast; print(ast.literal_eval(sys.stdin.read())[70:])'):80" \
    "offset paging: the last 10 ids, total 80"
is "$(walk '')" "$(expect asc)" "nextCursor walks every id in order"
is "$(walk '&sort=id:desc')" "$(expect desc)" \
    "sort=id:desc: every id, highest first, by cursor"
cgi_get '/api/articles?sort=id&pagination[pageSize]=100'
is "$STATUS:$(ids)" "200:$(expect asc)" "sort=id: id ascending"
cgi_get '/api/articles?filters[title][$containsi]=t'
is "$STATUS:$(json "$T/body" 'd["error"]["message"]')" \
    "400:The list reads more than 50 entries (query_max_scan) for its filters or sort: add a slug or category filter, or sort by publishedAt" \
    "a filter no index serves still scans, and is refused past query_max_scan"
cgi_get '/api/articles?sort=title'
is "$STATUS" 400 "so is a sort no index serves"

# -- writes move entries in the order ------------------------------------
# Strapi 5 gives a new row id on each publish: doc…00 republished gets 501.
is "$(deliver entry.publish doc000000000000000000000 500)" 200 \
    "a publish gives doc…00 a new id (501)"
cgi_get '/api/articles?pagination[pageSize]=100'
is "$(ids)" "$(expect asc)" "the default list has it last, at its new id"
is "$(json "$T/body" '[e["id"] for e in d["data"] if e["documentId"] == "doc000000000000000000000"]')" \
    "[501]" "and only there"
is "$(deliver entry.delete doc000000000000000000037 600)" 200 \
    "doc…37 is deleted"
cgi_get '/api/articles?pagination[pageSize]=100'
is "$(ids):$(json "$T/body" 'd["meta"]["pagination"]["total"]')" \
    "$(expect asc):79" "the default list no longer has it: 79 entries"
is "$(deliver entry.unpublish doc000000000000000000045 700)" 200 \
    "doc…45 is unpublished"
cgi_get '/api/articles?pagination[pageSize]=100&sort=id:desc'
is "$(ids):$(json "$T/body" 'd["meta"]["pagination"]["total"]')" \
    "$(expect desc):78" "sort=id:desc no longer has it: 78 entries"
check "the store verifies after the writes" "$STRAPI_LIVE" verify

# -- several programs opening the older store at once ---------------------
rm -f "$STRAPI_LIVE_STORE_DIR/by_id.db"
for i in 1 2 3 4 5 6; do
	env REQUEST_METHOD=GET GATEWAY_INTERFACE=CGI/1.1 \
	    REQUEST_URI=/api/articles QUERY_STRING= SCRIPT_NAME= \
	    PATH_INFO=/api/articles "$QUERY_FCGI" </dev/null \
	    >"$T/race.$i" 2>>"$T/stderr" &
done
wait
is "$(for i in 1 2 3 4 5 6; do cgi_status <"$T/race.$i"; done | sort | uniq -c | tr -s ' ')" \
    " 6 200" "six query.fcgi opening the store without by_id at once all answer 200"
check "and the index they built verifies" "$STRAPI_LIVE" verify

done_testing
