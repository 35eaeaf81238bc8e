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
	fcgi_set_idle(prog_idle, &p, PROG_IDLE_S);
	fcgi_serve(webhook_handle, &ctx,
	    (size_t)conf_int(p.conf, CFG_WEBHOOK_MAX_BODY));
	prog_finish(&p);
	return 0;
}
