#!/bin/sh
# t0940-client-populate-types.sh: the client's types of populate, fields
# and count (www/strapi-live.d.ts: Shaped, PopulateParam, FieldName) over
# the types gen-types writes from the recorded blog model's schema
# (tests/fixtures/strapi5-rich), checked by the TypeScript compiler
# (tsc_lib.sh): a query's answer is typed by its populate, nested as deep
# as it goes (Strapi's recorded answers to the same query strings are
# assignable to those types), subscribe() and get() hand it to the
# caller, and reading what the query did not ask for, a misspelt populate
# key or a populated scalar does not compile.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

: "${FIXTURES_RICH:=$top_srcdir/tests/fixtures/strapi5-rich}"
export STRAPI_LIVE_SCHEMA_DIR="$FIXTURES_RICH/strapi-src"
export STRAPI_LIVE_COLLECTIONS=article,author,category,global,about
mkdir "$T/app"
"$STRAPI_LIVE" gen-types -o "$T/app/strapi-live-collections.d.ts" 2>"$T/err"
ok $? "gen-types with schema_dir succeeds"
check "a query type has populate, fields and locale (ArticleQuery)" \
    sh -c "sed -n '/^export interface ArticleQuery {/,/^}/p' \
	'$T/app/strapi-live-collections.d.ts' | tr -d '\t' | grep -c \
	-e '^populate?: PopulateParam<Article>;\$' \
	-e '^fields?: readonly FieldName<Article>\[\];\$' \
	-e '^locale?: string;\$' | grep -qx 3"

. "$top_srcdir/tests/cli/tsc_lib.sh"
set -- "tsc: subscribe() and get() type their answers by populate and fields" \
    "tsc: Strapi's recorded answers are assignable to their queries' types" \
    "tsc rejects a relation the query did not populate" \
    "tsc rejects a field the query did not select" \
    "tsc rejects a nested field the query did not select" \
    "tsc rejects a misspelt populate key" \
    "tsc rejects populating a scalar" \
    "tsc rejects a count read as a list" \
    "tsc rejects an answer without the populated keys its type requires" \
    "tsc accepts the populate example of docs/client.md"
tsc_need "$@"
cp "$top_srcdir/www/strapi-live.js" "$top_srcdir/www/strapi-live.d.ts" \
    "$T/app/"

cat >"$T/app/good.ts" <<'EOT'
import { get, getOne, subscribe, type StrapiFile } from "./strapi-live.js";

subscribe("articles",
    { populate: { author: { populate: ["avatar"] }, cover: true } },
    (list) => {
	const a = list[0];
	const cover: StrapiFile | null = a.cover;
	const avatar: StrapiFile | null = a.author ? a.author.avatar : null;
	const name: string | null = a.author ? a.author.name : null;
	console.log(cover, avatar, name, a.title);
});
export async function titles(): Promise<string[]> {
	const r = await get("articles", { fields: ["title"], locale: "fr" });
	return r.data.map((a) => a.title);
}
export async function counts(): Promise<number[]> {
	const r = await get("categories", { populate: { articles: { count: true } } });
	return r.data.map((c) => c.articles.count);
}
export async function names(): Promise<(string | null)[]> {
	const r = await get("articles",
	    { populate: { category: { fields: ["name"] } } });
	return r.data.map((a) => (a.category ? a.category.name : null));
}
export async function quotes(): Promise<string[]> {
	const r = await getOne("articles", { documentId: "x" },
	    { populate: { blocks: { populate: "*" } } });
	const out: string[] = [];
	for (const b of r.data.blocks)
		if (b.__component === "shared.slider")
			out.push(...b.files.map((f: StrapiFile) => f.url));
	return out;
}
EOT
tsc_accepts "$1" good.ts strapi-live-collections.d.ts

# The recorded answers, each declared as its request's query shapes it.
python3 - "$FIXTURES_RICH" >"$T/app/answers.ts" <<'EOP'
import json, sys
rich = sys.argv[1]
answers = [
    ("rest-articles-populate-cover-author-avatar.json", "L", "Article",
     '{ populate: { cover: true, author: { populate: { avatar: true } } } }'),
    ("rest-articles-fields-title-cover-url.json", "L", "Article",
     '{ fields: ["title"], populate: { cover: { fields: ["url"] } } }'),
    ("rest-articles-populate-category-fields-name.json", "L", "Article",
     '{ populate: { category: { fields: ["name"] } } }'),
    ("rest-articles-populate-blocks-star.json", "L", "Article",
     '{ populate: { blocks: { populate: "*" } } }'),
    ("rest-articles-populate-star.json", "L", "Article", '{ populate: "*" }'),
    ("rest-articles-populate-deep-everything.json", "L", "Article",
     '{ populate: { cover: true, author: { populate: "*" }, '
     'category: true, blocks: { populate: "*" }, localizations: true } }'),
    ("rest-authors-populate-star.json", "L", "Author", '{ populate: "*" }'),
    ("rest-categories-populate-articles-count.json", "L", "Category",
     '{ populate: { articles: { count: true } } }'),
    ("rest-global-populate-seo-shareImage.json", "S", "Global",
     '{ populate: { favicon: true, defaultSeo: { populate: "*" } } }'),
]
print('import type { ListResponse, Shaped, SingleResponse } '
      'from "./strapi-live.js";')
print('import type { Article, Author, Category, Global } '
      'from "./strapi-live-collections.js";')
for i, (f, env, t, q) in enumerate(answers):
    body = json.load(open(f"{rich}/{f}"))["body"]
    env = "ListResponse" if env == "L" else "SingleResponse"
    print(f"// {f}\nconst q{i} = {q} as const;\n"
          f"export const a{i}: {env}<Shaped<{t}, typeof q{i}>> = "
          f"{json.dumps(body, indent=1)};")
EOP
tsc_accepts "$2" answers.ts strapi-live-collections.d.ts

# rejects ROW PATTERN NAME BODY: NAME.ts, importing the client and the
# types, holds BODY, which tsc refuses with an error matching PATTERN.
rejects() {
	printf '%s\n' 'import { get, subscribe } from "./strapi-live.js";' \
	    'import type { Category } from "./strapi-live-collections.js";' \
	    "$4" >"$T/app/$3.ts"
	tsc_rejects "$1" "$2" "$3.ts" strapi-live-collections.d.ts
}
rejects "$3" TS2322 relation \
    'subscribe("articles", { populate: ["cover"] }, (l) => { const c: Category | null = l[0].category; console.log(c); });'
rejects "$4" TS2339 field \
    'get("articles", { fields: ["title"] }).then((r) => r.data[0].description);'
rejects "$5" TS2339 nested \
    'get("articles", { populate: { category: { fields: ["name"] } } }).then((r) => r.data[0].category?.slug);'
rejects "$6" autor misspelt \
    'subscribe("articles", { populate: { autor: true } }, () => {});'
rejects "$7" title scalar 'get("articles", { populate: { title: true } });'
rejects "$8" TS2339 count \
    'get("categories", { populate: { articles: { count: true } } }).then((r) => r.data[0].articles.map((a: unknown) => a));'
python3 - "$FIXTURES_RICH/rest-articles.json" >"$T/app/unpopulated.ts" <<'EOP'
import json, sys
print('import type { ListResponse, Shaped } from "./strapi-live.js";')
print('import type { Article } from "./strapi-live-collections.js";')
print("export const a: ListResponse<Shaped<Article, { populate: \"cover\" }>> = "
      + json.dumps(json.load(open(sys.argv[1]))["body"]) + ";")
EOP
tsc_rejects "$9" "cover" unpopulated.ts strapi-live-collections.d.ts
shift 9
sed -n '/^```typescript$/,/^```$/p' "$top_srcdir/docs/client.md" |
    sed '1d;$d' >"$T/app/doc.ts"
grep -q subscribe "$T/app/doc.ts" || echo "docs/client.md: no example" \
    >"$T/app/doc.ts"
tsc_accepts "$1" doc.ts strapi-live-collections.d.ts
done_testing
