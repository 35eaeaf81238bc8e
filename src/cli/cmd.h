/* cmd.h: the admin command line's command table and what commands share */
#ifndef CMD_H
#define CMD_H

#include <getopt.h>

#include "compat.h"

#include "conf/conf.h"
#include "store/store.h"

struct cmd_entry;

struct schema;

struct cmd_ctx {
	const struct cmd_entry *cmd; /* the command being run */
	struct conf *conf;
	struct store *store; /* opened by main when the command needs it */
	const struct schema *schema; /* the content model, or NULL */
};

/* What main does around a command, from its flags. */
enum cmd_flag {
	CMD_STORE = 0x1,    /* main opens the store (as its owner) first */
	CMD_READONLY = 0x2, /* only reads: a replicated store opens read-only */
	CMD_WRITES = 0x4,   /* writes: on a replica, refused (but --dry-run) */
	CMD_OWNER = 0x8,    /* opens the store itself, as its owner */
	CMD_RECOVERS = 0x10, /* main opens the store with recovery first */
};

struct cmd_entry {
	const char *name;
	const char *usage;
	const char *help;
	int flags; /* enum cmd_flag */
	int (*exec)(struct cmd_ctx *, int argc, char **argv);
};

/* The commands, in the order `strapi-live --help` lists them. */
enum cmd_id {
	CMD_BACKUP,
	CMD_DUMP,
	CMD_EVENTS,
	CMD_EXPLAIN,
	CMD_GEN_TYPES,
	CMD_IMPORT,
	CMD_MATERIALIZE,
	CMD_RECOVER,
	CMD_REPL_NODE,
	CMD_REPL_SITES,
	CMD_REPLAY,
	CMD_SCHEMA,
	CMD_STATIC_VERIFY,
	CMD_STATS,
	CMD_SYNC,
	CMD_TRIM,
	CMD_VERIFY,
	CMD__MAX
};

/* table.c; a command not built (sync without libcurl) has a NULL name. */
extern const struct cmd_entry cmd_table[CMD__MAX];

/* Exit codes (documented in strapi-live(8)). */
enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_FAIL = 1,     /* the command found a problem */
	CMD_EXIT_USAGE = 2,    /* bad arguments or configuration */
	CMD_EXIT_STORE = 3,    /* the store could not be opened or read */
	CMD_EXIT_UPSTREAM = 4, /* Strapi could not be reached or refused */
	CMD_EXIT_BUSY = 5      /* another sync is running */
};

/* The commands, one file each (cmd_<name>.c). */
int cmd_backup(struct cmd_ctx *, int, char **);
int cmd_dump(struct cmd_ctx *, int, char **);
int cmd_events(struct cmd_ctx *, int, char **);
int cmd_explain(struct cmd_ctx *, int, char **);
int cmd_gen_types(struct cmd_ctx *, int, char **);
int cmd_import(struct cmd_ctx *, int, char **);
int cmd_materialize(struct cmd_ctx *, int, char **);
int cmd_recover(struct cmd_ctx *, int, char **);
int cmd_repl_node(struct cmd_ctx *, int, char **);
int cmd_repl_sites(struct cmd_ctx *, int, char **);
int cmd_replay(struct cmd_ctx *, int, char **);
int cmd_schema(struct cmd_ctx *, int, char **);
int cmd_static_verify(struct cmd_ctx *, int, char **);
int cmd_stats(struct cmd_ctx *, int, char **);
int cmd_sync(struct cmd_ctx *, int, char **);
int cmd_trim(struct cmd_ctx *, int, char **);
int cmd_verify(struct cmd_ctx *, int, char **);

/* cmd.c */
int cmd_wants_help(int argc, char **argv);
int cmd_getopt_as(const char *who, int argc, char **argv, const char *shortopts,
    const struct option *longopts);
int cmd_getopt(const struct cmd_ctx *, int argc, char **argv,
    const char *shortopts, const struct option *longopts);
int cmd_operands(const struct cmd_ctx *, int argc, char **argv);
int cmd_collection_opt(const struct cmd_ctx *, int argc, char **argv,
    const struct collection **);
int cmd_usage(const struct cmd_ctx *);
int cmd_fail(const struct cmd_ctx *, int code, const char *fmt, ...)
    PRINTFLIKE(3, 4);

/* cmd_owner.c */
int cmd_owner_assume(const char *store_dir, const char *conf_file);

#endif
