/* cmd_sync.c: strapi-live sync: pull Strapi's REST API into the store */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "api/prog.h"
#include "upstream/sync.h"

struct bar {
	int tty;
	int drawn;
};

static void
progress(void *arg, const struct sync_progress *p)
{
	struct bar *b = arg;
	char bar[31];
	size_t i, fill;

	if (!b->tty)
		return;
	fill = p->total > 0 ? (size_t)(p->done * 30 / p->total) : 30;
	if (fill > 30)
		fill = 30;
	for (i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr,
	    "\r\033[K%s%s%s page %" PRId64 "/%" PRId64 "  %" PRIu64 "/%" PRIu64
	    " entries [%s]",
	    p->collection, p->locale[0] != '\0' ? "@" : "", p->locale, p->page,
	    p->page_count, p->done, p->total, bar);
	fflush(stderr);
	b->drawn = 1;
}

static void
summary_line(const struct sync_result *r)
{
	const struct sync_counts *c;
	size_t i;

	printf("sync%s: %s in %.2f s", r->dry_run ? " (dry run)" : "",
	    sync_status_name(r->status), r->seconds);
	for (i = 0; i < r->ncolls; i++) {
		c = &r->colls[i].c;
		printf("%s %s: fetched %" PRIu64 ", %s %" PRIu64
		       ", unchanged %" PRIu64 ", stale %" PRIu64 ", %s %" PRIu64
		       "%s%s",
		    i == 0 ? ";" : ",", r->colls[i].coll->plural, c->fetched,
		    r->dry_run ? "would upsert" : "upserted", c->upserted,
		    c->unchanged, c->stale,
		    r->dry_run ? "would remove" : "removed", c->removed,
		    c->invalid > 0 ? ", invalid " : "",
		    c->invalid > 0 ? "yes" : "");
		if (!c->complete)
			printf(" (incomplete)");
	}
	printf("\n");
}

static int
exit_code(enum sync_status s)
{
	switch (s) {
	case SYNC_OK:
		return CMD_EXIT_OK;
	case SYNC_INCOMPLETE:
		return CMD_EXIT_FAIL;
	case SYNC_UPSTREAM:
	case SYNC_AUTH:
	case SYNC_BAD_ANSWER:
		return CMD_EXIT_UPSTREAM;
	case SYNC_STORE:
		return CMD_EXIT_STORE;
	case SYNC_BUSY:
		return CMD_EXIT_BUSY;
	case SYNC_USAGE:
		break;
	}
	return CMD_EXIT_USAGE;
}

static int
cmd_sync_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sync_opts o;
	struct sync_result r;
	struct bar b;
	struct buf j;
	const char *errstr;
	int i, as_json = 0, quiet = 0, rc;

	sync_opts_init(&o);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0 ||
		    strcmp(argv[i], "-n") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[i], "--no-prune") == 0)
			o.no_prune = 1;
		else if (strcmp(argv[i], "--json") == 0)
			as_json = 1;
		else if (strcmp(argv[i], "--quiet") == 0 ||
		    strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "--collection") == 0 && i + 1 < argc)
			o.collection = argv[++i];
		else if (strcmp(argv[i], "--retries") == 0 && i + 1 < argc) {
			o.retries = (int)strtonum(argv[++i], 0, 100, &errstr);
			if (errstr != NULL) {
				fprintf(stderr,
				    "strapi-live sync: --retries: "
				    "%s\n",
				    errstr);
				return CMD_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "usage: strapi-live sync %s\n",
			    cmd_sync_entry.usage);
			return CMD_EXIT_USAGE;
		}
	}
	memset(&b, 0, sizeof(b));
	b.tty = !quiet && !as_json && isatty(STDERR_FILENO);
	o.progress = progress;
	o.progress_arg = &b;
	store_set_durable(ctx->store, conf_bool(ctx->conf, CFG_DURABLE));
	prog_set_retention(ctx->conf, ctx->store);
	sync_run(ctx->conf, ctx->store, &o, &r);
	if (b.drawn)
		fprintf(stderr, "\r\033[K");
	if (r.error != NULL)
		fprintf(stderr, "strapi-live sync: %s\n", r.error);
	if (as_json) {
		buf_init(&j);
		sync_result_json(&r, &j);
		printf("%s\n", buf_cstr(&j));
		buf_clear(&j);
	} else if (!quiet || r.status != SYNC_OK)
		summary_line(&r);
	rc = exit_code(r.status);
	sync_result_clear(&r);
	return rc;
}

const struct cmd_entry cmd_sync_entry = { "sync",
	"[--dry-run] [--collection NAME] [--no-prune] [--json] [--quiet] "
	"[--retries N]",
	"pull every configured collection from Strapi's REST API (STRAPI_URL, "
	"STRAPI_API_TOKEN), upsert it, and remove what Strapi no longer has",
	1, cmd_sync_exec };
