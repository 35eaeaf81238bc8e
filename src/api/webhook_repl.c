/* webhook_repl.c: webhooks that reach a replica go to the master */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/store_repl.h"
#include "api/error.h"
#include "api/webhook.h"
#include "util/xmalloc.h"

/*
 * Only the master applies webhooks. A delivery that reaches a replica is
 * never applied there: it is proxied to the master's webhook URL and the
 * master's answer is returned (upstream/forward.c). (A 307 to the master was
 * a mode once, repl_forward = redirect: Strapi posts with fetch, which
 * drops Authorization when it follows a cross-origin redirect, so the
 * master refused the delivery and Strapi never retried.) repl_webhook_urls
 * maps each site's replication address to its webhook URL. When no master
 * is known (an election is running), its URL is not configured, or it
 * cannot be reached, the answer is 503 with a JSON error and Retry-After:
 * the delivery is refused, never dropped silently. (Strapi itself does not
 * retry a failed webhook; see docs/replication.md.)
 */

/* The URL configured for addr ("host:port"), or NULL. Caller frees. */
static char *
master_url(const struct conf *conf, const char *addr)
{
	char *list, *tok, *save, *eq, *url = NULL;

	list = xstrdup(conf_str(conf, CFG_REPL_WEBHOOK_URLS));
	for (tok = strtok_r(list, " ,", &save); tok != NULL && url == NULL;
	     tok = strtok_r(NULL, " ,", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(tok, addr) == 0)
			url = xstrdup(eq + 1);
	}
	free(list);
	return url;
}

static void
unavailable(struct http_resp *resp, const char *why, const char *note)
{
	http_resp_header(resp, "Retry-After", "1");
	strapi_error(resp, 503, NULL, why, NULL);
	resp->note = note;
}

/*
 * Returns 0 when this process should apply the delivery, or 1 when resp
 * holds the answer (the master's, or 503).
 */
int
webhook_repl_route(const struct webhook_ctx *ctx, const struct http_req *req,
    struct http_resp *resp)
{
	char addr[STORE_REPL_ADDR_MAX];
	char *url;
	int r;

	if (!store_repl_enabled())
		return 0;
	r = store_repl_write_target(ctx->store, addr, sizeof(addr));
	if (r == 0)
		return 0;
	if (r == -2) {
		unavailable(resp,
		    "a site that is not configured joined the "
		    "replication group; writes are refused until it is removed; "
		    "the delivery was not stored",
		    "stranger");
		return 1;
	}
	if (r == -1) {
		unavailable(resp,
		    "no replication master is available; the "
		    "delivery was not stored",
		    "no-master");
		return 1;
	}
	/* Forwarded once already: the sender thought we were master. */
	if (http_req_header(req, "X-Strapi-Live-Forwarded") != NULL) {
		unavailable(resp,
		    "this site is no longer the master; the "
		    "delivery was not stored",
		    "not-master");
		return 1;
	}
	if ((url = master_url(ctx->conf, addr)) == NULL) {
		log_warnx("webhook: master %s has no URL in repl_webhook_urls",
		    addr);
		unavailable(resp,
		    "this site is a replica and the master's "
		    "webhook URL is not configured",
		    "no-master-url");
		return 1;
	}
	if (ctx->forward == NULL) {
		/* replay and webhook.fcgi: forwarding is the sidecar's. */
		unavailable(resp,
		    "this site is a replica; the delivery was "
		    "not stored",
		    "not-master");
	} else if (req->body_too_large) {
		strapi_error(resp, 413, NULL,
		    "body larger than webhook_max_body", NULL);
		resp->note = "too-large";
	} else if ((r = ctx->forward(url, store_repl_self(),
	                (int)conf_int(ctx->conf, CFG_REPL_ACK_TIMEOUT) + 10000,
	                req, resp)) == 0) {
		resp->note = "forwarded";
	} else if (r == -2) {
		unavailable(resp,
		    "the master failed while taking the delivery; "
		    "it may not have been stored",
		    "master-failed");
	} else {
		unavailable(resp,
		    "the master could not be reached; the "
		    "delivery was not stored",
		    "master-unreachable");
	}
	free(url);
	return 1;
}
