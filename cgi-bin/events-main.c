/* events.c: events.fcgi, the change stream for hosts without a daemon */
#include "config.h"

#include "api/events.h"
#include "fcgi/fcgi.h"
#include "api/prog.h"

int
main(int argc UNUSED, char *argv[])
{
	struct prog p;
	struct events_ctx ctx;

	prog_start(&p, argv[0], PROG_READER);
	ctx.conf = p.conf;
	ctx.store = p.store;
	ctx.stopping = fcgi_shutting_down;
	ctx.cgi = fcgi_is_cgi();
	fcgi_set_write_timeout(
	    (int)conf_int(p.conf, CFG_EVENTS_WRITE_TIMEOUT) * 1000);
	fcgi_set_max_requests((unsigned long long)conf_int(p.conf,
	    CFG_MAX_REQUESTS));
	prog_serve(&p, events_handle, &ctx, 0);
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
