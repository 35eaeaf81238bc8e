/* push_repl.c: the sidecar as the host's replication process */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/now.h"
#include "push/push_int.h"
#include "node/lag.h"
#include "store/store_repl.h"
#include "util/xmalloc.h"

/*
 * With replication on, the sidecar opened the store as the replication
 * process (prog_start): the Replication Manager's threads run in this
 * process and apply the master's changes here. Nothing sends a wake-up
 * datagram for those, so a short timer looks at the change log's last
 * sequence and pushes what arrived, with the master's sequence numbers.
 * It also measures the lag of each change (the master's commit time,
 * carried in the change record, to the moment it was pushed here: clocks
 * must agree, as NTP keeps them) and publishes role, master and lag in
 * <store_dir>/__db.strapi-repl for `strapi-live stats`.
 */

#define PUSH_REPL_TICK_MS    5    /* change-log check on a replica */
#define PUSH_REPL_PUBLISH_MS 1000 /* status file refresh when idle */

struct push_repl {
	struct push *p;
	lws_sorted_usec_list_t sul;
	struct repl_lag lag;
	int64_t last_pub;
	int dirty;
	int measuring; /* push_poll called from tick: changes are lag */
};

/*
 * A change push_poll read: when the replica timer asked for the read,
 * it is one replication applied here, and its age is the lag.
 */
void
push_repl_seen(struct push *p, const struct store_change *c)
{
	struct push_repl *r = p->repl;

	if (!r->measuring)
		return;
	repl_lag_add(&r->lag, now_wall_ms() - c->time_ms);
	r->lag.last_seq = c->seq;
	r->dirty = 1;
}

static void
publish(struct push_repl *r)
{
	struct store_repl_status s;

	if (store_repl_status(r->p->store, &s) == -1)
		return;
	r->lag.updated_ms = now_wall_ms();
	(void)repl_lag_write(store_dir(r->p->store), &r->lag,
	    store_repl_role_name(s.role), s.master);
	r->last_pub = now_wall_ms();
	r->dirty = 0;
}

static void
tick(lws_sorted_usec_list_t *sul)
{
	struct push_repl *r = (struct push_repl *)(void *)((char *)sul -
	    offsetof(struct push_repl, sul));
	struct push *p = r->p;
	uint64_t seq = 0;

	if (store_last_seq(p->store, &seq) == 0 && seq > p->seen) {
		r->measuring = 1;
		push_poll(p);
		r->measuring = 0;
	}
	if ((r->dirty && now_wall_ms() - r->last_pub >= 100) ||
	    now_wall_ms() - r->last_pub >= PUSH_REPL_PUBLISH_MS)
		publish(r);
	lws_sul_schedule(p->ctx, 0, &r->sul, tick,
	    PUSH_REPL_TICK_MS * LWS_US_PER_MS);
}

/* Starts the replica timer when replication is on; else does nothing. */
void
push_repl_start(struct push *p)
{
	struct push_repl *r;

	if (!store_repl_enabled())
		return;
	r = xcalloc(1, sizeof(*r));
	r->p = p;
	r->lag.last_seq = p->seen;
	p->repl = r;
	publish(r);
	lws_sul_schedule(p->ctx, 0, &r->sul, tick,
	    PUSH_REPL_TICK_MS * LWS_US_PER_MS);
}

/* Cancels the timer and frees; before the lws context is destroyed. */
void
push_repl_free(struct push *p)
{
	if (p->repl == NULL)
		return;
	lws_sul_cancel(&p->repl->sul);
	free(p->repl);
	p->repl = NULL;
}

/* Appends ,"replication":{...} to the healthz object (when on). */
void
push_repl_healthz(struct push *p, struct buf *b)
{
	if (p->repl == NULL)
		return;
	buf_adds(b, ",\"replication\":");
	repl_status_json(p->store, b);
}

static void
gauge(struct buf *b, const char *name, const char *help, const char *type,
    uint64_t v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name,
	    help, name, type, name, v);
}

/* Appends the replication metrics (when on). */
void
push_repl_metrics(struct push *p, struct buf *b)
{
	struct store_repl_status s;
	struct repl_lag *l;
	static const enum store_repl_role roles[] = { STORE_REPL_MASTER,
		STORE_REPL_CLIENT, STORE_REPL_UNKNOWN };
	size_t i;

	if (p->repl == NULL || store_repl_status(p->store, &s) == -1)
		return;
	l = &p->repl->lag;
	buf_adds(b,
	    "# HELP strapi_live_repl_role This site's replication "
	    "role (1 for the current one).\n"
	    "# TYPE strapi_live_repl_role gauge\n");
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		buf_printf(b, "strapi_live_repl_role{role=\"%s\"} %d\n",
		    store_repl_role_name(roles[i]), s.role == roles[i]);
	gauge(b, "strapi_live_repl_master_known", "1 when a master is known.",
	    "gauge", s.master[0] != '\0');
	gauge(b, "strapi_live_repl_sites",
	    "Sites in the group's member list, this one included.", "gauge",
	    s.members);
	gauge(b, "strapi_live_repl_strangers",
	    "Members that are not configured (writes refused meanwhile).",
	    "gauge", s.strangers);
	gauge(b, "strapi_live_repl_strangers_total",
	    "Sites not configured that were seen join the group.", "counter",
	    s.strangers_noticed);
	gauge(b, "strapi_live_repl_strangers_removed_total",
	    "Of them, no longer members (removed, by the master).", "counter",
	    s.strangers_removed);
	gauge(b, "strapi_live_repl_connected_sites",
	    "Sites this host is connected to.", "gauge", s.connected);
	gauge(b, "strapi_live_repl_elections_total",
	    "Elections held by this site.", "counter", s.elections);
	gauge(b, "strapi_live_repl_perm_failed_total",
	    "Commits the ack policy did not confirm in time.", "counter",
	    s.perm_failed);
	gauge(b, "strapi_live_repl_last_seq",
	    "Newest change applied and pushed here.", "gauge", l->last_seq);
	gauge(b, "strapi_live_repl_lag_ms",
	    "Master commit to push here, last change, ms.", "gauge",
	    (uint64_t)l->last_ms);
	gauge(b, "strapi_live_repl_lag_p50_ms",
	    "Median lag over the last 1024 changes, ms.", "gauge",
	    (uint64_t)l->p50_ms);
	gauge(b, "strapi_live_repl_lag_p99_ms",
	    "99th percentile lag over the last 1024 changes, ms.", "gauge",
	    (uint64_t)l->p99_ms);
}
