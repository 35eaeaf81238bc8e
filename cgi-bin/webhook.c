/* webhook.c: webhook.fcgi, receives Strapi webhooks into the store */
#include "config.h"

#include "fcgi.h"
#include "prog.h"
#include "webhook.h"

int
main(int argc UNUSED, char *argv[])
{
	struct prog p;
	struct webhook_ctx ctx;

	prog_start(&p, argv[0], PROG_WRITER);
	ctx.conf = p.conf;
	ctx.store = p.store;
	fcgi_set_max_requests((unsigned long long)conf_int(p.conf,
	    CFG_MAX_REQUESTS));
	fcgi_serve(webhook_handle, &ctx,
	    (size_t)conf_int(p.conf, CFG_WEBHOOK_MAX_BODY));
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
