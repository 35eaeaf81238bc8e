/* filter_key.c: sort keys as bytes that order as SQLite compares them (the attribute indexes) */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model/filter.h"
#include "model/filter_int.h"
#include "util/xmalloc.h"

/*
 * An index of an attribute keeps, for each entry, its value and its id
 * as key_cmp (filter_sort.c) orders them: NULL first, then numbers by
 * value, then text by bytes. The bytes are an order-preserving encoding,
 * so Berkeley DB's default byte order is that order and every program
 * and tool (db_verify, db_dump) reads the index without a comparison
 * function of ours:
 *
 *   NULL      0x10
 *   x < 0     0x20, then the bytes of x > 0 inverted
 *   0         0x21
 *   x > 0     0x22, the exponent + 32768 (2 bytes) and the mantissa
 *             (16 bytes) of frexpl, big-endian: a long double exactly
 *   text      0x30, the bytes, 0x00 (a C string holds no NUL)
 *
 * Each encoding is free of prefixes of another, so a value followed by
 * the id (and the documentId, by the store) orders by value, then id.
 */
#define KEY_NEG     0x20
#define KEY_ZERO    0x21
#define KEY_POS     0x22
#define KEY_NUM_LEN 19

static void
put_be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

void
filter_key_num(long double x, struct buf *b)
{
	unsigned char o[KEY_NUM_LEN];
	long double m;
	uint64_t hi, lo;
	int e = 0, neg, i;

	if (isnan(x)) {
		buf_addc(b, (char)KEY_NULL);
		return;
	}
	if (x == 0) {
		buf_addc(b, (char)KEY_ZERO);
		return;
	}
	neg = x < 0;
	if (isinf(x)) {
		e = 32767;
		hi = lo = UINT64_MAX;
	} else {
		m = frexpl(neg ? -x : x, &e); /* [0.5, 1) */
		m = ldexpl(m, 64);
		hi = (uint64_t)m;
		m = ldexpl(m - (long double)hi, 64);
		lo = (uint64_t)m;
	}
	o[0] = neg ? KEY_NEG : KEY_POS;
	put_be(o + 1, (uint64_t)(e + 32768), 2);
	put_be(o + 3, hi, 8);
	put_be(o + 11, lo, 8);
	if (neg)
		for (i = 1; i < KEY_NUM_LEN; i++)
			o[i] = (unsigned char)~o[i];
	buf_add(b, o, sizeof(o));
}

void
filter_key_text(const char *s, struct buf *b)
{
	buf_addc(b, (char)KEY_TEXT);
	buf_add(b, s, strlen(s) + 1);
}

/* The bytes of one sort key (filter_keyval) appended to b. */
void
filter_key_encode(const struct filter_keyval *k, struct buf *b)
{
	if (k->null)
		buf_addc(b, (char)KEY_NULL);
	else if (k->s != NULL)
		filter_key_text(k->s, b);
	else
		filter_key_num(k->num, b);
}

/* The length of the encoded value at the start of p, or 0: none. */
size_t
filter_key_len(const void *p, size_t len)
{
	const unsigned char *k = p;
	const unsigned char *nul;

	if (len == 0)
		return 0;
	switch (k[0]) {
	case KEY_NULL:
	case KEY_ZERO:
		return 1;
	case KEY_NEG:
	case KEY_POS:
		return len >= KEY_NUM_LEN ? KEY_NUM_LEN : 0;
	case KEY_TEXT:
		nul = memchr(k + 1, '\0', len - 1);
		return nul != NULL ? (size_t)(nul - k) + 1 : 0;
	default:
		return 0;
	}
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * The value encoded at the start of p back into *k (unless k is NULL),
 * when its bytes tell it exactly: the number of bytes it takes, or 0
 * for a null (the encoding of a NaN too), a zero (-0's sign is not in
 * it) and bytes that are no value. A text is copied (k->s, the caller
 * frees it).
 */
size_t
filter_key_decode(const void *p, size_t len, struct filter_keyval *k)
{
	const unsigned char *b = p;
	unsigned char o[KEY_NUM_LEN];
	size_t n = filter_key_len(p, len), i;
	uint64_t hi, lo;
	long double x;
	int e;

	if (n == 0 || b[0] == KEY_NULL || b[0] == KEY_ZERO)
		return 0;
	if (k == NULL)
		return n;
	memset(k, 0, sizeof(*k));
	if (b[0] == KEY_TEXT) {
		k->s = xmalloc(n - 1);
		memcpy(k->s, b + 1, n - 1); /* with its NUL */
		return n;
	}
	for (i = 0; i < KEY_NUM_LEN; i++)
		o[i] = b[0] == KEY_NEG && i > 0 ? (unsigned char)~b[i] : b[i];
	e = (int)get_be(o + 1, 2) - 32768;
	hi = get_be(o + 3, 8);
	lo = get_be(o + 11, 8);
	if (e == 32767 && hi == UINT64_MAX && lo == UINT64_MAX)
		x = INFINITY;
	else
		x = ldexpl((long double)hi, e - 64) +
		    ldexpl((long double)lo, e - 128);
	k->num = b[0] == KEY_NEG ? -x : x;
	return n;
}

/*
 * The index key of an entry for attribute attr of class cls: its value
 * and its id, as filter_match's sort row holds them. Returns 0, or -1
 * when json is not an object.
 */
int
filter_index_key(const char *json, size_t len, const char *attr,
    enum filter_class cls, struct buf *out)
{
	struct json_object *o;
	struct filter_keyval k;

	if ((o = filter_json_object(json, len)) == NULL)
		return -1;
	filter_key_of(o, attr, cls, &k);
	filter_key_encode(&k, out);
	free(k.s);
	filter_key_of(o, "id", FILTER_NUMBER, &k);
	filter_key_encode(&k, out);
	free(k.s);
	json_object_put(o);
	return 0;
}

/*
 * What a comparing operator's value is in key space, as cmp_val
 * (filter.c) compares a column with it: the number (*num) a numeric
 * column is compared with, and the text (*text) a text column is
 * compared with. Returns FILTER_KEY_NUM | FILTER_KEY_TEXT for those
 * there are: without a number, every numeric column is below the
 * value; without a text, every text column above it.
 */
int
filter_val_keys(enum filter_class cls, const struct filter_val *v,
    struct buf *num, struct buf *text)
{
	long double n;
	int r = 0;

	switch (cls) {
	case FILTER_NUMBER:
	case FILTER_BOOL:
		filter_key_num(v->num, num);
		return FILTER_KEY_NUM;
	case FILTER_DATETIME:
		filter_key_num((long double)v->ms, num);
		return FILTER_KEY_NUM;
	case FILTER_DATE:
		filter_key_text(v->date, text);
		r = FILTER_KEY_TEXT;
		break;
	case FILTER_STRING:
		filter_key_text(v->text, text);
		r = FILTER_KEY_TEXT;
		break;
	}
	if (filter_parse_number(v->text, &n) == 0) {
		filter_key_num(n, num);
		r |= FILTER_KEY_NUM;
	}
	return r;
}

/*
 * 1 when an attribute index's key (the value, then the id)
 * shows that its entry cannot match f (filter_text_reject). 0 when it
 * may (a number: the entry decides).
 */
int
filter_key_reject(const struct filter_node *f, const char *attr,
    const void *key, size_t len)
{
	const unsigned char *k = key;

	if (f == NULL || len == 0)
		return 0;
	if (k[0] == KEY_NULL)
		return filter_text_reject(f, attr, NULL);
	if (k[0] == KEY_TEXT && memchr(k + 1, '\0', len - 1) != NULL)
		return filter_text_reject(f, attr, (const char *)k + 1);
	return 0;
}
