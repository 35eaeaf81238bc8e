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

int
cmd_sync(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "collection", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-prune", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "retries", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct sync_opts o;
	struct sync_result r;
	struct bar b;
	struct buf j;
	const char *errstr;
	int ch, as_json = 0, quiet = 0, rc;

	sync_opts_init(&o);
	o.schema = ctx->schema;
	while ((ch = cmd_getopt(ctx, argc, argv, "nq", opts)) != -1) {
		switch (ch) {
		case 'c':
			o.collection = optarg;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'j':
			as_json = 1;
			break;
		case 'P':
			o.no_prune = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			o.retries = (int)strtonum(optarg, 0, 100, &errstr);
			if (errstr != NULL)
				return cmd_fail(ctx, CMD_EXIT_USAGE,
				    "--retries: %s", errstr);
			break;
		default:
			return cmd_usage(ctx);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx);
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
