/* meta.c: the counters and settings of meta.db, and the read transaction */
#include "config.h"

#include <string.h>
#include <time.h>

#include <db.h>

#include "store/store_int.h"

/*
 * Replicated, libdb locks operations out for a moment while a replica
 * syncs with a new master, and makes callers that arrive meanwhile sleep
 * seconds at a time; the store runs with DB_REP_CONF_NOWAIT instead, so
 * they get DB_REP_LOCKOUT at once. A reader retries for up to a second
 * (bounded retry loop, the STYLE exception); the sidecar's event loop
 * (STORE_OPEN_REPL_NODE) does not wait at all: its next tick retries.
 */
#define RTXN_LOCKOUT_TRIES 100

int
store_rtxn(struct store *st, DB_TXN **txn)
{
	struct timespec ts = { 0, 10000000 };
	int ret, attempt;

	for (attempt = 0; attempt < RTXN_LOCKOUT_TRIES; attempt++) {
		ret = st->env->txn_begin(st->env, NULL, txn,
		    store_snapshot_flag(st));
		if (ret != DB_REP_LOCKOUT)
			break;
		if (st->flags & STORE_OPEN_REPL_NODE) {
			st->why = "replication is bringing this site's store "
			          "up to date";
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	if (ret != 0) {
		store_fail(st, "txn_begin (read)", ret);
		return -1;
	}
	return 0;
}

/*
 * Reads a counter of meta inside txn (NULL: outside any; 0 when absent);
 * rmw: for update. Returns 0, or a BDB error.
 */
int
store_meta_read(struct store *st, DB_TXN *txn, const char *name, int rmw,
    uint64_t *out)
{
	DBT k, v;
	unsigned char b[8];
	int ret;

	store_dbt_in(&k, name, strlen(name));
	memset(&v, 0, sizeof(v));
	v.data = b;
	v.ulen = sizeof(b);
	v.flags = DB_DBT_USERMEM;
	ret = st->meta->get(st->meta, txn, &k, &v, rmw ? DB_RMW : 0);
	if (ret == DB_NOTFOUND) {
		*out = 0;
		return 0;
	}
	if (ret != 0)
		return ret;
	*out = v.size == 8 ? store_be64_get(b) : 0;
	return 0;
}

/*
 * Adds delta to a counter in meta, inside txn (a counter never goes below
 * 0). Returns 0 with the new value in *out, or a BDB error.
 */
int
store_meta_add(struct store *st, DB_TXN *txn, const char *name, int64_t delta,
    uint64_t *out)
{
	DBT k, v;
	unsigned char cur[8];
	uint64_t n;
	int ret;

	if ((ret = store_meta_read(st, txn, name, 1, &n)) != 0)
		return ret;
	if (delta < 0 && (uint64_t)-delta > n)
		n = 0;
	else
		n += (uint64_t)delta;
	store_be64_put(cur, n);
	store_dbt_in(&k, name, strlen(name));
	store_dbt_in(&v, cur, 8);
	if ((ret = st->meta->put(st->meta, txn, &k, &v, 0)) != 0)
		return ret;
	*out = n;
	return 0;
}

/* Reads a counter of meta in a read transaction of its own. 0, or -1. */
static int
read_alone(struct store *st, const char *name, const char *what, uint64_t *out)
{
	DB_TXN *txn;
	int ret;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	ret = store_meta_read(st, txn, name, 0, out);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, what, ret);
		return -1;
	}
	return 0;
}

/* The last committed change sequence (0 for an empty store). 0, or -1. */
int
store_last_seq(struct store *st, uint64_t *seq)
{
	return read_alone(st, "seq", "reading seq", seq);
}

/*
 * The last committed change sequence, read outside any transaction: the
 * cheapest way to check whether a cached answer is still current (a
 * snapshot transaction costs more than the read). 0, or -1.
 */
int
store_peek_seq(struct store *st, uint64_t *seq)
{
	int ret;

	ret = store_meta_read(st, NULL, "seq", 0, seq);
	if (ret == DB_LOCK_DEADLOCK || ret == DB_LOCK_NOTGRANTED ||
	    ret == DB_REP_LOCKOUT)
		return store_last_seq(st, seq);
	if (ret != 0) {
		store_fail(st, "reading seq", ret);
		return -1;
	}
	return 0;
}

/* Reads an integer from meta (0 when unset). Returns 0, or -1. */
int
store_meta_get(struct store *st, const char *key, int64_t *out)
{
	uint64_t v;

	if (read_alone(st, key, "meta get", &v) == -1)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Writes an integer into meta, in its own transaction. 0, or -1. */
int
store_meta_set(struct store *st, const char *key, int64_t val)
{
	DBT k, v;
	unsigned char b[8];
	int ret;

	store_be64_put(b, (uint64_t)val);
	store_dbt_in(&k, key, strlen(key));
	store_dbt_in(&v, b, 8);
	ret = st->meta->put(st->meta, NULL, &k, &v, DB_AUTO_COMMIT);
	if (ret != 0) {
		store_fail(st, "meta set", ret);
		return -1;
	}
	return 0;
}
