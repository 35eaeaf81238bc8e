/* cmd_stats.c: strapi-live stats: counts, sequence, last activity */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "model/entry.h"
#include "api/counters.h"
#include "node/lag.h"

static int
count_item(void *arg, const struct store_item *it UNUSED)
{
	(*(uint64_t *)arg)++;
	return 0;
}

/* Keeps the time of the newest webhook-origin event seen. */
static int
last_webhook(void *arg, uint64_t id UNUSED, const char *summary, size_t len,
    const char *raw UNUSED, size_t raw_len UNUSED)
{
	const char *t;

	if (memmem(summary, len, "\"origin\":\"webhook\"", 18) == NULL ||
	    strncmp(summary, "{\"time\":", 8) != 0)
		return 0;
	t = summary + 8;
	*(int64_t *)arg = strtoll(t, NULL, 10);
	return 0;
}

static void
print_time(const char *name, int64_t ms)
{
	char iso[64];

	if (ms <= 0) {
		printf(",\"%s\":null", name);
		return;
	}
	entry_format_time(ms, iso);
	printf(",\"%s\":\"%s\"", name, iso);
}

int
cmd_stats(struct cmd_ctx *ctx, int argc, char **argv)
{
	uint64_t first, last, n, bytes = 0;
	int64_t evseq = 0, last_sync = 0, last_try = 0, last_hook = 0;
	size_t i;

	if (cmd_operands(ctx, argc, argv) != 0)
		return cmd_usage(ctx);
	if (store_change_bounds(ctx->store, &first, &last) == -1 ||
	    store_meta_get(ctx->store, "evseq", &evseq) == -1 ||
	    store_meta_get(ctx->store, "last_sync", &last_sync) == -1 ||
	    store_meta_get(ctx->store, "last_sync_attempt", &last_try) == -1 ||
	    store_size(ctx->store, &bytes) == -1)
		return CMD_EXIT_STORE;
	/* The newest webhook is among the last records of the event log. */
	if (store_events(ctx->store, evseq > 1000 ? (uint64_t)evseq - 1000 : 0,
	        0, last_webhook, &last_hook) == -1)
		return CMD_EXIT_STORE;
	printf("{\"store\":\"%s\",\"lastSeq\":%" PRIu64 ",\"firstSeq\":%" PRIu64
	       ",\"collections\":{",
	    store_dir(ctx->store), last, first);
	for (i = 0; i < conf_ncollections(ctx->conf); i++) {
		const struct collection *co = conf_collection(ctx->conf, i);

		n = 0;
		if (store_iter_entries(ctx->store, co->name, count_item, &n) ==
		    -1)
			return CMD_EXIT_STORE;
		printf("%s\"%s\":{\"entries\":%" PRIu64 "}", i ? "," : "",
		    co->plural, n);
	}
	printf("},\"storeBytes\":%" PRIu64 ",\"lastEvent\":%" PRId64, bytes,
	    evseq);
	{
		struct buf b;
		uint64_t cb = 0, eb = 0;

		if (store_log_bytes(ctx->store, &cb, &eb) == -1)
			return CMD_EXIT_STORE;
		printf(",\"changeLogBytes\":%" PRIu64
		       ",\"eventLogBytes\":%" PRIu64,
		    cb, eb);
		if (store_cache_size(ctx->store, &cb) == -1)
			return CMD_EXIT_STORE;
		printf(",\"cacheBytes\":%" PRIu64, cb);
		buf_init(&b);
		counters_json(store_dir(ctx->store), &b);
		printf(",\"webhookRefused\":%s", buf_cstr(&b));
		buf_clear(&b);
	}
	print_time("lastWebhook", last_hook);
	print_time("lastSync", last_sync);
	print_time("lastSyncAttempt", last_try);
	/* Replication: role, master, lag. */
	{
		struct buf b;

		buf_init(&b);
		repl_status_json(ctx->store, &b);
		printf(",\"replication\":%s", buf_cstr(&b));
		buf_clear(&b);
	}
	printf("}\n");
	return CMD_EXIT_OK;
}
