/* schema.c: a Strapi 5 content model from schema files or the CTB answers */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/jsonget.h"
#include "model/schema.h"
#include "util/xmalloc.h"

/* A boolean member of o, or def when it is absent or not a boolean. */
static int
jbool(struct json_object *o, const char *key, int def)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return def;
	return json_object_get_boolean(v);
}

/* pluginOptions.i18n.localized of o, or def. */
static int
localized_of(struct json_object *o, int def)
{
	struct json_object *po, *i18n;

	if (!json_object_object_get_ex(o, "pluginOptions", &po) ||
	    !json_object_object_get_ex(po, "i18n", &i18n))
		return def;
	return jbool(i18n, "localized", def);
}

static void
attr_clear(struct schema_attr *a)
{
	size_t i;

	free(a->name);
	free(a->type);
	free(a->target);
	free(a->component);
	for (i = 0; i < a->ncomponents; i++)
		free(a->components[i]);
	free(a->components);
	for (i = 0; i < a->nenums; i++)
		free(a->enums[i]);
	free(a->enums);
}

static void
type_clear(struct schema_type *t)
{
	size_t i;

	free(t->uid);
	free(t->singular);
	free(t->plural);
	for (i = 0; i < t->nattrs; i++)
		attr_clear(&t->attrs[i]);
	free(t->attrs);
	free(t->origin);
}

void
schema_free(struct schema *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ntypes; i++)
		type_clear(&s->types[i]);
	free(s->types);
	free(s);
}

static int
relation_many(const char *relation)
{
	static const char *const many[] = { "oneToMany", "manyToMany",
		"manyWay", "morphToMany" };
	size_t i;

	for (i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		if (relation != NULL && strcmp(relation, many[i]) == 0)
			return 1;
	return 0;
}

/*
 * Copies list, an array of strings, into *out and *n (as far as it got:
 * the caller frees them). Returns 0, or -1 when list is not an array or
 * holds something else.
 */
static int
strings_parse(struct json_object *list, char ***out, size_t *n)
{
	struct json_object *v;
	size_t i, len;

	if (!json_object_is_type(list, json_type_array))
		return -1;
	len = json_object_array_length(list);
	*out = xcalloc(len > 0 ? len : 1, sizeof(**out));
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(list, i);
		if (!json_object_is_type(v, json_type_string))
			return -1;
		(*out)[(*n)++] = xstrdup(json_object_get_string(v));
	}
	return 0;
}

/*
 * Reads one attribute o named name into a (zeroed). Returns 0, or -1 with
 * *cause naming origin and the attribute.
 */
static int
attr_parse(struct schema_attr *a, const char *name, struct json_object *o,
    int type_localized, const char *origin, char **cause)
{
	const char *type, *s, *target;
	struct json_object *list;

	a->name = xstrdup(name);
	if (!json_object_is_type(o, json_type_object) ||
	    (type = jsonget_str(o, "type")) == NULL) {
		xasprintf(cause, "%s: attribute '%s' has no type", origin,
		    name);
		return -1;
	}
	a->type = xstrdup(type);
	a->private = jbool(o, "private", 0) || strcmp(type, "password") == 0;
	a->required = jbool(o, "required", 0);
	a->localized = localized_of(o, type_localized);
	if (strcmp(type, "relation") == 0) {
		a->kind = SCHEMA_RELATION;
		s = jsonget_str(o, "relation");
		a->many = relation_many(s);
		target = jsonget_str(o, "target");
		if (target == NULL)
			target = "";
		if ((s == NULL || strncmp(s, "morph", 5) != 0) &&
		    *target == '\0') {
			xasprintf(cause, "%s: relation '%s' has no target",
			    origin, name);
			return -1;
		}
		a->target = xstrdup(target);
	} else if (strcmp(type, "media") == 0) {
		a->kind = SCHEMA_MEDIA;
		a->multiple = jbool(o, "multiple", 0);
	} else if (strcmp(type, "component") == 0) {
		a->kind = SCHEMA_COMPONENT;
		if ((s = jsonget_str(o, "component")) == NULL || *s == '\0') {
			xasprintf(cause,
			    "%s: component attribute '%s' names no component",
			    origin, name);
			return -1;
		}
		a->component = xstrdup(s);
		a->repeatable = jbool(o, "repeatable", 0);
	} else if (strcmp(type, "dynamiczone") == 0) {
		a->kind = SCHEMA_DYNAMICZONE;
		if (!json_object_object_get_ex(o, "components", &list) ||
		    !json_object_is_type(list, json_type_array)) {
			xasprintf(cause,
			    "%s: dynamic zone '%s' has no components list",
			    origin, name);
			return -1;
		}
		if (strings_parse(list, &a->components, &a->ncomponents) ==
		    -1) {
			xasprintf(cause,
			    "%s: dynamic zone '%s': a component "
			    "that is not a string",
			    origin, name);
			return -1;
		}
	} else
		a->kind = SCHEMA_SCALAR;
	if (strcmp(type, "enumeration") == 0 &&
	    json_object_object_get_ex(o, "enum", &list) &&
	    strings_parse(list, &a->enums, &a->nenums) == -1) {
		xasprintf(cause,
		    "%s: enumeration '%s': a value that is not "
		    "a string",
		    origin, name);
		return -1;
	}
	return 0;
}

/*
 * Reads one type into t (zeroed): sch holds kind, pluginOptions and
 * attributes, info the names, options draftAndPublish (the schema file
 * nests them, the content-type-builder's answer does not). Returns 0, or
 * -1 with *cause naming origin.
 */
static int
type_parse(struct schema_type *t, const char *uid, int component,
    struct json_object *sch, struct json_object *info,
    struct json_object *options, const char *origin, char **cause)
{
	struct json_object *attrs;
	struct json_object_iterator it, end;
	const char *kind, *singular, *plural;

	t->uid = xstrdup(uid);
	t->origin = xstrdup(origin);
	t->component = component;
	if (component) {
		t->singular = xstrdup("");
		t->plural = xstrdup("");
	} else {
		kind = jsonget_str(sch, "kind");
		if (kind == NULL ||
		    (strcmp(kind, "collectionType") != 0 &&
		        strcmp(kind, "singleType") != 0)) {
			xasprintf(cause,
			    "%s: kind is not collectionType or singleType",
			    origin);
			return -1;
		}
		t->single = strcmp(kind, "singleType") == 0;
		singular =
		    info != NULL ? jsonget_str(info, "singularName") : NULL;
		plural = info != NULL ? jsonget_str(info, "pluralName") : NULL;
		if (singular == NULL || *singular == '\0' || plural == NULL ||
		    *plural == '\0') {
			xasprintf(cause, "%s: no singularName or pluralName",
			    origin);
			return -1;
		}
		t->singular = xstrdup(singular);
		t->plural = xstrdup(plural);
		t->draft_and_publish =
		    options != NULL && jbool(options, "draftAndPublish", 0);
		t->localized = localized_of(sch, 0);
	}
	if (!json_object_object_get_ex(sch, "attributes", &attrs) ||
	    !json_object_is_type(attrs, json_type_object) ||
	    json_object_object_length(attrs) == 0) {
		xasprintf(cause, "%s: no attributes", origin);
		return -1;
	}
	t->attrs = xcalloc((size_t)json_object_object_length(attrs),
	    sizeof(*t->attrs));
	it = json_object_iter_begin(attrs);
	end = json_object_iter_end(attrs);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		if (attr_parse(&t->attrs[t->nattrs++],
		        json_object_iter_peek_name(&it),
		        json_object_iter_peek_value(&it), t->localized, origin,
		        cause) == -1)
			return -1;
	}
	return 0;
}

/* A new zeroed type at the end of s, or -1 beyond SCHEMA_MAX_TYPES. */
static struct schema_type *
type_add(struct schema *s, const char *origin, char **cause)
{
	if (s->ntypes >= SCHEMA_MAX_TYPES) {
		xasprintf(cause, "%s: more than %d types", origin,
		    SCHEMA_MAX_TYPES);
		return NULL;
	}
	s->types = xreallocarray(s->types, s->ntypes + 1, sizeof(*s->types));
	memset(&s->types[s->ntypes], 0, sizeof(*s->types));
	return &s->types[s->ntypes++];
}

static int
type_cmp(const void *a, const void *b)
{
	const struct schema_type *x = a, *y = b;

	if (x->component != y->component)
		return x->component - y->component;
	return strcmp(x->uid, y->uid);
}

/*
 * Sorts the types (content types, then components, by uid) and checks
 * what one type cannot: uids are unique, every component an attribute
 * or a dynamic zone names exists. Returns 0, or -1 with *cause.
 */
static int
schema_check(struct schema *s, char **cause)
{
	const struct schema_type *t, *c;
	const struct schema_attr *a;
	size_t i, j, k;

	if (s->ntypes > 0)
		qsort(s->types, s->ntypes, sizeof(*s->types), type_cmp);
	for (i = 0; i < s->ntypes; i++) {
		t = &s->types[i];
		if (i > 0 && strcmp(t->uid, s->types[i - 1].uid) == 0) {
			xasprintf(cause, "%s: type '%s' is also in %s",
			    t->origin, t->uid, s->types[i - 1].origin);
			return -1;
		}
		for (j = 0; j < t->nattrs; j++) {
			a = &t->attrs[j];
			if (a->kind == SCHEMA_COMPONENT &&
			    ((c = schema_type(s, a->component)) == NULL ||
			        !c->component)) {
				xasprintf(cause,
				    "%s: attribute '%s' names unknown "
				    "component '%s'",
				    t->origin, a->name, a->component);
				return -1;
			}
			for (k = 0; k < a->ncomponents; k++) {
				c = schema_type(s, a->components[k]);
				if (c == NULL || !c->component) {
					xasprintf(cause,
					    "%s: dynamic zone '%s' names "
					    "unknown component '%s'",
					    t->origin, a->name,
					    a->components[k]);
					return -1;
				}
			}
		}
	}
	return 0;
}

/*
 * Reads path (a regular file of at most SCHEMA_MAX_FILE bytes) as a JSON
 * object. Returns it, or NULL with *cause naming the file.
 */
static struct json_object *
read_json(const char *path, char **cause)
{
	struct stat sb;
	struct json_tokener *tok;
	struct json_object *o = NULL;
	enum json_tokener_error jerr;
	char *buf = NULL;
	size_t got = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_size > SCHEMA_MAX_FILE) {
		xasprintf(cause, "%s: larger than %d bytes", path,
		    SCHEMA_MAX_FILE);
		goto out;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			xasprintf(cause, "%s: %s", path,
			    r == 0 ? "short read" : strerror(errno));
			goto out;
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, buf, (int)got);
	jerr = json_tokener_get_error(tok);
	if (o == NULL || jerr != json_tokener_success ||
	    strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n") !=
	        got - json_tokener_get_parse_end(tok)) {
		xasprintf(cause, "%s: not JSON (%s)", path,
		    o == NULL || jerr != json_tokener_success
		        ? json_tokener_error_desc(jerr)
		        : "data after the value");
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		xasprintf(cause, "%s: not a JSON object", path);
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
out:
	if (fd != -1)
		close(fd);
	free(buf);
	return o;
}

/* Loads one schema file as the type uid. Returns 0, or -1 with *cause. */
static int
load_file(struct schema *s, const char *path, const char *uid, int component,
    char **cause)
{
	struct json_object *o, *info = NULL, *options = NULL;
	struct schema_type *t;
	int rc = -1;

	if ((t = type_add(s, path, cause)) == NULL)
		return -1;
	if ((o = read_json(path, cause)) == NULL)
		return -1;
	(void)json_object_object_get_ex(o, "info", &info);
	(void)json_object_object_get_ex(o, "options", &options);
	rc = type_parse(t, uid, component, o, info, options, path, cause);
	json_object_put(o);
	return rc;
}

static int
visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * The names in dir (no dot files), sorted, in *names. Returns their
 * count, 0 when dir does not exist and missing_ok, or -1 with *cause.
 */
static int
list_dir(const char *dir, int missing_ok, struct dirent ***names, char **cause)
{
	int n;

	*names = NULL;
	if ((n = scandir(dir, names, visible, alphasort)) == -1) {
		if (missing_ok && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return n;
}

static void
free_names(struct dirent **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The schema files of one tree of a project's src/ folder, two levels deep:
 * api/<a>/content-types/<c>/schema.json, the type api::<a>.<c> (component
 * 0), or components/<category>/<name>.json, the component
 * <category>.<name> (component 1; other files are skipped). A missing
 * components/ or content-types/ folder holds nothing; a missing api/ is an
 * error. Returns 0, or -1 with *cause.
 */
static int
load_tree(struct schema *s, const char *dir, int component, char **cause)
{
	const char *top = component ? "components" : "api";
	const char *mid = component ? "" : "/content-types";
	struct dirent **outer = NULL, **inner = NULL;
	int no, ni = 0, i, j, rc = -1;
	char *path, *uid;
	const char *a, *b;
	size_t len;

	xasprintf(&path, "%s/%s", dir, top);
	no = list_dir(path, component, &outer, cause);
	free(path);
	if (no == -1)
		return -1;
	for (i = 0; i < no; i++) {
		a = outer[i]->d_name;
		xasprintf(&path, "%s/%s/%s%s", dir, top, a, mid);
		ni = list_dir(path, 1, &inner, cause);
		free(path);
		if (ni == -1)
			goto out;
		for (j = 0; j < ni; j++) {
			b = inner[j]->d_name;
			len = strlen(b);
			if (component &&
			    (len <= 5 || strcmp(b + len - 5, ".json") != 0))
				continue;
			if (component) {
				xasprintf(&path, "%s/%s/%s/%s", dir, top, a, b);
				xasprintf(&uid, "%s.%.*s", a, (int)(len - 5),
				    b);
			} else {
				xasprintf(&path, "%s/%s/%s%s/%s/schema.json",
				    dir, top, a, mid, b);
				xasprintf(&uid, "api::%s.%s", a, b);
			}
			rc = load_file(s, path, uid, component, cause);
			free(path);
			free(uid);
			if (rc == -1)
				goto out;
		}
		free_names(inner, ni);
		inner = NULL;
		ni = 0;
	}
	rc = 0;
out:
	free_names(inner, ni);
	free_names(outer, no);
	return rc;
}

int
schema_load_dir(struct schema **out, const char *dir, char **cause)
{
	struct schema *s = xcalloc(1, sizeof(*s));

	if (load_tree(s, dir, 0, cause) == -1 ||
	    load_tree(s, dir, 1, cause) == -1 || schema_check(s, cause) == -1) {
		schema_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/*
 * One content-type-builder answer: {"data":[{"uid","schema":{...}}]}.
 * Content types other than api:: ones are skipped.
 */
static int
load_ctb(struct schema *s, struct json_object *body, int component,
    char **cause)
{
	const char *what = component ? "components" : "content-types";
	struct json_object *data, *e, *sch;
	struct schema_type *t;
	const char *uid;
	char *origin;
	size_t i, n;
	int rc;

	if (body == NULL || !json_object_object_get_ex(body, "data", &data) ||
	    !json_object_is_type(data, json_type_array)) {
		xasprintf(cause, "content-type-builder %s: no data array",
		    what);
		return -1;
	}
	n = json_object_array_length(data);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(data, i);
		if ((uid = jsonget_str(e, "uid")) == NULL ||
		    !json_object_object_get_ex(e, "schema", &sch) ||
		    !json_object_is_type(sch, json_type_object)) {
			xasprintf(cause,
			    "content-type-builder %s: item %zu has no uid "
			    "or schema",
			    what, i);
			return -1;
		}
		if (!component && strncmp(uid, "api::", 5) != 0)
			continue;
		xasprintf(&origin, "content-type-builder %s %s", what, uid);
		if ((t = type_add(s, origin, cause)) == NULL) {
			free(origin);
			return -1;
		}
		rc =
		    type_parse(t, uid, component, sch, sch, sch, origin, cause);
		free(origin);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
schema_load_ctb(struct schema **out, struct json_object *types,
    struct json_object *components, char **cause)
{
	struct schema *s = xcalloc(1, sizeof(*s));

	if (load_ctb(s, types, 0, cause) == -1 ||
	    load_ctb(s, components, 1, cause) == -1 ||
	    schema_check(s, cause) == -1) {
		schema_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

const struct schema_type *
schema_type(const struct schema *s, const char *uid)
{
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		if (strcmp(s->types[i].uid, uid) == 0)
			return &s->types[i];
	return NULL;
}

/*
 * The attribute of tt that a to-many relation a of t is the inverse side
 * of: tt's one to-one relation back to t (oneToMany mappedBy a
 * manyToOne: author.articles). The schema does not keep mappedBy, so
 * this is how an inverse side is told: NULL for every other relation
 * (manyToMany, two ways back, none).
 */
const struct schema_attr *
schema_inverse(const struct schema_type *t, const struct schema_attr *a,
    const struct schema_type *tt)
{
	const struct schema_attr *b, *back = NULL;
	size_t i;

	if (!a->many)
		return NULL;
	for (i = 0; i < tt->nattrs; i++) {
		b = &tt->attrs[i];
		if (b->kind != SCHEMA_RELATION || b->target == NULL ||
		    strcmp(b->target, t->uid) != 0)
			continue;
		if (b->many || back != NULL)
			return NULL;
		back = b;
	}
	return back;
}

const struct schema_type *
schema_type_by_singular(const struct schema *s, const char *singular)
{
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		if (!s->types[i].component &&
		    strcmp(s->types[i].singular, singular) == 0)
			return &s->types[i];
	return NULL;
}

const struct schema_type *
schema_type_by_plural(const struct schema *s, const char *plural, size_t len)
{
	size_t i;

	for (i = 0; i < s->ntypes; i++)
		if (!s->types[i].component &&
		    strlen(s->types[i].plural) == len &&
		    memcmp(s->types[i].plural, plural, len) == 0)
			return &s->types[i];
	return NULL;
}

const struct schema_attr *
schema_attr(const struct schema_type *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (strcmp(t->attrs[i].name, name) == 0)
			return &t->attrs[i];
	return NULL;
}
