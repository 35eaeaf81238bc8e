/* cmd_materialize.c: strapi-live materialize and static-verify */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "api/materialize.h"
#include "cli/cmd.h"
#include "util/now.h"

/* Both need static_dir; without it there is nothing to do. */
static int
need_dir(const struct cmd_ctx *ctx)
{
	if (conf_str(ctx->conf, CFG_STATIC_DIR)[0] != '\0')
		return 0;
	return cmd_fail(ctx, CMD_EXIT_USAGE,
	    "static_dir is not set (STRAPI_LIVE_STATIC_DIR)");
}

int
cmd_materialize(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct materialize_stats s;
	int64_t t0;

	if (cmd_operands(ctx, argc, argv) != 0)
		return cmd_usage(ctx);
	if (need_dir(ctx) != 0)
		return CMD_EXIT_USAGE;
	t0 = now_mono_ms();
	if (materialize_all(ctx->conf, ctx->store, ctx->schema, &s) == -1)
		return CMD_EXIT_STORE;
	printf("materialize: %zu answer(s), %" PRIu64 " bytes at seq %" PRIu64
	       ": %zu written, %zu removed in %" PRId64 " ms%s\n",
	    s.files, s.bytes, s.seq, s.written, s.removed, now_mono_ms() - t0,
	    s.capped ? " (static_max_files or static_max_bytes reached)" : "");
	return CMD_EXIT_OK;
}

static void
report(void *arg, const char *path, const char *problem)
{
	const char *dir = arg;

	printf("stale: %s/%s: %s\n", dir, path, problem);
}

int
cmd_static_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct materialize_stats s;
	size_t stale = 0;

	if (cmd_operands(ctx, argc, argv) != 0)
		return cmd_usage(ctx);
	if (need_dir(ctx) != 0)
		return CMD_EXIT_USAGE;
	if (materialize_verify(ctx->conf, ctx->store, ctx->schema, report,
	        (void *)conf_str(ctx->conf, CFG_STATIC_DIR), &s, &stale) == -1)
		return CMD_EXIT_STORE;
	if (stale > 0) {
		printf("static-verify: %zu stale file(s) of %zu at seq %" PRIu64
		       "\n",
		    stale, s.files, s.seq);
		return CMD_EXIT_FAIL;
	}
	printf("static-verify: ok, %zu file(s) at seq %" PRIu64 "\n", s.files,
	    s.seq);
	return CMD_EXIT_OK;
}
