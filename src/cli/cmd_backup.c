/* cmd_backup.c: strapi-live backup: a consistent hot copy of the store */
#include "config.h"

#include <stdio.h>

#include "cli/cmd.h"

static void
report(void *arg UNUSED, const char *problem)
{
	fprintf(stderr, "backup: copy: %s\n", problem);
}

int
cmd_backup(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store *copy;
	const char *dir;
	size_t problems = 0;
	int rc;

	if (cmd_operands(ctx, argc, argv) != 1 || argv[optind][0] == '-')
		return cmd_usage(ctx);
	dir = argv[optind];
	if (store_backup(ctx->store, dir) == -1)
		return cmd_fail(ctx, CMD_EXIT_STORE, "the copy to %s failed",
		    dir);
	/* Prove the copy: it opens as a store and its indexes agree. */
	if (store_open(&copy, dir, STORE_OPEN_DEFAULT) == -1)
		return cmd_fail(ctx, CMD_EXIT_STORE,
		    "the copy in %s does not open", dir);
	rc = store_verify(copy, report, NULL, &problems);
	store_close(copy);
	/* Only what a restore needs: the databases, without log or regions. */
	if (rc == 0 && problems == 0 && store_backup_pack(dir) == -1)
		return cmd_fail(ctx, CMD_EXIT_STORE,
		    "the copy in %s could not be reduced to its databases",
		    dir);
	if (rc == -1 || problems > 0)
		return cmd_fail(ctx, CMD_EXIT_FAIL,
		    "the copy in %s does not verify", dir);
	printf("backup: %s: copied and verified\n", dir);
	return CMD_EXIT_OK;
}
