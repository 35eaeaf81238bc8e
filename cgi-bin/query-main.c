/* query.c: query.fcgi, serves Strapi-shaped REST reads from the store */
#include "config.h"

#include "fcgi/fcgi.h"
#include "api/prog.h"
#include "api/query.h"

int
main(int argc UNUSED, char *argv[])
{
	struct prog p;
	struct query_ctx ctx;

	/* Opened once per process; every request reads in its own snapshot. */
	prog_start(&p, argv[0], PROG_READER);
	query_init(&ctx, p.conf, p.store);
	fcgi_set_max_requests((unsigned long long)conf_int(p.conf,
	    CFG_MAX_REQUESTS));
	prog_serve(&p, query_handle, &ctx, 0);
	query_clear(&ctx);
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
