/* test_schema.c: the content model from schema files and from the CTB */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/prog.h"
#include "conf/conf.h"
#include "model/schema.h"
#include "tap.h"

static char tmp[256];

/* The recorded app's model, as tests/fixtures/strapi5-rich/README.md has it. */
/* clang-format off */
static const struct {
	const char *uid, *singular, *plural;
	int single, dnp, localized;
	size_t nattrs;
} types[] = {
	{ "api::about.about", "about", "abouts", 1, 0, 0, 2 },
	{ "api::article.article", "article", "articles", 0, 1, 1, 7 },
	{ "api::author.author", "author", "authors", 0, 0, 0, 4 },
	{ "api::category.category", "category", "categories", 0, 0, 1, 4 },
	{ "api::global.global", "global", "globals", 1, 1, 0, 4 },
	{ "shared.media", "", "", 0, 0, 0, 1 },
	{ "shared.quote", "", "", 0, 0, 0, 2 },
	{ "shared.rich-text", "", "", 0, 0, 0, 1 },
	{ "shared.seo", "", "", 0, 0, 0, 3 },
	{ "shared.slider", "", "", 0, 0, 0, 1 },
};
static const struct {
	const char *uid, *attr;
	enum schema_kind kind;
	int localized;
	const char *target; /* relation target, or component */
	int many;           /* relation many, media multiple, repeatable */
} attrs[] = {
	{ "api::about.about", "title", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "api::about.about", "blocks", SCHEMA_DYNAMICZONE, 0, NULL, 0 },
	{ "api::article.article", "title", SCHEMA_SCALAR, 1, NULL, 0 },
	{ "api::article.article", "description", SCHEMA_SCALAR, 1, NULL, 0 },
	{ "api::article.article", "slug", SCHEMA_SCALAR, 1, NULL, 0 },
	{ "api::article.article", "cover", SCHEMA_MEDIA, 0, NULL, 0 },
	{ "api::article.article", "author", SCHEMA_RELATION, 1, "api::author.author", 0 },
	{ "api::article.article", "category", SCHEMA_RELATION, 1, "api::category.category", 0 },
	{ "api::article.article", "blocks", SCHEMA_DYNAMICZONE, 1, NULL, 0 },
	{ "api::author.author", "name", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "api::author.author", "avatar", SCHEMA_MEDIA, 0, NULL, 0 },
	{ "api::author.author", "email", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "api::author.author", "articles", SCHEMA_RELATION, 0, "api::article.article", 1 },
	{ "api::category.category", "name", SCHEMA_SCALAR, 1, NULL, 0 },
	{ "api::category.category", "slug", SCHEMA_SCALAR, 1, NULL, 0 },
	{ "api::category.category", "articles", SCHEMA_RELATION, 1, "api::article.article", 1 },
	{ "api::category.category", "description", SCHEMA_SCALAR, 1, NULL, 0 },
	{ "api::global.global", "siteName", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "api::global.global", "favicon", SCHEMA_MEDIA, 0, NULL, 0 },
	{ "api::global.global", "siteDescription", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "api::global.global", "defaultSeo", SCHEMA_COMPONENT, 0, "shared.seo", 0 },
	{ "shared.media", "file", SCHEMA_MEDIA, 0, NULL, 0 },
	{ "shared.quote", "title", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "shared.quote", "body", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "shared.rich-text", "body", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "shared.seo", "metaTitle", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "shared.seo", "metaDescription", SCHEMA_SCALAR, 0, NULL, 0 },
	{ "shared.seo", "shareImage", SCHEMA_MEDIA, 0, NULL, 0 },
	{ "shared.slider", "files", SCHEMA_MEDIA, 0, NULL, 1 },
};
/* clang-format on */
#define NTYPES (sizeof(types) / sizeof(types[0]))
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

static const char *const zone[] = { "shared.media", "shared.quote",
	"shared.rich-text", "shared.slider" };

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* 1 when the loaded type t is what the tables say. */
static int
type_expected(const struct schema *s, size_t i)
{
	const struct schema_type *t = &s->types[i];
	const struct schema_attr *a;
	size_t j, k;

	if (strcmp(t->uid, types[i].uid) != 0 ||
	    t->component != (strncmp(types[i].uid, "api::", 5) != 0) ||
	    t->single != types[i].single ||
	    strcmp(t->singular, types[i].singular) != 0 ||
	    strcmp(t->plural, types[i].plural) != 0 ||
	    t->draft_and_publish != types[i].dnp ||
	    t->localized != types[i].localized ||
	    t->nattrs != types[i].nattrs) {
		tap_diag("%s: type differs", types[i].uid);
		return 0;
	}
	for (j = 0; j < NATTRS; j++) {
		if (strcmp(attrs[j].uid, t->uid) != 0)
			continue;
		if ((a = schema_attr(t, attrs[j].attr)) == NULL ||
		    a->kind != attrs[j].kind ||
		    a->localized != attrs[j].localized || a->private) {
			tap_diag("%s.%s: differs", t->uid, attrs[j].attr);
			return 0;
		}
		if ((a->kind == SCHEMA_RELATION &&
		        (!same_str(a->target, attrs[j].target) ||
		            a->many != attrs[j].many)) ||
		    (a->kind == SCHEMA_COMPONENT &&
		        (!same_str(a->component, attrs[j].target) ||
		            a->repeatable != attrs[j].many)) ||
		    (a->kind == SCHEMA_MEDIA && a->multiple != attrs[j].many)) {
			tap_diag("%s.%s: target or cardinality differs", t->uid,
			    attrs[j].attr);
			return 0;
		}
		if (a->kind == SCHEMA_DYNAMICZONE) {
			if (a->ncomponents != 4)
				return 0;
			for (k = 0; k < 4; k++)
				if (strcmp(a->components[k], zone[k]) != 0)
					return 0;
		}
	}
	return 1;
}

/* 1 when a and b are the same model (every field but origin). */
static int
same_model(const struct schema *x, const struct schema *y)
{
	const struct schema_type *a, *b;
	const struct schema_attr *p, *q;
	size_t i, j, k;

	if (x->ntypes != y->ntypes)
		return 0;
	for (i = 0; i < x->ntypes; i++) {
		a = &x->types[i];
		b = &y->types[i];
		if (strcmp(a->uid, b->uid) != 0 ||
		    a->component != b->component || a->single != b->single ||
		    strcmp(a->singular, b->singular) != 0 ||
		    strcmp(a->plural, b->plural) != 0 ||
		    a->draft_and_publish != b->draft_and_publish ||
		    a->localized != b->localized || a->nattrs != b->nattrs) {
			tap_diag("%s: types differ", a->uid);
			return 0;
		}
		for (j = 0; j < a->nattrs; j++) {
			p = &a->attrs[j];
			q = &b->attrs[j];
			if (strcmp(p->name, q->name) != 0 ||
			    strcmp(p->type, q->type) != 0 ||
			    p->kind != q->kind || p->private != q->private ||
			    p->localized != q->localized ||
			    !same_str(p->target, q->target) ||
			    p->many != q->many || p->multiple != q->multiple ||
			    !same_str(p->component, q->component) ||
			    p->repeatable != q->repeatable ||
			    p->ncomponents != q->ncomponents) {
				tap_diag("%s.%s: attributes differ", a->uid,
				    p->name);
				return 0;
			}
			for (k = 0; k < p->ncomponents; k++)
				if (strcmp(p->components[k],
				        q->components[k]) != 0)
					return 0;
		}
	}
	return 1;
}

static void
check_model(const struct schema *s, const char *how)
{
	size_t i, bad = 0;
	const struct schema_type *t;

	ok(s->ntypes == NTYPES, "%s: 5 content types and 5 components", how);
	for (i = 0; i < NTYPES && i < s->ntypes; i++)
		if (!type_expected(s, i))
			bad++;
	ok(s->ntypes == NTYPES && bad == 0,
	    "%s: kinds, names, draftAndPublish, i18n and every attribute "
	    "as recorded",
	    how);
	t = schema_type_by_plural(s, "categoriesXX", 10);
	ok(t != NULL && strcmp(t->uid, "api::category.category") == 0,
	    "%s: /api/categories is the category type (Strapi's plural)", how);
	ok(schema_type_by_plural(s, "categorys", 9) == NULL,
	    "%s: no type has the plural 'categorys'", how);
	t = schema_type_by_singular(s, "global");
	ok(t != NULL && t->single, "%s: global is a single type", how);
	ok(schema_type_by_singular(s, "") == NULL,
	    "%s: components are not found by singular name", how);
	ok(schema_type(s, "shared.rich-text") != NULL &&
	        schema_type(s, "shared.rich-text")->component,
	    "%s: components/shared/rich-text.json is shared.rich-text", how);
}

static struct json_object *
ctb_body(const char *dir, const char *file)
{
	char path[1024];
	struct json_object *o, *body;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((o = json_object_from_file(path)) == NULL ||
	    !json_object_object_get_ex(o, "body", &body)) {
		tap_diag("cannot read %s", path);
		exit(1);
	}
	json_object_get(body);
	json_object_put(o);
	return body;
}

/* Writes text to tmp/case/rel, making its folders. */
static void
put(const char *c, const char *rel, const char *text)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", tmp, c);
	tap_write(dir, rel, text);
}

#define TYPE_HEAD                                                        \
	"{\"kind\":\"collectionType\",\"info\":{\"singularName\":\"x\"," \
	"\"pluralName\":\"xs\"},"
#define X_SCHEMA "api/x/content-types/x/schema.json"

/* Loads tmp/c: fails, and the cause names file and holds what. */
static void
load_fails(const char *c, const char *file, const char *what)
{
	char dir[1024], want[2048], *cause = NULL;
	struct schema *s = NULL;
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s", tmp, c);
	snprintf(want, sizeof(want), "%s/%s", dir, file);
	rc = schema_load_dir(&s, dir, &cause);
	ok(rc == -1 && s == NULL && cause != NULL &&
	        strstr(cause, want) != NULL && strstr(cause, what) != NULL,
	    "%s: refused, naming the file and '%s'", c, what);
	if (cause != NULL && (rc != -1 || strstr(cause, what) == NULL))
		tap_diag("cause: %s", cause);
	free(cause);
	schema_free(s);
}

static void
errors(void)
{
	char dir[1024], *big, *cause = NULL;
	struct schema *s = NULL;
	struct json_object *ctb, *data, *e, *sch, *at, *a;
	size_t i;

	put("not-json", X_SCHEMA, "{\"kind\": ");
	load_fails("not-json", X_SCHEMA, "not JSON");
	put("array", X_SCHEMA, "[1]");
	load_fails("array", X_SCHEMA, "not a JSON object");
	put("no-attrs", X_SCHEMA, TYPE_HEAD "\"options\":{}}");
	load_fails("no-attrs", X_SCHEMA, "no attributes");
	put("no-target", X_SCHEMA,
	    TYPE_HEAD "\"attributes\":{\"r\":{\"type\":\"relation\","
	              "\"relation\":\"oneToOne\"}}}");
	load_fails("no-target", X_SCHEMA, "relation 'r' has no target");
	put("zone", X_SCHEMA,
	    TYPE_HEAD "\"attributes\":{\"z\":{\"type\":\"dynamiczone\","
	              "\"components\":[\"shared.a\",\"shared.nope\"]}}}");
	put("zone", "components/shared/a.json",
	    "{\"attributes\":{\"t\":{\"type\":\"string\"}}}");
	load_fails("zone", X_SCHEMA,
	    "dynamic zone 'z' names unknown component 'shared.nope'");
	put("comp", X_SCHEMA,
	    TYPE_HEAD "\"attributes\":{\"c\":{\"type\":\"component\","
	              "\"component\":\"shared.gone\"}}}");
	load_fails("comp", X_SCHEMA,
	    "attribute 'c' names unknown component 'shared.gone'");
	put("comp-in-comp", "components/shared/a.json",
	    "{\"attributes\":{\"c\":{\"type\":\"component\","
	    "\"component\":\"shared.b\"}}}");
	put("comp-in-comp", X_SCHEMA,
	    TYPE_HEAD "\"attributes\":{\"t\":{\"type\":\"string\"}}}");
	load_fails("comp-in-comp", "components/shared/a.json",
	    "names unknown component 'shared.b'");
	put("no-type", X_SCHEMA, TYPE_HEAD "\"attributes\":{\"t\":{}}}");
	load_fails("no-type", X_SCHEMA, "attribute 't' has no type");
	put("kind", X_SCHEMA,
	    "{\"kind\":\"x\",\"info\":{\"singularName\":\"x\","
	    "\"pluralName\":\"xs\"},\"attributes\":{\"t\":{\"type\":"
	    "\"string\"}}}");
	load_fails("kind", X_SCHEMA, "kind is not");
	big = malloc(SCHEMA_MAX_FILE + 2);
	memset(big, ' ', SCHEMA_MAX_FILE + 1);
	big[0] = '{';
	big[SCHEMA_MAX_FILE - 1] = '}';
	big[SCHEMA_MAX_FILE + 1] = '\0';
	put("big", X_SCHEMA, big);
	free(big);
	load_fails("big", X_SCHEMA, "larger than");
	put("no-api", "components/shared/a.json",
	    "{\"attributes\":{\"t\":{\"type\":\"string\"}}}");
	load_fails("no-api", "api", "No such file");

	/* private: "private": true and passwords; localized by default. */
	put("private", X_SCHEMA,
	    TYPE_HEAD "\"pluginOptions\":{\"i18n\":{\"localized\":true}},"
	              "\"attributes\":{\"p\":{\"type\":\"password\"},"
	              "\"s\":{\"type\":\"string\",\"private\":true},"
	              "\"t\":{\"type\":\"string\",\"pluginOptions\":"
	              "{\"i18n\":{\"localized\":false}}},"
	              "\"m\":{\"type\":\"relation\",\"relation\":"
	              "\"morphToMany\"}}}");
	snprintf(dir, sizeof(dir), "%s/private", tmp);
	ok(schema_load_dir(&s, dir, &cause) == 0, "private: loads");
	if (s != NULL) {
		const struct schema_type *t = schema_type(s, "api::x.x");

		ok(t != NULL && schema_attr(t, "p")->private &&
		        schema_attr(t, "s")->private &&
		        !schema_attr(t, "t")->private,
		    "password and private: true are private, others not");
		ok(t != NULL && schema_attr(t, "p")->localized &&
		        !schema_attr(t, "t")->localized,
		    "an attribute is localized as its type unless it says");
		ok(t != NULL && schema_attr(t, "m")->many &&
		        strcmp(schema_attr(t, "m")->target, "") == 0,
		    "a morph relation has no target and is many");
		schema_free(s);
		s = NULL;
	}

	/* The CTB's answer: more than SCHEMA_MAX_TYPES api:: types. */
	ctb = json_object_new_object();
	data = json_object_new_array();
	json_object_object_add(ctb, "data", data);
	for (i = 0; i <= SCHEMA_MAX_TYPES; i++) {
		char uid[128], name[32];

		snprintf(name, sizeof(name), "t%zu", i);
		snprintf(uid, sizeof(uid), "api::%s.%s", name, name);
		e = json_object_new_object();
		sch = json_object_new_object();
		at = json_object_new_object();
		a = json_object_new_object();
		json_object_object_add(a, "type",
		    json_object_new_string("string"));
		json_object_object_add(at, "t", a);
		json_object_object_add(sch, "kind",
		    json_object_new_string("collectionType"));
		json_object_object_add(sch, "singularName",
		    json_object_new_string(name));
		json_object_object_add(sch, "pluralName",
		    json_object_new_string(name));
		json_object_object_add(sch, "attributes", at);
		json_object_object_add(e, "uid", json_object_new_string(uid));
		json_object_object_add(e, "schema", sch);
		json_object_array_add(data, e);
	}
	ok(schema_load_ctb(&s, ctb, NULL, &cause) == -1 && cause != NULL &&
	        strstr(cause, "more than 256 types") != NULL,
	    "ctb: more than 256 types refused");
	free(cause);
	cause = NULL;
	json_object_array_del_idx(data, 0, 1);
	ok(schema_load_ctb(&s, ctb, NULL, &cause) == -1 && cause != NULL &&
	        strstr(cause, "components: no data array") != NULL,
	    "ctb: an answer without data is refused");
	free(cause);
	cause = NULL;
	e = json_object_new_object();
	ok(schema_load_ctb(&s, e, ctb, &cause) == -1 && cause != NULL &&
	        strstr(cause, "content-types: no data") != NULL,
	    "ctb: the content types' answer without data is refused");
	free(cause);
	json_object_put(e);
	json_object_put(ctb);
}

/* A conf of text, schema_dir set to dir; NULL when it does not load. */
static struct conf *
conf_with(const char *text, const char *dir)
{
	struct conf *c = conf_new();
	char *all, *cause = NULL;
	int rc;

	if (asprintf(&all, "%sschema_dir = %s\n", text, dir) == -1)
		return NULL;
	rc = conf_parse_text(c, all, "test.conf", &cause) == -1 ||
	    conf_finish(c, &cause) == -1;
	free(all);
	free(cause);
	if (rc) {
		conf_free(c);
		return NULL;
	}
	return c;
}

/* prog_load_schema: the collections' names from the model. */
static void
names(const char *dir)
{
	struct conf *c;
	struct schema *s = NULL;
	const struct collection *co;
	char *cause = NULL;

	c = conf_with("collections = article, category, global\n"
	              "collection.article.uid = api::post.post\n",
	    dir);
	ok(c != NULL && prog_load_schema(c, &s, &cause) == 0 && s != NULL,
	    "prog_load_schema: loads");
	if (c == NULL || s == NULL) {
		conf_free(c);
		return;
	}
	co = conf_collection_by_name(c, "category");
	ok(strcmp(co->plural, "categories") == 0 &&
	        strcmp(co->uid, "api::category.category") == 0 && !co->single,
	    "category: plural and uid from the schema");
	co = conf_collection_by_name(c, "global");
	ok(co->single && strcmp(co->plural, "globals") == 0,
	    "global: a single type");
	co = conf_collection_by_name(c, "article");
	ok(strcmp(co->uid, "api::post.post") == 0 &&
	        strcmp(co->plural, "articles") == 0,
	    "article: the operator's uid wins, the plural is the schema's");
	ok(co->nlocales == 1 && strcmp(co->locales[0], "en") == 0,
	    "article (localized): the locales setting's default, en");
	co = conf_collection_by_name(c, "global");
	ok(co->nlocales == 1 && co->locales[0][0] == '\0',
	    "global (not localized): no locale");
	schema_free(s);
	conf_free(c);

	s = NULL;
	c = conf_with("collections = article, category\n"
	              "locales = fr, en\n"
	              "collection.category.locales = en\n",
	    dir);
	ok(c != NULL && prog_load_schema(c, &s, &cause) == 0,
	    "locales = fr, en");
	co = conf_collection_by_name(c, "article");
	ok(co->nlocales == 2 && strcmp(co->locales[0], "fr") == 0 &&
	        strcmp(co->locales[1], "en") == 0,
	    "article: fr (the default) and en");
	co = conf_collection_by_name(c, "category");
	ok(co->nlocales == 1 && strcmp(co->locales[0], "en") == 0,
	    "category: the operator's collection.category.locales wins");
	schema_free(s);
	conf_free(c);

	s = NULL;
	c = conf_with("collections = article, page\n", dir);
	ok(c != NULL && prog_load_schema(c, &s, &cause) == -1 && s == NULL &&
	        cause != NULL &&
	        strstr(cause, "collection 'page' is not a content type") !=
	            NULL,
	    "a collection the schema lacks is an error naming it");
	free(cause);
	conf_free(c);
}

int
main(void)
{
	const char *rich = getenv("FIXTURES_RICH");
	char dir[1024], *cause = NULL;
	struct schema *d = NULL, *c = NULL;
	struct json_object *tb, *cb;

	if (rich == NULL) {
		tap_diag("FIXTURES_RICH is not set");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/strapi-src", rich);
	ok(schema_load_dir(&d, dir, &cause) == 0, "strapi-src loads");
	if (cause != NULL)
		tap_diag("%s", cause);
	tb = ctb_body(rich, "schema-api-ctb-content-types-custom-token.json");
	cb = ctb_body(rich, "schema-api-ctb-components-custom-token.json");
	ok(schema_load_ctb(&c, tb, cb, &cause) == 0,
	    "the content-type-builder answers load");
	if (d == NULL || c == NULL)
		return tap_done();
	check_model(d, "strapi-src");
	check_model(c, "ctb");
	ok(same_model(d, c), "both loaders give the same model");
	ok(strstr(schema_type(d, "api::article.article")->origin,
	       "api/article/content-types/article/schema.json") != NULL,
	    "a type remembers its file");
	schema_free(d);
	schema_free(c);
	json_object_put(tb);
	json_object_put(cb);
	names(dir);

	tap_tmpdir(tmp, sizeof(tmp), "sl-schema");
	errors();
	tap_rmtree(tmp);
	return tap_done();
}
