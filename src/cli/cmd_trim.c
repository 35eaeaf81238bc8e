/* cmd_trim.c: strapi-live trim: change-log and event-log retention */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "api/prog.h"

int
cmd_trim(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep-changes", required_argument, NULL, 'c' },
		{ "keep-events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_retention r;
	uint64_t keep_c, keep_e, rc_, re_;
	const char *errstr = NULL;
	int ch;

	prog_retention(ctx->conf, &r);
	keep_c = r.changes_keep;
	keep_e = r.events_keep;
	while ((ch = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (ch == 'c')
			keep_c =
			    (uint64_t)strtonum(optarg, 0, INT64_MAX, &errstr);
		else if (ch == 'e')
			keep_e =
			    (uint64_t)strtonum(optarg, 0, INT64_MAX, &errstr);
		else
			return cmd_usage(ctx);
		if (errstr != NULL) {
			(void)cmd_fail(ctx, CMD_EXIT_USAGE, "%s: %s",
			    ch == 'c' ? "--keep-changes" : "--keep-events",
			    errstr);
			return cmd_usage(ctx);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx);
	r.changes_keep = keep_c;
	r.events_keep = keep_e;
	if (store_trim(ctx->store, &r, &rc_, &re_) == -1)
		return CMD_EXIT_STORE;
	printf("{\"removedChanges\":%" PRIu64 ",\"removedEvents\":%" PRIu64
	       ",\"keptChanges\":%" PRIu64 ",\"keptEvents\":%" PRIu64 "}\n",
	    rc_, re_, keep_c, keep_e);
	return CMD_EXIT_OK;
}
