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

static int
cmd_repl_sites_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct listing l = { 0 };

	if (!store_repl_enabled()) {
		fprintf(stderr,
		    "strapi-live repl-sites: replication is off "
		    "(set repl_local)\n");
		return CMD_EXIT_USAGE;
	}
	if (argc == 3 && strcmp(argv[1], "remove") == 0) {
		if (store_repl_remove_site(ctx->store, argv[2]) == -1) {
			fprintf(stderr,
			    "strapi-live repl-sites: %s was not "
			    "removed\n",
			    argv[2]);
			return CMD_EXIT_FAIL;
		}
		printf("removed %s\n", argv[2]);
		return CMD_EXIT_OK;
	}
	if (argc != 1) {
		fprintf(stderr,
		    "usage: strapi-live repl-sites [remove "
		    "HOST:PORT]\n");
		return CMD_EXIT_USAGE;
	}
	if (store_repl_sites(ctx->store, print_site, &l) == -1)
		return CMD_EXIT_STORE;
	return l.strangers > 0 ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

const struct cmd_entry cmd_repl_sites_entry = { "repl-sites",
	"[remove HOST:PORT]",
	"list the replication group's "
	"members (exit 1 when one is not configured), or remove one",
	1, cmd_repl_sites_exec };
