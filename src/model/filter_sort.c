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
