/* sync-main.c: sync.fcgi, runs a sync from Strapi on an authenticated POST */
#include "config.h"

#include "fcgi/serve.h"
#include "upstream/sync_fcgi.h"

static struct sync_ctx ctx;

static void
setup(struct prog *p, struct prog_main *m UNUSED)
{
	ctx.conf = p->conf;
	ctx.store = p->store;
	ctx.schema = p->schema;
}

int
main(int argc UNUSED, char *argv[])
{
	/* A sync request has no body worth reading. */
	struct prog_main m = { PROG_WRITER, sync_handle, &ctx, 4096, setup,
		NULL, 0 };

	return prog_run(&m, argv);
}
