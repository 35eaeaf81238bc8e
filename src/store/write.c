/* write.c: the single write path: version rules, change and event records */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "util/log.h"
#include "util/now.h"
#include "store/store_int.h"

static void
add_str(struct buf *b, const char *s, size_t n)
{
	unsigned char l[4];

	if (s == NULL) {
		memset(l, 0xff, 4);
		buf_add(b, l, 4);
		return;
	}
	l[0] = (unsigned char)(n >> 24);
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	buf_add(b, l, 4);
	buf_add(b, s, n);
}

static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/*
 * Change record: format(1) op(1) time(8) old_pa(8) new_pa(8), then
 * length-prefixed strings (0xffffffff = none): collection, documentId,
 * locale, old slug, old category, new slug, new category, entry JSON
 * (the document's change_json when it has one, else its json).
 */
static void
encode_change(struct buf *b, enum store_op op, const struct store_doc *e,
    const struct store_val *old, int64_t now)
{
	unsigned char h[26];
	const struct store_doc *ne = op == STORE_OP_UPSERT ? e : NULL;

	h[0] = 1;
	h[1] = (unsigned char)(op == STORE_OP_UPSERT ? STORE_OP_UPSERT
	                                             : STORE_OP_REMOVE);
	store_be64_put(h + 2, (uint64_t)now);
	store_be64_put(h + 10,
	    (uint64_t)(old != NULL ? old->published_at : STORE_DRAFT));
	store_be64_put(h + 18,
	    (uint64_t)(ne != NULL ? ne->published_at : STORE_DRAFT));
	buf_reset(b);
	buf_add(b, h, sizeof(h));
	add_str(b, e->collection, strlen(e->collection));
	add_str(b, e->document_id, strlen(e->document_id));
	add_str(b, e->locale, strlen(e->locale));
	add_str(b, old != NULL ? old->slug : NULL,
	    old != NULL ? old->slug_len : 0);
	add_str(b, old != NULL ? old->category : NULL,
	    old != NULL ? old->category_len : 0);
	add_str(b, ne != NULL ? ne->slug : NULL, slen(ne ? ne->slug : NULL));
	add_str(b, ne != NULL ? ne->category : NULL,
	    slen(ne ? ne->category : NULL));
	if (ne != NULL && ne->change_json != NULL)
		add_str(b, ne->change_json, ne->change_len);
	else
		add_str(b, ne != NULL ? ne->json : NULL,
		    ne != NULL ? ne->json_len : 0);
}

static const char *
origin_name(enum store_origin o)
{
	switch (o) {
	case STORE_ORIGIN_SYNC:
		return "sync";
	case STORE_ORIGIN_REPLAY:
		return "replay";
	case STORE_ORIGIN_WEBHOOK:
		break;
	}
	return "webhook";
}

static void
json_field(struct buf *b, const char *name, const char *v)
{
	buf_printf(b, ",\"%s\":", name);
	if (v == NULL)
		buf_adds(b, "null");
	else
		buf_add_json_string(b, v, strlen(v));
}

/* Event record: 4-byte length of a JSON summary, the summary, raw body. */
static void
encode_event(struct buf *b, const struct store_event *ev, int64_t now)
{
	struct buf j;
	unsigned char l[4];

	buf_init(&j);
	buf_printf(&j, "{\"time\":%lld,\"origin\":\"%s\",\"status\":%d",
	    (long long)(ev->time_ms != 0 ? ev->time_ms : now),
	    origin_name(ev->origin), ev->status);
	json_field(&j, "event", ev->event);
	json_field(&j, "model", ev->model);
	json_field(&j, "documentId", ev->document_id);
	json_field(&j, "outcome", ev->outcome);
	json_field(&j, "detail", ev->detail);
	buf_addc(&j, '}');
	l[0] = (unsigned char)(j.len >> 24);
	l[1] = (unsigned char)(j.len >> 16);
	l[2] = (unsigned char)(j.len >> 8);
	l[3] = (unsigned char)j.len;
	buf_reset(b);
	buf_add(b, l, 4);
	buf_add(b, j.data, j.len);
	if (ev->raw != NULL)
		buf_add(b, ev->raw, ev->raw_len);
	buf_clear(&j);
}

static int
put_event(struct store *st, DB_TXN *txn, const struct store_event *ev,
    int64_t now)
{
	unsigned char kb[8];
	uint64_t id;
	DBT k, v;
	int ret;

	if ((ret = store_meta_add(st, txn, "evseq", 1, &id)) != 0)
		return ret;
	store_be64_put(kb, id);
	encode_event(&st->v1, ev, now);
	/* The event log's size, for retention (events_max_bytes). */
	if ((ret = store_meta_add(st, txn, "evbytes", (int64_t)(st->v1.len + 8),
	         &st->evbytes)) != 0)
		return ret;
	store_dbt_in(&k, kb, 8);
	store_dbt_in(&v, st->v1.data, st->v1.len);
	return st->events->put(st->events, txn, &k, &v, 0);
}

/* Version order: updatedAt, then publishedAt (a republish without edit). */
static int
vcmp(int64_t ua1, int64_t pa1, int64_t ua2, int64_t pa2)
{
	if (ua1 != ua2)
		return ua1 < ua2 ? -1 : 1;
	if (pa1 != pa2)
		return pa1 < pa2 ? -1 : 1;
	return 0;
}

/*
 * Decides and writes one operation inside txn. Returns 0 with *res (and
 * *seq when a change was logged), or a BDB error (the caller aborts).
 *
 * The rule that makes any order and duplication of deliveries converge:
 * each document keeps the highest version seen, present (entry) or removed
 * (tombstone). An upsert applies only above both; a remove applies at or
 * above the stored version. A delete removes with publishedAt = +inf, so no
 * older row of a deleted document can come back.
 */
static int
apply_one(struct store *st, DB_TXN *txn, enum store_op op,
    const struct store_doc *e, enum store_result *res, uint64_t *seq)
{
	DBT k, v, tv;
	unsigned char tomb[24], *old = NULL;
	struct store_val cur;
	int have = 0, have_tomb = 0, ret, c;
	int64_t ua = e->updated_at, pa = e->published_at, tua = 0, tpa = 0;
	int64_t now = now_wall_ms();
	uint64_t s;
	struct buf key;

	buf_init(&key);
	if (op == STORE_OP_DELETE)
		pa = INT64_MAX;
	store_key_primary(&key, e->collection, e->document_id, e->locale);
	store_dbt_in(&k, key.data, key.len);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_MALLOC;
	ret = st->entries->get(st->entries, txn, &k, &v, DB_RMW);
	if (ret == 0) {
		old = v.data;
		if (store_val_decode(v.data, v.size, &cur) == -1) {
			log_warnx("store: %s/%s: stored value is malformed; "
			          "replacing it",
			    e->collection, e->document_id);
		} else
			have = 1;
	} else if (ret != DB_NOTFOUND)
		goto out;
	memset(&tv, 0, sizeof(tv));
	tv.data = tomb;
	tv.ulen = sizeof(tomb);
	tv.flags = DB_DBT_USERMEM;
	ret = st->tombs->get(st->tombs, txn, &k, &tv, DB_RMW);
	if (ret == 0 && tv.size == sizeof(tomb)) {
		have_tomb = 1;
		tua = (int64_t)store_be64_get(tomb);
		tpa = (int64_t)store_be64_get(tomb + 8);
	} else if (ret != 0 && ret != DB_NOTFOUND)
		goto out;
	ret = 0;

	if (op == STORE_OP_UPSERT) {
		if (have &&
		    (c = vcmp(ua, pa, cur.updated_at, cur.published_at)) <= 0) {
			*res = c == 0 ? STORE_UNCHANGED : STORE_STALE;
			/*
			 * The same version, with references: they fill in
			 * what a store older than the index lacks (refs.c).
			 * One without (a writer that knows none) keeps them.
			 */
			if (c == 0 && e->nrefs > 0)
				ret = store_refs_set(st, txn, &key, e);
			goto out;
		}
		if (have_tomb && vcmp(ua, pa, tua, tpa) <= 0) {
			*res = STORE_STALE;
			goto out;
		}
		if ((ret = store_meta_add(st, txn, "seq", 1, &s)) != 0)
			goto out;
		store_val_encode(&st->v1, e, s);
		store_dbt_in(&v, st->v1.data, st->v1.len);
		if ((ret = st->entries->put(st->entries, txn, &k, &v, 0)) != 0)
			goto out;
		if (have_tomb &&
		    (ret = st->tombs->del(st->tombs, txn, &k, 0)) != 0)
			goto out;
		if ((ret = store_refs_set(st, txn, &key, e)) != 0)
			goto out;
	} else {
		if (have &&
		    vcmp(ua, pa, cur.updated_at, cur.published_at) < 0) {
			*res = STORE_STALE;
			goto out;
		}
		if (!have && have_tomb && (c = vcmp(ua, pa, tua, tpa)) <= 0) {
			/* A delete of a gone document is a duplicate in effect. */
			*res = c == 0 || op == STORE_OP_DELETE ? STORE_UNCHANGED
			                                       : STORE_STALE;
			goto out;
		}
		if (!have_tomb || vcmp(ua, pa, tua, tpa) > 0) {
			store_be64_put(tomb, (uint64_t)ua);
			store_be64_put(tomb + 8, (uint64_t)pa);
			store_be64_put(tomb + 16, (uint64_t)now);
			store_dbt_in(&tv, tomb, sizeof(tomb));
			if ((ret = st->tombs->put(st->tombs, txn, &k, &tv,
			         0)) != 0)
				goto out;
		}
		if (!have) {
			/* Nothing public changed; the tombstone guards order. */
			*res = STORE_UNCHANGED;
			goto out;
		}
		if ((ret = st->entries->del(st->entries, txn, &k, 0)) != 0 ||
		    (ret = store_refs_drop(st, txn, &key)) != 0)
			goto out;
		if ((ret = store_meta_add(st, txn, "seq", 1, &s)) != 0)
			goto out;
	}
	encode_change(&st->v1, op, e, have ? &cur : NULL, now);
	{
		unsigned char sk[8];
		DBT ck;

		store_be64_put(sk, s);
		store_dbt_in(&ck, sk, 8);
		store_dbt_in(&v, st->v1.data, st->v1.len);
		if ((ret = st->changes->put(st->changes, txn, &ck, &v, 0)) != 0)
			goto out;
		/* The change log's size, for retention (changes_max_bytes). */
		if ((ret = store_meta_add(st, txn, "chbytes",
		         (int64_t)(v.size + 8), &st->chbytes)) != 0)
			goto out;
	}
	/* the collection's own seq (cseq.c), in the same transaction */
	if ((ret = store_cseq_put(st, txn, e, have ? cur.slug : NULL,
	         have ? cur.slug_len : 0,
	         op == STORE_OP_UPSERT ? e->slug : NULL, s)) != 0)
		goto out;
	*res = STORE_OK;
	*seq = s;
out:
	free(old);
	buf_clear(&key);
	return ret;
}

/*
 * With on set, the commits of st leave the checkpoint and the retention
 * pass to store_maintain, which the caller runs once its answer is sent
 * (webhook.fcgi after each request, the sidecar's writer threads after each
 * delivery): they then never add to a delivery's latency.
 */
void
store_set_deferred(struct store *st, int on)
{
	st->deferred = on;
}

/*
 * The work a deferred store left after its commits: a checkpoint when one
 * is due and the retention pass (store_retain). Failures are logged and
 * left to the next call. Does nothing when nothing was committed since the
 * last call.
 */
void
store_maintain(struct store *st)
{
	if (st == NULL || !st->committed)
		return;
	st->committed = 0;
	/* Under the write watchdog, as it was inside the commit path. */
	store_watchdog(st, 1);
	store_checkpoint(st);
	store_watchdog(st, 0);
	store_retain(st);
}

/* The writes of one transaction (store_apply_batch, dry or not). */
struct batch {
	struct store_write *w;
	size_t n;
	const struct store_event *ev;
};

/* The body of the write transaction: 0, or a BDB error. */
static int
batch_body(struct store *st, DB_TXN *txn, struct store_txn *t)
{
	struct batch *b = t->arg;
	struct store_write *w = b->w;
	struct store_event rec;
	uint64_t last = 0;
	size_t i;
	int ret = 0;

	for (i = 0; i < b->n && ret == 0; i++) {
		w[i].result = STORE_ERR;
		w[i].seq = 0;
		ret = apply_one(st, txn, w[i].op, w[i].doc, &w[i].result,
		    &w[i].seq);
		if (w[i].seq > last)
			last = w[i].seq;
	}
	if (ret == 0 && b->ev != NULL) {
		rec = *b->ev;
		/* The first write is the delivery's; the rest (the files
		 * an entry carried) follow it. */
		if (rec.outcome == NULL && b->n >= 1) {
			rec.outcome = w[0].result == STORE_OK
			    ? (w[0].op == STORE_OP_UPSERT ? "upserted"
			                                  : "removed")
			    : store_result_name(w[0].result);
		}
		ret = put_event(st, txn, &rec, now_wall_ms());
	}
	t->seq = last;
	return ret;
}

/*
 * Runs the batch in one transaction (store_txn_run), committed, or
 * aborted when dry. Returns 0, or -1 after logging (each result STORE_ERR).
 */
static int
run_batch(struct store *st, struct store_write *w, size_t n,
    const struct store_event *ev, int dry)
{
	struct batch b = { w, n, ev };
	struct store_txn t;
	size_t i;

	memset(&t, 0, sizeof(t));
	t.what = dry ? "dry run" : "apply";
	t.body = batch_body;
	t.arg = &b;
	if (dry)
		t.flags = STORE_TXN_DRY;
	else
		t.flags = STORE_TXN_LOGGED | (n > 0 ? STORE_TXN_FLUSH : 0);
	if (store_txn_run(st, &t) == -1) {
		for (i = 0; i < n; i++)
			w[i].result = STORE_ERR;
		return -1;
	}
	return 0;
}

/*
 * The single write path: applies n writes (webhook: one; sync: a page) and
 * the event-log record ev (may be NULL) in one transaction (store_txn_run:
 * retried on deadlock, on a lock whose holder died, and after the
 * environment was recovered). Each write's result and seq are filled in.
 * Returns 0 once committed (and flushed when durable), or -1 after logging
 * (nothing was written).
 */
int
store_apply_batch(struct store *st, struct store_write *w, size_t n,
    const struct store_event *ev)
{
	size_t i;

	/* A replica writes nothing: not even a rejected delivery's record. */
	if (st->repl != NULL && store_repl_may_write(st) == -1) {
		for (i = 0; i < n; i++)
			w[i].result = STORE_ERR;
		return n == 0 ? 0 : -1;
	}
	/*
	 * The referrer index, when this process opened the store without it
	 * (it opened on a replica of a master that had not made it yet).
	 */
	if (n > 0 && store_refs_open(st) != 0) {
		log_warnx("store: the referrer index (refs.db) cannot be "
		          "opened; not writing");
		for (i = 0; i < n; i++)
			w[i].result = STORE_ERR;
		return -1;
	}
	if (run_batch(st, w, n, ev, 0) == -1)
		return -1;
	/* Checkpoint and retention: now, or after the answer. */
	if (st->deferred)
		st->committed = 1;
	else
		store_retain(st);
	return 0;
}

/*
 * Decides the n writes exactly as store_apply_batch would (same version
 * rules, same transaction, same retries) and then aborts, so nothing is
 * written: each w[i].result says what would happen. Returns 0, or -1
 * after logging.
 */
int
store_apply_batch_dry(struct store *st, struct store_write *w, size_t n)
{
	size_t i;

	if (run_batch(st, w, n, NULL, 1) == -1)
		return -1;
	for (i = 0; i < n; i++)
		w[i].seq = 0;
	return 0;
}

/*
 * Applies one operation with its event record. Returns the outcome;
 * STORE_ERR has been logged. *seq is the change's sequence when applied,
 * else the store's current last sequence.
 */
enum store_result
store_apply(struct store *st, enum store_op op, const struct store_doc *e,
    const struct store_event *ev, uint64_t *seq)
{
	struct store_write w;

	w.op = op;
	w.doc = e;
	if (store_apply_batch(st, &w, 1, ev) == -1)
		return STORE_ERR;
	if (w.seq != 0)
		*seq = w.seq;
	else if (store_last_seq(st, seq) == -1)
		*seq = 0;
	return w.result;
}

/*
 * Records a delivery that was rejected before reaching the store (bad
 * secret, malformed body). Returns 0, or -1 after logging.
 */
int
store_log_event(struct store *st, const struct store_event *ev)
{
	return store_apply_batch(st, NULL, 0, ev);
}
