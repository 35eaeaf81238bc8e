/* populate.c: Strapi 5's populate and fields, parsed and rendered */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/populate.h"
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
 *
 * The render side turns a stored form (model/normalize.h) into Strapi's
 * answer, reaching related entries and media rows through the resolver
 * only, so it can be tested without a store.
 */

#define MAX_KEY_SEGS 40
#define VALUE_MAX    QS_MAX_QUERY

/* The keys every entry has, which the schema does not list. */
static const char *const base_keys[] = { "id", "documentId", "createdAt",
	"updatedAt", "publishedAt", "locale" };

/* The keys of a media row (upload.file), Strapi's 20. */
static const char *const file_keys[] = { "id", "documentId", "name",
	"alternativeText", "caption", "focalPoint", "width", "height",
	"formats", "hash", "ext", "mime", "size", "url", "previewUrl",
	"provider", "provider_metadata", "createdAt", "updatedAt",
	"publishedAt" };

struct segs {
	const char *seg[MAX_KEY_SEGS];
	size_t n;
	char buf[QS_MAX_KEY + MAX_KEY_SEGS + 1];
};

struct parser {
	struct populate_query *pq;
	const struct schema *schema;
	struct qs_error *err;
};

static int
perr(struct qs_error *err, const char *msg)
{
	snprintf(err->message, sizeof(err->message), "%s", msg);
	err->key[0] = err->param[0] = '\0';
	return -1;
}

static int
invalid(struct qs_error *err, const char *key, const char *param)
{
	snprintf(err->message, sizeof(err->message), "Invalid key %s", key);
	snprintf(err->key, sizeof(err->key), "%s", key);
	snprintf(err->param, sizeof(err->param), "%s", param);
	return -1;
}

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

/* schema_attr, with no type (a media row) having no attribute. */
static const struct schema_attr *
schema_attr_of(const struct schema_type *t, const char *name)
{
	return t != NULL ? schema_attr(t, name) : NULL;
}

int
populate_type_flat(const struct schema_type *t)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].kind != SCHEMA_SCALAR)
			return 0;
	return 1;
}

/*
 * "populate[a][b]" into its segments: the name, then each bracket's
 * content. -1 when the brackets are unbalanced or too many.
 */
static int
segs_split(const char *k, size_t n, struct segs *s)
{
	size_t i = strcspn(k, "["), o, j;

	if (i > n)
		i = n;
	memcpy(s->buf, k, i);
	s->buf[i] = '\0';
	s->seg[0] = s->buf;
	s->n = 1;
	o = i + 1;
	while (i < n) {
		if (k[i] != '[' || s->n == MAX_KEY_SEGS)
			return -1;
		for (j = ++i; j < n && k[j] != ']' && k[j] != '['; j++)
			;
		if (j == n || k[j] != ']')
			return -1;
		memcpy(s->buf + o, k + i, j - i);
		s->buf[o + (j - i)] = '\0';
		s->seg[s->n++] = s->buf + o;
		o += j - i + 1;
		i = j + 1;
	}
	return 0;
}

static int
is_index(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
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

static void
node_free(struct populate *n)
{
	struct populate *next;
	size_t i;

	for (; n != NULL; n = next) {
		next = n->next;
		node_free(n->child);
		node_free(n->frag);
		for (i = 0; i < n->nfields; i++)
			free(n->fields[i]);
		free(n->name);
		free(n);
	}
}

static struct populate *
find(struct populate *list, const char *name)
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

/* The child of parent for attribute name, made and checked once. */
static struct populate *
child_of(struct parser *p, struct populate *parent, const char *name, int depth)
{
	const struct schema_type *pt = parent->type, *ct = NULL;
	const struct schema_attr *a = NULL;
	struct populate *c;

	if ((c = find(parent->child, name)) != NULL)
		return c;
	if (depth >= POPULATE_MAX_DEPTH) {
		snprintf(p->err->message, sizeof(p->err->message),
		    "populate nests deeper than %d levels", POPULATE_MAX_DEPTH);
		p->err->key[0] = p->err->param[0] = '\0';
		return NULL;
	}
	if (strcmp(name, "localizations") == 0 && pt != NULL &&
	    !pt->component && pt->localized)
		ct = pt;
	else {
		a = schema_attr_of(pt, name);
		if (a == NULL || a->private || a->kind == SCHEMA_SCALAR) {
			invalid(p->err, name, "populate");
			return NULL;
		}
		if (a->kind == SCHEMA_RELATION)
			ct = schema_type(p->schema, a->target);
		else if (a->kind == SCHEMA_COMPONENT)
			ct = schema_type(p->schema, a->component);
	}
	if ((c = node_new(p, name, ct, a)) == NULL) {
		perr(p->err, "populate names too many attributes");
		return NULL;
	}
	append(&parent->child, c);
	return c;
}

/* The on[<component>] fragment of a dynamic zone node. */
static struct populate *
frag_of(struct parser *p, struct populate *dz, const char *uid)
{
	struct populate *f;
	size_t i;

	if ((f = find(dz->frag, uid)) != NULL)
		return f;
	for (i = 0; i < dz->attr->ncomponents; i++)
		if (strcmp(dz->attr->components[i], uid) == 0)
			break;
	if (i == dz->attr->ncomponents) {
		invalid(p->err, uid, "populate");
		return NULL;
	}
	if ((f = node_new(p, uid, schema_type(p->schema, uid), NULL)) == NULL) {
		perr(p->err, "populate names too many attributes");
		return NULL;
	}
	append(&dz->frag, f);
	return f;
}

/* One field name of node n (kept scalars). */
static int
add_field(struct parser *p, struct populate *n, const char *f)
{
	const struct schema_attr *a;
	int ok;

	if (*f == '\0' || strcmp(f, "*") == 0)
		return 0;
	if (n->attr != NULL && n->attr->kind == SCHEMA_MEDIA)
		ok = IN(f, file_keys);
	else if (n->attr != NULL && n->attr->kind == SCHEMA_DYNAMICZONE)
		ok = 0;
	else {
		a = schema_attr_of(n->type, f);
		ok = (a != NULL && !a->private && a->kind == SCHEMA_SCALAR) ||
		    (!n->type->component && IN(f, base_keys)) ||
		    strcmp(f, "id") == 0;
	}
	if (!ok)
		return invalid(p->err, f, "fields");
	if (n->nfields == POPULATE_MAX_FIELDS)
		return perr(p->err, "fields names too many attributes");
	n->fields[n->nfields++] = xstrdup(f);
	return 0;
}

/* fields=a,b or fields[i]=a for node n; s: the segments after "fields". */
static int
fields_of(struct parser *p, struct populate *n, const char *const *s, size_t ns,
    char *v)
{
	char *q, *comma;

	if (ns > 1 || (ns == 1 && !is_index(s[0])))
		return invalid(p->err, s[ns - 1], "fields");
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
 * The populate of node n: s are the segments after "populate", v the
 * value: "*", "a,b", populate[0]=a, or populate[a]...
 */
static int
populate_of(struct parser *p, struct populate *n, const char *const *s,
    size_t ns, char *v, int depth)
{
	struct populate *c;
	char *q, *comma;
	int dz = n->attr != NULL && n->attr->kind == SCHEMA_DYNAMICZONE;

	if (ns > 0 && !is_index(s[0])) {
		if (dz)
			return invalid(p->err, s[0], "populate");
		if (ns == 1 && strcmp(v, "false") == 0)
			return 0;
		if ((c = child_of(p, n, s[0], depth)) == NULL)
			return -1;
		return attr_spec(p, c, s + 1, ns - 1, v, depth + 1);
	}
	if (ns > 1)
		return invalid(p->err, s[1], "populate");
	if (strcmp(v, "*") == 0 || strcmp(v, "true") == 0) {
		n->star = 1;
		return 0;
	}
	if (n->attr != NULL && n->attr->kind == SCHEMA_MEDIA)
		return invalid(p->err, v, "populate");
	for (q = v; q != NULL; q = comma) {
		if ((comma = strchr(q, ',')) != NULL)
			*comma++ = '\0';
		while (*q == ' ')
			q++;
		if (*q == '\0')
			continue;
		if (dz)
			return invalid(p->err, q, "populate");
		if (child_of(p, n, q, depth) == NULL)
			return -1;
	}
	return 0;
}

/* What follows populate[...][name]: nothing, populate, fields, count, on. */
static int
attr_spec(struct parser *p, struct populate *c, const char *const *s, size_t ns,
    char *v, int depth)
{
	struct populate *f;

	if (ns == 0)
		return 0; /* populate[a]=true */
	if (strcmp(s[0], "populate") == 0) {
		if (c->attr != NULL && c->attr->kind == SCHEMA_MEDIA &&
		    (ns > 1 || strcmp(v, "*") != 0))
			return invalid(p->err, ns > 1 ? s[1] : v, "populate");
		return populate_of(p, c, s + 1, ns - 1, v, depth);
	}
	if (strcmp(s[0], "fields") == 0)
		return fields_of(p, c, s + 1, ns - 1, v);
	if (strcmp(s[0], "count") == 0 && ns == 1 && c->attr != NULL &&
	    c->attr->kind == SCHEMA_RELATION) {
		c->count = strcmp(v, "true") == 0;
		return 0;
	}
	if (strcmp(s[0], "on") == 0 && ns >= 2 && c->attr != NULL &&
	    c->attr->kind == SCHEMA_DYNAMICZONE) {
		if ((f = frag_of(p, c, s[1])) == NULL)
			return -1;
		return attr_spec(p, f, s + 2, ns - 2, v, depth + 1);
	}
	return invalid(p->err, s[0], "populate");
}

static int
locale_param(struct populate_query *pq, const struct segs *k, const char *v,
    size_t vlen, struct qs_error *err)
{
	if (k->n != 1)
		return invalid(err, k->seg[k->n - 1], "locale");
	if (pq->locale_kind != POPULATE_LOCALE_DEFAULT)
		return perr(err, "Duplicate parameter locale");
	if (vlen == 0 || vlen > ENTRY_MAX_LOCALE)
		return perr(err, "Invalid locale");
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
	struct segs k;

	if (segs_split(key, klen, &k) == -1)
		return 1; /* qs_parse says why */
	if (strcmp(k.seg[0], "locale") == 0)
		return locale_param(p->pq, &k, v, vlen, p->err);
	if (strcmp(k.seg[0], "populate") != 0 &&
	    strcmp(k.seg[0], "fields") != 0)
		return 1;
	if (p->pq->root == NULL) {
		p->pq->root = node_new(p, "", t, NULL);
	}
	if (strcmp(k.seg[0], "fields") == 0)
		return fields_of(p, p->pq->root, k.seg + 1, k.n - 1, v);
	return populate_of(p, p->pq->root, k.seg + 1, k.n - 1, v, 0);
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
	struct parser p = { pq, schema, err };
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

/* --- rendering --------------------------------------------------------- */

struct render {
	const struct schema *schema;
	const struct populate_resolver *r;
	struct buf tmp;
	int failed;
	int over; /* the lookup budget ran out */
};

static const struct populate none; /* what `*` gives each attribute */

static struct json_object *
parse_bytes(const char *json, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len > INT_MAX || (tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, json, (int)len);
	json_tokener_free(tok);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static int
field_kept(const struct populate *spec, const char *key)
{
	size_t i;

	if (spec == NULL || spec->nfields == 0)
		return 1;
	if (strcmp(key, "id") == 0 || strcmp(key, "documentId") == 0 ||
	    strcmp(key, "__component") == 0)
		return 1;
	for (i = 0; i < spec->nfields; i++)
		if (strcmp(key, spec->fields[i]) == 0)
			return 1;
	return 0;
}

static struct json_object *render_obj(struct render *,
    const struct schema_type *, struct json_object *, const struct populate *,
    int);

/* 1 when a lookup may be made (and counts it against the budget). */
static int
lookup(struct render *rd)
{
	size_t *b = rd->r->budget;

	if (b == NULL)
		return 1;
	if (*b == 0) {
		rd->over = 1;
		return 0;
	}
	(*b)--;
	return 1;
}

/* Parses what a resolver appended to rd->tmp; NULL and failed if bad. */
static struct json_object *
resolved(struct render *rd, enum populate_found f)
{
	struct json_object *o;

	if (f == POPULATE_ERR)
		rd->failed = 1;
	if (f != POPULATE_FOUND)
		return NULL;
	if ((o = parse_bytes(rd->tmp.data, rd->tmp.len)) == NULL)
		rd->failed = 1;
	return o;
}

/* A media row with the spec's fields, or NULL when not stored. */
static struct json_object *
media_one(struct render *rd, struct json_object *id, const struct populate *c)
{
	struct json_object *row, *out;

	if (id == NULL || !json_object_is_type(id, json_type_int))
		return NULL;
	if (!lookup(rd))
		return NULL;
	buf_reset(&rd->tmp);
	row = resolved(rd,
	    rd->r->media(rd->r->arg, json_object_get_int64(id), &rd->tmp));
	if (row == NULL || c->nfields == 0)
		return row;
	out = render_obj(rd, NULL, row, c, 0);
	json_object_put(row);
	return out;
}

static struct json_object *
media(struct render *rd, const struct schema_attr *a, struct json_object *v,
    const struct populate *c)
{
	struct json_object *arr, *m;
	size_t i, n;

	if (!a->multiple)
		return media_one(rd, v, c);
	arr = json_object_new_array();
	n = v != NULL && json_object_is_type(v, json_type_array)
	    ? json_object_array_length(v)
	    : 0;
	for (i = 0; i < n; i++)
		if ((m = media_one(rd, json_object_array_get_idx(v, i), c)) !=
		    NULL)
			json_object_array_add(arr, m);
	return arr;
}

/*
 * The related entry a reference names, rendered; NULL when missing.
 * created (when not NULL, 32 bytes): the entry's createdAt.
 */
static struct json_object *
relation_one(struct render *rd, const struct schema_type *tt,
    struct json_object *ref, const struct populate *c, int depth, int *found,
    char *created)
{
	struct json_object *doc, *loc, *row, *out, *ca;
	const char *locale = "", *const * ls;

	*found = 0;
	if (ref == NULL || !json_object_is_type(ref, json_type_object) ||
	    !json_object_object_get_ex(ref, "documentId", &doc) ||
	    !json_object_is_type(doc, json_type_string))
		return NULL;
	if (json_object_object_get_ex(ref, "locale", &loc) &&
	    json_object_is_type(loc, json_type_string))
		locale = json_object_get_string(loc);
	else if (tt->localized && rd->r->locales(rd->r->arg, tt, &ls) > 0)
		locale = ls[0];
	if (!lookup(rd))
		return NULL;
	buf_reset(&rd->tmp);
	row = resolved(rd,
	    rd->r->entry(rd->r->arg, tt, json_object_get_string(doc), locale,
	        &rd->tmp));
	if (row == NULL)
		return NULL;
	*found = 1;
	if (created != NULL)
		snprintf(created, 32, "%s",
		    json_object_object_get_ex(row, "createdAt", &ca)
		        ? json_object_get_string(ca)
		        : "");
	if (c->count) {
		json_object_put(row);
		return NULL;
	}
	out = render_obj(rd, tt, row, c, depth + 1);
	json_object_put(row);
	return out;
}

/*
 * The attribute of tt that a to-many relation of t is the inverse side
 * of: tt's one to-one relation back to t (oneToMany mappedBy a
 * manyToOne). The schema does not keep mappedBy, so this is how an
 * inverse side is told: NULL for every other relation.
 */
static const struct schema_attr *
inverse_of(const struct schema_type *t, const struct schema_attr *a,
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
			return NULL; /* manyToMany, or two ways back */
		back = b;
	}
	return back;
}

/*
 * An inverse relation's references, read from the store's referrer
 * index: the other side's entries as they are now, not as the entry's
 * last delivery listed them (F5: Strapi does not send it again). NULL
 * when there is no index reader (the stored references are used).
 */
static struct json_object *
referrers(struct render *rd, const struct schema_type *t,
    struct json_object *entry, const struct schema_type *tt,
    const struct schema_attr *back)
{
	struct json_object *doc, *loc, *arr = NULL;
	struct buf b;
	enum populate_found f;

	if (rd->r->referrers == NULL ||
	    !json_object_object_get_ex(entry, "documentId", &doc) ||
	    !json_object_is_type(doc, json_type_string))
		return NULL;
	if (!json_object_object_get_ex(entry, "locale", &loc) ||
	    !json_object_is_type(loc, json_type_string))
		loc = NULL;
	if (!lookup(rd))
		return NULL;
	buf_init(&b);
	f = rd->r->referrers(rd->r->arg, t, json_object_get_string(doc),
	    loc != NULL ? json_object_get_string(loc) : "", tt, back->name, &b);
	if (f == POPULATE_FOUND)
		arr = json_tokener_parse(buf_cstr(&b));
	if (f == POPULATE_ERR ||
	    (f == POPULATE_FOUND && !json_object_is_type(arr, json_type_array)))
		rd->failed = 1;
	buf_clear(&b);
	return arr;
}

/* A rendered referrer and its createdAt, for ordering an inverse side. */
struct created {
	char created[32];
	struct json_object *o;
};

static int
by_created(const void *a, const void *b)
{
	const struct created *x = a, *y = b;

	return strcmp(x->created, y->created);
}

/*
 * A relation: the target's entries, {"count":N}, or NULL with *omit set
 * when the target type is not served. An inverse side (author.articles,
 * mappedBy author) is read from the store's referrer index.
 */
static struct json_object *
relation(struct render *rd, const struct schema_type *t,
    struct json_object *entry, const struct schema_attr *a,
    struct json_object *v, const struct populate *c, int depth, int *omit)
{
	const struct schema_type *tt = schema_type(rd->schema, a->target);
	const struct schema_attr *back;
	struct json_object *arr, *e, *inv = NULL;
	struct created *byc;
	const char *const *ls;
	size_t i, m, n;
	int found, count = 0;

	if (tt == NULL || rd->r->locales(rd->r->arg, tt, &ls) == 0) {
		*omit = 1;
		return NULL;
	}
	if (!a->many && !c->count)
		return relation_one(rd, tt, v, c, depth, &found, NULL);
	if ((back = inverse_of(t, a, tt)) != NULL &&
	    (inv = referrers(rd, t, entry, tt, back)) != NULL)
		v = inv;
	n = v != NULL && json_object_is_type(v, json_type_array)
	    ? json_object_array_length(v)
	    : 0;
	if (!a->many && v != NULL && json_object_is_type(v, json_type_object))
		n = 1;
	arr = json_object_new_array();
	byc = inv != NULL && n > 0 ? xcalloc(n, sizeof(*byc)) : NULL;
	for (i = 0, m = 0; i < n; i++) {
		e = relation_one(rd, tt,
		    a->many ? json_object_array_get_idx(v, i) : v, c, depth,
		    &found, byc != NULL ? byc[m].created : NULL);
		count += found;
		if (e != NULL && byc != NULL)
			byc[m++].o = e;
		else if (e != NULL)
			json_object_array_add(arr, e);
	}
	if (byc != NULL) {
		/* Strapi lists an inverse side in link order: creation */
		qsort(byc, m, sizeof(*byc), by_created);
		for (i = 0; i < m; i++)
			json_object_array_add(arr, byc[i].o);
		free(byc);
	}
	json_object_put(inv);
	if (!c->count)
		return arr;
	json_object_put(arr);
	e = json_object_new_object();
	json_object_object_add(e, "count", json_object_new_int(count));
	return e;
}

static struct json_object *
component(struct render *rd, const struct schema_attr *a, struct json_object *v,
    const struct populate *c, int depth)
{
	const struct schema_type *ct = schema_type(rd->schema, a->component);
	struct json_object *arr, *it;
	size_t i, n;

	if (!a->repeatable)
		return v != NULL && json_object_is_type(v, json_type_object) &&
		        ct != NULL
		    ? render_obj(rd, ct, v, c, depth + 1)
		    : NULL;
	arr = json_object_new_array();
	n = v != NULL && json_object_is_type(v, json_type_array) && ct != NULL
	    ? json_object_array_length(v)
	    : 0;
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(v, i);
		if (json_object_is_type(it, json_type_object))
			json_object_array_add(arr,
			    render_obj(rd, ct, it, c, depth + 1));
	}
	return arr;
}

static struct json_object *
dynamic_zone(struct render *rd, struct json_object *v, const struct populate *c,
    int depth)
{
	const struct schema_type *ct;
	const struct populate *spec;
	struct json_object *arr, *it, *uid;
	size_t i, n;

	arr = json_object_new_array();
	n = v != NULL && json_object_is_type(v, json_type_array)
	    ? json_object_array_length(v)
	    : 0;
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(v, i);
		if (!json_object_is_type(it, json_type_object) ||
		    !json_object_object_get_ex(it, "__component", &uid) ||
		    !json_object_is_type(uid, json_type_string) ||
		    (ct = schema_type(rd->schema,
		         json_object_get_string(uid))) == NULL)
			continue;
		spec = c;
		if (c->frag != NULL && (spec = find(c->frag, ct->uid)) == NULL)
			spec = &none;
		json_object_array_add(arr,
		    render_obj(rd, ct, it, spec, depth + 1));
	}
	return arr;
}

/* The other locales' rows of the same document, in the served order. */
static struct json_object *
localizations(struct render *rd, const struct schema_type *t,
    struct json_object *entry, const struct populate *c, int depth)
{
	struct json_object *arr, *doc, *loc, *row;
	const char *const *ls, *mine = "";
	size_t i, n;

	arr = json_object_new_array();
	if (!json_object_object_get_ex(entry, "documentId", &doc))
		return arr;
	if (json_object_object_get_ex(entry, "locale", &loc))
		mine = json_object_get_string(loc);
	n = rd->r->locales(rd->r->arg, t, &ls);
	for (i = 0; i < n; i++) {
		if (strcmp(ls[i], mine) == 0 || ls[i][0] == '\0')
			continue;
		if (!lookup(rd))
			break;
		buf_reset(&rd->tmp);
		row = resolved(rd,
		    rd->r->entry(rd->r->arg, t, json_object_get_string(doc),
		        ls[i], &rd->tmp));
		if (row == NULL)
			continue;
		json_object_array_add(arr,
		    render_obj(rd, t, row, c, depth + 1));
		json_object_put(row);
	}
	return arr;
}

/*
 * One entry or component of type t (NULL: a media row) as Strapi renders
 * it for spec: its scalars (spec's fields), then each attribute spec
 * populates, then localizations; "__component" last, as Strapi puts it.
 */
static struct json_object *
render_obj(struct render *rd, const struct schema_type *t,
    struct json_object *o, const struct populate *spec, int depth)
{
	struct json_object *out, *v, *r, *val, *comp = NULL;
	struct json_object_iterator it, end;
	const struct schema_attr *a;
	const struct populate *c;
	const char *key;
	size_t i;
	int omit;

	out = json_object_new_object();
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		val = json_object_iter_peek_value(&it);
		if ((a = schema_attr_of(t, key)) != NULL &&
		    a->kind != SCHEMA_SCALAR)
			continue;
		if (strcmp(key, "__component") == 0) {
			comp = val;
			continue;
		}
		if (field_kept(spec, key))
			json_object_object_add(out, key, json_object_get(val));
	}
	for (i = 0;
	     t != NULL && depth <= 2 * POPULATE_MAX_DEPTH && i < t->nattrs;
	     i++) {
		a = &t->attrs[i];
		if (a->kind == SCHEMA_SCALAR || a->private)
			continue;
		if ((c = find(spec->child, a->name)) == NULL) {
			if (!spec->star)
				continue;
			c = &none;
		}
		v = NULL;
		json_object_object_get_ex(o, a->name, &v);
		omit = 0;
		switch (a->kind) {
		case SCHEMA_RELATION:
			r = relation(rd, t, o, a, v, c, depth, &omit);
			break;
		case SCHEMA_MEDIA:
			r = media(rd, a, v, c);
			break;
		case SCHEMA_COMPONENT:
			r = component(rd, a, v, c, depth);
			break;
		default:
			r = dynamic_zone(rd, v, c, depth);
			break;
		}
		if (!omit)
			json_object_object_add(out, a->name, r);
	}
	if (t != NULL && !t->component && t->localized &&
	    ((c = find(spec->child, "localizations")) != NULL || spec->star))
		json_object_object_add(out, "localizations",
		    localizations(rd, t, o, c != NULL ? c : &none, depth));
	if (comp != NULL)
		json_object_object_add(out, "__component",
		    json_object_get(comp));
	return out;
}

int
populate_render(struct buf *out, const struct schema *schema,
    const struct schema_type *t, const char *json, size_t len,
    const struct populate *pop, const struct populate_resolver *r)
{
	struct render rd;
	struct json_object *o, *res;

	if ((o = parse_bytes(json, len)) == NULL)
		return -1;
	memset(&rd, 0, sizeof(rd));
	rd.schema = schema;
	rd.r = r;
	buf_init(&rd.tmp);
	res = render_obj(&rd, t, o, pop != NULL ? pop : &none, 0);
	buf_adds(out,
	    json_object_to_json_string_ext(res,
	        JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(res);
	json_object_put(o);
	buf_clear(&rd.tmp);
	return rd.over ? -2 : rd.failed ? -1 : 0;
}
