/* status.c: GET /live/healthz and /live/metrics */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <libwebsockets.h>

#include "util/buf.h"
#include "api/counters.h"
#include "util/now.h"
#include "push/fanout.h"
#include "push/metric.h"
#include "push/reply.h"
#include "push/repl.h"
#include "push/status.h"

/*
 * The public answers only {"up":..}: what a load balancer needs. The
 * counters, and the replication object with the group's addresses, are
 * for whoever presents status_token (Authorization: Bearer; never in the
 * URL, which logs keep). /live/metrics likewise.
 */
static void
healthz(struct push *p, struct buf *b, int full)
{
	uint64_t last = 0;
	int up = store_last_seq(p->store, &last) == 0;

	if (!full) {
		buf_printf(b, "{\"up\":%s}", up ? "true" : "false");
		return;
	}

	buf_printf(b,
	    "{\"up\":%s,\"lastSeq\":%" PRIu64 ",\"storeSeq\":%" PRIu64
	    ",\"clients\":%zu,\"sse\":%zu,\"ws\":%zu,\"subscriptions\":%zu,"
	    "\"queries\":%zu,\"uptimeMs\":%" PRId64 ",\"notify\":%s}",
	    up ? "true" : "false", p->seen, last, p->nclients,
	    p->nconns[PUSH_TRANSPORT_SSE], p->nconns[PUSH_TRANSPORT_WS],
	    p->nsubs, p->nqueries, now_wall_ms() - p->started_ms,
	    p->notify_wsi != NULL ? "true" : "false");
	/* Reopen the object for the replication member. */
	if (p->repl != NULL) {
		b->len--;
		push_repl_healthz(p, b);
		buf_addc(b, '}');
	}
}

#define M(f, n, t, h) PUSH_METRIC(struct push, f, n, t, h)
/* clang-format off */
static const struct push_metric rows[] = {
	M(nsubs, "strapi_live_push_subscriptions", "gauge",
	    "Reactive-query subscriptions."),
	M(nqueries, "strapi_live_push_queries", "gauge",
	    "Distinct reactive queries."),
	M(seen, "strapi_live_push_last_seq", "gauge",
	    "Last change sequence pushed."),
	M(changes_total, "strapi_live_push_changes_total", "counter",
	    "Changes read from the change log."),
	M(msgs_total, "strapi_live_push_events_pushed_total", "counter",
	    "Messages written to clients."),
	M(bytes_total, "strapi_live_push_bytes_total", "counter",
	    "Bytes written to clients."),
	M(resets_total, "strapi_live_push_resets_total", "counter",
	    "Resets sent for trimmed resume points."),
	M(recoveries_total, "strapi_live_push_store_recoveries_total",
	    "counter", "Store reopened in place after a process died in it."),
	M(rejected_total, "strapi_live_push_rejected_total", "counter",
	    "Connections refused by limits, token or origin."),
	M(slow_closed_total, "strapi_live_push_slow_closed_total", "counter",
	    "Clients closed for not reading."),
	M(coalesced_total, "strapi_live_push_coalesced_total", "counter",
	    "Queued results replaced by a newer one."),
	M(queries_computed_total, "strapi_live_push_query_runs_total",
	    "counter", "Reactive queries computed."),
	M(wakeups_total, "strapi_live_push_wakeups_total", "counter",
	    "Notify datagrams that woke the sidecar."),
	M(hups_total, "strapi_live_push_sse_hangups_total", "counter",
	    "SSE streams closed because the client went away."),
	/* push limits: live-query work, catch-up memory, stalled readers */
	M(renders_total, "strapi_live_push_renders_total", "counter",
	    "Entries rendered for reactive queries."),
	M(query_checks_total, "strapi_live_push_query_checks_total", "counter",
	    "Reactive queries examined for a change (registry lookups)."),
	M(dep_marks_total, "strapi_live_push_dep_marks_total", "counter",
	    "Reactive queries queued because an entry or file they embed "
	    "changed."),
	M(render_deferred_total, "strapi_live_push_render_deferred_total",
	    "counter", "Loop turns whose render budget ran out (rest deferred)."),
	M(queries_refused_total, "strapi_live_push_queries_refused_total",
	    "counter", "Subscriptions refused by the query limits."),
	M(queries_over_scan_total, "strapi_live_push_queries_over_scan_total",
	    "counter",
	    "Subscriptions refused for reading more than query_max_scan."),
	M(filter_evals_total, "strapi_live_push_filter_evals_total", "counter",
	    "Live-query filters evaluated over a change's row."),
	M(match_ns_total, "strapi_live_push_match_ns_total", "counter",
	    "CPU nanoseconds spent finding the live queries changes touch."),
	M(incremental_runs_total, "strapi_live_push_incremental_runs_total",
	    "counter",
	    "Live-query runs that applied changed entries to the matches "
	    "they kept and read the page only."),
	M(qreg.ndirty, "strapi_live_push_queries_pending", "gauge",
	    "Live queries waiting to be run."),
	M(rows_kept, "strapi_live_push_matches_kept", "gauge",
	    "Matches live queries keep to apply changes to."),
	M(catchup_bytes, "strapi_live_push_catchup_bytes", "gauge",
	    "Bytes of catch-up copies queued."),
	M(catchup_waits_total, "strapi_live_push_catchup_waits_total",
	    "counter", "Catch-ups postponed by push_catchup_memory."),
	M(send_timeouts_total, "strapi_live_push_send_timeouts_total",
	    "counter",
	    "Clients closed for leaving data unread past push_send_timeout."),
};
/* clang-format on */
#undef M

static void
metrics(struct push *p, struct buf *b)
{
	size_t i;

	buf_adds(b,
	    "# HELP strapi_live_push_connections Open streaming "
	    "connections.\n# TYPE strapi_live_push_connections gauge\n");
	buf_printf(b, "strapi_live_push_connections{kind=\"sse\"} %zu\n",
	    p->nconns[PUSH_TRANSPORT_SSE]);
	buf_printf(b, "strapi_live_push_connections{kind=\"ws\"} %zu\n",
	    p->nconns[PUSH_TRANSPORT_WS]);
	push_metric_table(b, rows, sizeof(rows) / sizeof(rows[0]), p);
	buf_adds(b,
	    "# HELP strapi_live_push_lag_ms Time from commit to push."
	    "\n# TYPE strapi_live_push_lag_ms histogram\n");
	for (i = 0; i < PUSH_LAG_BUCKETS; i++)
		buf_printf(b,
		    "strapi_live_push_lag_ms_bucket{le=\"%u\"} %" PRIu64 "\n",
		    push_lag_bounds[i], p->lag_buckets[i]);
	buf_printf(b,
	    "strapi_live_push_lag_ms_bucket{le=\"+Inf\"} %" PRIu64
	    "\nstrapi_live_push_lag_ms_sum %" PRIu64
	    "\nstrapi_live_push_lag_ms_count %" PRIu64 "\n",
	    p->lag_count, p->lag_sum_ms, p->lag_count);
	push_metric_line(b, "strapi_live_push_lag_max_ms", "gauge",
	    "Largest commit-to-push lag seen.", p->lag_max_ms);
	push_repl_metrics(p, b);
	counters_metrics(store_dir(p->store), b);
}

/* Answers /live/healthz (JSON) or /live/metrics (Prometheus text). */
static int
status_http(struct push *p, struct push_client *c UNUSED, struct lws *wsi,
    const char *path)
{
	struct buf b;
	char origin[256];
	int rc, full;

	(void)push_origin_ok(p, wsi, origin, sizeof(origin));
	full = push_bearer_ok(wsi, p->status_token, 0);
	buf_init(&b);
	if (strcmp(path, "/live/healthz") == 0) {
		healthz(p, &b, full);
		rc = push_http_reply(wsi, 200, "application/json", b.data,
		    b.len, origin);
	} else if (!full) {
		rc = p->status_token[0] == '\0'
		    ? push_http_error(wsi, 403,
		          "/live/metrics is served only "
		          "with status_token, which is not set",
		          origin)
		    : push_http_error(wsi, 401,
		          "/live/metrics needs "
		          "Authorization: Bearer with status_token",
		          origin);
	} else {
		metrics(p, &b);
		rc = push_http_reply(wsi, 200,
		    "text/plain; version=0.0.4; charset=utf-8", b.data, b.len,
		    origin);
	}
	buf_clear(&b);
	return rc;
}

/* clang-format off */
const struct push_route push_status_routes[] = {
	{ "/live/healthz", status_http },
	{ "/live/metrics", status_http },
	{ NULL, NULL }
};
/* clang-format on */
