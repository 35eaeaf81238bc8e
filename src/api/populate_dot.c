/* populate_dot.c: populate's dot paths (populate=author.avatar) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/populate_int.h"
#include "api/qs.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/*
 * A string populate (populate=a.b,c or populate[0]=a.b, at any level)
 * is a list of dot paths, as in Strapi 5.54.0. Strapi's validation
 * (validatePopulateDotPathSegments) checks each path's segments, trimmed
 * and the empty ones dropped; its database layer (processPopulate) then
 * populates a.b as populate[a][populate][b], splitting the path as sent
 * (so a segment that is empty or has blanks around it names no
 * attribute and populates nothing from there on).
 */

#define DOT_SEGS 64
#define BLANKS   " \t\n\v\f\r"

struct dot {
	const struct schema *schema;
	char *seg[DOT_SEGS]; /* the segments checked: trimmed, none empty */
	size_t n;
};

/* What a segment names (the attribute's kind), and the type it leads to. */
enum dot_kind {
	DOT_NONE,
	DOT_RELATION,
	DOT_COMPONENT,
	DOT_MEDIA,
	DOT_ZONE
};

static enum dot_kind
dot_kind(const struct schema *schema, const struct schema_type *t,
    const char *name, const struct schema_attr **ap,
    const struct schema_type **tt)
{
	const struct schema_attr *a;

	*ap = NULL;
	*tt = NULL;
	if (strcmp(name, "localizations") == 0 && t != NULL && !t->component &&
	    t->localized) {
		*tt = t;
		return DOT_RELATION;
	}
	if ((a = populate_attr(t, name)) == NULL || a->private)
		return DOT_NONE;
	*ap = a;
	switch (a->kind) {
	case SCHEMA_RELATION:
		*tt = schema_type(schema, a->target);
		return DOT_RELATION;
	case SCHEMA_COMPONENT:
		*tt = schema_type(schema, a->component);
		return DOT_COMPONENT;
	case SCHEMA_MEDIA:
		return DOT_MEDIA;
	case SCHEMA_DYNAMICZONE:
		return DOT_ZONE;
	default:
		return DOT_NONE;
	}
}

/* Strapi's "Invalid key <seg[key]> at <seg[0]>...<seg[key]>". */
static int
dot_bad(const struct dot *d, size_t key, struct qs_error *err)
{
	struct buf path;
	size_t i;

	buf_init(&path);
	for (i = 0; i <= key; i++) {
		if (i > 0)
			buf_addc(&path, '.');
		buf_adds(&path, d->seg[i]);
	}
	qs_invalid_key_at(err, d->seg[key], buf_cstr(&path), "populate");
	buf_clear(&path);
	return -1;
}

/*
 * Checks d's segments from i on against type t, as
 * validatePopulateDotPathSegments does: each a populatable attribute; a
 * media ends the path; after a dynamic zone, a segment one of its
 * components has, and what follows it checked against the first
 * component where it passes. 0, or -1 with err.
 */
static int
dot_check(const struct dot *d, const struct schema_type *t, size_t i,
    struct qs_error *err)
{
	const struct schema_attr *a, *ca;
	const struct schema_type *tt, *ct, *ctt;
	struct qs_error scratch;
	enum dot_kind k;
	size_t j;

	if (i == d->n)
		return 0;
	k = dot_kind(d->schema, t, d->seg[i], &a, &tt);
	if (k == DOT_NONE)
		return dot_bad(d, i, err);
	if (i + 1 == d->n)
		return 0;
	if (k == DOT_RELATION || k == DOT_COMPONENT)
		return dot_check(d, tt, i + 1, err);
	if (k == DOT_MEDIA)
		return dot_bad(d, i, err);
	for (j = 0; j < a->ncomponents; j++) {
		ct = schema_type(d->schema, a->components[j]);
		if ((ca = populate_attr(ct, d->seg[i + 1])) == NULL)
			continue;
		if (i + 2 == d->n)
			return 0;
		k = dot_kind(d->schema, ct, d->seg[i + 1], &ca, &ctt);
		if ((k == DOT_RELATION || k == DOT_COMPONENT) &&
		    dot_check(d, ctt, i + 2, &scratch) == 0)
			return 0;
	}
	return dot_bad(d, i + 1, err);
}

/* 1 when s names an attribute as processPopulate splits it. */
static int
clean(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && strchr(BLANKS, s[0]) == NULL &&
	    strchr(BLANKS, s[n - 1]) == NULL;
}

/*
 * The child of zone z for the path seg[0..n): the first of its
 * components where seg[0] is populatable and the rest passes, or NULL
 * (and 0) when none is (populate=blocks.title: the zone alone).
 */
static int
zone_child(struct parser *p, struct populate *z, char **seg, size_t n,
    int depth, struct populate **out)
{
	const struct schema_attr *ca;
	const struct schema_type *ct, *ctt;
	struct qs_error scratch;
	struct dot d;
	enum dot_kind k;
	size_t i;

	*out = populate_find(z->child, seg[0]);
	if (*out != NULL)
		return 0;
	d.schema = p->schema;
	d.n = 0;
	for (i = 1; i < n && clean(seg[i]); i++)
		d.seg[d.n++] = seg[i];
	for (i = 0; i < z->attr->ncomponents; i++) {
		ct = schema_type(p->schema, z->attr->components[i]);
		k = dot_kind(p->schema, ct, seg[0], &ca, &ctt);
		if (k == DOT_NONE || k == DOT_ZONE ||
		    (d.n > 0 &&
		        (k == DOT_MEDIA ||
		            dot_check(&d, ctt, 0, &scratch) == -1)))
			continue;
		*out = populate_node_add(p, z, seg[0], ctt, ca, depth);
		return *out == NULL ? -1 : 0;
	}
	return 0;
}

/* Populates seg[0..n) under node n, as processPopulate does. */
static int
dot_build(struct parser *p, struct populate *n, char **seg, size_t nseg,
    int depth)
{
	struct populate *c;

	for (; nseg > 0 && clean(seg[0]); seg++, nseg--, n = c, depth++) {
		if (n->attr != NULL && n->attr->kind == SCHEMA_DYNAMICZONE) {
			if (zone_child(p, n, seg, nseg, depth, &c) == -1)
				return -1;
			if (c == NULL)
				return 0;
		} else if ((c = populate_child(p, n, seg[0], NULL, depth)) ==
		    NULL)
			return -1;
	}
	return 0;
}

/*
 * One dot path of a string populate of node n (path: trimmed, written
 * to): checked, then populated. 0, or -1 with p->err.
 */
int
populate_dot(struct parser *p, struct populate *n, char *path, int depth)
{
	char *raw[DOT_SEGS], *copy, *q, *dot;
	struct dot d;
	size_t nraw = 0, len;
	int rc = -1;

	d.schema = p->schema;
	d.n = 0;
	copy = xstrdup(path);
	for (q = copy; q != NULL; q = dot) {
		if ((dot = strchr(q, '.')) != NULL)
			*dot++ = '\0';
		q += strspn(q, BLANKS);
		for (len = strlen(q); len > 0 && strchr(BLANKS, q[len - 1]);)
			q[--len] = '\0';
		if (len == 0)
			continue;
		if (d.n == DOT_SEGS)
			goto deep;
		d.seg[d.n++] = q;
	}
	/*
	 * Deeper than a populate may nest: refused before the check, which
	 * tries each component of a zone that has the next segment, so its
	 * work grows as a power of the path's length (a relation back to a
	 * type with the zone repeats it).
	 */
	if ((size_t)depth + d.n > POPULATE_MAX_DEPTH)
		goto deep;
	for (q = path; q != NULL; q = dot) {
		if ((dot = strchr(q, '.')) != NULL)
			*dot++ = '\0';
		if (nraw == DOT_SEGS)
			goto deep;
		raw[nraw++] = q;
	}
	if (dot_check(&d, n->type, 0, p->err) == 0)
		rc = dot_build(p, n, raw, nraw, depth);
	free(copy);
	return rc;
deep:
	free(copy);
	return qs_fail(p->err, "populate nests deeper than %d levels",
	    POPULATE_MAX_DEPTH);
}
