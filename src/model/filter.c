/* filter.c: Strapi's filters and sorts evaluated over stored entries */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "model/filter.h"
#include "model/filter_int.h"
#include "model/jscan.h"
#include "util/xmalloc.h"

struct filter_node *
filter_node_new(enum filter_kind kind)
{
	struct filter_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	return n;
}

void
filter_node_add(struct filter_node *n, struct filter_node *kid)
{
	n->kid = xreallocarray(n->kid, n->nkid + 1, sizeof(*n->kid));
	n->kid[n->nkid++] = kid;
}

void
filter_free(struct filter_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkid; i++)
		filter_free(n->kid[i]);
	free(n->kid);
	free(n->attr);
	free(n->target);
	free(n->val);
	free(n);
}

/* The bytes of the values' texts, or (out) copies them there. */
static size_t
own_texts(struct filter_node *f, char *out, size_t off)
{
	size_t i, n;

	if (f == NULL)
		return off;
	for (i = 0; i < f->nval; i++) {
		n = strlen(f->val[i].text) + 1;
		if (out != NULL) {
			memcpy(out + off, f->val[i].text, n);
			f->val[i].text = out + off;
		}
		off += n;
	}
	for (i = 0; i < f->nkid; i++)
		off = own_texts(f->kid[i], out, off);
	return off;
}

/*
 * The filter's value texts (borrowed from the query it was built from)
 * copied into one block the caller frees after the filter: the filter
 * outlives its query.
 */
char *
filter_own_texts(struct filter_node *f)
{
	char *out = xmalloc(own_texts(f, NULL, 0) + 1);

	own_texts(f, out, 0);
	return out;
}

int
filter_has_rel(const struct filter_node *n)
{
	size_t i;

	if (n == NULL)
		return 0;
	if (n->kind == FILTER_REL)
		return 1;
	for (i = 0; i < n->nkid; i++)
		if (filter_has_rel(n->kid[i]))
			return 1;
	return 0;
}

/* --- one comparison ------------------------------------------------------ */

/* An attribute's value, as its SQLite column holds it. */
struct colval {
	int null;
	enum filter_class cls;
	long double num; /* NUMBER, BOOL, DATETIME (ms) */
	const char *s;   /* STRING, DATE */
	char text[48];   /* the text of a number, for the text operators */
};

static void
colval_of(struct json_object *entry, const char *attr, enum filter_class cls,
    int text, struct colval *cv)
{
	struct json_object *v = NULL;
	int64_t ms;

	cv->null = 0;
	cv->num = 0;
	cv->s = NULL;
	cv->text[0] = '\0';
	cv->cls = cls;
	if (entry == NULL || !json_object_object_get_ex(entry, attr, &v) ||
	    v == NULL) {
		cv->null = 1;
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_null:
		cv->null = 1;
		return;
	case json_type_boolean:
		cv->num = json_object_get_boolean(v) ? 1 : 0;
		cv->cls = cls == FILTER_STRING ? FILTER_BOOL : cls;
		if (text)
			snprintf(cv->text, sizeof(cv->text), "%d",
			    (int)cv->num);
		return;
	case json_type_int:
		cv->num = (long double)json_object_get_int64(v);
		if (cls == FILTER_STRING || cls == FILTER_DATE)
			cv->cls = FILTER_NUMBER;
		if (text)
			snprintf(cv->text, sizeof(cv->text), "%" PRId64,
			    json_object_get_int64(v));
		return;
	case json_type_double:
		cv->num = json_object_get_double(v);
		if (cls == FILTER_STRING || cls == FILTER_DATE)
			cv->cls = FILTER_NUMBER;
		if (!text)
			return;
		if (cv->num == floorl(cv->num) && fabsl(cv->num) < 9e15L)
			snprintf(cv->text, sizeof(cv->text), "%lld",
			    (long long)cv->num);
		else
			snprintf(cv->text, sizeof(cv->text), "%.15g",
			    (double)cv->num);
		return;
	case json_type_string:
		cv->s = json_object_get_string(v);
		if (cls == FILTER_NUMBER) {
			/* a biginteger or decimal sent as text */
			if (filter_parse_number(cv->s, &cv->num) == -1)
				cv->cls = FILTER_STRING;
			snprintf(cv->text, sizeof(cv->text), "%s",
			    strlen(cv->s) < sizeof(cv->text) ? cv->s : "");
		} else if (cls == FILTER_DATETIME) {
			if (filter_parse_instant(cv->s, &ms) == -1)
				cv->cls = FILTER_STRING;
			else {
				cv->num = (long double)ms;
				snprintf(cv->text, sizeof(cv->text), "%" PRId64,
				    ms);
			}
		} else if (cls == FILTER_BOOL)
			cv->cls = FILTER_STRING;
		return;
	default:
		/* an object or array: not a scalar column */
		cv->s =
		    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		cv->cls = FILTER_STRING;
		return;
	}
}

/* The column's text (what LOWER() and LIKE see). */
static const char *
colval_text(const struct colval *cv)
{
	return cv->cls == FILTER_STRING || cv->cls == FILTER_DATE ? cv->s
	                                                          : cv->text;
}

/* <0, 0, >0: the column against a cast value. */
static int
cmp_val(const struct colval *cv, const struct filter_val *v,
    enum filter_class vcls)
{
	long double b;
	int r;

	if (cv->cls == FILTER_STRING || cv->cls == FILTER_DATE) {
		const char *bs = vcls == FILTER_DATE ? v->date : v->text;

		if (vcls == FILTER_NUMBER || vcls == FILTER_BOOL ||
		    vcls == FILTER_DATETIME)
			return 1; /* SQLite: text sorts after numbers */
		r = strcmp(cv->s, bs);
		return r < 0 ? -1 : r > 0;
	}
	switch (vcls) {
	case FILTER_NUMBER:
	case FILTER_BOOL:
		b = v->num;
		break;
	case FILTER_DATETIME:
		b = (long double)v->ms;
		break;
	default:
		/* a number column against text: numbers sort first */
		if (filter_parse_number(v->text, &b) == -1)
			return -1;
		break;
	}
	return cv->num < b ? -1 : cv->num > b;
}

static enum filter_truth
truth(int b)
{
	return b ? FILTER_TRUE : FILTER_FALSE;
}

static enum filter_truth
not3(enum filter_truth t)
{
	return t == FILTER_UNKNOWN ? t : truth(t == FILTER_FALSE);
}

/* SQLite's LOWER(a) = LOWER(b): equal but for the case of ASCII letters. */
static int
ascii_ieq(const char *a, const char *b)
{
	unsigned char x, y;

	for (;; a++, b++) {
		x = (unsigned char)*a;
		y = (unsigned char)*b;
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
}

/* The operator on one value (not $in, $notIn, $between). */
static enum filter_truth
cmp_one(const struct filter_node *n, const struct colval *cv,
    const struct filter_val *v)
{
	int r = 0;
	enum filter_truth t;
	const char *pre = "", *post = "";

	switch (n->op) {
	case FILTER_NULL:
		return truth(cv->null == filter_bool_of(v->text));
	case FILTER_NOTNULL:
		return truth(cv->null != filter_bool_of(v->text));
	default:
		break;
	}
	if (cv->null)
		return FILTER_UNKNOWN;
	switch (n->op) {
	case FILTER_EQ:
		return truth(cmp_val(cv, v, n->cls) == 0);
	case FILTER_NE:
		return truth(cmp_val(cv, v, n->cls) != 0);
	case FILTER_LT:
		return truth(cmp_val(cv, v, n->cls) < 0);
	case FILTER_LTE:
		return truth(cmp_val(cv, v, n->cls) <= 0);
	case FILTER_GT:
		return truth(cmp_val(cv, v, n->cls) > 0);
	case FILTER_GTE:
		return truth(cmp_val(cv, v, n->cls) >= 0);
	case FILTER_EQI:
	case FILTER_NEI:
		r = ascii_ieq(colval_text(cv), v->text);
		return truth(n->op == FILTER_EQI ? r : !r);
	case FILTER_CONTAINS:
	case FILTER_NOTCONTAINS:
	case FILTER_CONTAINSI:
	case FILTER_NOTCONTAINSI:
		pre = post = "%";
		break;
	case FILTER_STARTSWITH:
	case FILTER_STARTSWITHI:
		post = "%";
		break;
	case FILTER_ENDSWITH:
	case FILTER_ENDSWITHI:
		pre = "%";
		break;
	default:
		return FILTER_UNKNOWN;
	}
	t = truth(filter_like_in(*pre != '\0', v->text, *post != '\0',
	    colval_text(cv)));
	if (n->op == FILTER_NOTCONTAINS || n->op == FILTER_NOTCONTAINSI)
		t = not3(t);
	return t;
}

static enum filter_truth
cmp_node_cv(const struct filter_node *n, const struct colval *cv0)
{
	const struct colval cv = *cv0;
	enum filter_truth t, r;
	size_t i;

	switch (n->op) {
	case FILTER_IN:
	case FILTER_NOTIN:
		if (cv.null)
			return FILTER_UNKNOWN;
		r = FILTER_FALSE;
		for (i = 0; i < n->nval && r == FILTER_FALSE; i++)
			if (cmp_val(&cv, &n->val[i], n->cls) == 0)
				r = FILTER_TRUE;
		return n->op == FILTER_IN ? r : not3(r);
	case FILTER_BETWEEN:
		if (cv.null)
			return FILTER_UNKNOWN;
		return truth(cmp_val(&cv, &n->val[0], n->cls) >= 0 &&
		    cmp_val(&cv, &n->val[1], n->cls) <= 0);
	default:
		break;
	}
	/* several values for a one-value operator: any of them (OR) */
	r = FILTER_FALSE;
	for (i = 0; i < n->nval; i++) {
		t = cmp_one(n, &cv, &n->val[i]);
		if (t == FILTER_TRUE)
			return t;
		if (t == FILTER_UNKNOWN)
			r = t;
	}
	return r;
}

/* 1 when the operator reads the column's text (colval_text). */
static int
needs_text(enum filter_op op)
{
	switch (op) {
	case FILTER_EQI:
	case FILTER_NEI:
	case FILTER_CONTAINS:
	case FILTER_NOTCONTAINS:
	case FILTER_CONTAINSI:
	case FILTER_NOTCONTAINSI:
	case FILTER_STARTSWITH:
	case FILTER_STARTSWITHI:
	case FILTER_ENDSWITH:
	case FILTER_ENDSWITHI:
		return 1;
	default:
		return 0;
	}
}

static enum filter_truth
cmp_node(const struct filter_node *n, struct json_object *entry)
{
	struct colval cv;

	colval_of(entry, n->attr, n->cls, needs_text(n->op), &cv);
	return cmp_node_cv(n, &cv);
}

/*
 * 1 when the entry's bytes show it cannot match f, without parsing it:
 * a condition on a text attribute that must hold (under the top $and)
 * is not true of the attribute's value, read by jscan when it is a
 * string, null or absent (any other value: 0, filter_match decides).
 * Evaluated as filter_match would, so a scan skips what it would drop.
 */
int
filter_quick_reject(const struct filter_node *f, const char *json, size_t len)
{
	struct jspan o = { json, len }, v;
	char s[1024];
	size_t i;

	if (f == NULL)
		return 0;
	if (f->kind == FILTER_AND) {
		for (i = 0; i < f->nkid; i++)
			if (filter_quick_reject(f->kid[i], json, len))
				return 1;
		return 0;
	}
	if (f->kind != FILTER_CMP || f->cls != FILTER_STRING)
		return 0;
	if (!jscan_member(o, f->attr, &v) || jscan_is(v, 'n'))
		return filter_text_reject(f, f->attr, NULL);
	if (jscan_str(v, s, sizeof(s)) == NULL)
		return 0;
	return filter_text_reject(f, f->attr, s);
}

/*
 * 1 when an attribute's value shows that its entry cannot match f: a
 * condition on attr (of the text class) that must hold is not true of
 * the text s (NULL: the value is null or absent), as filter_match would
 * find.
 */
int
filter_text_reject(const struct filter_node *f, const char *attr, const char *s)
{
	struct colval cv;
	size_t i;

	if (f == NULL)
		return 0;
	if (f->kind == FILTER_AND) {
		for (i = 0; i < f->nkid; i++)
			if (filter_text_reject(f->kid[i], attr, s))
				return 1;
		return 0;
	}
	if (f->kind != FILTER_CMP || f->cls != FILTER_STRING ||
	    strcmp(f->attr, attr) != 0)
		return 0;
	memset(&cv, 0, sizeof(cv));
	cv.cls = FILTER_STRING;
	cv.null = s == NULL;
	cv.s = s;
	return cmp_node_cv(f, &cv) != FILTER_TRUE;
}

/* --- the tree ------------------------------------------------------------ */

struct eval {
	filter_fetch_fn fetch;
	void *arg;
	int failed;
};

static enum filter_truth eval_node(const struct filter_node *,
    struct json_object *, struct eval *);

/* The related row of one reference ({documentId, locale}); NULL: none. */
static struct json_object *
related(const struct filter_node *n, struct json_object *ref, struct eval *e)
{
	struct json_object *d, *l, *o = NULL;
	struct buf out;
	int r;

	if (!json_object_is_type(ref, json_type_object) ||
	    !json_object_object_get_ex(ref, "documentId", &d) ||
	    !json_object_is_type(d, json_type_string) || e->fetch == NULL)
		return NULL;
	if (!json_object_object_get_ex(ref, "locale", &l) ||
	    !json_object_is_type(l, json_type_string))
		l = NULL;
	buf_init(&out);
	r = e->fetch(e->arg, n->target, json_object_get_string(d),
	    l != NULL ? json_object_get_string(l) : "", &out);
	if (r == -1)
		e->failed = 1;
	else if (r == 1)
		o = json_tokener_parse(buf_cstr(&out));
	buf_clear(&out);
	return o;
}

/*
 * A relation: Strapi joins the related rows (LEFT JOIN): a row with no
 * related row is compared against nulls; with several (to-many), the
 * row matches when one of them does.
 */
static enum filter_truth
rel_node(const struct filter_node *n, struct json_object *entry, struct eval *e)
{
	struct json_object *v = NULL, *o;
	enum filter_truth r = FILTER_FALSE, t;
	size_t i, len;

	if (entry != NULL)
		json_object_object_get_ex(entry, n->attr, &v);
	if (v != NULL && json_object_is_type(v, json_type_array) &&
	    (len = json_object_array_length(v)) > 0) {
		for (i = 0; i < len && r != FILTER_TRUE; i++) {
			o = related(n, json_object_array_get_idx(v, i), e);
			t = eval_node(n->kid[0], o, e);
			json_object_put(o);
			if (t == FILTER_TRUE || (t == FILTER_UNKNOWN))
				r = t == FILTER_TRUE ? t : FILTER_UNKNOWN;
		}
		return r;
	}
	o = v != NULL && json_object_is_type(v, json_type_object)
	    ? related(n, v, e)
	    : NULL;
	t = eval_node(n->kid[0], o, e);
	json_object_put(o);
	return t;
}

static enum filter_truth
eval_node(const struct filter_node *n, struct json_object *entry,
    struct eval *e)
{
	enum filter_truth r, t;
	size_t i;

	switch (n->kind) {
	case FILTER_AND:
		r = FILTER_TRUE;
		for (i = 0; i < n->nkid; i++) {
			t = eval_node(n->kid[i], entry, e);
			if (t == FILTER_FALSE)
				return t;
			if (t == FILTER_UNKNOWN)
				r = t;
		}
		return r;
	case FILTER_OR:
		/* Strapi's "$or": [] adds no condition: true */
		if (n->nkid == 0)
			return FILTER_TRUE;
		r = FILTER_FALSE;
		for (i = 0; i < n->nkid; i++) {
			t = eval_node(n->kid[i], entry, e);
			if (t == FILTER_TRUE)
				return t;
			if (t == FILTER_UNKNOWN)
				r = t;
		}
		return r;
	case FILTER_NOT:
		return not3(eval_node(n->kid[0], entry, e));
	case FILTER_CMP:
		return cmp_node(n, entry);
	case FILTER_REL:
		return rel_node(n, entry, e);
	}
	return FILTER_UNKNOWN;
}

/* --- sort keys and rows -------------------------------------------------- */

void
filter_key_of(struct json_object *entry, const char *attr,
    enum filter_class cls, struct filter_keyval *k)
{
	struct colval cv;

	colval_of(entry, attr, cls, 0, &cv);
	memset(k, 0, sizeof(*k));
	k->null = cv.null;
	if (cv.null)
		return;
	if (cv.cls == FILTER_STRING || cv.cls == FILTER_DATE)
		k->s = xstrdup(cv.s);
	else
		k->num = cv.num;
}

/* json parsed, when it is an object (one json_object_put), or NULL. */
struct json_object *
filter_json_object(const char *json, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	o = len <= INT_MAX ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	json_tokener_free(tok);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
filter_match(const struct filter_node *f, const struct filter_sort *sort,
    const char *json, size_t len, filter_fetch_fn fetch, void *fetch_arg,
    struct filter_row *row)
{
	struct json_object *o;
	struct eval e;
	const char *s;
	size_t i;
	int r = 1;

	if ((o = filter_json_object(json, len)) == NULL)
		return -1;
	memset(&e, 0, sizeof(e));
	e.fetch = fetch;
	e.arg = fetch_arg;
	if (f != NULL)
		r = eval_node(f, o, &e) == FILTER_TRUE;
	if (e.failed)
		r = -1;
	if (r == 1) {
		memset(row, 0, sizeof(*row));
		for (i = 0; i < sort->nkey; i++)
			filter_key_of(o, sort->key[i].attr, sort->key[i].cls,
			    &row->key[i]);
		filter_key_of(o, "id", FILTER_NUMBER, &row->key[sort->nkey]);
		s = json_object_get_string(
		    json_object_object_get(o, "documentId"));
		row->document_id = xstrdup(s != NULL ? s : "");
		s = json_object_get_string(json_object_object_get(o, "locale"));
		row->locale = xstrdup(s != NULL ? s : "");
	}
	json_object_put(o);
	return r;
}

/* --- an entry parsed once for several filters ---------------------------- */

/* The stored entry json parsed, or NULL when it is not a JSON object. */
struct filter_doc *
filter_doc_parse(const char *json, size_t len)
{
	struct json_object *o;
	struct filter_doc *d;

	if ((o = filter_json_object(json, len)) == NULL)
		return NULL;
	d = xmalloc(sizeof(*d));
	d->o = o;
	return d;
}

void
filter_doc_free(struct filter_doc *d)
{
	if (d == NULL)
		return;
	json_object_put(d->o);
	free(d);
}

/* filter_match's verdict on a parsed entry: 1 match, 0 not, -1 a fetch failed. */
int
filter_doc_match(const struct filter_node *f, const struct filter_doc *d,
    filter_fetch_fn fetch, void *fetch_arg)
{
	struct eval e;
	int r;

	memset(&e, 0, sizeof(e));
	e.fetch = fetch;
	e.arg = fetch_arg;
	r = f == NULL || eval_node(f, d->o, &e) == FILTER_TRUE;
	return e.failed ? -1 : r;
}

/* 1 when the condition n (FILTER_CMP) is true of a parsed entry, else 0. */
int
filter_doc_cmp(const struct filter_node *n, const struct filter_doc *d)
{
	return cmp_node(n, d->o) == FILTER_TRUE;
}
