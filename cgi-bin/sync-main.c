/* sync.c: sync.fcgi, runs a sync from Strapi on an authenticated POST */
#include "config.h"

#include "fcgi/fcgi.h"
#include "api/prog.h"
#include "upstream/sync_fcgi.h"

int
main(int argc UNUSED, char *argv[])
{
	struct prog p;
	struct sync_ctx ctx;

	prog_start(&p, argv[0], PROG_WRITER);
	ctx.conf = p.conf;
	ctx.store = p.store;
	/* A sync request has no body worth reading. */
	fcgi_set_max_requests((unsigned long long)conf_int(p.conf,
	    CFG_MAX_REQUESTS));
	prog_serve(&p, sync_handle, &ctx, 4096);
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
