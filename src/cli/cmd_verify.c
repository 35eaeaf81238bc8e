/* cmd_verify.c: strapi-live verify: indexes agree, change log complete */
#include "config.h"

#include <stdio.h>

#include "cli/cmd.h"

static void
report(void *arg UNUSED, const char *problem)
{
	printf("problem: %s\n", problem);
}

static int
cmd_verify_exec(struct cmd_ctx *ctx, int argc UNUSED, char **argv UNUSED)
{
	size_t problems = 0;

	if (store_verify(ctx->store, report, NULL, &problems) == -1)
		return CMD_EXIT_STORE;
	if (problems > 0) {
		printf("verify: %zu problem(s)\n", problems);
		return CMD_EXIT_FAIL;
	}
	printf("verify: ok\n");
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_verify_entry = {
	"verify", "",
	"check that every index agrees with the entries and that the change "
	"log has no gap; exit 1 listing what is wrong",
	1, cmd_verify_exec
};
