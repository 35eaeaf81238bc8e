/* client.c: streaming clients: limits, flushing, closing */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "util/now.h"
#include "util/log.h"
#include "push/client.h"
#include "push/hup.h"
#include "push/queue.h"
#include "push/stream.h"
#include "util/xmalloc.h"

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

	for (a = LIST_FIRST(&p->addrs[h]); a != NULL; a = LIST_NEXT(a, link))
		if (strcmp(a->name, name) == 0)
			return a;
	a = xcalloc(1, sizeof(*a) + n + 1);
	memcpy(a->name, name, n + 1);
	LIST_INSERT_HEAD(&p->addrs[h], a, link);
	return a;
}

static void
addr_put(struct push_addr *a)
{

	if (--a->count > 0)
		return;
	LIST_REMOVE(a, link);
	free(a);
}

/* Frees the per-address counts (every client gone). */
void
push_client_addrs_free(struct push *p)
{
	struct push_addr *a;
	size_t i;

	for (i = 0; i < PUSH_ADDR_BUCKETS; i++)
		while ((a = LIST_FIRST(&p->addrs[i])) != NULL) {
			LIST_REMOVE(a, link);
			free(a);
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
 * Counts a streaming client against the limits and links it in, speaking
 * the transport ops. Returns 0, or -1 with *status (503 for the total,
 * 429 per client address) and *why when a limit is reached; nothing is
 * changed then.
 */
int
push_client_attach(struct push *p, struct push_client *c, struct lws *wsi,
    const struct push_transport *ops, int *status, const char **why)
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
	c->ops = ops;
	c->addr = a;
	c->attached = 1;
	LIST_INSERT_HEAD(&p->all, c, alink);
	p->nclients++;
	p->nconns[ops->id]++;
	return 0;
}

/*
 * Unlinks a client and frees what it holds (queue, reassembly buffer);
 * its subscriptions must be gone (push_query_unsubscribe_all). Called
 * from the CLOSED callbacks, or when a stream is refused after
 * attaching; safe on a client that never attached.
 */
void
push_client_detach(struct push *p, struct push_client *c)
{

	push_hup_unwatch(p, c);
	push_queue_clear(p, c);
	if (c->rx != NULL) {
		buf_clear(c->rx);
		free(c->rx);
		c->rx = NULL;
	}
	if (!c->attached)
		return;
	if (c->raw) {
		LIST_REMOVE(c, rlink);
		c->raw = 0;
	}
	if (c->pending) {
		LIST_REMOVE(c, plink);
		c->pending = 0;
	}
	LIST_REMOVE(c, alink);
	if (c->addr != NULL)
		addr_put(c->addr);
	c->addr = NULL;
	p->nclients--;
	p->nconns[c->ops->id]--;
	c->attached = 0;
}

/*
 * Makes room for n bytes after LWS_PRE in the write buffer, keeping what
 * it holds: a flush grows it while frames are being gathered.
 */
static void
scratch_reserve(struct push *p, size_t n)
{

	if (p->scratch_cap >= LWS_PRE + n)
		return;
	p->scratch_cap = LWS_PRE + n + 4096;
	p->scratch = xreallocarray(p->scratch, 1, p->scratch_cap);
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
	const struct push_transport *ops = c->ops;
	struct push_qent *e;
	unsigned char *s;
	size_t n, plen;
	int rounds = 0, wrote = 0;

	if (c->dead)
		return -1;
	if (c->flushing)
		return 0;
	if (c->closing) {
		if (!in_cb) {
			lws_callback_on_writable(c->wsi);
			return 0;
		}
		if (c->close_reason != NULL)
			ops->closing(c->wsi, c->close_reason);
		return -1;
	}
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
		if (c->qlen == 0 && c->ping) {
			/* Only a transport with pings sets c->ping. */
			scratch_reserve(p, 16);
			c->ping = 0;
			if (lws_write(c->wsi, p->scratch + LWS_PRE, 0,
			        LWS_WRITE_PING) < 0)
				goto dead;
			continue;
		}
		if (c->qlen == 0 && c->raw && c->cursor < p->seen) {
			if (push_stream_catch_up(p, c) == -1)
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
			plen = push_queue_entry_len(e);
			if (n > 0 && n + ops->head_max + plen > 32768)
				break;
			scratch_reserve(p, n + ops->head_max + plen);
			s = p->scratch + LWS_PRE + n;
			s += ops->frame_head(s, plen);
			if (e->pre != NULL) {
				memcpy(s, e->pre->data, e->pre->len);
				s += e->pre->len;
			}
			memcpy(s, e->msg->data, e->msg->len);
			n = (size_t)(s + e->msg->len - (p->scratch + LWS_PRE));
			push_queue_pop(p, c);
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

/* Flushes every client marked by push_queue_pending, most recent first. */
void
push_client_flush_pending(struct push *p)
{
	struct push_client *c;

	while ((c = LIST_FIRST(&p->pending)) != NULL) {
		LIST_REMOVE(c, plink);
		c->pending = 0;
		push_client_kick(p, c);
	}
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
	log_info("push: closing %s client: %s", c->ops->name, why);
	lws_callback_on_writable(c->wsi);
}
