/* cseq.c: each collection's last change seq, for answers' own seqs */
#include "config.h"

#include <string.h>

#include <db.h>

#include "util/buf.h"
#include "store/store_int.h"

/*
 * An answer that reads one collection changes only when that collection
 * does, so it carries that collection's last change seq, not the store's
 * (docs/static.md): a commit to one type leaves the other types' answers,
 * their ETags and their files as they were. The write path keeps, in
 * meta.db and in the transaction of the write, "cseq/<collection>": the
 * seq of the collection's last change, and "sseq/<collection> US
 * <locale> US <slug>": the last change to an entry that held the slug or
 * took it (what an answer of a slug's holders shows changes only then). A store written before the
 * per-collection seqs were kept has changes none of them names: the first
 * write that keeps one also records "cseq0", the store's seq before it,
 * and a collection's seq is never below it. Until then (no "cseq0") a
 * collection's seq is the store's.
 */

#define CSEQ_BASE "cseq0"

/* meta's key of collection coll's seq. */
static void
coll_key(struct buf *key, const char *coll)
{
	buf_reset(key);
	buf_printf(key, "cseq/%s", coll);
}

/* meta's key of the seq of slug's holders in coll and locale. */
static void
slug_key(struct buf *key, const char *coll, const char *locale,
    const char *slug, size_t slug_len)
{
	buf_reset(key);
	buf_printf(key, "sseq/%s%c%s%c", coll, 0x1f, locale, 0x1f);
	buf_add(key, slug, slug_len);
}

/* cseq0 (flags: DB_RMW or 0): 0, DB_NOTFOUND, or a BDB error. */
static int
base_get(struct store *st, DB_TXN *txn, u_int32_t flags, uint64_t *base)
{
	unsigned char b[8];
	DBT k, v;
	int ret;

	store_dbt_in(&k, CSEQ_BASE, strlen(CSEQ_BASE));
	memset(&v, 0, sizeof(v));
	v.data = b;
	v.ulen = sizeof(b);
	v.flags = DB_DBT_USERMEM;
	ret = st->meta->get(st->meta, txn, &k, &v, flags);
	if (ret == 0)
		*base = v.size == 8 ? store_be64_get(b) : 0;
	return ret;
}

static int
put_seq(struct store *st, DB_TXN *txn, struct buf *key, uint64_t s)
{
	unsigned char b[8];
	DBT k, v;

	store_be64_put(b, s);
	store_dbt_in(&k, key->data, key->len);
	store_dbt_in(&v, b, 8);
	return st->meta->put(st->meta, txn, &k, &v, 0);
}

/*
 * Records s, inside the write's txn, as the seq of the last change of
 * e's collection and of the holders of the slug it had (old_slug, NULL:
 * none) and of the one it has (new_slug). Returns 0, or a BDB error.
 */
int
store_cseq_put(struct store *st, DB_TXN *txn, const struct store_doc *e,
    const char *old_slug, size_t old_len, const char *new_slug, uint64_t s)
{
	struct buf key;
	uint64_t base;
	int ret;

	buf_init(&key);
	ret = base_get(st, txn, DB_RMW, &base);
	if (ret == DB_NOTFOUND) {
		/* the first change that keeps them: older ones are below */
		buf_adds(&key, CSEQ_BASE);
		ret = put_seq(st, txn, &key, s - 1);
	}
	if (ret != 0) {
		buf_clear(&key);
		return ret;
	}
	coll_key(&key, e->collection);
	ret = put_seq(st, txn, &key, s);
	if (ret == 0 && old_slug != NULL) {
		slug_key(&key, e->collection, e->locale, old_slug, old_len);
		ret = put_seq(st, txn, &key, s);
	}
	if (ret == 0 && new_slug != NULL &&
	    (old_slug == NULL || old_len != strlen(new_slug) ||
	        memcmp(old_slug, new_slug, old_len) != 0)) {
		slug_key(&key, e->collection, e->locale, new_slug,
		    strlen(new_slug));
		ret = put_seq(st, txn, &key, s);
	}
	buf_clear(&key);
	return ret;
}

/*
 * The seq meta keeps under key, as of the snapshot reads share
 * (store_read_begin), else of one of its own: never below the seq the
 * store had when it began keeping them, and the store's own seq while it
 * keeps none. 0, or -1 after logging.
 */
static int
read_seq(struct store *st, struct buf *key, uint64_t *seq)
{
	uint64_t base, s = 0;
	DB_TXN *txn;
	int ret;

	if (store_read_txn(st, &txn) == -1)
		return -1;
	ret = base_get(st, txn, 0, &base);
	if (ret == DB_NOTFOUND) /* none kept yet: the store's */
		ret = store_meta_read(st, txn, "seq", 0, &s);
	else if (ret == 0) {
		ret = store_meta_read(st, txn, buf_cstr(key), 0, &s);
		if (s < base)
			s = base;
	}
	store_read_done(st, txn);
	if (ret != 0) {
		store_fail(st, "reading an answer's seq", ret);
		return -1;
	}
	*seq = s;
	return 0;
}

/* The seq of collection coll's last change (read_seq). 0, or -1. */
int
store_coll_seq(struct store *st, const char *coll, uint64_t *seq)
{
	struct buf key;
	int r;

	buf_init(&key);
	coll_key(&key, coll);
	r = read_seq(st, &key, seq);
	buf_clear(&key);
	return r;
}

/*
 * The seq of the last change to an entry of coll and locale that held
 * slug or took it (read_seq): what a list of slug's holders shows
 * changes only then. 0, or -1.
 */
int
store_slug_seq(struct store *st, const char *coll, const char *locale,
    const char *slug, uint64_t *seq)
{
	struct buf key;
	int r;

	buf_init(&key);
	slug_key(&key, coll, locale, slug, strlen(slug));
	r = read_seq(st, &key, seq);
	buf_clear(&key);
	return r;
}

/*
 * The seq of the change that wrote the entry the last store_get or
 * store_get_by_slug of this handle found (0: it found none).
 */
uint64_t
store_got_seq(const struct store *st)
{
	return st->got_seq;
}
