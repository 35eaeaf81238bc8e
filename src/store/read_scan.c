/* read_scan.c: whole walks: every entry, attribute indexes, bulk scans */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/store_int.h"
#include "util/xmalloc.h"

/*
 * Calls cb for every stored entry of collection (NULL: all), in primary
 * key order. Returns the count, or -1 after logging.
 */
int
store_iter_entries(struct store *st, const char *coll, store_item_cb cb,
    void *arg)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	struct buf prefix, scratch;
	struct store_item it;
	int ret, n = 0;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	buf_init(&prefix);
	buf_init(&scratch);
	store_dbt_out(&k);
	store_dbt_out(&v);
	if (coll != NULL)
		buf_add(&prefix, coll, strlen(coll) + 1);
	if ((ret = st->entries->cursor(st->entries, txn, &c, 0)) != 0)
		goto out;
	if (coll != NULL) {
		k.data = xmalloc(prefix.len);
		memcpy(k.data, prefix.data, prefix.len);
		k.size = (u_int32_t)prefix.len;
		ret = c->get(c, &k, &v, DB_SET_RANGE);
	} else
		ret = c->get(c, &k, &v, DB_FIRST);
	for (; ret == 0; ret = c->get(c, &k, &v, DB_NEXT)) {
		if (coll != NULL && !store_has_prefix(&k, &prefix))
			break;
		if (store_item_decode(&it, &scratch, &k, &v) == -1)
			continue;
		n++;
		if (cb(arg, &it) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(v.data);
	buf_clear(&prefix);
	buf_clear(&scratch);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "iterating entries", ret);
		return -1;
	}
	return n;
}

/*
 * The bounds of a span of an index in locale as keys: lo, the first key
 * in it (at or after), and hi, the first key past it.
 */
static void
attr_keys(const char *locale, const struct store_attr_span *sp, struct buf *lo,
    struct buf *hi)
{
	size_t n = strlen(locale);

	buf_add(lo, locale, n);
	buf_addc(lo, '\0');
	buf_add(lo, sp->lo, sp->lolen);
	buf_add(hi, locale, n);
	if (sp->hi_open)
		buf_addc(hi, '\x01'); /* past the locale's keys */
	else {
		buf_addc(hi, '\0');
		buf_add(hi, sp->hi, sp->hilen);
	}
}

/* The record numbers of a span of index a in locale: [*lo, *hi). */
static int
attr_range(DBC *c, const char *locale, const struct store_attr_span *sp,
    db_recno_t *lo, db_recno_t *hi)
{
	struct buf lokey, hikey;
	int ret;

	buf_init(&lokey);
	buf_init(&hikey);
	attr_keys(locale, sp, &lokey, &hikey);
	ret = store_recno_at(c, &lokey, lo);
	if (ret == 0)
		ret = store_recno_at(c, &hikey, hi);
	if (ret == 0 && *hi < *lo)
		*hi = *lo;
	buf_clear(&lokey);
	buf_clear(&hikey);
	return ret;
}

/* The number of keys of a span of attribute index i: O(log n). 0 or -1. */
int
store_attr_count(struct store *st, int i, const char *locale,
    const struct store_attr_span *sp, uint64_t *n)
{
	DB *raw = i >= 0 && (size_t)i < st->nattr ? st->attr[i].raw : NULL;
	DB_TXN *txn;
	DBC *c = NULL;
	db_recno_t lo = 1, hi = 1;
	int ret;

	if (raw == NULL)
		return -1;
	if (store_read_txn(st, &txn) == -1)
		return -1;
	if ((ret = raw->cursor(raw, txn, &c, 0)) == 0) {
		ret = attr_range(c, locale, sp, &lo, &hi);
		c->close(c);
	}
	store_read_done(st, txn);
	if (ret != 0) {
		store_fail(st, "index count", ret);
		return -1;
	}
	*n = hi - lo;
	return 0;
}

/* 1 when key k is below b in the indexes' order (env_dbs.c's key_cmp). */
static int
key_below(const DBT *k, const struct buf *b)
{
	size_t n = k->size < b->len ? k->size : b->len;
	int c = n > 0 ? memcmp(k->data, b->data, n) : 0;

	return c < 0 || (c == 0 && k->size < b->len);
}

/*
 * Puts r's cursor on the first record of a walk of the span [lo, hi)
 * after offset records, forward or back. Without an offset the span's
 * bound is found by key, with one by its record number (O(log n) both):
 * no record number is read that the walk does not need. 0, DB_NOTFOUND
 * (nothing there), or a BDB error.
 */
static int
attr_first(struct store_rd *r, const struct buf *lo, const struct buf *hi,
    int back, uint64_t offset)
{
	db_recno_t rn;
	int ret;

	if (offset == 0) {
		store_dbt_set(&r->k, back ? hi->data : lo->data,
		    back ? hi->len : lo->len);
		ret = r->c->get(r->c, &r->k, &r->d, DB_SET_RANGE);
		if (back && ret == 0)
			ret = r->c->get(r->c, &r->k, &r->d, DB_PREV);
		else if (back && ret == DB_NOTFOUND)
			ret = r->c->get(r->c, &r->k, &r->d, DB_LAST);
		return ret;
	}
	if ((ret = store_recno_at(r->c, back ? hi : lo, &rn)) != 0)
		return ret;
	if (back ? (uint64_t)rn <= offset + 1
	         : offset > (uint64_t)(db_recno_t)-1 - rn)
		return DB_NOTFOUND;
	rn = back ? rn - 1 - (db_recno_t)offset : rn + (db_recno_t)offset;
	store_dbt_set(&r->k, &rn, sizeof(rn));
	return r->c->get(r->c, &r->k, &r->d, DB_SET_RECNO);
}

/*
 * Walks a span of attribute index i in locale, in key order (or its
 * reverse), after offset entries, calling cb for each of up to limit
 * entries with its key (after the locale) and the entry. *seq (unless
 * NULL): the store's last sequence in the same snapshot. 0, or -1.
 */
int
store_attr_walk(struct store *st, int i, const char *locale,
    const struct store_attr_span *sp, int back, uint64_t offset, size_t limit,
    store_attr_cb cb, void *arg, uint64_t *seq)
{
	DB *raw = i >= 0 && (size_t)i < st->nattr ? st->attr[i].raw : NULL;
	struct store_rd r;
	struct store_item it;
	struct buf lo, hi;
	size_t n = 0, skip = strlen(locale) + 1;
	int ret;

	if (raw == NULL || (ret = store_rd_open(st, &r, raw)) == -1)
		return -1;
	buf_init(&lo);
	buf_init(&hi);
	attr_keys(locale, sp, &lo, &hi);
	if (ret != 0 || limit == 0)
		goto out;
	for (ret = attr_first(&r, &lo, &hi, back, offset); ret == 0 &&
	     n < limit && (back ? !key_below(&r.k, &lo) : key_below(&r.k, &hi));
	     ret = r.c->get(r.c, &r.k, &r.d, back ? DB_PREV : DB_NEXT)) {
		if (r.k.size < skip ||
		    (ret = store_rd_entry(st, &r, &it)) == DB_NOTFOUND)
			continue;
		if (ret != 0)
			goto out;
		n++;
		if (cb(arg, (const char *)r.k.data + skip, r.k.size - skip,
		        &it) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	buf_clear(&lo);
	buf_clear(&hi);
	if (store_rd_close(st, &r, ret, "index walk") == -1)
		return -1;
	if (seq != NULL)
		*seq = r.seq;
	return 0;
}

/*
 * The records of r's cursor from prefix on, while their keys have it,
 * read in bulk: each(arg, key, klen, data, dlen) on every one; each
 * returns 0 to go on, 1 to stop, or a BDB error. Returns 0 or that error.
 */
#define SCAN_BULK (1024 * 1024)

static int
bulk_walk(struct store_rd *r, const struct buf *prefix,
    int (*each)(void *, void *, u_int32_t, void *, u_int32_t), void *arg)
{
	void *p, *kp, *vp;
	u_int32_t op = DB_SET_RANGE, klen, vlen;
	int ret = 0, stop = 0;

	store_dbt_set(&r->k, prefix->data, prefix->len);
	free(r->d.data);
	r->d.flags = DB_DBT_USERMEM;
	r->d.ulen = SCAN_BULK;
	r->d.data = xmalloc(r->d.ulen);
	while (ret == 0 && !stop) {
		ret = r->c->get(r->c, &r->k, &r->d, op | DB_MULTIPLE_KEY);
		if (ret == DB_BUFFER_SMALL) { /* a record over the buffer */
			r->d.ulen = (r->d.size + 1023) / 1024 * 1024;
			r->d.data = xrealloc(r->d.data, r->d.ulen);
			ret = 0;
			continue;
		}
		op = DB_NEXT;
		DB_MULTIPLE_INIT(p, &r->d);
		while (ret == 0 && !stop) {
			DB_MULTIPLE_KEY_NEXT(p, &r->d, kp, klen, vp, vlen);
			if (p == NULL)
				break;
			if (klen < prefix->len ||
			    memcmp(kp, prefix->data, prefix->len) != 0)
				stop = 1;
			else if ((ret = each(arg, kp, klen, vp, vlen)) == 1) {
				stop = 1;
				ret = 0;
			}
		}
	}
	return ret == DB_NOTFOUND ? 0 : ret;
}

struct scan_walk {
	struct store *st;
	struct store_rd *r;
	const char *locale;
	size_t loclen, skip;
	store_item_cb cb;
	store_attr_key_fn keep;
	store_attr_cb kcb;
	void *arg, *keep_arg;
};

/* An entry of entries.db (store_scan): of the locale, to cb. */
static int
scan_entry(void *arg, void *kp, u_int32_t klen, void *vp, u_int32_t vlen)
{
	struct scan_walk *w = arg;
	struct store_pkey pk;
	struct store_item it;
	DBT rk, rv;

	if (store_key_parse_primary(kp, klen, &pk) == -1 ||
	    pk.locale_len != w->loclen ||
	    memcmp(pk.locale, w->locale, w->loclen) != 0)
		return 0;
	store_dbt_in(&rk, kp, klen);
	store_dbt_in(&rv, vp, vlen);
	if (store_item_decode(&it, &w->r->scratch, &rk, &rv) == -1)
		return 0;
	return w->cb(w->arg, &it) != 0;
}

/* A key of an attribute index (store_attr_scan): its entry when kept. */
static int
scan_key(void *arg, void *kp, u_int32_t klen, void *vp, u_int32_t vlen)
{
	struct scan_walk *w = arg;
	const char *key = (const char *)kp + w->skip;
	struct store_item it;
	DBT pk;
	int ret;

	if (!w->keep(w->keep_arg, key, klen - w->skip))
		return 0;
	store_dbt_in(&pk, vp, vlen);
	ret = store_entry_at(w->st, w->r->txn, &pk, &w->r->pv, &w->r->scratch,
	    &it);
	if (ret != 0)
		return ret == DB_NOTFOUND ? 0 : ret;
	return w->kcb(w->arg, key, klen - w->skip, &it) != 0;
}

/*
 * Walks the published entries of collection coll in locale, in primary
 * key order, reading the entries database in bulk (a list's scan: the
 * fastest read of every entry). cb on each; non-zero stops the walk.
 * *seq: the store's last sequence in the same snapshot. 0, or -1.
 */
int
store_scan(struct store *st, const char *coll, const char *locale,
    store_item_cb cb, void *arg, uint64_t *seq)
{
	struct scan_walk w;
	struct buf prefix;
	struct store_rd r;
	int ret;

	if ((ret = store_rd_open(st, &r, st->entries)) == -1)
		return -1;
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.r = &r;
	w.locale = locale;
	w.loclen = strlen(locale);
	w.cb = cb;
	w.arg = arg;
	buf_init(&prefix);
	buf_add(&prefix, coll, strlen(coll) + 1);
	if (ret == 0)
		ret = bulk_walk(&r, &prefix, scan_entry, &w);
	buf_clear(&prefix);
	if (store_rd_close(st, &r, ret, "scan") == -1)
		return -1;
	if (seq != NULL)
		*seq = r.seq;
	return 0;
}

/*
 * Walks every key of attribute index i in locale, in bulk, and reads
 * the entries of those keep accepts (given the key after the locale),
 * for cb (non-zero stops): a scan of the attribute's values that reads
 * only the entries they may match. *seq as store_scan's. 0, or -1.
 */
int
store_attr_scan(struct store *st, int i, const char *locale,
    store_attr_key_fn keep, void *keep_arg, store_attr_cb cb, void *arg,
    uint64_t *seq)
{
	DB *raw = i >= 0 && (size_t)i < st->nattr ? st->attr[i].raw : NULL;
	struct scan_walk w;
	struct buf prefix;
	struct store_rd r;
	int ret;

	if (raw == NULL || (ret = store_rd_open(st, &r, raw)) == -1)
		return -1;
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.r = &r;
	w.skip = strlen(locale) + 1;
	w.keep = keep;
	w.keep_arg = keep_arg;
	w.kcb = cb;
	w.arg = arg;
	buf_init(&prefix);
	buf_add(&prefix, locale, w.skip);
	if (ret == 0)
		ret = bulk_walk(&r, &prefix, scan_key, &w);
	buf_clear(&prefix);
	if (store_rd_close(st, &r, ret, "index scan") == -1)
		return -1;
	if (seq != NULL)
		*seq = r.seq;
	return 0;
}
