/* store_int.h: the store's internals, shared by the files of src/store only */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sys/types.h>

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include <db.h>

#include "store/store.h"
#include "store/store_key.h"

/*
 * A list's range of record numbers in an index, [lo, hi), as of the
 * store's sequence seq (read.c): the same at every snapshot of that seq.
 */
#define STORE_RANGES    8
#define STORE_RANGE_KEY 256
struct store_range {
	int index; /* 1 by_time, 2 by_category, 3 by_id; 0: unused */
	uint64_t seq;
	db_recno_t lo, hi;
	size_t len;
	char key[STORE_RANGE_KEY];
};

/* An index of a collection's attribute (env.c opens it, index.c keys it). */
struct store_attr {
	char *collection, *attr;
	int cls;      /* the caller's class of the attribute's values */
	char *file;   /* attr.<collection>.<attr>.<cls>.db */
	DB *db, *raw; /* associated, and for recno ops; NULL: not open */
};

struct store {
	char *dir;
	int flags;
	int durable;
	DB_ENV *env;
	DB *entries;
	DB *by_slug, *by_time, *by_category; /* associated secondaries */
	DB *by_time_raw, *by_category_raw;   /* same files, for recno ops */
	DB *by_id, *by_id_raw; /* the default order, or NULL (env.c) */
	DB *tombs;
	DB *changes;
	DB *events;
	DB *meta;
	DB *refs, *refs_from;     /* referrer index (refs.c), or NULL */
	struct buf k1, k2, v1;    /* scratch, reused across calls */
	struct store_repl *repl;  /* replication state, NULL when off */
	int regfd;                /* __db.register, for store_check (-1) */
	int env_known;            /* env_id and env_ino are set */
	unsigned char env_id[40]; /* the environment's region header */
	ino_t env_ino;
	char *env_path;   /* <dir>/__db.001, for store_check */
	const char *why;  /* the last failure's cause (store_why), or NULL */
	int handles_dead; /* a replication rollback invalidated them */
	struct store_retention retain; /* all 0: the writers trim nothing */
	unsigned commits;              /* since the last retention pass */
	int64_t retained_ms;           /* when that pass ran (monotonic) */
	uint64_t chbytes, evbytes;     /* as the last commit left them */
	int deferred;                  /* store_set_deferred */
	int committed;                 /* since the last store_maintain */
	int needs_recovery; /* a call saw DB_RUNRECOVERY (store_recover) */
	int open_ret;       /* the last failed database open's error */
	int force_recovery; /* the next open_env runs full recovery first */
	int join_stuck;     /* the last join waited on a dead process */
	int lockfd;         /* store_reg_lock's, or -1 */
	int lock_excl;      /* it is held exclusive */
	int recovered;      /* store_recover reopened it in this process */
	DB_ENV **abandoned; /* environments left behind (never closed) */
	size_t nabandoned;
	store_commit_cb on_commit; /* store_set_commit_hook, or NULL */
	void *on_commit_arg;
	DB_TXN *held;      /* store_read_begin's snapshot, or NULL (read.c) */
	uint64_t held_seq; /* the store's last sequence in it */
	DB_TXN *kept;      /* store_read_keep's, for the next reads, or NULL */
	uint64_t kept_seq;
	uint64_t got_seq; /* the entry store_get last found: its seq (cseq.c) */
	struct store_range ranges[STORE_RANGES]; /* store_list's, kept */
	unsigned next_range;                     /* the next one replaced */
	struct store_attr *attr;                 /* store_set_attr_indexes */
	size_t nattr;
};

/*
 * Inside the store, calls go one way, from the files below to the ones
 * above them in this list, never back: key.c index.c reg.c fail.c
 * watchdog.c repl_group.c repl_watch.c repl.c repl_sites.c meta.c env.c
 * txn.c refs.c read.c read_log.c read_scan.c cseq.c admin.c write.c backup.c
 * blob.c. Each file's part of this header is headed by its name.
 */

/* Fills a DBT that borrows p. */
static inline void
store_dbt_in(DBT *d, const void *p, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)(uintptr_t)p;
	d->size = (u_int32_t)n;
}

/* index.c: the secondary-key extractors (DB->associate callbacks). */
int store_index_time(DB *, const DBT *, const DBT *, DBT *);
int store_index_category(DB *, const DBT *, const DBT *, DBT *);
int store_index_slug(DB *, const DBT *, const DBT *, DBT *);
int store_index_id(DB *, const DBT *, const DBT *, DBT *);
int store_index_attr(DB *, const DBT *, const DBT *, DBT *);
int store_index_attr_of(const struct store_attr *, const DBT *, const DBT *,
    DBT *);

/* reg.c: opening without hanging on a dead process; staleness. */
int store_reg_prepare(struct store *, int (*open_fn)(struct store *, int));
int store_reg_opened(struct store *);
void store_reg_closed(struct store *);
void store_reg_leave(struct store *);
int store_reg_alive(pid_t);
#define STORE_LOCK_FILE "recover.lock" /* store_reg_lock's, in the dir */
void store_reg_lock(struct store *, int exclusive);
void store_reg_unlock(struct store *);

/* fail.c: failures (store_why), libdb's messages, backoff. */
void store_fail(struct store *, const char *what, int ret);
void store_bdb_msgcall(const DB_ENV *, const char *msg);
void store_bdb_msg_flush(void);
void store_bdb_errcall(const DB_ENV *, const char *pfx, const char *msg);
void store_backoff(int attempt);

/* watchdog.c: alarm() around writes and the environment's open. */
#define STORE_WATCHDOG_S 10 /* seconds a write may take */
void store_watchdog(struct store *, int on);
void store_watchdog_open(int on);
void store_watchdog_dbs(struct store *, int on);
void store_watchdog_close(struct store *, int on);
void store_watchdog_join(struct store *, int on);
/* Where a write stuck on a dead process resumes (txn.c), while ok. */
extern sigjmp_buf store_watchdog_jump;
extern volatile sig_atomic_t store_watchdog_jump_ok;

/* repl*.c: hooks of the open and write paths (no-ops when off). */
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

/* meta.c: counters in meta.db; the read transaction. */
int store_rtxn(struct store *, DB_TXN **);
int store_meta_read(struct store *, DB_TXN *, const char *name, int rmw,
    uint64_t *out);
int store_meta_add(struct store *, DB_TXN *, const char *name, int64_t delta,
    uint64_t *out);
/* cseq.c: a collection's last change seq, kept by the write path. */
int store_cseq_put(struct store *, DB_TXN *, const struct store_doc *,
    const char *old_slug, size_t old_len, const char *new_slug, uint64_t);
/* read.c: store_read_begin's snapshot when held, else a new one */
int store_read_txn(struct store *, DB_TXN **);
void store_read_done(struct store *, DB_TXN *);
/* read.c: what read_log.c and read_scan.c share with it. */
/*
 * A list's read: its transaction (the held snapshot or its own), a cursor
 * on db, the DBTs and scratch of its walk, and the store's last sequence
 * in the same snapshot (store_rd_open); store_rd_close ends it all.
 */
struct store_rd {
	DB_TXN *txn;
	DBC *c;
	DBC *pc; /* on the entries, for store_rd_entry; or NULL */
	DBT k, d, pv;
	struct buf scratch;
	uint64_t seq;
};
int store_rd_open(struct store *, struct store_rd *, DB *);
int store_rd_close(struct store *, struct store_rd *, int ret,
    const char *what);
int store_rd_entry(struct store *, struct store_rd *, struct store_item *);
void store_dbt_out(DBT *);
void store_dbt_set(DBT *, const void *, size_t);
int store_has_prefix(const DBT *, const struct buf *prefix);
int store_recno_at(DBC *, const struct buf *key, db_recno_t *out);
int store_item_decode(struct store_item *, struct buf *scratch, const DBT *pkey,
    const DBT *data);
int store_entry_at(struct store *, DB_TXN *, DBT *d, DBT *pv,
    struct buf *scratch, struct store_item *);

/* env.c: store_recover, store_open and the rest of store.h's. */
/* env_cache.c: the buffer pool's size, set at creation, checked after. */
int store_env_set_cache(DB_ENV *);
void store_cache_check(struct store *);
/* env_check.c: an open's checks; each returns 0 or -1 after logging. */
int store_check_owner(const char *dir);
int store_check_format(struct store *);
/* env_dbs.c: a database file; the optional indexes, opened with them. */
int store_db_open_with(struct store *, DB **, const char *file,
    u_int32_t dbflags, int optional);
int store_db_open(struct store *, DB **, const char *file, u_int32_t dbflags);
int store_refs_open(struct store *);
int store_associate(struct store *, DB *, const char *file,
    int (*)(DB *, const DBT *, const DBT *, DBT *));
int store_id_order_open(struct store *);
int store_attrs_open(struct store *);
void store_attrs_copy(struct store *, const struct store_attr_index *, size_t);
void store_attrs_inherit(struct store *, const struct store *);

/* txn.c: the one retry loop around a write transaction. */
enum store_txn_flags {
	STORE_TXN_DRY = 1,    /* decide, then abort: nothing is written */
	STORE_TXN_LOGGED = 2, /* a delivery: acks, checkpoint, wake-up */
	STORE_TXN_FLUSH = 4,  /* flush the log before returning (durable) */
};
struct store_txn {
	const char *what; /* names a failure in the log */
	/* The transaction's work: 0, or a BDB error (then it is aborted). */
	int (*body)(struct store *, DB_TXN *, struct store_txn *);
	void *arg;
	int flags;    /* enum store_txn_flags */
	uint64_t seq; /* set by body: the last change seq written, or 0 */
};
int store_txn_run(struct store *, struct store_txn *);
void store_checkpoint(struct store *);

/* refs.c: the referrer index, inside the write path's transaction. */
int store_refs_set(struct store *, DB_TXN *, const struct buf *pk,
    const struct store_doc *);
int store_refs_drop(struct store *, DB_TXN *, const struct buf *pk);

/* admin.c: the writers' automatic retention */
void store_retain(struct store *);

#endif
