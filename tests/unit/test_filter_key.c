/* test_filter_key.c: the attribute indexes' keys order as the scan's sort (model/filter_key.c) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
