/* cmd_trim.c: strapi-live trim: change-log and event-log retention */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "api/prog.h"

static int
cmd_trim_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct store_retention r;
	uint64_t keep_c, keep_e, rc_, re_;
	const char *errstr;
	int i;

	prog_retention(ctx->conf, &r);
	keep_c = r.changes_keep;
	keep_e = r.events_keep;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--keep-changes") == 0 && i + 1 < argc)
			keep_c = (uint64_t)strtonum(argv[++i], 0, INT64_MAX,
			    &errstr);
		else if (strcmp(argv[i], "--keep-events") == 0 && i + 1 < argc)
			keep_e = (uint64_t)strtonum(argv[++i], 0, INT64_MAX,
			    &errstr);
		else
			errstr = "unknown option";
		if (errstr != NULL) {
			fprintf(stderr,
			    "strapi-live trim: %s\nusage: "
			    "strapi-live trim %s\n",
			    errstr, cmd_trim_entry.usage);
			return CMD_EXIT_USAGE;
		}
	}
	r.changes_keep = keep_c;
	r.events_keep = keep_e;
	if (store_trim(ctx->store, &r, &rc_, &re_) == -1)
		return CMD_EXIT_STORE;
	printf("{\"removedChanges\":%" PRIu64 ",\"removedEvents\":%" PRIu64
	       ",\"keptChanges\":%" PRIu64 ",\"keptEvents\":%" PRIu64 "}\n",
	    rc_, re_, keep_c, keep_e);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_trim_entry = { "trim",
	"[--keep-changes N] [--keep-events N]",
	"delete the oldest change-log and event-log records beyond the "
	"configured bounds (changes_keep, changes_max_bytes, changes_max_age, "
	"and the events_ ones; the writers apply them too, after their "
	"commits); subscribers resuming from a trimmed point are told to reset",
	1, cmd_trim_exec };
