/* query_msg.c: a live query's result as the messages both transports send */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <libwebsockets.h>

#include "push/msg.h"
#include "push/query_int.h"
#include "api/sse.h"
#include "model/jscan.h"
#include "model/patch.h"

/*
 * A result message body ({"seq":…,…}) as both transports send it: after
 * a WebSocket prefix (*ws, without the leading '{') and as an SSE
 * "event: result" frame (*sse). The old messages are released.
 */
static void
result_msgs(const struct buf *body, struct push_msg **ws, struct push_msg **sse)
{
	struct buf f;

	push_msg_unref(*ws);
	push_msg_unref(*sse);
	*ws = push_msg_new(body->data + 1, body->len - 1);
	buf_init(&f);
	sse_event(&f, 0, "result", body->data, body->len);
	*sse = push_msg_from_buf(&f);
	buf_clear(&f);
}

/* A result's meta and end: {"pagination":…}, or {} for a single type. */
static void
result_meta(struct buf *m, const struct buf *pg)
{
	if (pg->len == 0) {
		buf_adds(m, ",\"meta\":{}}");
		return;
	}
	buf_adds(m, ",\"meta\":{\"pagination\":");
	buf_add(m, pg->data, pg->len);
	buf_adds(m, "}}");
}

/*
 * A single type's result as REST's /api/<singular> answers it: its entry
 * (the list's one item) or null when none is stored, and no pagination.
 */
void
pquery_single_result(struct buf *d, struct buf *pg)
{
	struct jscan_iter it;
	struct jspan v = { d->data, d->len }, e;
	struct buf b;

	buf_init(&b);
	if (jscan_begin(&it, v, '[') == 0 && jscan_next(&it, NULL, &e) == 1)
		buf_add(&b, e.p, e.n);
	else
		buf_adds(&b, "null");
	buf_clear(d);
	*d = b;
	buf_reset(pg);
}

/*
 * Makes the query's messages of its new result (data d, meta.pagination
 * pg, at seq; both taken): the whole result, and a patch of the last one
 * for subscribers that ask for them, kept only when it is smaller.
 */
void
pquery_set_result(struct push_query *q, struct buf *d, struct buf *pg,
    uint64_t seq)
{
	struct buf m, pm;

	buf_init(&m);
	buf_printf(&m, "{\"seq\":%" PRIu64 ",\"data\":", seq);
	buf_add(&m, d->data, d->len);
	buf_init(&pm);
	if (q->sse != NULL) {
		buf_printf(&pm,
		    "{\"seq\":%" PRIu64 ",\"base\":%" PRIu64 ",\"patch\":", seq,
		    q->seq);
		if (push_patch_build(q->data.data, q->data.len, d->data, d->len,
		        &pm) == -1)
			buf_reset(&pm);
	}
	result_meta(&m, pg);
	if (pm.len > 0)
		result_meta(&pm, pg);
	if (pm.len > 0 && pm.len < m.len)
		result_msgs(&pm, &q->ws_patch, &q->sse_patch);
	else {
		push_msg_unref(q->ws_patch);
		push_msg_unref(q->sse_patch);
		q->ws_patch = q->sse_patch = NULL;
	}
	result_msgs(&m, &q->ws, &q->sse);
	q->base_seq = q->seq;
	buf_clear(&q->data);
	buf_clear(&q->pagination);
	q->data = *d; /* q owns the bytes now */
	q->pagination = *pg;
	q->seq = seq;
	buf_clear(&pm);
	buf_clear(&m);
}
