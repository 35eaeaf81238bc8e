#!/bin/sh
# t0730-explain.sh: strapi-live explain prints a list query's plan: the
# filter tree, the sort, the index or scan it reads, its entries and the
# bound; collection.<name>.index naming no scalar attribute is refused.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

export STRAPI_LIVE_COLLECTIONS="article page"
export STRAPI_LIVE_COLLECTION_ARTICLE_FIELDS="title:string slug:uid price:decimal qty:integer"
export STRAPI_LIVE_COLLECTION_ARTICLE_INDEX="price, title"
export STRAPI_LIVE_QUERY_MAX_SCAN=50

python3 - "$T/e.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(120):
        f.write(json.dumps({
            "id": i + 1, "documentId": "doc%021d" % i, "slug": "s%d" % i,
            "title": "t%d" % (i % 4), "price": i % 10, "qty": i,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "publishedAt": "2026-01-02T00:00:00.000Z"}) + "\n")
EOF
check "import 120 articles" "$STRAPI_LIVE" import --collection article "$T/e.jsonl"

explain() {
	"$STRAPI_LIVE" explain "$@" >"$T/out" 2>"$T/err"
	echo $?
}
line() { # line NAME: the value of "NAME: ..." in the last plan
	sed -n "s/^$1: //p" "$T/out"
}

is "$(explain 'filters[price][$eq]=3')" 0 "explain of an indexed equality: exit 0"
is "$(line filter)" '$and($and(price $eq "3"))' "it prints the filter tree"
is "$(line access)" "index attr.article.price.1.db on price: 1 span, 12 entries" \
    "it reads the index of price: one span of 12 entries"
is "$(line order)" "the index's (the attribute, then id): only the page is read" \
    "in the index's order (price, then id)"
is "$(line bound)" "none: counted in O(log n)" "with no bound to meet"

explain '/api/articles?filters[price][$gte]=5&sort=price:desc' >/dev/null
is "$(line sort)" "price:desc, then id, documentId" "the sort of a /api path"
is "$(line access)" "index attr.article.price.1.db on price: 1 span, 60 entries" \
    "a range: 60 entries of the index"
case $(line order) in
"the index's, each value's entries forward"*) r=0 ;;
*) r=1 ;;
esac
ok $r "sort=price:desc reads each value's entries forward (ties by id)"

explain 'filters[price][$in][0]=1&filters[price][$in][1]=2&filters[qty][$lt]=9' \
    >/dev/null
is "$(line access):$(line exact)" \
    "index attr.article.price.1.db on price: 2 spans, 24 entries:no: each entry read is checked against the filter" \
    "\$in and an unindexed condition: two spans, each entry checked"
is "$(line bound)" "query_max_scan 50 entries read (within it)" \
    "within query_max_scan"

explain 'filters[qty][$eq]=3' >/dev/null
is "$(line access):$(line bound)" \
    "scan of article's entries:query_max_scan 50 entries read" \
    "an unindexed attribute: the scan and its bound"
explain 'filters[price][$gt]=0' >/dev/null
is "$(line bound)" \
    "query_max_scan 50 entries read (over it: the list answers 400)" \
    "an indexed range over the bound in the default order is over it"
explain 'pagination[page]=2' >/dev/null
is "$(line access)" "by_id (the default order): only the page is read" \
    "no filter: the default order's index"
explain 'sort=publishedAt:asc' >/dev/null
is "$(line access)" "by_time (publishedAt): only the page is read" \
    "sort=publishedAt: its own index"
explain --collection page 'filters[title][$eq]=x' >/dev/null
is "$(line collection):$(line access)" "page:scan of page's entries" \
    "--collection page: a collection without indexes scans"

is "$(explain 'filters[nope][$eq]=1')" 2 "an unknown attribute: exit 2"
is "$(cat "$T/err")" "strapi-live explain: Invalid key nope" \
    "with Strapi's message"
is "$(explain --collection nope 'x=1')" 2 "an unknown collection: exit 2"
is "$(explain)" 2 "no query: exit 2 (usage)"

STRAPI_LIVE_COLLECTION_ARTICLE_INDEX="price, nope" "$STRAPI_LIVE" \
    explain 'filters[price]=1' >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" \
    "2:strapi-live: configuration: collection.article.index: nope is not a scalar attribute of article (a string, number, boolean, date, enumeration or uid)" \
    "an index of an attribute the collection lacks is a configuration error"
STRAPI_LIVE_COLLECTION_ARTICLE_INDEX="pri-ce" "$STRAPI_LIVE" stats \
    >/dev/null 2>"$T/err"
is "$?" 2 "an index name with other characters is refused"

# With schema_dir: populate, fields and locale are taken out first, as
# query.fcgi does, and an attribute's class comes from the schema.
mkdir -p "$T/src/api/item/content-types/item"
cat >"$T/src/api/item/content-types/item/schema.json" <<'EOF'
{"kind": "collectionType", "collectionName": "items",
 "info": {"singularName": "item", "pluralName": "items", "displayName": "item"},
 "options": {"draftAndPublish": true},
 "pluginOptions": {"i18n": {"localized": true}},
 "attributes": {"title": {"type": "string"}, "price": {"type": "decimal"}}}
EOF
export STRAPI_LIVE_SCHEMA_DIR="$T/src" STRAPI_LIVE_COLLECTIONS=item \
    STRAPI_LIVE_LOCALES="en, fr" STRAPI_LIVE_COLLECTION_ITEM_INDEX=price \
    STRAPI_LIVE_STORE_DIR="$T/store2"
explain '/api/items?populate=*&fields[0]=title&locale=fr&filters[price][$lt]=3&sort=price' \
    >/dev/null
is "$(line collection):$(line locale):$(line access)" \
    "item:fr:index attr.item.price.1.db on price: 1 span, 0 entries" \
    "with a schema: populate and fields set aside, locale fr, the price index"
explain '/api/items?locale=*&filters[price][$eq]=3' >/dev/null
is "$(line locales):$(line access)" \
    "each of 2, in turn:scan of item's entries in each locale" \
    "locale=* reads each locale in turn: a scan"

done_testing
