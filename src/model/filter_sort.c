/* filter_sort.c: sort rows, their order and the cursors made of them */
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

/* A copy of row's keys, documentId and locale (not its json) into *to. */
void
filter_row_copy(struct filter_row *to, const struct filter_row *row)
{
	size_t i;

	*to = *row;
	for (i = 0; i <= FILTER_MAX_SORT; i++)
		if (row->key[i].s != NULL)
			to->key[i].s = xstrdup(row->key[i].s);
	to->document_id =
	    row->document_id != NULL ? xstrdup(row->document_id) : NULL;
	to->locale = row->locale != NULL ? xstrdup(row->locale) : NULL;
	to->json = NULL;
	to->json_len = 0;
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

	for (i = 0; i < sort->nkey; i++) {
		if (i > 0)
			buf_addc(out, ',');
		buf_adds(out, sort->key[i].attr);
		buf_adds(out, sort->key[i].desc ? ":desc" : ":asc");
	}
}

/*
 * s as a JSON string the way json-c prints one (JSON_C_TO_STRING_PLAIN:
 * '/' escaped, \\b and \\f by name), so that a cursor is the same bytes it
 * was when json-c wrote it.
 */
static void
cursor_string(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *start = s, *e;
	unsigned char c;

	buf_addc(out, '"');
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		switch (c) {
		case '\b':
			e = "\\b";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\f':
			e = "\\f";
			break;
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '/':
			e = "\\/";
			break;
		default:
			if (c >= 0x20)
				continue;
			e = NULL;
		}
		buf_add(out, start, (size_t)(s - start));
		if (e != NULL)
			buf_adds(out, e);
		else {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				hex[c & 15] };

			buf_add(out, u, sizeof(u));
		}
		start = s + 1;
	}
	buf_add(out, start, (size_t)(s - start));
	buf_addc(out, '"');
}

/*
 * A number as "%.21Lg" prints it: an integer below 10^18 (ids, most
 * values) by its digits, which is what that prints for it, without the
 * cost of printing a long double.
 */
static void
cursor_number(struct buf *out, long double x)
{
	char d[64];
	uint64_t v;
	size_t i = sizeof(d);

	if (!(x > -1e18L && x < 1e18L) || x != truncl(x) ||
	    (x == 0 && signbit(x))) {
		snprintf(d, sizeof(d), "%.21Lg", x);
		buf_adds(out, d);
		return;
	}
	v = (uint64_t)(x < 0 ? -x : x);
	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	if (x < 0)
		d[--i] = '-';
	buf_add(out, d + i, sizeof(d) - i);
}

/*
 * A cursor after row: "s" and the base64url of
 * {"s":signature,"k":[keys…,id],"d":documentId,"l":locale}, a number
 * among the keys as ["n", its digits] (exact through JSON).
 */
void
filter_cursor_encode(const struct filter_sort *sort,
    const struct filter_row *row, struct buf *out)
{
	struct buf sig, raw;
	size_t i;

	buf_init(&sig);
	buf_init(&raw);
	filter_sort_signature(sort, &sig);
	buf_adds(&raw, "{\"s\":");
	cursor_string(&raw, buf_cstr(&sig));
	buf_adds(&raw, ",\"k\":[");
	for (i = 0; i <= sort->nkey; i++) {
		const struct filter_keyval *kv = &row->key[i];

		if (i > 0)
			buf_addc(&raw, ',');
		if (kv->null)
			buf_adds(&raw, "null");
		else if (kv->s != NULL)
			cursor_string(&raw, kv->s);
		else {
			buf_adds(&raw, "[\"n\",\"");
			cursor_number(&raw, kv->num);
			buf_adds(&raw, "\"]");
		}
	}
	buf_adds(&raw, "],\"d\":");
	cursor_string(&raw, row->document_id);
	buf_adds(&raw, ",\"l\":");
	cursor_string(&raw, row->locale);
	buf_addc(&raw, '}');
	buf_addc(out, 's');
	buf_add_base64url(out, raw.data, raw.len);
	buf_clear(&raw);
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
		    filter_parse_number(str, &row->key[i].num) == -1)
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
