#!/bin/sh
# t0800-populate.sh: query.fcgi as plain CGI with a schema: over stored
# forms imported with `strapi-live import`, then over the recorded app's
# 83 deliveries through webhook.fcgi, populate, fields, locale, single
# types, upload and i18n answers compared with the recorded ones.
. "$top_srcdir/tests/lib.sh"

[ -x "$QUERY_FCGI" ] || skip_all "query.fcgi not built"
[ -x "$WEBHOOK_FCGI" ] || skip_all "webhook.fcgi not built"

rich_env


# same FIXTURE [URI]: our answer to the fixture's request (or URI) is
# Strapi's (tests/lib.sh strapi_compare).
same() {
	local f=$1 uri=${2:-}
	[ -n "$uri" ] || uri=$(json "$RICH/$f" 'd["request"]["path"]')
	cgi_get "$uri"
	strapi_compare "$RICH/$f" "$STATUS" "$T/body"
	ok $? "same answer as Strapi 5: $f ($uri)"
}

# bare FIXTURE EXPR: a bare (envelope-less) answer, compared through EXPR.
bare() {
	local f=$1 expr=$2 uri
	uri=$(json "$RICH/$f" 'd["request"]["path"]')
	cgi_get "$uri"
	is "$STATUS $(json_sorted "$T/body" "$expr")" \
	    "$(json "$RICH/$f" 'd["status"]') $(json_sorted "$RICH/$f" \
	        "(lambda d: $expr)(d['body'])")" \
	    "same answer as Strapi 5: $f ($uri)"
}

# The store, filled by `strapi-live import` with the stored forms
# (model/normalize.h) of the recorded entries, written here from the
# recorded REST answers: each entry's scalars, references
# ({"documentId","locale"}) for relations, media ids, components and
# dynamic-zone items normalized the same way. Media rows (upload.file)
# are written by webhook.fcgi only, so every file is "not stored" here.
python3 - "$RICH" "$T" <<'PY'
import json, os, sys
rich, out = sys.argv[1], sys.argv[2]
schema = {}
for root, _, files in os.walk(os.path.join(rich, "strapi-src")):
    for f in files:
        d = json.load(open(os.path.join(root, f)))
        if "components" in root:
            uid = os.path.basename(root) + "." + f[:-5]
        else:
            n = d["info"]["singularName"]
            uid = "api::%s.%s" % (n, n)
        schema[uid] = d["attributes"]
def ref(v):
    r = {"documentId": v["documentId"]}
    if "locale" in v:
        r["locale"] = v["locale"]
    return r
def norm(uid, e):
    o = {}
    for k, v in e.items():
        a = schema[uid].get(k)
        if k == "localizations":
            continue
        if a is None or a["type"] not in ("relation", "media", "component", "dynamiczone"):
            o[k] = v
        elif v is None:
            o[k] = None
        elif a["type"] == "relation":
            o[k] = [ref(x) for x in v] if isinstance(v, list) else ref(v)
        elif a["type"] == "media":
            o[k] = [x["id"] for x in v] if isinstance(v, list) else v["id"]
        elif a["type"] == "component":
            o[k] = norm(a["component"], v)
        else:
            o[k] = [norm(x["__component"], x) for x in v]
    return o
rows = {}
def add(coll, e):
    uid = "api::%s.%s" % (coll, coll)
    rows.setdefault(coll, {})[(e["documentId"], e.get("locale", ""))] = norm(uid, e)
def body(f):
    return json.load(open(os.path.join(rich, f)))["body"]["data"]
for a in body("rest-articles-populate-deep-everything.json"):
    add("article", a)
    add("author", a["author"])
    for x in a["author"]["articles"]:
        if (x["documentId"], x["locale"]) not in rows["article"]:
            add("article", x)
for a in body("rest-articles-locale-fr.json"):
    add("article", a)
for c in body("rest-categories-populate-star.json") + body("rest-categories-locale-fr.json"):
    add("category", c)
add("global", body("rest-global-populate-seo-shareImage.json"))
add("about", body("rest-about-populate-blocks-star.json"))
for coll, es in rows.items():
    with open(os.path.join(out, coll + ".jsonl"), "w") as f:
        for e in es.values():
            f.write(json.dumps(e) + "\n")
PY
for c in article author category global about; do
	check "import the stored forms of $c" \
	    "$STRAPI_LIVE" import --collection "$c" "$T/$c.jsonl"
done

# Lists in the default order, Strapi's (id ascending): nothing added.
asc=
same rest-articles.json "/api/articles?$asc"
same rest-articles-populate-category-fields-name.json \
    "/api/articles?populate[category][fields][0]=name&$asc"
same rest-articles-locale-all.json
# (categories have no draft: publishedAt moves on update, F9)
cgi_get "/api/categories?$asc"
is "$STATUS $(json "$T/body" 'sorted(d["data"], key=lambda e: e["id"])')" \
    "200 $(json "$RICH/rest-categories.json" 'd["body"]["data"]')" \
    "same entries as Strapi 5: rest-categories.json"
same rest-categories-locale-fr.json "/api/categories?locale=fr&$asc"
same rest-article-by-documentId-deleted.json

# json_sorted FILE EXPR: json, with keys sorted (order-free comparison).
json_sorted() {
	json "$1" "json.loads(json.dumps($2, sort_keys=True))" |
	    python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'
}

# populate=*: every attribute one level; files are not stored here
# (null, or left out of a list), everything else is Strapi's.
nofiles='(lambda strip: strip(strip, d))(lambda f, v: {k: f(f, x) for k, x in v.items() if k not in ("cover", "file", "files", "favicon", "shareImage", "avatar")} if isinstance(v, dict) else [f(f, x) for x in v] if isinstance(v, list) else v)'
cgi_get "/api/articles?populate=*&$asc"
is "$STATUS $(json_sorted "$T/body" "$nofiles['data']")" \
    "200 $(json_sorted "$RICH/rest-articles-populate-star.json" "$nofiles['body']['data']")" \
    "populate=*: relations, localizations and dynamic zone as Strapi's"
cgi_get "/api/articles?populate=*&$asc"
is "$(json "$T/body" '[e["cover"] for e in d["data"]]')" '[null, null, null]' \
    "a file not stored is null"
cgi_get "/api/articles/ps7ajq06b9x40es6l4z2jnsw?locale=fr&populate=*"
is "$STATUS $(json_sorted "$T/body" "$nofiles['data']")" \
    "200 $(json_sorted "$RICH/rest-article-by-documentId-locale-fr-populate-star.json" "$nofiles['body']['data']")" \
    "findOne with locale=fr and populate=*: the fr row, the fr category"
cgi_get "/api/articles?populate[blocks][populate]=*&$asc"
is "$STATUS $(json_sorted "$T/body" "$nofiles['data']")" \
    "200 $(json_sorted "$RICH/rest-articles-populate-blocks-star.json" "$nofiles['body']['data']")" \
    "populate[blocks][populate]=*"
cgi_get "/api/articles?locale=fr&populate=*&$asc"
is "$STATUS $(json_sorted "$T/body" "$nofiles['data']")" \
    "200 $(json_sorted "$RICH/rest-articles-locale-fr.json" "$nofiles['body']['data']")" \
    "locale=fr with populate=*: fr rows, fr categories, en localizations"
cgi_get "/api/articles?populate=author,category&$asc"
a=$(json "$T/body" '[(e["author"]["name"], e["category"]["slug"], "cover" in e) for e in d["data"]]')
cgi_get "/api/articles?populate[0]=author&populate[1]=category&$asc"
is "$a" "$(json "$T/body" '[(e["author"]["name"], e["category"]["slug"], "cover" in e) for e in d["data"]]')" \
    "populate=a,b and populate[0]=a&populate[1]=b are the same"
is "$a" '[["Ada King-Lovelace", "design", false], ["Ada King-Lovelace", "news", false], ["Ada King-Lovelace", "tech", false]]' \
    "populate=author,category: those two only"

# (inverse relations, author.articles, are read from the store's referrer
# index, which import does not fill: test_populate checks them)

# locale=*: every locale's rows (we list them locale by locale).
cgi_get '/api/articles?locale=*&fields[0]=title&fields[1]=locale'
is "$STATUS $(json "$T/body" 'sorted(d["data"], key=lambda e: e["id"]), d["meta"]["pagination"]["total"]')" \
    "200 $(json "$RICH/rest-articles-locale-star.json" \
        'd["body"]["data"], d["body"]["meta"]["pagination"]["total"]')" \
    "locale=*: the rows of every locale, as Strapi's"
cgi_get '/api/articles?locale=*&pagination[pageSize]=2&pagination[page]=2&fields[0]=title'
is "$(json "$T/body" 'len(d["data"]), d["meta"]["pagination"]["total"], d["meta"]["pagination"]["pageCount"]')" \
    '[2, 5, 3]' "locale=*: pages run across the locales"

cgi_get '/api/articles?pagination[pageSize]=1'
cur=$(json "$T/body" 'd["meta"]["pagination"]["nextCursor"]')
cgi_get "/api/articles?locale=*&cursor=$cur"
is "$STATUS $(json "$T/body" 'd["error"]["message"]')" \
    "400 cursor continues one locale's list: it cannot be combined with locale=*" \
    "locale=* with a cursor: 400"

# Single types, at their singular name.
same rest-global.json
cgi_get '/api/global?populate=*'
is "$STATUS $(json_sorted "$T/body" "$nofiles['data']")" \
    "200 $(json_sorted "$RICH/rest-global-populate-star.json" "$nofiles['body']['data']")" \
    "a single type with populate=*: its component"
same rest-about-populate-star.json
cgi_get /api/globals
is "$STATUS" 404 "a single type has no plural route"
cgi_get '/api/global?pagination[page]=2'
is "$STATUS" 400 "a single type refuses list parameters"

# upload and i18n: bare answers.
cgi_get /api/upload/files
is "$STATUS $(cat "$T/body")" "200 []" "upload/files: a bare array"
cgi_get /api/upload/files/1
is "$STATUS $(json "$T/body" 'd["error"]["name"]')" "404 NotFoundError" \
    "a file not stored: 404"
cgi_get /api/i18n/locales
is "$STATUS $(json "$T/body" '[(l["code"], l["name"], l["isDefault"]) for l in d]')" \
    "200 $(json "$RICH/rest-i18n-locales.json" '[(l["code"], l["name"], l["isDefault"]) for l in d["body"]]')" \
    "i18n/locales: the configured locales, as Strapi's"
cgi_get '/api/upload/files?populate=*'
is "$STATUS $(json "$T/body" 'd["error"]["details"]["key"]')" \
    "400 populate" "upload/files refuses parameters it does not serve"

# Strapi's errors for populate and fields.
cgi_get '/api/articles?populate=nope'
is "$STATUS $(json "$T/body" 'd["error"]["name"], d["error"]["message"], d["error"]["details"]["key"]')" \
    '400 ["ValidationError", "Invalid key nope", "nope"]' \
    "populate of an unknown attribute: 400 Invalid key"
cgi_get '/api/articles?populate[title]=true'
is "$STATUS $(json "$T/body" 'd["error"]["message"]')" \
    "400 Invalid key title" "populate of a scalar: 400 Invalid key"
cgi_get '/api/articles?fields[0]=author'
is "$STATUS $(json "$T/body" 'd["error"]["message"]')" \
    "400 Invalid key author" "fields naming a relation: 400 Invalid key"

# A renamed author shows in every article at once: references are read
# when answering, not copied (F5: Strapi sends no article delivery).
json "$T/author.jsonl" 'dict(d, name="Ada, Countess of Lovelace", updatedAt="2026-12-03T09:00:00.000Z", publishedAt="2026-12-03T09:00:00.000Z")' \
    >"$T/renamed.jsonl"
check "the author is renamed" \
    "$STRAPI_LIVE" import --collection author "$T/renamed.jsonl"
cgi_get "/api/articles?populate[author][fields][0]=name&$asc"
is "$(json "$T/body" '[e["author"]["name"] for e in d["data"]]')" \
    '["Ada, Countess of Lovelace", "Ada, Countess of Lovelace", "Ada, Countess of Lovelace"]' \
    "every article shows the new name"

# -- the recorded deliveries through webhook.fcgi --------------------------
# A second store, filled the way a user fills it: the 83 deliveries in
# their order. Entries are stored normalized, with their files as media
# rows and their references indexed.
export STRAPI_LIVE_STORE_DIR="$T/store2"
bad=0
for f in "$RICH"/[0-9][0-9]-*.json; do
	case $(deliver_cgi "$f") in 2??) ;; *) bad=$((bad + 1)) ;; esac
done
is "$bad" 0 "the 83 recorded deliveries are taken"
same rest-articles-populate-star.json "/api/articles?populate=*&$asc"
same rest-articles-populate-deep-everything.json \
    "$(json "$RICH/rest-articles-populate-deep-everything.json" \
        'd["request"]["path"]')&$asc"
same rest-articles-populate-blocks-on-fragments.json \
    "$(json "$RICH/rest-articles-populate-blocks-on-fragments.json" \
        'd["request"]["path"]')&$asc"
same rest-articles-populate-cover-author-avatar.json \
    "/api/articles?populate[cover]=true&populate[author][populate][avatar]=true&$asc"
same rest-articles-fields-title-cover-url.json \
    "/api/articles?fields[0]=title&populate[cover][fields][0]=url&$asc"
same rest-articles-locale-fr.json "/api/articles?locale=fr&populate=*&$asc"
same rest-article-by-documentId-populate-star.json
same rest-article-by-documentId-locale-fr-populate-star.json
same rest-article-by-documentId-media-deleted.json
same rest-global-populate-star.json
same rest-global-populate-seo-shareImage.json
same rest-about-populate-blocks-star.json
same rest-authors-populate-star.json
bare rest-upload-files.json 'd'
bare rest-upload-file-by-id.json 'd'
for f in rest-categories-populate-articles-count.json \
    rest-categories-populate-star.json; do
	cgi_get "$(json "$RICH/$f" 'd["request"]["path"]')"
	is "$STATUS $(json_sorted "$T/body" 'sorted(d["data"], key=lambda e: e["id"])')" \
	    "200 $(json_sorted "$RICH/$f" 'd["body"]["data"]')" \
	    "same entries as Strapi 5: $f (inverse relations)"
done

is "$(grep -c 'runtime error\|ERROR: AddressSanitizer' "$T/stderr")" 0 \
    "no sanitizer reports on stderr"
done_testing
