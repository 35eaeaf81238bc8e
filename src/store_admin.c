/* store_admin.c: verification of indexes and logs, and log trimming */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

struct verify {
	struct store *st;
	DB_TXN *txn;
	store_report_cb report;
	void *arg;
	size_t problems;
	uint64_t entries, with_slug, with_category;
};

static void
problem(struct verify *v, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
problem(struct verify *v, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->problems++;
	if (v->report != NULL)
		v->report(v->arg, msg);
}

static int
has_pair(DB *raw, DB_TXN *txn, const struct buf *key, const DBT *pkey)
{
	DBT k, d;
	int ret;

	memset(&k, 0, sizeof(k));
	k.data = key->data;
	k.size = (u_int32_t)key->len;
	memset(&d, 0, sizeof(d));
	d.data = pkey->data;
	d.size = pkey->size;
	ret = raw->get(raw, txn, &k, &d, 0);
	if (ret != 0)
		return 0;
	return 1;
}

static int
has_dup(DB *sec, DB_TXN *txn, const struct buf *key, const DBT *pkey)
{
	DBC *c;
	DBT k, pk, d;
	int ret, found = 0;

	if (sec->cursor(sec, txn, &c, 0) != 0)
		return 0;
	memset(&k, 0, sizeof(k));
	k.data = key->data;
	k.size = (u_int32_t)key->len;
	memset(&pk, 0, sizeof(pk));
	pk.data = pkey->data;
	pk.size = pkey->size;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = c->pget(c, &k, &pk, &d, DB_GET_BOTH);
	if (ret == 0)
		found = 1;
	c->close(c);
	return found;
}

static void
check_entry(struct verify *v, const DBT *k, const DBT *d)
{
	struct store_pkey pk;
	struct store_val val;
	struct buf key;
	char coll[128], loc[64], doc[ENTRY_MAX_ID + 1], tmp[1024];

	if (store_key_parse_primary(k->data, k->size, &pk) == -1 ||
	    store_val_decode(d->data, d->size, &val) == -1 ||
	    pk.coll_len >= sizeof(coll) || pk.locale_len >= sizeof(loc) ||
	    pk.doc_len >= sizeof(doc)) {
		problem(v, "entries: malformed record");
		return;
	}
	v->entries++;
	snprintf(coll, sizeof(coll), "%.*s", (int)pk.coll_len, pk.coll);
	snprintf(loc, sizeof(loc), "%.*s", (int)pk.locale_len, pk.locale);
	snprintf(doc, sizeof(doc), "%.*s", (int)pk.doc_len, pk.doc);
	buf_init(&key);
	store_key_list_pos(&key, coll, loc, NULL, val.published_at, doc);
	if (!has_pair(v->st->by_time_raw, v->txn, &key, k))
		problem(v, "by_time: missing %s/%s", coll, doc);
	if (val.category != NULL) {
		v->with_category++;
		snprintf(tmp, sizeof(tmp), "%.*s", (int)val.category_len,
		    val.category);
		store_key_list_pos(&key, coll, loc, tmp, val.published_at, doc);
		if (!has_pair(v->st->by_category_raw, v->txn, &key, k))
			problem(v, "by_category: missing %s/%s", coll, doc);
	}
	if (val.slug != NULL) {
		v->with_slug++;
		snprintf(tmp, sizeof(tmp), "%.*s", (int)val.slug_len, val.slug);
		store_key_slug(&key, coll, loc, tmp);
		if (!has_dup(v->st->by_slug, v->txn, &key, k))
			problem(v, "by_slug: missing %s/%s", coll, doc);
	}
	buf_clear(&key);
}

static uint64_t
count_and_check(struct verify *v, DB *db, const char *name)
{
	DBC *c;
	DBT k, d, pv;
	uint64_t n = 0;
	int ret;

	if (db->cursor(db, v->txn, &c, 0) != 0) {
		problem(v, "%s: cannot open cursor", name);
		return 0;
	}
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	memset(&pv, 0, sizeof(pv));
	pv.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
		n++;
		if (v->st->entries->get(v->st->entries, v->txn, &d, &pv, 0) !=
		    0)
			problem(v, "%s: record points to a missing entry",
			    name);
	}
	c->close(c);
	free(k.data);
	free(d.data);
	return n;
}

/*
 * Checks that every index agrees with the entries (each entry indexed,
 * no index record without its entry) and that the change log has no gap
 * and ends at the last sequence. Calls report for each problem. Returns
 * 0 with *problems, or -1 when the store could not be read.
 */
int
store_verify(struct store *st, store_report_cb report, void *arg,
    size_t *problems)
{
	struct verify v;
	DBC *c = NULL;
	DBT k, d;
	int ret;
	uint64_t n, prev = 0, first = 0, last, seq = 0;
	unsigned char sb[8];

	memset(&v, 0, sizeof(v));
	v.st = st;
	v.report = report;
	v.arg = arg;
	if ((ret = st->env->txn_begin(st->env, NULL, &v.txn,
		 store_snapshot_flag(st))) != 0) {
		store_fail(st, "verify", ret);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	if ((ret = st->entries->cursor(st->entries, v.txn, &c, 0)) != 0)
		goto fail;
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0)
		check_entry(&v, &k, &d);
	c->close(c);
	c = NULL;
	if (ret != DB_NOTFOUND)
		goto fail;
	if ((n = count_and_check(&v, st->by_time_raw, "by_time")) != v.entries)
		problem(&v, "by_time: %" PRIu64 " records for %" PRIu64
		    " entries", n, v.entries);
	if ((n = count_and_check(&v, st->by_category_raw, "by_category")) !=
	    v.with_category)
		problem(&v, "by_category: %" PRIu64 " records for %" PRIu64
		    " entries with a category", n, v.with_category);
	{
		DB *raw;

		if (db_create(&raw, st->env, 0) == 0 &&
		    raw->set_flags(raw, DB_DUP | DB_DUPSORT) == 0 &&
		    raw->open(raw, NULL, "by_slug.db", NULL, DB_BTREE,
			DB_AUTO_COMMIT | store_mvcc_flag(st), 0) == 0) {
			if ((n = count_and_check(&v, raw, "by_slug")) !=
			    v.with_slug)
				problem(&v, "by_slug: %" PRIu64 " records for "
				    "%" PRIu64 " entries with a slug", n,
				    v.with_slug);
			raw->close(raw, 0);
		} else
			problem(&v, "by_slug: cannot open");
	}
	if ((ret = st->changes->cursor(st->changes, v.txn, &c, 0)) != 0)
		goto fail;
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
		if (k.size != 8) {
			problem(&v, "changes: malformed key");
			continue;
		}
		n = store_be64_get(k.data);
		if (first == 0)
			first = n;
		else if (n != prev + 1)
			problem(&v, "changes: gap between %" PRIu64 " and %"
			    PRIu64, prev, n);
		prev = n;
	}
	c->close(c);
	c = NULL;
	if (ret != DB_NOTFOUND)
		goto fail;
	last = prev;
	free(d.data);
	d.data = NULL;
	{
		DBT mk, mv;

		memset(&mk, 0, sizeof(mk));
		mk.data = (void *)(uintptr_t) "seq";
		mk.size = 3;
		memset(&mv, 0, sizeof(mv));
		mv.data = sb;
		mv.ulen = sizeof(sb);
		mv.flags = DB_DBT_USERMEM;
		if (st->meta->get(st->meta, v.txn, &mk, &mv, 0) == 0 &&
		    mv.size == 8)
			seq = store_be64_get(sb);
	}
	if (first != 0 && last != seq)
		problem(&v, "changes: log ends at %" PRIu64 " but the sequence "
		    "is %" PRIu64, last, seq);
	free(k.data);
	v.txn->commit(v.txn, 0);
	*problems = v.problems;
	return 0;
fail:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(d.data);
	v.txn->abort(v.txn);
	store_fail(st, "verify", ret);
	return -1;
}

/* Deletes records with key seq <= upto from db, in batches. Returns count. */
static int
trim_db(struct store *st, DB *db, uint64_t upto, uint64_t *removed)
{
	DB_TXN *txn;
	DBC *c;
	DBT k, d;
	int ret, attempt, n;

	*removed = 0;
	for (attempt = 0; attempt < STORE_MAX_RETRIES;) {
		if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0)
			break;
		if ((ret = db->cursor(db, txn, &c, 0)) != 0) {
			txn->abort(txn);
			break;
		}
		memset(&k, 0, sizeof(k));
		k.flags = DB_DBT_REALLOC;
		memset(&d, 0, sizeof(d));
		d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
		n = 0;
		while (n < 1000 && (ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
			if (k.size != 8 || store_be64_get(k.data) > upto) {
				ret = DB_NOTFOUND;
				break;
			}
			if ((ret = c->del(c, 0)) != 0)
				break;
			n++;
		}
		free(k.data);
		c->close(c);
		if (ret != 0 && ret != DB_NOTFOUND) {
			txn->abort(txn);
			if (ret == DB_LOCK_DEADLOCK) {
				store_backoff(++attempt);
				continue;
			}
			break;
		}
		if ((ret = txn->commit(txn, 0)) != 0)
			break;
		*removed += (uint64_t)n;
		if (ret == 0 && n < 1000)
			return 0;
		ret = 0;
	}
	store_fail(st, "trim", ret);
	return -1;
}

/*
 * Keeps the newest keep_changes change records and keep_events event
 * records, deleting older ones. A client resuming from a trimmed point is
 * told to reset. Returns 0 with the counts removed, or -1 after logging.
 */
int
store_trim(struct store *st, uint64_t keep_changes, uint64_t keep_events,
    uint64_t *removed_changes, uint64_t *removed_events)
{
	int64_t seq, evseq;

	if (store_meta_get(st, "seq", &seq) == -1 ||
	    store_meta_get(st, "evseq", &evseq) == -1)
		return -1;
	*removed_changes = *removed_events = 0;
	if ((uint64_t)seq > keep_changes &&
	    trim_db(st, st->changes, (uint64_t)seq - keep_changes,
		removed_changes) == -1)
		return -1;
	if ((uint64_t)evseq > keep_events &&
	    trim_db(st, st->events, (uint64_t)evseq - keep_events,
		removed_events) == -1)
		return -1;
	return 0;
}
