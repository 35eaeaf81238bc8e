/* filter_index.c: a filter's index key, and a row's values for it */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "model/filter.h"
#include "model/filter_int.h"
#include "util/buf.h"

/* A condition "text equals one of" on a string attribute. */
static int
eq_text(const struct filter_node *n)
{
	return n->kind == FILTER_CMP && n->cls == FILTER_STRING &&
	    (n->op == FILTER_EQ || n->op == FILTER_IN) && n->nval > 0;
}

/*
 * The first eq_text condition under n's chain of AND nodes; with rel,
 * one under a relation too (a REL's where is a chain of its own).
 */
static int
find(const struct filter_node *n, int rel, struct filter_ikey *k)
{
	size_t i;

	if (eq_text(n)) {
		k->attr = n->attr;
		k->val = n->val;
		k->nval = n->nval;
		return 1;
	}
	if (n->kind == FILTER_REL && rel && find(n->kid[0], 0, k)) {
		k->rel = n->attr;
		k->target = n->target;
		return 1;
	}
	if (n->kind != FILTER_AND)
		return 0;
	for (i = 0; i < n->nkid; i++)
		if (find(n->kid[i], rel, k))
			return 1;
	return 0;
}

/*
 * The index key of f (a row matches f only when its text there is one of
 * the key's values), preferring the row's own attributes to a related
 * row's. Returns 1 with *k (borrowing f), 0 when f has none.
 */
int
filter_ikey_of(const struct filter_node *f, struct filter_ikey *k)
{
	memset(k, 0, sizeof(*k));
	if (f == NULL)
		return 0;
	if (find(f, 0, k))
		return 1;
	memset(k, 0, sizeof(*k));
	return find(f, 1, k);
}

/* attr's text in o to cb: 0, or 1 when it is neither text nor null. */
static int
text_of(struct json_object *o, const char *attr,
    void (*cb)(void *, const char *), void *cb_arg)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, attr, &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return 1;
	cb(cb_arg, json_object_get_string(v));
	return 0;
}

/* The related row of a reference ({documentId, locale}) read; NULL: none. */
static struct json_object *
related(struct json_object *ref, const char *target, filter_fetch_fn fetch,
    void *fetch_arg, int *failed)
{
	struct json_object *d, *l, *o = NULL;
	struct buf out;
	int r;

	if (!json_object_is_type(ref, json_type_object) ||
	    !json_object_object_get_ex(ref, "documentId", &d) ||
	    !json_object_is_type(d, json_type_string) || fetch == NULL)
		return NULL;
	if (!json_object_object_get_ex(ref, "locale", &l) ||
	    !json_object_is_type(l, json_type_string))
		l = NULL;
	buf_init(&out);
	r = fetch(fetch_arg, target, json_object_get_string(d),
	    l != NULL ? json_object_get_string(l) : "", &out);
	if (r == -1)
		*failed = 1;
	else if (r == 1)
		o = json_tokener_parse(buf_cstr(&out));
	buf_clear(&out);
	return o;
}

/*
 * The row's texts at the key (its attribute, or each related row's,
 * read through fetch) given to cb. Returns 0, 1 when one is not text
 * (any value is possible: the caller must not rely on the key), or -1
 * when a fetch failed.
 */
int
filter_doc_values(const struct filter_doc *d, const struct filter_ikey *k,
    filter_fetch_fn fetch, void *fetch_arg, void (*cb)(void *, const char *),
    void *cb_arg)
{
	struct json_object *v = NULL, *o;
	size_t i, n = 1;
	int failed = 0, r = 0;

	if (k->rel == NULL)
		return text_of(d->o, k->attr, cb, cb_arg);
	if (!json_object_object_get_ex(d->o, k->rel, &v) || v == NULL)
		return 0;
	if (json_object_is_type(v, json_type_array))
		n = json_object_array_length(v);
	for (i = 0; i < n && r == 0 && !failed; i++) {
		o = related(json_object_is_type(v, json_type_array)
		        ? json_object_array_get_idx(v, i)
		        : v,
		    k->target, fetch, fetch_arg, &failed);
		r = text_of(o, k->attr, cb, cb_arg);
		json_object_put(o);
	}
	return failed ? -1 : r;
}

/*
 * How well a condition splits the rows, best first: a guard of live
 * queries is picked among the conditions of a filter by it (0: equality,
 * 1: a prefix, suffix, range or null test, 2: the rest).
 */
static int
rank(const struct filter_node *n)
{
	switch (n->op) {
	case FILTER_EQ:
	case FILTER_IN:
	case FILTER_EQI:
		return 0;
	case FILTER_STARTSWITH:
	case FILTER_STARTSWITHI:
	case FILTER_ENDSWITH:
	case FILTER_ENDSWITHI:
	case FILTER_BETWEEN:
	case FILTER_NULL:
		return 1;
	default:
		return 2;
	}
}

static size_t
musts(const struct filter_node *n, const struct filter_node **out, size_t max,
    size_t k)
{
	size_t i;

	if (n->kind == FILTER_CMP && n->nval > 0) {
		if (k < max)
			out[k++] = n;
		return k;
	}
	if (n->kind != FILTER_AND)
		return k;
	for (i = 0; i < n->nkid; i++)
		k = musts(n->kid[i], out, max, k);
	return k;
}

/*
 * The conditions on the row's own attributes that every row f matches
 * meets (those under its chain of AND nodes), at most max of them into
 * out, best splitting first (rank; then in the filter's order). Returns
 * their number: a row for which one is not true cannot match f.
 */
size_t
filter_musts(const struct filter_node *f, const struct filter_node **out,
    size_t max)
{
	const struct filter_node *t;
	size_t i, j, n;

	if (f == NULL)
		return 0;
	n = musts(f, out, max, 0);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && rank(out[j]) < rank(out[j - 1]); j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* A condition's text: two conditions with the same text test the same. */
void
filter_cmp_key(const struct filter_node *n, struct buf *b)
{
	size_t i;

	buf_printf(b, "%d %d %zu:%s", (int)n->cls, (int)n->op, strlen(n->attr),
	    n->attr);
	for (i = 0; i < n->nval; i++)
		buf_printf(b, " %zu:%s", strlen(n->val[i].text),
		    n->val[i].text);
}
