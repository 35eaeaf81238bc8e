/* store_int.h: the store's internals, shared by store*.c only */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sys/types.h>

#include <db.h>

#include "store/store.h"
#include "store/store_key.h"

struct store {
	char *dir;
	int flags;
	int durable;
	DB_ENV *env;
	DB *entries;
	DB *by_slug, *by_time, *by_category; /* associated secondaries */
	DB *by_time_raw, *by_category_raw;   /* same files, for recno ops */
	DB *tombs;
	DB *changes;
	DB *events;
	DB *meta;
	struct buf k1, k2, v1; /* scratch, reused across calls */
	struct store_repl *repl; /* replication state, NULL when off */
	int regfd;		 /* __db.register, for store_check (-1) */
	int env_known;		 /* env_id and env_ino are set */
	unsigned char env_id[40]; /* the environment's region header */
	ino_t env_ino;
	char *env_path;  /* <dir>/__db.001, for store_check */
	const char *why; /* the last failure's cause (store_why), or NULL */
	int handles_dead; /* a replication rollback invalidated them */
	struct store_retention retain; /* all 0: the writers trim nothing */
	unsigned commits;              /* since the last retention pass */
	int64_t retained_ms;           /* when that pass ran (monotonic) */
	uint64_t chbytes, evbytes;     /* as the last commit left them */
	int deferred;                  /* store_set_deferred */
	int committed;                 /* since the last store_maintain */
	int needs_recovery; /* a call saw DB_RUNRECOVERY (store_recover) */
	int recovered;      /* store_recover reopened it in this process */
	DB_ENV **abandoned; /* environments left behind (never closed) */
	size_t nabandoned;
};

void store_fail(struct store *, const char *what, int ret);
#define STORE_WATCHDOG_S 10 /* seconds a write may take (store.c) */
void store_watchdog(struct store *, unsigned secs);
int store_meta_add(struct store *, DB_TXN *, const char *name, int64_t delta,
    uint64_t *out);
/* store_admin.c: the writers' automatic retention */
void store_retain(struct store *);
void store_backoff(int attempt);
/* store.c; used by store_sync.c's dry run */
int apply_one(struct store *, DB_TXN *, enum store_op, const struct entry *,
    enum store_result *, uint64_t *);

/* store_reg.c: opening without hanging on a dead process; staleness. */
int store_reg_prepare(struct store *, int (*open_fn)(struct store *, int));
int store_reg_opened(struct store *);
void store_reg_closed(struct store *);
void store_reg_leave(struct store *);

/* store_repl.c: hooks of the open and write paths (no-ops when off). */
int store_repl_env_pre(struct store *, DB_ENV *, u_int32_t *flags);
int store_repl_start(struct store *);
void store_repl_thread(const struct store *parent, struct store *);
int store_repl_may_write(struct store *);
int store_repl_commit_ok(struct store *);
void store_repl_close(struct store *);
u_int32_t store_mvcc_flag(const struct store *);
u_int32_t store_repl_open_flags(const struct store *);
u_int32_t store_repl_assoc_flags(const struct store *);
int store_repl_abandon(struct store *);
u_int32_t store_snapshot_flag(const struct store *);

#endif
