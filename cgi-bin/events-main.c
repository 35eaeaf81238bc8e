/* events-main.c: events.fcgi, the change stream for hosts without a daemon */
#include "config.h"

#include "api/events.h"
#include "fcgi/serve.h"

static struct events_ctx ctx;

static void
setup(struct prog *p, struct prog_main *m UNUSED)
{
	ctx.conf = p->conf;
	ctx.store = p->store;
	ctx.stopping = fcgi_shutting_down;
	ctx.cgi = fcgi_is_cgi();
	fcgi_set_write_timeout(
	    (int)conf_int(p->conf, CFG_EVENTS_WRITE_TIMEOUT) * 1000);
}

int
main(int argc UNUSED, char *argv[])
{
	struct prog_main m = { PROG_READER, events_handle, &ctx, 0, setup, NULL,
		1 };

	return prog_run(&m, argv);
}
