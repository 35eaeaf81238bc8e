/* webhook-main.c: webhook.fcgi, receives Strapi webhooks into the store */
#include "config.h"

#include "api/error.h"
#include "api/webhook.h"
#include "fcgi/serve.h"
#include "node/relay.h"
#ifdef HAVE_SYNC
#include "upstream/refetch.h"
#endif

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

static struct webhook_ctx ctx;

static void
setup(struct prog *p, struct prog_main *m)
{
	ctx.conf = p->conf;
	ctx.store = p->store;
	ctx.schema = p->schema;
	ctx.forward = NULL; /* forwarding to a master is the sidecar's */
#ifdef HAVE_SYNC
	refetch_setup(&ctx); /* with strapi_url: incomplete deliveries */
#endif
	ctx.counters = counters_open(conf_str(p->conf, CFG_STORE_DIR), 1);
	m->max_body = (size_t)conf_int(p->conf, CFG_WEBHOOK_MAX_BODY);
	if (p->store == NULL) {
		m->handler = relay;
		return;
	}
	/* Checkpoints and retention after the answer, not before. */
	store_set_deferred(p->store, 1);
	fcgi_set_after(prog_after, p);
}

static void
finish(struct prog_main *m UNUSED)
{
	counters_close(ctx.counters);
}

int
main(int argc UNUSED, char *argv[])
{
	struct prog_main m = { PROG_WEBHOOK, webhook_handle, &ctx, 0, setup,
		finish, 0 };

	return prog_run(&m, argv);
}
