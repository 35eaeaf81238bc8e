/* retain.c: log retention: the change and event logs trimmed by count, age and size */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/now.h"
#include "store/store_int.h"
#include "store/store_repl.h"
#include "util/xmalloc.h"

/*
 * Retention. Each log is a btree keyed by a big-endian sequence (seq for
 * changes, evseq for events), so its oldest records come first, and meta
 * keeps its size in bytes (chbytes, evbytes: key and value of every
 * record, added by the write that puts it). A pass deletes from the front
 * while a bound is exceeded, in transactions of TRIM_BATCH records.
 */
#define TRIM_BATCH      100
#define TRIM_PASS_MAX   1000  /* records per log per automatic pass */
#define RETAIN_EVERY    256   /* commits between automatic passes */
#define RETAIN_EVERY_MS 60000 /* or this long (monotonic) */

/*
 * What a log's trim works on. Not its DB handle: a transaction of
 * store_txn_run can reopen the store in place (store_recover) and retry,
 * and a handle taken before belongs to the environment left behind, where
 * every retry failed again (seen under plain CGI kills: a delivery's
 * process reopening the store 16 times, the client waiting). The body
 * takes it from the store each attempt (log_db).
 */
struct trim_spec {
	const char *seq_key;   /* "seq" or "evseq" */
	const char *bytes_key; /* "chbytes" or "evbytes" */
	int events;            /* record format: event (1) or change (0) */
	uint64_t keep, max_bytes;
	int64_t max_age_ms;
};

/* The change log or the event log of st, as open now. */
static DB *
log_db(const struct store *st, int events)
{
	return events ? st->events : st->changes;
}

/* A record's time (ms since the epoch), or 0 when it has none. */
static int64_t
record_time(const struct trim_spec *t, const DBT *d)
{
	const char *p = d->data;

	if (!t->events)
		return d->size >= 10
		    ? (int64_t)store_be64_get((const unsigned char *)p + 2)
		    : 0;
	/* Event: length(4), then a JSON summary that starts {"time":<ms>. */
	if (d->size < 4 + 9 || memcmp(p + 4, "{\"time\":", 8) != 0)
		return 0;
	return strtoll(p + 12, NULL, 10);
}

/* One batch of trim_log: its log, limits and what it did. */
struct trim_batch {
	const struct trim_spec *t;
	int64_t now;
	uint64_t room; /* records it may still remove */
	DBT k, d;      /* scratch (DB_DBT_REALLOC) */
	uint64_t n;    /* out: records removed */
	int done;      /* out: nothing beyond the bounds is left */
};

/* Deletes one batch of the oldest records beyond the bounds. 0, or BDB's. */
static int
trim_body(struct store *st, DB_TXN *txn, struct store_txn *x)
{
	struct trim_batch *b = x->arg;
	const struct trim_spec *t = b->t;
	DB *db = log_db(st, t->events);
	DBC *c = NULL;
	uint64_t last, bytes, freed = 0, id;
	int64_t tm;
	int ret;

	b->n = 0;
	b->done = 0;
	if ((ret = store_meta_read(st, txn, t->seq_key, 0, &last)) != 0 ||
	    (ret = store_meta_read(st, txn, t->bytes_key, 1, &bytes)) != 0 ||
	    (ret = db->cursor(db, txn, &c, 0)) != 0)
		goto out;
	while (b->n < TRIM_BATCH && b->n < b->room) {
		if ((ret = c->get(c, &b->k, &b->d, DB_NEXT)) != 0)
			break;
		id = b->k.size == 8 ? store_be64_get(b->k.data) : 0;
		tm = record_time(t, &b->d);
		if (!((t->keep != 0 && last >= id && last - id >= t->keep) ||
		        (t->max_bytes != 0 && bytes > freed &&
		            bytes - freed > t->max_bytes) ||
		        (t->max_age_ms != 0 && tm != 0 &&
		            tm < b->now - t->max_age_ms))) {
			ret = DB_NOTFOUND;
			break;
		}
		if ((ret = c->del(c, 0)) != 0)
			break;
		freed += (uint64_t)b->d.size + b->k.size;
		b->n++;
	}
	if (ret == DB_NOTFOUND) {
		b->done = 1;
		ret = 0;
	} else if (ret == 0 && b->n < TRIM_BATCH && b->n < b->room)
		b->done = 1;
	if (ret != 0)
		goto out;
	c->close(c);
	c = NULL;
	if (freed > 0)
		ret = store_meta_add(st, txn, t->bytes_key, -(int64_t)freed,
		    &bytes);
out:
	if (c != NULL)
		c->close(c);
	return ret;
}

/*
 * Deletes the oldest records of one log while one of t's bounds is
 * exceeded, at most max records, TRIM_BATCH a transaction
 * (store_txn_run). Returns 0 with *removed, or -1 after logging.
 */
static int
trim_log(struct store *st, const struct trim_spec *t, int64_t now, uint64_t max,
    uint64_t *removed)
{
	struct trim_batch b;
	struct store_txn x;
	int rc = 0;

	*removed = 0;
	memset(&b, 0, sizeof(b));
	b.t = t;
	b.now = now;
	b.k.flags = DB_DBT_REALLOC;
	b.d.flags = DB_DBT_REALLOC;
	memset(&x, 0, sizeof(x));
	x.what = "trim";
	x.body = trim_body;
	x.arg = &b;
	while (!b.done && *removed < max) {
		b.room = max - *removed;
		if (store_txn_run(st, &x) == -1) {
			rc = -1;
			break;
		}
		*removed += b.n;
	}
	free(b.k.data);
	free(b.d.data);
	return rc;
}

static void
trim_specs(const struct store_retention *r, struct trim_spec t[2])
{
	memset(t, 0, 2 * sizeof(t[0]));
	t[0].seq_key = "seq";
	t[0].bytes_key = "chbytes";
	t[0].keep = r->changes_keep;
	t[0].max_bytes = r->changes_max_bytes;
	t[0].max_age_ms = r->changes_max_age_ms;
	t[1].seq_key = "evseq";
	t[1].bytes_key = "evbytes";
	t[1].events = 1;
	t[1].keep = r->events_keep;
	t[1].max_bytes = r->events_max_bytes;
	t[1].max_age_ms = r->events_max_age_ms;
}

/*
 * Deletes the oldest change-log and event-log records beyond the bounds
 * of r (records, bytes, age; 0 is no bound). A client resuming from a
 * trimmed point is told to reset. Returns 0 with the counts removed, or
 * -1 after logging.
 */
int
store_trim(struct store *st, const struct store_retention *r,
    uint64_t *removed_changes, uint64_t *removed_events)
{
	struct trim_spec t[2];
	int64_t now = now_wall_ms();

	trim_specs(r, t);
	*removed_changes = *removed_events = 0;
	if (trim_log(st, &t[0], now, UINT64_MAX, removed_changes) == -1 ||
	    trim_log(st, &t[1], now, UINT64_MAX, removed_events) == -1)
		return -1;
	return 0;
}

/*
 * The writers' automatic retention, after a commit (store_apply_batch):
 * a pass every RETAIN_EVERY commits or RETAIN_EVERY_MS, or at once when
 * the commit left a log over its byte bound; at most TRIM_PASS_MAX
 * records per log per pass, so no answer waits long. Failures are logged
 * and left to the next pass. Does nothing without store_set_retention.
 */
void
store_retain(struct store *st)
{
	const struct store_retention *r = &st->retain;
	struct trim_spec t[2];
	int64_t mono = now_mono_ms();
	uint64_t rc, re;

	if (r->changes_keep == 0 && r->changes_max_bytes == 0 &&
	    r->changes_max_age_ms == 0 && r->events_keep == 0 &&
	    r->events_max_bytes == 0 && r->events_max_age_ms == 0)
		return;
	if (++st->commits < RETAIN_EVERY &&
	    mono - st->retained_ms < RETAIN_EVERY_MS &&
	    (r->changes_max_bytes == 0 ||
	        st->chbytes <= r->changes_max_bytes) &&
	    (r->events_max_bytes == 0 || st->evbytes <= r->events_max_bytes))
		return;
	st->commits = 0;
	st->retained_ms = mono;
	trim_specs(r, t);
	if (trim_log(st, &t[0], now_wall_ms(), TRIM_PASS_MAX, &rc) == 0 &&
	    trim_log(st, &t[1], now_wall_ms(), TRIM_PASS_MAX, &re) == 0 &&
	    (rc > 0 || re > 0))
		log_debug("store_retain: %" PRIu64 " changes and %" PRIu64
		          " events trimmed",
		    rc, re);
	/* A pass that left a log over its bound continues at the next. */
	st->chbytes = st->evbytes = 0;
}

/*
 * The bytes of the change log and the event log as meta counts them
 * (keys and values of the records). Returns 0, or -1 after logging.
 */
int
store_log_bytes(struct store *st, uint64_t *changes, uint64_t *events)
{
	int ret;

	if ((ret = store_meta_read(st, NULL, "chbytes", 0, changes)) != 0 ||
	    (ret = store_meta_read(st, NULL, "evbytes", 0, events)) != 0) {
		store_fail(st, "log sizes", ret);
		return -1;
	}
	return 0;
}

/*
 * Counts the bytes of one log (arg: its trim_spec) into meta when meta
 * has no count yet (a store written before the counts existed): a body
 * of store_txn_run, like every write, so that a process that died in the
 * store meanwhile is ridden through. Without it, a webhook.cgi process
 * starting up waited here on a dead process's mutex, outside every watch,
 * until plain CGI's 20 s bound (the client's 15 s had passed). 0, or a
 * BDB error.
 */
/* What size_body works on: its log, and the key buffer it reuses (kept
 * outside the body, so an attempt the watchdog abandons leaks nothing). */
struct size_arg {
	const struct trim_spec *t;
	DBT k;
};

static int
size_body(struct store *st, DB_TXN *txn, struct store_txn *x)
{
	struct size_arg *a = x->arg;
	const struct trim_spec *t = a->t;
	DB *db = log_db(st, t->events);
	DBC *c = NULL;
	DBT mk, d, full, *k = &a->k;
	uint64_t total = 0;
	unsigned char b[8];
	int ret;

	memset(&mk, 0, sizeof(mk));
	mk.data = (void *)(uintptr_t)t->bytes_key;
	mk.size = (u_int32_t)strlen(t->bytes_key);
	if ((ret = st->meta->exists(st->meta, txn, &mk, DB_RMW)) != DB_NOTFOUND)
		return ret; /* counted already (0), or an error */
	if ((ret = db->cursor(db, txn, &c, 0)) != 0)
		return ret;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM; /* walk without copying */
	while ((ret = c->get(c, k, &d, DB_NEXT)) == 0) {
		/* A partial get reports the partial size: ask the real one. */
		memset(&full, 0, sizeof(full));
		full.flags = DB_DBT_USERMEM;
		ret = c->get(c, k, &full, DB_CURRENT);
		if (ret != 0 && ret != DB_BUFFER_SMALL)
			break;
		total += (uint64_t)full.size + k->size;
	}
	c->close(c);
	if (ret != DB_NOTFOUND)
		return ret;
	store_be64_put(b, total);
	memset(&d, 0, sizeof(d));
	d.data = b;
	d.size = 8;
	return st->meta->put(st->meta, txn, &mk, &d, 0);
}

/*
 * The bounds the writers keep the change log and the event log to, after
 * their commits (store_retain); off (all 0) until this is called. A store
 * written before the logs' sizes were counted is counted once, here.
 * Returns 0, or -1 after logging (the bounds are set all the same).
 */
int
store_set_retention(struct store *st, const struct store_retention *r)
{
	char addr[STORE_REPL_ADDR_MAX];
	struct trim_spec t[2];
	struct size_arg a;
	struct store_txn x;
	int i, rc = 0;

	st->retain = *r;
	if (st->repl != NULL &&
	    store_repl_write_target(st, addr, sizeof(addr)) != 0)
		return 0; /* not the master: the master counts */
	trim_specs(r, t);
	memset(&a, 0, sizeof(a));
	a.k.flags = DB_DBT_REALLOC;
	memset(&x, 0, sizeof(x));
	x.what = "sizing the logs";
	x.body = size_body;
	x.arg = &a;
	for (i = 0; i < 2 && rc == 0; i++) {
		a.t = &t[i];
		rc = store_txn_run(st, &x);
	}
	free(a.k.data);
	return rc;
}
