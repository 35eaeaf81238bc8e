/* table.c: the admin command line's commands, their help and their roles */
#include "config.h"

#include <stddef.h>

#include "cli/cmd.h"

/*
 * One row a command, indexed by enum cmd_id. The flags say what main does
 * before running it: open the store, read-only or not, and whether a
 * replica refuses it.
 */
/* clang-format off */
const struct cmd_entry cmd_table[CMD__MAX] = {
	[CMD_BACKUP] = { .name = "backup", .usage = "DIR",
	    .help = "copy the store into DIR (new or empty) while it is in use, as a "
	    "consistent snapshot, then open and verify the copy; the copy keeps "
	    "only the databases (no log, no region files)",
	    .flags = CMD_STORE, .exec = cmd_backup },
	[CMD_DUMP] = { .name = "dump", .usage = "[--collection NAME]",
	    .help = "print every stored entry as one JSON line, in key order",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_dump },
	[CMD_EVENTS] = { .name = "events",
	    .usage = "[--failed] [--after ID] [--limit N] [--raw]",
	    .help = "print the event log (every webhook delivery and its outcome) as JSON "
	    "lines, oldest first; --failed: only those answered 4xx/5xx; --raw: "
	    "with the kept body",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_events },
	[CMD_EXPLAIN] = { .name = "explain",
	    .usage = "[--collection NAME] QUERY",
	    .help = "print the plan of a list query (its query string, or "
	    "/api/<plural>?...): the filter tree, the sort, the index or scan "
	    "it reads and the bound",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_explain },
	[CMD_GEN_TYPES] = { .name = "gen-types", .usage = "[-o FILE] [-m MODULE]",
	    .help = "write TypeScript declarations for the configured collections\n"
	    "(to FILE, default stdout). They augment the browser client's\n"
	    "types; MODULE is how your code imports it (default "
	    "./strapi-live.js).",
	    .flags = 0, .exec = cmd_gen_types },
	[CMD_IMPORT] = { .name = "import", .usage = "[--collection NAME] FILE",
	    .help = "upsert published entries from a Strapi REST answer, a JSON array or "
	    "JSON lines (- for stdin)",
	    .flags = CMD_STORE | CMD_WRITES, .exec = cmd_import },
	[CMD_MATERIALIZE] = { .name = "materialize", .usage = "",
	    .help = "render every canonical answer into static_dir now (the writers "
	    "render them after each commit) and remove the files no longer in the "
	    "set (docs/static.md)",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_materialize },
	[CMD_RECOVER] = { .name = "recover", .usage = "",
	    .help = "run Berkeley DB recovery now, creating the environment's "
	    "shared regions again with the configured sizes (how a store "
	    "takes a new cache_size); the programs running leave the old "
	    "environment; prints the cache size in bytes",
	    .flags = CMD_STORE | CMD_WRITES | CMD_RECOVERS, .exec = cmd_recover },
	[CMD_REPL_NODE] = { .name = "repl-node", .usage = "",
	    .help = "run this host's replication process (Berkeley DB "
	    "Replication Manager) until SIGTERM",
	    .flags = CMD_OWNER, .exec = cmd_repl_node },
	[CMD_REPL_SITES] = { .name = "repl-sites", .usage = "[remove HOST:PORT]",
	    .help = "list the replication group's "
	    "members (exit 1 when one is not configured), or remove one",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_repl_sites },
	[CMD_REPLAY] = { .name = "replay", .usage = "[--all | --id ID]",
	    .help = "re-apply failed webhook deliveries kept in the event log (after a "
	    "fix), through the webhook's own rules; each is offered once unless "
	    "--all; exit 1 when some still fail",
	    .flags = CMD_STORE | CMD_WRITES, .exec = cmd_replay },
	[CMD_SCHEMA] = { .name = "schema", .usage = "pull | show",
	    .help = "pull: learn the content model from Strapi's content-type-builder "
	    "(STRAPI_URL, STRAPI_API_TOKEN: a Custom token with its read actions) and "
	    "keep it in the store, used without schema_dir when the programs start; "
	    "show: list its content types (exit 1 when none is kept)",
	    .flags = CMD_STORE | CMD_WRITES, .exec = cmd_schema },
	[CMD_STATIC_VERIFY] = { .name = "static-verify", .usage = "",
	    .help = "compare every file of static_dir with the store's answer for its "
	    "URL; exit 1 listing the stale, missing and left-over ones",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_static_verify },
	[CMD_STATS] = { .name = "stats", .usage = "",
	    .help = "print counts per collection, store size, the change "
	    "sequence, the last webhook and the last sync as JSON",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_stats },
#ifdef HAVE_SYNC
	[CMD_SYNC] = { .name = "sync",
	    .usage = "[--dry-run] [--collection NAME] [--no-prune] [--json] [--quiet] "
	    "[--retries N]",
	    .help = "pull every configured collection from Strapi's REST API (STRAPI_URL, "
	    "STRAPI_API_TOKEN), upsert it, and remove what Strapi no longer has",
	    .flags = CMD_STORE | CMD_WRITES, .exec = cmd_sync },
#endif
	[CMD_TRIM] = { .name = "trim", .usage = "[--keep-changes N] [--keep-events N]",
	    .help = "delete the oldest change-log and event-log records beyond the "
	    "configured bounds (changes_keep, changes_max_bytes, changes_max_age, "
	    "and the events_ ones; the writers apply them too, after their "
	    "commits); subscribers resuming from a trimmed point are told to reset",
	    .flags = CMD_STORE | CMD_WRITES, .exec = cmd_trim },
	[CMD_VERIFY] = { .name = "verify", .usage = "",
	    .help = "check that every index agrees with the entries and that the change "
	    "log has no gap; exit 1 listing what is wrong",
	    .flags = CMD_STORE | CMD_READONLY, .exec = cmd_verify },
};
/* clang-format on */
