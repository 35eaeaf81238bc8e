/* webhook.c: Strapi webhook deliveries -> store operations */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "entry.h"
#include "hmac.h"
#include "log.h"
#include "webhook.h"
#include "xmalloc.h"

/*
 * Checks the shared secret. With the default header (Authorization) the
 * value must be "Bearer <secret>"; any other header carries the bare
 * secret (x-webhook-secret style). Constant time. Returns 1 when it
 * matches; 0 otherwise, including when no secret is configured.
 */
int
webhook_check_secret(const struct conf *conf, const struct http_req *req)
{
	const char *secret = conf_str(conf, CFG_WEBHOOK_SECRET);
	const char *hname = conf_str(conf, CFG_WEBHOOK_HEADER);
	const char *v;

	if (secret[0] == '\0')
		return 0;
	v = strcasecmp(hname, "Authorization") == 0 ? http_req_bearer(req) :
	    http_req_header(req, hname);
	if (v == NULL)
		return 0;
	return hmac_equal(v, strlen(v), secret, strlen(secret));
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* X-Strapi-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>. */
static int
check_signature(const struct conf *conf, const struct http_req *req)
{
	const char *key = conf_str(conf, CFG_WEBHOOK_SIGNING_SECRET);
	const char *sig = http_req_header(req, "X-Strapi-Signature-256");
	unsigned char want[32], got[32];
	int i, hi, lo;

	if (sig == NULL || strncasecmp(sig, "sha256=", 7) != 0 ||
	    strlen(sig + 7) != 64)
		return 0;
	for (i = 0; i < 32; i++) {
		hi = hexval((unsigned char)sig[7 + 2 * i]);
		lo = hexval((unsigned char)sig[8 + 2 * i]);
		if (hi < 0 || lo < 0)
			return 0;
		got[i] = (unsigned char)(hi << 4 | lo);
	}
	hmac_sha256(key, strlen(key), req->body != NULL ? req->body : "",
	    req->body_len, want);
	return hmac_equal(want, 32, got, 32);
}

struct delivery {
	const struct webhook_ctx *ctx;
	const struct http_req *req;
	struct http_resp *resp;
	struct store_event ev;
};

/* Answers with an error and records the delivery in the event log. */
static void
reject(struct delivery *d, int status, const char *why, int keep_body)
{
	d->ev.status = status;
	d->ev.outcome = "rejected";
	d->ev.detail = why;
	if (keep_body && d->req->body != NULL) {
		d->ev.raw = d->req->body;
		d->ev.raw_len = d->req->body_len;
	}
	(void)store_log_event(d->ctx->store, &d->ev);
	http_resp_error(d->resp, status, why);
	d->resp->note = "rejected";
	log_info("webhook rejected (%d): %s", status, why);
}

static void
answer(struct delivery *d, const char *action, uint64_t seq)
{
	http_resp_json(d->resp, 200);
	buf_printf(&d->resp->body, "{\"ok\":true,\"action\":\"%s\",\"seq\":%"
	    PRIu64 "}", action, seq);
	d->resp->note = action;
}

/* 503 with the store's reason when it has one (read-only, disk full). */
static void
unavailable(struct delivery *d)
{
	const char *why = store_why(d->ctx->store);
	char msg[160];

	if (why != NULL)
		snprintf(msg, sizeof(msg), "store unavailable: %s; the delivery "
		    "was not stored", why);
	else
		snprintf(msg, sizeof(msg), "store unavailable: the delivery "
		    "was not stored");
	http_resp_error(d->resp, 503, msg);
	d->resp->note = "error";
}

/* An outcome that changes nothing public, logged in the event log. */
static void
answer_noop(struct delivery *d, const char *action)
{
	uint64_t seq = 0;

	d->ev.status = 200;
	d->ev.outcome = action;
	if (store_log_event(d->ctx->store, &d->ev) == -1 ||
	    store_last_seq(d->ctx->store, &seq) == -1) {
		unavailable(d);
		return;
	}
	answer(d, action, seq);
}

static const char *
str_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
has_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) && v != NULL;
}

static void
handle_entry_event(struct delivery *d, struct json_object *root,
    const char *event)
{
	const struct collection *coll;
	struct json_object *eo;
	const char *uid, *model, *why;
	struct entry e;
	enum store_op op;
	enum store_result r;
	uint64_t seq = 0;

	uid = str_field(root, "uid");
	model = str_field(root, "model");
	if ((has_field(root, "uid") && uid == NULL) ||
	    (has_field(root, "model") && model == NULL)) {
		reject(d, 422, "uid and model must be strings", 1);
		return;
	}
	if (uid == NULL && model == NULL) {
		reject(d, 422, "model or uid: missing", 1);
		return;
	}
	d->ev.model = model != NULL ? model : uid;
	if (!json_object_object_get_ex(root, "entry", &eo) || eo == NULL) {
		reject(d, 422, "entry: missing", 1);
		return;
	}
	if (!json_object_is_type(eo, json_type_object)) {
		reject(d, 422, "entry: must be an object", 1);
		return;
	}
	if ((coll = conf_collection_by_uid(d->ctx->conf, uid, model)) == NULL) {
		/* Not a collection we serve: fine, but say so. */
		answer_noop(d, "skipped");
		return;
	}
	entry_init(&e);
	if (entry_from_json(&e, coll, eo, &why) == -1) {
		reject(d, 422, why, 1);
		return;
	}
	d->ev.document_id = e.document_id;
	if (strcmp(event, "entry.create") == 0 ||
	    strcmp(event, "entry.update") == 0) {
		/*
		 * With draft & publish, create/update fire on every draft save
		 * with publishedAt null: storing those would leak drafts and
		 * replace the live version. Types without draft & publish send
		 * publishedAt set, and those are live.
		 */
		if (!entry_is_published(&e)) {
			answer_noop(d, "ignored-draft");
			goto out;
		}
		op = STORE_OP_UPSERT;
	} else if (strcmp(event, "entry.publish") == 0) {
		if (!entry_is_published(&e)) {
			reject(d, 422, "entry.publishedAt: null in "
			    "entry.publish", 1);
			goto out;
		}
		op = STORE_OP_UPSERT;
	} else if (strcmp(event, "entry.unpublish") == 0) {
		if (!entry_is_published(&e)) {
			reject(d, 422, "entry.publishedAt: null in "
			    "entry.unpublish", 1);
			goto out;
		}
		op = STORE_OP_REMOVE;
	} else if (strcmp(event, "entry.delete") == 0) {
		/* One per row (draft and published): the document is gone. */
		op = STORE_OP_DELETE;
	} else if (strcmp(event, "entry.draft-discard") == 0) {
		answer_noop(d, "ignored-draft");
		goto out;
	} else {
		answer_noop(d, "skipped");
		goto out;
	}
	d->ev.status = 200;
	r = store_apply(d->ctx->store, op, &e, &d->ev, &seq);
	switch (r) {
	case STORE_OK:
		answer(d, op == STORE_OP_UPSERT ? "upserted" : "removed", seq);
		break;
	case STORE_UNCHANGED:
		answer(d, "unchanged", seq);
		break;
	case STORE_STALE:
		log_info("webhook %s %s/%s: stale (older than stored)", event,
		    coll->name, e.document_id);
		answer(d, "stale", seq);
		break;
	default:
		unavailable(d);
		break;
	}
out:
	entry_clear(&e);
}

/* The part of a delivery after authentication: the body and the event. */
static void
deliver(struct delivery *d)
{
	const struct http_req *req = d->req;
	struct json_object *root = NULL;
	const char *why, *event;

	if (req->body == NULL || req->body_len == 0) {
		reject(d, 400, "body: empty", 0);
		return;
	}
	if ((root = entry_parse_json(req->body, req->body_len, &why)) == NULL) {
		reject(d, 400, why, 1);
		return;
	}
	if (!json_object_is_type(root, json_type_object)) {
		reject(d, 400, "body: must be a JSON object", 1);
		goto out;
	}
	if ((event = str_field(root, "event")) == NULL) {
		reject(d, 422, has_field(root, "event") ?
		    "event: must be a string" : "event: missing", 1);
		goto out;
	}
	d->ev.event = event;
	if (strncmp(event, "entry.", 6) == 0)
		handle_entry_event(d, root, event);
	else
		answer_noop(d, "skipped"); /* trigger-test, media.*, new ones */
out:
	json_object_put(root);
}

/*
 * Handles one webhook request: method, secret, content type, size,
 * signature, JSON, then the event. Every answer is JSON. Nothing is
 * stored for a rejected request except its event-log record (with the
 * raw body when the sender was authenticated, for replay after a fix).
 */
void
webhook_handle(const struct http_req *req, struct http_resp *resp,
    void *arg)
{
	struct delivery d;

	memset(&d, 0, sizeof(d));
	d.ctx = arg;
	d.req = req;
	d.resp = resp;
	d.ev.origin = STORE_ORIGIN_WEBHOOK;
	d.ev.event = http_req_header(req, "X-Strapi-Event");
	if (strcmp(req->method, "POST") != 0) {
		http_resp_header(resp, "Allow", "POST");
		http_resp_error(resp, 405, "only POST is accepted here");
		resp->note = "method";
		return;
	}
	if (conf_str(d.ctx->conf, CFG_WEBHOOK_SECRET)[0] == '\0') {
		http_resp_error(resp, 503, "no webhook secret is configured; "
		    "every delivery is refused");
		resp->note = "no-secret";
		log_warnx("webhook: no secret configured (webhook_secret); "
		    "refusing");
		return;
	}
	if (!webhook_check_secret(d.ctx->conf, req)) {
		reject(&d, 401, "Missing or invalid credentials", 0);
		return;
	}
	/* On a replica: to the master, never applied here (issue 9). */
	if (webhook_repl_route(d.ctx, req, resp))
		return;
	if (!http_ct_equal(req->content_type, "application/json", 16)) {
		reject(&d, 415, "Content-Type must be application/json", 0);
		return;
	}
	if (req->body_too_large) {
		reject(&d, 413, "body larger than webhook_max_body", 0);
		return;
	}
	if (conf_str(d.ctx->conf, CFG_WEBHOOK_SIGNING_SECRET)[0] != '\0' &&
	    !check_signature(d.ctx->conf, req)) {
		reject(&d, 401, "missing or invalid X-Strapi-Signature-256", 0);
		return;
	}
	deliver(&d);
}

/*
 * Re-applies a delivery kept in the event log (a failed one, after a
 * fix) as if it had just arrived authenticated: same parsing, same store
 * rules, recorded in the event log with origin "replay". Fills resp as
 * webhook_handle does; body is only read.
 */
void
webhook_replay(const struct webhook_ctx *ctx, const char *body, size_t len,
    struct http_resp *resp)
{
	struct http_req req;
	struct delivery d;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "(replay)";
	req.query = "";
	req.content_type = "application/json";
	req.content_length = (long long)len;
	req.body = (char *)(uintptr_t)body;
	req.body_len = len;
	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.req = &req;
	d.resp = resp;
	d.ev.origin = STORE_ORIGIN_REPLAY;
	deliver(&d);
}
