/* qlang_span.c: a filter's conditions as key ranges of an attribute index */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/qlang_int.h"
#include "model/filter.h"
#include "util/xmalloc.h"

/* --- spans ----------------------------------------------------------- */

/*
 * The key space (filter_key.c): NULL is 0x10, numbers 0x20 to 0x22,
 * text from 0x30. A comparison is never true of NULL.
 */
#define KEY_NUMBERS "\x11"
#define KEY_TEXTS   "\x30"

void
qspans_clear(struct qspans *s)
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
void
qspans_add(struct qspans *s, const void *lo, size_t lolen, const void *hi,
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
int
qspans_succ(const struct buf *p, struct buf *out)
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

/* Adds [lo, qspans_succ(lo)) or [lo, hi). */
static void
add_lo(struct qspans *s, const struct buf *lo, const void *hi, size_t hilen)
{
	qspans_add(s, lo->data, lo->len, hi, hilen, 0);
}

/*
 * The keys for which "attribute op v" holds, as cmp_val (filter.c)
 * compares: a numeric column with the value's number (below it when
 * it has none), a text column with its text (above it when none).
 */
static void
value_spans(enum filter_class cls, enum filter_op op,
    const struct filter_val *v, struct qspans *out)
{
	struct buf num, text, s;
	int parts, open;

	buf_init(&num);
	buf_init(&text);
	buf_init(&s);
	parts = filter_val_keys(cls, v, &num, &text);
	if (parts & FILTER_KEY_NUM) {
		qspans_succ(&num, &s); /* a number's bytes never end in 0xff */
		switch (op) {
		case FILTER_EQ:
			qspans_add(out, num.data, num.len, s.data, s.len, 1);
			break;
		case FILTER_LT:
			qspans_add(out, KEY_NUMBERS, 1, num.data, num.len, 0);
			break;
		case FILTER_LTE:
			qspans_add(out, KEY_NUMBERS, 1, s.data, s.len, 0);
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
		qspans_add(out, KEY_NUMBERS, 1, KEY_TEXTS, 1, 0);
	if (parts & FILTER_KEY_TEXT) {
		open = qspans_succ(&text, &s) == -1;
		switch (op) {
		case FILTER_EQ:
			qspans_add(out, text.data, text.len,
			    open ? NULL : s.data, s.len, 1);
			break;
		case FILTER_LT:
			qspans_add(out, KEY_TEXTS, 1, text.data, text.len, 0);
			break;
		case FILTER_LTE:
			qspans_add(out, KEY_TEXTS, 1, open ? NULL : s.data,
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
		qspans_add(out, KEY_TEXTS, 1, NULL, 0, 0);
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
spans_normalize(struct qspans *s)
{
	struct qspans r = { NULL, 0 };
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
		qspans_add(&r, x->lo.data, x->lo.len,
		    x->hi_open ? NULL : x->hi.data, x->hi.len, x->point);
	}
	qspans_clear(s);
	*s = r;
}

/* a and b intersected, into a. */
void
qspans_intersect(struct qspans *a, const struct qspans *b)
{
	struct qspans r = { NULL, 0 };
	const struct qlang_span *x, *y, *lo, *hi;
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++) {
			x = &a->v[i];
			y = &b->v[j];
			lo = span_lo_cmp(x, y) >= 0 ? x : y;
			hi = hi_cmp(x, y) <= 0 ? x : y;
			qspans_add(&r, lo->lo.data, lo->lo.len,
			    hi->hi_open ? NULL : hi->hi.data, hi->hi.len,
			    x->point || y->point);
		}
	qspans_clear(a);
	*a = r;
	spans_normalize(a);
}

/*
 * The spans of a comparison on attr (cls): 0, or -1 when an index of
 * attr cannot answer it (another attribute or operator).
 */
static int
node_spans(const struct filter_node *n, const char *attr, enum filter_class cls,
    struct qspans *out)
{
	struct qspans ge = { NULL, 0 }, le = { NULL, 0 };
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
		qspans_intersect(&ge, &le);
		qspans_clear(&le);
		*out = ge;
		break;
	default:
		return -1;
	}
	spans_normalize(out);
	return 0;
}

/* The conditions that must all hold: the AND nodes' leaves. */
void
qspans_leaves(const struct filter_node *n, const struct filter_node ***v,
    size_t *nv)
{
	size_t i;

	if (n->kind == FILTER_AND) {
		for (i = 0; i < n->nkid; i++)
			qspans_leaves(n->kid[i], v, nv);
		return;
	}
	*v = xreallocarray(*v, *nv + 1, sizeof(**v));
	(*v)[(*nv)++] = n;
}

/*
 * The spans of the index of attr for the leaves: every leaf on attr it
 * can answer, intersected. *exact: it answers every leaf.
 */
void
qspans_attr(const struct filter_node *const *lv, size_t nlv, const char *attr,
    enum filter_class cls, struct qspans *out, int *exact)
{
	struct qspans one;
	size_t i;

	qspans_add(out, "", 0, NULL, 0, 0);
	*exact = 1;
	for (i = 0; i < nlv; i++) {
		memset(&one, 0, sizeof(one));
		if (node_spans(lv[i], attr, cls, &one) == -1) {
			*exact = 0;
			qspans_clear(&one);
			continue;
		}
		qspans_intersect(out, &one);
		qspans_clear(&one);
	}
}

int
qspans_count(struct store *st, int index, const char *locale, struct qspans *s,
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
