/* cmd_verify.c: strapi-live verify: indexes agree, change log complete */
#include "config.h"

#include <stdio.h>

#include "cli/cmd.h"

static void
report(void *arg UNUSED, const char *problem)
{
	printf("problem: %s\n", problem);
}

int
cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	size_t problems = 0;

	if (cmd_operands(ctx, argc, argv) != 0)
		return cmd_usage(ctx);

	if (store_verify(ctx->store, report, NULL, &problems) == -1)
		return CMD_EXIT_STORE;
	if (problems > 0) {
		printf("verify: %zu problem(s)\n", problems);
		return CMD_EXIT_FAIL;
	}
	printf("verify: ok\n");
	return CMD_EXIT_OK;
}
