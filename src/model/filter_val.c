/* filter_val.c: operators, values cast to an attribute's type, SQLite's LIKE and LOWER */
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
#include "util/xmalloc.h"

/*
 * Strapi 5's database layer (its where-clause builder) turns each
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
int
filter_parse_instant(const char *s, int64_t *ms)
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
int
filter_parse_number(const char *s, long double *out)
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
		return filter_parse_number(text, &v->num);
	case FILTER_BOOL:
		v->num = filter_bool_of(text);
		return 0;
	case FILTER_DATETIME:
		return filter_parse_instant(text, &v->ms);
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
	return filter_like_in(0, pattern, 0, text);
}

/*
 * filter_like of the pattern with a '%' before it (lead) and after it
 * (trail), without building that pattern: $contains, $startsWith and
 * $endsWith.
 */
int
filter_like_in(int lead, const char *pattern, int trail, const char *text)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *t = (const unsigned char *)text;
	const unsigned char *sp = NULL, *st = NULL;
	int star = lead; /* the implied '%' first */

	while (*t != '\0') {
		if (*p == '\0' && trail)
			return 1;
		if (*p == '%' || star) {
			star = 0;
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
		/* and the ASCII ones that cannot start what follows it */
		while (*sp != '_' && *st != '\0' && *st < 0x80 &&
		    ascii_lower(*st) != ascii_lower(*sp))
			st++;
		t = st;
		p = sp;
	}
	while (*p == '%')
		p++;
	return *p == '\0';
}
