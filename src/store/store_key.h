/* store_key.h: store key and value encodings, secondary-key extractors */
#ifndef STORE_KEY_H
#define STORE_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "store/store.h"

#define STORE_VAL_FORMAT 1
#define STORE_VAL_HDR    30

/* A decoded entries value. Pointers borrow from the value bytes. */
struct store_val {
	int64_t published_at, updated_at;
	uint64_t seq;
	const char *slug, *category; /* NULL when none */
	size_t slug_len, category_len;
	const char *json;
	size_t json_len;
};

/* A decoded primary key. Pointers borrow from the key bytes. */
struct store_pkey {
	const char *coll, *doc, *locale;
	size_t coll_len, doc_len, locale_len;
};

void store_be64_put(unsigned char *, uint64_t);
uint64_t store_be64_get(const unsigned char *);
void store_key_primary(struct buf *, const char *coll, const char *doc,
    const char *locale);
int store_key_parse_primary(const void *, size_t, struct store_pkey *);
void store_key_ref(struct buf *, const void *pk, size_t pk_len,
    const char *attr, size_t attr_len);
int store_key_parse_ref(const void *, size_t, size_t *pk_len, const char **attr,
    size_t *attr_len);
void store_key_list_prefix(struct buf *, const char *coll, const char *locale,
    const char *category);
void store_key_list_pos(struct buf *, const char *coll, const char *locale,
    const char *category, int64_t published_at, const char *doc);
int store_key_list_parse_pos(const void *, size_t, size_t prefix_len,
    int64_t *published_at, const char **doc, size_t *doc_len);
void store_key_id_pos(struct buf *, const char *coll, size_t coll_len,
    const char *locale, size_t locale_len, int64_t id, const char *doc,
    size_t doc_len);
void store_key_slug(struct buf *, const char *coll, const char *locale,
    const char *slug);
void store_key_tomb(struct buf *, const char *coll, const char *doc,
    const char *locale);
void store_val_encode(struct buf *, const struct store_doc *, uint64_t seq);
int store_val_decode(const void *, size_t, struct store_val *);

#endif
