/* query-main.c: query.fcgi, serves Strapi-shaped REST reads from the store */
#include "config.h"

#include "api/query.h"
#include "fcgi/serve.h"

static struct query_ctx ctx;

/* Opened once per process; every request reads in its own snapshot. */
static void
setup(struct prog *p, struct prog_main *m UNUSED)
{
	query_init(&ctx, p->conf, p->store);
	ctx.schema = p->schema;
}

static void
finish(struct prog_main *m UNUSED)
{
	query_clear(&ctx);
}

int
main(int argc UNUSED, char *argv[])
{
	struct prog_main m = { PROG_READER, query_handle, &ctx, 0, setup,
		finish, 0 };

	return prog_run(&m, argv);
}
