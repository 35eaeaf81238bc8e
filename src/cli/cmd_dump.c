/* cmd_dump.c: strapi-live dump: stored entries as JSON lines */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

static int
print_item(void *arg UNUSED, const struct store_item *it)
{
	fwrite(it->json, 1, it->json_len, stdout);
	fputc('\n', stdout);
	return 0;
}

int
cmd_dump(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct collection *c = NULL;
	size_t i;
	int n;

	if ((n = cmd_collection_opt(ctx, argc, argv, &c)) == -1)
		return CMD_EXIT_USAGE;
	if (n != 0)
		return cmd_usage(ctx);
	for (i = 0; i < conf_ncollections(ctx->conf); i++) {
		const struct collection *co = conf_collection(ctx->conf, i);

		if (c != NULL && c != co)
			continue;
		if (store_iter_entries(ctx->store, co->name, print_item,
		        NULL) == -1)
			return CMD_EXIT_STORE;
	}
	return CMD_EXIT_OK;
}
