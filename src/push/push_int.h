/* push_int.h: state shared by the push sidecar's files (push*.c only) */
#ifndef PUSH_INT_H
#define PUSH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "util/buf.h"
#include "util/clientaddr.h"
#include "conf/conf.h"
#include "store/store.h"
#include "model/subscription.h"

#define PUSH_ADDR_BUCKETS 1024
#define PUSH_QUEUE_MAX    4096 /* queued messages per client */
#define PUSH_CATCHUP      64   /* changes read from the log per round */
#define PUSH_WS_ID_MAX    64
#define PUSH_LAG_BUCKETS  10
#define PUSH_HEADER_DATA  2048 /* lws's max_http_header_data */

/* Immutable, reference-counted bytes sent to many clients. */
struct push_msg {
	unsigned refs;
	size_t len;
	char data[];
};

enum push_kind {
	PUSH_KIND_NONE,
	PUSH_KIND_HTTP,       /* one-shot answer (status, errors) */
	PUSH_KIND_SSE_EVENTS, /* raw change stream over SSE */
	PUSH_KIND_SSE_QUERY,  /* one reactive query over SSE */
	PUSH_KIND_WS,         /* WebSocket: queries and/or changes */
};

struct push_client;
struct push_query;

/* One subscriber of a query. */
struct push_sub {
	struct push_sub *qnext, *qprev; /* the query's subscribers */
	struct push_sub *cnext;         /* the client's subscriptions */
	struct push_client *client;
	struct push_query *query;
	char *id;                /* WebSocket subscription id, or NULL */
	struct push_msg *prefix; /* {"type":"result","id":"…", or NULL */
	int patch;               /* takes patches (WebSocket, asked for) */
	uint64_t sent_seq;       /* seq of the last result queued to it */
};

/* A distinct reactive query, computed once per change for all. */
struct push_query {
	struct push_query *next, *prev;   /* every query */
	struct push_query *hnext;         /* push_queries.c: key bucket */
	struct push_query *snext, *sprev; /* push_queries.c: its scope */
	struct push_query *dnext, *dprev; /* push_queries.c: to recompute */
	struct push_scope *scope;
	char *key;
	struct subscription_spec spec;
	struct buf data; /* last data array sent */
	uint64_t seq;
	struct push_msg *sse;      /* event: result frame */
	struct push_msg *ws;       /* "seq":N,"data":[…]} after a prefix */
	struct push_msg *ws_patch; /* "seq":N,"base":M,"patch":[…]}, or NULL */
	uint64_t base_seq;         /* M: the result ws_patch applies to */
	struct push_sub *subs;
	size_t nsubs;
	int dirty;
};

/* The queries that differ only by page size (push_queries.c). */
struct push_scope {
	struct push_scope *hnext;
	struct push_query *queries;
	char key[];
};

/* Live queries hashed by key and by scope, and the ones to recompute. */
struct push_qreg {
	struct push_query **kb;
	struct push_scope **sb;
	size_t nb, nkeys;
	struct push_query *dhead, *dtail;
};

struct push_qent {
	struct push_msg *pre; /* or NULL */
	struct push_msg *msg;
	const void *tag; /* coalescing key (a push_sub), or NULL */
	size_t catchup;  /* bytes counted in push.catchup_bytes */
};

struct push_addr {
	struct push_addr *next;
	unsigned count;
	size_t nsubs; /* live-query subscriptions of all its connections */
	char name[];
};

/* Per-connection state: lws's per-session data (zeroed by lws). */
struct push_client {
	struct push *p;
	struct lws *wsi;
	enum push_kind kind;
	struct push_client *anext, *aprev; /* streaming clients */
	struct push_client *rnext, *rprev; /* raw change-stream clients */
	struct push_client *pnext;         /* pending flush after a batch */
	const struct collection *filter;   /* raw stream: NULL for all */
	uint64_t cursor;                   /* raw stream: last seq handled */
	int64_t tx_ms;                     /* last write, for heartbeats */
	int64_t progress_ms; /* attached or last write: push_send_timeout */
	struct push_qent *q;
	unsigned qhead, qlen, qcap;
	size_t qoff, qbytes;
	struct push_sub *subs;
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
	struct lws_context *ctx;
	struct lws_vhost *vh;
	struct lws *notify_wsi;
	int notify_fd;
	int hup_fd;           /* epoll set of SSE sockets: push_hup.c */
	struct lws *hup_wsi;
	lws_sorted_usec_list_t sul_poll, sul_beat, sul_render;
	uint64_t seen; /* last change read from the log and pushed */
	struct push_client *all, *raw, *pending;
	struct push_query *queries;
	struct push_qreg qreg;
	struct push_addr *addrs[PUSH_ADDR_BUCKETS];
	struct push_msg *beat;
	unsigned char *scratch;
	size_t scratch_cap;
	int unix_sock;
	int evlib; /* on libuv: lws handles SIGTERM/SIGINT */
	/* limits */
	size_t max_clients, max_per_addr, max_subs, max_message, queue_limit;
	size_t max_subs_per_addr, max_queries, render_budget, catchup_memory;
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
	size_t nclients, nsse, nws, nsubs, nqueries;
	uint64_t changes_total, msgs_total, bytes_total, resets_total;
	uint64_t recoveries_total; /* store reopened after recovery */
	uint64_t hups_total;
	uint64_t rejected_total, slow_closed_total, coalesced_total;
	uint64_t queries_computed_total, wakeups_total, polls_total;
	uint64_t renders_total, render_deferred_total, queries_refused_total;
	uint64_t query_checks_total;
	uint64_t send_timeouts_total, catchup_waits_total;
	uint64_t lag_count, lag_sum_ms, lag_max_ms;
	uint64_t lag_buckets[PUSH_LAG_BUCKETS];
	int64_t started_ms;
	struct push_repl *repl; /* replication, NULL when off */
};

extern const unsigned push_lag_bounds[PUSH_LAG_BUCKETS];

/* push.c */
struct push_msg *push_msg_new(const void *, size_t);
struct push_msg *push_msg_from_buf(struct buf *);
void push_msg_unref(struct push_msg *);
int push_client_attach(struct push *, struct push_client *, struct lws *,
    enum push_kind, int *status, const char **why);
void push_client_detach(struct push *, struct push_client *);
int push_client_enqueue(struct push *, struct push_client *,
    struct push_msg *pre, struct push_msg *msg, const void *tag);
int push_client_flush(struct push *, struct push_client *, int in_cb);
void push_client_kick(struct push *, struct push_client *);
void push_client_close(struct push *, struct push_client *, const char *);
void push_raw_start(struct push *, struct push_client *, int has_since,
    uint64_t since);
struct push_sub *push_subscribe(struct push *, struct push_client *,
    struct subscription_spec *, const char *id, int *status, const char **why);
void push_unsubscribe(struct push *, struct push_sub *);
void push_poll(struct push *);
int push_token_ok(struct push *, struct lws *);
int push_bearer_ok(struct lws *, const char *token, int query_too);
int push_origin_ok(struct push *, struct lws *, char *origin, size_t);
int push_http_reply(struct lws *, unsigned status, const char *ctype,
    const char *body, size_t len, const char *origin);
int push_http_error(struct lws *, unsigned status, const char *message,
    const char *origin);
const char *push_urlarg(struct lws *, const char *name, char *, size_t);

/* push_sse.c */
int push_sse_http(struct push *, struct push_client *, struct lws *,
    const char *path);

/* push_ws.c */
int push_ws_filter(struct push *, struct lws *);
int push_ws_established(struct push *, struct push_client *, struct lws *);
int push_ws_receive(struct push *, struct push_client *, const char *, size_t);
void push_ws_change_msg(struct buf *, const struct store_change *,
    const char *plural);
void push_ws_reset_msg(struct buf *, uint64_t seq);

/* push_repl.c */
void push_repl_start(struct push *);
void push_repl_free(struct push *);
void push_repl_seen(struct push *, const struct store_change *);
void push_repl_healthz(struct push *, struct buf *);
void push_repl_metrics(struct push *, struct buf *);

/* push_queries.c */
void push_queries_clear(struct push *);
struct push_query *push_queries_find(struct push *, const char *key);
void push_queries_add(struct push *, struct push_query *);
void push_queries_remove(struct push *, struct push_query *);
void push_queries_touch(struct push *, const struct store_change *);
void push_queries_mark(struct push *, struct push_query *);
void push_queries_unmark(struct push *, struct push_query *);
struct push_query *push_queries_next_dirty(struct push *);

/* push_status.c */
int push_status_http(struct push *, struct lws *, const char *path);

/* push_hup.c */
void push_hup_open(struct push *);
void push_hup_watch(struct push *, struct push_client *);
void push_hup_unwatch(struct push *, struct push_client *);
void push_hup_drain(struct push *);

#endif
