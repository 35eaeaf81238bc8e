/* strapi-live.c: the admin command line: subcommand dispatch */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/prog.h"
#include "cli/cmd.h"
#include "util/log.h"
#include "store/store_repl.h"

/* clang-format off */
static const struct cmd_entry *cmd_table[] = {
	&cmd_backup_entry,
	&cmd_dump_entry,
	&cmd_events_entry,
	&cmd_gen_types_entry,
	&cmd_import_entry,
	&cmd_repl_node_entry,
	&cmd_repl_sites_entry,
	&cmd_replay_entry,
	&cmd_stats_entry,
#ifdef HAVE_SYNC
	&cmd_sync_entry,
#endif
	&cmd_trim_entry,
	&cmd_verify_entry,
};
/* clang-format on */
#define NCMDS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: strapi-live [--dump-config] COMMAND [ARGS]\n\n"
		   "commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmd_table[i]->name,
		    cmd_table[i]->help);
	fprintf(f, "\n'strapi-live COMMAND --help' describes one command.\n"
		   "Configuration: STRAPI_LIVE_CONFIG names the file; every "
		   "key can be set by environment.\n");
}

/* 1 when the arguments ask for --help / -h. */
int
cmd_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/*
 * On a replicated store the commands that only read open it read-only:
 * they then never start Replication Manager threads.
 */
static int
cmd_open_flags(const struct cmd_entry *cmd)
{
	static const char *const readers[] = { "dump", "events",
		"repl-sites", "stats", "verify" };
	size_t i;

	if (!store_repl_enabled())
		return 0;
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (strcmp(cmd->name, readers[i]) == 0)
			return STORE_OPEN_RDONLY;
	return 0;
}

/*
 * On a replicated store the commands that write run on the master only. A
 * replica refuses at once and names the master, instead of failing on
 * its first write (a dry run reads only, so it runs anywhere).
 */
static int
cmd_refused_here(const struct cmd_entry *cmd, struct store *st, int argc,
    char **argv)
{
	static const char *const writers[] = { "import", "replay", "sync",
		"trim" };
	char addr[STORE_REPL_ADDR_MAX];
	size_t i;
	int r, w = 0;

	if (!store_repl_enabled())
		return 0;
	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (strcmp(cmd->name, writers[i]) == 0)
			w = 1;
	for (i = 1; i < (size_t)argc; i++)
		if (strcmp(argv[i], "--dry-run") == 0)
			w = 0;
	if (!w || (r = store_repl_write_target(st, addr, sizeof(addr))) == 0)
		return 0;
	if (r == 1)
		fprintf(stderr, "strapi-live: this site is a replica; run '%s' "
		    "on the master (%s)\n", cmd->name, addr);
	else if (r == -2)
		fprintf(stderr, "strapi-live: a site that is not configured is "
		    "in the replication group (see 'strapi-live repl-sites'); "
		    "'%s' not run\n", cmd->name);
	else
		fprintf(stderr, "strapi-live: no writable master here (an "
		    "election is running, or this host's sidecar is not "
		    "running); '%s' not run\n", cmd->name);
	return 1;
}

int
main(int argc, char *argv[])
{
	const struct cmd_entry *cmd = NULL;
	struct cmd_ctx ctx;
	char *cause;
	size_t i;
	int rc;
	enum log_level lv = LOG_LEVEL_WARN;

	log_init("strapi-live", LOG_LEVEL_WARN);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CMD_EXIT_USAGE : CMD_EXIT_OK;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (conf_load(&ctx.conf, &cause) == -1) {
		fprintf(stderr, "strapi-live: configuration: %s\n", cause);
		free(cause);
		return CMD_EXIT_USAGE;
	}
	if (prog_repl_configure(ctx.conf, &cause) == -1) {
		fprintf(stderr, "strapi-live: configuration: %s\n", cause);
		free(cause);
		conf_free(ctx.conf);
		return CMD_EXIT_USAGE;
	}
	conf_log_warnings(ctx.conf);
	if (strcmp(argv[1], "--dump-config") == 0) {
		conf_dump(ctx.conf, stdout);
		conf_free(ctx.conf);
		return CMD_EXIT_OK;
	}
	if (log_level_parse(conf_str(ctx.conf, CFG_LOG_LEVEL), &lv) == 0 &&
	    lv == LOG_LEVEL_DEBUG)
		log_set_level(lv);
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmd_table[i]->name) == 0)
			cmd = cmd_table[i];
	if (cmd == NULL) {
		fprintf(stderr, "strapi-live: unknown command '%s'\n", argv[1]);
		usage(stderr);
		conf_free(ctx.conf);
		return CMD_EXIT_USAGE;
	}
	if (cmd_wants_help(argc - 1, argv + 1)) {
		printf("usage: strapi-live %s %s\n\n%s\n", cmd->name,
		    cmd->usage, cmd->help);
		conf_free(ctx.conf);
		return CMD_EXIT_OK;
	}
	if ((cmd->needs_store || strcmp(cmd->name, "repl-node") == 0) &&
	    cmd_owner_assume(conf_str(ctx.conf, CFG_STORE_DIR),
	        conf_path(ctx.conf)) == -1) {
		conf_free(ctx.conf);
		return CMD_EXIT_STORE;
	}
	if (cmd->needs_store &&
	    store_open(&ctx.store, conf_str(ctx.conf, CFG_STORE_DIR),
		cmd_open_flags(cmd)) == -1) {
		fprintf(stderr, "strapi-live: cannot open the store at %s\n",
		    conf_str(ctx.conf, CFG_STORE_DIR));
		conf_free(ctx.conf);
		return CMD_EXIT_STORE;
	}
	if (ctx.store != NULL)
		prog_wake_readers(ctx.store);
	if (cmd->needs_store && cmd_refused_here(cmd, ctx.store, argc - 1,
	    argv + 1))
		rc = CMD_EXIT_FAIL;
	else
		rc = cmd->exec(&ctx, argc - 1, argv + 1);
	if (ctx.store != NULL) /* gen-types opens no store */
		store_close(ctx.store);
	conf_free(ctx.conf);
	return rc;
}
