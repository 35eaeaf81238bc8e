/* test_populate.c: populate/fields parsing and rendering, against recorded answers */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/populate.h"
#include "api/qlang.h"
#include "api/qs.h"
#include "conf/conf.h"
#include "model/schema.h"
#include "util/buf.h"
#include "tap.h"

/* The recorded app's model, loaded from its own schema files. */
static struct schema *schema;
static const struct schema_type *ARTICLE, *AUTHOR, *CATEGORY, *GLOBAL, *ABOUT;

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
load_schema(void)
{
	char dir[1024], *cause = NULL;
	const char *top = getenv("top_srcdir");

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/strapi5-rich/strapi-src",
	    top != NULL ? top : "..");
	if (schema_load_dir(&schema, dir, &cause) == -1) {
		tap_diag("%s: %s", dir, cause != NULL ? cause : "?");
		exit(1);
	}
	ARTICLE = schema_type(schema, "api::article.article");
	AUTHOR = schema_type(schema, "api::author.author");
	CATEGORY = schema_type(schema, "api::category.category");
	GLOBAL = schema_type(schema, "api::global.global");
	ABOUT = schema_type(schema, "api::about.about");
	if (!ARTICLE || !AUTHOR || !CATEGORY || !GLOBAL || !ABOUT)
		exit(1);
}

/* --- an in-memory store for the resolver ------------------------------- */

struct row {
	const struct schema_type *t; /* NULL: a media row */
	char doc[64], locale[8];
	long long id;
	char *json;
};

static struct row rows[64];
static size_t nrows;
static int served_author = 1;

static void
put(const struct schema_type *t, const char *doc, const char *locale,
    long long id, struct json_object *o)
{
	struct row *r;
	size_t i;

	for (i = 0; i < nrows; i++) {
		r = &rows[i];
		if (t == NULL ? r->t == NULL && r->id == id
		              : r->t == t && strcmp(r->doc, doc) == 0 &&
		            strcmp(r->locale, locale) == 0)
			break;
	}
	if (i == nrows) {
		if (nrows == N(rows))
			abort();
		nrows++;
	}
	r = &rows[i];
	free(r->json);
	r->t = t;
	snprintf(r->doc, sizeof(r->doc), "%s", doc);
	snprintf(r->locale, sizeof(r->locale), "%s", locale);
	r->id = id;
	r->json =
	    strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

static void
drop_media(long long id)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (rows[i].t == NULL && rows[i].id == id)
			rows[i].id = -1;
}

static enum populate_found
res_entry(void *arg, const struct schema_type *t, const char *doc,
    const char *locale, struct buf *out)
{
	size_t i;

	(void)arg;
	if (t == AUTHOR && !served_author)
		return POPULATE_UNSERVED;
	for (i = 0; i < nrows; i++)
		if (rows[i].t == t && strcmp(rows[i].doc, doc) == 0 &&
		    strcmp(rows[i].locale, locale) == 0) {
			buf_adds(out, rows[i].json);
			return POPULATE_FOUND;
		}
	return POPULATE_MISSING;
}

static enum populate_found
res_media(void *arg, int64_t id, struct buf *out)
{
	size_t i;

	(void)arg;
	for (i = 0; i < nrows; i++)
		if (rows[i].t == NULL && rows[i].id == id) {
			buf_adds(out, rows[i].json);
			return POPULATE_FOUND;
		}
	return POPULATE_MISSING;
}

static const char *const two_locales[] = { "en", "fr" };
static const char *const no_locale[] = { "" };

static size_t
res_locales(void *arg, const struct schema_type *t, const char *const **ls)
{
	(void)arg;
	if (t == AUTHOR && !served_author)
		return 0;
	*ls = t->localized ? two_locales : no_locale;
	return t->localized ? 2 : 1;
}

/* Referrers: the stored rows of type from whose attr names the target. */
static enum populate_found
res_referrers(void *arg, const struct schema_type *t, const char *doc,
    const char *locale, const struct schema_type *from, const char *attr,
    struct buf *out)
{
	struct json_object *o, *v, *d, *l;
	size_t i, n = 0;

	(void)arg;
	buf_addc(out, '[');
	for (i = 0; i < nrows; i++) {
		if (rows[i].t != from)
			continue;
		o = json_tokener_parse(rows[i].json);
		if (json_object_object_get_ex(o, attr, &v) &&
		    json_object_object_get_ex(v, "documentId", &d) &&
		    strcmp(json_object_get_string(d), doc) == 0 &&
		    (!t->localized ||
		        (json_object_object_get_ex(v, "locale", &l) &&
		            strcmp(json_object_get_string(l), locale) == 0)))
			buf_printf(out,
			    "%s{\"documentId\":\"%s\",\"locale\":\"%s\"}",
			    n++ > 0 ? "," : "", rows[i].doc, rows[i].locale);
		json_object_put(o);
	}
	buf_addc(out, ']');
	return POPULATE_FOUND;
}

/* Inverse relations from the entry's own references, until switched. */
static struct populate_resolver resolver = { .entry = res_entry,
	.media = res_media,
	.locales = res_locales };

/* --- stored forms from the recorded answers ------------------------------ */

static struct json_object *
fixture(const char *name)
{
	char path[1024];
	const char *top = getenv("top_srcdir");
	struct json_object *o, *body;

	snprintf(path, sizeof(path), "%s/tests/fixtures/strapi5-rich/%s",
	    top != NULL ? top : "..", name);
	if ((o = json_object_from_file(path)) == NULL ||
	    !json_object_object_get_ex(o, "body", &body)) {
		tap_diag("cannot read %s", path);
		exit(1);
	}
	body = json_object_get(body);
	json_object_put(o);
	return body;
}

/* data[0] (a list) or data (one entry) of a recorded answer. */
static struct json_object *
first(struct json_object *body)
{
	struct json_object *d;

	json_object_object_get_ex(body, "data", &d);
	if (json_object_is_type(d, json_type_array))
		d = json_object_array_get_idx(d, 0);
	return d;
}

static const struct schema_type *
type_named(const char *uid)
{
	return schema_type(schema, uid);
}

static struct json_object *stored(const struct schema_type *,
    struct json_object *);

/* A populated relation value into a reference (and its row stored). */
static struct json_object *
ref_of(const struct schema_type *tt, struct json_object *v)
{
	struct json_object *r = json_object_new_object(), *d, *l;

	json_object_object_get_ex(v, "documentId", &d);
	json_object_object_add(r, "documentId", json_object_get(d));
	if (json_object_object_get_ex(v, "locale", &l))
		json_object_object_add(r, "locale", json_object_get(l));
	/* The related row as the recorded answer shows it. */
	if (!json_object_object_get_ex(v, "locale", &l))
		l = NULL;
	json_object_put(stored(tt, v)); /* stores its media */
	return r;
}

/* A populated media value into its id (and the file into a media row). */
static struct json_object *
media_of(struct json_object *v)
{
	struct json_object *id;

	json_object_object_get_ex(v, "id", &id);
	put(NULL, "", "", json_object_get_int64(id), v);
	return json_object_get(id);
}

/*
 * The stored form (model/normalize.h) of a recorded, populated entry:
 * what normalize_entry makes of a payload, written again here.
 */
static struct json_object *
stored(const struct schema_type *t, struct json_object *v)
{
	struct json_object *out = json_object_new_object(), *arr, *x, *val;
	struct json_object_iterator it, end;
	const struct schema_attr *a;
	const char *key;
	size_t i, j;

	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		val = json_object_iter_peek_value(&it);
		for (i = 0; i < t->nattrs; i++)
			if (strcmp(t->attrs[i].name, key) == 0)
				break;
		if (strcmp(key, "localizations") == 0)
			continue;
		if (i == t->nattrs || t->attrs[i].kind == SCHEMA_SCALAR) {
			json_object_object_add(out, key, json_object_get(val));
			continue;
		}
		a = &t->attrs[i];
		if (val == NULL) {
			json_object_object_add(out, key, NULL);
			continue;
		}
		switch (a->kind) {
		case SCHEMA_RELATION:
			if (!a->many) {
				json_object_object_add(out, key,
				    ref_of(type_named(a->target), val));
				break;
			}
			arr = json_object_new_array();
			for (j = 0; j < json_object_array_length(val); j++)
				json_object_array_add(arr,
				    ref_of(type_named(a->target),
				        json_object_array_get_idx(val, j)));
			json_object_object_add(out, key, arr);
			break;
		case SCHEMA_MEDIA:
			if (!a->multiple) {
				json_object_object_add(out, key, media_of(val));
				break;
			}
			arr = json_object_new_array();
			for (j = 0; j < json_object_array_length(val); j++)
				json_object_array_add(arr,
				    media_of(
				        json_object_array_get_idx(val, j)));
			json_object_object_add(out, key, arr);
			break;
		case SCHEMA_COMPONENT:
			json_object_object_add(out, key,
			    stored(type_named(a->component), val));
			break;
		default:
			arr = json_object_new_array();
			for (j = 0; j < json_object_array_length(val); j++) {
				x = json_object_array_get_idx(val, j);
				json_object_object_get_ex(x, "__component", &x);
				json_object_array_add(arr,
				    stored(type_named(
				               json_object_get_string(x)),
				        json_object_array_get_idx(val, j)));
			}
			json_object_object_add(out, key, arr);
			break;
		}
	}
	return out;
}

/* Stores a recorded entry (and what it embeds) under its keys. */
static struct json_object *
store_entry(const struct schema_type *t, struct json_object *v)
{
	struct json_object *s = stored(t, v), *d, *l;

	json_object_object_get_ex(v, "documentId", &d);
	if (!json_object_object_get_ex(v, "locale", &l))
		l = NULL;
	put(t, json_object_get_string(d),
	    l != NULL ? json_object_get_string(l) : "", 0, s);
	return s;
}

/* --- parser cases -------------------------------------------------------- */

static struct populate *
child(const struct populate *n, const char *name)
{
	struct populate *c;

	for (c = n != NULL ? n->child : NULL; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int
parse(struct populate_query *pq, const struct schema_type *t, const char *q,
    struct buf *rest, struct qs_error *err)
{
	buf_reset(rest);
	return populate_parse(pq, q, schema, t, rest, err);
}

/* A list's filters and sort against type t, as REST plans them. */
static int
plan(const struct conf *cf, const struct schema_type *t, const char *q,
    struct qs_error *err)
{
	const struct collection *c = conf_collection_by_uid(cf, t->uid, NULL);
	struct qs_spec *sp = malloc(sizeof(*sp));
	struct list_plan lp;
	int rc = -1;

	if (qs_parse(sp, q, c, err) == 0 &&
	    (rc = qlang_plan(&lp, sp, cf, c, schema, t, err)) == 0)
		qlang_plan_clear(&lp);
	free(sp);
	return rc;
}

/*
 * Every "Invalid key" the query side gives, in Strapi 5.54.0's words
 * (Strapi's validators and its throwInvalidKey): message, details.key,
 * details.path ("" for null), details.param (the query's family, as
 * Strapi's query validation names it); else a message alone (key "").
 */
static void
test_refusals(void)
{
	/* clang-format off */
	static const struct {
		const struct schema_type **t;
		int list; /* 1: a list's filters and sort (qlang_plan) */
		const char *q, *msg, *key, *path, *param;
	} refusals[] = {
		/* populate: unknown at path.attribute, scalar at path.raw */
		{ &ARTICLE, 0, "populate[nope]=true", "Invalid key nope",
		    "nope", "", "populate" },
		{ &ARTICLE, 0, "populate[title]=true", "Invalid key title",
		    "title", "title", "populate" },
		{ &ARTICLE, 0, "populate[author][populate][nope]=true",
		    "Invalid key nope at author", "nope", "author", "populate" },
		{ &ARTICLE, 0, "populate[author][populate][name]=true",
		    "Invalid key name at author.populate.name", "name",
		    "author.populate.name", "populate" },
		{ &ARTICLE, 0, "populate[author][nope]=true",
		    "Invalid key nope at author", "nope", "author", "populate" },
		{ &ARTICLE, 0, "populate[author][name]=1",
		    "Invalid key name at author.name", "name", "author.name",
		    "populate" },
		{ &GLOBAL, 0, "populate[defaultSeo][populate][metaTitle]=true",
		    "Invalid key metaTitle at defaultSeo.populate.metaTitle",
		    "metaTitle", "defaultSeo.populate.metaTitle", "populate" },
		{ &GLOBAL, 0, "populate[defaultSeo][count]=yes",
		    "Invalid key count at defaultSeo", "count", "defaultSeo",
		    "populate" },
		/* a fragment: on's targets at path.raw */
		{ &ARTICLE, 0, "populate[blocks][on]=x",
		    "Invalid key on at blocks.on", "on", "blocks.on",
		    "populate" },
		{ &ARTICLE, 0, "populate[blocks][on][nope.x]=true",
		    "Invalid key nope.x at blocks.on.nope.x", "nope.x",
		    "blocks.on.nope.x", "populate" },
		/* a media: upload.file's attributes */
		{ &ARTICLE, 0, "populate[cover][populate][x]=true",
		    "Invalid key x at cover", "x", "cover", "populate" },
		{ &ARTICLE, 0, "populate[cover][populate][url]=true",
		    "Invalid key url at cover.populate.url", "url",
		    "cover.populate.url", "populate" },
		{ &ARTICLE, 0, "populate[cover][populate]=%20x.y,z",
		    "Invalid key x", "x", "x", "populate" },
		{ &ARTICLE, 0, "populate[cover][populate][0]=url",
		    "Invalid key url", "url", "url", "populate" },
		{ &ARTICLE, 0, "populate[cover][nope]=1",
		    "Invalid key nope at cover", "nope", "cover", "populate" },
		/* fields: validateFields afresh, the populate's param */
		{ &ARTICLE, 0, "populate[author][fields][0]=avatar",
		    "Invalid key avatar", "avatar", "avatar", "populate" },
		{ &ARTICLE, 0, "populate[author][fields][0]=nope",
		    "Invalid key nope", "nope", "", "populate" },
		{ &ARTICLE, 0, "fields[0]=author", "Invalid key author",
		    "author", "author", "fields" },
		{ &ARTICLE, 0, "fields=title,nope", "Invalid key nope", "nope",
		    "", "fields" },
		{ &ARTICLE, 0, "populate[cover][fields][0]=folderPath",
		    "Invalid key folderPath", "folderPath", "folderPath",
		    "populate" },
		/* Strapi's query conversion, not its validators: no key */
		{ &ARTICLE, 0, "fields[a]=title", "Invalid fields parameter. "
		    "Expected a string or an array of strings", "", "", "" },
		{ &ARTICLE, 0, "populate[author][fields][a]=name",
		    "Invalid fields parameter. Expected a string or an array "
		    "of strings", "", "", "" },
		{ &ARTICLE, 0, "populate[author][filters]=x",
		    "The filters parameter must be an object or an array", "",
		    "", "" },
		/* a populate's filters and sort: afresh, param populate */
		{ &GLOBAL, 0, "populate[defaultSeo][filters][nope][$eq]=1",
		    "Invalid key nope", "nope", "", "populate" },
		{ &GLOBAL, 0, "populate[defaultSeo][filters][metaTitle][$x]=1",
		    "Invalid key $x at metaTitle", "$x", "metaTitle",
		    "populate" },
		{ &GLOBAL, 0, "populate[defaultSeo][sort]=shareImage",
		    "Invalid key shareImage", "shareImage", "shareImage",
		    "populate" },
		{ &GLOBAL, 0, "populate[defaultSeo][sort]=nope.x",
		    "Invalid key nope", "nope", "", "populate" },
		/* a list's filters: path.attribute, attributes alone */
		{ &ARTICLE, 1, "filters=x",
		    "The filters parameter must be an object or an array", "",
		    "", "" },
		{ &ARTICLE, 1, "filters[nope][$eq]=1", "Invalid key nope",
		    "nope", "", "filters" },
		{ &ARTICLE, 1, "filters[title][$nope]=1",
		    "Invalid key $nope at title", "$nope", "title", "filters" },
		{ &ARTICLE, 1, "filters[category][nope][$eq]=1",
		    "Invalid key nope at category", "nope", "category",
		    "filters" },
		{ &ARTICLE, 1, "filters[category][name][$x]=1",
		    "Invalid key $x at category.name", "$x", "category.name",
		    "filters" },
		{ &ARTICLE, 1, "filters[category][$x]=1",
		    "Invalid key $x at category", "$x", "category", "filters" },
		{ &ARTICLE, 1, "filters[id][$x]=1", "Invalid key $x", "$x", "",
		    "filters" },
		{ &ARTICLE, 1, "filters[$or][0][nope]=1", "Invalid key nope",
		    "nope", "", "filters" },
		{ &ARTICLE, 1, "filters[$bogus]=1", "Invalid key $bogus",
		    "$bogus", "", "filters" },
		{ &ARTICLE, 1, "filters[blocks][$null]=true",
		    "Invalid key blocks", "blocks", "blocks", "filters" },
		{ &ARTICLE, 1, "filters[category][articles][blocks][$null]=1",
		    "Invalid key blocks at category.articles.blocks", "blocks",
		    "category.articles.blocks", "filters" },
		/* a list's sort: validateSort */
		{ &ARTICLE, 1, "sort=nope", "Invalid key nope", "nope", "",
		    "sort" },
		{ &ARTICLE, 1, "sort=nope.x", "Invalid key nope", "nope", "",
		    "sort" },
		{ &ARTICLE, 1, "sort=category.nope:desc",
		    "Invalid key nope at category", "nope", "category", "sort" },
		{ &ARTICLE, 1, "sort[0]=author.articles.nope",
		    "Invalid key nope at author.articles", "nope",
		    "author.articles", "sort" },
		{ &ARTICLE, 1, "sort=category", "Invalid key category",
		    "category", "category", "sort" },
		/* an order after a relation is sorted on in its type */
		{ &ARTICLE, 1, "sort=category:asc", "Invalid key asc at category",
		    "asc", "category", "sort" },
		{ &ARTICLE, 1, "sort[author]=DESC", "Invalid key DESC at author",
		    "DESC", "author", "sort" },
		{ &ARTICLE, 1, "sort=author.avatar:desc",
		    "Invalid key desc at author.avatar", "desc", "author.avatar",
		    "sort" },
		{ &ARTICLE, 1, "sort=blocks:asc", "Invalid key blocks", "blocks",
		    "blocks", "sort" },
		{ &ARTICLE, 1, "sort=author.avatar",
		    "Invalid key avatar at author.avatar", "avatar",
		    "author.avatar", "sort" },
		{ &ARTICLE, 1, "sort=blocks", "Invalid key blocks", "blocks",
		    "blocks", "sort" },
		/* a path Strapi sorts on, which this mirror does not */
		{ &ARTICLE, 1, "sort=category.name", "Invalid sort: "
		    "category.name is not sorted on here (a scalar attribute of "
		    "the type is)", "", "", "" },
		{ &ARTICLE, 1, "sort=category.id:desc", "Invalid sort: "
		    "category.id is not sorted on here (a scalar attribute of "
		    "the type is)", "", "", "" },
	};
	/* clang-format on */
	static const char text[] =
	    "collections = article category author\n"
	    "collection.article.uid = api::article.article\n"
	    "collection.category.uid = api::category.category\n"
	    "collection.author.uid = api::author.author\n";
	struct populate_query pq;
	struct qs_error err;
	struct conf *cf = conf_new();
	struct buf rest;
	struct populate *c;
	char *cause = NULL;
	size_t i;
	int rc;

	buf_init(&rest);
	if (conf_parse_text(cf, text, "test.conf", &cause) == -1 ||
	    conf_finish(cf, &cause) == -1)
		tap_diag("conf: %s", cause);
	for (i = 0; i < N(refusals); i++) {
		memset(&err, 0, sizeof(err));
		if (refusals[i].list)
			rc = plan(cf, *refusals[i].t, refusals[i].q, &err);
		else if ((rc = parse(&pq, *refusals[i].t, refusals[i].q, &rest,
		              &err)) == 0) {
			rc = populate_filters(&pq, cf, schema, &err);
			populate_query_clear(&pq);
		}
		ok(rc == -1 && strcmp(err.message, refusals[i].msg) == 0 &&
		        strcmp(err.key, refusals[i].key) == 0 &&
		        strcmp(err.path, refusals[i].path) == 0 &&
		        strcmp(err.param, refusals[i].param) == 0,
		    "%s: 400 %s (key %s, path %s, param %s)", refusals[i].q,
		    err.message, err.key, err.path, err.param);
	}
	/* what validatePopulate lets through */
	ok(parse(&pq, ARTICLE, "populate[author][avatar]=true", &rest, &err) ==
	            0 &&
	        (c = child(pq.root, "author")) != NULL && c->child == NULL,
	    "populate[author][avatar]=true: an attribute under a populate is "
	    "let through, and populates nothing more");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[cover][populate]=", &rest, &err) ==
	            0 &&
	        (c = child(pq.root, "cover")) != NULL && c->child == NULL,
	    "populate[cover][populate]= names no path: the media alone");
	populate_query_clear(&pq);
	ok(parse(&pq, GLOBAL, "populate[defaultSeo][count]=1", &rest, &err) ==
	            0 &&
	        (c = child(pq.root, "defaultSeo")) != NULL && c->count,
	    "a component's count is taken");
	populate_query_clear(&pq);
	free(cause);
	conf_free(cf);
	buf_clear(&rest);
}

static void
test_parse(void)
{
	struct populate_query pq;
	struct qs_error err;
	struct buf rest;
	struct populate *c;
	size_t i;
	/* clang-format off */
	static const struct {
		const struct schema_type **t;
		const char *q;
		const char *key; /* the "Invalid key" refused, or a message */
	} bad[] = {
		{ &ARTICLE, "populate=nope", "nope" },
		{ &ARTICLE, "populate=title", "title" },
		{ &ARTICLE, "populate[title]=true", "title" },
		{ &ARTICLE, "populate[cover][populate][x]=true", "x" },
		{ &ARTICLE, "populate[author][populate][nope]=true", "nope" },
		{ &ARTICLE, "populate[author][fields][0]=avatar", "avatar" },
		{ &ARTICLE, "fields[0]=author", "author" },
		{ &ARTICLE, "fields=title,nope", "nope" },
		{ &ARTICLE, "populate[blocks][on][shared.seo]=true", "shared.seo" },
		{ &ARTICLE, "populate[blocks][populate][file]=true", "populate" },
		{ &ARTICLE, "populate[blocks][populate]=true", "populate" },
		{ &ARTICLE, "populate[blocks][populate]=", "populate" },
		{ &ARTICLE, "populate[title][count]=true", "title" },
		{ &ARTICLE, "populate[cover][count]=yes", "count" },
		{ &ARTICLE, "populate[cover][count]", "count" },
		{ &ARTICLE, "populate=true", "true" },
		{ &ARTICLE, "populate[author][populate]=true", "true" },
		{ &CATEGORY, "populate[articles][count]=yes", "count" },
		{ &AUTHOR, "populate=localizations", "localizations" },
		{ &GLOBAL, "populate[defaultSeo][populate][metaTitle]=true",
		    "metaTitle" },
	};
#define DZ_MSG "Invalid nested populate for article.blocks " \
	"(api::article.article). Expected a fragment (\"on\") or \"count\" " \
	"but found "
	static const struct {
		const char *q, *msg;
	} dz_own[] = {
		{ "populate[blocks][fields]=id", DZ_MSG "{\"fields\":\"id\"}" },
		{ "populate[blocks][fields][0]=id&populate[blocks][fields][1]="
		    "documentId",
		    DZ_MSG "{\"fields\":[\"id\",\"documentId\"]}" },
		{ "populate[blocks][filters][id][$gt]=1",
		    DZ_MSG "{\"filters\":{\"id\":{\"$gt\":\"1\"}}}" },
		{ "populate[blocks][sort]=id:desc", DZ_MSG "{\"sort\":\"id:desc\"}" },
		{ "populate[blocks][fields]=title", DZ_MSG "{\"fields\":\"title\"}" },
		{ "populate[blocks][filters][body][$eq]=x",
		    DZ_MSG "{\"filters\":{\"body\":{\"$eq\":\"x\"}}}" },
		{ "populate[blocks][x]=1", DZ_MSG "{\"x\":\"1\"}" },
		{ "populate[blocks][populate]=*&populate[blocks][count]&"
		    "populate[blocks][sort]=x",
		    DZ_MSG "{\"populate\":\"*\",\"count\":null,\"sort\":\"x\"}" },
		{ "populate[author][populate][articles][populate][blocks]"
		    "[fields]=id", DZ_MSG "{\"fields\":\"id\"}" },
		{ "populate[blocks][count]=true&populate[blocks][fields]=id",
		    DZ_MSG "{\"count\":\"true\",\"fields\":\"id\"}" },
		{ "populate[blocks]=count", DZ_MSG "\"count\"" },
		{ "populate[blocks]=*", DZ_MSG "\"*\"" },
	};
	/* a zone's count, taken and dropped; on: the fragment's name */
	static const struct {
		const char *q, *on;
	} dz_count[] = {
		{ "populate[blocks][count]=true", NULL },
		{ "populate[blocks][count]=false", NULL },
		{ "populate[blocks][count]", NULL },
		{ "populate[blocks][count]=yes", NULL },
		{ "populate[blocks][count][0]=true", NULL },
		{ "populate[blocks][on][shared.quote]=true&"
		  "populate[blocks][count]=true",
		    "shared.quote" },
		{ "populate[blocks][populate]", NULL },
		/* with on, the zone's other keys are dropped, unchecked */
		{ "populate[blocks][fields][0]=id&"
		  "populate[blocks][on][shared.quote]=true",
		    "shared.quote" },
		{ "populate[blocks][on][shared.quote]=true&"
		  "populate[blocks][sort]=nope:desc&"
		  "populate[blocks][filters][nope][$eq]=1&"
		  "populate[blocks][x]=y",
		    "shared.quote" },
	};
	/* dot paths: what each populates, as populate[a][populate][b] */
	static const struct {
		const struct schema_type **t;
		const char *q, *a, *b; /* a child, and b one of a (or none) */
	} dots[] = {
		{ &ARTICLE, "populate=author.avatar", "author", "avatar" },
		{ &ARTICLE, "populate=cover,author.avatar", "author", "avatar" },
		{ &ARTICLE, "populate[0]=category&populate[1]=author.avatar",
		    "author", "avatar" },
		{ &ARTICLE, "populate=%20author.avatar%20,cover", "author",
		    "avatar" },
		{ &ARTICLE, "populate=author.articles.category", "author",
		    "articles" },
		{ &ARTICLE, "populate[author][populate]=articles.category,avatar",
		    "author", "articles" },
		{ &ARTICLE, "populate=localizations.category", "localizations",
		    "category" },
		{ &ARTICLE, "populate=blocks.file", "blocks", "file" },
		{ &ARTICLE, "populate=blocks.files,blocks.file", "blocks",
		    "file" },
		{ &GLOBAL, "populate=defaultSeo.shareImage", "defaultSeo",
		    "shareImage" },
		/* a segment's name as processPopulate splits it: none */
		{ &ARTICLE, "populate=blocks.title", "blocks", NULL },
		{ &ARTICLE, "populate=author..avatar", "author", NULL },
		{ &ARTICLE, "populate=author.", "author", NULL },
		{ &ARTICLE, "populate=author.%20avatar", "author", NULL },
		{ &ARTICLE, "populate=author%20.avatar", NULL, NULL },
		{ &ARTICLE, "populate=.author", NULL, NULL },
	};
	/* refused dot paths: the message, key and path Strapi gives */
	static const struct {
		const struct schema_type **t;
		const char *q, *msg, *key, *path;
	} dots_bad[] = {
		{ &ARTICLE, "populate=blocks.count",
		    "Invalid key count at blocks.count", "count", "blocks.count" },
		{ &ARTICLE, "populate=author.nope",
		    "Invalid key nope at author.nope", "nope", "author.nope" },
		{ &ARTICLE, "populate=title", "Invalid key title", "title",
		    "title" },
		{ &ARTICLE, "populate=author,title.x", "Invalid key title",
		    "title", "title" },
		{ &ARTICLE, "populate=cover.url", "Invalid key cover", "cover",
		    "cover" },
		{ &ARTICLE, "populate=author.avatar.url",
		    "Invalid key avatar at author.avatar", "avatar",
		    "author.avatar" },
		{ &ARTICLE, "populate=blocks.file.url",
		    "Invalid key file at blocks.file", "file", "blocks.file" },
		{ &ARTICLE, "populate=blocks.body.x",
		    "Invalid key body at blocks.body", "body", "blocks.body" },
		{ &ARTICLE, "populate[author][populate]=avatar.x",
		    "Invalid key avatar", "avatar", "avatar" },
		{ &AUTHOR, "populate=localizations", "Invalid key localizations",
		    "localizations", "localizations" },
	};
	/* clang-format on */

	buf_init(&rest);
	ok(parse(&pq, ARTICLE, "populate=*", &rest, &err) == 0 &&
	        pq.root != NULL && pq.root->star && pq.root->child == NULL &&
	        rest.len == 0,
	    "populate=* stars the root, nothing left for qs_parse");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate=author,category", &rest, &err) == 0 &&
	        child(pq.root, "author") != NULL &&
	        child(pq.root, "category") != NULL && !pq.root->star,
	    "populate=a,b names two attributes");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[0]=author&populate[1]=cover", &rest,
	       &err) == 0 &&
	        child(pq.root, "author") != NULL &&
	        child(pq.root, "cover") != NULL,
	    "populate[0]=a&populate[1]=b");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[author]=true", &rest, &err) == 0 &&
	        (c = child(pq.root, "author")) != NULL && !c->star &&
	        c->type == AUTHOR,
	    "populate[a]=true, typed by the relation's target");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate%5Bauthor%5D%5Bpopulate%5D=%2A", &rest,
	       &err) == 0 &&
	        (c = child(pq.root, "author")) != NULL && c->star,
	    "populate[a][populate]=* (percent-encoded)");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[author][populate][avatar]=true", &rest,
	       &err) == 0 &&
	        child(child(pq.root, "author"), "avatar") != NULL,
	    "populate[a][populate][b]=true nests");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[category][fields][0]=name", &rest,
	       &err) == 0 &&
	        (c = child(pq.root, "category")) != NULL && c->nfields == 1 &&
	        strcmp(c->fields[0], "name") == 0,
	    "populate[a][fields][0]=name");
	populate_query_clear(&pq);
	ok(parse(&pq, CATEGORY, "populate[articles][count]=true", &rest,
	       &err) == 0 &&
	        (c = child(pq.root, "articles")) != NULL && c->count,
	    "populate[a][count]=true");
	populate_query_clear(&pq);
	ok(parse(&pq, CATEGORY, "populate[articles][count]=1", &rest, &err) ==
	            0 &&
	        (c = child(pq.root, "articles")) != NULL && c->count,
	    "populate[a][count]=1 counts");
	populate_query_clear(&pq);
	ok(parse(&pq, CATEGORY, "populate[articles][count]=f", &rest, &err) ==
	            0 &&
	        (c = child(pq.root, "articles")) != NULL && !c->count,
	    "populate[a][count]=f does not");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE,
	       "populate[blocks][on][shared.media][populate]=*&"
	       "populate[blocks][on][shared.quote]=true",
	       &rest, &err) == 0 &&
	        (c = child(pq.root, "blocks")) != NULL && c->frag != NULL &&
	        strcmp(c->frag->name, "shared.media") == 0 && c->frag->star &&
	        c->frag->next != NULL && !c->frag->next->star,
	    "dynamic zone on[...] fragments");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE,
	       "populate[cover][filters][width][$gt]=9&"
	       "populate[cover][sort]=name:desc&"
	       "populate[blocks][on][shared.quote][filters][title][$eq]=a",
	       &rest, &err) == 0 &&
	        populate_filters(&pq, NULL, schema, &err) == 0 &&
	        (c = child(pq.root, "cover")) != NULL && c->filter != NULL &&
	        c->sort.nkey == 1 && c->sort.key[0].desc &&
	        (c = child(pq.root, "blocks")) != NULL && c->frag != NULL &&
	        c->frag->filter != NULL && c->frag->sort.nkey == 0,
	    "filters and sort of a media and a fragment");
	populate_query_clear(&pq);
	/* a dynamic zone's own fields, filters, sort: checked, then refused */
	for (i = 0; i < sizeof(dz_own) / sizeof(dz_own[0]); i++) {
		ok(parse(&pq, ARTICLE, dz_own[i].q, &rest, &err) == 0 &&
		        populate_filters(&pq, NULL, schema, &err) == -1 &&
		        strcmp(err.message, dz_own[i].msg) == 0 &&
		        err.key[0] == '\0' && pq.root == NULL,
		    "%s: %s", dz_own[i].q, err.message);
		populate_query_clear(&pq);
	}
	for (i = 0; i < N(dz_count); i++) {
		ok(parse(&pq, ARTICLE, dz_count[i].q, &rest, &err) == 0 &&
		        populate_filters(&pq, NULL, schema, &err) == 0 &&
		        (c = child(pq.root, "blocks")) != NULL && !c->count &&
		        !c->star && c->child == NULL &&
		        (dz_count[i].on == NULL ? c->frag == NULL
		                                : c->frag != NULL &&
		                    strcmp(c->frag->name, dz_count[i].on) ==
		                        0 &&
		                    c->frag->next == NULL),
		    "%s: the zone as without count", dz_count[i].q);
		populate_query_clear(&pq);
	}
	ok(parse(&pq, ARTICLE,
	       "populate[blocks]=0&populate[author]=f&populate[cover]=t", &rest,
	       &err) == 0 &&
	        populate_filters(&pq, NULL, schema, &err) == 0 &&
	        child(pq.root, "blocks") == NULL &&
	        child(pq.root, "author") == NULL &&
	        child(pq.root, "cover") != NULL,
	    "populate[a]=0 or f is not populated, t is");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[blocks]=&populate[blocks]=1", &rest,
	       &err) == 0 &&
	        populate_filters(&pq, NULL, schema, &err) == 0 &&
	        child(pq.root, "blocks") != NULL,
	    "populate[<zone>]= (no word) and =1 populate the zone");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate[blocks][populate][x]=1", &rest,
	       &err) == -1 &&
	        strcmp(err.message, "Invalid key populate at blocks") == 0 &&
	        strcmp(err.path, "blocks") == 0,
	    "a zone's populate is * or nothing: %s", err.message);
	ok(parse(&pq, ARTICLE,
	       "populate[author][populate][articles][populate][blocks]"
	       "[populate]=title",
	       &rest, &err) == -1 &&
	        strcmp(err.message,
	            "Invalid key populate at "
	            "author.populate.articles.populate.blocks") == 0,
	    "the path of a nested zone: %s", err.message);
	ok(parse(&pq, ARTICLE,
	       "populate[author][populate][articles][count]=yes", &rest,
	       &err) == -1 &&
	        strcmp(err.message, "Invalid key count at author.articles") ==
	            0 &&
	        strcmp(err.path, "author.articles") == 0,
	    "a count not a boolean word: %s", err.message);
	ok(parse(&pq, ARTICLE, "populate[cover][count]=f", &rest, &err) == 0 &&
	        (c = child(pq.root, "cover")) != NULL && !c->count,
	    "a media's count is taken, and dropped");
	populate_query_clear(&pq);
	for (i = 0; i < N(dots); i++) {
		c = NULL;
		ok(parse(&pq, *dots[i].t, dots[i].q, &rest, &err) == 0 &&
		        populate_filters(&pq, NULL, schema, &err) == 0 &&
		        (dots[i].a == NULL
		                ? pq.root->child == NULL
		                : (c = child(pq.root, dots[i].a)) != NULL &&
		                    (dots[i].b == NULL
		                            ? c->child == NULL
		                            : child(c, dots[i].b) != NULL)),
		    "%s populates %s.%s", dots[i].q,
		    dots[i].a != NULL ? dots[i].a : "nothing",
		    dots[i].b != NULL ? dots[i].b : "nothing");
		populate_query_clear(&pq);
	}
	ok(parse(&pq, ARTICLE, "populate=author.articles.category", &rest,
	       &err) == 0 &&
	        child(child(child(pq.root, "author"), "articles"),
	            "category") != NULL,
	    "a dot path three levels deep");
	populate_query_clear(&pq);
	for (i = 0; i < N(dots_bad); i++)
		ok(parse(&pq, *dots_bad[i].t, dots_bad[i].q, &rest, &err) ==
		            -1 &&
		        strcmp(err.message, dots_bad[i].msg) == 0 &&
		        strcmp(err.key, dots_bad[i].key) == 0 &&
		        strcmp(err.path, dots_bad[i].path) == 0 &&
		        strcmp(err.param, "populate") == 0 && pq.root == NULL,
		    "%s: %s", dots_bad[i].q, err.message);
	ok(parse(&pq, ARTICLE,
	       "populate[blocks][on][shared.quote][fields][0]=title", &rest,
	       &err) == 0 &&
	        populate_filters(&pq, NULL, schema, &err) == 0,
	    "a fragment's fields are taken");
	populate_query_clear(&pq);
	ok(parse(&pq, GLOBAL,
	       "populate[defaultSeo][filters][documentId][$eq]=x", &rest,
	       &err) == 0 &&
	        populate_filters(&pq, NULL, schema, &err) == -1 &&
	        strcmp(err.message, "Invalid key documentId") == 0 &&
	        pq.root == NULL,
	    "a component has no documentId: Invalid key documentId");
	ok(parse(&pq, ARTICLE, "fields[0]=title&fields[1]=locale", &rest,
	       &err) == 0 &&
	        pq.root->nfields == 2 && !pq.root->star,
	    "fields[0]=title&fields[1]=locale");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "fields=title,slug", &rest, &err) == 0 &&
	        pq.root->nfields == 2 &&
	        strcmp(pq.root->fields[1], "slug") == 0,
	    "fields=title,slug");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "populate=localizations", &rest, &err) == 0 &&
	        child(pq.root, "localizations") != NULL,
	    "localizations on a localized type");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE,
	       "pagination[page]=2&populate=*&sort=publishedAt&locale=fr&x",
	       &rest, &err) == 0 &&
	        strcmp(buf_cstr(&rest),
	            "pagination[page]=2&sort=publishedAt&x") == 0 &&
	        pq.locale_kind == POPULATE_LOCALE_ONE &&
	        strcmp(pq.locale, "fr") == 0,
	    "the other pairs are left for qs_parse, as sent");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "locale=*", &rest, &err) == 0 &&
	        pq.locale_kind == POPULATE_LOCALE_EVERY && pq.root == NULL,
	    "locale=* is every locale");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "locale=all", &rest, &err) == 0 &&
	        pq.locale_kind == POPULATE_LOCALE_NONE,
	    "locale=all is accepted (and matches nothing)");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE, "locale=fr&locale=en", &rest, &err) == -1,
	    "locale twice is refused");
	for (i = 0; i < N(bad); i++) {
		ok(parse(&pq, *bad[i].t, bad[i].q, &rest, &err) == -1 &&
		        strcmp(err.key, bad[i].key) == 0 &&
		        strncmp(err.message, "Invalid key ", 12) == 0 &&
		        pq.root == NULL,
		    "refused: %s (Invalid key %s)", bad[i].q, err.key);
	}
	/* author.articles.author.articles... nine levels deep */
	buf_reset(&rest);
	buf_adds(&rest, "populate");
	for (i = 0; i < 9; i++)
		buf_adds(&rest,
		    i % 2 == 0 ? "[author][populate]" : "[articles][populate]");
	buf_adds(&rest, "=*");
	{
		char *q = strdup(buf_cstr(&rest));

		ok(parse(&pq, ARTICLE, q, &rest, &err) == -1 &&
		        strstr(err.message, "deeper") != NULL,
		    "populate nested 9 levels is refused: %s", err.message);
		free(q);
	}
	/*
	 * A dot path past the limit is refused before its segments are
	 * checked (the check of a zone's components grows as a power of the
	 * path's length): the deep error, not the last segment's.
	 */
	ok(parse(&pq, ARTICLE,
	       "populate=author.articles.author.articles.author.articles."
	       "author.articles.nope",
	       &rest, &err) == -1 &&
	        strstr(err.message, "deeper") != NULL,
	    "a dot path of 9 segments is refused before its check: %s",
	    err.message);
	ok(parse(&pq, ARTICLE,
	       "populate=author.articles.author.articles.author.articles."
	       "author.articles",
	       &rest, &err) == 0,
	    "a dot path of 8 segments is taken");
	populate_query_clear(&pq);
	ok(parse(&pq, ARTICLE,
	       "populate[author][populate][articles][populate][author]=true",
	       &rest, &err) == 0,
	    "3 levels are fine");
	populate_query_clear(&pq);
	buf_clear(&rest);
}

/* --- renderer cases ------------------------------------------------------ */

/* Renders v (stored) for query q and compares with want, as parsed JSON. */
static int
renders(const struct schema_type *t, struct json_object *st, const char *q,
    struct json_object *want, const char *what)
{
	struct populate_query pq;
	struct qs_error err;
	struct buf rest, out;
	struct json_object *got;
	const char *js =
	    json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN);
	int same = 0, rc;

	buf_init(&rest);
	buf_init(&out);
	if (populate_parse(&pq, q, schema, t, &rest, &err) == -1 ||
	    populate_filters(&pq, NULL, schema, &err) == -1) {
		tap_diag("%s: %s", q, err.message);
		return ok(0, "%s", what);
	}
	rc = populate_render(&out, schema, t, js, strlen(js), pq.root,
	    &resolver);
	got = json_tokener_parse(buf_cstr(&out));
	same = rc == 0 && got != NULL && json_object_equal(got, want);
	if (!same) {
		tap_diag("got  %s", buf_cstr(&out));
		tap_diag("want %s",
		    json_object_to_json_string_ext(want,
		        JSON_C_TO_STRING_PLAIN));
	}
	json_object_put(got);
	populate_query_clear(&pq);
	buf_clear(&rest);
	buf_clear(&out);
	return ok(same, "%s", what);
}

static void
test_render_article(void)
{
	struct json_object *deep, *a1, *st, *body, *v, *x, *fr;
	size_t i;
	/* clang-format off */
	static const struct {
		const char *file, *query;
	} cases[] = {
		{ "rest-articles.json", "" },
		{ "rest-articles-populate-star.json", "populate=*" },
		{ "rest-articles-populate-blocks-star.json",
		    "populate[blocks][populate]=*" },
		{ "rest-articles-populate-blocks-on-fragments.json",
		    "populate[blocks][on][shared.media][populate]=*&"
		    "populate[blocks][on][shared.slider][populate]=*&"
		    "populate[blocks][on][shared.quote]=true&"
		    "populate[blocks][on][shared.rich-text]=true" },
		{ "rest-articles-populate-category-fields-name.json",
		    "populate[category][fields][0]=name" },
		{ "rest-articles-populate-cover-author-avatar.json",
		    "populate[cover]=true&populate[author][populate][avatar]=true" },
		/* the same as dot paths (processPopulate) */
		{ "rest-articles-populate-cover-author-avatar.json",
		    "populate=cover,author.avatar" },
		/* a media's count, dropped (Strapi's morphX populate) */
		{ "rest-articles-populate-cover-author-avatar.json",
		    "populate[cover][count]=true&populate[author][populate]="
		    "avatar" },
		{ "rest-articles-fields-title-cover-url.json",
		    "fields[0]=title&populate[cover][fields][0]=url" },
		{ "rest-articles-populate-deep-everything.json",
		    "populate[cover]=true&populate[author][populate]=*&"
		    "populate[category]=true&populate[blocks][populate]=*&"
		    "populate[localizations]=true" },
	};
	/* clang-format on */

	/*
	 * A1 (en) with everything it refers to, from the recorded deep
	 * answer: the author (with its avatar and articles), the category,
	 * the media rows, the fr row and the author's other articles.
	 */
	deep = fixture("rest-articles-populate-deep-everything.json");
	a1 = first(deep);
	st = store_entry(ARTICLE, a1);
	json_object_object_get_ex(a1, "author", &v);
	json_object_put(store_entry(AUTHOR, v));
	json_object_object_get_ex(v, "articles", &x);
	for (i = 0; i < json_object_array_length(x); i++)
		if (json_object_get_int(
		        json_object_object_get(json_object_array_get_idx(x, i),
		            "id")) != 17)
			json_object_put(store_entry(ARTICLE,
			    json_object_array_get_idx(x, i)));
	json_object_object_get_ex(a1, "category", &v);
	json_object_put(store_entry(CATEGORY, v));
	json_object_object_get_ex(a1, "localizations", &v);
	fr = json_object_array_get_idx(v, 0);
	json_object_put(store_entry(ARTICLE, fr));

	for (i = 0; i < N(cases); i++) {
		body = fixture(cases[i].file);
		renders(ARTICLE, st, cases[i].query, first(body),
		    cases[i].file);
		json_object_put(body);
	}
	json_object_put(st);
	json_object_put(deep);
}

/*
 * Stored strings holding escapes (quotes, braces inside a string, a
 * backslash last, a newline) pass through whole: the renderer walks the
 * stored bytes and must not lose its place in them.
 */
static void
test_render_escapes(void)
{
	struct json_object *au, *st, *want;

	au = json_tokener_parse(
	    "{\"id\":71,\"documentId\":\"esc71\",\"name\":\"Say \\\"}"
	    "hi{\\\" \\\\\",\"email\":\"a\\nb\\\\\",\"createdAt\":\"2"
	    "026-01-01T00:00:00.000Z\"}");
	json_object_put(store_entry(AUTHOR, au));
	st = json_tokener_parse(
	    "{\"id\":72,\"documentId\":\"esc72\",\"title\":\"\\\\\\\""
	    "[x]\",\"locale\":\"en\",\"author\":{\"documentId\":\"esc"
	    "71\"}}");
	want = json_tokener_parse(
	    "{\"id\":72,\"documentId\":\"esc72\",\"title\":\"\\\\\\\""
	    "[x]\",\"locale\":\"en\",\"author\":{\"id\":71,\"document"
	    "Id\":\"esc71\",\"name\":\"Say \\\"}hi{\\\" \\\\\",\"emai"
	    "l\":\"a\\nb\\\\\",\"createdAt\":\"2026-01-01T00:00:00.00"
	    "0Z\"}}");
	renders(ARTICLE, st, "populate[author]=true", want,
	    "strings with escapes are passed through whole");
	json_object_put(au);
	json_object_put(st);
	json_object_put(want);
}

static void
test_render_missing(void)
{
	struct json_object *st, *want, *body, *cat;
	const char *rest;

	/* A4: its cover (file 4) was deleted: populate[cover] gives null. */
	body = fixture("rest-article-by-documentId-media-deleted.json");
	st = json_tokener_parse(
	    json_object_to_json_string(json_object_object_get(body, "data")));
	json_object_object_add(st, "cover", json_object_new_int(4));
	json_object_object_add(st, "author",
	    json_tokener_parse("{\"documentId\":\"gone\"}"));
	renders(ARTICLE, st, "populate[cover]=true",
	    json_object_object_get(body, "data"),
	    "a media id not stored renders null (F6)");
	want = json_object_get(json_object_object_get(body, "data"));
	json_object_object_add(want, "author", NULL);
	renders(ARTICLE, st, "populate[cover]=true&populate[author]=true", want,
	    "a to-one relation whose target is not stored is null");
	served_author = 0;
	json_object_object_del(want, "author");
	renders(ARTICLE, st, "populate[cover]=true&populate[author]=true", want,
	    "a relation into a type not served is left out");
	json_object_put(want);
	want = json_tokener_parse("{\"id\":22,\"documentId\":"
	                          "\"pvx9dkwatuqnsxzpau2ty0cr\",\"title\":"
	                          "\"Quarterly news\",\"cover\":null,"
	                          "\"category\":null,\"localizations\":[],"
	                          "\"blocks\":[]}");
	renders(ARTICLE, st, "populate=*&fields[0]=title", want,
	    "populate=* without the unserved author; fields keep id and "
	    "documentId");
	served_author = 1;
	json_object_put(want);
	json_object_put(st);
	json_object_put(body);

	/* Categories: articles count, published referrers only (R5). */
	body = fixture("rest-categories-populate-articles-count.json");
	cat = first(body);
	st = json_tokener_parse(json_object_to_json_string(cat));
	json_object_object_del(st, "articles");
	rest = "[{\"documentId\":\"ps7ajq06b9x40es6l4z2jnsw\",\"locale\":"
	       "\"en\"},{\"documentId\":\"unpublished\",\"locale\":\"en\"}]";
	json_object_object_add(st, "articles", json_tokener_parse(rest));
	renders(CATEGORY, st, "populate[articles][count]=true", cat,
	    "count counts only the stored (published) referrers");
	json_object_put(st);
	json_object_put(body);

	body = fixture("rest-categories.json");
	cat = first(body);
	st = json_tokener_parse(json_object_to_json_string(cat));
	json_object_object_add(st, "articles", json_tokener_parse(rest));
	want = json_tokener_parse(json_object_to_json_string(cat));
	json_object_object_add(want, "articles",
	    json_tokener_parse("[{\"id\":17}]"));
	{
		struct populate_query pq;
		struct qs_error err;
		struct buf r, out;
		const char *js = json_object_to_json_string(st);
		struct json_object *got, *arr;

		buf_init(&r);
		buf_init(&out);
		populate_parse(&pq, "populate[articles][fields][0]=title",
		    schema, CATEGORY, &r, &err);
		populate_render(&out, schema, CATEGORY, js, strlen(js), pq.root,
		    &resolver);
		got = json_tokener_parse(buf_cstr(&out));
		arr = json_object_object_get(got, "articles");
		ok(arr != NULL && json_object_array_length(arr) == 1 &&
		        json_object_get_int(json_object_object_get(
		            json_object_array_get_idx(arr, 0), "id")) == 17 &&
		        json_object_object_get(json_object_array_get_idx(arr,
		                                   0),
		            "slug") == NULL,
		    "a to-many relation skips the target not stored: %s",
		    buf_cstr(&out));
		json_object_put(got);
		populate_query_clear(&pq);
		buf_clear(&r);
		buf_clear(&out);
	}
	json_object_put(want);
	json_object_put(st);
	json_object_put(body);
}

/*
 * A repeatable component's count (no recorded schema has one): its
 * items, those its populate's filters keep (Strapi's oneToMany populate).
 */
static void
test_render_component_count(void)
{
	static const struct {
		const char *q, *tags;
	} cases[] = {
		{ "populate[tags][count]=true", "{\"count\":2}" },
		{ "populate[tags][count]=1&populate[tags][filters][label][$eq]=b",
		    "{\"count\":1}" },
		{ "populate[tags][count]=false",
		    "[{\"id\":1,\"label\":\"a\"},{\"id\":2,\"label\":"
		    "\"b\"}]" },
	};
	char dir[1024], out[256];
	struct schema *own = NULL, *kept = schema;
	const struct schema_type *post;
	struct json_object *st, *want;
	char *cause = NULL;
	size_t i;

	tap_tmpdir(dir, sizeof(dir), "sl-populate");
	tap_write(dir, "components/shared/tag.json",
	    "{\"collectionName\":\"components_shared_tags\",\"info\":"
	    "{\"displayName\":\"Tag\"},\"attributes\":{\"label\":"
	    "{\"type\":\"string\"}}}");
	tap_write(dir, "api/post/content-types/post/schema.json",
	    "{\"kind\":\"collectionType\",\"info\":{\"singularName\":"
	    "\"post\",\"pluralName\":\"posts\"},\"attributes\":{"
	    "\"tags\":{\"type\":\"component\",\"repeatable\":true,"
	    "\"component\":\"shared.tag\"}}}");
	if (schema_load_dir(&own, dir, &cause) == -1 ||
	    (post = schema_type(own, "api::post.post")) == NULL) {
		ok(0, "a schema with a repeatable component: %s",
		    cause != NULL ? cause : "?");
		free(cause);
		return;
	}
	schema = own;
	st = json_tokener_parse("{\"id\":1,\"documentId\":\"p1\","
	                        "\"tags\":[{\"id\":1,\"label\":\"a\"},"
	                        "{\"id\":2,\"label\":\"b\"}]}");
	for (i = 0; i < N(cases); i++) {
		snprintf(out, sizeof(out),
		    "{\"id\":1,\"documentId\":\"p1\",\"tags\":%s}",
		    cases[i].tags);
		want = json_tokener_parse(out);
		renders(post, st, cases[i].q, want, cases[i].q);
		json_object_put(want);
	}
	json_object_put(st);
	schema = kept;
	schema_free(own);
	tap_rmtree(dir);
}

static void
test_render_single(void)
{
	struct json_object *body, *st, *want, *blocks;

	/* global: favicon, defaultSeo (shareImage only when nested). */
	body = fixture("rest-global-populate-seo-shareImage.json");
	st = store_entry(GLOBAL, first(body));
	renders(GLOBAL, st,
	    "populate[favicon]=true&populate[defaultSeo][populate]=*",
	    first(body), "global: nested component media");
	json_object_put(body);
	body = fixture("rest-global-populate-star.json");
	renders(GLOBAL, st, "populate=*", first(body),
	    "global populate=*: component without its media (R7)");
	json_object_put(body);
	body = fixture("rest-global.json");
	renders(GLOBAL, st, "", first(body), "global: the public form");
	/* a component's count: its join table's rows (Strapi's XtoOne) */
	want = json_tokener_parse(json_object_to_json_string(first(body)));
	json_object_object_add(want, "defaultSeo",
	    json_tokener_parse("{\"count\":1}"));
	renders(GLOBAL, st, "populate[defaultSeo][count]=true", want,
	    "global: a component's count is {\"count\":1}");
	renders(GLOBAL, st, "populate[defaultSeo][count]=t", want,
	    "global: count=t counts as count=true does");
	json_object_object_add(want, "defaultSeo",
	    json_tokener_parse("{\"count\":0}"));
	renders(GLOBAL, st,
	    "populate[defaultSeo][count]=true&populate[defaultSeo][filters]"
	    "[metaTitle][$eq]=none",
	    want, "global: a component its filters leave out counts 0");
	json_object_put(want);
	json_object_put(body);
	body = fixture("rest-global-populate-star.json");
	want = json_tokener_parse(json_object_to_json_string(first(body)));
	json_object_object_del(want, "favicon");
	renders(GLOBAL, st, "populate[defaultSeo][count]=false", want,
	    "global: count=false populates the component");
	json_object_put(want);
	json_object_put(body);
	json_object_put(st);

	body = fixture("rest-about-populate-blocks-star.json");
	st = store_entry(ABOUT, first(body));
	renders(ABOUT, st, "populate[blocks][populate]=*", first(body),
	    "about: dynamic zone populated inside");
	renders(ABOUT, st, "populate=blocks.file,blocks.files", first(body),
	    "about: each component's media named by dot paths");
	json_object_put(body);
	body = fixture("rest-about-populate-star.json");
	renders(ABOUT, st, "populate=*", first(body),
	    "about populate=*: items keep only their scalars (R2)");
	renders(ABOUT, st, "populate=blocks.title", first(body),
	    "about populate=blocks.title: a scalar populates nothing");
	json_object_put(body);
	/* File 2 deleted: the media block's file is null, the slider
	 * keeps file 1 only. */
	drop_media(2);
	body = fixture("rest-about-populate-blocks-star.json");
	want = json_tokener_parse(json_object_to_json_string(first(body)));
	blocks = json_object_object_get(want, "blocks");
	json_object_object_add(json_object_array_get_idx(blocks, 2), "file",
	    NULL);
	json_object_array_del_idx(
	    json_object_object_get(json_object_array_get_idx(blocks, 3),
	        "files"),
	    1, 1);
	renders(ABOUT, st, "populate[blocks][populate]=*", want,
	    "a deleted file is null (single) or skipped (multiple)");
	json_object_put(want);
	json_object_put(body);
	json_object_put(st);
}

/*
 * An inverse relation (category.articles, mappedBy category) read from
 * the referrers, not from the references the category's last delivery
 * listed (F5: changing an article's category sends no category one).
 */
static void
test_render_inverse(void)
{
	struct json_object *body, *cat, *st, *want;

	body = fixture("rest-categories-populate-articles-count.json");
	cat = json_object_array_get_idx(json_object_object_get(body, "data"),
	    1); /* design: A1 (en) refers to it */
	st = json_tokener_parse(json_object_to_json_string(cat));
	json_object_object_add(st, "articles",
	    json_tokener_parse("[{\"documentId\":\"stale\",\"locale\":"
	                       "\"en\"},{\"documentId\":\"other\","
	                       "\"locale\":\"en\"}]"));
	resolver.referrers = res_referrers;
	renders(CATEGORY, st, "populate[articles][count]=true", cat,
	    "count of an inverse relation: the referrers (R5)");
	want = json_tokener_parse(json_object_to_json_string(cat));
	json_object_object_add(want, "articles",
	    json_tokener_parse("[{\"id\":17,\"documentId\":"
	                       "\"ps7ajq06b9x40es6l4z2jnsw\",\"title\":"
	                       "\"Hello rich Strapi (edited)\"}]"));
	renders(CATEGORY, st, "populate[articles][fields][0]=title", want,
	    "an inverse relation lists the referrers, not the stale references");
	/* An older article added later comes first: Strapi's link order. */
	json_object_put(want);
	want = json_tokener_parse(
	    "{\"id\":99,\"documentId\":\"zzz\",\"title\":\"Older\","
	    "\"createdAt\":\"2026-01-01T00:00:00.000Z\",\"locale\":\"en\","
	    "\"category\":{\"documentId\":\"cf82x4vdnh5eqwpr5h1o4xhs\","
	    "\"locale\":\"en\"}}");
	put(ARTICLE, "zzz", "en", 0, want);
	json_object_put(want);
	want = json_tokener_parse(json_object_to_json_string(cat));
	json_object_object_add(want, "articles",
	    json_tokener_parse("[{\"id\":99,\"documentId\":\"zzz\","
	                       "\"title\":\"Older\"},{\"id\":17,"
	                       "\"documentId\":\"ps7ajq06b9x40es6l4z2jnsw\","
	                       "\"title\":\"Hello rich Strapi (edited)\"}]"));
	renders(CATEGORY, st, "populate[articles][fields][0]=title", want,
	    "an inverse relation is in creation order, as Strapi links");
	{
		/* A bounded number of lookups per request: then -2. */
		struct buf out;
		const char *js = json_object_to_json_string(st);
		struct populate_query pq;
		struct qs_error err;
		size_t budget = 3;

		buf_init(&out);
		populate_parse(&pq,
		    "populate[articles][populate][author][populate]"
		    "[articles]=true",
		    schema, CATEGORY, &out, &err);
		buf_reset(&out);
		resolver.budget = &budget;
		ok(populate_render(&out, schema, CATEGORY, js, strlen(js),
		       pq.root, &resolver) == -2 &&
		        budget == 0,
		    "the lookups a render may make are bounded");
		budget = 100;
		buf_reset(&out);
		ok(populate_render(&out, schema, CATEGORY, js, strlen(js),
		       pq.root, &resolver) == 0 &&
		        budget < 100,
		    "within the bound, the same render succeeds");
		resolver.budget = NULL;
		populate_query_clear(&pq);
		buf_clear(&out);
	}
	resolver.referrers = NULL;
	json_object_put(want);
	json_object_put(st);
	json_object_put(body);
}

int
main(void)
{
	load_schema();
	test_parse();
	test_refusals();
	test_render_article();
	test_render_single();
	test_render_missing();
	test_render_escapes();
	test_render_component_count();
	test_render_inverse();
	schema_free(schema);
	return tap_done();
}
