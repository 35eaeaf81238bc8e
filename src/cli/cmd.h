/* cmd.h: the admin command line's subcommand table */
#ifndef CMD_H
#define CMD_H

#include "conf/conf.h"
#include "store/store.h"

struct cmd_ctx {
	struct conf *conf;
	struct store *store; /* opened by main when the command needs it */
};

struct cmd_entry {
	const char *name;
	const char *usage;
	const char *help;
	int needs_store;
	int (*exec)(struct cmd_ctx *, int argc, char **argv);
};

/* Exit codes (documented in strapi-live(8)). */
enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_FAIL = 1,    /* the command found a problem */
	CMD_EXIT_USAGE = 2,   /* bad arguments or configuration */
	CMD_EXIT_STORE = 3,   /* the store could not be opened or read */
	CMD_EXIT_UPSTREAM = 4, /* Strapi could not be reached or refused */
	CMD_EXIT_BUSY = 5      /* another sync is running */
};

extern const struct cmd_entry cmd_dump_entry;
extern const struct cmd_entry cmd_gen_types_entry;
extern const struct cmd_entry cmd_import_entry;
extern const struct cmd_entry cmd_repl_node_entry;
extern const struct cmd_entry cmd_repl_sites_entry;
extern const struct cmd_entry cmd_stats_entry;
extern const struct cmd_entry cmd_verify_entry;
/* sync branch: */
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_events_entry;
extern const struct cmd_entry cmd_replay_entry;
extern const struct cmd_entry cmd_sync_entry;
extern const struct cmd_entry cmd_trim_entry;

int cmd_wants_help(int argc, char **argv);
/* cmd_owner.c */
int cmd_owner_assume(const char *store_dir, const char *conf_file);

#endif
