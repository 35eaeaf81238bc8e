/* populate_sort.c: a populate's filters and sort on what it renders */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/populate.h"
#include "api/populate_int.h"
#include "util/xmalloc.h"

/*
 * 1 when a related row, a media row or a component passes c's filters
 * (none: it does); fr (when not NULL): its keys for c's sort, which the
 * caller clears.
 */
int
populate_keep(struct render *rd, const struct populate *c, struct jspan row,
    struct filter_row *fr)
{
	struct filter_row tmp;
	int m;

	if (fr == NULL && c->filter == NULL)
		return 1;
	m = filter_match(c->filter, &c->sort, row.p, row.n, populate_fetch, rd,
	    fr != NULL ? fr : &tmp);
	if (m == -1)
		rd->failed = 1;
	else if (m == 1 && fr == NULL)
		filter_row_clear(&tmp);
	return m == 1;
}

/*
 * Keeps item b (taken) with its sort keys fr (taken), the pos-th stored:
 * pos stands for its id after the sort's keys, so ties keep the stored
 * order, as Strapi's join table's order column keeps them.
 */
void
populate_items_add(struct populate_items *l, const struct filter_sort *sort,
    struct filter_row *fr, size_t pos, struct buf *b)
{
	struct filter_keyval *k = &fr->key[sort->nkey];

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	free(k->s);
	k->s = NULL;
	k->null = 0;
	k->num = (long double)pos;
	l->v[l->n].row = *fr;
	l->v[l->n].b = *b;
	l->n++;
}

/* Appends the items in sort's order (a few: an insertion sort). */
void
populate_items_flush(struct populate_items *l, const struct filter_sort *sort,
    struct buf *out, size_t *n)
{
	struct populate_item t;
	size_t i, j;

	for (i = 1; i < l->n; i++) {
		t = l->v[i];
		for (j = i; j > 0 &&
		     filter_row_cmp(sort, &l->v[j - 1].row, &t.row) > 0;
		     j--)
			l->v[j] = l->v[j - 1];
		l->v[j] = t;
	}
	for (i = 0; i < l->n; i++) {
		if ((*n)++ > 0)
			buf_addc(out, ',');
		buf_add(out, l->v[i].b.data, l->v[i].b.len);
		buf_clear(&l->v[i].b);
		filter_row_clear(&l->v[i].row);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
cmp_created(const void *a, const void *b)
{
	const struct populate_related *x = a, *y = b;

	return strcmp(x->created, y->created);
}

/*
 * Appends a relation's m rendered entries v (taken, freed): in creation
 * order when by_date (Strapi lists an inverse side in link order:
 * creation), else as read; with sort (not NULL), in its order, ties in
 * that one.
 */
void
populate_related_flush(struct populate_related *v, size_t m, int by_date,
    const struct filter_sort *sort, struct buf *out, size_t *n)
{
	struct populate_items l = { NULL, 0, 0 };
	size_t i;

	if (by_date)
		qsort(v, m, sizeof(*v), cmp_created);
	for (i = 0; i < m; i++) {
		if (sort != NULL) {
			populate_items_add(&l, sort, &v[i].fr, i, &v[i].b);
			continue;
		}
		if ((*n)++ > 0)
			buf_addc(out, ',');
		buf_add(out, v[i].b.data, v[i].b.len);
		buf_clear(&v[i].b);
	}
	if (sort != NULL)
		populate_items_flush(&l, sort, out, n);
	free(v);
}

/*
 * What renders item e (a ct) of a dynamic zone populated by c, or NULL
 * when it is left out: with on[...], the components named there alone,
 * each when it passes its fragment's filters; else c. A fragment's sort
 * leaves the zone's order (docs/api.md).
 */
const struct populate *
populate_item_spec(struct render *rd, const struct populate *c,
    const struct schema_type *ct, struct jspan e)
{
	struct populate *f;

	if (c->frag == NULL)
		return c;
	return (f = populate_find(c->frag, ct->uid)) != NULL &&
	        populate_keep(rd, f, e, NULL)
	    ? f
	    : NULL;
}
