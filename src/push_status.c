/* push_status.c: GET /live/healthz and /live/metrics */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <libwebsockets.h>

#include "buf.h"
#include "now.h"
#include "push_int.h"

static void
healthz(struct push *p, struct buf *b)
{
	uint64_t last = 0;
	int up = store_last_seq(p->store, &last) == 0;

	buf_printf(b,
	    "{\"up\":%s,\"lastSeq\":%" PRIu64 ",\"storeSeq\":%" PRIu64
	    ",\"clients\":%zu,\"sse\":%zu,\"ws\":%zu,\"subscriptions\":%zu,"
	    "\"queries\":%zu,\"uptimeMs\":%" PRId64 ",\"notify\":%s}",
	    up ? "true" : "false", p->seen, last, p->nclients, p->nsse, p->nws,
	    p->nsubs, p->nqueries, now_wall_ms() - p->started_ms,
	    p->notify_wsi != NULL ? "true" : "false");
	/* Reopen the object for the replication member (issue 9). */
	if (p->repl != NULL) {
		b->len--;
		push_repl_healthz(p, b);
		buf_addc(b, '}');
	}
}

static void
metric(struct buf *b, const char *name, const char *type, const char *help,
    uint64_t v)
{

	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name,
	    help, name, type, name, v);
}

static void
metrics(struct push *p, struct buf *b)
{
	size_t i;

	buf_adds(b,
	    "# HELP strapi_live_push_connections Open streaming "
	    "connections.\n# TYPE strapi_live_push_connections gauge\n");
	buf_printf(b, "strapi_live_push_connections{kind=\"sse\"} %zu\n",
	    p->nsse);
	buf_printf(b, "strapi_live_push_connections{kind=\"ws\"} %zu\n",
	    p->nws);
	metric(b, "strapi_live_push_subscriptions", "gauge",
	    "Reactive-query subscriptions.", p->nsubs);
	metric(b, "strapi_live_push_queries", "gauge",
	    "Distinct reactive queries.", p->nqueries);
	metric(b, "strapi_live_push_last_seq", "gauge",
	    "Last change sequence pushed.", p->seen);
	metric(b, "strapi_live_push_changes_total", "counter",
	    "Changes read from the change log.", p->changes_total);
	metric(b, "strapi_live_push_events_pushed_total", "counter",
	    "Messages written to clients.", p->msgs_total);
	metric(b, "strapi_live_push_bytes_total", "counter",
	    "Bytes written to clients.", p->bytes_total);
	metric(b, "strapi_live_push_resets_total", "counter",
	    "Resets sent for trimmed resume points.", p->resets_total);
	metric(b, "strapi_live_push_store_recoveries_total", "counter",
	    "Store reopened in place after a process died in it.",
	    p->recoveries_total);
	metric(b, "strapi_live_push_rejected_total", "counter",
	    "Connections refused by limits, token or origin.",
	    p->rejected_total);
	metric(b, "strapi_live_push_slow_closed_total", "counter",
	    "Clients closed for not reading.", p->slow_closed_total);
	metric(b, "strapi_live_push_coalesced_total", "counter",
	    "Queued results replaced by a newer one.", p->coalesced_total);
	metric(b, "strapi_live_push_query_runs_total", "counter",
	    "Reactive queries computed.", p->queries_computed_total);
	metric(b, "strapi_live_push_wakeups_total", "counter",
	    "Notify datagrams that woke the sidecar.", p->wakeups_total);
	metric(b, "strapi_live_push_sse_hangups_total", "counter",
	    "SSE streams closed because the client went away.",
	    p->hups_total);
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
	metric(b, "strapi_live_push_lag_max_ms", "gauge",
	    "Largest commit-to-push lag seen.", p->lag_max_ms);
	push_repl_metrics(p, b);
}

/* Answers /live/healthz (JSON) or /live/metrics (Prometheus text). */
int
push_status_http(struct push *p, struct lws *wsi, const char *path)
{
	struct buf b;
	char origin[256];
	int rc;

	(void)push_origin_ok(p, wsi, origin, sizeof(origin));
	buf_init(&b);
	if (strcmp(path, "/live/healthz") == 0) {
		healthz(p, &b);
		rc = push_http_reply(wsi, 200, "application/json", b.data,
		    b.len, origin);
	} else {
		metrics(p, &b);
		rc = push_http_reply(wsi, 200,
		    "text/plain; version=0.0.4; charset=utf-8", b.data, b.len,
		    origin);
	}
	buf_clear(&b);
	return rc;
}
