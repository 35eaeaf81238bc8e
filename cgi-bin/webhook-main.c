/* webhook.c: webhook.fcgi, receives Strapi webhooks into the store */
#include "config.h"

#include "fcgi/fcgi.h"
#include "api/error.h"
#include "api/prog.h"
#include "node/relay.h"
#include "api/webhook.h"

/*
 * Replicated: the host's replication process (the sidecar) applies the
 * delivery, or forwards it to the master, and its answer is ours. When it
 * cannot be reached the delivery is refused, never dropped silently.
 */
static void
relay(const struct http_req *req, struct http_resp *resp, void *arg)
{
	const struct webhook_ctx *ctx = arg;
	const char *why;
	int timeout;

	/* Nothing unauthenticated reaches the sidecar (nor its store). */
	if (!webhook_authenticate(ctx, req, resp))
		return;
	/* The sidecar's own bounds: the ack wait, or a forward to the master. */
	timeout = 2 * (int)conf_int(ctx->conf, CFG_REPL_ACK_TIMEOUT) + 15000;
	if (relay_call(conf_str(ctx->conf, CFG_STORE_DIR), req, resp, timeout,
	    &why) == 0)
		return;
	http_resp_reset(resp);
	http_resp_header(resp, "Retry-After", "1");
	strapi_error(resp, 503, NULL, why, NULL);
	resp->note = "no-relay";
}

int
main(int argc UNUSED, char *argv[])
{
	struct prog p;
	struct webhook_ctx ctx;

	prog_start(&p, argv[0], PROG_WEBHOOK);
	ctx.conf = p.conf;
	ctx.store = p.store;
	ctx.forward = NULL; /* forwarding to a master is the sidecar's */
	ctx.counters = counters_open(conf_str(p.conf, CFG_STORE_DIR), 1);
	fcgi_set_max_requests((unsigned long long)conf_int(p.conf,
	    CFG_MAX_REQUESTS));
	if (p.store != NULL) {
		/* Checkpoints and retention after the answer, not before. */
		store_set_deferred(p.store, 1);
		fcgi_set_after(prog_after, &p);
	}
	prog_serve(&p, p.store != NULL ? webhook_handle : relay, &ctx,
	    (size_t)conf_int(p.conf, CFG_WEBHOOK_MAX_BODY));
	counters_close(ctx.counters);
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
