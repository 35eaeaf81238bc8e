/* qlang_index.c: attribute indexes: opening, choosing one, a page in their order */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/qlang_int.h"
#include "api/render.h"
#include "api/rich.h"
#include "model/filter.h"
#include "util/xmalloc.h"

/* --- opening --------------------------------------------------------- */

/* The store's attribute reader: the value and id as filter_key.c's bytes. */
static int
attr_reader(const char *json, size_t len, const char *attr, int cls,
    struct buf *key)
{
	return filter_index_key(json, len, attr, (enum filter_class)cls, key);
}

/*
 * Opens the indexes collection.<name>.index lists on st, each attribute
 * with the class filters and sort give it (the schema's type, or the
 * collection's fields). Returns 0, or -1 with *cause (caller frees).
 */
int
qlang_index_open(struct store *st, const struct conf *conf,
    const struct schema *schema, char **cause)
{
	struct store_attr_index *v = NULL;
	const struct collection *c;
	const struct schema_type *t;
	enum filter_class cls;
	size_t i, j, k, n = 0;
	int rc;

	for (i = 0; i < conf_ncollections(conf); i++) {
		c = conf_collection(conf, i);
		t = schema != NULL ? rich_type(schema, c) : NULL;
		for (j = 0; j < c->nindex; j++) {
			if (qlang_attr_class(c, t, c->index[j], &cls) == -1) {
				xasprintf(cause,
				    "collection.%s.index: %s is not a scalar "
				    "attribute of %s (a string, number, "
				    "boolean, date, enumeration or uid)",
				    c->name, c->index[j], c->name);
				free(v);
				return -1;
			}
			for (k = 0; k < n; k++)
				if (strcmp(v[k].collection, c->name) == 0 &&
				    strcmp(v[k].attr, c->index[j]) == 0)
					break;
			if (k < n)
				continue;
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n].collection = c->name;
			v[n].attr = c->index[j];
			v[n].cls = (int)cls;
			n++;
		}
	}
	store_set_attr_reader(attr_reader);
	rc = store_set_attr_indexes(st, v, n);
	free(v);
	if (rc == -1)
		*cause = xstrdup("cannot open the attribute indexes "
		                 "(collection.<name>.index)");
	return rc;
}

void
qlang_access_clear(struct qlang_access *a)
{
	struct qspans s;

	s.v = a->span;
	s.n = a->nspan;
	qspans_clear(&s);
	memset(a, 0, sizeof(*a));
	a->index = -1;
}

/*
 * Chooses what q's list reads: the attribute index whose spans hold the
 * fewest entries among those the filter's conditions (that must all
 * hold) name with $eq, $in, $lt, $lte, $gt, $gte or $between, else the
 * index of a sort on one indexed attribute without filters, else the
 * scan (a->index -1). Lists of a slug, a category or several locales
 * scan. Returns 0, or -1 when the store failed.
 */
int
qlang_access_choose(struct store *st, const struct render_query *q,
    struct qlang_access *a)
{
	const struct list_plan *p = q->plan;
	const struct filter_sort *so;
	const struct filter_node **lv = NULL;
	struct qspans best = { NULL, 0 }, cur;
	size_t nlv = 0, i, j;
	uint64_t n;
	int idx, exact, rc = -1;

	memset(a, 0, sizeof(*a));
	a->index = -1;
	if (p == NULL || q->slug != NULL || q->category != NULL ||
	    q->nlocales > 0 || q->nothing)
		return 0;
	so = &p->sort;
	if (p->filter != NULL)
		qspans_leaves(p->filter, &lv, &nlv);
	for (i = 0; i < nlv; i++) {
		if (lv[i]->kind != FILTER_CMP)
			continue;
		for (j = 0; j < i; j++) /* each attribute once */
			if (lv[j]->kind == FILTER_CMP &&
			    strcmp(lv[j]->attr, lv[i]->attr) == 0)
				break;
		if (j < i ||
		    (idx = store_attr_find(st, q->coll->name, lv[i]->attr,
		         (int)lv[i]->cls)) < 0)
			continue;
		memset(&cur, 0, sizeof(cur));
		qspans_attr(lv, nlv, lv[i]->attr, lv[i]->cls, &cur, &exact);
		if (cur.n == 1 && cur.v[0].lo.len == 0 && cur.v[0].hi_open) {
			qspans_clear(&cur); /* nothing it answers */
			continue;
		}
		if (qspans_count(st, idx, q->locale, &cur, &n) == -1) {
			qspans_clear(&cur);
			goto out;
		}
		if (a->index >= 0 && n >= a->count) {
			qspans_clear(&cur);
			continue;
		}
		qspans_clear(&best);
		best = cur;
		a->index = idx;
		a->attr = lv[i]->attr;
		a->exact = exact;
		a->count = n;
	}
	/*
	 * A text condition on an indexed attribute: its keys hold the
	 * values, so a walk of the keys reads only the entries it may match.
	 */
	for (i = 0; i < nlv && a->index < 0; i++)
		if (lv[i]->kind == FILTER_CMP && lv[i]->cls == FILTER_STRING &&
		    (idx = store_attr_find(st, q->coll->name, lv[i]->attr,
		         (int)lv[i]->cls)) >= 0) {
			qspans_add(&best, "", 0, NULL, 0, 0);
			if (qspans_count(st, idx, q->locale, &best, &n) == -1)
				goto out;
			a->index = idx;
			a->attr = lv[i]->attr;
			a->keys = 1;
			a->count = n;
		}
	if (a->index < 0 && p->filter == NULL && so->nkey == 1 &&
	    (idx = store_attr_find(st, q->coll->name, so->key[0].attr,
	         (int)so->key[0].cls)) >= 0) {
		qspans_add(&best, "", 0, NULL, 0, 0);
		if (qspans_count(st, idx, q->locale, &best, &n) == -1)
			goto out;
		a->index = idx;
		a->attr = so->key[0].attr;
		a->exact = 1;
		a->count = n;
	}
	if (a->index >= 0 && a->exact && !a->keys) {
		if (so->nkey == 1 && strcmp(so->key[0].attr, a->attr) == 0)
			a->order = so->key[0].desc ? QLANG_ORDER_DESC
			                           : QLANG_ORDER_KEYS;
		else if (best.n == 1 && best.v[0].point &&
		    (so->nkey == 0 ||
		        (so->nkey == 1 && strcmp(so->key[0].attr, "id") == 0)))
			a->order = so->nkey == 1 && so->key[0].desc
			    ? QLANG_ORDER_REVERSE
			    : QLANG_ORDER_KEYS;
	}
	a->span = best.v;
	a->nspan = best.n;
	best.v = NULL;
	best.n = 0;
	rc = 0;
out:
	qspans_clear(&best);
	free(lv);
	if (rc == -1)
		qlang_access_clear(a);
	return rc;
}

static void
span_of(const struct qlang_span *s, struct store_attr_span *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->lo = s->lo.data;
	sp->lolen = s->lo.len;
	sp->hi = s->hi.data;
	sp->hilen = s->hi.len;
	sp->hi_open = s->hi_open;
}

/*
 * Walks every entry of a's spans in key order, cb on each, until the
 * plan is over its bound. 0, or -1 when the store failed.
 */
int
qlang_access_walk(struct store *st, const struct render_query *q,
    const struct qlang_access *a, store_attr_cb cb, void *arg, uint64_t *seq)
{
	struct store_attr_span sp;
	uint64_t s;
	size_t i;

	*seq = 0;
	if (a->nspan == 0)
		return store_last_seq(st, seq);
	for (i = 0; i < a->nspan && !q->plan->over; i++) {
		span_of(&a->span[i], &sp);
		if (store_attr_walk(st, a->index, q->locale, &sp, 0, 0,
		        SIZE_MAX, cb, arg, &s) == -1)
			return -1;
		if (s > *seq)
			*seq = s;
	}
	return 0;
}

struct keys_walk {
	const struct filter_node *filter;
	const char *attr;
};

static int
keys_keep(void *arg, const void *key, size_t keylen)
{
	struct keys_walk *k = arg;

	return !filter_key_reject(k->filter, k->attr, key, keylen);
}

/*
 * Walks every key of a's index (a->keys), cb on the entries of those q's
 * filter may match. 0, or -1 when the store failed.
 */
int
qlang_access_keys(struct store *st, const struct render_query *q,
    const struct qlang_access *a, store_attr_cb cb, void *arg, uint64_t *seq)
{
	struct keys_walk k;

	k.filter = q->plan->filter;
	k.attr = a->attr;
	return store_attr_scan(st, a->index, q->locale, keys_keep, &k, cb, arg,
	    seq);
}

/* --- a page in the index's order --------------------------------------- */

struct page {
	store_item_cb cb;
	void *arg;
	size_t want, n;
	int stop;
	int by_key;      /* the cursor's row is in the index key (key_row) */
	struct buf last; /* the page's last entry, else its key */
	int last_is_key; /* last holds the key (after the locale) */
	struct buf doc;  /* the last entry's documentId */
	struct buf key;  /* the key of a walk of one (page_key) */
	uint64_t seq;
};

/*
 * 1 when the row a cursor after an entry of a's walk is made of (its
 * sort keys and id) is in the entry's index key, value then id: in the
 * default order, sorted by id, or sorted by a's attribute with its class.
 */
static int
cursor_by_key(struct store *st, const struct render_query *q,
    const struct qlang_access *a)
{
	const struct filter_sort *so = &q->plan->sort;

	if (so->nkey == 0)
		return 1;
	if (so->nkey != 1)
		return 0;
	if (strcmp(so->key[0].attr, "id") == 0)
		return so->key[0].cls == FILTER_NUMBER;
	return strcmp(so->key[0].attr, a->attr) == 0 &&
	    store_attr_find(st, q->coll->name, a->attr, (int)so->key[0].cls) ==
	    a->index;
}

/*
 * The cursor after the entry whose index key (after the locale) is key:
 * its row read from the key's value and id (page.by_key), no parse of
 * the entry. 0, or -1 when the key does not hold them exactly.
 */
static int
cursor_of_key(const struct filter_sort *so, const char *key, size_t len,
    const char *locale, const char *doc, struct buf *next_cursor)
{
	struct filter_row row;
	struct filter_keyval v, id;
	size_t n;

	if ((n = filter_key_decode(key, len, &v)) == 0)
		return -1;
	if (filter_key_decode(key + n, len - n, &id) == 0) {
		free(v.s);
		return -1;
	}
	memset(&row, 0, sizeof(row));
	if (so->nkey == 1 && strcmp(so->key[0].attr, "id") != 0)
		row.key[0] = v;
	else {
		free(v.s);
		if (so->nkey == 1) {
			row.key[0] = id;
			if (id.s != NULL)
				row.key[0].s = xstrdup(id.s);
		}
	}
	row.key[so->nkey] = id;
	row.document_id = xstrdup(doc);
	row.locale = xstrdup(locale);
	filter_cursor_encode(so, &row, next_cursor);
	filter_row_clear(&row);
	return 0;
}

static int
page_item(void *arg, const void *key, size_t keylen,
    const struct store_item *it)
{
	struct page *pg = arg;
	size_t n;

	pg->n++;
	buf_reset(&pg->last);
	/* the key when it holds the cursor's row: not the entry's bytes */
	pg->last_is_key = pg->by_key &&
	    (n = filter_key_decode(key, keylen, NULL)) > 0 &&
	    filter_key_decode((const char *)key + n, keylen - n, NULL) > 0;
	if (pg->last_is_key)
		buf_add(&pg->last, key, keylen);
	else
		buf_add(&pg->last, it->json, it->json_len);
	buf_reset(&pg->doc);
	buf_adds(&pg->doc, it->document_id);
	if (pg->cb(pg->arg, it) != 0)
		pg->stop = 1;
	return pg->stop || pg->n == pg->want;
}

static int
page_key(void *arg, const void *key, size_t keylen,
    const struct store_item *it UNUSED)
{
	struct page *pg = arg;

	buf_reset(&pg->key);
	buf_add(&pg->key, key, keylen);
	return 1;
}

static int
page_walk(struct store *st, const struct render_query *q,
    const struct qlang_access *a, const struct qlang_span *s, int back,
    uint64_t offset, struct page *pg, store_attr_cb cb, size_t limit)
{
	struct store_attr_span sp;
	uint64_t seq;

	span_of(s, &sp);
	if (store_attr_walk(st, a->index, q->locale, &sp, back, offset, limit,
	        cb, pg, &seq) == -1)
		return -1;
	if (seq > pg->seq)
		pg->seq = seq;
	return 0;
}

/*
 * The entries of span s at descending positions pos onwards, the
 * attribute descending and, among equal values, id ascending (the sort's
 * order, which the reverse walk is not): each value's entries are walked
 * forward, the value found at pos by a reverse walk of one. Only the
 * first value's position within its entries is counted (unless pos is
 * 0): the values after it start at pos, each found below the one before,
 * and a value's entries are counted only when the page goes on past them.
 */
static int
page_desc(struct store *st, const struct render_query *q,
    const struct qlang_access *a, const struct qlang_span *s, uint64_t pos,
    struct page *pg)
{
	struct qspans block = { NULL, 0 }, above = { NULL, 0 };
	struct qlang_span below;
	struct buf val, next;
	uint64_t nabove, nblock;
	size_t vlen;
	int rc = -1, open, first = 1;

	buf_init(&val);
	buf_init(&next);
	while (pg->n < pg->want && !pg->stop && pos < s->count) {
		buf_reset(&pg->key);
		if (first)
			rc = page_walk(st, q, a, s, 1, pos, pg, page_key, 1);
		else { /* the value below the last: the span's keys under it */
			below = *s;
			below.hi = val;
			below.hi_open = 0;
			rc = page_walk(st, q, a, &below, 1, 0, pg, page_key, 1);
		}
		if (rc == -1 ||
		    (vlen = filter_key_len(pg->key.data, pg->key.len)) == 0)
			goto fail;
		buf_reset(&val);
		buf_add(&val, pg->key.data, vlen);
		open = qspans_succ(&val, &next) == -1;
		/* the span's keys of this value, and those above it */
		qspans_add(&block, s->lo.data, s->lo.len,
		    s->hi_open ? NULL : s->hi.data, s->hi.len, 0);
		qspans_add(&above, s->lo.data, s->lo.len,
		    s->hi_open ? NULL : s->hi.data, s->hi.len, 0);
		{
			struct qspans v = { NULL, 0 }, up = { NULL, 0 };

			qspans_add(&v, val.data, val.len,
			    open ? NULL : next.data, next.len, 1);
			if (!open)
				qspans_add(&up, next.data, next.len, NULL, 0,
				    0);
			qspans_intersect(&block, &v);
			qspans_intersect(&above, &up);
			qspans_clear(&v);
			qspans_clear(&up);
		}
		nabove = pos;
		if (block.n != 1 ||
		    (first && pos > 0 &&
		        qspans_count(st, a->index, q->locale, &above,
		            &nabove) == -1) ||
		    pos < nabove)
			goto fail;
		if (page_walk(st, q, a, &block.v[0], 0, pos - nabove, pg,
		        page_item, pg->want - pg->n) == -1)
			goto fail;
		if (pg->n < pg->want && !pg->stop) {
			if (qspans_count(st, a->index, q->locale, &block,
			        &nblock) == -1 ||
			    nblock == 0)
				goto fail;
			pos = nabove + nblock;
		}
		first = 0;
		qspans_clear(&block);
		qspans_clear(&above);
	}
	rc = 0;
	goto out;
fail:
	rc = -1;
out:
	qspans_clear(&block);
	qspans_clear(&above);
	buf_clear(&val);
	buf_clear(&next);
	return rc;
}

/*
 * The position after the plan's cursor in a's order: the entries of the
 * spans before it, counted. The cursor's key in the index is its value
 * (the point span's for a sort by id) and id, then its documentId.
 */
static int
after_cursor(struct store *st, const struct render_query *q,
    const struct qlang_access *a, uint64_t *pos)
{
	const struct filter_row *r = &q->plan->after;
	struct qspans s = { NULL, 0 }, one = { NULL, 0 };
	struct buf key, val, next;
	uint64_t n;
	size_t vlen;
	int rc = -1;

	buf_init(&key);
	buf_init(&val);
	buf_init(&next);
	if (q->plan->sort.nkey == 1 &&
	    strcmp(q->plan->sort.key[0].attr, a->attr) == 0) {
		filter_key_encode(&r->key[0], &key);
		filter_key_encode(&r->key[1], &key);
	} else {
		/* one value (a point span), sorted by id */
		buf_add(&key, a->span[0].lo.data, a->span[0].lo.len);
		filter_key_encode(&r->key[q->plan->sort.nkey], &key);
	}
	buf_adds(&key, r->document_id);
	vlen = filter_key_len(key.data, key.len);
	buf_add(&val, key.data, vlen);
	switch (a->order) {
	case QLANG_ORDER_KEYS: /* the keys up to the cursor's */
		buf_addc(&key, '\0');
		qspans_add(&one, "", 0, key.data, key.len, 0);
		break;
	case QLANG_ORDER_REVERSE: /* the keys from the cursor's */
		qspans_add(&one, key.data, key.len, NULL, 0, 0);
		break;
	default: /* the values above, and the value's keys to the cursor's */
		buf_addc(&key, '\0');
		if (qspans_succ(&val, &next) == 0)
			qspans_add(&one, next.data, next.len, NULL, 0, 0);
		qspans_add(&one, val.data, val.len, key.data, key.len, 0);
		break;
	}
	for (n = 0; n < a->nspan; n++)
		qspans_add(&s, a->span[n].lo.data, a->span[n].lo.len,
		    a->span[n].hi_open ? NULL : a->span[n].hi.data,
		    a->span[n].hi.len, 0);
	qspans_intersect(&s, &one);
	if (qspans_count(st, a->index, q->locale, &s, pos) == 0)
		rc = 0;
	qspans_clear(&s);
	qspans_clear(&one);
	buf_clear(&key);
	buf_clear(&val);
	buf_clear(&next);
	return rc;
}

/*
 * q's page read from the index in the sort's order (a->order): skip
 * entries skipped, want at most, counted in O(log n) per span, never
 * more read than the page; next_cursor as the scan makes it.
 */
int
qlang_access_page(struct store *st, const struct render_query *q,
    const struct qlang_access *a, store_item_cb cb, void *arg, uint64_t *total,
    uint64_t *seq, uint64_t skip, size_t want, struct buf *next_cursor)
{
	struct list_plan *p = q->plan;
	struct page pg;
	uint64_t pos = skip;
	size_t k;
	int rc = -1;

	memset(&pg, 0, sizeof(pg));
	pg.cb = cb;
	pg.arg = arg;
	pg.want = want;
	pg.by_key = cursor_by_key(st, q, a);
	buf_init(&pg.last);
	buf_init(&pg.doc);
	buf_init(&pg.key);
	/* the held snapshot's sequence (what the page reads), else the last */
	if ((store_read_seq(st, &pg.seq) == -1 &&
	        store_last_seq(st, &pg.seq) == -1) ||
	    (p->has_after && after_cursor(st, q, a, &skip) == -1))
		goto out;
	pos = skip;
	for (k = 0; k < a->nspan && pg.n < want && !pg.stop; k++) {
		int desc = a->order == QLANG_ORDER_DESC ||
		    a->order == QLANG_ORDER_REVERSE;
		const struct qlang_span *s =
		    &a->span[desc ? a->nspan - 1 - k : k];

		if (pos >= s->count) {
			pos -= s->count;
			continue;
		}
		if (a->order == QLANG_ORDER_DESC) {
			if (page_desc(st, q, a, s, pos, &pg) == -1)
				goto out;
		} else if (page_walk(st, q, a, s, desc, pos, &pg, page_item,
		               want - pg.n) == -1)
			goto out;
		pos = 0;
	}
	*total = a->count;
	*seq = pg.seq;
	if (pg.n > 0 && skip + pg.n < a->count && pg.last_is_key)
		(void)cursor_of_key(&p->sort, pg.last.data, pg.last.len,
		    q->locale, buf_cstr(&pg.doc), next_cursor);
	else if (pg.n > 0 && skip + pg.n < a->count)
		qlang_cursor_after(&p->sort, pg.last.data, pg.last.len,
		    q->locale, buf_cstr(&pg.doc), next_cursor);
	rc = 0;
out:
	buf_clear(&pg.last);
	buf_clear(&pg.doc);
	buf_clear(&pg.key);
	return rc;
}
