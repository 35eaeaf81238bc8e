/* webhook.c: webhook.fcgi, receives Strapi webhooks into the store */
#include "config.h"

#include "fcgi.h"
#include "prog.h"
#include "store_repl.h"
#ifdef HAVE_SYNC
#include "repl_forward.h"
#endif
#include "webhook.h"

/* A writer whose site became master since it started is restarted. */
static void
handle(const struct http_req *req, struct http_resp *resp, void *arg)
{
	const struct webhook_ctx *ctx = arg;

	webhook_handle(req, resp, arg);
	if (store_repl_wants_restart(ctx->store))
		fcgi_stop_after_request();
}

int
main(int argc UNUSED, char *argv[])
{
	struct prog p;
	struct webhook_ctx ctx;

	prog_start(&p, argv[0], PROG_WRITER);
	ctx.conf = p.conf;
	ctx.store = p.store;
#ifdef HAVE_SYNC
	ctx.forward = repl_forward; /* libcurl is there (issue 9) */
#else
	ctx.forward = NULL;
#endif
	fcgi_set_max_requests((unsigned long long)conf_int(p.conf,
	    CFG_MAX_REQUESTS));
	fcgi_set_idle(prog_idle, &p, PROG_IDLE_S);
	fcgi_serve(handle, &ctx,
	    (size_t)conf_int(p.conf, CFG_WEBHOOK_MAX_BODY));
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
