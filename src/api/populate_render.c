/* populate_render.c: stored forms rendered for a populate tree by a resolver */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/populate.h"
#include "api/populate_int.h"
#include "model/jscan.h"
#include "util/xmalloc.h"

/*
 * The render side turns a stored form (model/normalize.h) into Strapi's
 * answer, reaching related entries and media rows through the resolver
 * only, so it can be tested without a store.
 *
 * It works on the stored bytes. A stored form is json-c's plain output
 * (model/normalize.c), so a value the answer passes through is copied as
 * stored: byte for byte what parsing it and printing it again with json-c
 * would give, at no cost. Only keys, references and a few strings are
 * looked at, through model/jscan.h.
 */

/* Room for a documentId, a locale or a component's uid, decoded. */
#define STR_MAX 256

/* Attribute values render_obj keeps from its one pass (more: looked up). */
#define ATTRS_HELD 64

/* Cuts b back to len bytes (a rendered item left out). */
static void
cut(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

/* A comma before each item but the first. */
static void
sep(struct buf *out, size_t *n)
{
	if ((*n)++ > 0)
		buf_addc(out, ',');
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

static const struct populate none; /* what `*` gives each attribute */

/* The attribute of t (NULL: a media row, which has none) named key. */
static const struct schema_attr *
attr_of(const struct schema_type *t, struct jspan key)
{
	size_t i;

	for (i = 0; t != NULL && i < t->nattrs; i++)
		if (key.n > 0 && t->attrs[i].name[0] == key.p[0] &&
		    jscan_key_is(key, t->attrs[i].name))
			return &t->attrs[i];
	return NULL;
}

static int
field_kept(const struct populate *spec, struct jspan key)
{
	size_t i;

	if (spec == NULL || spec->nfields == 0)
		return 1;
	if (jscan_key_is(key, "id") || jscan_key_is(key, "documentId") ||
	    jscan_key_is(key, "__component"))
		return 1;
	for (i = 0; i < spec->nfields; i++)
		if (jscan_key_is(key, spec->fields[i]))
			return 1;
	return 0;
}

static void render_obj(struct render *, const struct schema_type *,
    struct jspan, const struct populate *, int, struct buf *);

/*
 * A media row with the spec's fields, when it passes its filters: 1, or
 * 0 when not stored or left out. fr: as keep's.
 */
static int
media_one(struct render *rd, struct jspan id, const struct populate *c,
    struct filter_row *fr, struct buf *out)
{
	struct jspan row;
	struct buf b;
	int64_t n;
	int w = 0;

	if (!jscan_int(id, &n) || !populate_lookup(rd))
		return 0;
	buf_init(&b);
	if (populate_resolved(rd, rd->r->media(rd->r->arg, n, &b), &b, &row) &&
	    populate_keep(rd, c, row, fr)) {
		if (c->nfields == 0)
			buf_add(out, row.p, row.n);
		else
			render_obj(rd, NULL, row, c, 0, out);
		w = 1;
	}
	buf_clear(&b);
	return w;
}

/*
 * A single media (null when left out by the populate's filters) or a
 * multiple one (the files that pass, in the populate's sort, else as
 * stored).
 */
static void
media(struct render *rd, const struct schema_attr *a, struct jspan v,
    const struct populate *c, struct buf *out)
{
	struct jscan_iter it;
	struct jspan e;
	struct populate_items l = { NULL, 0, 0 };
	struct filter_row fr;
	struct buf b;
	size_t n = 0, mark, pos = 0;

	if (!a->multiple) {
		if (!media_one(rd, v, c, NULL, out))
			buf_adds(out, "null");
		return;
	}
	buf_addc(out, '[');
	if (jscan_begin(&it, v, '[') == 0)
		while (jscan_next(&it, NULL, &e) == 1) {
			if (c->sort.nkey > 0) {
				buf_init(&b);
				if (media_one(rd, e, c, &fr, &b))
					populate_items_add(&l, &c->sort, &fr,
					    pos, &b);
				else
					buf_clear(&b);
				pos++;
				continue;
			}
			mark = out->len;
			sep(out, &n);
			if (!media_one(rd, e, c, NULL, out)) {
				cut(out, mark);
				n--;
			}
		}
	populate_items_flush(&l, &c->sort, out, &n);
	buf_addc(out, ']');
}

/* 1 when c populates nothing, keeps every field and filters nothing. */
static int
plain(const struct populate *c)
{
	return c->nfields == 0 && c->child == NULL && c->frag == NULL &&
	    !c->star && !c->count && c->fq == NULL && c->filter == NULL &&
	    c->sort.nkey == 0;
}

/*
 * The related entry a reference names, rendered into out: 1, or 0 when
 * missing, left out by the populate's filters (or only counted). created (when not NULL, 32 bytes): the
 * entry's createdAt. fr (when not NULL): its keys for c's sort, as keep's.
 */
static int
relation_one(struct render *rd, const struct schema_type *tt, struct jspan ref,
    const struct populate *c, int depth, int *found, char *created,
    struct filter_row *fr, struct buf *out)
{
	char doc[STR_MAX], loc[STR_MAX], ca[64];
	const char *locale = "", *const * ls;
	struct jspan d, l, row;
	struct buf b;
	enum populate_found f;
	int w = 0;

	*found = 0;
	if (!jscan_is(ref, '{') || !jscan_member(ref, "documentId", &d) ||
	    !jscan_is(d, '"'))
		return 0;
	if (jscan_str(d, doc, sizeof(doc)) == NULL) {
		populate_lookup(rd); /* a documentId no entry can have */
		return 0;
	}
	if (jscan_member(ref, "locale", &l) && jscan_is(l, '"')) {
		if ((locale = jscan_str(l, loc, sizeof(loc))) == NULL) {
			populate_lookup(rd); /* a locale no entry can have */
			return 0;
		}
	} else if (tt->localized && rd->r->locales(rd->r->arg, tt, &ls) > 0)
		locale = ls[0];
	if (!populate_lookup(rd))
		return 0;
	if (created == NULL && plain(c) && rd->r->entry_plain != NULL) {
		/* nothing of it is populated: the resolver may keep it so */
		f = rd->r->entry_plain(rd->r->arg, tt, doc, locale, out);
		if (f == POPULATE_ERR)
			rd->failed = 1;
		*found = f == POPULATE_FOUND;
		return *found;
	}
	buf_init(&b);
	if (populate_resolved(rd, rd->r->entry(rd->r->arg, tt, doc, locale, &b),
	        &b, &row) &&
	    populate_keep(rd, c, row, fr)) {
		*found = 1;
		if (created != NULL) {
			/* 31 bytes of it, as json-c's string was cut */
			if (!jscan_member(row, "createdAt", &d) ||
			    jscan_str(d, ca, sizeof(ca)) == NULL)
				ca[0] = '\0';
			ca[31] = '\0';
			memcpy(created, ca, strlen(ca) + 1);
		}
		if (!c->count) {
			render_obj(rd, tt, row, c, depth + 1, out);
			w = 1;
		}
	}
	buf_clear(&b);
	return w;
}

/*
 * An inverse relation's references, read from the store's referrer
 * index into b: the other side's entries as they are now, not as the
 * entry's last delivery listed them (F5: Strapi does not send it again).
 * 1 when b holds them, 0 when there is no index reader (the stored
 * references are used).
 */
static int
referrers(struct render *rd, const struct schema_type *t, struct jspan entry,
    const struct schema_type *tt, const struct schema_attr *back, struct buf *b)
{
	char doc[STR_MAX], loc[STR_MAX];
	const char *locale = "";
	struct jspan d, l;
	enum populate_found f;

	if (rd->r->referrers == NULL ||
	    !jscan_member(entry, "documentId", &d) ||
	    jscan_str(d, doc, sizeof(doc)) == NULL)
		return 0;
	if (jscan_member(entry, "locale", &l) && jscan_is(l, '"') &&
	    (locale = jscan_str(l, loc, sizeof(loc))) == NULL)
		return 0;
	if (!populate_lookup(rd))
		return 0;
	f = rd->r->referrers(rd->r->arg, t, doc, locale, tt, back->name, b);
	if (f == POPULATE_ERR)
		rd->failed = 1;
	if (f != POPULATE_FOUND)
		return 0;
	if (b->len == 0 || b->data[0] != '[' ||
	    jscan_skip_value(b->data, b->data + b->len) == NULL) {
		rd->failed = 1;
		return 0;
	}
	return 1;
}

/*
 * A relation of a served type tt: the target's entries, or {"count":N}.
 * An inverse side (author.articles, mappedBy author) is read from the
 * store's referrer index, and listed in creation order. With the
 * populate's sort, a to-many relation lists its entries in that order,
 * ties as without it (docs/api.md).
 */
static void
relation(struct render *rd, const struct schema_type *t, struct jspan entry,
    const struct schema_attr *a, const struct schema_type *tt, struct jspan v,
    const struct populate *c, int depth, struct buf *out)
{
	const struct schema_attr *back;
	struct populate_related *byc = NULL;
	struct buf inv;
	struct jscan_iter it;
	struct jspan e;
	size_t m = 0, cap = 0, n = 0, mark;
	int found, count = 0, more, by_date = 0, sorted;

	if (!a->many && !c->count) {
		if (!relation_one(rd, tt, v, c, depth, &found, NULL, NULL, out))
			buf_adds(out, "null");
		return;
	}
	buf_init(&inv);
	if ((back = schema_inverse(t, a, tt)) != NULL &&
	    referrers(rd, t, entry, tt, back, &inv)) {
		v.p = inv.data;
		v.n = inv.len;
		by_date = 1;
	}
	sorted = a->many && !c->count && c->sort.nkey > 0;
	if (!c->count)
		buf_addc(out, '[');
	more = a->many ? jscan_begin(&it, v, '[') == 0 : jscan_is(v, '{');
	while (more && (!a->many || jscan_next(&it, NULL, &e) == 1)) {
		if (!a->many) {
			e = v;
			more = 0;
		}
		if (by_date || sorted) {
			if (m == cap) {
				cap = cap ? 2 * cap : 8;
				byc = xreallocarray(byc, cap, sizeof(*byc));
			}
			buf_init(&byc[m].b);
			byc[m].created[0] = '\0';
			if (relation_one(rd, tt, e, c, depth, &found,
			        by_date ? byc[m].created : NULL,
			        sorted ? &byc[m].fr : NULL, &byc[m].b))
				m++;
			else
				buf_clear(&byc[m].b);
		} else {
			mark = out->len;
			sep(out, &n);
			if (!relation_one(rd, tt, e, c, depth, &found, NULL,
			        NULL, out)) {
				cut(out, mark);
				n--;
			}
		}
		count += found;
	}
	if (byc != NULL)
		populate_related_flush(byc, m, by_date,
		    sorted ? &c->sort : NULL, out, &n);
	buf_clear(&inv);
	if (c->count)
		buf_printf(out, "{\"count\":%d}", count);
	else
		buf_addc(out, ']');
}

/*
 * [count]=true on a component: {"count":N}, N the items (a single one:
 * 0 or 1) its populate's filters keep, as Strapi's database layer counts
 * a join table when it populates one (XtoOne, oneToMany).
 */
static void
component_count(struct render *rd, const struct schema_attr *a, struct jspan v,
    const struct populate *c, struct buf *out)
{
	struct jscan_iter it;
	struct jspan e;
	size_t n = 0;

	if (!a->repeatable)
		n = jscan_is(v, '{') && populate_keep(rd, c, v, NULL);
	else if (jscan_begin(&it, v, '[') == 0)
		while (jscan_next(&it, NULL, &e) == 1)
			n += jscan_is(e, '{') && populate_keep(rd, c, e, NULL);
	buf_printf(out, "{\"count\":%zu}", n);
}

/*
 * A component: a single one (null when left out by the populate's
 * filters) or a repeatable one (the items that pass, in the populate's
 * sort, else as stored).
 */
static void
component(struct render *rd, const struct schema_attr *a, struct jspan v,
    const struct populate *c, int depth, struct buf *out)
{
	const struct schema_type *ct = schema_type(rd->schema, a->component);
	struct jscan_iter it;
	struct jspan e;
	struct populate_items l = { NULL, 0, 0 };
	struct filter_row fr;
	struct buf b;
	size_t n = 0, pos = 0;

	if (c->count && ct != NULL) {
		component_count(rd, a, v, c, out);
		return;
	}
	if (!a->repeatable) {
		if (jscan_is(v, '{') && ct != NULL &&
		    populate_keep(rd, c, v, NULL))
			render_obj(rd, ct, v, c, depth + 1, out);
		else
			buf_adds(out, "null");
		return;
	}
	buf_addc(out, '[');
	if (ct != NULL && jscan_begin(&it, v, '[') == 0)
		while (jscan_next(&it, NULL, &e) == 1) {
			if (!jscan_is(e, '{'))
				continue;
			if (c->sort.nkey > 0) {
				if (populate_keep(rd, c, e, &fr)) {
					buf_init(&b);
					render_obj(rd, ct, e, c, depth + 1, &b);
					populate_items_add(&l, &c->sort, &fr,
					    pos, &b);
				}
				pos++;
			} else if (populate_keep(rd, c, e, NULL)) {
				sep(out, &n);
				render_obj(rd, ct, e, c, depth + 1, out);
			}
		}
	populate_items_flush(&l, &c->sort, out, &n);
	buf_addc(out, ']');
}

static void
dynamic_zone(struct render *rd, struct jspan v, const struct populate *c,
    int depth, struct buf *out)
{
	const struct schema_type *ct;
	const struct populate *spec;
	char uid[256];
	struct jscan_iter it;
	struct jspan e, u;
	size_t n = 0;

	buf_addc(out, '[');
	if (jscan_begin(&it, v, '[') == 0)
		while (jscan_next(&it, NULL, &e) == 1) {
			if (!jscan_is(e, '{') ||
			    !jscan_member(e, "__component", &u) ||
			    jscan_str(u, uid, sizeof(uid)) == NULL ||
			    (ct = schema_type(rd->schema, uid)) == NULL)
				continue;
			if ((spec = populate_item_spec(rd, c, ct, e)) == NULL)
				continue;
			sep(out, &n);
			render_obj(rd, ct, e, spec, depth + 1, out);
		}
	buf_addc(out, ']');
}

/* The other locales' rows of the same document, in the served order. */
static void
localizations(struct render *rd, const struct schema_type *t,
    struct jspan entry, const struct populate *c, int depth, struct buf *out)
{
	char doc[STR_MAX], loc[STR_MAX];
	const char *const *ls, *mine = "";
	struct jspan d, l, row;
	struct buf b;
	size_t i, n, k = 0;

	buf_addc(out, '[');
	if (!jscan_member(entry, "documentId", &d) ||
	    jscan_str(d, doc, sizeof(doc)) == NULL) {
		buf_addc(out, ']');
		return;
	}
	if (jscan_member(entry, "locale", &l) &&
	    jscan_str(l, loc, sizeof(loc)) != NULL)
		mine = loc;
	n = rd->r->locales(rd->r->arg, t, &ls);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (strcmp(ls[i], mine) == 0 || ls[i][0] == '\0')
			continue;
		if (!populate_lookup(rd))
			break;
		buf_reset(&b);
		if (!populate_resolved(rd,
		        rd->r->entry(rd->r->arg, t, doc, ls[i], &b), &b, &row))
			continue;
		sep(out, &k);
		render_obj(rd, t, row, c, depth + 1, out);
	}
	buf_clear(&b);
	buf_addc(out, ']');
}

/* Appends "name": (a key out already may hold before it). */
static void
add_key(struct buf *out, size_t *n, const char *name)
{
	sep(out, n);
	buf_add_json_string(out, name, strlen(name));
	buf_addc(out, ':');
}

/*
 * Copies the members of an object kept as stored, [*run, end) (their
 * keys, values and the commas between them), as one: those of an object
 * that follow each other are not copied a key and a value at a time.
 */
static void
run_flush(struct buf *out, size_t *n, const char **run, const char *end)
{
	if (*run == NULL)
		return;
	sep(out, n);
	buf_add(out, *run, (size_t)(end - *run));
	*run = NULL;
}

/*
 * One entry or component of type t (NULL: a media row) as Strapi renders
 * it for spec: its scalars (spec's fields), then each attribute spec
 * populates, then localizations; "__component" last, as Strapi puts it.
 */
static void
render_obj(struct render *rd, const struct schema_type *t, struct jspan o,
    const struct populate *spec, int depth, struct buf *out)
{
	const struct schema_type *tt;
	const struct schema_attr *a;
	const struct populate *c;
	const char *const *ls;
	struct jspan k, v, comp = { NULL, 0 }, vals[ATTRS_HELD];
	struct jscan_iter it;
	const char *run = NULL, *run_end = NULL;
	size_t i, n = 0;
	int r, held = t != NULL && t->nattrs <= ATTRS_HELD;

	buf_addc(out, '{');
	if (jscan_begin(&it, o, '{') == -1) {
		rd->failed = 1;
		buf_addc(out, '}');
		return;
	}
	if (held)
		memset(vals, 0, t->nattrs * sizeof(vals[0]));
	while ((r = jscan_next(&it, &k, &v)) == 1) {
		if ((a = attr_of(t, k)) != NULL && a->kind != SCHEMA_SCALAR) {
			/* kept for below, the first of its name */
			if (held && vals[a - t->attrs].p == NULL)
				vals[a - t->attrs] = v;
			continue;
		}
		if (jscan_key_is(k, "__component")) {
			comp = v;
			continue;
		}
		if (!field_kept(spec, k))
			continue;
		if (v.p != k.p + k.n + 2) { /* blanks in it: rewritten */
			run_flush(out, &n, &run, run_end);
			sep(out, &n);
			buf_addc(out, '"');
			buf_add(out, k.p, k.n);
			buf_add(out, "\":", 2);
			buf_add(out, v.p, v.n);
		} else if (run != NULL && k.p - 2 == run_end && *run_end == ',')
			run_end = v.p + v.n; /* the next member as stored */
		else {
			run_flush(out, &n, &run, run_end);
			run = k.p - 1;
			run_end = v.p + v.n;
		}
	}
	run_flush(out, &n, &run, run_end);
	if (r == -1)
		rd->failed = 1;
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
		if (held)
			v = vals[i];
		else if (!jscan_member(o, a->name, &v))
			v.p = NULL, v.n = 0;
		switch (a->kind) {
		case SCHEMA_RELATION:
			/* a type not served: the key is left out */
			tt = schema_type(rd->schema, a->target);
			if (tt == NULL ||
			    rd->r->locales(rd->r->arg, tt, &ls) == 0)
				break;
			add_key(out, &n, a->name);
			relation(rd, t, o, a, tt, v, c, depth, out);
			break;
		case SCHEMA_MEDIA:
			add_key(out, &n, a->name);
			media(rd, a, v, c, out);
			break;
		case SCHEMA_COMPONENT:
			add_key(out, &n, a->name);
			component(rd, a, v, c, depth, out);
			break;
		default:
			add_key(out, &n, a->name);
			dynamic_zone(rd, v, c, depth, out);
			break;
		}
	}
	if (t != NULL && !t->component && t->localized &&
	    ((c = populate_find(spec->child, "localizations")) != NULL ||
	        spec->star)) {
		add_key(out, &n, "localizations");
		localizations(rd, t, o, c != NULL ? c : &none, depth, out);
	}
	if (comp.p != NULL) {
		add_key(out, &n, "__component");
		buf_add(out, comp.p, comp.n);
	}
	buf_addc(out, '}');
}

int
populate_plain(struct buf *out, const struct schema_type *t, const char *json,
    size_t len)
{
	struct render rd;
	struct jspan o;

	if (populate_object_at(json, len, &o) == -1)
		return -1;
	memset(&rd, 0, sizeof(rd));
	render_obj(&rd, t, o, &none, 0, out);
	return rd.failed ? -1 : 0;
}

int
populate_render(struct buf *out, const struct schema *schema,
    const struct schema_type *t, const char *json, size_t len,
    const struct populate *pop, const struct populate_resolver *r)
{
	struct render rd;
	struct jspan o;

	/* Nothing to resolve or to cut: the stored bytes are the answer. */
	if (pop == NULL && populate_type_flat(t)) {
		buf_add(out, json, len);
		return 0;
	}
	if (populate_object_at(json, len, &o) == -1)
		return -1;
	memset(&rd, 0, sizeof(rd));
	rd.schema = schema;
	rd.r = r;
	render_obj(&rd, t, o, pop != NULL ? pop : &none, 0, out);
	return rd.over ? -2 : rd.failed ? -1 : 0;
}
