/* push.c: the sidecar's lws context, client queues, change fan-out, limits */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "util/hmac.h"
#include "api/http.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/now.h"
#include "push/push.h"
#include "push/push_int.h"
#include "model/patch.h"
#include "model/wsmsg.h"
#include "api/render.h"
#include "api/sse.h"
#include "util/xmalloc.h"

const unsigned push_lag_bounds[PUSH_LAG_BUCKETS] = { 1, 2, 5, 10, 25, 50, 100,
	250, 1000, 5000 };

/* A new message holding a copy of the bytes, with one reference. */
struct push_msg *
push_msg_new(const void *data, size_t len)
{
	struct push_msg *m;

	m = xmalloc(sizeof(*m) + len + 1);
	m->refs = 1;
	m->len = len;
	memcpy(m->data, data, len);
	m->data[len] = '\0';
	return m;
}

/* A new message from a buffer's bytes; the buffer is emptied. */
struct push_msg *
push_msg_from_buf(struct buf *b)
{
	struct push_msg *m;

	m = push_msg_new(b->data != NULL ? b->data : "", b->len);
	buf_reset(b);
	return m;
}

/* Drops one reference; push_msg_unref(NULL) does nothing. */
void
push_msg_unref(struct push_msg *m)
{

	if (m != NULL && --m->refs == 0)
		free(m);
}

static unsigned
addr_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % PUSH_ADDR_BUCKETS;
}

static struct push_addr *
addr_get(struct push *p, const char *name)
{
	struct push_addr *a;
	unsigned h = addr_hash(name);
	size_t n = strlen(name);

	for (a = p->addrs[h]; a != NULL; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a;
	a = xcalloc(1, sizeof(*a) + n + 1);
	memcpy(a->name, name, n + 1);
	a->next = p->addrs[h];
	p->addrs[h] = a;
	return a;
}

static void
addr_put(struct push *p, struct push_addr *a)
{
	struct push_addr **pp;

	if (--a->count > 0)
		return;
	for (pp = &p->addrs[addr_hash(a->name)]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			free(a);
			return;
		}
}

/*
 * The client's counting key into key (CLIENTADDR_MAX bytes): the TCP
 * peer, or behind a trusted proxy the address its forwarding header
 * names (clientaddr.c); "" on a unix socket without one.
 */
static void
client_key(struct push *p, struct lws *wsi, char *key, size_t len)
{
	char peer[64], *hdr = NULL;
	int n;

	peer[0] = '\0';
	if (!p->unix_sock)
		(void)lws_get_peer_simple(wsi, peer, sizeof(peer));
	n = p->forwarded ? lws_hdr_custom_length(wsi, "forwarded:", 10)
	                 : lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR);
	if (n > 0) {
		hdr = xmalloc((size_t)n + 1);
		n = p->forwarded
		    ? lws_hdr_custom_copy(wsi, hdr, n + 1, "forwarded:", 10)
		    : lws_hdr_copy(wsi, hdr, n + 1, WSI_TOKEN_X_FORWARDED_FOR);
		if (n < 0) {
			free(hdr);
			hdr = NULL;
		}
	}
	clientaddr_resolve(p->unix_sock ? NULL : peer, hdr,
	    p->forwarded ? CLIENTADDR_FORWARDED : CLIENTADDR_XFF, p->trusted,
	    p->ntrusted, key, len);
	free(hdr);
}

/*
 * Counts a streaming client against the limits and links it in. Returns
 * 0, or -1 with *status (503 for the total, 429 per client address) and
 * *why when a limit is reached; nothing is changed then.
 */
int
push_client_attach(struct push *p, struct push_client *c, struct lws *wsi,
    enum push_kind kind, int *status, const char **why)
{
	char key[CLIENTADDR_MAX];
	struct push_addr *a = NULL;

	if (p->nclients >= p->max_clients) {
		*status = 503;
		*why = "too many connections";
		p->rejected_total++;
		return -1;
	}
	client_key(p, wsi, key, sizeof(key));
	if (key[0] != '\0') {
		a = addr_get(p, key);
		if (a->count >= p->max_per_addr) {
			*status = 429;
			*why = "too many connections from this address";
			p->rejected_total++;
			return -1;
		}
		a->count++;
	}
	c->progress_ms = now_wall_ms();
	c->p = p;
	c->wsi = wsi;
	c->kind = kind;
	c->addr = a;
	c->attached = 1;
	c->anext = p->all;
	c->aprev = NULL;
	if (p->all != NULL)
		p->all->aprev = c;
	p->all = c;
	p->nclients++;
	if (kind == PUSH_KIND_WS)
		p->nws++;
	else
		p->nsse++;
	return 0;
}

static void
raw_unlink(struct push *p, struct push_client *c)
{

	if (!c->raw)
		return;
	if (c->rprev != NULL)
		c->rprev->rnext = c->rnext;
	else
		p->raw = c->rnext;
	if (c->rnext != NULL)
		c->rnext->rprev = c->rprev;
	c->raw = 0;
}

static void
queue_clear(struct push *p, struct push_client *c)
{
	struct push_qent *e;

	while (c->qlen > 0) {
		e = &c->q[c->qhead];
		p->catchup_bytes -= e->catchup;
		push_msg_unref(e->pre);
		push_msg_unref(e->msg);
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qlen--;
	}
	free(c->q);
	c->q = NULL;
	c->qcap = c->qhead = 0;
	c->qbytes = c->qoff = 0;
}

/*
 * Unlinks a client and frees everything it holds (queue, subscriptions,
 * reassembly buffer). Called from the CLOSED callbacks only; safe on a
 * client that never attached.
 */
void
push_client_detach(struct push *p, struct push_client *c)
{
	struct push_client **pp;

	push_hup_unwatch(p, c);
	while (c->subs != NULL)
		push_unsubscribe(p, c->subs);
	queue_clear(p, c);
	if (c->rx != NULL) {
		buf_clear(c->rx);
		free(c->rx);
		c->rx = NULL;
	}
	if (!c->attached)
		return;
	raw_unlink(p, c);
	if (c->pending)
		for (pp = &p->pending; *pp != NULL; pp = &(*pp)->pnext)
			if (*pp == c) {
				*pp = c->pnext;
				break;
			}
	if (c->aprev != NULL)
		c->aprev->anext = c->anext;
	else
		p->all = c->anext;
	if (c->anext != NULL)
		c->anext->aprev = c->aprev;
	if (c->addr != NULL)
		addr_put(p, c->addr);
	c->addr = NULL;
	p->nclients--;
	if (c->kind == PUSH_KIND_WS)
		p->nws--;
	else
		p->nsse--;
	c->attached = 0;
}

static size_t
qent_len(const struct push_qent *e)
{

	return (e->pre != NULL ? e->pre->len : 0) + e->msg->len;
}

/*
 * Queues a message (taking a reference to pre and msg) and marks the
 * client for the next flush. A message with a tag replaces a queued one
 * with the same tag that has not started going out (coalescing). catchup
 * says the message was read back from the log for this client alone: its
 * bytes count against push_catchup_memory until sent. Returns 0, or -1
 * when the queue is full (nothing queued).
 */
static int
enqueue(struct push *p, struct push_client *c, struct push_msg *pre,
    struct push_msg *msg, const void *tag, int catchup)
{
	struct push_qent *e, *nq;
	unsigned i, idx, n;
	size_t len = (pre != NULL ? pre->len : 0) + msg->len;

	if (tag != NULL)
		for (i = 0; i < c->qlen; i++) {
			idx = (c->qhead + i) % c->qcap;
			e = &c->q[idx];
			if (e->tag != tag || (i == 0 && c->qoff > 0))
				continue;
			c->qbytes -= qent_len(e);
			push_msg_unref(e->pre);
			push_msg_unref(e->msg);
			e->pre = pre;
			e->msg = msg;
			if (pre != NULL)
				pre->refs++;
			msg->refs++;
			c->qbytes += len;
			p->coalesced_total++;
			goto pending;
		}
	if (c->qlen > 0 &&
	    (c->qbytes + len > p->queue_limit || c->qlen >= PUSH_QUEUE_MAX))
		return -1;
	if (c->qlen == c->qcap) {
		n = c->qcap == 0 ? 4 : c->qcap * 2;
		nq = xreallocarray(NULL, n, sizeof(*nq));
		for (i = 0; i < c->qlen; i++)
			nq[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = nq;
		c->qcap = n;
		c->qhead = 0;
	}
	e = &c->q[(c->qhead + c->qlen) % c->qcap];
	e->pre = pre;
	e->msg = msg;
	e->tag = tag;
	e->catchup = catchup ? len : 0;
	p->catchup_bytes += e->catchup;
	if (pre != NULL)
		pre->refs++;
	msg->refs++;
	c->qlen++;
	c->qbytes += len;
pending:
	if (!c->pending) {
		c->pending = 1;
		c->pnext = p->pending;
		p->pending = c;
	}
	return 0;
}

/* enqueue() of a message shared with other clients. */
int
push_client_enqueue(struct push *p, struct push_client *c, struct push_msg *pre,
    struct push_msg *msg, const void *tag)
{

	return enqueue(p, c, pre, msg, tag, 0);
}

/*
 * Makes room for n bytes after LWS_PRE in the write buffer, keeping what
 * it holds: an SSE flush grows it while frames are being gathered.
 */
static void
scratch_reserve(struct push *p, size_t n)
{

	if (p->scratch_cap >= LWS_PRE + n)
		return;
	p->scratch_cap = LWS_PRE + n + 4096;
	p->scratch = xreallocarray(p->scratch, 1, p->scratch_cap);
}

struct catchup {
	struct push *p;
	struct push_client *c;
	struct buf b;
};

static const char *
plural_of(struct push *p, const char *model)
{
	const struct collection *co;

	co = conf_collection_by_name(p->conf, model);
	return co != NULL ? co->plural : NULL;
}

static int
catchup_change(void *arg, const struct store_change *ch)
{
	struct catchup *cu = arg;
	struct push_client *c = cu->c;
	struct push_msg *m;
	const char *plural = plural_of(cu->p, ch->collection);

	if (c->filter == NULL || strcmp(c->filter->name, ch->collection) == 0) {
		if (c->kind == PUSH_KIND_WS)
			push_ws_change_msg(&cu->b, ch, plural);
		else
			sse_change_event(&cu->b, ch, plural);
		m = push_msg_from_buf(&cu->b);
		if (enqueue(cu->p, c, NULL, m, NULL, 1) == -1) {
			push_msg_unref(m);
			return 1;
		}
		push_msg_unref(m);
	}
	c->cursor = ch->seq;
	return c->qbytes * 2 > cu->p->queue_limit ||
	    cu->p->catchup_bytes >= cu->p->catchup_memory;
}

/*
 * Refills a raw-stream client's empty queue from the change log: the log,
 * not memory, buffers a client that fell behind. A resume point that was
 * trimmed gets a reset. Returns 0, or -1 when the store failed.
 */
static int
catch_up(struct push *p, struct push_client *c)
{
	struct catchup cu;
	uint64_t first, last;
	struct push_msg *m;
	int rc;

	if (store_change_bounds(p->store, &first, &last) == -1)
		return -1;
	buf_init(&cu.b);
	if (c->cursor + 1 < first || c->cursor > last) {
		if (c->kind == PUSH_KIND_WS)
			push_ws_reset_msg(&cu.b, last);
		else
			sse_reset_event(&cu.b, last);
		m = push_msg_from_buf(&cu.b);
		(void)push_client_enqueue(p, c, NULL, m, NULL);
		push_msg_unref(m);
		p->resets_total++;
		c->cursor = last;
		buf_clear(&cu.b);
		return 0;
	}
	if (p->catchup_bytes >= p->catchup_memory) {
		/*
		 * Every catch-up byte allowed is queued for other clients:
		 * this one waits (poll_cb kicks it again) instead of pinning
		 * another private copy of the log.
		 */
		p->catchup_waits_total++;
		buf_clear(&cu.b);
		return 0;
	}
	cu.p = p;
	cu.c = c;
	rc = store_changes_since(p->store, c->cursor, PUSH_CATCHUP,
	    catchup_change, &cu);
	buf_clear(&cu.b);
	return rc == -1 ? -1 : 0;
}

static void
qpop(struct push *p, struct push_client *c)
{
	struct push_qent *e = &c->q[c->qhead];

	p->msgs_total++;
	c->qbytes -= qent_len(e);
	p->catchup_bytes -= e->catchup;
	push_msg_unref(e->pre);
	push_msg_unref(e->msg);
	c->qhead = (c->qhead + 1) % c->qcap;
	c->qlen--;
	c->qoff = 0;
}

/*
 * Writes what the client has queued while the socket takes it, refilling
 * raw streams from the log. lws keeps what the kernel did not take and
 * we wait for WRITEABLE before writing again, so nothing is written
 * twice or out of order. in_cb says whether we are in the client's own
 * callback. Returns 0, or -1 when the connection must close (from a
 * callback: return -1; elsewhere the caller kills it asynchronously).
 */
int
push_client_flush(struct push *p, struct push_client *c, int in_cb)
{
	struct push_qent *e;
	unsigned char *s;
	size_t n, plen, head;
	int rounds = 0, wrote = 0, ws = c->kind == PUSH_KIND_WS;

	if (c->dead)
		return -1;
	if (c->flushing)
		return 0;
	if (c->closing) {
		if (!in_cb) {
			lws_callback_on_writable(c->wsi);
			return 0;
		}
		if (ws && c->close_reason != NULL)
			lws_close_reason(c->wsi,
			    LWS_CLOSE_STATUS_POLICY_VIOLATION,
			    (unsigned char *)(uintptr_t)c->close_reason,
			    strlen(c->close_reason));
		return -1;
	}
	head = ws ? PUSH_WS_HEAD_MAX : 0;
	c->flushing = 1;
	for (;;) {
		if (lws_partial_buffered(c->wsi)) {
			lws_callback_on_writable(c->wsi);
			break;
		}
		if (rounds++ >= 16) {
			lws_callback_on_writable(c->wsi);
			break;
		}
		if (c->qlen == 0 && c->ping && ws) {
			scratch_reserve(p, 16);
			c->ping = 0;
			if (lws_write(c->wsi, p->scratch + LWS_PRE, 0,
			        LWS_WRITE_PING) < 0)
				goto dead;
			continue;
		}
		if (c->qlen == 0 && c->raw && c->cursor < p->seen) {
			if (catch_up(p, c) == -1)
				break;
			if (c->qlen == 0)
				break;
		}
		if (c->qlen == 0)
			break;
		/*
		 * Queued messages go out several to a write (up to 32 KiB), so
		 * a client that fell behind costs one syscall per batch, not
		 * one per message. WebSocket frames are built here: lws sends
		 * LWS_WRITE_HTTP on a WebSocket as raw bytes.
		 */
		n = 0;
		while (c->qlen > 0) {
			e = &c->q[c->qhead];
			plen = qent_len(e);
			if (n > 0 && n + head + plen > 32768)
				break;
			scratch_reserve(p, n + head + plen);
			s = p->scratch + LWS_PRE + n;
			if (ws)
				s += push_ws_frame_head(s, plen);
			if (e->pre != NULL) {
				memcpy(s, e->pre->data, e->pre->len);
				s += e->pre->len;
			}
			memcpy(s, e->msg->data, e->msg->len);
			n = (size_t)(s + e->msg->len - (p->scratch + LWS_PRE));
			qpop(p, c);
		}
		if (lws_write(c->wsi, p->scratch + LWS_PRE, n, LWS_WRITE_HTTP) <
		    0)
			goto dead;
		p->bytes_total += n;
		wrote = 1;
	}
	if (wrote)
		c->tx_ms = c->progress_ms = now_wall_ms();
	c->flushing = 0;
	return 0;
dead:
	c->flushing = 0;
	c->dead = 1;
	return -1;
}

/*
 * Flushes a client from outside its callback; a failed write kills the
 * connection asynchronously (lws then calls CLOSED).
 */
void
push_client_kick(struct push *p, struct push_client *c)
{

	if (push_client_flush(p, c, 0) == -1)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
}

/*
 * Closes a client at its next writable callback with a reason (sent in
 * the WebSocket close frame): the slow-consumer and policy path.
 */
void
push_client_close(struct push *p, struct push_client *c, const char *why)
{

	if (c->closing)
		return;
	c->closing = 1;
	c->close_reason = why;
	p->slow_closed_total++;
	log_info("push: closing %s client: %s",
	    c->kind == PUSH_KIND_WS ? "WebSocket" : "SSE", why);
	lws_callback_on_writable(c->wsi);
}

/*
 * Starts the raw change stream for a client: after since when given (a
 * resume), else from now. Catching up from the log happens in flushes;
 * a resume point ahead of what the sidecar has seen is checked against
 * the log at once: one beyond its end (a rebuilt store, another store)
 * gets a reset now, not silence until the store's seq passes it.
 */
void
push_raw_start(struct push *p, struct push_client *c, int has_since,
    uint64_t since)
{

	c->cursor = has_since ? since : p->seen;
	if (has_since && since > p->seen)
		(void)catch_up(p, c);
	if (!c->raw) {
		c->raw = 1;
		c->rprev = NULL;
		c->rnext = p->raw;
		if (p->raw != NULL)
			p->raw->rprev = c;
		p->raw = c;
	}
	if (!c->pending) {
		c->pending = 1;
		c->pnext = p->pending;
		p->pending = c;
	}
}

static void
query_free(struct push *p, struct push_query *q)
{

	if (q->prev != NULL)
		q->prev->next = q->next;
	else
		p->queries = q->next;
	if (q->next != NULL)
		q->next->prev = q->prev;
	push_queries_remove(p, q);
	p->nqueries--;
	free(q->key);
	subscription_spec_clear(&q->spec);
	buf_clear(&q->data);
	push_msg_unref(q->sse);
	push_msg_unref(q->ws);
	push_msg_unref(q->ws_patch);
	free(q);
}

/*
 * The new result d (at seq) as a patch of the last one, for subscribers
 * that ask for patches: NULL when no entry is kept or it is not smaller.
 */
static struct push_msg *
patch_msg(const struct push_query *q, const struct buf *d, uint64_t seq)
{
	struct push_msg *msg = NULL;
	struct buf m;

	buf_init(&m);
	buf_printf(&m,
	    "\"seq\":%" PRIu64 ",\"base\":%" PRIu64 ",\"patch\":", seq, q->seq);
	if (push_patch_build(q->data.data, q->data.len, d->data, d->len, &m) ==
	    0) {
		buf_addc(&m, '}');
		if (m.len < d->len)
			msg = push_msg_new(m.data, m.len);
	}
	buf_clear(&m);
	return msg;
}

/*
 * Runs the query against the store. Returns 1 when the result differs
 * from the last one (messages rebuilt), 0 when unchanged, -1 on a store
 * failure (logged; the old result stays).
 */
static int
query_compute(struct push *p, struct push_query *q)
{
	struct render_query rq;
	struct buf d, m;
	uint64_t seq = 0;
	size_t n = 0;

	memset(&rq, 0, sizeof(rq));
	rq.coll = q->spec.coll;
	rq.locale = subscription_locale(&q->spec);
	rq.category = q->spec.category;
	rq.slug = q->spec.slug;
	rq.paging = RENDER_PAGING_PAGE;
	rq.page = 1;
	rq.page_size = q->spec.page_size;
	buf_init(&d);
	p->queries_computed_total++;
	if (render_data_array(p->store, &rq, &d, &seq, &n) == -1) {
		buf_clear(&d);
		return -1;
	}
	p->renders_total += n;
	p->turn_renders += n;
	if (q->sse != NULL && d.len == q->data.len &&
	    memcmp(d.data, q->data.data, d.len) == 0) {
		buf_clear(&d);
		return 0;
	}
	push_msg_unref(q->ws_patch);
	q->ws_patch = q->sse != NULL ? patch_msg(q, &d, seq) : NULL;
	q->base_seq = q->seq;
	buf_clear(&q->data);
	q->data = d;
	q->seq = seq;
	buf_init(&m);
	buf_printf(&m, "{\"seq\":%" PRIu64 ",\"data\":", seq);
	buf_add(&m, d.data, d.len);
	buf_addc(&m, '}');
	push_msg_unref(q->ws);
	q->ws = push_msg_new(m.data + 1, m.len - 1);
	buf_init(&d); /* q->data owns the old bytes now */
	sse_event(&d, 0, "result", m.data, m.len);
	push_msg_unref(q->sse);
	q->sse = push_msg_from_buf(&d);
	buf_clear(&d);
	buf_clear(&m);
	return 1;
}

static int
sub_send(struct push *p, struct push_sub *s)
{
	struct push_query *q = s->query;
	struct push_client *c = s->client;
	struct push_msg *m = s->prefix != NULL ? q->ws : q->sse;
	unsigned i;

	if (c->closing || c->dead)
		return 0;
	/* A patch only on the result it applies to, and never coalesced. */
	if (s->patch && q->ws_patch != NULL && s->sent_seq == q->base_seq) {
		m = q->ws_patch;
		for (i = 0; i < c->qlen; i++)
			if (c->q[(c->qhead + i) % c->qcap].tag == s)
				m = q->ws;
	}
	if (push_client_enqueue(p, c, s->prefix, m, s) == -1) {
		push_client_close(p, c, "slow consumer: queue full");
		return -1;
	}
	s->sent_seq = q->seq;
	return 0;
}

/*
 * Subscribes a client to a query, sharing the computation with every
 * other subscriber of the same query, and queues the current result.
 * Takes the spec's strings (the spec is left empty). id is the WebSocket
 * subscription id (NULL for SSE). Returns the subscription, or NULL with
 * *status and *why: 400 for a page size or locale this server does not
 * offer, 429 past push_max_subs_per_addr, 503 past push_max_queries (a
 * new query only: joining an existing one costs no computation) or when
 * the store failed.
 */
struct push_sub *
push_subscribe(struct push *p, struct push_client *c,
    struct subscription_spec *spec, const char *id, int *status,
    const char **why)
{
	struct push_query *q;
	struct push_sub *s;
	struct buf key;
	const uint64_t *sizes;
	size_t nsizes;

	sizes = conf_push_page_sizes(p->conf, &nsizes);
	if (subscription_spec_restrict(spec, sizes, nsizes, why) == -1) {
		*status = 400;
		return NULL;
	}
	if (c->addr != NULL && c->addr->nsubs >= p->max_subs_per_addr) {
		*status = 429;
		*why = "too many live queries from this address";
		p->queries_refused_total++;
		return NULL;
	}
	buf_init(&key);
	subscription_key(spec, &key);
	q = push_queries_find(p, key.data);
	if (q == NULL && p->nqueries >= p->max_queries) {
		buf_clear(&key);
		*status = 503;
		*why = "too many distinct live queries on this server";
		p->queries_refused_total++;
		return NULL;
	}
	if (q == NULL) {
		q = xcalloc(1, sizeof(*q));
		q->key = buf_take(&key);
		q->spec = *spec;
		subscription_spec_init(spec);
		buf_init(&q->data);
		q->next = p->queries;
		if (p->queries != NULL)
			p->queries->prev = q;
		p->queries = q;
		p->nqueries++;
		push_queries_add(p, q);
		if (query_compute(p, q) == -1) {
			query_free(p, q);
			buf_clear(&key);
			*status = 503;
			*why = "store unavailable, try again";
			return NULL;
		}
	} else if (q->dirty) {
		/* A batch is pending for it: send the fresh result to all. */
		push_queries_unmark(p, q);
		if (query_compute(p, q) == 1)
			for (s = q->subs; s != NULL; s = s->qnext)
				(void)sub_send(p, s);
	}
	buf_clear(&key);
	s = xcalloc(1, sizeof(*s));
	s->client = c;
	s->query = q;
	if (id != NULL) {
		struct buf pre;

		s->id = xstrdup(id);
		buf_init(&pre);
		buf_adds(&pre, "{\"type\":\"result\",\"id\":");
		buf_add_json_string(&pre, id, strlen(id));
		buf_addc(&pre, ',');
		s->prefix = push_msg_from_buf(&pre);
		buf_clear(&pre);
	}
	s->qnext = q->subs;
	if (q->subs != NULL)
		q->subs->qprev = s;
	q->subs = s;
	q->nsubs++;
	s->cnext = c->subs;
	c->subs = s;
	c->nsubs++;
	if (c->addr != NULL)
		c->addr->nsubs++;
	p->nsubs++;
	(void)sub_send(p, s);
	return s;
}

/* Removes a subscription; the query goes with its last subscriber. */
void
push_unsubscribe(struct push *p, struct push_sub *s)
{
	struct push_client *c = s->client;
	struct push_query *q = s->query;
	struct push_sub **pp;
	unsigned i;

	for (pp = &c->subs; *pp != NULL; pp = &(*pp)->cnext)
		if (*pp == s) {
			*pp = s->cnext;
			break;
		}
	c->nsubs--;
	if (c->addr != NULL)
		c->addr->nsubs--;
	for (i = 0; i < c->qlen; i++)
		if (c->q[(c->qhead + i) % c->qcap].tag == s)
			c->q[(c->qhead + i) % c->qcap].tag = NULL;
	if (s->qprev != NULL)
		s->qprev->qnext = s->qnext;
	else
		q->subs = s->qnext;
	if (s->qnext != NULL)
		s->qnext->qprev = s->qprev;
	q->nsubs--;
	p->nsubs--;
	if (q->nsubs == 0)
		query_free(p, q);
	push_msg_unref(s->prefix);
	free(s->id);
	free(s);
}

struct batch {
	struct push *p;
	struct buf b;
	int64_t times[256];
	size_t ntimes;
};

static int
on_change(void *arg, const struct store_change *ch)
{
	struct batch *bt = arg;
	struct push *p = bt->p;
	struct push_client *c;
	struct push_msg *sse = NULL, *ws = NULL, *m;
	uint64_t prev = p->seen;
	const char *plural = plural_of(p, ch->collection);

	for (c = p->raw; c != NULL; c = c->rnext) {
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
		if (c->kind == PUSH_KIND_WS) {
			if (ws == NULL) {
				push_ws_change_msg(&bt->b, ch, plural);
				ws = push_msg_from_buf(&bt->b);
			}
			m = ws;
		} else {
			if (sse == NULL) {
				sse_change_event(&bt->b, ch, plural);
				sse = push_msg_from_buf(&bt->b);
			}
			m = sse;
		}
		if (push_client_enqueue(p, c, NULL, m, NULL) == 0)
			c->cursor = ch->seq;
	}
	push_msg_unref(sse);
	push_msg_unref(ws);
	push_queries_touch(p, ch);
	p->seen = ch->seq;
	p->changes_total++;
	if (p->repl != NULL)
		push_repl_seen(p, ch);
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

static void
flush_pending(struct push *p)
{
	struct push_client *c;

	while ((c = p->pending) != NULL) {
		p->pending = c->pnext;
		c->pending = 0;
		c->pnext = NULL;
		push_client_kick(p, c);
	}
}

/*
 * Every change stream gets a reset at last (its client reloads, as after
 * a trimmed resume point) and every query is recomputed.
 */
static void
reset_streams(struct push *p, uint64_t last)
{
	struct push_client *c;
	struct push_query *q;
	struct push_msg *m;
	struct buf b;

	buf_init(&b);
	for (c = p->raw; c != NULL; c = c->rnext) {
		queue_clear(p, c);
		if (c->kind == PUSH_KIND_WS)
			push_ws_reset_msg(&b, last);
		else
			sse_reset_event(&b, last);
		m = push_msg_from_buf(&b);
		(void)push_client_enqueue(p, c, NULL, m, NULL);
		push_msg_unref(m);
		p->resets_total++;
		c->cursor = last;
		push_client_kick(p, c);
	}
	buf_clear(&b);
	for (q = p->queries; q != NULL; q = q->next)
		push_queries_mark(p, q);
	p->seen = last;
}

static void render_cb(lws_sorted_usec_list_t *);

/*
 * Recomputes the queued queries, oldest first, until this turn of the
 * loop has rendered push_render_budget entries; the rest goes on at the
 * next turn (render_cb), so that streams, new connections and heartbeats
 * are served in between however many queries a change touched.
 */
static void
recompute(struct push *p)
{
	struct push_query *q;
	struct push_sub *s, *snext;

	while (p->turn_renders < p->render_budget &&
	    (q = push_queries_next_dirty(p)) != NULL) {
		if (query_compute(p, q) != 1)
			continue;
		for (s = q->subs; s != NULL; s = snext) {
			snext = s->qnext;
			(void)sub_send(p, s);
		}
	}
	if (p->qreg.dhead != NULL && !p->render_scheduled) {
		p->render_deferred_total++;
		p->render_scheduled = 1;
		lws_sul_schedule(p->ctx, 0, &p->sul_render, render_cb, 1);
	}
}

static void
render_cb(lws_sorted_usec_list_t *sul)
{
	struct push *p = (struct push *)(void *)((char *)sul -
	    offsetof(struct push, sul_render));

	p->render_scheduled = 0;
	p->turn_renders = 0;
	recompute(p);
	flush_pending(p);
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
	struct push_query *q;
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
	for (q = p->queries; q != NULL; q = q->next)
		push_queries_mark(p, q);
}

/*
 * Between polls: leaves a recovered environment (the sidecar notices it
 * here even when no change arrives), and cleans up after a process that
 * died in the store. Not for the replication process.
 */
static void
check_store(struct push *p)
{
	if (p->repl != NULL)
		return;
	switch (store_check(p->store)) {
	case STORE_DEAD_PEER:
		if (store_clean_dead(p->store) == 0)
			break;
		/* FALLTHROUGH */
	case STORE_ENV_GONE:
		env_recovered(p);
		break;
	case STORE_HEALTHY:
		break;
	}
}

/*
 * Reads every change after the last one seen, fans each out to the raw
 * streams (one frame built per change, shared), recomputes each touched
 * query once (within the render budget), sends results that changed, and
 * flushes. Can't fail: a store error is logged and retried at the next
 * wake-up or poll.
 */
void
push_poll(struct push *p)
{
	struct batch bt;
	size_t i;
	int rc;

	p->polls_total++;
	if (!p->render_scheduled)
		p->turn_renders = 0;
	memset(&bt, 0, sizeof(bt));
	bt.p = p;
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
		recompute(p);
		flush_pending(p);
		for (i = 0; i < bt.ntimes; i++)
			record_lag(p, bt.times[i]);
	} while (bt.ntimes == sizeof(bt.times) / sizeof(bt.times[0]));
	buf_clear(&bt.b);
	flush_pending(p);
}

/*
 * Checks the subscription token, when one is configured: "?token=" or
 * "Authorization: Bearer", compared in constant time. Returns 1 when
 * the client may subscribe.
 */
int
push_token_ok(struct push *p, struct lws *wsi)
{

	if (p->token == NULL || *p->token == '\0')
		return 1;
	return push_bearer_ok(wsi, p->token, 1);
}

/*
 * 1 when the request presents token ("Authorization: Bearer", or
 * "?token=" when query_too), compared in constant time; 0 when it does
 * not, or when token is empty.
 */
int
push_bearer_ok(struct lws *wsi, const char *token, int query_too)
{
	char buf[512];
	const char *got = NULL;
	int n;

	if (token == NULL || *token == '\0')
		return 0;
	n = lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 7 && strncasecmp(buf, "Bearer ", 7) == 0)
		got = buf + 7;
	else if (query_too)
		got = push_urlarg(wsi, "token", buf, sizeof(buf));
	if (got == NULL)
		return 0;
	n = hmac_equal(got, strlen(got), token, strlen(token));
	explicit_bzero(buf, sizeof(buf));
	return n;
}

/*
 * Reads the Origin header into origin (empty when absent). Returns 1 when
 * there is none or CORS allows it, else 0: an Origin too long for the
 * buffer is refused (and origin left empty), never taken as absent.
 */
int
push_origin_ok(struct push *p, struct lws *wsi, char *origin, size_t len)
{

	origin[0] = '\0';
	if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) <= 0)
		return 1;
	if (lws_hdr_copy(wsi, origin, (int)len, WSI_TOKEN_ORIGIN) <= 0) {
		origin[0] = '\0';
		return 0;
	}
	return conf_cors_allows(p->conf, origin);
}

/* Looks up a query-string argument ("name" without '='); NULL if absent. */
const char *
push_urlarg(struct lws *wsi, const char *name, char *buf, size_t len)
{
	char key[64];

	if (snprintf(key, sizeof(key), "%s=", name) >= (int)sizeof(key))
		return NULL;
	return lws_get_urlarg_by_name(wsi, key, buf, (int)len);
}

static int
add_hdr(struct lws *wsi, const char *name, const char *val, unsigned char **pp,
    unsigned char *end)
{

	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
	    (const unsigned char *)val, (int)strlen(val), pp, end);
}

/*
 * Answers a one-shot HTTP request (headers and body in one write) and
 * ends the transaction. origin, when not empty, is echoed as CORS allows.
 * Returns what the HTTP callback must return.
 */
int
push_http_reply(struct lws *wsi, unsigned status, const char *ctype,
    const char *body, size_t len, const char *origin)
{
	unsigned char *buf, *start, *pp, *end;
	size_t cap = LWS_PRE + 1024 + len;
	int rc = -1;

	buf = xmalloc(cap);
	start = pp = buf + LWS_PRE;
	end = buf + cap - len - 1;
	if (lws_add_http_common_headers(wsi, status, ctype, len, &pp, end) ||
	    add_hdr(wsi, "cache-control:", "no-store", &pp, end) ||
	    (origin != NULL && origin[0] != '\0' &&
	        (add_hdr(wsi, "access-control-allow-origin:", origin, &pp,
	             end) ||
	            add_hdr(wsi, "vary:", "Origin", &pp, end))) ||
	    lws_finalize_http_header(wsi, &pp, end))
		goto out;
	memcpy(pp, body, len);
	pp += len;
	if (lws_write(wsi, start, (size_t)(pp - start), LWS_WRITE_HTTP) < 0)
		goto out;
	rc = lws_http_transaction_completed(wsi) ? -1 : 0;
out:
	free(buf);
	return rc;
}

/* Answers with Strapi's error envelope. */
int
push_http_error(struct lws *wsi, unsigned status, const char *message,
    const char *origin)
{
	struct buf b;
	int rc;

	buf_init(&b);
	buf_printf(&b,
	    "{\"data\":null,\"error\":{\"status\":%u,\"name\":\"%s\","
	    "\"message\":",
	    status, http_status_name((int)status));
	buf_add_json_string(&b, message, strlen(message));
	buf_adds(&b, ",\"details\":{}}}");
	rc = push_http_reply(wsi, status, "application/json", b.data, b.len,
	    origin);
	buf_clear(&b);
	return rc;
}

static void
beat_cb(lws_sorted_usec_list_t *sul)
{
	struct push *p = (struct push *)(void *)((char *)sul -
	    offsetof(struct push, sul_beat));
	struct push_client *c;
	int64_t now = now_wall_ms();

	/*
	 * Only idle streams need a heartbeat: one that carried data within
	 * half an interval is skipped, so no stream is silent for more than
	 * 1.5 intervals and busy ones cost nothing extra.
	 */
	for (c = p->all; c != NULL; c = c->anext) {
		if (c->closing || c->dead ||
		    now - c->tx_ms < p->heartbeat_ms / 2)
			continue;
		if (c->kind == PUSH_KIND_WS)
			c->ping = 1;
		else if (c->qlen == 0)
			(void)push_client_enqueue(p, c, NULL, p->beat, NULL);
		else
			continue;
		if (!c->pending) {
			c->pending = 1;
			c->pnext = p->pending;
			p->pending = c;
		}
	}
	flush_pending(p);
	lws_sul_schedule(p->ctx, 0, &p->sul_beat, beat_cb,
	    p->heartbeat_ms * LWS_US_PER_MS);
}

static void
poll_cb(lws_sorted_usec_list_t *sul)
{
	struct push *p = (struct push *)(void *)((char *)sul -
	    offsetof(struct push, sul_poll));
	struct push_client *c;
	int64_t now;

	check_store(p);
	push_poll(p);
	/*
	 * A client that leaves what it was sent unread past the send timeout
	 * is closed: its queue, and what lws holds for it, are freed, and a
	 * reader that stopped cannot pin memory (a catch-up copy, a query
	 * result) for as long as it keeps the connection.
	 */
	now = now_wall_ms();
	for (c = p->all; c != NULL; c = c->anext)
		if (!c->dead && now - c->progress_ms > p->send_timeout_ms &&
		    (c->qlen > 0 || lws_partial_buffered(c->wsi))) {
			c->dead = 1;
			p->send_timeouts_total++;
			log_info("push: closing %s client: nothing read for "
			         "%" PRId64 " s",
			    c->kind == PUSH_KIND_WS ? "WebSocket" : "SSE",
			    (now - c->progress_ms) / 1000);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK,
			    LWS_TO_KILL_ASYNC);
		}
	/*
	 * lws can drop a writable request made while it still drains an
	 * earlier partial write; re-kick whoever still has something to send
	 * so such a stall lasts at most one poll interval.
	 */
	for (c = p->all; c != NULL; c = c->anext)
		if (!c->pending && !c->dead &&
		    (c->qlen > 0 || c->closing ||
		        (c->raw && c->cursor < p->seen))) {
			c->pending = 1;
			c->pnext = p->pending;
			p->pending = c;
		}
	flush_pending(p);
	lws_sul_schedule(p->ctx, 0, &p->sul_poll, poll_cb,
	    p->poll_ms * LWS_US_PER_MS);
}

static int
route_http(struct push *p, struct push_client *c, struct lws *wsi,
    const char *path)
{
	char origin[256];

	if (strcmp(path, "/live/events") == 0 ||
	    strcmp(path, "/live/query") == 0)
		return push_sse_http(p, c, wsi, path);
	if (strcmp(path, "/live/healthz") == 0 ||
	    strcmp(path, "/live/metrics") == 0)
		return push_status_http(p, wsi, path);
	(void)push_origin_ok(p, wsi, origin, sizeof(origin));
	c->kind = PUSH_KIND_HTTP;
	return push_http_error(wsi, 404, "Not Found", origin);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct push *p = ctx != NULL ? lws_context_user(ctx) : NULL;
	struct push_client *c = user;
	uint64_t max = 0;

	if (p == NULL)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return route_http(p, c, wsi, in != NULL ? in : "");
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c == NULL || !c->attached)
			break;
		return push_client_flush(p, c, 1);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_CLOSED:
		if (c != NULL)
			push_client_detach(p, c);
		break;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return push_ws_filter(p, wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return push_ws_established(p, c, wsi);
	case LWS_CALLBACK_RECEIVE:
		return push_ws_receive(p, c, in, len);
	case LWS_CALLBACK_RAW_RX_FILE:
		if (wsi == p->hup_wsi) {
			push_hup_drain(p);
			break;
		}
		if (notify_drain(p->notify_fd, &max) > 0) {
			p->wakeups_total++;
			push_poll(p);
		}
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (wsi == p->notify_wsi)
			p->notify_wsi = NULL;
		if (wsi == p->hup_wsi) {
			p->hup_wsi = NULL;
			p->hup_fd = -1;
		}
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_warnx("lws: %.*s", (int)n, line);
	else
		log_info("lws: %.*s", (int)n, line);
}

static int
parse_listen(const char *spec, char **host, int *port)
{
	const char *colon = strrchr(spec, ':');
	const char *errstr;
	long long n;

	if (spec[0] == '/' || colon == NULL)
		return 1; /* a unix socket path */
	n = strtonum(colon + 1, 0, 65535, &errstr);
	if (errstr != NULL)
		return -1;
	*port = (int)n;
	*host = xstrndup(spec, (size_t)(colon - spec));
	if (**host == '[') {
		size_t l = strlen(*host);

		memmove(*host, *host + 1, l);
		if (l >= 2 && (*host)[l - 2] == ']')
			(*host)[l - 2] = '\0';
	}
	return 0;
}

/* clang-format off */
static struct lws_protocols protocols[] = {
	{ "strapi-live", callback, sizeof(struct push_client), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};
/* clang-format on */

static volatile sig_atomic_t push_stopping;
static struct push *push_signalled; /* for signal_cb */

/*
 * SIGTERM or SIGINT under libuv: lws's signal watchers call this from
 * the loop (not from a signal handler). Destroying the context there is
 * how lws 4.1 ends an internal event loop; push_free finishes it.
 */
static void
signal_cb(void *handle UNUSED, int signum)
{
	struct push *p = push_signalled;

	if (push_stopping || p == NULL)
		return;
	push_stopping = 1;
	log_info("signal %d: closing connections", signum);
	lws_sul_cancel(&p->sul_poll);
	lws_sul_cancel(&p->sul_beat);
	lws_sul_cancel(&p->sul_render);
	push_repl_free(p);
	lws_context_destroy(p->ctx);
}

/*
 * Creates the context on libuv's epoll loop when asked for or when lws
 * has its libuv plugin (push_loop auto), else on lws's own poll() loop,
 * which walks every socket on each turn: with thousands of subscribers
 * that walk costs more than the writes.
 */
static struct lws_context *
create_context(struct push *p, struct lws_context_creation_info *info,
    const char *loop)
{
	struct lws_context *ctx;

	if (strcmp(loop, "poll") != 0) {
		struct lws_context_creation_info uv = *info;

		uv.options |= LWS_SERVER_OPTION_LIBUV |
		    LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
		uv.signal_cb = signal_cb;
		push_signalled = p;
		ctx = lws_create_context(&uv);
		if (ctx != NULL) {
			p->evlib = 1;
			log_info("event loop: libuv");
			return ctx;
		}
		push_signalled = NULL;
		if (strcmp(loop, "libuv") == 0)
			return NULL;
		log_info("libwebsockets has no libuv plugin here");
	}
	log_info("event loop: poll");
	return lws_create_context(info);
}

/*
 * Creates the lws context listening as configured, adopts the notify
 * socket and schedules the poll and heartbeat timers. Fatal on startup
 * failures (bad listen address, socket won't bind).
 */
struct push *
push_new(const struct conf *conf, struct store *st)
{
	struct lws_context_creation_info info;
	struct push *p;
	lws_sock_file_fd_type u;
	char *host = NULL;
	const char *listen = conf_str(conf, CFG_PUSH_LISTEN);
	int port = 0, kind;

	p = xcalloc(1, sizeof(*p));
	p->conf = conf;
	p->store = st;
	p->notify_fd = -1;
	p->hup_fd = -1;
	p->max_clients = (size_t)conf_int(conf, CFG_PUSH_MAX_CLIENTS);
	p->max_per_addr = (size_t)conf_int(conf, CFG_PUSH_MAX_PER_ADDR);
	p->max_subs = (size_t)conf_int(conf, CFG_PUSH_MAX_SUBS);
	p->max_message = (size_t)conf_int(conf, CFG_PUSH_MAX_MESSAGE);
	p->queue_limit = (size_t)conf_int(conf, CFG_PUSH_QUEUE);
	p->heartbeat_ms = conf_int(conf, CFG_PUSH_HEARTBEAT) * 1000;
	p->poll_ms = conf_int(conf, CFG_PUSH_POLL_MS);
	p->token = conf_str(conf, CFG_PUSH_TOKEN);
	p->max_subs_per_addr =
	    (size_t)conf_int(conf, CFG_PUSH_MAX_SUBS_PER_ADDR);
	p->max_queries = (size_t)conf_int(conf, CFG_PUSH_MAX_QUERIES);
	p->render_budget = (size_t)conf_int(conf, CFG_PUSH_RENDER_BUDGET);
	p->catchup_memory = (size_t)conf_int(conf, CFG_PUSH_CATCHUP_MEMORY);
	p->send_timeout_ms = conf_int(conf, CFG_PUSH_SEND_TIMEOUT) * 1000;
	p->trusted = conf_push_trusted(conf, &p->ntrusted);
	p->forwarded = strcasecmp(conf_str(conf, CFG_PUSH_CLIENT_HEADER),
	                   "forwarded") == 0;
	p->status_token = conf_str(conf, CFG_STATUS_TOKEN);
	p->started_ms = now_wall_ms();
	p->beat = push_msg_new(": heartbeat\n\n", 13);
	if (store_last_seq(st, &p->seen) == -1)
		fatalx("cannot read the change log");
	protocols[0].rx_buffer_size = p->max_message;

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
	memset(&info, 0, sizeof(info));
	kind = parse_listen(listen, &host, &port);
	if (kind == -1)
		fatalx("push_listen: bad address %s", listen);
	if (kind == 1) {
		info.options |= LWS_SERVER_OPTION_UNIX_SOCK;
		info.iface = listen;
		(void)unlink(listen);
		p->unix_sock = 1;
	} else {
		info.iface = host;
		info.port = port;
	}
	info.protocols = protocols;
	info.user = p;
	info.vhost_name = "default";
	info.options |=
	    LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
	info.max_http_header_data = PUSH_HEADER_DATA;
	info.timeout_secs = 10;
	info.server_string = "strapi-live-push";
	info.pt_serv_buf_size = 32768;
	p->ctx = create_context(p, &info, conf_str(conf, CFG_PUSH_LOOP));
	free(host);
	if (p->ctx == NULL)
		fatalx("push: cannot listen on %s", listen);
	p->vh = lws_get_vhost_by_name(p->ctx, "default");
	if (p->vh == NULL)
		fatalx("push: no vhost");
	if (!p->unix_sock)
		log_info("listening on %s (port %d)", listen,
		    lws_get_vhost_listen_port(p->vh));
	else
		log_info("listening on unix socket %s", listen);
	p->notify_fd = notify_bind(store_dir(st));
	if (p->notify_fd != -1) {
		u.filefd = p->notify_fd;
		p->notify_wsi = lws_adopt_descriptor_vhost(p->vh,
		    LWS_ADOPT_RAW_FILE_DESC, u, "strapi-live", NULL);
		if (p->notify_wsi == NULL)
			log_warnx("push: cannot watch the notify socket; "
			          "polling only");
	} else
		log_warnx("push: no notify socket; polling every %" PRId64
		          " ms",
		    p->poll_ms);
	push_hup_open(p);
	lws_sul_schedule(p->ctx, 0, &p->sul_poll, poll_cb,
	    p->poll_ms * LWS_US_PER_MS);
	lws_sul_schedule(p->ctx, 0, &p->sul_beat, beat_cb,
	    p->heartbeat_ms * LWS_US_PER_MS);
	push_repl_start(p);
	return p;
}

/* Runs the event loop until push_stop (poll) or a signal (libuv). */
void
push_run(struct push *p)
{

	while (!push_stopping)
		if (lws_service(p->ctx, 0) < 0)
			break;
}

/* 1 when the loop itself handles SIGTERM and SIGINT (libuv). */
int
push_handles_signals(const struct push *p)
{

	return p->evlib;
}

/* Asks the loop to end; safe in a signal handler. */
void
push_stop(struct push *p)
{

	push_stopping = 1;
	if (p != NULL && p->ctx != NULL)
		lws_cancel_service(p->ctx);
}

/* Closes every connection and frees the sidecar; NULL does nothing. */
void
push_free(struct push *p)
{
	size_t i;
	struct push_addr *a;

	if (p == NULL)
		return;
	if (p->ctx != NULL) {
		if (!push_stopping || !p->evlib) {
			lws_sul_cancel(&p->sul_poll);
			lws_sul_cancel(&p->sul_beat);
			lws_sul_cancel(&p->sul_render);
		}
		push_repl_free(p);
		lws_context_destroy(p->ctx);
	}
	push_signalled = NULL;
	/* The notify fd was closed by lws with its wsi. */
	for (i = 0; i < PUSH_ADDR_BUCKETS; i++)
		while ((a = p->addrs[i]) != NULL) {
			p->addrs[i] = a->next;
			free(a);
		}
	while (p->queries != NULL)
		query_free(p, p->queries);
	push_queries_clear(p);
	push_msg_unref(p->beat);
	free(p->scratch);
	free(p);
}
