/* fanout.c: reading the change log and fanning each change out */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "util/log.h"
#include "util/now.h"
#include "push/client.h"
#include "push/fanout.h"
#include "push/msg.h"
#include "push/query.h"
#include "push/queue.h"
#include "push/registry.h"
#include "push/stream.h"

const unsigned push_lag_bounds[PUSH_LAG_BUCKETS] = { 1, 2, 5, 10, 25, 50, 100,
	250, 1000, 5000 };

struct batch {
	struct push *p;
	struct buf b;
	push_fanout_seen_fn seen;
	void *seen_arg;
	int64_t times[256];
	size_t ntimes;
};

static int
on_change(void *arg, const struct store_change *ch)
{
	struct batch *bt = arg;
	struct push *p = bt->p;
	struct push_client *c;
	struct push_msg *msgs[PUSH_TRANSPORT__MAX] = { NULL }, **m;
	uint64_t prev = p->seen;
	const char *plural = push_stream_plural(p, ch->collection);
	size_t i;

	for (c = LIST_FIRST(&p->raw); c != NULL; c = LIST_NEXT(c, rlink)) {
		if (c->cursor >= ch->seq)
			continue;
		if (c->cursor < prev || c->closing || c->dead) {
			/* Behind: catches up from the log when it drains. */
			continue;
		}
		if (c->filter != NULL &&
		    strcmp(c->filter->name, ch->collection) != 0) {
			c->cursor = ch->seq;
			continue;
		}
		/* One frame per transport, built once and shared. */
		m = &msgs[c->ops->id];
		if (*m == NULL) {
			c->ops->change(&bt->b, ch, plural);
			*m = push_msg_from_buf(&bt->b);
		}
		if (push_queue_put(p, c, NULL, *m, NULL) == 0)
			c->cursor = ch->seq;
	}
	for (i = 0; i < PUSH_TRANSPORT__MAX; i++)
		push_msg_unref(msgs[i]);
	push_registry_touch(p, ch);
	p->seen = ch->seq;
	p->changes_total++;
	if (bt->seen != NULL)
		bt->seen(bt->seen_arg, ch);
	if (bt->ntimes < sizeof(bt->times) / sizeof(bt->times[0]))
		bt->times[bt->ntimes++] = ch->time_ms;
	return bt->ntimes == sizeof(bt->times) / sizeof(bt->times[0]);
}

static void
record_lag(struct push *p, int64_t t)
{
	int64_t lag = now_wall_ms() - t;
	uint64_t l = lag < 0 ? 0 : (uint64_t)lag;
	size_t i;

	p->lag_count++;
	p->lag_sum_ms += l;
	if (l > p->lag_max_ms)
		p->lag_max_ms = l;
	for (i = 0; i < PUSH_LAG_BUCKETS; i++)
		if (l <= push_lag_bounds[i])
			p->lag_buckets[i]++;
}

/*
 * Every change stream gets a reset at last (its client reloads, as after
 * a trimmed resume point) and every query is recomputed.
 */
static void
reset_streams(struct push *p, uint64_t last)
{
	struct push_client *c;
	struct push_msg *m;
	struct buf b;

	buf_init(&b);
	for (c = LIST_FIRST(&p->raw); c != NULL; c = LIST_NEXT(c, rlink)) {
		push_queue_clear(p, c);
		c->ops->reset(&b, last);
		m = push_msg_from_buf(&b);
		(void)push_queue_put(p, c, NULL, m, NULL);
		push_msg_unref(m);
		p->resets_total++;
		c->cursor = last;
		push_client_kick(p, c);
	}
	buf_clear(&b);
	push_query_mark_all(p);
	p->seen = last;
}

/*
 * Replication rolled this site's store back: it was a master cut off from
 * the group, and the changes it made meanwhile (refused to their senders:
 * no quorum acknowledged them) are gone; their seqs will name other
 * changes. The databases are reopened and every stream reset.
 */
static void
rolled_back(struct push *p)
{
	uint64_t last;

	log_warnx("replication rolled this site's store back; reopening it "
	          "and resetting every stream");
	if (store_reopen(p->store) == -1 ||
	    store_last_seq(p->store, &last) == -1)
		fatalx("cannot reopen the store after a rollback");
	reset_streams(p, last);
}

/*
 * The store's environment was recovered (a process died in it holding a
 * mutex): the sidecar reopens it in place and keeps every client. The
 * change log is durable, so the streams go on from the last change pushed
 * (nothing lost, nothing sent twice) and every query is recomputed;
 * only when recovery lost changes already pushed (written without
 * durable, never acknowledged as stored) do the streams get a reset.
 * When the store cannot be reopened, the next poll tries again.
 */
static void
env_recovered(struct push *p)
{
	uint64_t last;

	if (store_recover(p->store) == -1 ||
	    store_last_seq(p->store, &last) == -1)
		return;
	p->recoveries_total++;
	if (last < p->seen) {
		log_warnx("store: recovery lost changes %" PRIu64 "..%" PRIu64
		          "; resetting every stream",
		    last + 1, p->seen);
		reset_streams(p, last);
		return;
	}
	push_query_mark_all(p);
}

/*
 * Between polls: leaves a recovered environment (the sidecar notices it
 * here even when no change arrives), and cleans up after a process that
 * died in the store. Not for the replication process.
 */
void
push_fanout_check_store(struct push *p)
{
	if (p->repl != NULL)
		return;
	switch (store_check(p->store)) {
	case STORE_DEAD_PEER:
		if (store_clean_dead(p->store) != 0)
			env_recovered(p);
		break;
	case STORE_ENV_GONE:
		env_recovered(p);
		break;
	case STORE_HEALTHY:
		break;
	}
}

/*
 * Reads every change after the last one seen, fans each out to the raw
 * streams (one frame built per change and transport, shared), recomputes
 * each touched query once (within the render budget), sends results that
 * changed, and flushes. seen, when not NULL, is told of each change.
 * Can't fail: a store error is logged and retried at the next wake-up or
 * poll.
 */
void
push_fanout_poll(struct push *p, push_fanout_seen_fn seen, void *arg)
{
	struct batch bt;
	size_t i;
	int rc;

	p->polls_total++;
	if (!p->render_scheduled)
		p->turn_renders = 0;
	memset(&bt, 0, sizeof(bt));
	bt.p = p;
	bt.seen = seen;
	bt.seen_arg = arg;
	buf_init(&bt.b);
	if (store_rolled_back(p->store))
		rolled_back(p);
	if (store_needs_recovery(p->store))
		env_recovered(p);
	do {
		bt.ntimes = 0;
		rc =
		    store_changes_since(p->store, p->seen, 256, on_change, &bt);
		if (rc == -1 && store_needs_recovery(p->store)) {
			env_recovered(p); /* and read again, once */
			rc = store_changes_since(p->store, p->seen, 256,
			    on_change, &bt);
		}
		if (rc == -1)
			break;
		push_query_recompute(p);
		push_client_flush_pending(p);
		for (i = 0; i < bt.ntimes; i++)
			record_lag(p, bt.times[i]);
	} while (bt.ntimes == sizeof(bt.times) / sizeof(bt.times[0]));
	buf_clear(&bt.b);
	push_client_flush_pending(p);
}
