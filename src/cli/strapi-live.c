/* strapi-live.c: the admin command line: global options, then a command */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/materialize.h"
#include "api/prog.h"
#include "model/entry.h"
#include "api/qlang.h"
#include "model/schema.h"
#include "cli/cmd.h"
#include "util/log.h"
#include "store/store_repl.h"

/* The command called name, or NULL. */
static const struct cmd_entry *
find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < CMD__MAX; i++)
		if (cmd_table[i].name != NULL &&
		    strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: strapi-live [--dump-config] COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < CMD__MAX; i++)
		if (cmd_table[i].name != NULL)
			fprintf(f, "  %-10s %s\n", cmd_table[i].name,
			    cmd_table[i].help);
	fprintf(f,
	    "\n'strapi-live COMMAND --help' describes one command.\n"
	    "Configuration: STRAPI_LIVE_CONFIG names the file; every "
	    "key can be set by environment.\n");
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
	char addr[STORE_REPL_ADDR_MAX];
	int i, r;

	if (!store_repl_enabled() || (cmd->flags & CMD_WRITES) == 0)
		return 0;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--dry-run") == 0)
			return 0;
	if ((r = store_repl_write_target(st, addr, sizeof(addr))) == 0)
		return 0;
	if (r == 1)
		fprintf(stderr,
		    "strapi-live: this site is a replica; run '%s' "
		    "on the master (%s)\n",
		    cmd->name, addr);
	else if (r == -2)
		fprintf(stderr,
		    "strapi-live: a site that is not configured is "
		    "in the replication group (see 'strapi-live repl-sites'); "
		    "'%s' not run\n",
		    cmd->name);
	else
		fprintf(stderr,
		    "strapi-live: no writable master here (an "
		    "election is running, or this host's sidecar is not "
		    "running); '%s' not run\n",
		    cmd->name);
	return 1;
}

/*
 * Opens the store for a command that needs it, as its owner. On a
 * replicated store the commands that only read open it read-only: they
 * then never start Replication Manager threads. Returns 0 or an exit code.
 */
static int
open_store(struct cmd_ctx *ctx)
{
	const char *dir = conf_str(ctx->conf, CFG_STORE_DIR);
	int flags = 0;

	if ((ctx->cmd->flags & (CMD_STORE | CMD_OWNER)) == 0)
		return 0;
	if (cmd_owner_assume(dir, conf_path(ctx->conf)) == -1)
		return CMD_EXIT_STORE;
	if ((ctx->cmd->flags & CMD_STORE) == 0)
		return 0;
	if (store_repl_enabled() && (ctx->cmd->flags & CMD_READONLY) != 0)
		flags = STORE_OPEN_RDONLY;
	if ((ctx->cmd->flags & CMD_RECOVERS) != 0) {
		/* Replicated, the replication process recovers the store. */
		if (store_repl_enabled()) {
			fprintf(stderr,
			    "strapi-live: '%s' is not for a "
			    "replicated store\n",
			    ctx->cmd->name);
			return CMD_EXIT_USAGE;
		}
		flags |= STORE_OPEN_RECOVER;
	}
	store_set_cache_size((uint64_t)conf_int(ctx->conf, CFG_CACHE_SIZE));
	if (store_open(&ctx->store, dir, flags) == -1) {
		fprintf(stderr, "strapi-live: cannot open the store at %s\n",
		    dir);
		return CMD_EXIT_STORE;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dump-config", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_ctx ctx;
	struct schema *schema;
	char *cause;
	int ch, dump = 0, rc;
	enum log_level lv = LOG_LEVEL_WARN;

	log_init("strapi-live", LOG_LEVEL_WARN);
	store_set_id_reader(entry_id_of); /* the default order's index */
	/* "+": the options before the command only; the command has its own. */
	while (
	    (ch = cmd_getopt_as("strapi-live", argc, argv, "h", opts)) != -1) {
		switch (ch) {
		case 'D':
			dump = 1;
			break;
		case 'h':
			usage(stdout);
			return CMD_EXIT_OK;
		default: /* cmd_getopt_as said what is wrong */
			usage(stderr);
			return CMD_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "help") == 0) {
		usage(stdout);
		return CMD_EXIT_OK;
	}
	if (argc == 0 && !dump) {
		usage(stderr);
		return CMD_EXIT_USAGE;
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
	/* The collections' REST names, from the content model when set. */
	if (prog_load_schema(ctx.conf, &schema, &cause) == -1) {
		fprintf(stderr, "strapi-live: schema: %s\n", cause);
		free(cause);
		conf_free(ctx.conf);
		return CMD_EXIT_USAGE;
	}
	ctx.schema = schema;
	if (dump) {
		conf_dump(ctx.conf, stdout);
		schema_free(schema);
		conf_free(ctx.conf);
		return CMD_EXIT_OK;
	}
	if (log_level_parse(conf_str(ctx.conf, CFG_LOG_LEVEL), &lv) == 0 &&
	    lv == LOG_LEVEL_DEBUG)
		log_set_level(lv);
	if ((ctx.cmd = find_cmd(argv[0])) == NULL) {
		fprintf(stderr, "strapi-live: unknown command '%s'\n", argv[0]);
		usage(stderr);
		schema_free(schema);
		conf_free(ctx.conf);
		return CMD_EXIT_USAGE;
	}
	if (cmd_wants_help(argc, argv)) {
		printf("usage: strapi-live %s %s\n\n%s\n", ctx.cmd->name,
		    ctx.cmd->usage, ctx.cmd->help);
		schema_free(schema);
		conf_free(ctx.conf);
		return CMD_EXIT_OK;
	}
	if ((rc = open_store(&ctx)) != 0) {
		schema_free(schema);
		conf_free(ctx.conf);
		return rc;
	}
	if (ctx.store != NULL)
		prog_wake_readers(ctx.store);
	/* Without schema_dir, the model schema pull kept (names and all). */
	if (ctx.store != NULL && ctx.cmd != &cmd_table[CMD_SCHEMA] &&
	    prog_load_stored_schema(ctx.conf, ctx.store, &schema, &cause) ==
	        -1) {
		fprintf(stderr, "strapi-live: schema: %s\n", cause);
		free(cause);
		store_close(ctx.store);
		conf_free(ctx.conf);
		return CMD_EXIT_USAGE;
	}
	/* The attribute indexes, once the attributes' types are known. */
	if (ctx.store != NULL && ctx.cmd != &cmd_table[CMD_SCHEMA] &&
	    qlang_index_open(ctx.store, ctx.conf, schema, &cause) == -1) {
		fprintf(stderr, "strapi-live: configuration: %s\n", cause);
		free(cause);
		store_close(ctx.store);
		schema_free(schema);
		conf_free(ctx.conf);
		return CMD_EXIT_USAGE;
	}
	ctx.schema = schema;
	/* The command parses its own options: getopt starts afresh. */
	optind = 0;
	if (ctx.store != NULL &&
	    cmd_refused_here(ctx.cmd, ctx.store, argc, argv))
		rc = CMD_EXIT_FAIL;
	else
		rc = ctx.cmd->exec(&ctx, argc, argv);
	/* static_dir: what the command committed (sync, import, replay) */
	if (ctx.store != NULL)
		(void)materialize_pending(ctx.conf, ctx.store, schema);
	if (ctx.store != NULL) /* gen-types opens no store */
		store_close(ctx.store);
	schema_free(schema);
	conf_free(ctx.conf);
	return rc;
}
