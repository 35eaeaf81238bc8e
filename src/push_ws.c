/* push_ws.c: the WebSocket protocol: subscribe, unsubscribe, changes */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libwebsockets.h>

#include "log.h"
#include "push_int.h"
#include "sse.h"
#include "subscription.h"
#include "xmalloc.h"

/* Appends {"type":"change","seq":…,"op":…,…} for a change. */
void
push_ws_change_msg(struct buf *b, const struct store_change *ch,
    const char *plural)
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
void
push_ws_reset_msg(struct buf *b, uint64_t seq)
{

	buf_printf(b, "{\"type\":\"reset\",\"seq\":%" PRIu64 "}", seq);
}

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

	if (push_client_attach(p, c, wsi, PUSH_KIND_WS, &status, &why) == -1) {
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
	if (push_client_enqueue(p, c, NULL, m, NULL) == -1)
		push_client_close(p, c, "slow consumer: queue full");
	push_msg_unref(m);
}

static void
send_error(struct push *p, struct push_client *c, const char *id,
    const char *message)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "{\"type\":\"error\",\"id\":");
	if (id != NULL)
		buf_add_json_string(&b, id, strlen(id));
	else
		buf_adds(&b, "null");
	buf_adds(&b, ",\"message\":");
	buf_add_json_string(&b, message, strlen(message));
	buf_addc(&b, '}');
	send_json(p, c, &b);
	buf_clear(&b);
}

static const char *
str_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct push_sub *
find_sub(struct push_client *c, const char *id)
{
	struct push_sub *s;

	for (s = c->subs; s != NULL; s = s->cnext)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

static const char *
do_subscribe(struct push *p, struct push_client *c, struct json_object *o,
    const char *id)
{
	struct subscription_spec spec;
	struct json_object *q, *v;
	struct json_object_iterator it, end;
	const char *coll, *why = NULL, *val;
	char num[32];

	if (find_sub(c, id) != NULL)
		return "subscription id already in use";
	if (c->nsubs >= p->max_subs)
		return "too many subscriptions on this connection";
	if ((coll = str_field(o, "collection")) == NULL)
		return "collection is required";
	subscription_spec_init(&spec);
	spec.coll = conf_collection_by_plural(p->conf, coll, strlen(coll));
	if (spec.coll == NULL)
		spec.coll = conf_collection_by_name(p->conf, coll);
	if (json_object_object_get_ex(o, "query", &q) && q != NULL) {
		if (!json_object_is_type(q, json_type_object)) {
			why = "query must be an object";
			goto out;
		}
		it = json_object_iter_begin(q);
		end = json_object_iter_end(q);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			v = json_object_iter_peek_value(&it);
			if (json_object_is_type(v, json_type_int)) {
				snprintf(num, sizeof(num), "%" PRId64,
				    json_object_get_int64(v));
				val = num;
			} else if (json_object_is_type(v, json_type_string))
				val = json_object_get_string(v);
			else {
				why = "query values must be strings or numbers";
				goto out;
			}
			if (subscription_spec_set(&spec,
			    json_object_iter_peek_name(&it), val, &why) == -1)
				goto out;
		}
	}
	if (subscription_spec_check(&spec, &why) == -1)
		goto out;
	if (push_subscribe(p, c, &spec, id) == NULL)
		why = "store unavailable, try again";
out:
	subscription_spec_clear(&spec);
	return why;
}

static const char *
do_changes(struct push *p, struct push_client *c, struct json_object *o)
{
	struct json_object *v;
	const char *coll;
	int64_t since;

	if ((coll = str_field(o, "collection")) != NULL) {
		c->filter = conf_collection_by_plural(p->conf, coll,
		    strlen(coll));
		if (c->filter == NULL)
			c->filter = conf_collection_by_name(p->conf, coll);
		if (c->filter == NULL)
			return "unknown collection";
	} else
		c->filter = NULL;
	if (!json_object_object_get_ex(o, "since", &v) || v == NULL) {
		push_raw_start(p, c, 0, 0);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    (since = json_object_get_int64(v)) < 0)
		return "since must be a non-negative integer";
	push_raw_start(p, c, 1, (uint64_t)since);
	return NULL;
}

static void
handle_message(struct push *p, struct push_client *c, const char *msg,
    size_t len)
{
	struct json_object *o;
	struct json_tokener *tok;
	const char *type, *id = NULL, *why = NULL;
	char idbuf[PUSH_WS_ID_MAX + 1];
	struct push_sub *s;
	struct buf b;

	tok = json_tokener_new_ex(16);
	o = json_tokener_parse_ex(tok, msg, (int)len);
	if (o == NULL || json_tokener_get_parse_end(tok) != len) {
		json_tokener_free(tok);
		json_object_put(o);
		send_error(p, c, NULL, "message is not valid JSON");
		return;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		why = "message must be a JSON object";
		goto out;
	}
	if ((id = str_field(o, "id")) != NULL) {
		if (strlen(id) == 0 || strlen(id) > PUSH_WS_ID_MAX) {
			id = NULL;
			why = "id must be 1 to 64 characters";
			goto out;
		}
		snprintf(idbuf, sizeof(idbuf), "%s", id);
		id = idbuf;
	}
	if ((type = str_field(o, "type")) == NULL) {
		why = "type is required";
		goto out;
	}
	if (strcmp(type, "subscribe") == 0) {
		why = id == NULL ? "id is required" : do_subscribe(p, c, o, id);
	} else if (strcmp(type, "unsubscribe") == 0) {
		if (id == NULL)
			why = "id is required";
		else if ((s = find_sub(c, id)) == NULL)
			why = "no such subscription";
		else {
			push_unsubscribe(p, s);
			buf_init(&b);
			buf_adds(&b, "{\"type\":\"unsubscribed\",\"id\":");
			buf_add_json_string(&b, id, strlen(id));
			buf_addc(&b, '}');
			send_json(p, c, &b);
			buf_clear(&b);
		}
	} else if (strcmp(type, "changes") == 0)
		why = do_changes(p, c, o);
	else
		why = "unknown message type";
out:
	if (why != NULL)
		send_error(p, c, id, why);
	json_object_put(o);
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
