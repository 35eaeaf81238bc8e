/* cmd_repl_sites.c: strapi-live repl-sites: list and remove group members */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "store/store_repl.h"

/*
 * Lists the members of the replication group as this site's shared
 * region knows them, one per line:
 *
 *	ADDRESS  self|member  configured|STRANGER  [master]
 *
 * and, with "remove HOST:PORT", asks the master to remove a member (a
 * stranger the watchdog could not remove, or a site being retired; a
 * retired site must also leave the other sites' repl_sites). Exit 1 when
 * a stranger is listed or the removal failed.
 */

struct listing {
	unsigned strangers;
};

static void
print_site(void *arg, const struct store_repl_site *s)
{
	struct listing *l = arg;

	if (!s->configured)
		l->strangers++;
	/* Connections are per process: this one has none to show. */
	printf("%s %s %s%s\n", s->addr, s->self ? "self" : "member",
	    s->configured ? "configured" : "STRANGER",
	    s->master ? " master" : "");
}

int
cmd_repl_sites(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct listing l = { 0 };
	int n;

	if (!store_repl_enabled())
		return cmd_fail(ctx, CMD_EXIT_USAGE,
		    "replication is off (set repl_local)");
	n = cmd_operands(ctx, argc, argv);
	if (n == 2 && strcmp(argv[optind], "remove") == 0) {
		if (store_repl_remove_site(ctx->store, argv[optind + 1]) == -1)
			return cmd_fail(ctx, CMD_EXIT_FAIL,
			    "%s was not removed", argv[optind + 1]);
		printf("removed %s\n", argv[optind + 1]);
		return CMD_EXIT_OK;
	}
	if (n != 0)
		return cmd_usage(ctx);
	if (store_repl_sites(ctx->store, print_site, &l) == -1)
		return CMD_EXIT_STORE;
	return l.strangers > 0 ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}
