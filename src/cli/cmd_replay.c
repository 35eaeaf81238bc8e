/* cmd_replay.c: strapi-live replay: re-apply failed webhook deliveries */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "api/prog.h"
#include "api/webhook.h"
#ifdef HAVE_SYNC
#include "upstream/refetch.h"
#endif
#include "util/xmalloc.h"

#define REPLAYED_KEY "replayed_upto"

struct kept {
	uint64_t id;
	char *raw;
	size_t len;
};

struct kept_list {
	uint64_t upto, only;
	struct kept *v;
	size_t n, cap;
};

/* Failed webhook deliveries whose body was kept, up to the start point. */
static int
collect(void *arg, uint64_t id, const char *summary, size_t len,
    const char *raw, size_t raw_len)
{
	struct kept_list *l = arg;

	if (id > l->upto)
		return 1;
	if (raw == NULL || raw_len == 0 || (l->only != 0 && id != l->only) ||
	    memmem(summary, len, "\"origin\":\"webhook\"", 18) == NULL)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 16 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].id = id;
	l->v[l->n].raw = xmalloc(raw_len);
	memcpy(l->v[l->n].raw, raw, raw_len);
	l->v[l->n].len = raw_len;
	l->n++;
	return 0;
}

int
cmd_replay(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct kept_list l;
	struct webhook_ctx wctx;
	struct schema *schema = NULL;
	const char *sdir = conf_str(ctx->conf, CFG_SCHEMA_DIR);
	char *cause = NULL;
	struct http_resp resp;
	const char *errstr = NULL;
	int64_t from = 0, evseq = 0;
	size_t i, failed = 0;
	int all = 0, rc = CMD_EXIT_OK, ch;

	memset(&l, 0, sizeof(l));
	while ((ch = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (ch == 'a')
			all = 1;
		else if (ch == 'i')
			l.only =
			    (uint64_t)strtonum(optarg, 1, INT64_MAX, &errstr);
		if (ch == '?' || errstr != NULL)
			return cmd_usage(ctx);
	}
	if (optind != argc)
		return cmd_usage(ctx);
	/* With schema_dir, a replayed delivery is normalized as a new one. */
	if (sdir[0] != '\0' && schema_load_dir(&schema, sdir, &cause) == -1) {
		fprintf(stderr, "replay: schema: %s\n", cause);
		free(cause);
		return CMD_EXIT_USAGE;
	}
	if (store_meta_get(ctx->store, "evseq", &evseq) == -1 ||
	    store_meta_get(ctx->store, REPLAYED_KEY, &from) == -1) {
		schema_free(schema);
		return CMD_EXIT_STORE;
	}
	if (all || l.only != 0)
		from = 0;
	l.upto = (uint64_t)evseq;
	if (store_events(ctx->store, (uint64_t)from, 1, collect, &l) == -1) {
		schema_free(schema);
		return CMD_EXIT_STORE;
	}
	store_set_durable(ctx->store, conf_bool(ctx->conf, CFG_DURABLE));
	prog_set_retention(ctx->conf, ctx->store);
	wctx.conf = ctx->conf;
	wctx.store = ctx->store;
	wctx.forward = NULL; /* replay runs on the master only */
	wctx.counters = NULL;
	wctx.schema = schema;
	wctx.refetch = NULL;
	wctx.resync = NULL;
#ifdef HAVE_SYNC
	refetch_setup(&wctx); /* with strapi_url: incomplete deliveries */
#endif
	for (i = 0; i < l.n; i++) {
		http_resp_init(&resp);
		webhook_replay(&wctx, l.v[i].raw, l.v[i].len, &resp);
		printf("{\"id\":%" PRIu64 ",\"status\":%d,\"answer\":%s}\n",
		    l.v[i].id, resp.status,
		    resp.body.len > 0 ? buf_cstr(&resp.body) : "null");
		if (resp.status >= 400)
			failed++;
		http_resp_clear(&resp);
		free(l.v[i].raw);
	}
	free(l.v);
	schema_free(schema);
	/* Replayed deliveries are not offered again; --all still sees them. */
	if (l.only == 0 &&
	    store_meta_set(ctx->store, REPLAYED_KEY, evseq) == -1)
		rc = CMD_EXIT_STORE;
	fprintf(stderr,
	    "replay: %zu delivery(ies) replayed, %zu still "
	    "failing\n",
	    l.n, failed);
	if (failed > 0 && rc == CMD_EXIT_OK)
		rc = CMD_EXIT_FAIL;
	return rc;
}
