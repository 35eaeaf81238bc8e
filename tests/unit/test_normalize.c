/* test_normalize.c: every recorded Strapi 5 delivery into stored forms */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model/normalize.h"
#include "model/schema.h"
#include "tap.h"
#include "util/xmalloc.h"

/* The fixture app's model; with email_private, author.email made private. */
static struct schema *
load(const char *src, int email_private)
{
	struct schema *s;
	char *cause = NULL;
	size_t i, j;

	if (schema_load_dir(&s, src, &cause) == -1) {
		fprintf(stderr, "schema: %s\n", cause);
		exit(1);
	}
	for (i = 0; email_private && i < s->ntypes; i++) {
		if (strcmp(s->types[i].uid, "api::author.author") != 0)
			continue;
		for (j = 0; j < s->types[i].nattrs; j++)
			if (strcmp(s->types[i].attrs[j].name, "email") == 0)
				s->types[i].attrs[j].private = 1;
	}
	return s;
}

static const char *fixtures;

/* The delivery body of fixture file name (caller puts it). */
static struct json_object *
body_of(const char *name)
{
	struct json_object *root, *body;
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	if ((root = json_object_from_file(path)) == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	json_object_object_get_ex(root, "body", &body);
	json_object_get(body);
	json_object_put(root);
	return body;
}

static struct json_object *
member(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

static int
has(struct json_object *o, const char *k)
{
	return o != NULL && json_object_object_get_ex(o, k, NULL);
}

static const char *
str(struct json_object *o, const char *k)
{
	struct json_object *v = member(o, k);

	return v != NULL && json_object_is_type(v, json_type_string)
	    ? json_object_get_string(v)
	    : "";
}

/* Normalizes the entry of fixture name; the entry is in *entry_out. */
static int
norm_fixture(struct norm *n, const struct schema *s, const char *name,
    struct json_object **body_out, const char **why)
{
	struct json_object *body = body_of(name);
	const struct schema_type *t = schema_type(s, str(body, "uid"));
	int r;

	if (t == NULL) {
		*why = "no such type";
		json_object_put(body);
		return -1;
	}
	r = normalize_entry(n, s, t, member(body, "entry"), why);
	if (body_out != NULL)
		*body_out = body;
	else
		json_object_put(body);
	return r;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every recorded delivery: each entry normalizes, each media too. */
static void
every_delivery(const struct schema *s)
{
	DIR *d;
	struct dirent *de;
	char *names[128];
	size_t n = 0, i;
	struct norm nm;
	struct norm_media m;
	struct json_object *body;
	const char *why;
	int r;

	if ((d = opendir(fixtures)) == NULL) {
		ok(0, "open %s", fixtures);
		return;
	}
	while ((de = readdir(d)) != NULL && n < 128)
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' &&
		    de->d_name[2] == '-')
			names[n++] = xstrdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	ok(n == 83, "83 recorded deliveries (%zu)", n);
	for (i = 0; i < n; i++) {
		why = "";
		if (strstr(names[i], "media.") != NULL) {
			body = body_of(names[i]);
			r = normalize_media(&m, member(body, "media"), &why);
			ok(r == 0 && m.id > 0 &&
			        strstr(m.json, "\"url\"") != NULL,
			    "%s: a media row (%s)", names[i], r ? why : "ok");
			if (r == 0)
				norm_media_clear(&m);
			json_object_put(body);
			continue;
		}
		norm_init(&nm);
		r = norm_fixture(&nm, s, names[i], NULL, &why);
		ok(r == 0 && nm.json != NULL && nm.public_json != NULL,
		    "%s normalizes (%s)", names[i], r ? why : "ok");
		norm_clear(&nm);
		free(names[i]);
		names[i] = NULL;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
}

static const struct norm_media *
media_by_id(const struct norm *n, int64_t id)
{
	size_t i;

	for (i = 0; i < n->nmedia; i++)
		if (n->media[i].id == id)
			return &n->media[i];
	return NULL;
}

static int
has_ref(const struct norm *n, const char *attr, const char *target,
    const char *doc, const char *locale)
{
	size_t i;

	for (i = 0; i < n->nrefs; i++)
		if (strcmp(n->refs[i].attr, attr) == 0 &&
		    strcmp(n->refs[i].target, target) == 0 &&
		    strcmp(n->refs[i].document_id, doc) == 0 &&
		    strcmp(n->refs[i].locale, locale) == 0)
			return 1;
	return 0;
}

/* The first draft of A1: relations, media and a dynamic zone. */
static void
article_09(const struct schema *s)
{
	struct norm n;
	struct json_object *body, *e, *st, *pub, *blocks, *b, *cover, *files;
	const struct norm_media *m;
	const char *why = "";
	size_t i;
	int64_t cover_id, file_id;

	norm_init(&n);
	if (norm_fixture(&n, s, "09-entry.create.article.json", &body, &why) !=
	    0) {
		ok(0, "09 normalizes: %s", why);
		json_object_put(body);
		return;
	}
	e = member(body, "entry");
	cover_id = json_object_get_int64(member(member(e, "cover"), "id"));
	st = json_tokener_parse(n.json);
	pub = json_tokener_parse(n.public_json);
	ok(json_object_is_type(member(st, "author"), json_type_object) &&
	        json_object_object_length(member(st, "author")) == 1 &&
	        strcmp(str(member(st, "author"), "documentId"),
	            str(member(e, "author"), "documentId")) == 0,
	    "09: author is {documentId} only: %s",
	    json_object_to_json_string(member(st, "author")));
	ok(strcmp(str(member(st, "category"), "documentId"),
	       str(member(e, "category"), "documentId")) == 0 &&
	        strcmp(str(member(st, "category"), "locale"), "en") == 0 &&
	        json_object_object_length(member(st, "category")) == 2,
	    "09: category is {documentId, locale}");
	cover = member(st, "cover");
	ok(json_object_is_type(cover, json_type_int) &&
	        json_object_get_int64(cover) == cover_id,
	    "09: cover is the file's id %lld", (long long)cover_id);
	blocks = member(st, "blocks");
	ok(json_object_array_length(blocks) == 4,
	    "09: the four blocks are kept");
	b = json_object_array_get_idx(blocks, 2);
	file_id = json_object_get_int64(
	    member(member(json_object_array_get_idx(member(e, "blocks"), 2),
	               "file"),
	        "id"));
	ok(strcmp(str(b, "__component"), "shared.media") == 0 &&
	        json_object_is_type(member(b, "file"), json_type_int) &&
	        json_object_get_int64(member(b, "file")) == file_id &&
	        has(b, "id"),
	    "09: shared.media's file is its id %lld, id and __component kept",
	    (long long)file_id);
	files = member(json_object_array_get_idx(blocks, 3), "files");
	ok(json_object_is_type(files, json_type_array) &&
	        json_object_array_length(files) > 0 &&
	        json_object_is_type(json_object_array_get_idx(files, 0),
	            json_type_int),
	    "09: shared.slider's files are ids");
	ok(strstr(n.json, "\"formats\"") == NULL &&
	        strstr(n.json, "\"email\"") == NULL,
	    "09: no file object and no author copy in the stored form");
	ok(!has(pub, "cover") && !has(pub, "author") && !has(pub, "category") &&
	        !has(pub, "blocks") &&
	        strcmp(str(pub, "title"), str(e, "title")) == 0 &&
	        strcmp(str(pub, "locale"), "en") == 0 && has(pub, "id") &&
	        has(pub, "publishedAt"),
	    "09: public form: scalars only: %s", n.public_json);
	ok(n.nrefs == 2 &&
	        has_ref(&n, "author", "api::author.author",
	            str(member(e, "author"), "documentId"), "") &&
	        has_ref(&n, "category", "api::category.category",
	            str(member(e, "category"), "documentId"), "en"),
	    "09: two references, author and category (%zu)", n.nrefs);
	m = media_by_id(&n, cover_id);
	ok(m != NULL && strstr(m->json, "\"formats\":{\"thumbnail\"") &&
	        strstr(m->json, "\"url\":\"/uploads/cover_mountains") &&
	        m->published_at > 0 && m->updated_at > 0,
	    "09: the cover's media row has the whole file");
	m = media_by_id(&n, file_id);
	ok(m != NULL && strstr(m->json, "\"formats\":null") &&
	        strstr(m->json, "\"name\":\"inline-diagram.png\""),
	    "09: shared.media's file is a media row (formats null)");
	for (i = 0; i < n.nmedia; i++) {
		size_t j;

		for (j = i + 1; j < n.nmedia; j++)
			if (n.media[i].id == n.media[j].id)
				break;
		if (j < n.nmedia)
			break;
	}
	ok(i == n.nmedia && n.nmedia >= 2,
	    "09: %zu media rows, each file once (the cover is also in the "
	    "slider)",
	    n.nmedia);
	json_object_put(st);
	json_object_put(pub);
	json_object_put(body);
	norm_clear(&n);
}

/* 09 with one attribute replaced by the JSON text value. */
static int
bad_09(const struct schema *s, const char *attr, int block, const char *value,
    const char **why)
{
	struct norm n;
	struct json_object *body, *e, *target;
	const char *k = attr;
	int r;

	body = body_of("09-entry.create.article.json");
	e = member(body, "entry");
	target = e;
	if (block >= 0)
		target = json_object_array_get_idx(member(e, "blocks"),
		    (size_t)block);
	json_object_object_add(target, k, json_tokener_parse(value));
	norm_init(&n);
	r = normalize_entry(&n, s, schema_type(s, "api::article.article"), e,
	    why);
	if (r == -1) {
		static char keep[NORM_WHY_MAX];

		snprintf(keep, sizeof(keep), "%s", *why);
		*why = keep;
	}
	ok(r == 0 || n.json == NULL, "a failed normalization leaves n empty");
	norm_clear(&n);
	json_object_put(body);
	return r;
}

static void
bad_shapes(const struct schema *s)
{
	const char *why = "";

	ok(bad_09(s, "author", -1, "\"pc1j2ob6vnqzps3oqq3ilsrq\"", &why) ==
	            -1 &&
	        strstr(why, "entry.author:") != NULL,
	    "a relation that is a string: -1, %s", why);
	ok(bad_09(s, "category", -1, "5", &why) == -1 &&
	        strstr(why, "entry.category:") != NULL,
	    "a relation that is a number: -1, %s", why);
	ok(bad_09(s, "category", -1, "[]", &why) == -1 &&
	        strstr(why, "entry.category: a to-one relation") != NULL,
	    "a to-one relation that is an array: -1, %s", why);
	ok(bad_09(s, "cover", -1, "3", &why) == -1 &&
	        strstr(why, "entry.cover:") != NULL,
	    "a media that is a number: -1, %s", why);
	ok(bad_09(s, "file", 2, "7", &why) == -1 &&
	        strstr(why, "entry.blocks.file:") != NULL,
	    "a component's media that is a number: -1, %s", why);
	ok(bad_09(s, "cover", -1, "{\"name\":\"x\"}", &why) == -1 &&
	        strstr(why, "entry.cover:") != NULL,
	    "a file without an id: -1, %s", why);
	ok(bad_09(s, "blocks", -1, "{\"a\":1}", &why) == -1 &&
	        strstr(why, "entry.blocks:") != NULL,
	    "a dynamic zone that is an object: -1, %s", why);
	ok(bad_09(s, "blocks", -1, "[{\"id\":1,\"__component\":\"x.y\"}]",
	       &why) == 0,
	    "a dynamic zone item of a component the zone lacks is dropped");
	ok(bad_09(s, "author", -1, "null", &why) == 0,
	    "a null relation is accepted");
}

static void
other_shapes(const struct schema *s, const struct schema *priv)
{
	struct norm n;
	struct json_object *st, *v;
	const char *why = "";

	/* The Content Manager's unpublish: counts, localizations. */
	norm_init(&n);
	ok(norm_fixture(&n, s, "39-entry.unpublish.article.json", NULL, &why) ==
	        0,
	    "39 (unpublish, counts) normalizes");
	st = json_tokener_parse(n.json != NULL ? n.json : "{}");
	ok(!has(st, "author") && !has(st, "category") &&
	        !has(st, "localizations") && has(st, "cover") &&
	        json_object_array_length(member(st, "blocks")) == 1 &&
	        n.nrefs == 0,
	    "39: counted relations and localizations left out: %s",
	    n.json != NULL ? n.json : "-");
	json_object_put(st);
	norm_clear(&n);

	/*
	 * The inverse side (articles, mappedBy author) is not kept: answers
	 * read it from the referrer index; the payload's list is as old as
	 * the payload (F5).
	 */
	ok(norm_fixture(&n, s, "18-entry.update.author.json", NULL, &why) == 0,
	    "18 (author) normalizes");
	st = json_tokener_parse(n.json);
	ok(!has(st, "articles") && n.nrefs == 0 &&
	        json_object_is_type(member(st, "avatar"), json_type_int) &&
	        strcmp(str(st, "email"), "ada@example.test") == 0,
	    "18: the inverse side left out, the avatar an id: %s", n.json);
	json_object_put(st);
	norm_clear(&n);

	/* Private attributes are never kept. */
	ok(norm_fixture(&n, priv, "18-entry.update.author.json", NULL, &why) ==
	            0 &&
	        strstr(n.json, "email") == NULL &&
	        strstr(n.public_json, "email") == NULL &&
	        strstr(n.public_json, "\"name\"") != NULL,
	    "18 with email private: no email in either form");
	norm_clear(&n);

	/* A single type's component, with a media inside. */
	ok(norm_fixture(&n, s, "50-entry.create.global.json", NULL, &why) == 0,
	    "50 (global) normalizes");
	st = json_tokener_parse(n.json);
	v = member(st, "defaultSeo");
	ok(json_object_is_type(member(st, "favicon"), json_type_int) &&
	        json_object_is_type(member(v, "shareImage"), json_type_int) &&
	        has(v, "id") && has(v, "metaTitle") && n.nmedia == 2,
	    "50: defaultSeo kept with shareImage an id, 2 media rows: %s",
	    n.json);
	json_object_put(st);
	norm_clear(&n);

	/* The delete shape: scalars only. */
	ok(norm_fixture(&n, s, "45-entry.delete.article.json", NULL, &why) ==
	            0 &&
	        n.nrefs == 0 && n.nmedia == 0 &&
	        strcmp(n.json, n.public_json) == 0,
	    "45 (delete): scalars only, stored = public");
	norm_clear(&n);
}

/* A schema attribute, to change it (the loaders give no other way). */
static struct schema_attr *
attr_of(struct schema *s, const char *uid, const char *name)
{
	size_t i, j;

	for (i = 0; i < s->ntypes; i++)
		for (j = 0; j < s->types[i].nattrs; j++)
			if (strcmp(s->types[i].uid, uid) == 0 &&
			    strcmp(s->types[i].attrs[j].name, name) == 0)
				return &s->types[i].attrs[j];
	return NULL;
}

/* Shapes no fixture has: a repeatable component, a to-many's bad row. */
static void
made_shapes(struct schema *s)
{
	struct norm n;
	struct json_object *body, *e, *seo, *arr, *st;
	const char *why = "";
	int r;

	body = body_of("50-entry.create.global.json");
	e = member(body, "entry");
	seo = json_object_get(member(e, "defaultSeo"));
	arr = json_object_new_array();
	json_object_array_add(arr, seo);
	json_object_array_add(arr, json_object_get(seo));
	json_object_object_add(e, "defaultSeo", arr);
	attr_of(s, "api::global.global", "defaultSeo")->repeatable = 1;
	norm_init(&n);
	r = normalize_entry(&n, s, schema_type(s, "api::global.global"), e,
	    &why);
	st = json_tokener_parse(r == 0 ? n.json : "{}");
	ok(r == 0 && json_object_array_length(member(st, "defaultSeo")) == 2 &&
	        json_object_is_type(member(json_object_array_get_idx(
	                                       member(st, "defaultSeo"), 1),
	                                "shareImage"),
	            json_type_int) &&
	        n.nmedia == 2,
	    "a repeatable component: an array of normalized components (%s)",
	    r == 0 ? n.json : why);
	json_object_put(st);
	norm_clear(&n);
	json_object_object_add(e, "defaultSeo", json_object_new_int(1));
	r = normalize_entry(&n, s, schema_type(s, "api::global.global"), e,
	    &why);
	ok(r == -1 && strstr(why, "entry.defaultSeo: a repeatable") != NULL,
	    "a repeatable component that is a number: -1, %s", why);
	norm_clear(&n);
	attr_of(s, "api::global.global", "defaultSeo")->repeatable = 0;
	json_object_put(body);

	body = body_of("18-entry.update.author.json");
	e = member(body, "entry");
	json_object_object_add(e, "articles", json_tokener_parse("[1]"));
	r = normalize_entry(&n, s, schema_type(s, "api::author.author"), e,
	    &why);
	ok(r == -1 && strstr(why, "entry.articles: a related row") != NULL,
	    "a to-many relation whose row is a number: -1, %s", why);
	json_object_object_add(e, "articles",
	    json_tokener_parse("{\"documentId\":\"x\"}"));
	r = normalize_entry(&n, s, schema_type(s, "api::author.author"), e,
	    &why);
	ok(r == -1 && strstr(why, "entry.articles: a to-many") != NULL,
	    "a to-many relation that is one object: -1, %s", why);
	json_object_put(body);
	norm_clear(&n);
}

static void
media_deliveries(void)
{
	struct norm_media m;
	struct json_object *body;
	const char *why = "";

	body = body_of("62-media.delete.json");
	ok(normalize_media(&m, member(body, "media"), &why) == 0 &&
	        m.id ==
	            json_object_get_int64(
	                member(member(body, "media"), "id")) &&
	        strstr(m.json, "\"formats\"") != NULL,
	    "62: media.delete's file is a row with its id");
	norm_media_clear(&m);
	json_object_object_add(member(body, "media"), "id",
	    json_object_new_string("4"));
	ok(normalize_media(&m, member(body, "media"), &why) == -1 &&
	        strstr(why, "media.id") != NULL,
	    "a media id that is a string: -1, %s", why);
	json_object_put(body);
	body = json_object_new_int(3);
	ok(normalize_media(&m, body, &why) == -1, "media that is a number: -1");
	json_object_put(body);

	/* A file from the upload plugin's REST answer: the delivery's bytes. */
	{
		struct json_object *files = body_of("rest-upload-files.json");
		struct norm_media r;
		size_t i;

		body = body_of("02-media.create.json");
		for (i = 0; i < json_object_array_length(files); i++)
			if (json_object_get_int64(
			        member(json_object_array_get_idx(files, i),
			            "id")) == 2)
				break;
		ok(normalize_media(&m, member(body, "media"), &why) == 0 &&
		        normalize_media(&r, json_object_array_get_idx(files, i),
		            &why) == 0 &&
		        m.json_len == r.json_len &&
		        memcmp(m.json, r.json, m.json_len) == 0 &&
		        strstr(r.json, "isUrlSigned") == NULL,
		    "02 and /api/upload/files: the same stored bytes, without "
		    "REST's isUrlSigned");
		norm_media_clear(&m);
		norm_media_clear(&r);
		json_object_put(files);
		json_object_put(body);
	}
}

int
main(void)
{
	struct schema *s, *priv;
	char src[1024];

	if ((fixtures = getenv("FIXTURES_RICH")) == NULL) {
		tap_skip("FIXTURES_RICH is not set", "normalize");
		return tap_done();
	}
	snprintf(src, sizeof(src), "%s/strapi-src", fixtures);
	s = load(src, 0);
	priv = load(src, 1);
	every_delivery(s);
	article_09(s);
	bad_shapes(s);
	other_shapes(s, priv);
	media_deliveries();
	made_shapes(s);
	schema_free(s);
	schema_free(priv);
	return tap_done();
}
