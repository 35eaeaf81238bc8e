/* cmd_repl_node.c: strapi-live repl-node: this host's replication process */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/now.h"
#include "node/lag.h"
#include "store/store_repl.h"

/*
 * Runs the Replication Manager's threads for this host's store (owning
 * the replication address, taking part in elections) until SIGTERM, and
 * turns changes that replication applies here into wake-up datagrams for
 * the push sidecar, which then pushes them with the master's sequence
 * numbers. The push sidecar normally takes this role (prog_start with
 * PROG_PUSH); this command is for hosts that run no sidecar. Never both:
 * the second to start refuses (DB_REP_IGNORE).
 */

static volatile sig_atomic_t stop;

static void
on_signal(int sig UNUSED)
{
	stop = 1;
}

struct seen {
	struct repl_lag *lag;
	int64_t now;
};

static int
measure(void *arg, const struct store_change *c)
{
	struct seen *s = arg;

	repl_lag_add(s->lag, s->now - c->time_ms);
	s->lag->last_seq = c->seq;
	return 0;
}

static void
publish(struct store *st, struct repl_lag *lag)
{
	struct store_repl_status s;

	if (store_repl_status(st, &s) == -1)
		return;
	lag->updated_ms = (int64_t)time(NULL) * 1000;
	(void)repl_lag_write(store_dir(st), lag, store_repl_role_name(s.role),
	    s.master);
}

int
cmd_repl_node(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct repl_lag lag;
	struct seen seen;
	struct sigaction sa;
	struct timespec tick = { 0, 2 * 1000 * 1000 };
	uint64_t seq = 0, last = 0;
	int64_t last_pub = 0, ms;
	int dirty = 0;

	if (cmd_operands(ctx, argc, argv) != 0)
		return cmd_usage(ctx);
	if (!store_repl_enabled())
		return cmd_fail(ctx, CMD_EXIT_USAGE,
		    "replication is off (set repl_local)");
	log_set_level(LOG_LEVEL_INFO);
	if (store_open(&ctx->store, conf_str(ctx->conf, CFG_STORE_DIR),
	        STORE_OPEN_REPL_NODE) == -1)
		return CMD_EXIT_STORE;
	/* Until here SIGTERM ends a join or catch-up that is still waiting. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	memset(&lag, 0, sizeof(lag));
	if (store_last_seq(ctx->store, &last) == -1)
		return CMD_EXIT_STORE;
	lag.last_seq = last;
	publish(ctx->store, &lag);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		nanosleep(&tick, NULL);
		if (store_last_seq(ctx->store, &seq) == -1)
			return CMD_EXIT_STORE;
		ms = now_mono_ms();
		if (seq > last) {
			notify_send(store_dir(ctx->store), seq);
			seen.lag = &lag;
			seen.now = now_wall_ms();
			(void)store_changes_since(ctx->store, last, 10000,
			    measure, &seen);
			last = seq;
			dirty = 1;
		}
		if ((dirty && ms - last_pub >= 100) || ms - last_pub >= 1000) {
			publish(ctx->store, &lag);
			last_pub = ms;
			dirty = 0;
		}
	}
	log_info("replication process stopping");
	return CMD_EXIT_OK;
}
