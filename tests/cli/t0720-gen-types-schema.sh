#!/bin/sh
# t0720-gen-types-schema.sh: gen-types with schema_dir: TypeScript for every
# type of a Strapi project's schema (scalars by attribute type, relations,
# media, components, dynamic zones as a union on __component, single types,
# locale), checked by the TypeScript compiler (tsc_lib.sh) against Strapi's
# recorded REST answers (tests/fixtures/strapi5-rich): every answer is
# assignable to its generated type, a misspelt field or a wrong component is
# a compile error.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

: "${FIXTURES_RICH:=$top_srcdir/tests/fixtures/strapi5-rich}"
export STRAPI_LIVE_SCHEMA_DIR="$FIXTURES_RICH/strapi-src"
export STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
TAB=$(printf '\t')

mkdir "$T/app"
out="$T/app/strapi-live-collections.d.ts"
"$STRAPI_LIVE" gen-types -o "$out" 2>"$T/err"
ok $? "gen-types with schema_dir succeeds"
[ $_tap_fail -eq 0 ] || sed 's/^/# /' "$T/err"

# has FILE INTERFACE LINE: the interface's block holds LINE (one tab in).
has() {
	sed -n "/^export interface $2 {\$/,/^}\$/p" "$1" |
	    grep -qxF "$TAB$3"
}
check "required string is not nullable (Article.title)" \
    has "$out" Article 'title: string;'
check "optional text is nullable (Article.description)" \
    has "$out" Article 'description: string | null;'
check "single media: optional StrapiFile | null (Article.cover)" \
    has "$out" Article 'cover?: StrapiFile | null;'
check "to-one relation: optional Target | null (Article.author)" \
    has "$out" Article 'author?: Author | null;'
check "to-many relation: optional Target[] (Author.articles)" \
    has "$out" Author 'articles?: Article[];'
check "dynamic zone: a union on __component (Article.blocks)" \
    has "$out" Article "$TAB| (SharedQuote & { __component: \"shared.quote\" })"
check "localized type has locale and localizations" \
    sh -c "sed -n '/^export interface Article {/,/^}/p' '$out' |
	grep -qx '${TAB}locale: string;' &&
	sed -n '/^export interface Article {/,/^}/p' '$out' |
	grep -qx '${TAB}localizations?: Article\[\];'"
sed -n '/^export interface Author {/,/^}/p' "$out" | grep -q 'locale'
is "$?" 1 "a type that is not localized has no locale"
check "component interface (SharedSeo.metaTitle)" \
    has "$out" SharedSeo 'metaTitle: string;'
check "single component: optional Component | null (Global.defaultSeo)" \
    has "$out" Global 'defaultSeo?: SharedSeo | null;'
check "multiple media: optional StrapiFile[] (SharedSlider.files)" \
    has "$out" SharedSlider 'files?: StrapiFile[];'
check "single types map by singular (SingleTypes.global)" \
    grep -qxF "$TAB${TAB}global: Global;" "$out"
sed -n '/^	interface Collections {/,/^	}/p' "$out" | grep -q 'global\|about'
is "$?" 1 "single types are not collections"
check "collections map by REST plural (categories)" \
    grep -qxF "$TAB${TAB}categories: Category;" "$out"

# Every scalar type, enumerations, private fields, unknown targets.
S="$T/src"
mkdir -p "$S/api/gadget/content-types/gadget" "$S/components/shared"
cp "$STRAPI_LIVE_SCHEMA_DIR/components/shared/quote.json" "$S/components/shared/"
cat >"$S/api/gadget/content-types/gadget/schema.json" <<'EOJ'
{
  "kind": "collectionType",
  "info": { "singularName": "gadget", "pluralName": "gadgets" },
  "options": { "draftAndPublish": true },
  "attributes": {
    "kind": { "type": "enumeration", "enum": ["tool", "toy"] },
    "size": { "type": "enumeration", "enum": ["s", "m"], "required": true },
    "count": { "type": "integer" },
    "big": { "type": "biginteger" },
    "ratio": { "type": "float" },
    "price": { "type": "decimal" },
    "on": { "type": "boolean" },
    "day": { "type": "date" },
    "at": { "type": "datetime" },
    "clock": { "type": "time" },
    "mail": { "type": "email" },
    "doc": { "type": "richtext" },
    "meta": { "type": "json" },
    "body": { "type": "blocks" },
    "code": { "type": "uid" },
    "secret": { "type": "password" },
    "hidden": { "type": "string", "private": true },
    "owner": { "type": "relation", "relation": "manyToOne",
      "target": "plugin::users-permissions.user" },
    "friends": { "type": "relation", "relation": "manyToMany",
      "target": "api::gadget.gadget" },
    "quotes": { "type": "component", "repeatable": true,
      "component": "shared.quote" },
    "odd-name": { "type": "text" }
  }
}
EOJ
STRAPI_LIVE_SCHEMA_DIR="$S" STRAPI_LIVE_COLLECTIONS=gadget \
    "$STRAPI_LIVE" gen-types -o "$T/gadget.d.ts" 2>"$T/err"
ok $? "gen-types with a schema of every attribute type succeeds"
g="$T/gadget.d.ts"
check "enumeration: a union of its values, nullable" \
    has "$g" Gadget 'kind: "tool" | "toy" | null;'
check "required enumeration: not nullable" has "$g" Gadget 'size: "s" | "m";'
check "integer -> number | null" has "$g" Gadget 'count: number | null;'
check "biginteger -> string | null (REST sends a string)" \
    has "$g" Gadget 'big: string | null;'
check "float -> number | null" has "$g" Gadget 'ratio: number | null;'
check "decimal -> number | null" has "$g" Gadget 'price: number | null;'
check "boolean -> boolean | null" has "$g" Gadget 'on: boolean | null;'
check "date -> string | null" has "$g" Gadget 'day: string | null;'
check "datetime -> string | null" has "$g" Gadget 'at: string | null;'
check "time -> string | null" has "$g" Gadget 'clock: string | null;'
check "email -> string | null" has "$g" Gadget 'mail: string | null;'
check "richtext -> string | null" has "$g" Gadget 'doc: string | null;'
check "uid -> string | null" has "$g" Gadget 'code: string | null;'
check "json -> unknown" has "$g" Gadget 'meta: unknown;'
check "blocks -> StrapiBlock[] | null" has "$g" Gadget 'body: StrapiBlock[] | null;'
grep -q 'secret\|hidden' "$g"
is "$?" 1 "password and private attributes are left out (REST never sends them)"
check "a target outside the schema is an Entry" \
    has "$g" Gadget 'owner?: Entry | null;'
check "many-to-many to itself" has "$g" Gadget 'friends?: Gadget[];'
check "repeatable component: optional Component[]" \
    has "$g" Gadget 'quotes?: SharedQuote[];'
check "non-identifier attribute names are quoted" \
    has "$g" Gadget '"odd-name": string | null;'
check "no locale on a type that is not localized" \
    sh -c "! grep -q 'locale' '$g'"
check "a collection type gets its live query type" \
    grep -qx 'export interface GadgetQuery {' "$g"

STRAPI_LIVE_SCHEMA_DIR="$T/nowhere" "$STRAPI_LIVE" gen-types \
    >/dev/null 2>"$T/err"
is "$?" 2 "a schema_dir that does not load is a usage error (exit 2)"

# -- the compiler ------------------------------------------------------------
. "$top_srcdir/tests/cli/tsc_lib.sh"
set -- "tsc --strict accepts the generated declarations and code using them" \
    "tsc: every recorded REST answer is assignable to its generated type" \
    "tsc rejects a misspelt field (article.titel)" \
    "tsc rejects a wrong component discriminant" \
    "tsc rejects reading a relation that was not populated" \
    "tsc rejects populating a scalar" \
    "tsc rejects a field of another component after narrowing" \
    "tsc accepts the TypeScript example of docs/client.md"
if ! tsc_find; then
	for name in "$@"; do
		tap_skip "$TSC_WHY: $name"
	done
	done_testing
	exit
fi
cp "$top_srcdir/www/strapi-live.js" "$top_srcdir/www/strapi-live.d.ts" \
    "$T/app/"
cp "$g" "$T/app/"
cat >"$T/app/good.ts" <<'EOT'
import { subscribe, type Populated, type StrapiFile, type SingleTypes }
    from "./strapi-live.js";
import type { Article, Author } from "./strapi-live-collections.js";
import type { Gadget } from "./gadget.js";

subscribe("articles", null, (list) => {
	const a: Article = list[0];
	const t: string = a.title;
	const loc: string = a.locale;
	const who: string | null | undefined = a.author?.name;
	console.log(t, loc, who);
});
export function show(a: Populated<Article, "author" | "cover" | "blocks">) {
	const who: string | null = a.author ? a.author.name : null;
	const url: string | undefined = a.cover?.url;
	for (const b of a.blocks) {
		switch (b.__component) {
		case "shared.quote":
			console.log(b.title, b.body);
			break;
		case "shared.rich-text":
			console.log(b.body);
			break;
		case "shared.media":
			console.log(b.file?.url);
			break;
		case "shared.slider":
			console.log(b.files?.map((f: StrapiFile) => f.url));
			break;
		}
	}
	return `${who} ${url}`;
}
export const site = (g: SingleTypes["global"]): string =>
	g.defaultSeo?.metaTitle ?? g.siteName;
export const names = (a: Populated<Author, "articles">): string[] =>
	a.articles.map((x) => x.title);
export const gadget = (x: Gadget): string =>
	`${x.size} ${x.kind ?? ""} ${x.count ?? 0} ${x.quotes?.length}`;
EOT
# The recorded answers, each embedded with the type it is declared as.
python3 - "$FIXTURES_RICH" >"$T/app/answers.ts" <<'EOP'
import json, sys
rich = sys.argv[1]
L, S = "ListResponse", "SingleResponse"
answers = [
    ("rest-articles.json", L, "Article"),
    ("rest-articles-locale-fr.json", L, "Populated<Article>"),
    ("rest-articles-locale-star.json", L,
     'Fields<Article, "title" | "locale">'),
    ("rest-articles-locale-all.json", L, "Article"),
    ("rest-articles-filter-category-slug.json", L, "Article"),
    ("rest-articles-filter-or.json", L, "Article"),
    ("rest-articles-filter-slug.json", L, "Populated<Article>"),
    ("rest-articles-filter-title-containsi.json", L, "Article"),
    ("rest-articles-sort-publishedAt-desc-title-asc.json", L,
     'Fields<Article, "title" | "publishedAt">'),
    ("rest-articles-sort-title-asc.json", L, 'Fields<Article, "title">'),
    ("rest-articles-pagination-withCount-false.json", None,
     "{ data: Article[]; meta: { pagination: Omit<Pagination, \"total\"> } }"),
    ("rest-articles-populate-star.json", L, "Populated<Article>"),
    ("rest-articles-populate-deep-everything.json", L, "Populated<Article>"),
    ("rest-articles-populate-blocks-star.json", L,
     'Populated<Article, "blocks">'),
    ("rest-articles-populate-blocks-on-fragments.json", L,
     'Populated<Article, "blocks">'),
    ("rest-articles-populate-cover-author-avatar.json", L,
     'Populated<Article, "cover"> & '
     '{ author: Populated<Author, "avatar"> | null }'),
    ("rest-articles-populate-category-fields-name.json", L,
     'Omit<Article, "category"> & '
     '{ category: Fields<Category, "name"> | null }'),
    ("rest-articles-fields-title-cover-url.json", L,
     'Fields<Article, "title"> & { cover: Fields<StrapiFile, "url"> | null }'),
    ("rest-article-by-documentId-populate-star.json", S,
     "Populated<Article>"),
    ("rest-article-by-documentId-locale-fr-populate-star.json", S,
     "Populated<Article>"),
    ("rest-article-by-documentId-media-deleted.json", S,
     'Populated<Article, "cover">'),
    ("rest-authors-populate-star.json", L, "Populated<Author>"),
    ("rest-categories.json", L, "Category"),
    ("rest-categories-locale-fr.json", L, "Category"),
    ("rest-categories-populate-star.json", L, "Populated<Category>"),
    ("rest-categories-populate-articles-count.json", L,
     'Counted<Category, "articles">'),
    ("rest-global.json", S, "Global"),
    ("rest-global-populate-star.json", S, "Populated<Global>"),
    ("rest-global-populate-seo-shareImage.json", S,
     'Populated<Global> & { defaultSeo: Populated<SharedSeo> | null }'),
    ("rest-about-populate-star.json", S, "Populated<About>"),
    ("rest-about-populate-blocks-star.json", S, "Populated<About>"),
    ("rest-upload-files.json", None, "StrapiFile[]"),
    ("rest-upload-file-by-id.json", None, "StrapiFile"),
]
print('import type { Counted, Fields, ListResponse, Pagination, '
      'Populated, SingleResponse, StrapiFile } from "./strapi-live.js";')
print('import type { About, Article, Author, Category, Global, SharedSeo } '
      'from "./strapi-live-collections.js";')
for i, (f, env, t) in enumerate(answers):
    body = json.load(open(f"{rich}/{f}"))["body"]
    ty = f"{env}<{t}>" if env else t
    print(f"// {f}\nexport const a{i}: {ty} = {json.dumps(body, indent=1)};")
EOP
printf '%s\n' 'import type { Article } from "./strapi-live-collections.js";' \
    'export const f = (article: Article) => article.titel;' \
    >"$T/app/bad-field.ts"
cat >"$T/app/bad-component.ts" <<'EOT'
import type { Article } from "./strapi-live-collections.js";
export const b: NonNullable<Article["blocks"]> =
    [{ id: 1, __component: "shared.qoute", title: "x", body: "y" }];
EOT
printf '%s\n' 'import type { Article } from "./strapi-live-collections.js";' \
    'export const f = (a: Article) => a.author.name;' \
    >"$T/app/bad-unpopulated.ts"
printf '%s\n' 'import type { Populated } from "./strapi-live.js";' \
    'import type { Article } from "./strapi-live-collections.js";' \
    'export type P = Populated<Article, "title">;' >"$T/app/bad-populate.ts"
cat >"$T/app/bad-narrow.ts" <<'EOT'
import type { Populated } from "./strapi-live.js";
import type { Article } from "./strapi-live-collections.js";
export const f = (a: Populated<Article, "blocks">) => a.blocks.map((b) =>
    b.__component === "shared.quote" ? b.file : null);
EOT
C=strapi-live-collections.d.ts
tsc_accepts "$1" good.ts $C gadget.d.ts
tsc_accepts "$2" answers.ts $C
tsc_rejects "$3" "'titel' does not exist on type 'Article'" bad-field.ts $C
tsc_rejects "$4" '"shared.qoute"' bad-component.ts $C
tsc_rejects "$5" "'a.author' is possibly" bad-unpopulated.ts $C
tsc_rejects "$6" '"title"' bad-populate.ts $C
tsc_rejects "$7" "'file' does not exist" bad-narrow.ts $C
sed -n '/^```ts$/,/^```$/p' "$top_srcdir/docs/client.md" | sed '1d;$d' \
    >"$T/app/doc.ts"
if [ -s "$T/app/doc.ts" ]; then
	tsc_accepts "$8" doc.ts $C
else
	ok 1 "$8 (docs/client.md has no ts block)"
fi
done_testing
