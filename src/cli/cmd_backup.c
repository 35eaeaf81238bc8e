/* cmd_backup.c: strapi-live backup: a consistent hot copy of the store */
#include "config.h"

#include <stdio.h>

#include "cli/cmd.h"

static void
report(void *arg UNUSED, const char *problem)
{
	fprintf(stderr, "backup: copy: %s\n", problem);
}

static int
cmd_backup_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store *copy;
	size_t problems = 0;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: strapi-live backup %s\n",
		    cmd_backup_entry.usage);
		return CMD_EXIT_USAGE;
	}
	if (store_backup(ctx->store, argv[1]) == -1) {
		fprintf(stderr, "strapi-live backup: the copy to %s failed\n",
		    argv[1]);
		return CMD_EXIT_STORE;
	}
	/* Prove the copy: it opens as a store and its indexes agree. */
	if (store_open(&copy, argv[1], STORE_OPEN_NO_NOTIFY) == -1) {
		fprintf(stderr,
		    "strapi-live backup: the copy in %s does not "
		    "open\n",
		    argv[1]);
		return CMD_EXIT_STORE;
	}
	rc = store_verify(copy, report, NULL, &problems);
	store_close(copy);
	/* Only what a restore needs: the databases, without log or regions. */
	if (rc == 0 && problems == 0 && store_backup_pack(argv[1]) == -1) {
		fprintf(stderr,
		    "strapi-live backup: the copy in %s could not "
		    "be reduced to its databases\n",
		    argv[1]);
		return CMD_EXIT_STORE;
	}
	if (rc == -1 || problems > 0) {
		fprintf(stderr,
		    "strapi-live backup: the copy in %s does not "
		    "verify\n",
		    argv[1]);
		return CMD_EXIT_FAIL;
	}
	printf("backup: %s: copied and verified\n", argv[1]);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_backup_entry = { "backup", "DIR",
	"copy the store into DIR (new or empty) while it is in use, as a "
	"consistent snapshot, then open and verify the copy; the copy keeps "
	"only the databases (no log, no region files)",
	1, cmd_backup_exec };
