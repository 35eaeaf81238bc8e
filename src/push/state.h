/* state.h: the sidecar's shared state: struct push, clients, queries */
#ifndef PUSH_STATE_H
#define PUSH_STATE_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "util/buf.h"
#include "util/clientaddr.h"
#include "conf/conf.h"
#include "model/schema.h"
#include "api/populate.h"
#include "api/qlang.h"
#include "store/store.h"
#include "model/subscription.h"
#include "push/transport.h"

#define PUSH_ADDR_BUCKETS 1024
#define PUSH_QUEUE_MAX    4096 /* queued messages per client */
#define PUSH_CATCHUP      64   /* changes read from the log per round */
#define PUSH_LAG_BUCKETS  10
#define PUSH_HEADER_DATA  2048 /* lws's max_http_header_data */

struct push_msg;
struct push_client;
struct push_query;
struct push_repl;

LIST_HEAD(push_client_list, push_client);
LIST_HEAD(push_sub_list, push_sub);
LIST_HEAD(push_query_list, push_query);
LIST_HEAD(push_scope_list, push_scope);
LIST_HEAD(push_addr_list, push_addr);
TAILQ_HEAD(push_query_queue, push_query);
LIST_HEAD(push_dep_list, push_dep);
LIST_HEAD(push_depref_list, push_depref);
LIST_HEAD(push_ipath_list, push_ipath);
LIST_HEAD(push_guard_list, push_guard);

/* One subscriber of a query. */
struct push_sub {
	LIST_ENTRY(push_sub) qlink; /* the query's subscribers */
	LIST_ENTRY(push_sub) clink; /* the client's subscriptions */
	struct push_client *client;
	struct push_query *query;
	char *id;                /* WebSocket subscription id, or NULL */
	struct push_msg *prefix; /* {"type":"result","id":"…", or NULL */
	int patch;               /* takes patches (asked for) */
	uint64_t sent_seq;       /* seq of the last result queued to it */
};

/* A distinct reactive query, computed once per change for all. */
struct push_query {
	LIST_ENTRY(push_query) link;   /* every query */
	LIST_ENTRY(push_query) hlink;  /* registry.c: key bucket */
	LIST_ENTRY(push_query) slink;  /* registry.c: its scope */
	TAILQ_ENTRY(push_query) dlink; /* registry.c: to recompute */
	struct push_scope *scope;
	char *key;
	struct subscription_spec spec;
	struct buf data;       /* last data array sent */
	struct buf pagination; /* and its meta.pagination object */
	uint64_t seq;
	struct push_msg *sse;      /* event: result frame */
	struct push_msg *ws;       /* "seq":N,"data":[…]} after a prefix */
	struct push_msg *ws_patch; /* "seq":N,"base":M,"patch":[…]}, or NULL */
	struct push_msg *sse_patch; /* the same as an event: result frame */
	uint64_t base_seq;          /* M: the result the patches apply to */
	struct push_sub_list subs;
	size_t nsubs;
	int dirty;
	struct populate_query pq;  /* the spec's populate, parsed */
	struct list_plan plan;     /* its sort and filters (api/qlang.c) */
	char *texts;               /* the filters' values, which plan borrows */
	int no_count;              /* pagination[withCount]=false */
	struct push_depref *deps;  /* what its result embeds (registry.c) */
	struct push_depref *preds; /* its index values (registry.c) */
	struct push_ipath *ipath;  /* the index they are in, or NULL */
	LIST_ENTRY(push_query) plink;    /* registry.c: the index's queries */
	struct push_guard *guard;        /* without an index: its guard */
	const struct filter_node *gnode; /* the guard's condition in plan */
	LIST_ENTRY(push_query) glink;    /* registry.c: the guard's queries */
	/*
	 * A filtered query without relation filters keeps every match,
	 * sorted: a run after changes to some of its collection's entries
	 * (pending) applies them and reads the page only (query.c).
	 */
	struct filter_row *rows;
	size_t nrows;
	int rows_ok;
	char **pending; /* the changed entries: documentId, NUL, locale */
	size_t npending;
	int full; /* the next run scans (a change pending cannot express) */
	int over; /* a run read past query_max_scan: not run again */
	char **scan_deps; /* dep keys of the related entries its filter read */
	size_t nscan_deps;
};

/*
 * An index of filtered live queries: the attribute (on the row or on a
 * related row) whose text a query's filter requires to be one of its
 * values (model/filter.h, struct filter_ikey). A change looks up only
 * the queries whose values its row has there (registry.c).
 */
struct push_ipath {
	LIST_ENTRY(push_ipath) link;
	struct push_query_list queries; /* by plink */
	const struct collection *coll;
	struct filter_ikey k; /* its strings owned */
	char key[];           /* coll, rel and attr: the key's prefix */
};

/*
 * The filtered live queries of one collection and locale without an
 * index key that share a condition every match meets (a guard, in each
 * query's plan: gnode; none: NULL): a change's row is tested against it
 * once, and against the queries' filters only when it holds.
 */
struct push_guard {
	LIST_ENTRY(push_guard) link;
	struct push_query_list queries; /* by glink */
	const struct collection *coll;
	const struct filter_node *node; /* a query's gnode (the first's) */
	size_t nqueries;
	size_t loclen; /* key: the locale, '\n', the condition's text */
	char key[];
};

/*
 * A stored thing some live queries' results embed: an entry of another
 * collection or a media row (key: collection, documentId, locale), or
 * every entry of a collection (documentId ""): a change to it re-renders
 * exactly those queries (registry.c).
 */
struct push_dep {
	LIST_ENTRY(push_dep) hlink;
	struct push_depref_list refs;
	char key[];
};

/* One query's use of a dep. */
struct push_depref {
	LIST_ENTRY(push_depref) dlink; /* the dep's queries */
	struct push_depref *qnext;     /* the query's other deps */
	struct push_query *q;
	struct push_dep *dep;
};

/* The queries that differ only by page size (registry.c). */
struct push_scope {
	LIST_ENTRY(push_scope) hlink;
	struct push_query_list queries;
	char key[];
};

/* A hash table of keys, each naming the queries that hold it. */
struct push_keytab {
	struct push_dep_list *db;
	size_t ndb, ndeps;
};

/* Live queries hashed by key and by scope, and the ones to recompute. */
struct push_qreg {
	struct push_query_list *kb;
	struct push_scope_list *sb;
	size_t nb, nkeys;
	struct push_query_queue dirty;
	size_t ndirty;            /* queries on it */
	struct push_keytab deps;  /* what results embed, and match */
	struct push_keytab preds; /* index values (struct push_ipath) */
	struct push_ipath_list ipaths;
	struct push_guard_list guards;
	size_t nevery; /* queries of every locale (locale=*) */
};

struct push_qent {
	struct push_msg *pre; /* or NULL */
	struct push_msg *msg;
	const void *tag; /* coalescing key (a push_sub), or NULL */
	size_t catchup;  /* bytes counted in push.catchup_bytes */
};

struct push_addr {
	LIST_ENTRY(push_addr) link;
	unsigned count;
	size_t nsubs; /* live-query subscriptions of all its connections */
	char name[];
};

/* Per-connection state: lws's per-session data (zeroed by lws). */
struct push_client {
	struct push *p;
	struct lws *wsi;
	const struct push_transport *ops; /* set when attached */
	LIST_ENTRY(push_client) alink;    /* streaming clients */
	LIST_ENTRY(push_client) rlink;    /* raw change-stream clients */
	LIST_ENTRY(push_client) plink;    /* pending flush after a batch */
	const struct collection *filter;  /* raw stream: NULL for all */
	uint64_t cursor;                  /* raw stream: last seq handled */
	int64_t tx_ms;                    /* last write, for heartbeats */
	int64_t progress_ms; /* attached or last write: push_send_timeout */
	struct push_qent *q;
	unsigned qhead, qlen, qcap;
	size_t qoff, qbytes;
	struct push_sub_list subs;
	unsigned nsubs;
	struct push_addr *addr;
	struct buf *rx; /* WebSocket message being reassembled */
	const char *close_reason;
	unsigned attached : 1, raw : 1, pending : 1, closing : 1, dead : 1,
	    ping : 1, flushing : 1, hup : 1;
};

struct push {
	const struct conf *conf;
	struct store *store;
	const struct schema *schema; /* NULL without schema_dir */
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws *notify_wsi;
	int notify_fd;
	int hup_fd; /* epoll set of SSE sockets: hup.c */
	struct lws *hup_wsi;
	lws_sorted_usec_list_t sul_poll, sul_beat, sul_render;
	uint64_t seen; /* last change read from the log and pushed */
	struct push_client_list all, raw, pending;
	struct push_query_list queries;
	struct push_qreg qreg;
	struct push_addr_list addrs[PUSH_ADDR_BUCKETS];
	struct push_msg *beat;
	unsigned char *scratch;
	size_t scratch_cap;
	int unix_sock;
	int evlib; /* on libuv: lws handles SIGTERM/SIGINT */
	/* limits */
	size_t max_clients, max_per_addr, max_subs, max_message, queue_limit;
	size_t max_subs_per_addr, max_queries, render_budget, catchup_memory;
	size_t keep_rows, keep_rows_all; /* push_keep_matches, _all */
	int64_t send_timeout_ms;
	const struct clientaddr_net *trusted;
	size_t ntrusted;
	int forwarded; /* the client header is Forwarded, not X-Forwarded-For */
	size_t catchup_bytes; /* catch-up copies queued, all clients */
	size_t turn_renders;  /* entries rendered in this turn of the loop */
	int render_scheduled; /* sul_render pending: queries left to compute */
	int64_t heartbeat_ms, poll_ms;
	const char *token;
	const char *status_token; /* full /live/healthz, /live/metrics */
	/* counters */
	size_t nclients, nsubs, nqueries;
	size_t nconns[PUSH_TRANSPORT__MAX]; /* streams by transport */
	uint64_t changes_total, msgs_total, bytes_total, resets_total;
	uint64_t recoveries_total; /* store reopened after recovery */
	uint64_t hups_total;
	uint64_t rejected_total, slow_closed_total, coalesced_total;
	uint64_t queries_computed_total, wakeups_total, polls_total;
	uint64_t renders_total, render_deferred_total, queries_refused_total;
	uint64_t query_checks_total;
	uint64_t queries_over_scan_total; /* refused: over query_max_scan */
	uint64_t filter_evals_total; /* filters evaluated over a change's row */
	uint64_t
	    match_ns_total; /* CPU time finding the queries changes touch */
	uint64_t incremental_runs_total; /* runs that read the page only */
	size_t rows_kept;         /* matches kept by live queries (query.c) */
	uint64_t dep_marks_total; /* queries queued for what they embed */
	uint64_t send_timeouts_total, catchup_waits_total;
	uint64_t lag_count, lag_sum_ms, lag_max_ms;
	uint64_t lag_buckets[PUSH_LAG_BUCKETS];
	int64_t started_ms;
	struct push_repl *repl; /* replication, NULL when off */
};

#endif
