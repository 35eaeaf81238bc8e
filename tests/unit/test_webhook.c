/* test_webhook.c: the webhook handler's answers, table-driven */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "util/hmac.h"
#include "api/http.h"
#include "util/log.h"
#include "store/store.h"
#include "tap.h"
#include "api/webhook.h"

#define PUB "{\"event\":\"entry.publish\",\"model\":\"article\"," \
	"\"uid\":\"api::article.article\",\"entry\":{\"id\":2," \
	"\"documentId\":\"doc1\",\"title\":\"Hi\",\"slug\":\"hi\"," \
	"\"category\":\"tech\",\"createdAt\":\"2026-11-22T22:24:16.973Z\"," \
	"\"updatedAt\":\"2026-11-22T22:24:19.716Z\"," \
	"\"publishedAt\":\"2026-11-22T22:24:19.733Z\"}}"
#define DRAFT DRAFT_AS("entry.update")
/* A draft (publishedAt null), sent as the given entry event. */
#define DRAFT_AS(ev)                                                  \
	"{\"event\":\"" ev "\",\"model\":\"article\","                \
	"\"uid\":\"api::article.article\",\"entry\":{\"id\":1,"       \
	"\"documentId\":\"doc2\",\"title\":\"Draft\",\"slug\":\"d\"," \
	"\"updatedAt\":\"2026-11-22T22:24:19.716Z\",\"publishedAt\":null}}"

struct row {
	const char *name;
	const char *method;
	const char *ctype;
	const char *auth;
	const char *body;
	int status;
	const char *want; /* substring of the answer */
};

/* clang-format off */
static const struct row rows[] = {
	{ "GET is refused", "GET", NULL, "Bearer s3cret", NULL, 405, "\"MethodNotAllowedError\"" },
	{ "no credentials", "POST", "application/json", NULL, PUB, 401, "UnauthorizedError" },
	{ "wrong secret", "POST", "application/json", "Bearer nope", PUB, 401, "Missing or invalid credentials" },
	{ "secret without Bearer", "POST", "application/json", "s3cret", PUB, 401, "UnauthorizedError" },
	{ "secret prefix only", "POST", "application/json", "Bearer s3cre", PUB, 401, "UnauthorizedError" },
	{ "text/plain", "POST", "text/plain", "Bearer s3cret", PUB, 415, "application/json" },
	{ "no content type", "POST", NULL, "Bearer s3cret", PUB, 415, "UnsupportedMediaTypeError" },
	{ "invalid JSON", "POST", "application/json", "Bearer s3cret", "{\"event\":", 400, "truncated" },
	{ "not an object", "POST", "application/json", "Bearer s3cret", "[1]", 400, "must be a JSON object" },
	{ "event missing", "POST", "application/json", "Bearer s3cret", "{\"model\":\"article\"}", 422, "event: missing" },
	{ "event not a string", "POST", "application/json", "Bearer s3cret", "{\"event\":5}", 422, "event: must be a string" },
	{ "model missing", "POST", "application/json", "Bearer s3cret", "{\"event\":\"entry.publish\",\"entry\":{}}", 422, "model or uid" },
	{ "entry missing", "POST", "application/json", "Bearer s3cret", "{\"event\":\"entry.publish\",\"model\":\"article\"}", 422, "entry: missing" },
	{ "documentId missing", "POST", "application/json", "Bearer s3cret", "{\"event\":\"entry.publish\",\"model\":\"article\",\"entry\":{\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}}", 422, "documentId" },
	{ "documentId wrong type", "POST", "application/json", "Bearer s3cret", "{\"event\":\"entry.publish\",\"model\":\"article\",\"entry\":{\"documentId\":[],\"updatedAt\":\"2026-11-22T22:24:19.716Z\"}}", 422, "documentId" },
	{ "draft update ignored", "POST", "application/json; charset=utf-8", "Bearer s3cret", DRAFT, 200, "\"action\":\"ignored-draft\"" },
	{ "draft create ignored", "POST", "application/json", "Bearer s3cret", DRAFT_AS("entry.create"), 200, "\"action\":\"ignored-draft\"" },
	{ "draft-discard ignored", "POST", "application/json", "Bearer s3cret", DRAFT_AS("entry.draft-discard"), 200, "\"action\":\"ignored-draft\"" },
	{ "publish without publishedAt", "POST", "application/json", "Bearer s3cret", DRAFT_AS("entry.publish"), 422, "entry.publishedAt: null in entry.publish\"" },
	{ "unpublish without publishedAt", "POST", "application/json", "Bearer s3cret", DRAFT_AS("entry.unpublish"), 422, "entry.publishedAt: null in entry.unpublish\"" },
	{ "unknown entry event skipped", "POST", "application/json", "Bearer s3cret", DRAFT_AS("entry.archive"), 200, "\"action\":\"skipped\"" },
	{ "trigger-test", "POST", "application/json", "Bearer s3cret", "{\"event\":\"trigger-test\",\"createdAt\":\"2026-11-22T22:24:19.716Z\"}", 200, "\"action\":\"skipped\"" },
	{ "media event", "POST", "application/json", "Bearer s3cret", "{\"event\":\"media.create\",\"media\":{\"id\":1}}", 200, "\"action\":\"skipped\"" },
	{ "unknown model", "POST", "application/json", "Bearer s3cret", "{\"event\":\"entry.publish\",\"model\":\"other\",\"uid\":\"api::other.other\",\"entry\":{\"documentId\":\"x\"}}", 200, "\"action\":\"skipped\"" },
	{ "publish", "POST", "application/json", "Bearer s3cret", PUB, 200, "\"action\":\"upserted\",\"seq\":1" },
	{ "publish again", "POST", "application/json", "bearer  s3cret", PUB, 200, "\"action\":\"unchanged\",\"seq\":1" },
};
/* clang-format on */

static char *envp[8];

static void
run(struct webhook_ctx *ctx, const struct row *r, struct http_resp *resp)
{
	struct http_req req;
	char auth[256];
	int n = 0;

	memset(&req, 0, sizeof(req));
	req.method = r->method;
	req.path = "/webhook";
	req.query = "";
	req.content_type = r->ctype;
	if (r->auth != NULL) {
		snprintf(auth, sizeof(auth), "HTTP_AUTHORIZATION=%s", r->auth);
		envp[n++] = auth;
	}
	envp[n] = NULL;
	req.env = envp;
	req.body = (char *)r->body;
	req.body_len = r->body != NULL ? strlen(r->body) : 0;
	req.content_length = (long long)req.body_len;
	http_resp_init(resp);
	webhook_handle(&req, resp, ctx);
}

static int
count_event(void *arg, uint64_t id UNUSED, const char *s UNUSED,
    size_t sl UNUSED, const char *raw, size_t rl UNUSED)
{
	int *n = arg;

	n[0]++;
	if (raw != NULL)
		n[1]++;
	return 0;
}

static const char *
fake_env(const char *name)
{
	if (strcmp(name, "STRAPI_LIVE_WEBHOOK_SECRET") == 0)
		return "s3cret";
	return NULL;
}

int
main(void)
{
	struct conf *conf;
	struct webhook_ctx ctx;
	struct http_resp resp;
	char dir[256], *cause = NULL;
	size_t i;
	int counts[2] = { 0, 0 };
	uint64_t seq;

	memset(&ctx, 0, sizeof(ctx)); /* no schema: flat entries */
	log_init("test_webhook", LOG_LEVEL_ERROR);
	tap_tmpdir(dir, sizeof(dir), "sl-webhook");
	conf = conf_new();
	if (conf_apply_env(conf, fake_env, &cause) == -1 ||
	    conf_finish(conf, &cause) == -1)
		fatalx("conf: %s", cause);
	ctx.conf = conf;
	if (store_open(&ctx.store, dir, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	store_set_durable(ctx.store, 0);
	ctx.counters = counters_open(dir, 1);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run(&ctx, &rows[i], &resp);
		ok(resp.status == rows[i].status &&
		    strstr(buf_cstr(&resp.body), rows[i].want) != NULL,
		    "%s: %d", rows[i].name, rows[i].status);
		if (resp.status != rows[i].status ||
		    strstr(buf_cstr(&resp.body), rows[i].want) == NULL)
			tap_diag("got %d %s", resp.status, resp.body.data);
		if (resp.status >= 400)
			ok(strncmp(buf_cstr(&resp.body), "{\"data\":null,"
			    "\"error\":{\"status\":", 30) == 0,
			    "%s: answered in Strapi's error shape",
			    rows[i].name);
		if (i == 0) {
			size_t hl;
			const char *h = http_resp_get_header(&resp, "Allow",
			    &hl);

			ok(h != NULL && hl == 4 && strncmp(h, "POST", 4) == 0,
			    "405 carries Allow: POST");
		}
		if (rows[i].status == 401)
			ok(strstr(buf_cstr(&resp.body), "s3cret") == NULL,
			    "%s: the secret is not echoed", rows[i].name);
		http_resp_clear(&resp);
	}
	/*
	 * Unauthenticated POSTs are counted, never stored: the four 401s are
	 * not in the event log, each kind has its own counter.
	 */
	ok(store_events(ctx.store, 0, 1, count_event, counts) >= 0 &&
	        counts[0] == 12 && counts[1] == 10,
	    "every rejected authenticated POST is in the event log (%d), "
	    "raw body kept for the readable ones (%d)",
	    counts[0], counts[1]);
	ok(counters_get(ctx.counters, COUNTER_AUTH_NO_HEADER) == 1 &&
	        counters_get(ctx.counters, COUNTER_AUTH_NO_BEARER) == 1 &&
	        counters_get(ctx.counters, COUNTER_AUTH_BAD_SECRET) == 2,
	    "unauthenticated POSTs are counted by kind (no header, no "
	    "Bearer, wrong secret) and not stored");
	ok(store_last_seq(ctx.store, &seq) == 0 && seq == 1,
	    "only the valid publish changed the store");

	/* A header other than Authorization carries the bare secret. */
	conf_free(conf);
	conf = conf_new();
	conf_apply_env(conf, fake_env, &cause);
	conf_parse_text(conf, "webhook_header = x-webhook-secret\n"
			      "webhook_signing_secret = sign-key\n",
	    "t", &cause);
	conf_finish(conf, &cause);
	ctx.conf = conf;
	{
		struct row r = { "x", "POST", "application/json", NULL, PUB, 0,
			"" };
		struct http_req req;
		char sig[128], hdr[64];
		unsigned char mac[32];
		int j;

		memset(&req, 0, sizeof(req));
		req.method = "POST";
		req.path = "/";
		req.query = "";
		req.content_type = r.ctype;
		req.body = (char *)PUB;
		req.body_len = strlen(PUB);
		snprintf(hdr, sizeof(hdr), "HTTP_X_WEBHOOK_SECRET=s3cret");
		envp[0] = hdr;
		envp[1] = NULL;
		req.env = envp;
		http_resp_init(&resp);
		webhook_handle(&req, &resp, &ctx);
		ok(resp.status == 401 && strstr(resp.body.data,
		    "X-Strapi-Signature-256") != NULL,
		    "with a signing secret, a missing signature is 401");
		http_resp_clear(&resp);
		hmac_sha256("sign-key", 8, PUB, strlen(PUB), mac);
		j = snprintf(sig, sizeof(sig), "HTTP_X_STRAPI_SIGNATURE_256="
		    "sha256=");
		for (int k = 0; k < 32; k++)
			j += snprintf(sig + j, sizeof(sig) - (size_t)j, "%02x",
			    mac[k]);
		envp[1] = sig;
		envp[2] = NULL;
		http_resp_init(&resp);
		webhook_handle(&req, &resp, &ctx);
		ok(resp.status == 200, "a correct signature and x-webhook-secret "
		    "header are accepted");
		http_resp_clear(&resp);
		sig[strlen(sig) - 1] = sig[strlen(sig) - 1] == '0' ? '1' : '0';
		http_resp_init(&resp);
		webhook_handle(&req, &resp, &ctx);
		ok(resp.status == 401, "a wrong signature is 401");
		http_resp_clear(&resp);
		ok(counters_get(ctx.counters, COUNTER_AUTH_BAD_SIGNATURE) == 2,
		    "missing and wrong signatures are counted, not stored");
		req.body = NULL;
		req.body_len = 0;
		req.body_too_large = 1;
		http_resp_init(&resp);
		webhook_handle(&req, &resp, &ctx);
		ok(resp.status == 413,
		    "a body too large to check the signature "
		    "of is 413, not 401 (%d)",
		    resp.status);
		http_resp_clear(&resp);
		req.body = (char *)PUB;
		req.body_len = strlen(PUB);
		req.body_too_large = 0;
		envp[0] = (char *)"HTTP_AUTHORIZATION=Bearer s3cret";
		envp[1] = sig;
		http_resp_init(&resp);
		webhook_handle(&req, &resp, &ctx);
		ok(resp.status == 401,
		    "Authorization is not read when another header is set");
		http_resp_clear(&resp);
	}

	/* No secret configured: every delivery is refused. */
	conf_free(conf);
	conf = conf_new();
	conf_finish(conf, &cause);
	ctx.conf = conf;
	run(&ctx, &rows[19], &resp);
	ok(resp.status == 503 && strstr(resp.body.data, "no webhook secret"),
	    "without a configured secret the webhook refuses (503)");
	http_resp_clear(&resp);

	counters_close(ctx.counters);
	store_close(ctx.store);
	conf_free(conf);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)!system(cmd);
	}
	return tap_done();
}
