/* populate_parse.c: populate, fields and locale parsed into a checked tree */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/populate.h"
#include "api/populate_int.h"
#include "api/qs.h"
#include "model/entry.h"
#include "util/xmalloc.h"

/*
 * The query side follows Strapi 5's convert-query-params: populate is
 * "*", a comma list, an array of names, or an object whose keys are
 * attributes, each with its own populate, fields, count, or (dynamic
 * zones) on[<component>] fragments. Every name is checked against the
 * schema the way Strapi's strictParams validation does: an unknown or
 * scalar attribute is 400 "Invalid key <name>".
 */

#define VALUE_MAX QS_MAX_QUERY

/* The keys every entry has, which the schema does not list. */
static const char *const base_keys[] = { "id", "documentId", "createdAt",
	"updatedAt", "publishedAt", "locale" };

/* The keys of a media row (upload.file), Strapi's 20. */
static const char *const file_keys[] = { "id", "documentId", "name",
	"alternativeText", "caption", "focalPoint", "width", "height",
	"formats", "hash", "ext", "mime", "size", "url", "previewUrl",
	"provider", "provider_metadata", "createdAt", "updatedAt",
	"publishedAt" };

/* upload.file's attributes that fields and populate do not show. */
static const char *const file_hidden[] = { "related", "folder", "folderPath" };

static int
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

#define IN(s, a) in_list((s), (a), sizeof(a) / sizeof((a)[0]))

/* 1 when s is a scalar attribute of upload.file (id is none). */
static int
file_scalar(const char *s)
{
	return IN(s, file_keys) && strcmp(s, "id") != 0;
}

/* 1 when s is a key every entry has (id, documentId, createdAt...). */
int
populate_base_key(const char *s)
{
	return IN(s, base_keys);
}

/*
 * A populate value as Strapi's parseType reads a boolean (its
 * parseBoolean): 1 for "true", "t" or "1", 0 for "false", "f" or "0",
 * -1 for anything else.
 */
static int
boolean_of(const char *v)
{
	static const char *const yes[] = { "true", "t", "1" };
	static const char *const no[] = { "false", "f", "0" };

	if (IN(v, yes))
		return 1;
	return IN(v, no) ? 0 : -1;
}

static int
is_dz(const struct populate *n)
{
	return n->attr != NULL && n->attr->kind == SCHEMA_DYNAMICZONE;
}

/* schema_attr, with no type (a media row) having no attribute. */
const struct schema_attr *
populate_attr(const struct schema_type *t, const char *name)
{
	return t != NULL ? schema_attr(t, name) : NULL;
}

static struct populate *
node_new(struct parser *p, const char *name, const struct schema_type *t,
    const struct schema_attr *a)
{
	struct populate *n;

	if (p->pq->nnodes == POPULATE_MAX_NODES)
		return NULL;
	p->pq->nnodes++;
	n = xcalloc(1, sizeof(*n));
	n->name = xstrdup(name);
	n->type = t;
	n->attr = a;
	return n;
}

/* What populate_filters built of node n: its filter and its sort. */
void
populate_plan_clear(struct populate *n)
{
	size_t i;

	filter_free(n->filter);
	free(n->texts);
	for (i = 0; i < n->sort.nkey; i++)
		free((char *)n->sort.key[i].attr);
}

static void
node_free(struct populate *n)
{
	struct populate *next;
	size_t i;

	for (; n != NULL; n = next) {
		next = n->next;
		node_free(n->child);
		node_free(n->frag);
		populate_json_free(n->own);
		free(n->refused);
		for (i = 0; i < n->nfields; i++)
			free(n->fields[i]);
		if (n->fq != NULL) {
			buf_clear(n->fq);
			free(n->fq);
		}
		populate_plan_clear(n);
		free(n->name);
		free(n);
	}
}

struct populate *
populate_find(struct populate *list, const char *name)
{
	for (; list != NULL; list = list->next)
		if (strcmp(list->name, name) == 0)
			return list;
	return NULL;
}

static void
append(struct populate **list, struct populate *n)
{
	while (*list != NULL)
		list = &(*list)->next;
	*list = n;
}

/*
 * A new child of parent for attribute a named name, rendering type t:
 * NULL with err when the populate nests or names too much.
 */
struct populate *
populate_node_add(struct parser *p, struct populate *parent, const char *name,
    const struct schema_type *t, const struct schema_attr *a, int depth)
{
	struct populate *c;

	if (depth >= POPULATE_MAX_DEPTH) {
		qs_fail(p->err, "populate nests deeper than %d levels",
		    POPULATE_MAX_DEPTH);
		return NULL;
	}
	if ((c = node_new(p, name, t, a)) == NULL) {
		qs_fail(p->err, "populate names too many attributes");
		return NULL;
	}
	append(&parent->child, c);
	return c;
}

/*
 * The path Strapi names for the node whose options begin at s: the
 * pair's segments before s, after "populate", joined by dots (their
 * path.raw in Strapi's query traversal); attrs: the attributes
 * alone, without populate, on and a fragment's name (path.attribute).
 */
static void
node_path(const struct parser *p, const char *const *s, int attrs, char *out,
    size_t size)
{
	size_t i, n = 0, end = (size_t)(s - p->seg);

	out[0] = '\0';
	for (i = 1; i < end && n < size; i++) {
		if (attrs &&
		    (strcmp(p->seg[i], "populate") == 0 ||
		        strcmp(p->seg[i], "on") == 0 ||
		        strcmp(p->seg[i - 1], "on") == 0))
			continue;
		n += (size_t)snprintf(out + n, size - n, "%s%s",
		    n > 0 ? "." : "", p->seg[i]);
	}
}

/*
 * Refuses key "at" the path node_path gives for s (Strapi's
 * throwInvalidKey: no " at" when the path is empty or the key itself).
 */
static int
refuse_at(struct parser *p, const char *key, const char *const *s, int attrs)
{
	char path[QS_MAX_KEY + 1];

	node_path(p, s, attrs, path, sizeof(path));
	return qs_invalid_key_at(p->err, key, path, "populate");
}

/*
 * Refuses the populate of name (s: where it is in the pair's key, NULL
 * in a dot path, checked before). Strapi's validatePopulate: a
 * name no attribute has is at the attributes down to it (path.attribute,
 * which grows by attributes alone); a scalar at the segments down to it
 * and with it (path.raw); a private attribute (refused as private) at
 * the attributes with it.
 */
static int
refuse_child(struct parser *p, const char *name, const struct schema_attr *a,
    const char *const *s)
{
	if (s == NULL)
		return qs_invalid_key(p->err, name, "populate");
	if (a == NULL)
		return refuse_at(p, name, s, 1);
	return refuse_at(p, name, s + 1, a->kind != SCHEMA_SCALAR);
}

/*
 * The child of parent for attribute name, made and checked once (s: the
 * name in the pair's key, NULL in a dot path).
 */
struct populate *
populate_child(struct parser *p, struct populate *parent, const char *name,
    const char *const *s, int depth)
{
	const struct schema_type *pt = parent->type, *ct = NULL;
	const struct schema_attr *a = NULL;
	struct populate *c;

	if ((c = populate_find(parent->child, name)) != NULL)
		return c;
	if (strcmp(name, "localizations") == 0 && pt != NULL &&
	    !pt->component && pt->localized)
		ct = pt;
	else {
		a = populate_attr(pt, name);
		if (a == NULL || a->private || a->kind == SCHEMA_SCALAR) {
			refuse_child(p, name, a, s);
			return NULL;
		}
		if (a->kind == SCHEMA_RELATION)
			ct = schema_type(p->schema, a->target);
		else if (a->kind == SCHEMA_COMPONENT)
			ct = schema_type(p->schema, a->component);
	}
	return populate_node_add(p, parent, name, ct, a, depth);
}

/*
 * The on[<component>] fragment of a dynamic zone node (s: at uid in the
 * pair's key). A uid not among the zone's components is refused at the
 * segments down to it (Strapi's validatePopulate: on's targets).
 */
static struct populate *
frag_of(struct parser *p, struct populate *dz, const char *const *s)
{
	const char *uid = s[0];
	struct populate *f;
	size_t i;

	if ((f = populate_find(dz->frag, uid)) != NULL)
		return f;
	for (i = 0; i < dz->attr->ncomponents; i++)
		if (strcmp(dz->attr->components[i], uid) == 0)
			break;
	if (i == dz->attr->ncomponents) {
		refuse_at(p, uid, s + 1, 0);
		return NULL;
	}
	if ((f = node_new(p, uid, schema_type(p->schema, uid), NULL)) == NULL) {
		qs_fail(p->err, "populate names too many attributes");
		return NULL;
	}
	append(&dz->frag, f);
	return f;
}

/*
 * One field name of node n (kept scalars). A refused one is Strapi's
 * (Strapi's validateFields, run afresh on the populated type: no path
 * above it) at itself when it is an attribute, else at no path; the
 * param is the pair's family, populate inside a populate (the
 * validatePopulate of Strapi's query validation).
 */
static int
add_field(struct parser *p, struct populate *n, const char *f)
{
	const struct schema_attr *a = NULL;
	int ok;

	if (*f == '\0' || strcmp(f, "*") == 0)
		return 0;
	if (n->attr != NULL && n->attr->kind == SCHEMA_MEDIA)
		ok = IN(f, file_keys);
	else {
		a = populate_attr(n->type, f);
		ok = (a != NULL && !a->private && a->kind == SCHEMA_SCALAR) ||
		    (!n->type->component && IN(f, base_keys)) ||
		    strcmp(f, "id") == 0;
	}
	if (!ok)
		return qs_invalid_key_at(p->err, f,
		    a != NULL || IN(f, file_hidden) ? f : "", p->seg[0]);
	if (n->nfields == POPULATE_MAX_FIELDS)
		return qs_fail(p->err, "fields names too many attributes");
	n->fields[n->nfields++] = xstrdup(f);
	return 0;
}

/* fields=a,b or fields[i]=a for node n; s: the segments after "fields". */
static int
fields_of(struct parser *p, struct populate *n, const char *const *s, size_t ns,
    char *v)
{
	char *q, *comma;

	/* an object: Strapi's convertFieldsQueryParams */
	if (ns > 1 || (ns == 1 && !qs_is_index(s[0])))
		return qs_fail(p->err,
		    "Invalid fields parameter. Expected a string or an array "
		    "of strings");
	for (q = v; q != NULL; q = comma) {
		if ((comma = strchr(q, ',')) != NULL)
			*comma++ = '\0';
		while (*q == ' ')
			q++;
		if (add_field(p, n, q) == -1)
			return -1;
	}
	return 0;
}

static int attr_spec(struct parser *, struct populate *, const char *const *,
    size_t, char *, int);

/*
 * populate[<media>][populate]...: validatePopulate on upload.file, which
 * has nothing this mirror populates (s: from "populate"). An object's
 * key is refused as refuse_child does; a string is a dot path checked
 * afresh (validatePopulateDotPathSegments), its first name at itself.
 */
static int
media_populate(struct parser *p, const char *const *s, size_t ns, char *v)
{
	size_t len;

	if (ns > 1 && !(ns == 2 && qs_is_index(s[1]))) { /* [0]=: a path */
		if (file_scalar(s[1]))
			return refuse_at(p, s[1], s + 2, 0);
		return refuse_at(p, s[1], s + 1 + IN(s[1], file_hidden), 1);
	}
	v += strspn(v, " \t\n\v\f\r,.");
	len = strcspn(v, ",.");
	while (len > 0 && strchr(" \t\n\v\f\r", v[len - 1]) != NULL)
		len--;
	if (len == 0)
		return 0; /* no path: nothing to populate */
	v[len] = '\0';
	return qs_invalid_key_at(p->err, v, v, "populate");
}

/*
 * A key under node c that is no option (s: at it). Strapi's
 * validatePopulate: an attribute of c's type that can be populated is
 * let through (and its query conversion then ignores it); a scalar or
 * private one, or a name no attribute has, refused as refuse_child does.
 */
static int
other_key(struct parser *p, const struct populate *c, const char *const *s)
{
	const struct schema_attr *a = populate_attr(c->type, s[0]);

	if (c->attr != NULL && c->attr->kind == SCHEMA_MEDIA)
		return file_scalar(s[0])
		    ? refuse_at(p, s[0], s + 1, 0)
		    : refuse_at(p, s[0], s + IN(s[0], file_hidden), 1);
	if (a != NULL && !a->private && a->kind != SCHEMA_SCALAR)
		return 0;
	return refuse_child(p, s[0], a, s);
}

/*
 * A populate[...][filters][...]=v or [sort]...=v pair, kept as REST's
 * filters[...]=v or sort...=v for populate_filters (s: from "filters" or
 * "sort" on).
 */
static int
filters_of(struct populate *c, const char *const *s, size_t ns, const char *v)
{
	size_t i;

	if (c->fq == NULL) {
		c->fq = xmalloc(sizeof(*c->fq));
		buf_init(c->fq);
	} else
		buf_addc(c->fq, '&');
	buf_adds(c->fq, s[0]);
	for (i = 1; i < ns; i++) {
		buf_addc(c->fq, '[');
		buf_add_qs_encoded(c->fq, s[i]);
		buf_addc(c->fq, ']');
	}
	buf_addc(c->fq, '=');
	buf_add_qs_encoded(c->fq, v);
	return 0;
}

/*
 * What takes [filters] and [sort] inside a populate (docs/api.md,
 * "Filters and sort inside populate"): a relation, a media, a component,
 * a dynamic zone's on[<component>] fragments.
 */
static int
filterable(const struct populate *c)
{
	if (c->attr == NULL)
		return c->type != NULL && c->type->component; /* a fragment */
	return c->attr->kind != SCHEMA_SCALAR;
}

/*
 * The populate of node n: s are the segments after "populate", v the
 * value: "*", "a,b", populate[0]=a, or populate[a]...
 */
static int
populate_of(struct parser *p, struct populate *n, const char *const *s,
    size_t ns, char *v, int depth)
{
	struct populate *c;
	char *q, *comma, *end;

	if (ns > 0 && !qs_is_index(s[0])) {
		if (ns == 1 && boolean_of(v) == 0)
			return 0; /* populate[a]=false, f or 0: not populated */
		if ((c = populate_child(p, n, s[0], s, depth)) == NULL)
			return -1;
		return attr_spec(p, c, s + 1, ns - 1, v, depth + 1);
	}
	if (ns > 1)
		return qs_invalid_key(p->err, s[1], "populate");
	if (strcmp(v, "*") == 0) {
		n->star = 1;
		return 0;
	}
	if (n->attr != NULL && n->attr->kind == SCHEMA_MEDIA)
		return qs_invalid_key(p->err, v, "populate");
	/* a list of dot paths, each trimmed (convertPopulateQueryParams) */
	for (q = v; q != NULL; q = comma) {
		if ((comma = strchr(q, ',')) != NULL)
			*comma++ = '\0';
		q += strspn(q, " \t\n\v\f\r");
		for (end = q + strlen(q);
		     end > q && strchr(" \t\n\v\f\r", end[-1]) != NULL;)
			*--end = '\0';
		if (*q != '\0' && populate_dot(p, n, q, depth) == -1)
			return -1;
	}
	return 0;
}

/*
 * The options of a dynamic zone c (s: after its name). Strapi 5.54.0
 * validates its populate (Strapi's validateMorphLikeNestedPopulate:
 * "*" or none, else "Invalid key populate at <zone>") and its on
 * fragments (its populate traversal, onDynamicZone) alone. Anything else
 * (fields, filters, sort, count, any key) is unchecked: with on, the
 * sanitizer keeps the zone's on alone (Strapi's
 * defaultSanitizePopulate); without, convertPopulateObject takes count
 * and refuses the rest (populate_dz_refuse). Kept as sent to print them.
 */
static int
zone_spec(struct parser *p, struct populate *c, const char *const *s, size_t ns,
    char *v, int depth)
{
	struct populate *f;

	if (strcmp(s[0], "on") == 0) {
		if (ns < 2) /* on=x: at the segments down to it */
			return refuse_at(p, s[0], s + 1, 0);
		if ((f = frag_of(p, c, s + 1)) == NULL)
			return -1;
		return attr_spec(p, f, s + 2, ns - 2, v, depth + 1);
	}
	if (strcmp(s[0], "populate") == 0 && p->has_value) {
		if (ns > 1 || strcmp(v, "*") != 0)
			return refuse_at(p, s[0], s, 0);
		c->star = 1;
	}
	populate_json_put(&c->own, s, ns, p->has_value ? v : NULL);
	return 0;
}

/* What follows populate[...][name]: nothing, populate, fields, count, on. */
static int
attr_spec(struct parser *p, struct populate *c, const char *const *s, size_t ns,
    char *v, int depth)
{
	int dz = is_dz(c);

	if (ns == 0) {
		/*
		 * populate[a]=true. A zone given another word (not "", which
		 * has no keys) is refused after the validation, as Strapi's
		 * convertPopulateObject refuses what is not an object of on,
		 * count and populate (populate_dz_refuse).
		 */
		if (dz && *v != '\0' && boolean_of(v) == -1 &&
		    c->refused == NULL)
			c->refused = xstrdup(v);
		return 0;
	}
	if (dz)
		return zone_spec(p, c, s, ns, v, depth);
	if (strcmp(s[0], "populate") == 0) {
		if (c->attr != NULL && c->attr->kind == SCHEMA_MEDIA &&
		    (ns > 1 || strcmp(v, "*") != 0))
			return media_populate(p, s, ns, v);
		return populate_of(p, c, s + 1, ns - 1, v, depth);
	}
	if (strcmp(s[0], "fields") == 0)
		return fields_of(p, c, s + 1, ns - 1, v);
	if (strcmp(s[0], "filters") == 0 && ns >= 2 && filterable(c))
		return filters_of(c, s, ns, v);
	if (strcmp(s[0], "sort") == 0 && filterable(c))
		return filters_of(c, s, ns, v);
	if (strcmp(s[0], "filters") == 0 && ns == 1)
		return qs_fail(p->err,
		    "The filters parameter must be an "
		    "object or an array");
	if (strcmp(s[0], "count") == 0 && ns == 1 && c->attr != NULL) {
		/*
		 * Strapi's validatePopulate: a count is a boolean word. A
		 * relation's and a component's (a join table, which its
		 * database layer's populate counts: XtoOne and oneToMany)
		 * answer {"count":N}; a media's is dropped (morphX reads no
		 * count).
		 */
		if (boolean_of(v) == -1)
			return refuse_at(p, s[0], s, 1);
		c->count = c->attr->kind != SCHEMA_MEDIA && boolean_of(v);
		return 0;
	}
	return other_key(p, c, s);
}

static int
locale_param(struct populate_query *pq, const struct qs_key *k, const char *v,
    size_t vlen, struct qs_error *err)
{
	if (k->nseg != 1)
		return qs_invalid_key(err, k->seg[k->nseg - 1], "locale");
	if (pq->locale_kind != POPULATE_LOCALE_DEFAULT)
		return qs_fail(err, "Duplicate parameter locale");
	if (vlen == 0 || vlen > ENTRY_MAX_LOCALE)
		return qs_fail(err, "Invalid locale");
	if (strcmp(v, "*") == 0)
		pq->locale_kind = POPULATE_LOCALE_EVERY;
	else if (strcmp(v, "all") == 0)
		pq->locale_kind = POPULATE_LOCALE_NONE;
	else {
		pq->locale_kind = POPULATE_LOCALE_ONE;
		pq->locale = xstrdup(v);
	}
	return 0;
}

/* One populate/fields/locale pair; 1 when it is none of those. */
static int
param(struct parser *p, const struct schema_type *t, const char *key,
    size_t klen, char *v, size_t vlen)
{
	struct qs_key k;

	if (qs_key_split(key, klen, &k, QS_KEY_SEGS) == -1)
		return 1; /* qs_parse says why */
	if (strcmp(k.seg[0], "locale") == 0)
		return locale_param(p->pq, &k, v, vlen, p->err);
	if (strcmp(k.seg[0], "populate") != 0 &&
	    strcmp(k.seg[0], "fields") != 0)
		return 1;
	if (p->pq->root == NULL)
		p->pq->root = node_new(p, "", t, NULL);
	p->seg = k.seg;
	p->nseg = k.nseg;
	if (strcmp(k.seg[0], "fields") == 0)
		return fields_of(p, p->pq->root, k.seg + 1, k.nseg - 1, v);
	return populate_of(p, p->pq->root, k.seg + 1, k.nseg - 1, v, 0);
}

/*
 * Takes populate, fields and locale out of a query string, checked
 * against type t of schema; every other pair goes to rest as sent (a
 * pair qs_parse will refuse goes there too, so it says why). 0, or -1
 * with err (the tree is freed then).
 */
int
populate_parse(struct populate_query *pq, const char *query,
    const struct schema *schema, const struct schema_type *t, struct buf *rest,
    struct qs_error *err)
{
	struct parser p = { pq, schema, err, NULL, 0, 0 };
	struct qs_iter it;
	struct qs_pair pr;
	const char *start;
	char *val;
	size_t qlen = strlen(query);
	int r;

	memset(pq, 0, sizeof(*pq));
	if (qlen > QS_MAX_QUERY) {
		buf_adds(rest, query); /* qs_parse refuses it */
		return 0;
	}
	val = xmalloc(VALUE_MAX + 1);
	qs_iter_init(&it, query, qlen, 0);
	for (;;) {
		start = it.p;
		r = qs_next(&it, &pr, val, VALUE_MAX + 1);
		if (r == QS_END)
			break;
		p.has_value = pr.has_value;
		if (r == QS_PAIR && pr.klen > 0 &&
		    (r = param(&p, t, pr.key, pr.klen, val, pr.vlen)) != 1) {
			if (r == -1) {
				free(val);
				populate_query_clear(pq);
				return -1;
			}
			continue;
		}
		if (rest->len > 0)
			buf_addc(rest, '&');
		buf_add(rest, start, (size_t)(pr.raw + pr.rawlen - start));
	}
	free(val);
	return 0;
}

void
populate_query_clear(struct populate_query *pq)
{
	node_free(pq->root);
	free(pq->locale);
	memset(pq, 0, sizeof(*pq));
}
