/* ws.c: the WebSocket transport: subscribe, unsubscribe, changes */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "api/http.h"
#include "util/log.h"
#include "push/client.h"
#include "push/msg.h"
#include "push/query.h"
#include "push/queue.h"
#include "push/reply.h"
#include "push/stream.h"
#include "push/ws.h"
#include "model/wsmsg.h"
#include "api/sse.h"
#include "model/subscription.h"
#include "util/xmalloc.h"

/* Appends {"type":"change","seq":…,"op":…,…} for a change. */
static void
change_msg(struct buf *b, const struct store_change *ch, const char *plural)
{
	size_t start = b->len;

	sse_change_json(b, ch, plural);
	/* Turn the leading '{' into {"type":"change", */
	buf_reserve(b, 16);
	memmove(b->data + start + 17, b->data + start + 1, b->len - start - 1);
	memcpy(b->data + start, "{\"type\":\"change\",", 17);
	b->len += 16;
	b->data[b->len] = '\0';
}

/* Appends {"type":"reset","seq":N}: the resume point was trimmed. */
static void
reset_msg(struct buf *b, uint64_t seq)
{

	buf_printf(b, "{\"type\":\"reset\",\"seq\":%" PRIu64 "}", seq);
}

/* An idle connection gets a ping, written when its queue is empty. */
static int
beat(struct push *p UNUSED, struct push_client *c)
{

	c->ping = 1;
	return 1;
}

/* The reason goes in the close frame. */
static void
closing(struct lws *wsi, const char *why)
{

	lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
	    (unsigned char *)(uintptr_t)why, strlen(why));
}

/* clang-format off */
static const struct push_transport ws_transport = {
	.id = PUSH_TRANSPORT_WS,
	.name = "WebSocket",
	.head_max = PUSH_WS_HEAD_MAX,
	.frame_head = push_ws_frame_head,
	.change = change_msg,
	.reset = reset_msg,
	.beat = beat,
	.closing = closing,
};
/* clang-format on */

/*
 * Before the upgrade of GET /live/ws: the path, the origin, the token and
 * the connection limits. Returns 0 to accept, non-zero to refuse.
 */
int
push_ws_filter(struct push *p, struct lws *wsi)
{
	char uri[64], origin[256];

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(uri, "/live/ws") != 0) {
		p->rejected_total++;
		return 1;
	}
	if (!push_origin_ok(p, wsi, origin, sizeof(origin))) {
		log_info("push: WebSocket refused: origin %s not allowed",
		    origin);
		p->rejected_total++;
		return 1;
	}
	if (!push_token_ok(p, wsi)) {
		log_info("push: WebSocket refused: bad token");
		p->rejected_total++;
		return 1;
	}
	if (p->nclients >= p->max_clients) {
		p->rejected_total++;
		return 1;
	}
	return 0;
}

/* The connection is upgraded: count it (the per-address limit). */
int
push_ws_established(struct push *p, struct push_client *c, struct lws *wsi)
{
	int status;
	const char *why;

	if (push_client_attach(p, c, wsi, &ws_transport, &status, &why) == -1) {
		log_info("push: WebSocket refused: %s", why);
		lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
		    (unsigned char *)(uintptr_t)why, strlen(why));
		return -1;
	}
	return 0;
}

static void
send_json(struct push *p, struct push_client *c, struct buf *b)
{
	struct push_msg *m;

	m = push_msg_from_buf(b);
	if (push_queue_put(p, c, NULL, m, NULL) == -1)
		push_client_close(p, c, "slow consumer: queue full");
	push_msg_unref(m);
}

/* An error message, with the status and Strapi error name REST would give. */
static void
send_error(struct push *p, struct push_client *c, const char *id,
    unsigned status, const char *message, const char *details)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "{\"type\":\"error\",\"id\":");
	if (id != NULL)
		buf_add_json_string(&b, id, strlen(id));
	else
		buf_adds(&b, "null");
	buf_printf(&b, ",\"status\":%u,\"name\":\"%s\",\"message\":", status,
	    http_status_name((int)status));
	buf_add_json_string(&b, message, strlen(message));
	if (details != NULL) {
		buf_adds(&b, ",\"details\":");
		buf_adds(&b, details);
	}
	buf_addc(&b, '}');
	send_json(p, c, &b);
	buf_clear(&b);
}

static struct push_sub *
find_sub(struct push_client *c, const char *id)
{
	struct push_sub *s;

	for (s = LIST_FIRST(&c->subs); s != NULL; s = LIST_NEXT(s, clink))
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* One whole client message: parsed (push_wsmsg.c), then acted on. */
static void
handle_message(struct push *p, struct push_client *c, const char *msg,
    size_t len)
{
	struct push_ws_req r;
	struct push_sub *s;
	const char *why = NULL, *details = NULL;
	int status = 400;
	struct buf b;

	if (push_ws_parse_message(p->conf, msg, len, &r, &why) == -1)
		goto out;
	switch (r.type) {
	case PUSH_WS_SUBSCRIBE:
		if (find_sub(c, r.id) != NULL)
			why = "subscription id already in use";
		else if (c->nsubs >= p->max_subs) {
			why = "too many subscriptions on this connection";
			status = 429;
		} else if ((s = push_query_subscribe(p, c, &r.spec, r.id,
		                &status, &why)) == NULL) {
			details = push_query_details();
			if (why == NULL) {
				why = "store unavailable, try again";
				status = 503;
			}
		} else
			s->patch = r.patch;
		break;
	case PUSH_WS_UNSUBSCRIBE:
		if ((s = find_sub(c, r.id)) == NULL) {
			why = "no such subscription";
			break;
		}
		push_query_unsubscribe(p, s);
		buf_init(&b);
		buf_adds(&b, "{\"type\":\"unsubscribed\",\"id\":");
		buf_add_json_string(&b, r.id, strlen(r.id));
		buf_addc(&b, '}');
		send_json(p, c, &b);
		buf_clear(&b);
		break;
	case PUSH_WS_CHANGES:
		c->filter = r.filter;
		push_stream_start(p, c, r.has_since, r.since);
		break;
	}
out:
	if (why != NULL)
		send_error(p, c, r.id[0] != '\0' ? r.id : NULL,
		    (unsigned)status, why, details);
	push_ws_req_clear(&r);
}

/*
 * A piece of a WebSocket message: reassembled up to the message limit,
 * then handled. Bad messages get an error message; binary or oversized
 * ones close the connection with a reason. Returns what the callback
 * must return.
 */
int
push_ws_receive(struct push *p, struct push_client *c, const char *in,
    size_t len)
{
	int final;

	if (c == NULL || !c->attached)
		return -1;
	if (lws_frame_is_binary(c->wsi)) {
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
		    (unsigned char *)"binary messages are not supported", 33);
		return -1;
	}
	final = lws_is_final_fragment(c->wsi) &&
	    lws_remaining_packet_payload(c->wsi) == 0;
	if (final && c->rx == NULL) {
		if (len > p->max_message)
			goto too_big;
		handle_message(p, c, in, len);
		push_client_kick(p, c);
		return 0;
	}
	if (c->rx == NULL) {
		c->rx = xcalloc(1, sizeof(*c->rx));
		buf_init(c->rx);
	}
	if (c->rx->len + len > p->max_message)
		goto too_big;
	buf_add(c->rx, in, len);
	if (!final)
		return 0;
	handle_message(p, c, c->rx->data, c->rx->len);
	buf_clear(c->rx);
	free(c->rx);
	c->rx = NULL;
	push_client_kick(p, c);
	return 0;
too_big:
	lws_close_reason(c->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
	    (unsigned char *)"message too big", 15);
	return -1;
}
