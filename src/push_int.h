/* push_int.h: state shared by the push sidecar's files (push*.c only) */
#ifndef PUSH_INT_H
#define PUSH_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "buf.h"
#include "conf.h"
#include "store.h"
#include "subscription.h"

#define PUSH_ADDR_BUCKETS 1024
#define PUSH_QUEUE_MAX    4096 /* queued messages per client */
#define PUSH_CATCHUP      64   /* changes read from the log per round */
#define PUSH_WS_ID_MAX    64
#define PUSH_LAG_BUCKETS  10

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
};

/* A distinct reactive query, computed once per change for all. */
struct push_query {
	struct push_query *next, *prev;
	char *key;
	struct subscription_spec spec;
	struct buf data; /* last data array sent */
	uint64_t seq;
	struct push_msg *sse; /* event: result frame */
	struct push_msg *ws;  /* "seq":N,"data":[…]} after a prefix */
	struct push_sub *subs;
	size_t nsubs;
	int dirty;
};

struct push_qent {
	struct push_msg *pre; /* or NULL */
	struct push_msg *msg;
	const void *tag; /* coalescing key (a push_sub), or NULL */
};

struct push_addr {
	struct push_addr *next;
	unsigned count;
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
	lws_sorted_usec_list_t sul_poll, sul_beat;
	uint64_t seen; /* last change read from the log and pushed */
	struct push_client *all, *raw, *pending;
	struct push_query *queries;
	struct push_addr *addrs[PUSH_ADDR_BUCKETS];
	struct push_msg *beat;
	unsigned char *scratch;
	size_t scratch_cap;
	int unix_sock;
	int evlib; /* on libuv: lws handles SIGTERM/SIGINT */
	/* limits */
	size_t max_clients, max_per_addr, max_subs, max_message, queue_limit;
	int64_t heartbeat_ms, poll_ms;
	const char *token;
	/* counters */
	size_t nclients, nsse, nws, nsubs, nqueries;
	uint64_t changes_total, msgs_total, bytes_total, resets_total;
	uint64_t recoveries_total; /* store reopened after recovery */
	uint64_t hups_total;
	uint64_t rejected_total, slow_closed_total, coalesced_total;
	uint64_t queries_computed_total, wakeups_total, polls_total;
	uint64_t lag_count, lag_sum_ms, lag_max_ms;
	uint64_t lag_buckets[PUSH_LAG_BUCKETS];
	int64_t started_ms;
	struct push_repl *repl; /* replication (issue 9), NULL when off */
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
    struct subscription_spec *, const char *id);
void push_unsubscribe(struct push *, struct push_sub *);
void push_poll(struct push *);
int push_token_ok(struct push *, struct lws *);
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

/* push_repl.c (issue 9) */
void push_repl_start(struct push *);
void push_repl_free(struct push *);
void push_repl_seen(struct push *, const struct store_change *);
void push_repl_healthz(struct push *, struct buf *);
void push_repl_metrics(struct push *, struct buf *);

/* push_status.c */
int push_status_http(struct push *, struct lws *, const char *path);

/* push_hup.c */
void push_hup_open(struct push *);
void push_hup_watch(struct push *, struct push_client *);
void push_hup_unwatch(struct push *, struct push_client *);
void push_hup_drain(struct push *);

#endif
