/* test_filter_key.c: the attribute indexes' keys order as the scan's sort (model/filter_key.c) */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model/filter.h"
#include "tap.h"

/*
 * Entries whose value of v, as a number attribute, spans NULL, absent,
 * negatives, zero, fractions, integers past 2^53, numbers given as text,
 * text, and ties broken by id: sorted by their index keys (bytes), they
 * must be in filter_row_cmp's order (sort=v, then id).
 */
static const char *const entries[] = {
	"{\"id\":9,\"v\":\"zebra\"}",
	"{\"id\":8,\"v\":null}",
	"{\"id\":7}",
	"{\"id\":6,\"v\":-35}",
	"{\"id\":5,\"v\":-0.5}",
	"{\"id\":4,\"v\":0}",
	"{\"id\":3,\"v\":\"7\"}",
	"{\"id\":2,\"v\":7}",
	"{\"id\":1,\"v\":7.25}",
	"{\"id\":10,\"v\":9007199254740993}",
	"{\"id\":11,\"v\":9007199254740992}",
	"{\"id\":12,\"v\":1e300}",
	"{\"id\":13,\"v\":\"Zebra\"}",
	"{\"id\":14,\"v\":\"zebr\"}",
	"{\"id\":15,\"v\":\"\"}",
	"{\"id\":16,\"v\":-1e300}",
	"{\"id\":-1,\"v\":0}",
	"{\"id\":17,\"v\":true}",
};
#define N (sizeof(entries) / sizeof(entries[0]))

struct item {
	struct buf key;
	struct filter_row row;
};

static struct filter_sort sort;

static int
by_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
	int r = memcmp(x->key.data, y->key.data, n);

	return r != 0 ? r
	              : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static int
by_row(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return filter_row_cmp(&sort, &x->row, &y->row);
}

static int
same_keyval(const struct filter_keyval *a, const struct filter_keyval *b)
{
	if (a->null || b->null)
		return a->null == b->null;
	if (a->s != NULL || b->s != NULL)
		return a->s != NULL && b->s != NULL && strcmp(a->s, b->s) == 0;
	return a->num == b->num;
}

/*
 * Each key read back (filter_key_decode): its value and id are the sort
 * row's, but for a null or a zero, whose bytes do not tell them exactly
 * (a NaN's key is NULL's, and -0's is 0's): those it refuses.
 */
static void
decode_keys(const struct item *k)
{
	struct filter_keyval v, id;
	const struct filter_keyval *want;
	size_t i, n, m, good = 0;

	for (i = 0; i < N; i++) {
		want = &k[i].row.key[0];
		n = filter_key_decode(k[i].key.data, k[i].key.len, &v);
		if (want->null || (want->s == NULL && want->num == 0)) {
			good += n == 0 &&
			    filter_key_decode(k[i].key.data, k[i].key.len,
			        NULL) == 0;
			continue;
		}
		m = n > 0 ? filter_key_decode(k[i].key.data + n,
		                k[i].key.len - n, &id)
		          : 0;
		if (n > 0 && m > 0 && n + m == k[i].key.len &&
		    same_keyval(&v, want) && same_keyval(&id, &k[i].row.key[1]))
			good++;
		else
			tap_diag("not read back: %s", entries[i]);
		if (n > 0)
			free(v.s);
		if (m > 0)
			free(id.s);
	}
	ok(good == N,
	    "a key's value and id read back are its row's (%zu of %zu)", good,
	    N);
}

/* A cursor as json-c printed it: filter_cursor_encode must give its bytes. */
static void
json_c_cursor(const struct filter_sort *so, const struct filter_row *row,
    struct buf *out)
{
	struct json_object *o, *k, *a;
	struct buf sig;
	const char *raw;
	char num[64];
	size_t i;

	buf_init(&sig);
	filter_sort_signature(so, &sig);
	o = json_object_new_object();
	k = json_object_new_array();
	json_object_object_add(o, "s", json_object_new_string(buf_cstr(&sig)));
	for (i = 0; i <= so->nkey; i++) {
		if (row->key[i].null)
			json_object_array_add(k, NULL);
		else if (row->key[i].s != NULL)
			json_object_array_add(k,
			    json_object_new_string(row->key[i].s));
		else {
			a = json_object_new_array();
			snprintf(num, sizeof(num), "%.21Lg", row->key[i].num);
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

/* Cursors over texts to escape and numbers to print, as json-c made them. */
static void
cursor_bytes(void)
{
	static const char *const texts[] = { "", "plain", "a/b",
		"q\"uote\\back", "\b\f\n\r\t", "\x01\x1f\x7f",
		"\xc3\xa9t\xc3\xa9 \xe2\x82\xac" };
	static const long double nums[] = { 0.0L, -0.0L, 7, -35, 7.25L,
		9007199254740993.0L, 1e17L, 999999999999999999.0L, 1e18L,
		-999999999999999999.0L, -1e18L, 1e300L, -1e300L, 0.1L,
		123456789012345678901.0L, 5e-324L, INFINITY, -INFINITY };
	struct filter_sort so;
	struct filter_row row;
	struct buf ours, theirs;
	size_t i, j, n = 0, same = 0;

	memset(&so, 0, sizeof(so));
	so.key[0].attr = "title";
	so.key[0].desc = 1;
	so.key[1].attr = "price";
	so.nkey = 2;
	buf_init(&ours);
	buf_init(&theirs);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		for (j = 0; j <= sizeof(nums) / sizeof(nums[0]); j++) {
			memset(&row, 0, sizeof(row));
			row.key[0].s = (char *)texts[i];
			if (j == sizeof(nums) / sizeof(nums[0]))
				row.key[1].null = 1;
			else
				row.key[1].num = nums[j];
			row.key[2].num = (long double)j;
			row.document_id = (char *)texts[(i + 1) % 7];
			row.locale = (char *)texts[(i + 3) % 7];
			buf_reset(&ours);
			buf_reset(&theirs);
			filter_cursor_encode(&so, &row, &ours);
			json_c_cursor(&so, &row, &theirs);
			n++;
			if (ours.len == theirs.len &&
			    memcmp(ours.data, theirs.data, ours.len) == 0)
				same++;
			else
				tap_diag("text %zu number %zu: %s, json-c %s",
				    i, j, buf_cstr(&ours), buf_cstr(&theirs));
		}
	ok(same == n, "cursors are the bytes json-c made (%zu of %zu)", same,
	    n);
	buf_clear(&ours);
	buf_clear(&theirs);
}

int
main(void)
{
	struct item k[N], r[N];
	struct filter_val v;
	struct buf num, text;
	size_t i, same = 0;
	int parts;

	memset(&sort, 0, sizeof(sort));
	sort.key[0].attr = "v";
	sort.key[0].cls = FILTER_NUMBER;
	sort.nkey = 1;
	for (i = 0; i < N; i++) {
		buf_init(&k[i].key);
		ok(filter_index_key(entries[i], strlen(entries[i]), "v",
		       FILTER_NUMBER, &k[i].key) == 0,
		    "the key of %s", entries[i]);
		ok(filter_match(NULL, &sort, entries[i], strlen(entries[i]),
		       NULL, NULL, &k[i].row) == 1,
		    "the sort row of %s", entries[i]);
		r[i] = k[i];
	}
	qsort(k, N, sizeof(*k), by_key);
	qsort(r, N, sizeof(*r), by_row);
	for (i = 0; i < N; i++)
		same += k[i].row.key[1].num == r[i].row.key[1].num;
	ok(same == N, "the keys' byte order is the sort's (%zu of %zu)", same,
	    N);
	for (i = 0; i < N; i++)
		tap_diag("%zu: id %.0Lf", i, k[i].row.key[1].num);
	decode_keys(k);
	cursor_bytes();

	/* the value's length, as the descending walk takes it */
	ok(filter_key_len(k[0].key.data, k[0].key.len) == 1,
	    "NULL's key is one byte");
	for (i = 0; i < N; i++)
		if (strcmp(entries[i], "{\"id\":2,\"v\":7}") == 0)
			break;
	buf_init(&num);
	buf_init(&text);
	filter_cast(FILTER_STRING, "7", &v);
	parts = filter_val_keys(FILTER_STRING, &v, &num, &text);
	ok(parts == (FILTER_KEY_NUM | FILTER_KEY_TEXT),
	    "\"7\" on a text attribute is a number and a text");
	filter_cast(FILTER_NUMBER, "7.0", &v);
	buf_reset(&num);
	parts = filter_val_keys(FILTER_NUMBER, &v, &num, &text);
	for (i = 0; i < N; i++)
		if (k[i].row.key[1].num == 2)
			break;
	ok(parts == FILTER_KEY_NUM && i < N &&
	        filter_key_len(k[i].key.data, k[i].key.len) == num.len &&
	        memcmp(k[i].key.data, num.data, num.len) == 0,
	    "the value 7.0 has the key of the stored 7");
	buf_clear(&num);
	buf_clear(&text);
	for (i = 0; i < N; i++) {
		buf_clear(&k[i].key);
		filter_row_clear(&k[i].row);
	}
	return tap_done();
}
