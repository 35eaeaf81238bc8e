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
#include "util/xmalloc.h"

/*
 * Strapi 5 (packages/core/database, query/helpers/where) turns each
 * operator into SQL: $eq "col = ?", $eqi "LOWER(col) = LOWER(?)",
 * $contains "col LIKE %v%", $containsi "LOWER(col) LIKE LOWER(%v%)",
 * $notContains "NOT (col LIKE %v%)", $in "col IN (...)", $null "col IS
 * NULL", and so on; the comparing operators ($eq $ne $lt $lte $gt $gte
 * $in $notIn $between $not) first cast the value to the attribute's
 * type. On SQLite, LIKE folds ASCII letters only and is never case
 * sensitive (so $contains is as insensitive as $containsi), LOWER folds
 * ASCII letters only, '%' and '_' in a value stay wildcards, and a
 * comparison with NULL is unknown. Dates and times are stored as
 * milliseconds since the epoch, booleans as 0 and 1: the text operators
 * see those.
 */

static const char *const op_names[FILTER_OP__MAX] = {
	[FILTER_EQ] = "$eq",
	[FILTER_EQI] = "$eqi",
	[FILTER_NE] = "$ne",
	[FILTER_NEI] = "$nei",
	[FILTER_LT] = "$lt",
	[FILTER_LTE] = "$lte",
	[FILTER_GT] = "$gt",
	[FILTER_GTE] = "$gte",
	[FILTER_IN] = "$in",
	[FILTER_NOTIN] = "$notIn",
	[FILTER_CONTAINS] = "$contains",
	[FILTER_NOTCONTAINS] = "$notContains",
	[FILTER_CONTAINSI] = "$containsi",
	[FILTER_NOTCONTAINSI] = "$notContainsi",
	[FILTER_NULL] = "$null",
	[FILTER_NOTNULL] = "$notNull",
	[FILTER_BETWEEN] = "$between",
	[FILTER_STARTSWITH] = "$startsWith",
	[FILTER_STARTSWITHI] = "$startsWithi",
	[FILTER_ENDSWITH] = "$endsWith",
	[FILTER_ENDSWITHI] = "$endsWithi",
};

const char *
filter_op_name(enum filter_op op)
{
	return op < FILTER_OP__MAX ? op_names[op] : "?";
}

enum filter_op
filter_op_of(const char *s)
{
	int i;

	for (i = 0; i < FILTER_OP__MAX; i++)
		if (strcmp(s, op_names[i]) == 0)
			return (enum filter_op)i;
	return FILTER_OP__MAX;
}

/* Strapi's CAST_OPERATORS: the value is cast to the attribute's type. */
int
filter_op_casts(enum filter_op op)
{
	switch (op) {
	case FILTER_EQ:
	case FILTER_NE:
	case FILTER_LT:
	case FILTER_LTE:
	case FILTER_GT:
	case FILTER_GTE:
	case FILTER_IN:
	case FILTER_NOTIN:
	case FILTER_BETWEEN:
		return 1;
	default:
		return 0;
	}
}

/* Strapi's boolean field: true/t/1, false/f/0, else JS truthiness. */
int
filter_bool_of(const char *s)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "t") == 0 ||
	    strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "f") == 0 ||
	    strcmp(s, "0") == 0)
		return 0;
	return *s != '\0';
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * An ISO 8601 date-time as date-fns' parseISO reads it (YYYY, YYYY-MM,
 * YYYY-MM-DD, then THH:MM[:SS[.fraction]] and Z or ±HH[:MM]); no offset
 * is UTC (the server's zone, which Strapi's deployments run in UTC), or
 * a number of milliseconds since the epoch. -1 when it is neither.
 */
static int
parse_instant(const char *s, int64_t *ms)
{
	int y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, days;
	size_t n = strlen(s);
	const char *p;
	char *end;
	long long v;

	if (n > 0 && strspn(s, "0123456789") == n && n <= 15) {
		v = strtoll(s, &end, 10);
		*ms = v;
		return 0;
	}
	if (n < 4 || digits(s, 4, &y) == -1)
		return -1;
	p = s + 4;
	if (*p == '-') {
		if (digits(p + 1, 2, &mo) == -1)
			return -1;
		p += 3;
		if (*p == '-') {
			if (digits(p + 1, 2, &d) == -1)
				return -1;
			p += 3;
		}
	}
	if (*p == 'T') {
		if (digits(p + 1, 2, &h) == -1 || p[3] != ':' ||
		    digits(p + 4, 2, &mi) == -1)
			return -1;
		p += 6;
		if (*p == ':') {
			if (digits(p + 1, 2, &sec) == -1)
				return -1;
			p += 3;
			if (*p == '.' || *p == ',') {
				int nd = 0;

				for (p++; *p >= '0' && *p <= '9'; p++, nd++)
					if (nd < 3)
						frac = frac * 10 + (*p - '0');
				if (nd == 0)
					return -1;
				for (; nd < 3; nd++)
					frac *= 10;
			}
		}
		if (*p == 'Z')
			p++;
		else if (*p == '+' || *p == '-') {
			sign = *p == '-' ? -1 : 1;
			if (digits(p + 1, 2, &oh) == -1)
				return -1;
			p += 3;
			if (*p == ':')
				p++;
			if (*p != '\0') {
				if (digits(p, 2, &om) == -1)
					return -1;
				p += 2;
			}
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 ||
	    mi > 59 || sec > 59 || oh > 23 || om > 59)
		return -1;
	/* days from civil (proleptic Gregorian) */
	{
		int yy = y - (mo <= 2);
		int era = (yy >= 0 ? yy : yy - 399) / 400;
		int yoe = yy - era * 400;
		int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = (int64_t)era * 146097 + doe - 719468;
	}
	*ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + frac;
	*ms -= (int64_t)sign * ((int64_t)oh * 60 + om) * 60000;
	return 0;
}

/*
 * A number as the query gives it: decimal, optional sign and exponent.
 * An integer is kept exact (SQLite's INTEGER, 64 bits), anything else is
 * a double, as SQLite's REAL and JavaScript's Number are (99.99 given
 * equals 99.99 stored).
 */
static int
parse_number(const char *s, long double *out)
{
	char *end;
	long long i;
	double v;

	while (*s == ' ')
		s++;
	if (*s == '\0' || strpbrk(s, "xXnN") != NULL) /* hex, nan, inf */
		return -1;
	errno = 0;
	i = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (*end == '\0' && end != s && errno == 0) {
		*out = (long double)i;
		return 0;
	}
	v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * Casts a query value to the class (Strapi's field.toDB). Returns 0, or
 * -1 when the value is not one (a number, a date) of the class.
 */
int
filter_cast(enum filter_class cls, const char *text, struct filter_val *v)
{
	memset(v, 0, sizeof(*v));
	v->text = text;
	switch (cls) {
	case FILTER_STRING:
		return 0;
	case FILTER_NUMBER:
		return parse_number(text, &v->num);
	case FILTER_BOOL:
		v->num = filter_bool_of(text);
		return 0;
	case FILTER_DATETIME:
		return parse_instant(text, &v->ms);
	case FILTER_DATE:
		if (strlen(text) < 10 || digits(text, 4, &(int){ 0 }) == -1 ||
		    text[4] != '-' || digits(text + 5, 2, &(int){ 0 }) == -1 ||
		    text[7] != '-' || digits(text + 8, 2, &(int){ 0 }) == -1)
			return -1;
		memcpy(v->date, text, 10);
		v->date[10] = '\0';
		return 0;
	}
	return -1;
}

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

/* --- SQLite's LIKE and LOWER --------------------------------------------- */

static size_t
utf8_len(const unsigned char *p)
{
	if (*p < 0x80)
		return 1;
	if ((*p & 0xe0) == 0xc0)
		return p[1] != '\0' ? 2 : 1;
	if ((*p & 0xf0) == 0xe0)
		return p[1] != '\0' && p[2] != '\0' ? 3 : 1;
	if ((*p & 0xf8) == 0xf0)
		return p[1] != '\0' && p[2] != '\0' && p[3] != '\0' ? 4 : 1;
	return 1;
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/*
 * SQLite's LIKE without ESCAPE: '%' any run of characters, '_' one
 * character (UTF-8), ASCII letters equal in either case, everything
 * else byte for byte. Iterative, with the usual single backtrack point
 * per '%', so it is linear-ish and never recursive.
 */
int
filter_like(const char *pattern, const char *text)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *t = (const unsigned char *)text;
	const unsigned char *sp = NULL, *st = NULL;

	while (*t != '\0') {
		if (*p == '%') {
			while (*p == '%')
				p++;
			if (*p == '\0')
				return 1;
			sp = p;
			st = t;
			continue;
		}
		if (*p == '_') {
			p++;
			t += utf8_len(t);
			continue;
		}
		if (*p != '\0' && ascii_lower(*p) == ascii_lower(*t)) {
			p++;
			t++;
			continue;
		}
		if (sp == NULL)
			return 0;
		/* the last '%' takes one more character */
		st += utf8_len(st);
		t = st;
		p = sp;
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}

static void
lower_into(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_addc(b, (char)ascii_lower((unsigned char)*s));
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
    struct colval *cv)
{
	struct json_object *v = NULL;
	int64_t ms;

	memset(cv, 0, sizeof(*cv));
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
		snprintf(cv->text, sizeof(cv->text), "%d", (int)cv->num);
		return;
	case json_type_int:
		cv->num = (long double)json_object_get_int64(v);
		if (cls == FILTER_STRING || cls == FILTER_DATE)
			cv->cls = FILTER_NUMBER;
		snprintf(cv->text, sizeof(cv->text), "%" PRId64,
		    json_object_get_int64(v));
		return;
	case json_type_double:
		cv->num = json_object_get_double(v);
		if (cls == FILTER_STRING || cls == FILTER_DATE)
			cv->cls = FILTER_NUMBER;
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
			if (parse_number(cv->s, &cv->num) == -1)
				cv->cls = FILTER_STRING;
			snprintf(cv->text, sizeof(cv->text), "%s",
			    strlen(cv->s) < sizeof(cv->text) ? cv->s : "");
		} else if (cls == FILTER_DATETIME) {
			if (parse_instant(cv->s, &ms) == -1)
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
		if (parse_number(v->text, &b) == -1)
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

/* The operator on one value (not $in, $notIn, $between). */
static enum filter_truth
cmp_one(const struct filter_node *n, const struct colval *cv,
    const struct filter_val *v)
{
	struct buf a, b;
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
		buf_init(&a);
		buf_init(&b);
		lower_into(&a, colval_text(cv));
		lower_into(&b, v->text);
		r = strcmp(buf_cstr(&a), buf_cstr(&b)) == 0;
		buf_clear(&a);
		buf_clear(&b);
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
	buf_init(&a);
	buf_adds(&a, pre);
	buf_adds(&a, v->text);
	buf_adds(&a, post);
	t = truth(filter_like(buf_cstr(&a), colval_text(cv)));
	buf_clear(&a);
	if (n->op == FILTER_NOTCONTAINS || n->op == FILTER_NOTCONTAINSI)
		t = not3(t);
	return t;
}

static enum filter_truth
cmp_node(const struct filter_node *n, struct json_object *entry)
{
	struct colval cv;
	enum filter_truth t, r;
	size_t i;

	colval_of(entry, n->attr, n->cls, &cv);
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

static void
key_of(struct json_object *entry, const char *attr, enum filter_class cls,
    struct filter_keyval *k)
{
	struct colval cv;

	colval_of(entry, attr, cls, &cv);
	memset(k, 0, sizeof(*k));
	k->null = cv.null;
	if (cv.null)
		return;
	if (cv.cls == FILTER_STRING || cv.cls == FILTER_DATE)
		k->s = xstrdup(cv.s);
	else
		k->num = cv.num;
}

int
filter_match(const struct filter_node *f, const struct filter_sort *sort,
    const char *json, size_t len, filter_fetch_fn fetch, void *fetch_arg,
    struct filter_row *row)
{
	struct json_tokener *tok;
	struct json_object *o;
	struct eval e;
	const char *s;
	size_t i;
	int r = 1;

	if ((tok = json_tokener_new()) == NULL)
		return -1;
	o = len <= INT_MAX ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	json_tokener_free(tok);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
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
			key_of(o, sort->key[i].attr, sort->key[i].cls,
			    &row->key[i]);
		key_of(o, "id", FILTER_NUMBER, &row->key[sort->nkey]);
		s = json_object_get_string(
		    json_object_object_get(o, "documentId"));
		row->document_id = xstrdup(s != NULL ? s : "");
		s = json_object_get_string(json_object_object_get(o, "locale"));
		row->locale = xstrdup(s != NULL ? s : "");
	}
	json_object_put(o);
	return r;
}

/*
 * The row of an entry for the default order (no filter, no sort: only
 * the id) without parsing it, when its JSON starts {"id":<integer>, as
 * the stored form of every Strapi payload does. Returns 1 and row, or 0
 * (row untouched) when it does not: then filter_match.
 */
int
filter_row_quick(const char *json, size_t len, const char *document_id,
    const char *locale, struct filter_row *row)
{
	char digits[24];
	size_t i = 6, n = 0;

	if (len < 8 || memcmp(json, "{\"id\":", 6) != 0)
		return 0;
	if (json[i] == '-')
		digits[n++] = json[i++];
	while (i < len && n < sizeof(digits) - 1 && json[i] >= '0' &&
	    json[i] <= '9')
		digits[n++] = json[i++];
	if (i >= len || (json[i] != ',' && json[i] != '}') || n == 0 ||
	    digits[n - 1] == '-' || n >= 19)
		return 0;
	digits[n] = '\0';
	memset(row, 0, sizeof(*row));
	row->key[0].num = (long double)strtoll(digits, NULL, 10);
	row->document_id = xstrdup(document_id != NULL ? document_id : "");
	row->locale = xstrdup(locale != NULL ? locale : "");
	return 1;
}

void
filter_row_clear(struct filter_row *row)
{
	size_t i;

	for (i = 0; i <= FILTER_MAX_SORT; i++)
		free(row->key[i].s);
	free(row->document_id);
	free(row->locale);
	free(row->json);
	memset(row, 0, sizeof(*row));
}

/* SQLite's ORDER BY: NULL first, numbers by value, text by bytes. */
static int
key_cmp(const struct filter_keyval *a, const struct filter_keyval *b)
{
	int r;

	if (a->null || b->null)
		return a->null == b->null ? 0 : a->null ? -1 : 1;
	if ((a->s != NULL) != (b->s != NULL))
		return a->s != NULL ? 1 : -1; /* text after numbers */
	if (a->s != NULL) {
		r = strcmp(a->s, b->s);
		return r < 0 ? -1 : r > 0;
	}
	return a->num < b->num ? -1 : a->num > b->num;
}

/* The sort's order, then id, documentId and locale ascending. */
int
filter_row_cmp(const struct filter_sort *sort, const struct filter_row *a,
    const struct filter_row *b)
{
	size_t i;
	int r;

	for (i = 0; i < sort->nkey; i++)
		if ((r = key_cmp(&a->key[i], &b->key[i])) != 0)
			return sort->key[i].desc ? -r : r;
	if ((r = key_cmp(&a->key[sort->nkey], &b->key[sort->nkey])) != 0)
		return r;
	if ((r = strcmp(a->document_id, b->document_id)) != 0)
		return r;
	return strcmp(a->locale, b->locale);
}

/* "title:asc,publishedAt:desc": what a cursor was made for. */
void
filter_sort_signature(const struct filter_sort *sort, struct buf *out)
{
	size_t i;

	for (i = 0; i < sort->nkey; i++)
		buf_printf(out, "%s%s:%s", i > 0 ? "," : "", sort->key[i].attr,
		    sort->key[i].desc ? "desc" : "asc");
}

/*
 * A cursor after row: "s" and the base64url of
 * {"s":signature,"k":[keys…,id],"d":documentId,"l":locale}.
 */
void
filter_cursor_encode(const struct filter_sort *sort,
    const struct filter_row *row, struct buf *out)
{
	struct json_object *o, *k;
	struct buf sig;
	const char *raw;
	char num[64];
	size_t i;

	buf_init(&sig);
	filter_sort_signature(sort, &sig);
	o = json_object_new_object();
	k = json_object_new_array();
	json_object_object_add(o, "s", json_object_new_string(buf_cstr(&sig)));
	for (i = 0; i <= sort->nkey; i++) {
		const struct filter_keyval *kv = &row->key[i];

		if (kv->null)
			json_object_array_add(k, NULL);
		else if (kv->s != NULL)
			json_object_array_add(k, json_object_new_string(kv->s));
		else {
			/* a number: ["n", its digits], exact through JSON */
			struct json_object *a = json_object_new_array();

			snprintf(num, sizeof(num), "%.21Lg", kv->num);
			json_object_array_add(a, json_object_new_string("n"));
			json_object_array_add(a, json_object_new_string(num));
			json_object_array_add(k, a);
		}
	}
	json_object_object_add(o, "k", k);
	json_object_object_add(o, "d",
	    json_object_new_string(row->document_id));
	json_object_object_add(o, "l", json_object_new_string(row->locale));
	raw = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	buf_addc(out, 's');
	buf_add_base64url(out, raw, strlen(raw));
	json_object_put(o);
	buf_clear(&sig);
}

/*
 * Decodes a cursor of filter_cursor_encode for this sort into row (its
 * keys, documentId and locale). Returns 0, or -1 when it is not one, or
 * was made for another sort.
 */
int
filter_cursor_decode(const struct filter_sort *sort, const char *s,
    struct filter_row *row)
{
	struct json_object *o = NULL, *k, *v;
	struct buf raw, sig;
	const char *str;
	int r = -1;
	size_t i;

	buf_init(&raw);
	buf_init(&sig);
	memset(row, 0, sizeof(*row));
	if (*s++ != 's' || buf_add_unbase64url(&raw, s, strlen(s)) == -1)
		goto out;
	if ((o = json_tokener_parse(buf_cstr(&raw))) == NULL ||
	    !json_object_is_type(o, json_type_object))
		goto out;
	filter_sort_signature(sort, &sig);
	if ((str = json_object_get_string(json_object_object_get(o, "s"))) ==
	        NULL ||
	    strcmp(str, buf_cstr(&sig)) != 0)
		goto out;
	if (!json_object_object_get_ex(o, "k", &k) ||
	    !json_object_is_type(k, json_type_array) ||
	    json_object_array_length(k) != sort->nkey + 1)
		goto out;
	for (i = 0; i <= sort->nkey; i++) {
		v = json_object_array_get_idx(k, i);
		if (v == NULL) {
			row->key[i].null = 1;
			continue;
		}
		if (json_object_is_type(v, json_type_string))
			row->key[i].s = xstrdup(json_object_get_string(v));
		else if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) != 2 ||
		    (str = json_object_get_string(
		         json_object_array_get_idx(v, 1))) == NULL ||
		    parse_number(str, &row->key[i].num) == -1)
			goto out;
	}
	if ((str = json_object_get_string(json_object_object_get(o, "d"))) ==
	    NULL)
		goto out;
	row->document_id = xstrdup(str);
	str = json_object_get_string(json_object_object_get(o, "l"));
	row->locale = xstrdup(str != NULL ? str : "");
	r = 0;
out:
	if (r == -1)
		filter_row_clear(row);
	json_object_put(o);
	buf_clear(&raw);
	buf_clear(&sig);
	return r;
}
