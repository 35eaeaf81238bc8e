/* env.c: opening, recovering and closing the environment and its databases */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "util/now.h"
#include "store/store_int.h"
#include "util/xmalloc.h"

/*
 * One Berkeley DB environment per store directory, shared by every process
 * (FastCGI workers, the CLI, the sidecar): transactions, locking, logging
 * and a shared buffer pool. DB_REGISTER + DB_RECOVER makes the first
 * process that opens the environment after a crash run recovery; the
 * others then see DB_RUNRECOVERY and exit so their server restarts them.
 *
 * Writes commit without a synchronous flush and then flush the log
 * (DB_ENV->log_flush) before the caller acknowledges. That keeps the
 * durability promise (an acknowledged write is on disk) while the flush,
 * the slow part, happens outside every lock: concurrent writers share one
 * fsync (group commit) instead of queueing behind each other's.
 *
 * Databases are opened DB_MULTIVERSION so readers run in snapshot
 * transactions: a list page, its total and the change sequence it carries
 * come from one consistent point in time, and readers never block writers.
 */

/*
 * Tells failchk whether the process that left state in the environment is
 * still running (reg.c: a killed one its parent has not reaped yet is
 * not). Each FastCGI worker, CLI run and the sidecar is a single thread
 * of control, so the process is what counts.
 */
static int
bdb_isalive(DB_ENV *env UNUSED, pid_t pid, db_threadid_t tid UNUSED,
    u_int32_t flags UNUSED)
{
	return store_reg_alive(pid);
}

/*
 * Opens the environment: with failchk (full is 0), with full recovery and
 * no failchk (full is 1; see reg.c for when), or with recovery that
 * runs whatever the registry says (full is 2: no DB_REGISTER; the caller
 * closes it and opens again).
 */
static int
open_env_with(struct store *st, int full)
{
	DB_ENV *env;
	int64_t t0;
	int ret;
	u_int32_t flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
	    DB_INIT_MPOOL | DB_REGISTER | DB_RECOVER;

	if ((ret = db_env_create(&env, 0)) != 0) {
		log_warnx("store: db_env_create: %s", db_strerror(ret));
		return -1;
	}
	env->set_errcall(env, store_bdb_errcall);
	env->set_msgcall(env, store_bdb_msgcall);
	env->set_lk_detect(env, DB_LOCK_DEFAULT);
	if (store_env_set_cache(env) == -1) {
		env->close(env, 0);
		return -1;
	}
	env->set_lg_bsize(env, 4 * 1024 * 1024);
	env->set_lg_max(env, 16 * 1024 * 1024);
	env->set_lk_max_lockers(env, 20000);
	env->set_lk_max_locks(env, 100000);
	env->set_lk_max_objects(env, 100000);
	env->set_tx_max(env, 2000);
	/*
	 * failchk (DB_FAILCHK with DB_REGISTER) cleans up after a process
	 * that died: its read locks are released and its open transaction
	 * aborted, and the others carry on. Only when it died inside the
	 * library holding a mutex is full recovery run (and the others see
	 * DB_RUNRECOVERY and restart). Plain DB_REGISTER + DB_RECOVER would
	 * run recovery, and so restart every process, after any death, even
	 * of a reader. A lock held by a dead writer is noticed by a waiter's
	 * lock timeout, which runs failchk and retries.
	 */
	env->set_thread_count(env, 4096);
	env->set_isalive(env, bdb_isalive);
	env->set_timeout(env, 2000000, DB_SET_LOCK_TIMEOUT);
	env->log_set_config(env, DB_LOG_AUTO_REMOVE, 1);
	/* Commits never flush; store_apply flushes before acknowledging. */
	env->set_flags(env, DB_TXN_NOSYNC, 1);
	/*
	 * Allocate the shared regions' pages when they are created: a region
	 * file left sparse on a filesystem that later fills up makes the
	 * first touch of a page a SIGBUS instead of an error we can answer.
	 */
	env->set_flags(env, DB_REGION_INIT, 1);
	if (!full)
		flags |= DB_FAILCHK;
	if (full == 2)
		flags &= ~(u_int32_t)DB_REGISTER;
	if (store_repl_env_pre(st, env, &flags) == -1) {
		env->close(env, 0);
		return -1;
	}
	/*
	 * Joining (full 0) runs failchk, which takes the mutexes of the
	 * processes it cleans up after: one that died after our look at the
	 * registry (reg.c) can leave it waiting for ever. So a join stuck
	 * for STORE_JOIN_WATCHDOG_S is left (its registry lock with it) and
	 * the caller tries again, now seeing the dead process (reg.c then
	 * recovers the environment). A recovery (full) may take long: its
	 * watchdog only ends the process, late.
	 */
	if (!st->lock_excl)
		store_reg_lock(st, 0);
	if (!full && st->repl == NULL) {
		if (sigsetjmp(store_watchdog_jump, 1) != 0) {
			store_watchdog_join(st, 0);
			if (!st->lock_excl)
				store_reg_unlock(st);
			store_bdb_msg_flush();
			log_warnx(
			    "store: joining the environment was stuck on a "
			    "process that died in it; trying again");
			st->join_stuck = 1; /* failchk hangs: recover */
			store_reg_leave(st);
			return -1;
		}
		store_watchdog_join(st, 1);
		store_watchdog_jump_ok = 1;
	} else
		store_watchdog_open(1);
	t0 = now_mono_ms();
	ret = env->open(env, st->dir, flags, 0600);
	t0 = now_mono_ms() - t0;
	store_watchdog_jump_ok = 0;
	if (!full && st->repl == NULL)
		store_watchdog_join(st, 0);
	else
		store_watchdog_open(0);
	/* after the watch: the trace is no signal-safe work */
	store_trace("%s the environment took %lld ms: %s",
	    full == 0 ? "joining" : "recovering", (long long)t0,
	    ret ? db_strerror(ret) : "ok");
	if (!st->lock_excl)
		store_reg_unlock(st);
	store_bdb_msg_flush();
	if (ret != 0) {
		log_warnx("store: opening environment %s: %s", st->dir,
		    db_strerror(ret));
		env->close(env, 0);
		return -1;
	}
	st->env = env;
	return 0;
}

/*
 * Opens the environment, cleaning up after dead processes first. While
 * another process recovers the environment, its region files are removed
 * and created again, and joining fails for a moment ("unable to join the
 * environment", mmap EINVAL): such failures are retried for a few seconds
 * (bounded retry loop, the STYLE exception) instead of ending the process.
 */
#define STORE_OPEN_TRIES 40
#define STORE_OPEN_FORCE 10 /* then full recovery without the registry */

static int
open_env(struct store *st)
{
	struct timespec ts;
	int full, attempt;

	for (attempt = 0; attempt < STORE_OPEN_TRIES; attempt++) {
		if (attempt > 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = 100000000; /* 4 s in all */
			nanosleep(&ts, NULL);
		}
		full = store_reg_prepare(st, open_env_with);
		if (attempt == STORE_OPEN_FORCE) {
			/*
			 * Still failing: the region files are unusable (a
			 * process died while creating them, and the registry
			 * names nobody dead, so nothing recovers them). One
			 * process at a time (reg.c), and not when another
			 * recovered them while this one waited its turn.
			 */
			store_reg_lock(st, 1);
			if (open_env_with(st, full) == 0)
				goto opened;
			store_repl_close(st);
			log_warnx("store: cannot join the environment; running "
			          "full recovery");
			st->force_recovery = 1;
		}
		if (st->force_recovery) {
			st->force_recovery = 0;
			store_reg_lock(st, 1); /* one at a time (reg.c) */
			if (open_env_with(st, 2) == 0) {
				st->env->close(st->env, 0);
				st->env = NULL;
			}
			store_repl_close(st);
		}
		if (open_env_with(st, full) == 0)
			goto opened;
		store_reg_unlock(st);
		store_repl_close(st);
	}
	return -1;
opened:
	store_reg_unlock(st);
	st->join_stuck = 0;
	return store_reg_opened(st);
}

static int open_handles(struct store *);
static void abandon_handles(struct store *);
static int open_dbs(struct store *);
static void close_dbs(struct store *);

/*
 * Opens (creating when needed) the store in dir. Returns 0 and *out, or -1
 * after logging why. The directory must exist or be creatable, and belong
 * to the user this process runs as (store_check_owner). A process that dies in
 * the store meanwhile is ridden through (open_handles; the format is read
 * once more after recovery).
 */
int
store_open(struct store **out, const char *dir, int flags)
{
	struct store *st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("store: creating %s", dir);
		return -1;
	}
	if (store_check_owner(dir) == -1)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	st->flags = flags;
	st->durable = 1;
	st->regfd = -1;
	st->lockfd = -1;
	buf_init(&st->k1);
	buf_init(&st->k2);
	buf_init(&st->v1);
	/* Recovery creates the regions again, with this process's sizes. */
	st->force_recovery = (flags & STORE_OPEN_RECOVER) != 0;
	if (open_handles(st) == -1) {
		store_close(st);
		return -1;
	}
	store_cache_check(st);
	*out = st;
	return 0;
}

/*
 * open_dbs under the watchdog's jump (watchdog.c): a process that dies in
 * the environment after this one joined it can leave the databases' open
 * waiting on its mutex. Returns 0, -1 (failed, logged), or 1 when the
 * open was stuck on a dead process and abandoned.
 */
static int
open_dbs_guarded(struct store *st)
{
	int r;

	if (st->repl != NULL) /* its own supervision: exits and restarts */
		return open_dbs(st) == -1 || store_check_format(st) == -1 ? -1
		                                                          : 0;
	if (sigsetjmp(store_watchdog_jump, 1) != 0) {
		store_watchdog_dbs(st, 0);
		log_warnx("store: opening the databases was stuck on a "
		          "process that died in the store; joining it again");
		return 1;
	}
	store_watchdog_dbs(st, 1);
	store_watchdog_jump_ok = 1;
	/* the format's read can wait on a dead process's mutex too */
	r = open_dbs(st) == -1 || store_check_format(st) == -1 ? -1 : 0;
	store_watchdog_jump_ok = 0;
	store_watchdog_dbs(st, 0);
	return r;
}

/*
 * Opens the environment and every database of st. When opening the
 * databases meets a process that died in the environment meanwhile (it
 * waits on its mutex, or libdb answers DB_RUNRECOVERY or a deadlock while
 * another process recovers), the environment is left and joined again,
 * which recovers it: a bounded retry (the STYLE exception), so that a
 * CGI request, whose process opens the store for itself alone, is
 * answered instead of failed or left hanging. Returns 0 or -1.
 */
#define STORE_OPEN_DB_TRIES 4

static int
open_handles(struct store *st)
{
	int n, r, forced = 0;

	for (n = 0; n < STORE_OPEN_DB_TRIES; n++) {
		if (n > 0) {
			abandon_handles(st);
			store_backoff(n);
		}
		if (open_env(st) == -1 || store_repl_start(st) == -1)
			return -1;
		st->open_ret = 0;
		st->needs_recovery = 0;
		if ((r = open_dbs_guarded(st)) == 0)
			return 0;
		if (st->repl != NULL)
			return -1;
		if (r == -1 && st->open_ret == EINVAL && !forced) {
			/*
			 * The buffer pool holds the file opened other than
			 * we open it (no DB_MULTIVERSION: by recovery) by a
			 * process that died meanwhile, and every open fails
			 * so until the regions are made again: recover.
			 */
			log_warnx("store: a database is held open by a process "
			          "that died; running full recovery");
			st->force_recovery = forced = 1;
			continue;
		}
		if (r == -1 && !st->needs_recovery &&
		    st->open_ret != DB_RUNRECOVERY &&
		    st->open_ret != DB_LOCK_DEADLOCK &&
		    st->open_ret != DB_LOCK_NOTGRANTED &&
		    store_check(st) == STORE_HEALTHY)
			return -1;
		if (r == -1)
			log_warnx("store: opening the databases met a process "
			          "that died in the store; joining it again");
	}
	return -1;
}

/*
 * Opens the databases of parent again, on parent's environment, for
 * another thread of the same process (the replication process's writers,
 * push_writer.c): each thread then has its own handles and scratch
 * buffers. Closing the returned store closes its databases only; parent
 * must outlive it. Returns 0 and *out, or -1 after logging.
 */
int
store_open_thread(struct store *parent, struct store **out)
{
	struct store *st;

	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(parent->dir);
	st->flags = STORE_OPEN_THREAD;
	st->durable = parent->durable;
	st->retain = parent->retain;
	st->deferred = parent->deferred;
	st->on_commit = parent->on_commit;
	st->on_commit_arg = parent->on_commit_arg;
	st->regfd = -1;
	st->lockfd = -1;
	st->env = parent->env;
	buf_init(&st->k1);
	buf_init(&st->k2);
	buf_init(&st->v1);
	store_repl_thread(parent, st);
	store_attrs_inherit(st, parent);
	if (open_dbs(st) == -1) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

/*
 * 1 when replication rolled this site's store back since the databases
 * were opened (this site was a master cut off from the group: its
 * unacknowledged changes are gone, and their seqs will name others).
 * Only the replication process's stores report it; others exit.
 */
int
store_rolled_back(const struct store *st)
{
	return st->handles_dead;
}

/*
 * Leaves the environment without closing anything: after another process
 * recovered it, or while one died holding a mutex, closing a handle can
 * wait for ever. The handles are kept (reachable, never used again) and
 * the registry slot is emptied (store_reg_leave). A process that re-execs
 * soon after loses them with its image; the sidecar keeps them.
 */
static void
abandon_handles(struct store *st)
{
	DB **dbs[] = { &st->by_slug, &st->by_time, &st->by_category,
		&st->by_time_raw, &st->by_category_raw, &st->by_id,
		&st->by_id_raw, &st->entries, &st->tombs, &st->changes,
		&st->events, &st->meta, &st->refs, &st->refs_from };
	size_t i;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		*dbs[i] = NULL;     /* each is reachable from its environment */
	st->held = st->kept = NULL; /* the old environment's: never ended */
	for (i = 0; i < st->nattr; i++)
		st->attr[i].db = st->attr[i].raw = NULL;
	if (st->env != NULL) {
		st->abandoned = xreallocarray(st->abandoned, st->nabandoned + 1,
		    sizeof(*st->abandoned));
		st->abandoned[st->nabandoned++] = st->env;
	}
	st->env = NULL;
	store_reg_leave(st);
}

/* 1 when a call on st saw that the environment needs recovery. */
int
store_needs_recovery(const struct store *st)
{
	return st != NULL && st->needs_recovery;
}

/* 1 once store_recover reopened st in this process. */
int
store_was_recovered(const struct store *st)
{
	return st != NULL && st->recovered;
}

/*
 * The environment of st needs recovery: leaves it (abandon_handles) and
 * opens it afresh, in place, so the caller retries its transaction instead
 * of failing its request. The open runs recovery when nobody has yet
 * (DB_REGISTER), or joins the recovered environment. Returns 0, or -1
 * after logging (st is then closed: every call fails until it is
 * recovered again).
 */
int
store_recover(struct store *st)
{
	int64_t t0 = now_mono_ms();

	log_warnx("store: the environment needs recovery (a process died in "
	          "it); reopening it in place");
	abandon_handles(st);
	st->needs_recovery = 0;
	if (open_handles(st) == -1) {
		close_dbs(st);
		st->needs_recovery = 1;
		log_warnx("store: reopening after recovery failed");
		return -1;
	}
	st->recovered = 1;
	log_info("store: reopened after recovery (%lld ms)",
	    (long long)(now_mono_ms() - t0));
	return 0;
}

/*
 * Frees st without closing its handles (see abandon_handles): for a
 * process about to exec itself after the environment was recovered.
 */
void
store_abandon(struct store *st)
{
	if (st == NULL)
		return;
	abandon_handles(st);
	store_repl_close(st);
	store_attrs_copy(st, NULL, 0);
	buf_clear(&st->k1);
	buf_clear(&st->k2);
	buf_clear(&st->v1);
	free(st->abandoned);
	free(st->env_path);
	free(st->dir);
	free(st);
}

/*
 * A process died in the environment (store_check): cleans up after it
 * (failchk, in a child with a time limit: reg.c), so that this
 * process and the others carry on. Returns 0 when done; 1 when the
 * environment is being or was recovered: the caller leaves it
 * (store_abandon, then a fresh open).
 */
int
store_clean_dead(struct store *st)
{
	int r;

	log_info("store: a process died in the store; cleaning up after it");
	r = store_reg_prepare(st, open_env_with);
	store_reg_unlock(st);
	if (r != 0)
		return 1;
	return store_check(st) == STORE_ENV_GONE;
}

/* Closes and reopens the databases of st on its environment. 0 or -1. */
int
store_reopen(struct store *st)
{
	close_dbs(st);
	st->handles_dead = 0;
	return open_dbs(st);
}

/* Opens every database of st on its environment. Returns 0 or -1. */
static int
open_dbs(struct store *st)
{
	int ret;

	if (store_db_open(st, &st->entries, "entries.db", 0) == -1 ||
	    store_db_open(st, &st->by_slug, "by_slug.db",
	        DB_DUP | DB_DUPSORT) == -1 ||
	    store_db_open(st, &st->by_time, "by_time.db", DB_RECNUM) == -1 ||
	    store_db_open(st, &st->by_category, "by_category.db", DB_RECNUM) ==
	        -1 ||
	    store_db_open(st, &st->by_time_raw, "by_time.db", DB_RECNUM) ==
	        -1 ||
	    store_db_open(st, &st->by_category_raw, "by_category.db",
	        DB_RECNUM) == -1 ||
	    store_db_open(st, &st->tombs, "tombstones.db", 0) == -1 ||
	    store_db_open(st, &st->changes, "changes.db", 0) == -1 ||
	    store_db_open(st, &st->events, "events.db", 0) == -1 ||
	    store_db_open(st, &st->meta, "meta.db", 0) == -1 ||
	    store_refs_open(st) == -1)
		goto fail;
	/* Built from existing entries the first time (store_associate). */
	if ((ret = store_associate(st, st->by_slug, "by_slug.db",
	         store_index_slug)) != 0 ||
	    (ret = store_associate(st, st->by_time, "by_time.db",
	         store_index_time)) != 0 ||
	    (ret = store_associate(st, st->by_category, "by_category.db",
	         store_index_category)) != 0) {
		st->open_ret = ret; /* a deadlock: open_handles retries */
		log_warnx("store: associating indexes: %s", db_strerror(ret));
		goto fail;
	}
	if (store_id_order_open(st) == -1 || store_attrs_open(st) == -1)
		goto fail;
	return 0;
fail:
	return -1;
}

/* Closes the databases of st. */
static void
close_dbs(struct store *st)
{
	DB **dbs[14];
	size_t i;

	dbs[0] = &st->by_id;
	dbs[1] = &st->by_id_raw;
	dbs[2] = &st->by_slug;
	dbs[3] = &st->by_time;
	dbs[4] = &st->by_category;
	dbs[5] = &st->by_time_raw;
	dbs[6] = &st->by_category_raw;
	dbs[7] = &st->entries;
	dbs[8] = &st->tombs;
	dbs[9] = &st->changes;
	dbs[10] = &st->events;
	dbs[11] = &st->meta;
	dbs[12] = &st->refs;
	dbs[13] = &st->refs_from;
	for (i = 0; i < st->nattr; i++) {
		if (st->attr[i].db != NULL)
			st->attr[i].db->close(st->attr[i].db, 0);
		if (st->attr[i].raw != NULL)
			st->attr[i].raw->close(st->attr[i].raw, 0);
		st->attr[i].db = st->attr[i].raw = NULL;
	}
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		if (*dbs[i] != NULL)
			(*dbs[i])->close(*dbs[i], 0);
		*dbs[i] = NULL;
	}
}

/* Closes the databases and the environment of st, keeping st. */
static void
close_handles(struct store *st)
{

	store_read_release(st);
	close_dbs(st);
	if (st->env != NULL && !(st->flags & STORE_OPEN_THREAD) &&
	    !store_repl_abandon(st))
		st->env->close(st->env, 0);
	st->env = NULL;
	store_reg_closed(st);
	store_repl_close(st);
}

/* Closes every handle; store_close(NULL) does nothing. */
void
store_close(struct store *st)
{

	if (st == NULL)
		return;
	/*
	 * Closing could wait for ever on a mutex of a process that died in
	 * the store (seen: a sidecar told to stop while a killed worker held
	 * the lock region's): then the handles are left (store_abandon). Its
	 * writes are flushed; the next open cleans up.
	 */
	if (st->needs_recovery || store_check(st) != STORE_HEALTHY) {
		store_abandon(st);
		return;
	}
	/*
	 * A process can die holding such a mutex after that look, while
	 * this one closes: the close runs under the watchdog, which jumps
	 * back here when it is stuck on a dead process (the handles are
	 * then left as above), and ends the process after STORE_WATCHDOG_S
	 * otherwise. A replicated store has its own supervision; a thread's
	 * store is closed by its process's.
	 */
	if (st->repl == NULL && !(st->flags & STORE_OPEN_THREAD)) {
		if (sigsetjmp(store_watchdog_jump, 1) != 0) {
			store_watchdog_close(st, 0);
			log_warnx("store: closing was stuck on a process that "
			          "died in the store; leaving it");
			store_abandon(st);
			return;
		}
		store_watchdog_close(st, 1);
		store_watchdog_jump_ok = 1;
	}
	close_handles(st);
	store_watchdog_jump_ok = 0;
	store_watchdog_close(st, 0);
	store_attrs_copy(st, NULL, 0);
	free(st->abandoned);
	free(st->env_path);
	buf_clear(&st->k1);
	buf_clear(&st->k2);
	buf_clear(&st->v1);
	free(st->dir);
	free(st);
}

/*
 * After each commit that logged changes, st calls fn(arg, seq) with the
 * last change's seq (after the flush, before the write returns); so do the
 * stores store_open_thread opens from st afterwards. fn NULL: none.
 */
void
store_set_commit_hook(struct store *st, store_commit_cb fn, void *arg)
{
	st->on_commit = fn;
	st->on_commit_arg = arg;
}

/* Durable (default): flush the log before store_apply returns. */
void
store_set_durable(struct store *st, int on)
{
	st->durable = on;
}

const char *
store_dir(const struct store *st)
{
	return st->dir;
}
