/* qlang_index.c: the attribute indexes: their opening, the plan's choice of one, and a page in their order */
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

/* --- spans ----------------------------------------------------------- */

/*
 * The key space (filter_key.c): NULL is 0x10, numbers 0x20 to 0x22,
 * text from 0x30. A comparison is never true of NULL.
 */
#define KEY_NUMBERS "\x11"
#define KEY_TEXTS   "\x30"

struct spans {
	struct qlang_span *v;
	size_t n;
};

static void
spans_clear(struct spans *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		buf_clear(&s->v[i].lo);
		buf_clear(&s->v[i].hi);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return (alen > blen) - (alen < blen);
}

/* Adds [lo, hi) (hi NULL: open) to s, unless it is empty. */
static void
spans_add(struct spans *s, const void *lo, size_t lolen, const void *hi,
    size_t hilen, int point)
{
	struct qlang_span *sp;

	if (hi != NULL && bytes_cmp(lo, lolen, hi, hilen) >= 0)
		return;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(*s->v));
	sp = &s->v[s->n++];
	memset(sp, 0, sizeof(*sp));
	buf_init(&sp->lo);
	buf_init(&sp->hi);
	buf_add(&sp->lo, lo, lolen);
	if (hi != NULL)
		buf_add(&sp->hi, hi, hilen);
	sp->hi_open = hi == NULL;
	sp->point = point;
}

/* The least key above every key starting with p: 0, or -1 (none). */
static int
succ(const struct buf *p, struct buf *out)
{
	size_t i = p->len;

	buf_reset(out);
	while (i > 0 && (unsigned char)p->data[i - 1] == 0xff)
		i--;
	if (i == 0)
		return -1;
	buf_add(out, p->data, i);
	out->data[i - 1] = (char)((unsigned char)out->data[i - 1] + 1);
	return 0;
}

/* Adds [lo, succ(lo)) or [lo, hi). */
static void
add_lo(struct spans *s, const struct buf *lo, const void *hi, size_t hilen)
{
	spans_add(s, lo->data, lo->len, hi, hilen, 0);
}

/*
 * The keys for which "attribute op v" holds, as cmp_val (filter.c)
 * compares: a numeric column with the value's number (below it when
 * it has none), a text column with its text (above it when none).
 */
static void
value_spans(enum filter_class cls, enum filter_op op,
    const struct filter_val *v, struct spans *out)
{
	struct buf num, text, s;
	int parts, open;

	buf_init(&num);
	buf_init(&text);
	buf_init(&s);
	parts = filter_val_keys(cls, v, &num, &text);
	if (parts & FILTER_KEY_NUM) {
		succ(&num, &s); /* a number's bytes never end in 0xff */
		switch (op) {
		case FILTER_EQ:
			spans_add(out, num.data, num.len, s.data, s.len, 1);
			break;
		case FILTER_LT:
			spans_add(out, KEY_NUMBERS, 1, num.data, num.len, 0);
			break;
		case FILTER_LTE:
			spans_add(out, KEY_NUMBERS, 1, s.data, s.len, 0);
			break;
		case FILTER_GT:
			add_lo(out, &s, KEY_TEXTS, 1);
			break;
		case FILTER_GTE:
			add_lo(out, &num, KEY_TEXTS, 1);
			break;
		default:
			break;
		}
	} else if (op == FILTER_LT || op == FILTER_LTE)
		spans_add(out, KEY_NUMBERS, 1, KEY_TEXTS, 1, 0);
	if (parts & FILTER_KEY_TEXT) {
		open = succ(&text, &s) == -1;
		switch (op) {
		case FILTER_EQ:
			spans_add(out, text.data, text.len,
			    open ? NULL : s.data, s.len, 1);
			break;
		case FILTER_LT:
			spans_add(out, KEY_TEXTS, 1, text.data, text.len, 0);
			break;
		case FILTER_LTE:
			spans_add(out, KEY_TEXTS, 1, open ? NULL : s.data,
			    s.len, 0);
			break;
		case FILTER_GT:
			if (!open)
				add_lo(out, &s, NULL, 0);
			break;
		case FILTER_GTE:
			add_lo(out, &text, NULL, 0);
			break;
		default:
			break;
		}
	} else if (op == FILTER_GT || op == FILTER_GTE)
		spans_add(out, KEY_TEXTS, 1, NULL, 0, 0);
	buf_clear(&num);
	buf_clear(&text);
	buf_clear(&s);
}

static int
span_lo_cmp(const void *a, const void *b)
{
	const struct qlang_span *x = a, *y = b;

	return bytes_cmp(x->lo.data, x->lo.len, y->lo.data, y->lo.len);
}

/* hi of a against hi of b (an open end is the greatest). */
static int
hi_cmp(const struct qlang_span *a, const struct qlang_span *b)
{
	if (a->hi_open || b->hi_open)
		return a->hi_open - b->hi_open;
	return bytes_cmp(a->hi.data, a->hi.len, b->hi.data, b->hi.len);
}

/* s sorted and its overlapping spans merged. */
static void
spans_normalize(struct spans *s)
{
	struct spans r = { NULL, 0 };
	struct qlang_span *cur;
	size_t i;

	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof(*s->v), span_lo_cmp);
	for (i = 0; i < s->n; i++) {
		struct qlang_span *x = &s->v[i];

		cur = r.n > 0 ? &r.v[r.n - 1] : NULL;
		if (cur != NULL &&
		    (cur->hi_open ||
		        bytes_cmp(x->lo.data, x->lo.len, cur->hi.data,
		            cur->hi.len) <= 0)) {
			cur->point = cur->point && x->point &&
			    hi_cmp(cur, x) == 0 && span_lo_cmp(cur, x) == 0;
			if (hi_cmp(x, cur) > 0) {
				buf_reset(&cur->hi);
				buf_add(&cur->hi, x->hi.data, x->hi.len);
				cur->hi_open = x->hi_open;
			}
			continue;
		}
		spans_add(&r, x->lo.data, x->lo.len,
		    x->hi_open ? NULL : x->hi.data, x->hi.len, x->point);
	}
	spans_clear(s);
	*s = r;
}

/* a and b intersected, into a. */
static void
spans_intersect(struct spans *a, const struct spans *b)
{
	struct spans r = { NULL, 0 };
	const struct qlang_span *x, *y, *lo, *hi;
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++) {
			x = &a->v[i];
			y = &b->v[j];
			lo = span_lo_cmp(x, y) >= 0 ? x : y;
			hi = hi_cmp(x, y) <= 0 ? x : y;
			spans_add(&r, lo->lo.data, lo->lo.len,
			    hi->hi_open ? NULL : hi->hi.data, hi->hi.len,
			    x->point || y->point);
		}
	spans_clear(a);
	*a = r;
	spans_normalize(a);
}

/*
 * The spans of a comparison on attr (cls): 0, or -1 when an index of
 * attr cannot answer it (another attribute or operator).
 */
static int
node_spans(const struct filter_node *n, const char *attr, enum filter_class cls,
    struct spans *out)
{
	struct spans ge = { NULL, 0 }, le = { NULL, 0 };
	size_t i;

	if (n->kind != FILTER_CMP || strcmp(n->attr, attr) != 0 ||
	    n->cls != cls || n->nval == 0)
		return -1;
	switch (n->op) {
	case FILTER_EQ:
	case FILTER_LT:
	case FILTER_LTE:
	case FILTER_GT:
	case FILTER_GTE:
		/* several values: any of them */
		for (i = 0; i < n->nval; i++)
			value_spans(cls, n->op, &n->val[i], out);
		break;
	case FILTER_IN:
		for (i = 0; i < n->nval; i++)
			value_spans(cls, FILTER_EQ, &n->val[i], out);
		break;
	case FILTER_BETWEEN:
		if (n->nval != 2)
			return -1;
		value_spans(cls, FILTER_GTE, &n->val[0], &ge);
		value_spans(cls, FILTER_LTE, &n->val[1], &le);
		spans_intersect(&ge, &le);
		spans_clear(&le);
		*out = ge;
		break;
	default:
		return -1;
	}
	spans_normalize(out);
	return 0;
}

/* The conditions that must all hold: the AND nodes' leaves. */
static void
leaves(const struct filter_node *n, const struct filter_node ***v, size_t *nv)
{
	size_t i;

	if (n->kind == FILTER_AND) {
		for (i = 0; i < n->nkid; i++)
			leaves(n->kid[i], v, nv);
		return;
	}
	*v = xreallocarray(*v, *nv + 1, sizeof(**v));
	(*v)[(*nv)++] = n;
}

/*
 * The spans of the index of attr for the leaves: every leaf on attr it
 * can answer, intersected. *exact: it answers every leaf.
 */
static void
attr_spans(const struct filter_node *const *lv, size_t nlv, const char *attr,
    enum filter_class cls, struct spans *out, int *exact)
{
	struct spans one;
	size_t i;

	spans_add(out, "", 0, NULL, 0, 0);
	*exact = 1;
	for (i = 0; i < nlv; i++) {
		memset(&one, 0, sizeof(one));
		if (node_spans(lv[i], attr, cls, &one) == -1) {
			*exact = 0;
			spans_clear(&one);
			continue;
		}
		spans_intersect(out, &one);
		spans_clear(&one);
	}
}

static int
count_spans(struct store *st, int index, const char *locale, struct spans *s,
    uint64_t *total)
{
	struct store_attr_span sp;
	size_t i;

	*total = 0;
	for (i = 0; i < s->n; i++) {
		memset(&sp, 0, sizeof(sp));
		sp.lo = s->v[i].lo.data;
		sp.lolen = s->v[i].lo.len;
		sp.hi = s->v[i].hi.data;
		sp.hilen = s->v[i].hi.len;
		sp.hi_open = s->v[i].hi_open;
		if (store_attr_count(st, index, locale, &sp, &s->v[i].count) ==
		    -1)
			return -1;
		*total += s->v[i].count;
	}
	return 0;
}

void
qlang_access_clear(struct qlang_access *a)
{
	struct spans s;

	s.v = a->span;
	s.n = a->nspan;
	spans_clear(&s);
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
	struct spans best = { NULL, 0 }, cur;
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
		leaves(p->filter, &lv, &nlv);
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
		attr_spans(lv, nlv, lv[i]->attr, lv[i]->cls, &cur, &exact);
		if (cur.n == 1 && cur.v[0].lo.len == 0 && cur.v[0].hi_open) {
			spans_clear(&cur); /* nothing it answers */
			continue;
		}
		if (count_spans(st, idx, q->locale, &cur, &n) == -1) {
			spans_clear(&cur);
			goto out;
		}
		if (a->index >= 0 && n >= a->count) {
			spans_clear(&cur);
			continue;
		}
		spans_clear(&best);
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
			spans_add(&best, "", 0, NULL, 0, 0);
			if (count_spans(st, idx, q->locale, &best, &n) == -1)
				goto out;
			a->index = idx;
			a->attr = lv[i]->attr;
			a->keys = 1;
			a->count = n;
		}
	if (a->index < 0 && p->filter == NULL && so->nkey == 1 &&
	    (idx = store_attr_find(st, q->coll->name, so->key[0].attr,
	         (int)so->key[0].cls)) >= 0) {
		spans_add(&best, "", 0, NULL, 0, 0);
		if (count_spans(st, idx, q->locale, &best, &n) == -1)
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
	spans_clear(&best);
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
	struct buf last; /* the page's last entry (for the cursor) */
	char *last_doc;
	struct buf key; /* the key of a walk of one (page_key) */
	uint64_t seq;
};

static int
page_item(void *arg, const void *key UNUSED, size_t keylen UNUSED,
    const struct store_item *it)
{
	struct page *pg = arg;

	pg->n++;
	buf_reset(&pg->last);
	buf_add(&pg->last, it->json, it->json_len);
	free(pg->last_doc);
	pg->last_doc = xstrdup(it->document_id);
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
 * forward, the value found at pos by a reverse walk of one.
 */
static int
page_desc(struct store *st, const struct render_query *q,
    const struct qlang_access *a, const struct qlang_span *s, uint64_t pos,
    struct page *pg)
{
	struct spans block = { NULL, 0 }, above = { NULL, 0 };
	struct buf val, next;
	uint64_t nabove, nblock;
	size_t vlen;
	int rc = -1, open;

	buf_init(&val);
	buf_init(&next);
	while (pg->n < pg->want && !pg->stop && pos < s->count) {
		buf_reset(&pg->key);
		if (page_walk(st, q, a, s, 1, pos, pg, page_key, 1) == -1)
			goto out;
		if ((vlen = filter_key_len(pg->key.data, pg->key.len)) == 0)
			goto out;
		buf_reset(&val);
		buf_add(&val, pg->key.data, vlen);
		open = succ(&val, &next) == -1;
		/* the span's keys of this value, and those above it */
		spans_add(&block, s->lo.data, s->lo.len,
		    s->hi_open ? NULL : s->hi.data, s->hi.len, 0);
		spans_add(&above, s->lo.data, s->lo.len,
		    s->hi_open ? NULL : s->hi.data, s->hi.len, 0);
		{
			struct spans v = { NULL, 0 }, up = { NULL, 0 };

			spans_add(&v, val.data, val.len,
			    open ? NULL : next.data, next.len, 1);
			if (!open)
				spans_add(&up, next.data, next.len, NULL, 0, 0);
			spans_intersect(&block, &v);
			spans_intersect(&above, &up);
			spans_clear(&v);
			spans_clear(&up);
		}
		if (count_spans(st, a->index, q->locale, &block, &nblock) ==
		        -1 ||
		    count_spans(st, a->index, q->locale, &above, &nabove) ==
		        -1 ||
		    block.n != 1 || pos < nabove || nblock == 0)
			goto out;
		if (page_walk(st, q, a, &block.v[0], 0, pos - nabove, pg,
		        page_item, pg->want - pg->n) == -1)
			goto out;
		pos = nabove + nblock;
		spans_clear(&block);
		spans_clear(&above);
	}
	rc = 0;
out:
	spans_clear(&block);
	spans_clear(&above);
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
	struct spans s = { NULL, 0 }, one = { NULL, 0 };
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
		spans_add(&one, "", 0, key.data, key.len, 0);
		break;
	case QLANG_ORDER_REVERSE: /* the keys from the cursor's */
		spans_add(&one, key.data, key.len, NULL, 0, 0);
		break;
	default: /* the values above, and the value's keys to the cursor's */
		buf_addc(&key, '\0');
		if (succ(&val, &next) == 0)
			spans_add(&one, next.data, next.len, NULL, 0, 0);
		spans_add(&one, val.data, val.len, key.data, key.len, 0);
		break;
	}
	for (n = 0; n < a->nspan; n++)
		spans_add(&s, a->span[n].lo.data, a->span[n].lo.len,
		    a->span[n].hi_open ? NULL : a->span[n].hi.data,
		    a->span[n].hi.len, 0);
	spans_intersect(&s, &one);
	if (count_spans(st, a->index, q->locale, &s, pos) == 0)
		rc = 0;
	spans_clear(&s);
	spans_clear(&one);
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
	buf_init(&pg.last);
	buf_init(&pg.key);
	if (store_last_seq(st, &pg.seq) == -1 ||
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
	if (pg.n > 0 && skip + pg.n < a->count)
		qlang_cursor_after(&p->sort, pg.last.data, pg.last.len,
		    q->locale, pg.last_doc, next_cursor);
	rc = 0;
out:
	buf_clear(&pg.last);
	buf_clear(&pg.key);
	free(pg.last_doc);
	return rc;
}
