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

static int
cmd_dump_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct collection *c = NULL;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "--collection") == 0) {
		if ((c = conf_collection_by_name(ctx->conf, argv[2])) == NULL) {
			fprintf(stderr, "strapi-live dump: no collection "
			    "'%s'\n", argv[2]);
			return CMD_EXIT_USAGE;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: strapi-live dump [--collection NAME]\n");
		return CMD_EXIT_USAGE;
	}
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

const struct cmd_entry cmd_dump_entry = {
	"dump", "[--collection NAME]",
	"print every stored entry as one JSON line, in key order", 1,
	cmd_dump_exec
};
