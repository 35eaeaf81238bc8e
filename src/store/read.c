/* read.c: snapshot reads: the held snapshot, get, by slug, lists */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "store/store_int.h"
#include "util/xmalloc.h"

/*
 * Every read runs in a snapshot transaction (DB_TXN_SNAPSHOT over
 * DB_MULTIVERSION databases): it sees one committed state, takes no read
 * locks, and so never blocks or deadlocks with writers. The sequence a
 * reader reports is read in the same snapshot as the data, which is what
 * lets a client subscribe from exactly that point.
 */

/*
 * A request's reads in one snapshot: from store_read_begin to
 * store_read_end, store_get, store_get_by_slug and store_list share one
 * transaction instead of beginning one each (a list of 25 entries with
 * three relations populated is 76 reads). Returns 0, or -1 (logged) when
 * none could begin: each read then begins its own. Not nested.
 */
int
store_read_begin(struct store *st)
{
	DB_TXN *txn;
	uint64_t seq;
	int ret;

	if (st->held != NULL)
		return 0;
	if (store_rtxn(st, &txn) == -1)
		return -1;
	/* a snapshot is of when it first reads: now */
	if ((ret = store_meta_read(st, txn, "seq", 0, &seq)) != 0) {
		txn->commit(txn, 0);
		store_fail(st, "read begin", ret);
		return -1;
	}
	st->held = txn;
	st->held_seq = seq;
	return 0;
}

/*
 * The store's last sequence in the snapshot store_read_begin holds: 0, or
 * -1 when none is held.
 */
int
store_read_seq(const struct store *st, uint64_t *seq)
{
	if (st->held == NULL)
		return -1;
	*seq = st->held_seq;
	return 0;
}

/* Ends a read-only transaction, *txn, when there is one. */
static void
end_txn(DB_TXN **txn)
{
	if (*txn != NULL)
		(*txn)->commit(*txn, 0);
	*txn = NULL;
}

/* Ends the snapshot store_read_begin began (nothing when none). */
void
store_read_end(struct store *st)
{
	end_txn(&st->held);
}

/*
 * A request's reads that use the snapshot the last request kept
 * (store_read_keep) instead of beginning one, when nothing was written
 * since: the store's last sequence, read outside any transaction
 * (store_peek_seq), is still the kept snapshot's, so the snapshot shows
 * what a new one would. Beginning and committing a transaction took a
 * tenth of a populated list's time after a bulk load (Berkeley DB's
 * region allocator walks the free chunks the writers left), a twentieth
 * on fresh regions. Else, or replicated, as store_read_begin. Returns 0,
 * or -1 as store_read_begin.
 */
int
store_read_begin_kept(struct store *st)
{
	uint64_t seq;

	if (st->held != NULL)
		return 0;
	if (st->kept != NULL && st->repl == NULL &&
	    store_peek_seq(st, &seq) == 0 && seq == st->kept_seq) {
		st->held = st->kept;
		st->held_seq = st->kept_seq;
		st->kept = NULL;
		return 0;
	}
	store_read_release(st);
	return store_read_begin(st);
}

/*
 * Ends the reads store_read_begin_kept began, keeping their snapshot for
 * the next ones. A kept snapshot holds back the page versions written
 * after it: store_read_release ends it between requests (prog_idle).
 */
void
store_read_keep(struct store *st)
{
	if (st->held == NULL || st->repl != NULL) {
		store_read_end(st);
		return;
	}
	store_read_release(st);
	st->kept = st->held;
	st->kept_seq = st->held_seq;
	st->held = NULL;
}

/* Ends the snapshot store_read_keep kept (nothing when none). */
void
store_read_release(struct store *st)
{
	end_txn(&st->kept);
}

/*
 * The store's last sequence in txn's snapshot: the held one's is known
 * (read by store_read_begin). 0 or a BDB error.
 */
static int
seq_in(struct store *st, DB_TXN *txn, uint64_t *seq)
{
	if (txn == st->held) {
		*seq = st->held_seq;
		return 0;
	}
	return store_meta_read(st, txn, "seq", 0, seq);
}

/* The held snapshot, or a transaction of the read's own. 0, or -1. */
int
store_read_txn(struct store *st, DB_TXN **txn)
{
	if (st->held != NULL) {
		*txn = st->held;
		return 0;
	}
	return store_rtxn(st, txn);
}

/* Ends a read's transaction unless it is the held one. */
void
store_read_done(struct store *st, DB_TXN *txn)
{
	if (txn != st->held)
		txn->commit(txn, 0);
}

void
store_dbt_out(DBT *d)
{
	memset(d, 0, sizeof(*d));
	d->flags = DB_DBT_REALLOC;
}

static void
item_from_val(struct store_item *it, const struct store_val *v,
    struct buf *scratch, const struct store_pkey *pk)
{
	size_t off_doc, off_loc, off_slug = 0, off_cat = 0;

	buf_reset(scratch);
	off_doc = scratch->len;
	buf_add(scratch, pk->doc, pk->doc_len);
	buf_addc(scratch, '\0');
	off_loc = scratch->len;
	buf_add(scratch, pk->locale, pk->locale_len);
	buf_addc(scratch, '\0');
	if (v->slug != NULL) {
		off_slug = scratch->len;
		buf_add(scratch, v->slug, v->slug_len);
		buf_addc(scratch, '\0');
	}
	if (v->category != NULL) {
		off_cat = scratch->len;
		buf_add(scratch, v->category, v->category_len);
		buf_addc(scratch, '\0');
	}
	it->document_id = scratch->data + off_doc;
	it->locale = scratch->data + off_loc;
	it->slug = v->slug != NULL ? scratch->data + off_slug : NULL;
	it->category = v->category != NULL ? scratch->data + off_cat : NULL;
	it->published_at = v->published_at;
	it->updated_at = v->updated_at;
	it->seq = v->seq;
	it->json = v->json;
	it->json_len = v->json_len;
}

/*
 * An item from a primary key and its stored value. Returns 0, or -1 for a
 * record that does not decode (the caller skips it).
 */
int
store_item_decode(struct store_item *it, struct buf *scratch, const DBT *pkey,
    const DBT *data)
{
	struct store_val val;
	struct store_pkey pk;

	if (store_val_decode(data->data, data->size, &val) == -1 ||
	    store_key_parse_primary(pkey->data, pkey->size, &pk) == -1)
		return -1;
	item_from_val(it, &val, scratch, &pk);
	return 0;
}

/*
 * Copies the published entry's JSON into json. Returns STORE_OK,
 * STORE_NOTFOUND, or STORE_ERR (logged). *seq: the store's last sequence
 * in the same snapshot (NULL: not read).
 */
enum store_result
store_get(struct store *st, const char *coll, const char *doc,
    const char *locale, struct buf *json, uint64_t *seq)
{
	DB_TXN *txn;
	DBT k, v;
	struct store_val val;
	struct buf key;
	int ret;
	enum store_result r = STORE_ERR;
	uint64_t s = 0;

	if (store_read_txn(st, &txn) == -1)
		return STORE_ERR;
	buf_init(&key);
	store_key_primary(&key, coll, doc, locale);
	store_dbt_in(&k, key.data, key.len);
	store_dbt_out(&v);
	st->got_seq = 0;
	if (seq != NULL && (ret = seq_in(st, txn, &s)) != 0)
		goto out;
	ret = st->entries->get(st->entries, txn, &k, &v, 0);
	if (ret == DB_NOTFOUND) {
		r = STORE_NOTFOUND;
		ret = 0;
	} else if (ret == 0 && store_val_decode(v.data, v.size, &val) == 0) {
		buf_reset(json);
		buf_add(json, val.json, val.json_len);
		st->got_seq = val.seq;
		r = STORE_OK;
	}
out:
	free(v.data);
	buf_clear(&key);
	store_read_done(st, txn);
	if (ret != 0) {
		store_fail(st, "get", ret);
		return STORE_ERR;
	}
	if (seq != NULL)
		*seq = s;
	return r;
}

/*
 * The entries holding slug in locale: *n of them, and into json (unless
 * NULL) the most recently published one's. 0, or -1 after logging.
 */
static int
slug_holders(struct store *st, const char *coll, const char *locale,
    const char *slug, struct buf *json, uint64_t *seq, uint64_t *n)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, pk, v;
	struct store_val val;
	struct buf key;
	int ret;
	int64_t best = INT64_MIN;
	uint64_t s = 0, found = 0;

	if (store_read_txn(st, &txn) == -1)
		return -1;
	buf_init(&key);
	store_key_slug(&key, coll, locale, slug);
	store_dbt_in(&k, key.data, key.len);
	store_dbt_out(&pk);
	store_dbt_out(&v);
	st->got_seq = 0;
	if (json != NULL && (ret = seq_in(st, txn, &s)) != 0)
		goto out;
	if ((ret = st->by_slug->cursor(st->by_slug, txn, &c, 0)) != 0)
		goto out;
	for (ret = c->pget(c, &k, &pk, &v, DB_SET); ret == 0;
	     ret = c->pget(c, &k, &pk, &v, DB_NEXT_DUP)) {
		if (store_val_decode(v.data, v.size, &val) == -1)
			continue;
		if (json != NULL && (found == 0 || val.published_at > best)) {
			best = val.published_at;
			buf_reset(json);
			buf_add(json, val.json, val.json_len);
			st->got_seq = val.seq;
		}
		found++;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(pk.data);
	free(v.data);
	buf_clear(&key);
	store_read_done(st, txn);
	if (ret != 0) {
		store_fail(st, "get by slug", ret);
		return -1;
	}
	if (seq != NULL)
		*seq = s;
	*n = found;
	return 0;
}

/*
 * Finds the entry holding slug. Strapi can hand a slug from one document
 * to another and deliver the two changes in either order, so for a moment
 * two documents may hold it: the most recently published one answers.
 */
enum store_result
store_get_by_slug(struct store *st, const char *coll, const char *locale,
    const char *slug, struct buf *json, uint64_t *seq)
{
	uint64_t n;

	if (slug_holders(st, coll, locale, slug, json, seq, &n) == -1)
		return STORE_ERR;
	return n > 0 ? STORE_OK : STORE_NOTFOUND;
}

/* How many entries hold slug in locale (0: none; two for a moment). */
int
store_slug_count(struct store *st, const char *coll, const char *locale,
    const char *slug, uint64_t *n)
{
	return slug_holders(st, coll, locale, slug, NULL, NULL, n);
}

static int
get_recno(DBC *c, db_recno_t *out)
{
	DBT k, d;
	db_recno_t r;
	int ret;

	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	memset(&d, 0, sizeof(d));
	d.data = &r;
	d.ulen = sizeof(r);
	d.flags = DB_DBT_USERMEM;
	if ((ret = c->get(c, &k, &d, DB_GET_RECNO)) != 0)
		return ret;
	*out = r;
	return 0;
}

int
store_has_prefix(const DBT *k, const struct buf *prefix)
{
	return k->size >= prefix->len &&
	    memcmp(k->data, prefix->data, prefix->len) == 0;
}

/*
 * Record numbers of the first key with the prefix (*lo) and one past the
 * last (*hi), so the count is hi - lo: O(log n) with DB_RECNUM, whatever
 * the collection's size.
 */
void
store_dbt_set(DBT *d, const void *p, size_t n)
{
	free(d->data);
	store_dbt_out(d);
	d->data = xmalloc(n);
	memcpy(d->data, p, n);
	d->size = (u_int32_t)n;
}

/*
 * The record number of the first key of c at or after key (one past
 * the last when none is). Returns 0 or a BDB error.
 */
int
store_recno_at(DBC *c, const struct buf *key, db_recno_t *out)
{
	DBT k, d;
	int ret;

	store_dbt_out(&k);
	store_dbt_out(&d);
	store_dbt_set(&k, key->data, key->len);
	ret = c->get(c, &k, &d, DB_SET_RANGE);
	if (ret == 0)
		ret = get_recno(c, out);
	else if (ret == DB_NOTFOUND) {
		ret = c->get(c, &k, &d, DB_LAST);
		if (ret == 0 && (ret = get_recno(c, out)) == 0)
			(*out)++;
		else if (ret == DB_NOTFOUND) {
			*out = 1;
			ret = 0;
		}
	}
	free(k.data);
	free(d.data);
	return ret;
}

static int
prefix_range(DBC *c, const struct buf *prefix, db_recno_t *lo, db_recno_t *hi)
{
	struct buf hikey;
	int ret;

	buf_init(&hikey);
	buf_add(&hikey, prefix->data, prefix->len);
	/* Every key part ends in NUL: bumping it to 0x01 bounds the range. */
	hikey.data[hikey.len - 1] = '\x01';
	/* the first key at or after the prefix: hi when none has it */
	if ((ret = store_recno_at(c, &hikey, hi)) == 0)
		ret = store_recno_at(c, prefix, lo);
	buf_clear(&hikey);
	return ret;
}

/*
 * The entry an index record names (d: its primary key), into it (pv and
 * scratch hold its bytes). Returns 0, DB_NOTFOUND for a record to skip,
 * or a BDB error.
 */
int
store_entry_at(struct store *st, DB_TXN *txn, DBT *d, DBT *pv,
    struct buf *scratch, struct store_item *it)
{
	int ret;

	ret = st->entries->get(st->entries, txn, d, pv, 0);
	if (ret != 0) /* DB_NOTFOUND: not possible under a snapshot */
		return ret;
	return store_item_decode(it, scratch, d, pv) == -1 ? DB_NOTFOUND : 0;
}

/*
 * store_entry_at for the index record r's cursor is at (r->d: its primary
 * key), through a cursor on the entries kept for r's walk: the entries of
 * a page are read without a cursor made and closed for each.
 */
int
store_rd_entry(struct store *st, struct store_rd *r, struct store_item *it)
{
	int ret;

	if (r->pc == NULL &&
	    (ret = st->entries->cursor(st->entries, r->txn, &r->pc, 0)) != 0)
		return ret;
	if ((ret = r->pc->get(r->pc, &r->d, &r->pv, DB_SET)) != 0)
		return ret;
	return store_item_decode(it, &r->scratch, &r->d, &r->pv) == -1
	    ? DB_NOTFOUND
	    : 0;
}

/* 0, a BDB error (rd_close it), or -1 when no transaction began. */
int
store_rd_open(struct store *st, struct store_rd *r, DB *db)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (store_read_txn(st, &r->txn) == -1)
		return -1;
	buf_init(&r->scratch);
	store_dbt_out(&r->k);
	store_dbt_out(&r->d);
	store_dbt_out(&r->pv);
	if ((ret = seq_in(st, r->txn, &r->seq)) != 0)
		return ret;
	return db->cursor(db, r->txn, &r->c, 0);
}

/* Ends r; ret: its walk's BDB error or 0. Returns 0, or -1 (logged). */
int
store_rd_close(struct store *st, struct store_rd *r, int ret, const char *what)
{
	if (r->pc != NULL)
		r->pc->close(r->pc);
	if (r->c != NULL)
		r->c->close(r->c);
	free(r->k.data);
	free(r->d.data);
	free(r->pv.data);
	buf_clear(&r->scratch);
	store_read_done(st, r->txn);
	if (ret != 0) {
		store_fail(st, what, ret);
		return -1;
	}
	return 0;
}

/*
 * prefix's range in index (store_range's) as of seq: kept from an earlier list at the same
 * seq, else read (prefix_range) and kept. 0 or a BDB error.
 */
static int
list_range(struct store *st, int index, DBC *c, uint64_t seq,
    const struct buf *prefix, db_recno_t *lo, db_recno_t *hi)
{
	struct store_range *r;
	size_t i;
	int ret;

	for (i = 0; i < STORE_RANGES; i++) {
		r = &st->ranges[i];
		if (r->index == index && r->seq == seq &&
		    r->len == prefix->len &&
		    memcmp(r->key, prefix->data, prefix->len) == 0) {
			*lo = r->lo;
			*hi = r->hi;
			return 0;
		}
	}
	if ((ret = prefix_range(c, prefix, lo, hi)) != 0 ||
	    prefix->len > STORE_RANGE_KEY)
		return ret;
	r = &st->ranges[st->next_range++ % STORE_RANGES];
	r->index = index;
	r->seq = seq;
	r->lo = *lo;
	r->hi = *hi;
	r->len = prefix->len;
	memcpy(r->key, prefix->data, prefix->len);
	return 0;
}

/*
 * Lists published entries from the by_time (no category) or by_category
 * index, newest first unless q->ascending, or from by_id (q->by_id) in id
 * order, calling cb for each of up to
 * q->limit entries after skipping q->offset (or after the q->after
 * cursor). *total is the number of entries matching; *seq the store's
 * last sequence in the same snapshot. Returns 0, or -1 after logging.
 */
int
store_list(struct store *st, const struct store_list_query *q, store_item_cb cb,
    void *arg, uint64_t *total, uint64_t *seq)
{
	DB *raw = q->by_id        ? st->by_id_raw
	    : q->category != NULL ? st->by_category_raw
	                          : st->by_time_raw;
	/* by_time lists newest first, by_id id ascending, walking forward */
	int back = q->by_id ? q->descending : q->ascending;
	struct store_rd r;
	struct buf prefix, pos;
	db_recno_t lo = 1, hi = 1, rn;
	struct store_item it;
	size_t n = 0;
	int ret, step = back ? DB_PREV : DB_NEXT;

	if (raw == NULL) { /* by_id without the index: the caller checks */
		store_fail(st, "list", EINVAL);
		return -1;
	}
	if ((ret = store_rd_open(st, &r, raw)) == -1)
		return -1;
	buf_init(&prefix);
	buf_init(&pos);
	store_key_list_prefix(&prefix, q->collection, q->locale,
	    q->by_id ? NULL : q->category);
	if (ret != 0 ||
	    (ret = list_range(st,
	         q->by_id                  ? 3
	             : q->category != NULL ? 2
	                                   : 1,
	         r.c, r.seq, &prefix, &lo, &hi)) != 0)
		goto out;
	if (q->limit == 0 || hi <= lo)
		goto done;
	if (q->after != NULL) {
		if (q->by_id)
			store_key_id_pos(&pos, q->collection,
			    strlen(q->collection), q->locale, strlen(q->locale),
			    q->after->published_at, q->after->document_id,
			    strlen(q->after->document_id));
		else
			store_key_list_pos(&pos, q->collection, q->locale,
			    q->category, q->after->published_at,
			    q->after->document_id);
		store_dbt_set(&r.k, pos.data, pos.len);
		ret = r.c->get(r.c, &r.k, &r.d, DB_SET_RANGE);
		if (!back) {
			if (ret == 0 && r.k.size == pos.len &&
			    memcmp(r.k.data, pos.data, pos.len) == 0)
				ret = r.c->get(r.c, &r.k, &r.d, DB_NEXT);
		} else {
			if (ret == 0)
				ret = r.c->get(r.c, &r.k, &r.d, DB_PREV);
			else if (ret == DB_NOTFOUND)
				ret = r.c->get(r.c, &r.k, &r.d, DB_LAST);
		}
	} else {
		if (q->offset >= (uint64_t)(hi - lo))
			goto done;
		rn = back ? hi - 1 - (db_recno_t)q->offset
		          : lo + (db_recno_t)q->offset;
		store_dbt_set(&r.k, &rn, sizeof(rn));
		ret = r.c->get(r.c, &r.k, &r.d, DB_SET_RECNO);
	}
	for (; ret == 0 && n < q->limit;
	     ret = r.c->get(r.c, &r.k, &r.d, step)) {
		if (!store_has_prefix(&r.k, &prefix))
			break;
		if ((ret = store_rd_entry(st, &r, &it)) == DB_NOTFOUND)
			continue;
		if (ret != 0)
			goto out;
		n++;
		if (cb(arg, &it) != 0)
			break;
	}
done:
	ret = 0;
out:
	buf_clear(&prefix);
	buf_clear(&pos);
	if (store_rd_close(st, &r, ret, "list") == -1)
		return -1;
	*total = hi > lo ? (uint64_t)(hi - lo) : 0;
	if (seq != NULL)
		*seq = r.seq;
	return 0;
}
