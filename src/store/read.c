/* read.c: snapshot reads: get, by slug, lists, change and event logs */
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
	return 0;
}

/* Ends the snapshot store_read_begin began (nothing when none). */
void
store_read_end(struct store *st)
{
	if (st->held == NULL)
		return;
	st->held->commit(st->held, 0);
	st->held = NULL;
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

static void
dbt_out(DBT *d)
{
	memset(d, 0, sizeof(*d));
	d->flags = DB_DBT_REALLOC;
}

/*
 * The oldest change still in the log and the last one. With an empty
 * (or fully trimmed) log, *first is *last + 1. Returns 0, or -1.
 */
int
store_change_bounds(struct store *st, uint64_t *first, uint64_t *last)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	int ret;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	if ((ret = store_meta_read(st, txn, "seq", 0, last)) != 0)
		goto out;
	if ((ret = st->changes->cursor(st->changes, txn, &c, 0)) != 0)
		goto out;
	dbt_out(&k);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = c->get(c, &k, &v, DB_FIRST);
	if (ret == 0 && k.size == 8)
		*first = store_be64_get(k.data);
	else if (ret == DB_NOTFOUND) {
		*first = *last + 1;
		ret = 0;
	}
	free(k.data);
out:
	if (c != NULL)
		c->close(c);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "change bounds", ret);
		return -1;
	}
	return 0;
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
static int
item_decode(struct store_item *it, struct buf *scratch, const DBT *pkey,
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
	dbt_out(&v);
	if (seq != NULL && (ret = store_meta_read(st, txn, "seq", 0, &s)) != 0)
		goto out;
	ret = st->entries->get(st->entries, txn, &k, &v, 0);
	if (ret == DB_NOTFOUND) {
		r = STORE_NOTFOUND;
		ret = 0;
	} else if (ret == 0 && store_val_decode(v.data, v.size, &val) == 0) {
		buf_reset(json);
		buf_add(json, val.json, val.json_len);
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
 * Finds the entry holding slug. Strapi can hand a slug from one document
 * to another and deliver the two changes in either order, so for a moment
 * two documents may hold it: the most recently published one answers.
 */
enum store_result
store_get_by_slug(struct store *st, const char *coll, const char *locale,
    const char *slug, struct buf *json, uint64_t *seq)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, pk, v;
	struct store_val val;
	struct buf key;
	int ret, found = 0;
	int64_t best = INT64_MIN;
	uint64_t s = 0;

	if (store_read_txn(st, &txn) == -1)
		return STORE_ERR;
	buf_init(&key);
	store_key_slug(&key, coll, locale, slug);
	store_dbt_in(&k, key.data, key.len);
	dbt_out(&pk);
	dbt_out(&v);
	if ((ret = store_meta_read(st, txn, "seq", 0, &s)) != 0)
		goto out;
	if ((ret = st->by_slug->cursor(st->by_slug, txn, &c, 0)) != 0)
		goto out;
	for (ret = c->pget(c, &k, &pk, &v, DB_SET); ret == 0;
	     ret = c->pget(c, &k, &pk, &v, DB_NEXT_DUP)) {
		if (store_val_decode(v.data, v.size, &val) == -1)
			continue;
		if (!found || val.published_at > best) {
			best = val.published_at;
			buf_reset(json);
			buf_add(json, val.json, val.json_len);
			found = 1;
		}
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
		return STORE_ERR;
	}
	if (seq != NULL)
		*seq = s;
	return found ? STORE_OK : STORE_NOTFOUND;
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

static int
has_prefix(const DBT *k, const struct buf *prefix)
{
	return k->size >= prefix->len &&
	    memcmp(k->data, prefix->data, prefix->len) == 0;
}

/*
 * Record numbers of the first key with the prefix (*lo) and one past the
 * last (*hi), so the count is hi - lo: O(log n) with DB_RECNUM, whatever
 * the collection's size.
 */
static void
dbt_set(DBT *d, const void *p, size_t n)
{
	free(d->data);
	dbt_out(d);
	d->data = xmalloc(n);
	memcpy(d->data, p, n);
	d->size = (u_int32_t)n;
}

/*
 * The record number of the first key of c at or after key (one past
 * the last when none is). Returns 0 or a BDB error.
 */
static int
recno_at(DBC *c, const struct buf *key, db_recno_t *out)
{
	DBT k, d;
	int ret;

	dbt_out(&k);
	dbt_out(&d);
	dbt_set(&k, key->data, key->len);
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
	if ((ret = recno_at(c, &hikey, hi)) == 0)
		ret = recno_at(c, prefix, lo);
	buf_clear(&hikey);
	return ret;
}

/*
 * The entry an index record names (d: its primary key), into it (pv and
 * scratch hold its bytes). Returns 0, DB_NOTFOUND for a record to skip,
 * or a BDB error.
 */
static int
entry_at(struct store *st, DB_TXN *txn, DBT *d, DBT *pv, struct buf *scratch,
    struct store_item *it)
{
	int ret;

	ret = st->entries->get(st->entries, txn, d, pv, 0);
	if (ret != 0) /* DB_NOTFOUND: not possible under a snapshot */
		return ret;
	return item_decode(it, scratch, d, pv) == -1 ? DB_NOTFOUND : 0;
}

/*
 * A list's read: its transaction (the held snapshot or its own), a cursor
 * on db, the DBTs and scratch of its walk, and the store's last sequence
 * in the same snapshot (rd_open); rd_close ends it all.
 */
struct rd {
	DB_TXN *txn;
	DBC *c;
	DBT k, d, pv;
	struct buf scratch;
	uint64_t seq;
};

/* 0, a BDB error (rd_close it), or -1 when no transaction began. */
static int
rd_open(struct store *st, struct rd *r, DB *db)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (store_read_txn(st, &r->txn) == -1)
		return -1;
	buf_init(&r->scratch);
	dbt_out(&r->k);
	dbt_out(&r->d);
	dbt_out(&r->pv);
	if ((ret = store_meta_read(st, r->txn, "seq", 0, &r->seq)) != 0)
		return ret;
	return db->cursor(db, r->txn, &r->c, 0);
}

/* Ends r; ret: its walk's BDB error or 0. Returns 0, or -1 (logged). */
static int
rd_close(struct store *st, struct rd *r, int ret, const char *what)
{
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
	struct rd r;
	struct buf prefix, pos;
	db_recno_t lo = 1, hi = 1, rn;
	struct store_item it;
	size_t n = 0;
	int ret, step = back ? DB_PREV : DB_NEXT;

	if (raw == NULL) { /* by_id without the index: the caller checks */
		store_fail(st, "list", EINVAL);
		return -1;
	}
	if ((ret = rd_open(st, &r, raw)) == -1)
		return -1;
	buf_init(&prefix);
	buf_init(&pos);
	store_key_list_prefix(&prefix, q->collection, q->locale,
	    q->by_id ? NULL : q->category);
	if (ret != 0 || (ret = prefix_range(r.c, &prefix, &lo, &hi)) != 0)
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
		dbt_set(&r.k, pos.data, pos.len);
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
		dbt_set(&r.k, &rn, sizeof(rn));
		ret = r.c->get(r.c, &r.k, &r.d, DB_SET_RECNO);
	}
	for (; ret == 0 && n < q->limit;
	     ret = r.c->get(r.c, &r.k, &r.d, step)) {
		if (!has_prefix(&r.k, &prefix))
			break;
		if ((ret = entry_at(st, r.txn, &r.d, &r.pv, &r.scratch, &it)) ==
		    DB_NOTFOUND)
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
	if (rd_close(st, &r, ret, "list") == -1)
		return -1;
	*total = hi > lo ? (uint64_t)(hi - lo) : 0;
	if (seq != NULL)
		*seq = r.seq;
	return 0;
}

static int
take_str(const unsigned char **p, const unsigned char *end, struct buf *b,
    size_t *off, int *present)
{
	uint32_t n;

	if (end - *p < 4)
		return -1;
	n = ((uint32_t)(*p)[0] << 24) | ((uint32_t)(*p)[1] << 16) |
	    ((uint32_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	*off = b->len;
	if (n == 0xffffffffU) {
		*present = 0;
		buf_addc(b, '\0');
		return 0;
	}
	if ((size_t)(end - *p) < n)
		return -1;
	*present = 1;
	buf_add(b, *p, n);
	buf_addc(b, '\0');
	*p += n;
	return 0;
}

/* Decodes a change record into ch, strings copied into b. 0, or -1. */
static int
decode_change(const void *data, size_t size, uint64_t seq,
    struct store_change *ch, struct buf *b)
{
	const unsigned char *p = data, *end = p + size;
	size_t off[8];
	int present[8], i;

	if (size < 26 || p[0] != 1)
		return -1;
	memset(ch, 0, sizeof(*ch));
	ch->seq = seq;
	ch->op = p[1] == STORE_OP_UPSERT ? STORE_OP_UPSERT : STORE_OP_REMOVE;
	ch->time_ms = (int64_t)store_be64_get(p + 2);
	ch->old_published_at = (int64_t)store_be64_get(p + 10);
	ch->new_published_at = (int64_t)store_be64_get(p + 18);
	p += 26;
	buf_reset(b);
	for (i = 0; i < 8; i++)
		if (take_str(&p, end, b, &off[i], &present[i]) == -1)
			return -1;
	ch->collection = b->data + off[0];
	ch->document_id = b->data + off[1];
	ch->locale = b->data + off[2];
	ch->old_slug = present[3] ? b->data + off[3] : NULL;
	ch->old_category = present[4] ? b->data + off[4] : NULL;
	ch->new_slug = present[5] ? b->data + off[5] : NULL;
	ch->new_category = present[6] ? b->data + off[6] : NULL;
	ch->json = present[7] ? b->data + off[7] : NULL;
	ch->json_len = present[7] ? strlen(ch->json) : 0;
	return 0;
}

/*
 * Calls cb for each change with seq > after, in order, at most max of
 * them (0: no limit), until cb returns non-zero. Returns the number
 * delivered, or -1 after logging.
 */
int
store_changes_since(struct store *st, uint64_t after, size_t max,
    store_change_cb cb, void *arg)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	unsigned char kb[8];
	struct buf b;
	struct store_change ch;
	int ret, n = 0;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	buf_init(&b);
	dbt_out(&k);
	dbt_out(&v);
	if ((ret = st->changes->cursor(st->changes, txn, &c, 0)) != 0)
		goto out;
	store_be64_put(kb, after + 1);
	k.data = xmalloc(8);
	memcpy(k.data, kb, 8);
	k.size = 8;
	for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0;
	     ret = c->get(c, &k, &v, DB_NEXT)) {
		if (k.size != 8 ||
		    decode_change(v.data, v.size, store_be64_get(k.data), &ch,
		        &b) == -1) {
			log_warnx("store: malformed change record skipped");
			continue;
		}
		n++;
		if (cb(arg, &ch) != 0 || (max != 0 && (size_t)n >= max))
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(v.data);
	buf_clear(&b);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "reading changes", ret);
		return -1;
	}
	return n;
}

static int
event_failed(const char *summary, size_t len)
{
	const char *p;
	char tmp[16];
	size_t i;

	p = memmem(summary, len, "\"status\":", 9);
	if (p == NULL)
		return 0;
	p += 9;
	for (i = 0; i + 1 < sizeof(tmp) && p + i < summary + len &&
	     p[i] >= '0' && p[i] <= '9';
	     i++)
		tmp[i] = p[i];
	tmp[i] = '\0';
	return atoi(tmp) >= 400;
}

/*
 * Calls cb for each event-log record with id > after (failed_only: those
 * answered with a status >= 400). Returns the count, or -1 after logging.
 */
int
store_events(struct store *st, uint64_t after, int failed_only,
    store_event_cb cb, void *arg)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	int ret, n = 0;
	const unsigned char *p;
	uint32_t jl;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	dbt_out(&k);
	dbt_out(&v);
	if ((ret = st->events->cursor(st->events, txn, &c, 0)) != 0)
		goto out;
	k.data = xcalloc(1, 8);
	store_be64_put(k.data, after + 1);
	k.size = 8;
	for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0;
	     ret = c->get(c, &k, &v, DB_NEXT)) {
		p = v.data;
		if (v.size < 4 || k.size != 8)
			continue;
		jl = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		    ((uint32_t)p[2] << 8) | p[3];
		if (jl > v.size - 4)
			continue;
		if (failed_only && !event_failed((const char *)p + 4, jl))
			continue;
		n++;
		if (cb(arg, store_be64_get(k.data), (const char *)p + 4, jl,
		        v.size - 4 - jl > 0 ? (const char *)p + 4 + jl : NULL,
		        v.size - 4 - jl) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(v.data);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "reading events", ret);
		return -1;
	}
	return n;
}

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
	dbt_out(&k);
	dbt_out(&v);
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
		if (coll != NULL && !has_prefix(&k, &prefix))
			break;
		if (item_decode(&it, &scratch, &k, &v) == -1)
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

/* The record numbers of a span of index a in locale: [*lo, *hi). */
static int
attr_range(DBC *c, const char *locale, const struct store_attr_span *sp,
    db_recno_t *lo, db_recno_t *hi)
{
	struct buf key;
	size_t n = strlen(locale);
	int ret;

	buf_init(&key);
	buf_add(&key, locale, n);
	buf_addc(&key, '\0');
	buf_add(&key, sp->lo, sp->lolen);
	ret = recno_at(c, &key, lo);
	buf_reset(&key);
	buf_add(&key, locale, n);
	if (sp->hi_open)
		buf_addc(&key, '\x01'); /* past the locale's keys */
	else {
		buf_addc(&key, '\0');
		buf_add(&key, sp->hi, sp->hilen);
	}
	if (ret == 0)
		ret = recno_at(c, &key, hi);
	if (ret == 0 && *hi < *lo)
		*hi = *lo;
	buf_clear(&key);
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
	struct rd r;
	struct store_item it;
	db_recno_t lo = 1, hi = 1, rn;
	uint64_t left;
	size_t n = 0, skip = strlen(locale) + 1;
	int ret;

	if (raw == NULL || (ret = rd_open(st, &r, raw)) == -1)
		return -1;
	if (ret != 0 || (ret = attr_range(r.c, locale, sp, &lo, &hi)) != 0 ||
	    offset >= (uint64_t)(hi - lo) || limit == 0)
		goto out;
	left = (uint64_t)(hi - lo) - offset;
	rn = back ? hi - 1 - (db_recno_t)offset : lo + (db_recno_t)offset;
	dbt_set(&r.k, &rn, sizeof(rn));
	for (ret = r.c->get(r.c, &r.k, &r.d, DB_SET_RECNO);
	     ret == 0 && n < limit && left > 0;
	     ret = r.c->get(r.c, &r.k, &r.d, back ? DB_PREV : DB_NEXT)) {
		left--;
		if (r.k.size < skip ||
		    (ret = entry_at(st, r.txn, &r.d, &r.pv, &r.scratch, &it)) ==
		        DB_NOTFOUND)
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
	if (rd_close(st, &r, ret, "index walk") == -1)
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
bulk_walk(struct rd *r, const struct buf *prefix,
    int (*each)(void *, void *, u_int32_t, void *, u_int32_t), void *arg)
{
	void *p, *kp, *vp;
	u_int32_t op = DB_SET_RANGE, klen, vlen;
	int ret = 0, stop = 0;

	dbt_set(&r->k, prefix->data, prefix->len);
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
	struct rd *r;
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
	if (item_decode(&it, &w->r->scratch, &rk, &rv) == -1)
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
	ret = entry_at(w->st, w->r->txn, &pk, &w->r->pv, &w->r->scratch, &it);
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
	struct rd r;
	int ret;

	if ((ret = rd_open(st, &r, st->entries)) == -1)
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
	if (rd_close(st, &r, ret, "scan") == -1)
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
	struct rd r;
	int ret;

	if (raw == NULL || (ret = rd_open(st, &r, raw)) == -1)
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
	if (rd_close(st, &r, ret, "index scan") == -1)
		return -1;
	if (seq != NULL)
		*seq = r.seq;
	return 0;
}
