#!/bin/sh
# t0340-query-index.sh: collection.<name>.index: equality, ranges and sort
# on an indexed attribute answer past query_max_scan, from an index built
# on an older store at open, as a scan of a copy of the store without the
# index answers them (pages, cursors, totals), after publishes, updates,
# deletes and unpublishes, in a second locale; text conditions on an
# indexed text attribute read its keys; an attribute taken out of the
# setting loses its index file, and one put back is rebuilt.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"

export STRAPI_LIVE_COLLECTIONS=article
export STRAPI_LIVE_COLLECTION_ARTICLE_LOCALES="en fr"
export STRAPI_LIVE_COLLECTION_ARTICLE_FIELDS="title:string slug:uid price:decimal qty:integer flag:boolean at:datetime kind:enumeration"
export STRAPI_LIVE_QUERY_MAX_SCAN=50
INDEX="price, title, flag, at"
REF=$T/ref

# 300 articles in en and 60 in fr: ties, nulls, absent values, numbers
# given as text, text in a number field.
python3 - "$T/e.jsonl" <<'EOF'
import json, random, sys
rnd = random.Random(340)
words = ["apple", "Apple", "pear", "plum", "fig", "", "kiwi", "lime"]
with open(sys.argv[1], "w") as f:
    for i in range(360):
        e = {"id": rnd.randint(1, 100000), "documentId": "doc%021d" % i,
             "slug": "s%d" % i, "title": rnd.choice(words),
             "price": rnd.choice([None, 1, 2.5, 3, 10, -4, "7", "x", 0,
                                  1000, 3.25, -0.5]),
             "qty": rnd.randint(0, 9), "flag": rnd.choice([True, False, None]),
             "at": "2026-0%d-1%dT10:00:00.000Z" % (rnd.randint(1, 9),
                                                  rnd.randint(0, 9)),
             "kind": rnd.choice(["a", "b"]),
             "locale": "fr" if i >= 300 else "en",
             "createdAt": "2026-01-01T00:00:00.000Z",
             "updatedAt": "2026-01-01T00:00:00.000Z",
             "publishedAt": "2026-01-02T00:00:00.000Z"}
        if rnd.random() < 0.05:
            del e["price"]
        f.write(json.dumps(e) + "\n")
EOF

# -- an older store: written without the index, then copied as the
# reference, which never has one --------------------------------------------
check "import 360 articles without the index" "$STRAPI_LIVE" import "$T/e.jsonl"
cp -R "$STRAPI_LIVE_STORE_DIR" "$REF"
export STRAPI_LIVE_COLLECTION_ARTICLE_INDEX="$INDEX"

get() { # get QUERY: the list from the indexed store, into $T/body
	cgi_get "/api/articles?$1"
}
ref() { # ref QUERY: the same list from the reference, scanned
	STRAPI_LIVE_STORE_DIR=$REF STRAPI_LIVE_COLLECTION_ARTICLE_INDEX= \
	    STRAPI_LIVE_QUERY_MAX_SCAN=1000000 cgi_get "/api/articles?$1"
}
# what a list answers: status, ids in order, total, nextCursor's presence
answer() {
	json "$T/body" '[d.get("error", {}).get("status"), [e["id"] for e in d.get("data") or []], d.get("meta", {}).get("pagination", {}).get("total"), bool(d.get("meta", {}).get("pagination", {}).get("nextCursor"))]'
}
same() { # same QUERY NAME: 200 from the index, as the scan answers
	get "$1"
	got="$STATUS $(answer)"
	ref "$1"
	is "$got" "$STATUS $(answer)" "$2"
	[ "${got%% *}" = 200 ] || diag "$1: $(cat "$T/body")"
}

get 'filters[price][$eq]=3'
is "$STATUS" 200 "an indexed equality answers past query_max_scan 50"
ok "$([ -e "$STRAPI_LIVE_STORE_DIR/attr.article.price.1.db" ]; echo $?)" \
    "query.fcgi built the index of price at open (attr.article.price.1.db)"
is "$(json "$T/body" 'd["meta"]["pagination"]["total"]')" \
    "$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) for e in [json.loads(l)]
          if e["locale"] == "en" and e.get("price") in (3, "3")))' "$T/e.jsonl")" \
    "its total is the number of entries whose price is 3"
check "the store with its new indexes verifies" "$STRAPI_LIVE" verify

same 'filters[price][$eq]=3' '$eq on a number: the scan'"'"'s answer'
same 'filters[price]=7' 'an implicit $eq matches the number given as text "7"'
same 'filters[title][$eq]=apple&pagination[pageSize]=5&pagination[page]=3' \
    '$eq on text, page 3 of 5: byte order, case kept'
same 'filters[title][$eq]=' '$eq on the empty string'
same 'filters[price][$in][0]=3&filters[price][$in][1]=-4' '$in of two numbers'
same 'filters[price][$gt]=2&sort=price:desc&pagination[pageSize]=10&pagination[page]=2' \
    'a range and its sort descending, page 2 (ties by id)'
same 'filters[price][$lte]=3&sort=price:asc&pagination[pageSize]=100' \
    '$lte and sort ascending: 100 entries past the bound'
same 'filters[price][$between][0]=-1&filters[price][$between][1]=3.25&sort=price' \
    '$between, ends included'
same 'filters[title][$gte]=kiwi&sort=title:desc' '$gte on text, sorted descending'
same 'filters[title][$lt]=pear&sort=title&pagination[pageSize]=100' \
    '$lt on text: the empty title and the lower ones'
same 'sort=price:desc&pagination[pageSize]=100&pagination[page]=3' \
    'sort alone on an indexed attribute: nulls last descending'
same 'sort=title&pagination[pageSize]=100' 'sort on indexed text ascending'
same 'sort=at:desc&pagination[start]=20&pagination[limit]=30' \
    'sort on an indexed datetime, offset paging'
same 'filters[flag][$eq]=true&sort=id:desc' 'one boolean value, id descending'
same 'filters[flag]=f' 'one boolean value given as f, the default order'
same 'filters[at][$gte]=2026-05-01&filters[at][$lt]=2026-06-01T00:00:00Z' \
    'a datetime range of a month (two conditions on one index)'
same 'filters[title][$eq]=plum&filters[qty][$gte]=5' \
    'an indexed equality and an unindexed condition checked on each entry'
same 'filters[$and][0][title]=fig&filters[$and][1][kind]=a&sort=qty' \
    '$and of an indexed equality: an unindexed sort of its entries'
same 'filters[price][$lt]=3&locale=fr&sort=price:desc' \
    'a range in the second locale'

# cursor paging of an indexed sort walks every entry once, in order
walk() {
	local q=$1 n=0
	: >"$T/walk"
	uri="pagination[pageSize]=30&$q"
	while [ $n -lt 40 ]; do
		n=$((n + 1))
		get "$uri"
		[ "$STATUS" = 200 ] || { echo "status $STATUS"; return; }
		json "$T/body" '"\n".join(str(e["id"]) for e in d["data"])' \
		    >>"$T/walk"
		next=$(json "$T/body" 'd["meta"]["pagination"]["nextCursor"] or ""')
		[ -n "$next" ] || break
		uri="pagination[pageSize]=30&$q&cursor=$next"
	done
	tr '\n' ' ' <"$T/walk"
}
all() { # every id of the scan's list of QUERY
	ref "pagination[pageSize]=100&$1"
	json "$T/body" '" ".join(str(e["id"]) for e in d["data"])' | tr '\n' ' '
	for p in 2 3; do
		ref "pagination[pageSize]=100&pagination[page]=$p&$1"
		json "$T/body" '" ".join(str(e["id"]) for e in d["data"])' |
		    tr '\n' ' '
	done
}
is "$(walk 'sort=price:desc' | tr -s ' ')" "$(all 'sort=price:desc' | tr -s ' ')" \
    "nextCursor walks sort=price:desc (300 entries, ties) as the scan orders it"
is "$(walk 'sort=title' | tr -s ' ')" "$(all 'sort=title' | tr -s ' ')" \
    "nextCursor walks sort=title"
is "$(walk 'filters[title]=apple&sort=id:desc' | tr -s ' ')" \
    "$(all 'filters[title]=apple&sort=id:desc' | tr -s ' ')" \
    "nextCursor walks one value by id descending"

# -- the bound still holds where no index answers ------------------------
get 'filters[qty][$eq]=3'
is "$STATUS:$(json "$T/body" 'd["error"]["message"]')" \
    "400:The list reads more than 50 entries (query_max_scan) for its filters or sort: add a slug or category filter, or sort by publishedAt" \
    "an unindexed equality over 300 entries: 400 past query_max_scan"
get 'filters[price][$gte]=0'
is "$STATUS" 400 \
    "an indexed range of more entries than the bound, in the default order: 400"
get 'filters[price][$gte]=0&sort=price'
is "$STATUS" 200 "the same range sorted by price reads only its page: 200"
get 'filters[title][$containsi]=app'
is "$STATUS" 400 "\$containsi on the indexed title reads its 300 keys: 400 past 50"

# -- a text condition on an indexed text attribute: every key is read, and
# only the entries whose value may match (within query_max_scan's keys) ----
"$STRAPI_LIVE" explain 'filters[title][$containsi]=p' >"$T/plan"
is "$(sed -n 's/^keys: //p' "$T/plan")" \
    "every key is read, and the entries of those whose value may match" \
    "explain: \$containsi on the indexed title reads its keys"
export STRAPI_LIVE_QUERY_MAX_SCAN=400
same 'filters[title][$containsi]=P' '$containsi from the keys of title'
same 'filters[title][$eqi]=APPLE&sort=price' '$eqi from the keys, sorted by price'
same 'filters[title][$ne]=apple&pagination[pageSize]=100' \
    '$ne from the keys (the empty title kept, nulls left out)'
same 'filters[title][$null]=true' '$null from the keys'
same 'filters[title][$notContainsi]=p&filters[qty][$lt]=5' \
    '$notContainsi from the keys and an unindexed condition'
export STRAPI_LIVE_QUERY_MAX_SCAN=50

# -- writes: the one write path keeps the index ------------------------------
deliver() { # deliver EVENT JSON: a webhook to the indexed store and the reference
	printf '{"event":"%s","createdAt":"2026-02-01T00:00:00.000Z","model":"article","uid":"api::article.article","entry":%s}' \
	    "$1" "$2" >"$T/d.body"
	for dir in "$STRAPI_LIVE_STORE_DIR" "$REF"; do
		idx=$INDEX
		[ "$dir" = "$REF" ] && idx=
		STRAPI_LIVE_STORE_DIR=$dir STRAPI_LIVE_COLLECTION_ARTICLE_INDEX=$idx \
		    cgi_run "$WEBHOOK_FCGI" POST "$T/d.body" \
		    CONTENT_TYPE=application/json \
		    "HTTP_AUTHORIZATION=Bearer $SECRET" \
		    "HTTP_X_STRAPI_EVENT=$1" 2>>"$T/stderr" | cgi_status
	done | tr '\n' ' '
}
entry() { # entry N PRICE TITLE [LOCALE]: a later version of doc N
	printf '{"id":%d,"documentId":"doc%021d","slug":"s%d","title":"%s","price":%s,"qty":1,"locale":"%s","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-03-01T00:00:00.000Z","publishedAt":"2026-03-01T00:00:00.000Z"}' \
	    "$((200000 + $1))" "$1" "$1" "$3" "$2" "${4:-en}"
}
is "$(deliver entry.publish "$(entry 5 4242 zebra)")" "200 200 " \
    "a publish moves doc 5 to price 4242, title zebra"
is "$(deliver entry.publish "$(entry 400 4242 zebra)")" "200 200 " \
    "a new entry at price 4242"
is "$(deliver entry.publish "$(entry 301 4242 zebra fr)")" "200 200 " \
    "a new price for a French row"
is "$(deliver entry.delete "$(entry 6 0 x)")" "200 200 " "doc 6 is deleted"
is "$(deliver entry.unpublish "$(entry 7 0 x)")" "200 200 " "doc 7 is unpublished"
same 'filters[price][$eq]=4242' 'the updated and new entries at their new price'
same 'filters[title]=zebra&locale=fr' 'the French row at its new title'
same 'sort=price:desc&pagination[pageSize]=100' \
    'sort by price after the writes (deleted and unpublished gone)'
same 'filters[price][$gt]=2&sort=price&pagination[pageSize]=100&pagination[page]=2' \
    'a range after the writes, page 2'
check "the store verifies after the writes" "$STRAPI_LIVE" verify

# -- the setting changes: an index dropped, then back ---------------------
export STRAPI_LIVE_COLLECTION_ARTICLE_INDEX="title, flag, at"
get 'filters[price][$eq]=3'
is "$STATUS" 400 "price taken out of the setting: its lists scan (400 past 50)"
ok "$([ ! -e "$STRAPI_LIVE_STORE_DIR/attr.article.price.1.db" ]; echo $?)" \
    "and its index file is removed"
is "$(deliver entry.publish "$(entry 8 555 zebra)")" "200 200 " \
    "a write while price is not indexed"
export STRAPI_LIVE_COLLECTION_ARTICLE_INDEX="$INDEX"
same 'filters[price][$eq]=555' \
    'price put back: rebuilt, it has the write made without it'
same 'sort=price&pagination[pageSize]=100&pagination[page]=3' \
    'and sorts as the scan does'
check "the store verifies with the rebuilt index" "$STRAPI_LIVE" verify

done_testing
