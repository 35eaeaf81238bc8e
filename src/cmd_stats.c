/* cmd_stats.c: strapi-live stats: counts, sequence, last activity */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"
#include "repl.h"

static int
count_item(void *arg, const struct store_item *it UNUSED)
{
	(*(uint64_t *)arg)++;
	return 0;
}

static int
cmd_stats_exec(struct cmd_ctx *ctx, int argc UNUSED, char **argv UNUSED)
{
	uint64_t first, last, n;
	size_t i;

	if (store_change_bounds(ctx->store, &first, &last) == -1)
		return CMD_EXIT_STORE;
	printf("{\"store\":\"%s\",\"lastSeq\":%" PRIu64
	       ",\"firstSeq\":%" PRIu64 ",\"collections\":{",
	    store_dir(ctx->store), last, first);
	for (i = 0; i < conf_ncollections(ctx->conf); i++) {
		const struct collection *co = conf_collection(ctx->conf, i);

		n = 0;
		if (store_iter_entries(ctx->store, co->name, count_item, &n) ==
		    -1)
			return CMD_EXIT_STORE;
		printf("%s\"%s\":{\"entries\":%" PRIu64 "}", i ? "," : "",
		    co->plural, n);
	}
	printf("}");
	/* Replication (issue 9): role, master, lag. */
	{
		struct buf b;

		buf_init(&b);
		repl_status_json(ctx->store, &b);
		printf(",\"replication\":%s", buf_cstr(&b));
		buf_clear(&b);
	}
	printf("}\n");
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_stats_entry = {
	"stats", "", "print counts per collection and the change sequence "
	"as JSON", 1, cmd_stats_exec
};
