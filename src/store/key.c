/* key.c: key encodings and value layout of the store; pure */
#include "config.h"

#include <string.h>

#include "store/store_key.h"

/*
 * Keys are byte strings compared by Berkeley DB's default btree order
 * (memcmp), so every part that must sort is big-endian, and text parts are
 * separated by NUL (entry_valid_key_string keeps NUL out of them).
 *
 *   entries      coll \0 documentId \0 locale
 *   by_time      coll \0 locale \0 ~publishedAt(8) documentId
 *   by_category  coll \0 locale \0 category \0 ~publishedAt(8) documentId
 *   by_id        coll \0 locale \0 id(8, sign bit flipped) documentId
 *   by_slug      coll \0 locale \0 slug            (duplicates sorted)
 *   tombstones   coll \0 documentId \0 locale
 *   refs         target coll \0 documentId \0 locale      (duplicates sorted)
 *                -> referrer coll \0 documentId \0 locale \0 attr
 *   refs_from    referrer coll \0 documentId \0 locale    (duplicates sorted)
 *                -> target coll \0 documentId \0 locale \0 attr
 *
 * publishedAt is stored inverted (~x, with the sign bit flipped first) so a
 * forward walk lists newest first, Strapi's usual sort.
 */

void
store_be64_put(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

uint64_t
store_be64_get(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
add_str0(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s) + 1);
}

void
store_key_primary(struct buf *b, const char *coll, const char *doc,
    const char *locale)
{
	buf_reset(b);
	add_str0(b, coll);
	add_str0(b, doc);
	buf_add(b, locale, strlen(locale));
}

/* Splits a primary key. Returns 0, or -1 when it is malformed. */
int
store_key_parse_primary(const void *k, size_t n, struct store_pkey *pk)
{
	const char *p = k, *z1, *z2;

	z1 = memchr(p, '\0', n);
	if (z1 == NULL)
		return -1;
	z2 = memchr(z1 + 1, '\0', n - (size_t)(z1 + 1 - p));
	if (z2 == NULL)
		return -1;
	pk->coll = p;
	pk->coll_len = (size_t)(z1 - p);
	pk->doc = z1 + 1;
	pk->doc_len = (size_t)(z2 - (z1 + 1));
	pk->locale = z2 + 1;
	pk->locale_len = n - (size_t)(z2 + 1 - p);
	return 0;
}

/*
 * A reference item (the data of refs and refs_from): a document's primary
 * key, pk (coll \0 documentId \0 locale), then \0 and the attribute.
 */
void
store_key_ref(struct buf *b, const void *pk, size_t pk_len, const char *attr,
    size_t attr_len)
{
	buf_reset(b);
	buf_add(b, pk, pk_len);
	buf_addc(b, '\0');
	buf_add(b, attr, attr_len);
}

/*
 * Splits a reference item: the length of its primary key (*pk_len; the
 * item's first *pk_len bytes are a primary key) and its attribute.
 * Returns 0, or -1 when it is malformed.
 */
int
store_key_parse_ref(const void *k, size_t n, size_t *pk_len, const char **attr,
    size_t *attr_len)
{
	const char *p = k, *z;
	size_t off = 0;
	int i;

	for (i = 0; i < 3; i++) {
		if ((z = memchr(p + off, '\0', n - off)) == NULL)
			return -1;
		off = (size_t)(z - p) + 1;
	}
	*pk_len = off - 1;
	*attr = p + off;
	*attr_len = n - off;
	return 0;
}

/* The prefix shared by every by_time (category NULL) or by_category key. */
void
store_key_list_prefix(struct buf *b, const char *coll, const char *locale,
    const char *category)
{
	buf_reset(b);
	add_str0(b, coll);
	add_str0(b, locale);
	if (category != NULL)
		add_str0(b, category);
}

static uint64_t
time_invert(int64_t t)
{
	return ~((uint64_t)t ^ (1ULL << 63));
}

static int64_t
time_uninvert(uint64_t v)
{
	return (int64_t)(~v ^ (1ULL << 63));
}

void
store_key_list_pos(struct buf *b, const char *coll, const char *locale,
    const char *category, int64_t published_at, const char *doc)
{
	unsigned char t[8];

	store_key_list_prefix(b, coll, locale, category);
	store_be64_put(t, time_invert(published_at));
	buf_add(b, t, 8);
	buf_add(b, doc, strlen(doc));
}

/* Reads the time and documentId after a list prefix. 0, or -1. */
int
store_key_list_parse_pos(const void *k, size_t n, size_t prefix_len,
    int64_t *published_at, const char **doc, size_t *doc_len)
{
	const unsigned char *p = k;

	if (n < prefix_len + 8)
		return -1;
	*published_at = time_uninvert(store_be64_get(p + prefix_len));
	*doc = (const char *)p + prefix_len + 8;
	*doc_len = n - prefix_len - 8;
	return 0;
}

/*
 * A by_id key: the list prefix (no category), the entry's Strapi id with
 * its sign bit flipped (so negative ids sort first), the documentId. A
 * forward walk lists Strapi's default order, id ascending.
 */
void
store_key_id_pos(struct buf *b, const char *coll, size_t coll_len,
    const char *locale, size_t locale_len, int64_t id, const char *doc,
    size_t doc_len)
{
	unsigned char t[8];

	buf_reset(b);
	buf_add(b, coll, coll_len);
	buf_addc(b, '\0');
	buf_add(b, locale, locale_len);
	buf_addc(b, '\0');
	store_be64_put(t, (uint64_t)id ^ (1ULL << 63));
	buf_add(b, t, 8);
	buf_add(b, doc, doc_len);
}

void
store_key_slug(struct buf *b, const char *coll, const char *locale,
    const char *slug)
{
	buf_reset(b);
	add_str0(b, coll);
	add_str0(b, locale);
	buf_add(b, slug, strlen(slug));
}

void
store_key_tomb(struct buf *b, const char *coll, const char *doc,
    const char *locale)
{
	store_key_primary(b, coll, doc, locale);
}

/*
 * Value layout: format(1) flags(1) publishedAt(8) updatedAt(8) seq(8)
 * slug_len(2) category_len(2) slug category json. A length of 0xffff
 * means "none". The fixed header lets extractors skip JSON parsing.
 */
void
store_val_encode(struct buf *b, const struct store_doc *e, uint64_t seq)
{
	unsigned char h[STORE_VAL_HDR];
	size_t sl = e->slug != NULL ? strlen(e->slug) : 0xffff;
	size_t cl = e->category != NULL ? strlen(e->category) : 0xffff;

	h[0] = STORE_VAL_FORMAT;
	h[1] = 0;
	store_be64_put(h + 2, (uint64_t)e->published_at);
	store_be64_put(h + 10, (uint64_t)e->updated_at);
	store_be64_put(h + 18, seq);
	h[26] = (unsigned char)(sl >> 8);
	h[27] = (unsigned char)(sl & 0xff);
	h[28] = (unsigned char)(cl >> 8);
	h[29] = (unsigned char)(cl & 0xff);
	buf_reset(b);
	buf_add(b, h, sizeof(h));
	if (e->slug != NULL)
		buf_add(b, e->slug, sl);
	if (e->category != NULL)
		buf_add(b, e->category, cl);
	buf_add(b, e->json, e->json_len);
}

/* Decodes a value. Returns 0, or -1 when it is malformed. */
int
store_val_decode(const void *v, size_t n, struct store_val *out)
{
	const unsigned char *p = v;
	size_t sl, cl, off = STORE_VAL_HDR;

	if (n < STORE_VAL_HDR || p[0] != STORE_VAL_FORMAT)
		return -1;
	out->published_at = (int64_t)store_be64_get(p + 2);
	out->updated_at = (int64_t)store_be64_get(p + 10);
	out->seq = store_be64_get(p + 18);
	sl = ((size_t)p[26] << 8) | p[27];
	cl = ((size_t)p[28] << 8) | p[29];
	out->slug = NULL;
	out->slug_len = 0;
	if (sl != 0xffff) {
		if (off + sl > n)
			return -1;
		out->slug = (const char *)p + off;
		out->slug_len = sl;
		off += sl;
	}
	out->category = NULL;
	out->category_len = 0;
	if (cl != 0xffff) {
		if (off + cl > n)
			return -1;
		out->category = (const char *)p + off;
		out->category_len = cl;
		off += cl;
	}
	out->json = (const char *)p + off;
	out->json_len = n - off;
	return 0;
}
