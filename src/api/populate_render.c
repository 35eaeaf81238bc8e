/* populate_render.c: stored forms rendered for a populate tree by a resolver */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/populate.h"
#include "api/populate_int.h"
#include "util/xmalloc.h"

/*
 * The render side turns a stored form (model/normalize.h) into Strapi's
 * answer, reaching related entries and media rows through the resolver
 * only, so it can be tested without a store.
 */

int
populate_type_flat(const struct schema_type *t)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++)
		if (t->attrs[i].kind != SCHEMA_SCALAR)
			return 0;
	return 1;
}

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
		if (c->frag != NULL &&
		    (spec = populate_find(c->frag, ct->uid)) == NULL)
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
		if ((a = populate_attr(t, key)) != NULL &&
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
		if ((c = populate_find(spec->child, a->name)) == NULL) {
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
	    ((c = populate_find(spec->child, "localizations")) != NULL ||
	        spec->star))
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

	/* Nothing to resolve or to cut: the stored bytes are the answer. */
	if (pop == NULL && populate_type_flat(t)) {
		buf_add(out, json, len);
		return 0;
	}
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
