#!/bin/sh
# t0700-gen-types.sh: strapi-live gen-types: declarations from the configuration
#
# The declarations are checked by the TypeScript compiler (the tree's, or
# the pinned one installed into the test's dir: tsc_lib.sh): code using the
# right field names compiles, a misspelt field or collection does not.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

out="$T/types.d.ts"
"$STRAPI_LIVE" gen-types >"$out" 2>"$T/err"
ok $? "gen-types with the default configuration succeeds"
check "Article interface for the default collection" \
    grep -q '^export interface Article {$' "$out"
check "configured fields typed (title: string | null)" \
    grep -q '^	title: string | null;$' "$out"
check "system fields typed (documentId: string)" \
    grep -q '^	documentId: string;$' "$out"
check "publishedAt is always set on published entries" \
    grep -q '^	publishedAt: string;$' "$out"
check "collections map by REST plural" \
    grep -q '^		articles: Article;$' "$out"
check "augments the client module" \
    grep -q '^declare module "./strapi-live.js" {$' "$out"
check "query type knows the category filter" \
    grep -q '^	category?: string;$' "$out"
check "query type takes REST's filters" \
    grep -q '^	filters?: Record<string, unknown>;$' "$out"

# A configuration with other types, a hyphenated collection and values.
cat >"$T/sl.conf" <<EOC
collections = article blog-post
collection.blog-post.fields = title:string! views:integer score:float featured:boolean kind:enumeration(news|howto)! body:blocks meta:json odd-name:text
collection.blog-post.category_field = kind
EOC
STRAPI_LIVE_CONFIG="$T/sl.conf" "$STRAPI_LIVE" gen-types -m strapi-live \
    -o "$T/custom.d.ts" 2>"$T/err"
ok $? "gen-types -o with a custom configuration succeeds"
check "hyphenated collection becomes BlogPost" \
    grep -q '^export interface BlogPost {$' "$T/custom.d.ts"
check "required field (!) is not nullable" \
    grep -q '^	title: string;$' "$T/custom.d.ts"
check "integer -> number | null" grep -q '^	views: number | null;$' "$T/custom.d.ts"
check "float -> number | null" grep -q '^	score: number | null;$' "$T/custom.d.ts"
check "boolean -> boolean | null" grep -q '^	featured: boolean | null;$' "$T/custom.d.ts"
check "enumeration values -> union of literals" \
    grep -q '^	kind: "news" | "howto";$' "$T/custom.d.ts"
check "query category typed by the enumeration" \
    grep -q '^	category?: "news" | "howto";$' "$T/custom.d.ts"
check "blocks -> unknown[]" grep -q '^	body: unknown\[\];$' "$T/custom.d.ts"
check "json -> unknown" grep -q '^	meta: unknown;$' "$T/custom.d.ts"
check "non-identifier field names are quoted" \
    grep -q '^	"odd-name": string | null;$' "$T/custom.d.ts"
check "plural key quoted" grep -q '^		"blog-posts": BlogPost;$' "$T/custom.d.ts"
check "-m names the module" grep -q '^declare module "strapi-live" {$' "$T/custom.d.ts"

printf 'collections = article\ncollection.article.fields = title:strnig\n' \
    >"$T/bad.conf"
STRAPI_LIVE_CONFIG="$T/bad.conf" "$STRAPI_LIVE" gen-types >/dev/null 2>"$T/err"
is "$?" 2 "an unknown field type is a usage error (exit 2)"
check "the error names the collection, field and type" \
    grep -q 'collection.article.fields: title:strnig: unknown Strapi attribute type' "$T/err"
"$STRAPI_LIVE" gen-types -o "$T/no/such/dir/x.d.ts" 2>/dev/null
is "$?" 1 "an unwritable output file fails (exit 1)"

# The compiler (tsc_lib.sh): types flow into the editor.
. "$top_srcdir/tests/cli/tsc_lib.sh"
if ! tsc_find; then
	for name in "tsc accepts code using the configured fields" \
	    "tsc rejects a misspelt field" "tsc rejects an unknown collection" \
	    "tsc rejects an unknown query key"; do
		tap_skip "$TSC_WHY: $name"
	done
else
	mkdir "$T/app"
	cp "$top_srcdir/www/strapi-live.js" "$top_srcdir/www/strapi-live.d.ts" "$T/app/"
	"$STRAPI_LIVE" gen-types -o "$T/app/strapi-live-collections.d.ts"
	cat >"$T/app/good.ts" <<'EOT'
import { subscribe, get, changes, type EntryOf } from "./strapi-live.js";
import type { Article } from "./strapi-live-collections.js";
const stop: () => void = subscribe("articles", { category: "tech" },
    (list: Article[], info) => {
	const t: string | null = list[0].title;
	const d: string = list[0].documentId;
	const s: number = info.seq;
	console.log(t, d, s);
});
stop();
changes("articles", (c) => {
	if (c.op === "upsert" && c.entry) {
		const e: EntryOf<"articles"> = c.entry;
		console.log(e.slug);
	}
});
get("articles", { slug: "x" }).then((r) => r.data.map((a) => a.excerpt));
EOT
	printf '%s\n' 'import { subscribe } from "./strapi-live.js";' \
	    'subscribe("articles", {}, (list) => console.log(list[0].titel));' \
	    >"$T/app/bad-field.ts"
	printf '%s\n' 'import { subscribe } from "./strapi-live.js";' \
	    'subscribe("articels", {}, () => {});' >"$T/app/bad-coll.ts"
	printf '%s\n' 'import { subscribe } from "./strapi-live.js";' \
	    'subscribe("articles", { categroy: "tech" }, () => {});' \
	    >"$T/app/bad-query.ts"
	C=strapi-live-collections.d.ts
	tsc_accepts "tsc accepts code using the configured fields" good.ts $C
	tsc_rejects "tsc rejects a misspelt field" "'titel' does not exist" \
	    bad-field.ts $C
	tsc_rejects "tsc rejects an unknown collection" '"articels"' \
	    bad-coll.ts $C
	tsc_rejects "tsc rejects an unknown query key" \
	    "'categroy' does not exist" bad-query.ts $C
fi
done_testing
