/* jscan.c: values of JSON text, by their bytes, without parsing it */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "model/jscan.h"

/*
 * json-c cannot hand back a value's bytes, hence this small scanner: it
 * skips values; a string holding an escape is decoded by json-c.
 */

const char *
jscan_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string opening at p, or NULL. */
const char *
jscan_skip_string(const char *p, const char *e)
{
	const char *q, *b;

	for (p++; p < e; p = q + 1) {
		/* the next quote ends it unless an odd run of \ escapes it */
		if ((q = memchr(p, '"', (size_t)(e - p))) == NULL)
			return NULL;
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return q + 1;
	}
	return NULL;
}

/* Past the value starting at p, or NULL when there is none. */
const char *
jscan_skip_value(const char *p, const char *e)
{
	const char *s = p;
	size_t depth = 0;

	if (p == e)
		return NULL;
	if (*p == '"')
		return jscan_skip_string(p, e);
	if (*p != '{' && *p != '[') {
		while (p < e && *p != ',' && *p != '}' && *p != ']' &&
		    *p != ':' && *p != '"' && jscan_ws(p, e) == p)
			p++;
		return p > s ? p : NULL;
	}
	for (; p < e; p++) {
		if (*p == '"') {
			if ((p = jscan_skip_string(p, e)) == NULL)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
	}
	return NULL;
}

/* 0, or -1 when v is not an object ('{') or an array ('['). */
int
jscan_begin(struct jscan_iter *it, struct jspan v, char open)
{
	if (v.p == NULL || v.n == 0 || v.p[0] != open)
		return -1;
	it->p = v.p + 1;
	it->e = v.p + v.n;
	it->close = open == '{' ? '}' : ']';
	it->first = 1;
	return 0;
}

/*
 * The next member (key set) or item (key NULL): 1, 0 at the end, -1 when
 * the bytes are not JSON.
 */
int
jscan_next(struct jscan_iter *it, struct jspan *key, struct jspan *val)
{
	const char *p = jscan_ws(it->p, it->e), *e = it->e, *q;

	if (p < e && *p == it->close)
		return 0;
	if (!it->first) {
		if (p == e || *p != ',')
			return -1;
		p = jscan_ws(p + 1, e);
	}
	if (key != NULL) {
		if (p == e || *p != '"' ||
		    (q = jscan_skip_string(p, e)) == NULL)
			return -1;
		key->p = p + 1;
		key->n = (size_t)(q - p) - 2;
		p = jscan_ws(q, e);
		if (p == e || *p != ':')
			return -1;
		p = jscan_ws(p + 1, e);
	}
	if ((q = jscan_skip_value(p, e)) == NULL)
		return -1;
	val->p = p;
	val->n = (size_t)(q - p);
	it->p = q;
	it->first = 0;
	return 1;
}

int
jscan_is(struct jspan v, char c)
{
	return v.p != NULL && v.n > 0 && v.p[0] == c;
}

/*
 * 1 when k is s. Byte by byte, not strlen then memcmp: a renderer asks it
 * of every key for each attribute name, and most differ at the first.
 */
int
jscan_key_is(struct jspan k, const char *s)
{
	size_t i;

	for (i = 0; i < k.n; i++)
		if (s[i] == '\0' || s[i] != k.p[i])
			return 0;
	return s[k.n] == '\0';
}

/* The value of o's member key (first of its name): 1, or 0 when none. */
int
jscan_member(struct jspan o, const char *key, struct jspan *val)
{
	struct jscan_iter it;
	struct jspan k;

	if (jscan_begin(&it, o, '{') == -1)
		return 0;
	while (jscan_next(&it, &k, val) == 1)
		if (jscan_key_is(k, key))
			return 1;
	return 0;
}

/*
 * The string v holds, decoded into s (cap bytes), or NULL when v is no
 * string or it does not fit.
 */
const char *
jscan_str(struct jspan v, char *s, size_t cap)
{
	struct json_tokener *tok;
	struct json_object *o;
	int ok;

	if (!jscan_is(v, '"') || v.n < 2)
		return NULL;
	if (memchr(v.p, '\\', v.n) == NULL) {
		if (v.n - 2 >= cap)
			return NULL;
		memcpy(s, v.p + 1, v.n - 2);
		s[v.n - 2] = '\0';
		return s;
	}
	if (v.n > INT_MAX || (tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, v.p, (int)v.n);
	json_tokener_free(tok);
	ok = o != NULL && json_object_is_type(o, json_type_string) &&
	    (size_t)json_object_get_string_len(o) < cap &&
	    memchr(json_object_get_string(o), '\0',
	        (size_t)json_object_get_string_len(o)) == NULL;
	if (ok)
		snprintf(s, cap, "%s", json_object_get_string(o));
	json_object_put(o);
	return ok ? s : NULL;
}

/* v as an integer (json-c's int: digits, maybe a minus): 1, or 0. */
int
jscan_int(struct jspan v, int64_t *out)
{
	char s[24];
	size_t i;

	if (v.p == NULL || v.n == 0 || v.n >= sizeof(s))
		return 0;
	for (i = v.p[0] == '-' ? 1 : 0; i < v.n; i++)
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
	if (i == 1 && v.p[0] == '-')
		return 0;
	memcpy(s, v.p, v.n);
	s[v.n] = '\0';
	*out = strtoll(s, NULL, 10);
	return 1;
}
