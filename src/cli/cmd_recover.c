/* cmd_recover.c: strapi-live recover: recovery, and the regions made again */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "cli/cmd.h"

/*
 * main opened the store with STORE_OPEN_RECOVER: recovery ran and created
 * the shared regions again, with cache_size. What is left is to say the
 * size the environment now has.
 */
int
cmd_recover(struct cmd_ctx *ctx, int argc, char **argv)
{
	uint64_t bytes;

	if (cmd_operands(ctx, argc, argv) != 0)
		return cmd_usage(ctx);
	if (store_cache_size(ctx->store, &bytes) == -1)
		return CMD_EXIT_STORE;
	printf("recover: ok, cache %" PRIu64 " bytes\n", bytes);
	return CMD_EXIT_OK;
}
