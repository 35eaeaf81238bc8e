/* webhook.c: Strapi webhook deliveries -> store operations */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/error.h"
#include "api/counters.h"
#include "api/entry_doc.h"
#include "api/rich.h"
#include "model/entry.h"
#include "model/jsonget.h"
#include "model/normalize.h"
#include "model/schema.h"
#include "util/hmac.h"
#include "util/log.h"
#include "util/now.h"
#include "api/webhook.h"
#include "api/webhook_int.h"
#include "util/xmalloc.h"

/*
 * Checks the shared secret. With the default header (Authorization) the
 * value must be "Bearer <secret>"; any other header carries the bare
 * secret (x-webhook-secret style). Constant time. Returns WEBHOOK_AUTH_OK
 * when it matches, else why not (a secret must be configured).
 */
enum webhook_auth
webhook_check_secret(const struct conf *conf, const struct http_req *req)
{
	const char *secret = conf_str(conf, CFG_WEBHOOK_SECRET);
	const char *hname = conf_str(conf, CFG_WEBHOOK_HEADER);
	const char *v;

	if (strcasecmp(hname, "Authorization") == 0) {
		if (http_req_header(req, hname) == NULL)
			return WEBHOOK_AUTH_NO_HEADER;
		if ((v = http_req_bearer(req)) == NULL)
			return WEBHOOK_AUTH_NO_BEARER;
	} else if ((v = http_req_header(req, hname)) == NULL)
		return WEBHOOK_AUTH_NO_HEADER;
	if (secret[0] == '\0' ||
	    !hmac_equal(v, strlen(v), secret, strlen(secret)))
		return WEBHOOK_AUTH_BAD_SECRET;
	return WEBHOOK_AUTH_OK;
}

/*
 * 1 when s is a name fit for the event log: 1 to max bytes of letters,
 * digits and "._:-" (Strapi's event names and model uids). Anything else
 * a sender put in a header or a body field is not stored as a name.
 */
static int
name_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		if (n >= max ||
		    !(isalnum((unsigned char)s[n]) ||
		        strchr("._:-", s[n]) != NULL))
			return 0;
	}
	return n > 0;
}

#define WEBHOOK_MAX_NAME 64

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

/*
 * Answers an authenticated delivery with an error and records it in the
 * event log (with the raw body when keep_body is set, for replay).
 */
void
webhook_reject(struct delivery *d, int status, const char *why, int keep_body)
{
	d->ev.status = status;
	d->ev.outcome = "rejected";
	d->ev.detail = why;
	if (keep_body && d->req->body != NULL) {
		d->ev.raw = d->req->body;
		d->ev.raw_len = d->req->body_len;
	}
	(void)store_log_event(d->ctx->store, &d->ev);
	strapi_error(d->resp, status, NULL, why, NULL);
	d->resp->note = "rejected";
	log_info("webhook rejected (%d): %s", status, why);
}

static void
answer(struct delivery *d, const char *action, uint64_t seq)
{
	http_resp_json(d->resp, 200);
	buf_printf(&d->resp->body,
	    "{\"ok\":true,\"action\":\"%s\",\"seq\":%" PRIu64 "}", action, seq);
	d->resp->note = action;
}

/* 503 with the store's reason when it has one (read-only, disk full). */
static void
unavailable(struct delivery *d)
{
	const char *why = store_why(d->ctx->store);
	char msg[160];

	if (why != NULL)
		snprintf(msg, sizeof(msg),
		    "store unavailable: %s; the delivery "
		    "was not stored",
		    why);
	else
		snprintf(msg, sizeof(msg),
		    "store unavailable: the delivery "
		    "was not stored");
	strapi_error(d->resp, 503, NULL, msg, NULL);
	d->resp->note = "error";
}

/* An outcome that changes nothing public, logged in the event log. */
void
webhook_answer_noop(struct delivery *d, const char *action)
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

static int
has_field(struct json_object *o, const char *name)
{
	struct json_object *v;

	return json_object_object_get_ex(o, name, &v) && v != NULL;
}

/* What an entry event does to an entry whose publishedAt is null. */
enum on_draft {
	DRAFT_STORE,  /* what it says applies to drafts too */
	DRAFT_IGNORE, /* a draft save: nothing public changes */
	DRAFT_REJECT, /* must carry the published version: 422 */
};

/*
 * The entry events and what each does; any other is "skipped". With draft
 * & publish, create/update fire on every draft save with publishedAt
 * null: storing those would leak drafts and replace the live version.
 * Types without draft & publish send publishedAt set, and those are live.
 * A delete comes once per row (draft and published): the document is gone.
 */
static const struct entry_event {
	const char *name;
	enum store_op op;
	enum on_draft draft;
	const char *noop; /* non-NULL: nothing is stored; the action said */
} entry_events[] = {
	{ "entry.create", STORE_OP_UPSERT, DRAFT_IGNORE, NULL },
	{ "entry.update", STORE_OP_UPSERT, DRAFT_IGNORE, NULL },
	{ "entry.publish", STORE_OP_UPSERT, DRAFT_REJECT, NULL },
	{ "entry.unpublish", STORE_OP_REMOVE, DRAFT_REJECT, NULL },
	{ "entry.delete", STORE_OP_DELETE, DRAFT_STORE, NULL },
	{ "entry.draft-discard", STORE_OP_DELETE, DRAFT_STORE,
	    "ignored-draft" },
	{ NULL, STORE_OP_DELETE, DRAFT_STORE, NULL },
};

/*
 * Writes an entry of a type the schema describes: its stored form with
 * the public form for the change log and its references, and a media row
 * for every file it carried, in one transaction with the event record.
 * Returns the entry's result (STORE_ERR when nothing was written), with
 * *seq its change.
 */
static enum store_result
apply_rich(struct delivery *d, enum store_op op, struct store_doc *doc,
    const struct norm *n, uint64_t *seq)
{
	struct rich_batch b;
	enum store_result r = STORE_ERR;
	size_t at;

	rich_batch_init(&b);
	at = rich_batch_add(&b, d->ctx->schema, op, doc, n);
	if (store_apply_batch(d->ctx->store, b.w, b.nw, &d->ev) == 0) {
		/* As store_apply: the change's seq, or the last one. */
		r = b.w[at].result;
		if ((*seq = b.w[at].seq) == 0 &&
		    store_last_seq(d->ctx->store, seq) == -1)
			*seq = 0;
	}
	rich_batch_clear(&b);
	return r;
}

/* Answers a store result: what was done and the change's seq. */
static void
answer_result(struct delivery *d, enum store_op op, enum store_result r,
    const char *event, const char *collection, const char *doc_id, uint64_t seq)
{
	switch (r) {
	case STORE_OK:
		answer(d, op == STORE_OP_UPSERT ? "upserted" : "removed", seq);
		break;
	case STORE_UNCHANGED:
		answer(d, "unchanged", seq);
		break;
	case STORE_STALE:
		log_info("webhook %s %s/%s: stale (older than stored)", event,
		    collection, doc_id);
		answer(d, "stale", seq);
		break;
	default:
		unavailable(d);
		break;
	}
}

/*
 * media.create, media.update, media.delete (with a schema): the file is a
 * media row; a delete leaves a tombstone, so that older copies embedded
 * in entry payloads that arrive later do not bring it back.
 */
static void
handle_media_event(struct delivery *d, struct json_object *root,
    const char *event)
{
	struct json_object *mo = NULL;
	struct norm_media m;
	struct store_doc doc;
	enum store_op op;
	enum store_result r;
	const char *why;
	char id[24];
	uint64_t seq = 0;

	if (strcmp(event, "media.delete") == 0)
		op = STORE_OP_DELETE;
	else if (strcmp(event, "media.create") == 0 ||
	    strcmp(event, "media.update") == 0)
		op = STORE_OP_UPSERT;
	else {
		webhook_answer_noop(d, "skipped");
		return;
	}
	d->ev.model = RICH_MEDIA_COLLECTION;
	if (!json_object_object_get_ex(root, "media", &mo) || mo == NULL) {
		webhook_reject(d, 422, "media: missing", 1);
		return;
	}
	if (normalize_media(&m, mo, &why) == -1) {
		webhook_reject(d, 422, why, 1);
		return;
	}
	rich_media_doc(&doc, &m, id);
	d->ev.document_id = id;
	d->ev.status = 200;
	r = store_apply(d->ctx->store, op, &doc, &d->ev, &seq);
	answer_result(d, op, r, event, RICH_MEDIA_COLLECTION, id, seq);
	norm_media_clear(&m);
}

static void
handle_entry_event(struct delivery *d, struct json_object *root,
    const char *event)
{
	const struct entry_event *ee;
	const struct collection *coll;
	const struct schema_type *t;
	struct collection rich_coll;
	struct norm n;
	struct json_object *eo;
	const char *uid, *model, *why;
	char why_buf[96];
	struct entry e;
	struct store_doc doc;
	enum store_op op;
	enum store_result r;
	uint64_t seq = 0;
	int partial = 0;

	uid = jsonget_str(root, "uid");
	model = jsonget_str(root, "model");
	if ((has_field(root, "uid") && uid == NULL) ||
	    (has_field(root, "model") && model == NULL)) {
		webhook_reject(d, 422, "uid and model must be strings", 1);
		return;
	}
	if (uid == NULL && model == NULL) {
		webhook_reject(d, 422, "model or uid: missing", 1);
		return;
	}
	if (!name_ok(model != NULL ? model : uid, WEBHOOK_MAX_NAME * 2)) {
		webhook_reject(d, 422, "model or uid: not a model name", 1);
		return;
	}
	d->ev.model = model != NULL ? model : uid;
	if (!json_object_object_get_ex(root, "entry", &eo)) {
		webhook_reject(d, 422, "entry: missing", 1);
		return;
	}
	if (eo == NULL) {
		/* Strapi re-reads the row after its commit; it can be gone. */
		webhook_entry_null(d, uid, model);
		return;
	}
	if (!json_object_is_type(eo, json_type_object)) {
		webhook_reject(d, 422, "entry: must be an object", 1);
		return;
	}
	if ((coll = conf_collection_by_uid(d->ctx->conf, uid, model)) == NULL) {
		/* Not a collection we serve: fine, but say so. */
		webhook_answer_noop(d, "skipped");
		return;
	}
	norm_init(&n);
	if ((t = rich_type(d->ctx->schema, coll)) != NULL) {
		rich_coll = *coll;
		rich_index_fields(&rich_coll, t);
		coll = &rich_coll;
	}
	entry_init(&e);
	if (entry_from_json(&e, coll, eo, &why) == -1) {
		webhook_reject(d, 422, why, 1);
		return;
	}
	if (t != NULL &&
	    normalize_entry(&n, d->ctx->schema, t, eo, &why) == -1) {
		if (!webhook_refetchable(d, t, eo, &n)) {
			webhook_reject(d, 422, why, 1);
			goto out;
		}
		partial = 1;
	}
	d->ev.document_id = e.document_id;
	for (ee = entry_events; ee->name != NULL; ee++)
		if (strcmp(event, ee->name) == 0)
			break;
	if (ee->name == NULL || ee->noop != NULL) {
		webhook_answer_noop(d, ee->name == NULL ? "skipped" : ee->noop);
		goto out;
	}
	if (!entry_is_published(&e) && ee->draft != DRAFT_STORE) {
		if (ee->draft == DRAFT_IGNORE)
			webhook_answer_noop(d, "ignored-draft");
		else {
			snprintf(why_buf, sizeof(why_buf),
			    "entry.publishedAt: null in %s", ee->name);
			webhook_reject(d, 422, why_buf, 1);
		}
		goto out;
	}
	op = ee->op;
	if (partial && op == STORE_OP_UPSERT &&
	    webhook_refetch_entry(d, coll, t, &e, &n) == -1)
		goto out;
	d->ev.document_id = e.document_id;
	d->ev.status = 200;
	entry_doc(&doc, &e);
	if (t != NULL) {
		r = apply_rich(d, op, &doc, &n, &seq);
		if (r == STORE_OK && op == STORE_OP_UPSERT && t->localized &&
		    d->ctx->refetch != NULL)
			webhook_refetch_locales(d, coll, t, &e, &n);
	} else
		r = store_apply(d->ctx->store, op, &doc, &d->ev, &seq);
	answer_result(d, op, r, event, coll->name, e.document_id, seq);
out:
	norm_clear(&n);
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
		webhook_reject(d, 400, "body: empty", 0);
		return;
	}
	if ((root = entry_parse_json(req->body, req->body_len, &why)) == NULL) {
		webhook_reject(d, 400, why, 1);
		return;
	}
	if (!json_object_is_type(root, json_type_object)) {
		webhook_reject(d, 400, "body: must be a JSON object", 1);
		goto out;
	}
	if ((event = jsonget_str(root, "event")) == NULL) {
		webhook_reject(d, 422,
		    has_field(root, "event") ? "event: must be a string"
		                             : "event: missing",
		    1);
		goto out;
	}
	if (!name_ok(event, WEBHOOK_MAX_NAME)) {
		webhook_reject(d, 422,
		    "event: not an event name (letters, digits, "
		    "\"._:-\", at most 64)",
		    1);
		goto out;
	}
	d->ev.event = event;
	if (strncmp(event, "entry.", 6) == 0)
		handle_entry_event(d, root, event);
	else if (strncmp(event, "media.", 6) == 0 && d->ctx->schema != NULL)
		handle_media_event(d, root, event);
	else
		webhook_answer_noop(d,
		    "skipped"); /* trigger-test, media.*, new ones */
out:
	json_object_put(root);
}

/* What each refusal before authentication logs (never a header's value). */
static const char *
refusal_text(enum counter_id why)
{
	switch (why) {
	case COUNTER_AUTH_NO_HEADER:
		return "no secret header (Apache passes Authorization to "
		       "FastCGI only with CGIPassAuth On)";
	case COUNTER_AUTH_NO_BEARER:
		return "Authorization is not \"Bearer <secret>\"";
	case COUNTER_AUTH_BAD_SECRET:
		return "wrong secret";
	case COUNTER_AUTH_BAD_SIGNATURE:
		return "missing or invalid X-Strapi-Signature-256";
	default:
		break;
	}
	return "refused";
}

/*
 * A refusal before authentication: counted in the store directory's
 * counters file, logged at most once a second per process and kind of
 * refusal (with how many of that kind were not: a flood of wrong secrets
 * must not hide the missing header of a forgotten CGIPassAuth), and never
 * written to the store: an anonymous request must not cost the store a
 * byte, nor take a lock of its writers.
 */
static void
refuse(const struct webhook_ctx *ctx, const struct http_req *req,
    struct http_resp *resp, enum counter_id why, const char *msg)
{
	/* one for each kind: the refusal counters come first in counter_id */
	static int64_t last_sec[COUNTER_LAST_REJECT_MS];
	static uint64_t quiet[COUNTER_LAST_REJECT_MS];
	int64_t now = now_wall_ms(), prev;
	uint64_t q;
	size_t k = (size_t)why < COUNTER_LAST_REJECT_MS ? (size_t)why : 0;

	counters_add(ctx->counters, why, 1);
	counters_set(ctx->counters, COUNTER_LAST_REJECT_MS, (uint64_t)now);
	strapi_error(resp, 401, NULL, msg, NULL);
	resp->note = "unauthenticated";
	prev = __atomic_load_n(&last_sec[k], __ATOMIC_RELAXED);
	if (prev == now / 1000 ||
	    !__atomic_compare_exchange_n(&last_sec[k], &prev, now / 1000, 0,
	        __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		__atomic_fetch_add(&quiet[k], 1, __ATOMIC_RELAXED);
		return;
	}
	q = __atomic_exchange_n(&quiet[k], 0, __ATOMIC_RELAXED);
	if (q == 0)
		log_info("webhook refused (401) from %s: %s; nothing stored",
		    req->remote_addr != NULL ? req->remote_addr : "-",
		    refusal_text(why));
	else
		log_info("webhook refused (401) from %s: %s; nothing stored "
		         "(%" PRIu64
		         " more of this kind since the last such line)",
		    req->remote_addr != NULL ? req->remote_addr : "-",
		    refusal_text(why), q);
}

/*
 * The checks that come before anything is stored: method, a configured
 * secret, the secret, and the signature when one is configured. Returns 1
 * when the request may go on; else resp holds the answer (405, 503, 401)
 * and nothing was written anywhere but the counters file.
 */
int
webhook_authenticate(const struct webhook_ctx *ctx, const struct http_req *req,
    struct http_resp *resp)
{
	enum webhook_auth a;

	if (!strapi_post_only(req, resp))
		return 0;
	if (conf_str(ctx->conf, CFG_WEBHOOK_SECRET)[0] == '\0') {
		strapi_error(resp, 503, NULL,
		    "no webhook secret is configured; "
		    "every delivery is refused",
		    NULL);
		resp->note = "no-secret";
		log_warnx("webhook: no secret configured (webhook_secret); "
		          "refusing");
		return 0;
	}
	if ((a = webhook_check_secret(ctx->conf, req)) != WEBHOOK_AUTH_OK) {
		refuse(ctx, req, resp,
		    a == WEBHOOK_AUTH_NO_HEADER       ? COUNTER_AUTH_NO_HEADER
		        : a == WEBHOOK_AUTH_NO_BEARER ? COUNTER_AUTH_NO_BEARER
		                                      : COUNTER_AUTH_BAD_SECRET,
		    "Missing or invalid credentials");
		return 0;
	}
	/* A body too large to read is answered 413 by webhook_handle. */
	if (conf_str(ctx->conf, CFG_WEBHOOK_SIGNING_SECRET)[0] != '\0' &&
	    !req->body_too_large && !check_signature(ctx->conf, req)) {
		refuse(ctx, req, resp, COUNTER_AUTH_BAD_SIGNATURE,
		    "missing or invalid X-Strapi-Signature-256");
		return 0;
	}
	return 1;
}

/*
 * Handles one webhook request: authentication (webhook_authenticate),
 * content type, size, JSON, then the event. Every answer is JSON.
 * Nothing is stored for a request that fails authentication; an
 * authenticated delivery that is rejected gets an event-log record (with
 * the raw body when it was readable, for replay after a fix).
 */
void
webhook_handle(const struct http_req *req, struct http_resp *resp, void *arg)
{
	struct delivery d;
	const char *ev;

	memset(&d, 0, sizeof(d));
	d.ctx = arg;
	d.req = req;
	d.resp = resp;
	d.ev.origin = STORE_ORIGIN_WEBHOOK;
	if (!webhook_authenticate(d.ctx, req, resp))
		return;
	/* A header's value is stored only when it is a plain event name. */
	ev = http_req_header(req, "X-Strapi-Event");
	d.ev.event = name_ok(ev, WEBHOOK_MAX_NAME) ? ev : NULL;
	/* On a replica: to the master, never applied here. */
	if (webhook_repl_route(d.ctx, req, resp))
		return;
	if (!http_ct_equal(req->content_type, "application/json", 16)) {
		webhook_reject(&d, 415, "Content-Type must be application/json",
		    0);
		return;
	}
	if (req->body_too_large) {
		webhook_reject(&d, 413, "body larger than webhook_max_body", 0);
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
