/* repl.c: the sidecar as the host's replication process */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/now.h"
#include "push/fanout.h"
#include "push/metric.h"
#include "push/repl.h"
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
};

/*
 * A change the replica timer's poll read: one replication applied here,
 * and its age is the lag.
 */
static void
seen(void *arg, const struct store_change *c)
{
	struct push_repl *r = arg;

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

	if (store_last_seq(p->store, &seq) == 0 && seq > p->seen)
		push_fanout_poll(p, seen, r);
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

#define SR(f, n, t, h) PUSH_METRIC(struct store_repl_status, f, n, t, h)
#define RL(f, n, t, h) PUSH_METRIC(struct repl_lag, f, n, t, h)
/* clang-format off */
static const struct push_metric status_rows[] = {
	SR(members, "strapi_live_repl_sites", "gauge",
	    "Sites in the group's member list, this one included."),
	SR(strangers, "strapi_live_repl_strangers", "gauge",
	    "Members that are not configured (writes refused meanwhile)."),
	SR(strangers_noticed, "strapi_live_repl_strangers_total", "counter",
	    "Sites not configured that were seen join the group."),
	SR(strangers_removed, "strapi_live_repl_strangers_removed_total",
	    "counter", "Of them, no longer members (removed, by the master)."),
	SR(connected, "strapi_live_repl_connected_sites", "gauge",
	    "Sites this host is connected to."),
	SR(elections, "strapi_live_repl_elections_total", "counter",
	    "Elections held by this site."),
	SR(perm_failed, "strapi_live_repl_perm_failed_total", "counter",
	    "Commits the ack policy did not confirm in time."),
};

static const struct push_metric lag_rows[] = {
	RL(last_seq, "strapi_live_repl_last_seq", "gauge",
	    "Newest change applied and pushed here."),
	RL(last_ms, "strapi_live_repl_lag_ms", "gauge",
	    "Master commit to push here, last change, ms."),
	RL(p50_ms, "strapi_live_repl_lag_p50_ms", "gauge",
	    "Median lag over the last 1024 changes, ms."),
	RL(p99_ms, "strapi_live_repl_lag_p99_ms", "gauge",
	    "99th percentile lag over the last 1024 changes, ms."),
};
/* clang-format on */
#undef SR
#undef RL

/* Appends the replication metrics (when on). */
void
push_repl_metrics(struct push *p, struct buf *b)
{
	struct store_repl_status s;
	static const enum store_repl_role roles[] = { STORE_REPL_MASTER,
		STORE_REPL_CLIENT, STORE_REPL_UNKNOWN };
	size_t i;

	if (p->repl == NULL || store_repl_status(p->store, &s) == -1)
		return;
	buf_adds(b,
	    "# HELP strapi_live_repl_role This site's replication "
	    "role (1 for the current one).\n"
	    "# TYPE strapi_live_repl_role gauge\n");
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		buf_printf(b, "strapi_live_repl_role{role=\"%s\"} %d\n",
		    store_repl_role_name(roles[i]), s.role == roles[i]);
	push_metric_line(b, "strapi_live_repl_master_known", "gauge",
	    "1 when a master is known.", s.master[0] != '\0');
	push_metric_table(b, status_rows,
	    sizeof(status_rows) / sizeof(status_rows[0]), &s);
	push_metric_table(b, lag_rows, sizeof(lag_rows) / sizeof(lag_rows[0]),
	    &p->repl->lag);
}
