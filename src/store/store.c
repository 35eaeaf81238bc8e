/* store.c: environment and database handles, and the single write path */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "util/notify.h"
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
 * Informational messages (failchk's reports) go to the log, not stdout.
 * failchk reports every dead locker's read locks ("BDB2053 Freeing read
 * locks for locker ...") and every dead process's log state ("BDB1502
 * Freeing log information for process ..."): hundreds of lines after one
 * crash. Those are counted, and bdb_msg_flush sums them up in one line.
 */
static unsigned long bdb_freed_lockers, bdb_freed_logs;

static void
bdb_msgcall(const DB_ENV *env UNUSED, const char *msg)
{
	if (strncmp(msg, "BDB2053 ", 8) == 0) {
		__atomic_fetch_add(&bdb_freed_lockers, 1, __ATOMIC_RELAXED);
		return;
	}
	if (strncmp(msg, "BDB1502 ", 8) == 0) {
		__atomic_fetch_add(&bdb_freed_logs, 1, __ATOMIC_RELAXED);
		return;
	}
	log_info("bdb: %s", msg);
}

/* Logs the summary of failchk's reports since the last call, if any. */
static void
bdb_msg_flush(void)
{
	unsigned long locks, logs;

	locks = __atomic_exchange_n(&bdb_freed_lockers, 0, __ATOMIC_RELAXED);
	logs = __atomic_exchange_n(&bdb_freed_logs, 0, __ATOMIC_RELAXED);
	if (locks > 0 || logs > 0)
		log_info("bdb: failchk cleaned up after dead processes: read "
		         "locks of %lu lockers, %lu log registrations "
		         "(BDB2053, BDB1502)",
		    locks, logs);
}

static void
bdb_errcall(const DB_ENV *env UNUSED, const char *pfx UNUSED, const char *msg)
{
	log_warnx("bdb: %s", msg);
}

/*
 * Why the last operation of st failed, for the client's error message: a
 * static string, or NULL when the cause is nothing an operator can name.
 */
const char *
store_why(const struct store *st)
{
	return st->why;
}

static const char *
why_of(int ret)
{
	switch (ret) {
	case EROFS:
		return "the store's filesystem is read-only";
	case ENOSPC:
	case EDQUOT:
		return "the store's disk is full";
	case EIO:
		return "I/O error on the store's disk";
	case EACCES:
	case EPERM:
		return "the store's files cannot be written (permissions)";
	case DB_LOCK_DEADLOCK:
	case DB_LOCK_NOTGRANTED:
		return "the store is busy";
	case DB_RUNRECOVERY:
		return "the store needs recovery";
	case DB_REP_LOCKOUT:
		return "replication is bringing this site's store up to date";
	}
	return NULL;
}

void
store_fail(struct store *st, const char *what, int ret)
{
	if (st != NULL)
		st->why = why_of(ret);
	log_warnx("store %s: %s", what, db_strerror(ret));
	if (ret == DB_RUNRECOVERY) {
		/*
		 * The environment needs recovery (a process died inside it
		 * holding a mutex, and another process recovered it or is
		 * about to). The caller reopens it in place (store_recover)
		 * and retries: a replication process cannot (the Replication
		 * Manager's threads are tied to the environment), so it exits
		 * and its supervisor restarts it.
		 */
		if (st != NULL && st->repl == NULL &&
		    !(st->flags & STORE_OPEN_THREAD)) {
			st->needs_recovery = 1;
			return;
		}
		fatalx("store needs recovery; exiting so the server restarts "
		       "this process");
	}
	/*
	 * The replication process keeps its clients across a rollback: it
	 * reopens the databases (store_reopen) and tells them. Any other
	 * process exits and is restarted with fresh handles.
	 */
	if (ret == DB_REP_HANDLE_DEAD && st != NULL &&
	    (st->flags & (STORE_OPEN_REPL_NODE | STORE_OPEN_THREAD))) {
		st->handles_dead = 1;
		return;
	}
	if (ret == DB_REP_HANDLE_DEAD)
		fatalx("store handles were invalidated by a replication "
		       "rollback; exiting so the server restarts this process");
}

/*
 * Write watchdog. A process killed while it held one of the library's
 * mutexes leaves the others blocked on it for ever: BDB 5.3's pthread
 * mutexes are not robust, and a blocked process never reaches failchk.
 * So each write attempt runs under alarm(), every STORE_WATCHDOG_STEP_S.
 * When it fires and a process has died in the environment (store_check,
 * which is async-signal-safe), the write is stuck on that process's
 * mutex: the attempt is abandoned (siglongjmp out of the library, whose
 * environment this process then leaves for good), the store reopened
 * (whoever opens first recovers it) and the write retried, so its
 * delivery is still answered. When nobody died and the write has been
 * stuck for STORE_WATCHDOG_S, the process exits as before: its FastCGI
 * server starts a new one. Nothing acknowledged is lost either way.
 */
#define STORE_WATCHDOG_STEP_S 2
/*
 * The same for opening the environment (recovery included): a hang there
 * is a mutex left locked by a process that died between our look at the
 * registry and the open (store_reg.c handles the ones dead before).
 */
#define STORE_OPEN_WATCHDOG_S 120

static const char watchdog_write_msg[] = "strapi-live: store write stuck "
					 "for 10 s (a process died inside "
					 "the store); exiting so the store "
					 "can recover\n";
static const char watchdog_open_msg[] = "strapi-live: opening the store is "
					"stuck (a process died inside it); "
					"exiting: the next open recovers it\n";
static const char *volatile watchdog_msg = watchdog_write_msg;
/* The write attempt under watch (guarded_attempt), and where it resumes. */
static struct store *volatile watchdog_store;
static volatile sig_atomic_t watchdog_jump_ok, watchdog_left;
static sigjmp_buf watchdog_jump;

static void
watchdog_fire(int sig UNUSED)
{
	const char *m = watchdog_msg;
	struct store *st = watchdog_store;
	char ts[LOG_STAMP_LEN];

	if (m == watchdog_write_msg && watchdog_jump_ok && st != NULL) {
		if (store_check(st) != STORE_HEALTHY) {
			watchdog_jump_ok = 0;
			siglongjmp(watchdog_jump, 1);
		}
		if (watchdog_left > 0) {
			watchdog_left -= STORE_WATCHDOG_STEP_S;
			alarm(STORE_WATCHDOG_STEP_S);
			return;
		}
	}
	/* The time of death: log_stamp is safe in a signal handler. */
	(void)!write(STDERR_FILENO, ts, log_stamp(ts));
	(void)!write(STDERR_FILENO, m, strlen(m));
	_exit(75);
}

/* Arms (secs > 0) or disarms the watchdog; msg says what was stuck. */
static void
watchdog_with(unsigned secs, const char *msg)
{
	struct sigaction sa;

	if (secs > 0) {
		watchdog_msg = msg;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = watchdog_fire;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
	}
	alarm(secs);
}

/*
 * The write watchdog (on: STORE_WATCHDOG_S in steps; off). Not in a store
 * opened by store_open_thread: alarm() is process-wide, and the process is
 * the host's replication process, whose end would take the site out of
 * the group; its caller (webhook.fcgi, over the relay) has its own timeout
 * instead.
 */
static void
watchdog(struct store *st, int on)
{

	if (st->flags & STORE_OPEN_THREAD)
		return;
	watchdog_store = on ? st : NULL;
	watchdog_left = STORE_WATCHDOG_S - STORE_WATCHDOG_STEP_S;
	watchdog_with(on ? STORE_WATCHDOG_STEP_S : 0, watchdog_write_msg);
}

/* The write watchdog, for store_admin.c's retention transactions. */
void
store_watchdog(struct store *st, unsigned secs)
{

	watchdog(st, secs != 0);
}

/* Small randomized pause between deadlock retries. */
void
store_backoff(int attempt)
{
	struct timespec ts;
	long us = (long)(100 << (attempt < 6 ? attempt : 6));

	us += (long)(random() % (us + 1));
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
}

/*
 * The by_time and by_category keys: collection, locale, [category,]
 * inverted publishedAt, documentId. Entries without a category are not
 * in by_category.
 */
static int
extract_list(const DBT *pk, const DBT *pd, DBT *sk, int by_category)
{
	struct store_pkey k;
	struct store_val v;
	struct buf b;
	char coll[128], locale[64], doc[ENTRY_MAX_ID + 1];
	char cat[ENTRY_MAX_CATEGORY + 1];

	if (store_key_parse_primary(pk->data, pk->size, &k) == -1 ||
	    store_val_decode(pd->data, pd->size, &v) == -1 ||
	    (by_category && v.category == NULL) ||
	    k.coll_len >= sizeof(coll) || k.locale_len >= sizeof(locale) ||
	    k.doc_len >= sizeof(doc) || v.category_len >= sizeof(cat))
		return DB_DONOTINDEX;
	memcpy(coll, k.coll, k.coll_len);
	coll[k.coll_len] = '\0';
	memcpy(locale, k.locale, k.locale_len);
	locale[k.locale_len] = '\0';
	memcpy(doc, k.doc, k.doc_len);
	doc[k.doc_len] = '\0';
	if (by_category) {
		memcpy(cat, v.category, v.category_len);
		cat[v.category_len] = '\0';
	}
	buf_init(&b);
	store_key_list_pos(&b, coll, locale, by_category ? cat : NULL,
	    v.published_at, doc);
	memset(sk, 0, sizeof(*sk));
	sk->size = (u_int32_t)b.len;
	sk->data = buf_take(&b);
	sk->flags = DB_DBT_APPMALLOC;
	return 0;
}

static int
extract_time(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{

	return extract_list(pk, pd, sk, 0);
}

static int
extract_category(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{

	return extract_list(pk, pd, sk, 1);
}

static int
extract_slug(DB *sec UNUSED, const DBT *pk, const DBT *pd, DBT *sk)
{
	struct store_pkey k;
	struct store_val v;
	struct buf b;

	if (store_key_parse_primary(pk->data, pk->size, &k) == -1 ||
	    store_val_decode(pd->data, pd->size, &v) == -1 || v.slug == NULL)
		return DB_DONOTINDEX;
	buf_init(&b);
	buf_add(&b, k.coll, k.coll_len);
	buf_addc(&b, '\0');
	buf_add(&b, k.locale, k.locale_len);
	buf_addc(&b, '\0');
	buf_add(&b, v.slug, v.slug_len);
	memset(sk, 0, sizeof(*sk));
	sk->size = (u_int32_t)b.len;
	sk->data = buf_take(&b);
	sk->flags = DB_DBT_APPMALLOC;
	return 0;
}

static int
open_db(struct store *st, DB **dbp, const char *file, u_int32_t dbflags)
{
	DB *db;
	int ret;

	if ((ret = db_create(&db, st->env, 0)) != 0) {
		store_fail(st, "db_create", ret);
		return -1;
	}
	if (dbflags != 0 && (ret = db->set_flags(db, dbflags)) != 0) {
		store_fail(st, file, ret);
		db->close(db, 0);
		return -1;
	}
	ret = db->open(db, NULL, file, NULL, DB_BTREE,
	    store_repl_open_flags(st) | store_mvcc_flag(st), 0600);
	if (ret != 0) {
		log_warnx("store: opening %s/%s: %s", st->dir, file,
		    db_strerror(ret));
		db->close(db, 0);
		return -1;
	}
	*dbp = db;
	return 0;
}

/*
 * Tells failchk whether the process that left state in the environment is
 * still running. Each FastCGI worker, CLI run and the sidecar is a single
 * thread of control, so the process is what counts.
 */
static int
bdb_isalive(DB_ENV *env UNUSED, pid_t pid, db_threadid_t tid UNUSED,
    u_int32_t flags UNUSED)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/*
 * Opens the environment: with failchk (full is 0), with full recovery and
 * no failchk (full is 1; see store_reg.c for when), or with recovery that
 * runs whatever the registry says (full is 2: no DB_REGISTER; the caller
 * closes it and opens again).
 */
static int
open_env_with(struct store *st, int full)
{
	DB_ENV *env;
	int ret;
	u_int32_t flags = DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK |
	    DB_INIT_LOG | DB_INIT_MPOOL | DB_REGISTER | DB_RECOVER;

	if ((ret = db_env_create(&env, 0)) != 0) {
		log_warnx("store: db_env_create: %s", db_strerror(ret));
		return -1;
	}
	env->set_errcall(env, bdb_errcall);
	env->set_msgcall(env, bdb_msgcall);
	env->set_lk_detect(env, DB_LOCK_DEFAULT);
	env->set_cachesize(env, 0, 64 * 1024 * 1024, 1);
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
	watchdog_with(STORE_OPEN_WATCHDOG_S, watchdog_open_msg);
	ret = env->open(env, st->dir, flags, 0600);
	alarm(0);
	bdb_msg_flush();
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
			 * names nobody dead, so nothing recovers them).
			 */
			log_warnx("store: cannot join the environment; running "
				  "full recovery");
			if (open_env_with(st, 2) == 0) {
				st->env->close(st->env, 0);
				st->env = NULL;
			}
			store_repl_close(st);
		}
		if (open_env_with(st, full) == 0)
			return store_reg_opened(st);
		store_repl_close(st);
	}
	return -1;
}

static int open_handles(struct store *);
static int open_dbs(struct store *);
static void close_dbs(struct store *);

/* The user name of uid into b (its number when it has none). */
static const char *
user_name(uid_t uid, char *b, size_t bsz)
{
	struct passwd *pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(b, bsz, "%s", pw->pw_name);
	else
		snprintf(b, bsz, "%lu", (unsigned long)uid);
	return b;
}

/*
 * The store's files are mode 0600, so every program must run as the
 * directory's owner. A process of another user (root above all) would
 * add files the others cannot open: their next open fails with EACCES and
 * the environment panics. Such a process refuses before touching anything,
 * naming the user to run as; files another user left in the directory are
 * named too, with the command that gives them back. Returns 0 or -1 after
 * logging.
 */
static int
check_owner(const char *dir)
{
	struct stat sb, fsb;
	struct dirent *de;
	DIR *d;
	char owner[64], other[64];
	int rc = 0;

	if (stat(dir, &sb) == -1) {
		log_warn("store: %s", dir);
		return -1;
	}
	user_name(sb.st_uid, owner, sizeof(owner));
	if (sb.st_uid != geteuid()) {
		user_name(geteuid(), other, sizeof(other));
		log_warnx("store: %s belongs to %s, and this program runs as "
		          "%s: every program that opens the store must run as "
		          "its owner. Run this one as %s (runuser -u %s -- "
		          "COMMAND), or, if %s is the web programs' user, "
		          "give the store to it: chown -R %s %s",
		    dir, owner, other, owner, owner, other, other, dir);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		log_warn("store: %s", dir);
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &fsb, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		if (!S_ISREG(fsb.st_mode) || fsb.st_uid == sb.st_uid)
			continue;
		log_warnx("store: %s/%s belongs to %s, not to the store's "
		          "owner %s: the other programs cannot open it; give "
		          "it back: chown -R %s %s",
		    dir, de->d_name,
		    user_name(fsb.st_uid, other, sizeof(other)), owner, owner,
		    dir);
		rc = -1;
	}
	closedir(d);
	return rc;
}

/*
 * The store's format: the layout of its databases and records. A program
 * opens a store of its own format or of an older one (upgrading its mark;
 * a change of layout would convert it here), and refuses a newer one,
 * which only a newer strapi-live understands. A store without a mark was
 * made before the format was numbered, and has format 1's layout.
 */
#define STORE_FORMAT 1

static int
check_format(struct store *st)
{
	int64_t f;

	if (store_meta_get(st, "format", &f) == -1)
		return -1;
	if (f == STORE_FORMAT)
		return 0;
	if (f > STORE_FORMAT || f < 0) {
		log_warnx("store: %s is in format %lld, which a newer "
		          "strapi-live made; this one reads format %d and "
		          "older. Run the newer version, or move the content "
		          "with it: strapi-live dump >entries.jsonl, then "
		          "with this version, on an empty store_dir: "
		          "strapi-live import entries.jsonl",
		    st->dir, (long long)f, STORE_FORMAT);
		return -1;
	}
	/*
	 * Read-only opens and replicas leave the mark to the writer; a store
	 * that cannot be written now (a full or read-only disk) is still
	 * readable, and is marked by a later open.
	 */
	if ((st->flags & STORE_OPEN_RDONLY) != 0 || st->repl != NULL)
		return 0;
	if (store_meta_set(st, "format", STORE_FORMAT) == -1)
		log_warnx("store: %s: format mark not written; the store is "
			  "used as it is", st->dir);
	return 0;
}

/*
 * Opens (creating when needed) the store in dir. Returns 0 and *out, or -1
 * after logging why. The directory must exist or be creatable, and belong
 * to the user this process runs as (check_owner).
 */
int
store_open(struct store **out, const char *dir, int flags)
{
	struct store *st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		log_warn("store: creating %s", dir);
		return -1;
	}
	if (check_owner(dir) == -1)
		return -1;
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(dir);
	st->flags = flags;
	st->durable = 1;
	st->regfd = -1;
	buf_init(&st->k1);
	buf_init(&st->k2);
	buf_init(&st->v1);
	if (open_handles(st) == -1 || check_format(st) == -1) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

/* Opens the environment and every database of st. Returns 0 or -1. */
static int
open_handles(struct store *st)
{

	if (open_env(st) == -1 || store_repl_start(st) == -1)
		return -1;
	return open_dbs(st);
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
	st->regfd = -1;
	st->env = parent->env;
	buf_init(&st->k1);
	buf_init(&st->k2);
	buf_init(&st->v1);
	store_repl_thread(parent, st);
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
		&st->by_time_raw, &st->by_category_raw, &st->entries,
		&st->tombs, &st->changes, &st->events, &st->meta };
	size_t i;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++)
		*dbs[i] = NULL; /* each is reachable from its environment */
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
	log_info("store: reopened after recovery");
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
 * (failchk, in a child with a time limit: store_reg.c), so that this
 * process and the others carry on. Returns 0 when done; 1 when the
 * environment is being or was recovered: the caller leaves it
 * (store_abandon, then a fresh open).
 */
int
store_clean_dead(struct store *st)
{
	log_info("store: a process died in the store; cleaning up after it");
	if (store_reg_prepare(st, open_env_with) != 0)
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

	if (open_db(st, &st->entries, "entries.db", 0) == -1 ||
	    open_db(st, &st->by_slug, "by_slug.db", DB_DUP | DB_DUPSORT) ==
	    -1 ||
	    open_db(st, &st->by_time, "by_time.db", DB_RECNUM) == -1 ||
	    open_db(st, &st->by_category, "by_category.db", DB_RECNUM) == -1 ||
	    open_db(st, &st->by_time_raw, "by_time.db", DB_RECNUM) == -1 ||
	    open_db(st, &st->by_category_raw, "by_category.db", DB_RECNUM) ==
	    -1 ||
	    open_db(st, &st->tombs, "tombstones.db", 0) == -1 ||
	    open_db(st, &st->changes, "changes.db", 0) == -1 ||
	    open_db(st, &st->events, "events.db", 0) == -1 ||
	    open_db(st, &st->meta, "meta.db", 0) == -1)
		goto fail;
	/*
	 * DB_CREATE builds an index from existing primaries the first time
	 * (an empty index over a non-empty store, e.g. after an upgrade).
	 */
	if ((ret = st->entries->associate(st->entries, NULL, st->by_slug,
		 extract_slug, store_repl_assoc_flags(st))) != 0 ||
	    (ret = st->entries->associate(st->entries, NULL, st->by_time,
		 extract_time, store_repl_assoc_flags(st))) != 0 ||
	    (ret = st->entries->associate(st->entries, NULL, st->by_category,
		 extract_category, store_repl_assoc_flags(st))) != 0) {
		log_warnx("store: associating indexes: %s", db_strerror(ret));
		goto fail;
	}
	return 0;
fail:
	return -1;
}

/* Closes the databases of st. */
static void
close_dbs(struct store *st)
{
	DB **dbs[10];
	size_t i;

	dbs[0] = &st->by_slug;
	dbs[1] = &st->by_time;
	dbs[2] = &st->by_category;
	dbs[3] = &st->by_time_raw;
	dbs[4] = &st->by_category_raw;
	dbs[5] = &st->entries;
	dbs[6] = &st->tombs;
	dbs[7] = &st->changes;
	dbs[8] = &st->events;
	dbs[9] = &st->meta;
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
	if (st->needs_recovery) {
		store_abandon(st); /* closing could wait on a dead mutex */
		return;
	}
	close_handles(st);
	free(st->abandoned);
	free(st->env_path);
	buf_clear(&st->k1);
	buf_clear(&st->k2);
	buf_clear(&st->v1);
	free(st->dir);
	free(st);
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

const char *
store_result_name(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return "ok";
	case STORE_UNCHANGED:
		return "unchanged";
	case STORE_STALE:
		return "stale";
	case STORE_NOTFOUND:
		return "notfound";
	case STORE_ERR:
		break;
	}
	return "error";
}

static void
dbt_in(DBT *d, const void *p, size_t n)
{
	memset(d, 0, sizeof(*d));
	d->data = (void *)(uintptr_t)p;
	d->size = (u_int32_t)n;
}

/*
 * Adds delta to a counter in meta, inside txn (a counter never goes below
 * 0). Returns 0 with the new value in *out, or a BDB error.
 */
int
store_meta_add(struct store *st, DB_TXN *txn, const char *name, int64_t delta,
    uint64_t *out)
{
	DBT k, v;
	unsigned char cur[8];
	uint64_t n = 0;
	int ret;

	dbt_in(&k, name, strlen(name));
	memset(&v, 0, sizeof(v));
	v.data = cur;
	v.ulen = sizeof(cur);
	v.flags = DB_DBT_USERMEM;
	ret = st->meta->get(st->meta, txn, &k, &v, DB_RMW);
	if (ret == 0 && v.size == 8)
		n = store_be64_get(cur);
	else if (ret != 0 && ret != DB_NOTFOUND)
		return ret;
	if (delta < 0 && (uint64_t)-delta > n)
		n = 0;
	else
		n += (uint64_t)delta;
	store_be64_put(cur, n);
	dbt_in(&v, cur, 8);
	if ((ret = st->meta->put(st->meta, txn, &k, &v, 0)) != 0)
		return ret;
	*out = n;
	return 0;
}

/* Reads and bumps a sequence in meta, inside txn. 0, or a BDB error. */
static int
meta_next(struct store *st, DB_TXN *txn, const char *name, uint64_t *out)
{
	return store_meta_add(st, txn, name, 1, out);
}

static void
add_str(struct buf *b, const char *s, size_t n)
{
	unsigned char l[4];

	if (s == NULL) {
		memset(l, 0xff, 4);
		buf_add(b, l, 4);
		return;
	}
	l[0] = (unsigned char)(n >> 24);
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	buf_add(b, l, 4);
	buf_add(b, s, n);
}

static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/*
 * Change record: format(1) op(1) time(8) old_pa(8) new_pa(8), then
 * length-prefixed strings (0xffffffff = none): collection, documentId,
 * locale, old slug, old category, new slug, new category, entry JSON.
 */
static void
encode_change(struct buf *b, enum store_op op, const struct entry *e,
    const struct store_val *old, int64_t now)
{
	unsigned char h[26];
	const struct entry *ne = op == STORE_OP_UPSERT ? e : NULL;

	h[0] = 1;
	h[1] = (unsigned char)(op == STORE_OP_UPSERT ? STORE_OP_UPSERT :
	    STORE_OP_REMOVE);
	store_be64_put(h + 2, (uint64_t)now);
	store_be64_put(h + 10,
	    (uint64_t)(old != NULL ? old->published_at : ENTRY_DRAFT));
	store_be64_put(h + 18,
	    (uint64_t)(ne != NULL ? ne->published_at : ENTRY_DRAFT));
	buf_reset(b);
	buf_add(b, h, sizeof(h));
	add_str(b, e->coll->name, strlen(e->coll->name));
	add_str(b, e->document_id, strlen(e->document_id));
	add_str(b, e->locale, strlen(e->locale));
	add_str(b, old != NULL ? old->slug : NULL,
	    old != NULL ? old->slug_len : 0);
	add_str(b, old != NULL ? old->category : NULL,
	    old != NULL ? old->category_len : 0);
	add_str(b, ne != NULL ? ne->slug : NULL, slen(ne ? ne->slug : NULL));
	add_str(b, ne != NULL ? ne->category : NULL,
	    slen(ne ? ne->category : NULL));
	add_str(b, ne != NULL ? ne->json : NULL, ne != NULL ? ne->json_len : 0);
}

static const char *
origin_name(enum store_origin o)
{
	switch (o) {
	case STORE_ORIGIN_SYNC:
		return "sync";
	case STORE_ORIGIN_REPLAY:
		return "replay";
	case STORE_ORIGIN_WEBHOOK:
		break;
	}
	return "webhook";
}

static void
json_field(struct buf *b, const char *name, const char *v)
{
	buf_printf(b, ",\"%s\":", name);
	if (v == NULL)
		buf_adds(b, "null");
	else
		buf_add_json_string(b, v, strlen(v));
}

/* Event record: 4-byte length of a JSON summary, the summary, raw body. */
static void
encode_event(struct buf *b, const struct store_event *ev, int64_t now)
{
	struct buf j;
	unsigned char l[4];

	buf_init(&j);
	buf_printf(&j, "{\"time\":%lld,\"origin\":\"%s\",\"status\":%d",
	    (long long)(ev->time_ms != 0 ? ev->time_ms : now),
	    origin_name(ev->origin), ev->status);
	json_field(&j, "event", ev->event);
	json_field(&j, "model", ev->model);
	json_field(&j, "documentId", ev->document_id);
	json_field(&j, "outcome", ev->outcome);
	json_field(&j, "detail", ev->detail);
	buf_addc(&j, '}');
	l[0] = (unsigned char)(j.len >> 24);
	l[1] = (unsigned char)(j.len >> 16);
	l[2] = (unsigned char)(j.len >> 8);
	l[3] = (unsigned char)j.len;
	buf_reset(b);
	buf_add(b, l, 4);
	buf_add(b, j.data, j.len);
	if (ev->raw != NULL)
		buf_add(b, ev->raw, ev->raw_len);
	buf_clear(&j);
}

static int
put_event(struct store *st, DB_TXN *txn, const struct store_event *ev,
    int64_t now)
{
	unsigned char kb[8];
	uint64_t id;
	DBT k, v;
	int ret;

	if ((ret = meta_next(st, txn, "evseq", &id)) != 0)
		return ret;
	store_be64_put(kb, id);
	encode_event(&st->v1, ev, now);
	/* The event log's size, for retention (events_max_bytes). */
	if ((ret = store_meta_add(st, txn, "evbytes", (int64_t)(st->v1.len + 8),
	         &st->evbytes)) != 0)
		return ret;
	dbt_in(&k, kb, 8);
	dbt_in(&v, st->v1.data, st->v1.len);
	return st->events->put(st->events, txn, &k, &v, 0);
}

/* Version order: updatedAt, then publishedAt (a republish without edit). */
static int
vcmp(int64_t ua1, int64_t pa1, int64_t ua2, int64_t pa2)
{
	if (ua1 != ua2)
		return ua1 < ua2 ? -1 : 1;
	if (pa1 != pa2)
		return pa1 < pa2 ? -1 : 1;
	return 0;
}

/*
 * Decides and writes one operation inside txn. Returns 0 with *res (and
 * *seq when a change was logged), or a BDB error (the caller aborts).
 *
 * The rule that makes any order and duplication of deliveries converge:
 * each document keeps the highest version seen, present (entry) or removed
 * (tombstone). An upsert applies only above both; a remove applies at or
 * above the stored version. A delete removes with publishedAt = +inf, so no
 * older row of a deleted document can come back.
 */
int
apply_one(struct store *st, DB_TXN *txn, enum store_op op,
    const struct entry *e, enum store_result *res, uint64_t *seq)
{
	DBT k, v, tv;
	unsigned char tomb[24], *old = NULL;
	struct store_val cur;
	int have = 0, have_tomb = 0, ret, c;
	int64_t ua = e->updated_at, pa = e->published_at, tua = 0, tpa = 0;
	int64_t now = now_wall_ms();
	uint64_t s;
	struct buf key;

	buf_init(&key);
	if (op == STORE_OP_DELETE)
		pa = INT64_MAX;
	store_key_primary(&key, e->coll->name, e->document_id, e->locale);
	dbt_in(&k, key.data, key.len);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_MALLOC;
	ret = st->entries->get(st->entries, txn, &k, &v, DB_RMW);
	if (ret == 0) {
		old = v.data;
		if (store_val_decode(v.data, v.size, &cur) == -1) {
			log_warnx("store: %s/%s: stored value is malformed; "
			    "replacing it", e->coll->name, e->document_id);
		} else
			have = 1;
	} else if (ret != DB_NOTFOUND)
		goto out;
	memset(&tv, 0, sizeof(tv));
	tv.data = tomb;
	tv.ulen = sizeof(tomb);
	tv.flags = DB_DBT_USERMEM;
	ret = st->tombs->get(st->tombs, txn, &k, &tv, DB_RMW);
	if (ret == 0 && tv.size == sizeof(tomb)) {
		have_tomb = 1;
		tua = (int64_t)store_be64_get(tomb);
		tpa = (int64_t)store_be64_get(tomb + 8);
	} else if (ret != 0 && ret != DB_NOTFOUND)
		goto out;
	ret = 0;

	if (op == STORE_OP_UPSERT) {
		if (have && (c = vcmp(ua, pa, cur.updated_at,
				 cur.published_at)) <= 0) {
			*res = c == 0 ? STORE_UNCHANGED : STORE_STALE;
			goto out;
		}
		if (have_tomb && vcmp(ua, pa, tua, tpa) <= 0) {
			*res = STORE_STALE;
			goto out;
		}
		if ((ret = meta_next(st, txn, "seq", &s)) != 0)
			goto out;
		store_val_encode(&st->v1, e, s);
		dbt_in(&v, st->v1.data, st->v1.len);
		if ((ret = st->entries->put(st->entries, txn, &k, &v, 0)) != 0)
			goto out;
		if (have_tomb &&
		    (ret = st->tombs->del(st->tombs, txn, &k, 0)) != 0)
			goto out;
	} else {
		if (have && vcmp(ua, pa, cur.updated_at, cur.published_at) < 0) {
			*res = STORE_STALE;
			goto out;
		}
		if (!have && have_tomb && (c = vcmp(ua, pa, tua, tpa)) <= 0) {
			/* A delete of a gone document is a duplicate in effect. */
			*res = c == 0 || op == STORE_OP_DELETE ? STORE_UNCHANGED :
			    STORE_STALE;
			goto out;
		}
		if (!have_tomb || vcmp(ua, pa, tua, tpa) > 0) {
			store_be64_put(tomb, (uint64_t)ua);
			store_be64_put(tomb + 8, (uint64_t)pa);
			store_be64_put(tomb + 16, (uint64_t)now);
			dbt_in(&tv, tomb, sizeof(tomb));
			if ((ret = st->tombs->put(st->tombs, txn, &k, &tv,
				 0)) != 0)
				goto out;
		}
		if (!have) {
			/* Nothing public changed; the tombstone guards order. */
			*res = STORE_UNCHANGED;
			goto out;
		}
		if ((ret = st->entries->del(st->entries, txn, &k, 0)) != 0)
			goto out;
		if ((ret = meta_next(st, txn, "seq", &s)) != 0)
			goto out;
	}
	encode_change(&st->v1, op, e, have ? &cur : NULL, now);
	{
		unsigned char sk[8];
		DBT ck;

		store_be64_put(sk, s);
		dbt_in(&ck, sk, 8);
		dbt_in(&v, st->v1.data, st->v1.len);
		if ((ret = st->changes->put(st->changes, txn, &ck, &v, 0)) !=
		    0)
			goto out;
		/* The change log's size, for retention (changes_max_bytes). */
		if ((ret = store_meta_add(st, txn, "chbytes",
		         (int64_t)(v.size + 8), &st->chbytes)) != 0)
			goto out;
	}
	*res = STORE_OK;
	*seq = s;
out:
	free(old);
	buf_clear(&key);
	return ret;
}

/*
 * Checkpoint when 8 MiB of log or 5 minutes have passed (cheap to ask when
 * not). A checkpoint writes every dirty page and stalls the writers that
 * need those pages, so not too often; recovery replays at most that much
 * log.
 */
static void
checkpoint(struct store *st)
{
	int ret;

	if ((ret = st->env->txn_checkpoint(st->env, 8192, 5, 0)) != 0)
		log_warnx("store: checkpoint: %s", db_strerror(ret));
}

/*
 * With on set, the commits of st leave the checkpoint and the retention
 * pass to store_maintain, which the caller runs once its answer is sent
 * (webhook.fcgi after each request, the sidecar's writer threads after each
 * delivery): they then never add to a delivery's latency.
 */
void
store_set_deferred(struct store *st, int on)
{
	st->deferred = on;
}

/*
 * The work a deferred store left after its commits: a checkpoint when one
 * is due and the retention pass (store_retain). Failures are logged and
 * left to the next call. Does nothing when nothing was committed since the
 * last call.
 */
void
store_maintain(struct store *st)
{
	if (st == NULL || !st->committed)
		return;
	st->committed = 0;
	/* Under the write watchdog, as it was inside the commit path. */
	watchdog(st, STORE_WATCHDOG_S);
	checkpoint(st);
	watchdog(st, 0);
	store_retain(st);
}

static int
commit_done(struct store *st, uint64_t seq, int wrote_data)
{
	int ret, rc = 0;

	/*
	 * An event-log record alone (a rejected delivery) is not flushed. A
	 * failed flush (disk full, I/O error) means the write may not be on
	 * disk: the caller must not acknowledge it.
	 */
	if (st->durable && wrote_data &&
	    (ret = st->env->log_flush(st->env, NULL)) != 0) {
		store_fail(st, "log_flush", ret);
		rc = -1;
	}
	if (!st->deferred)
		checkpoint(st);
	if (seq != 0 && !(st->flags & STORE_OPEN_NO_NOTIFY))
		notify_send(st->dir, seq);
	return rc;
}

/*
 * After a failed step of a write: when the environment needs recovery
 * (another process died in it), reopens it (store_recover) and returns 1:
 * the write is retried from the start, as after a deadlock, instead of
 * failing a delivery that no client of ours caused to fail.
 */
static int
recovered_for_retry(struct store *st, int ret)
{
	if (ret == DB_RUNRECOVERY)
		store_fail(st, "write", ret);
	return st->needs_recovery && store_recover(st) == 0;
}

enum attempt {
	ATTEMPT_DONE,  /* committed (and flushed when durable) */
	ATTEMPT_FAIL,  /* failed, logged: the caller answers an error */
	ATTEMPT_RETRY, /* try again (deadlock, recovery, a lock timed out) */
	ATTEMPT_STOP,  /* failed with *retp: no retry helps */
};

/* One attempt of store_apply_batch's transaction. */
static enum attempt
attempt_write(struct store *st, struct store_write *w, size_t n,
    const struct store_event *ev, int *retp)
{
	DB_TXN *txn;
	size_t i;
	int ret;
	uint64_t last = 0;
	struct store_event rec;

	watchdog(st, 1);
	if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0) {
		watchdog(st, 0);
		*retp = ret;
		if (ret == DB_REP_LOCKOUT) /* a moment: retried */
			return ATTEMPT_RETRY;
		if (recovered_for_retry(st, ret))
			return ATTEMPT_RETRY;
		store_fail(st, "txn_begin", ret);
		return ATTEMPT_FAIL;
	}
	for (i = 0; i < n && ret == 0; i++) {
		w[i].result = STORE_ERR;
		w[i].seq = 0;
		ret = apply_one(st, txn, w[i].op, w[i].entry, &w[i].result,
		    &w[i].seq);
		if (w[i].seq > last)
			last = w[i].seq;
	}
	if (ret == 0 && ev != NULL) {
		rec = *ev;
		if (rec.outcome == NULL && n == 1) {
			rec.outcome = w[0].result == STORE_OK
			    ? (w[0].op == STORE_OP_UPSERT ? "upserted"
			                                  : "removed")
			    : store_result_name(w[0].result);
		}
		ret = put_event(st, txn, &rec, now_wall_ms());
	}
	*retp = ret;
	if (ret == 0) {
		ret = txn->commit(txn, 0);
		*retp = ret;
		if (ret == 0 && store_repl_commit_ok(st) == -1) {
			/*
			 * Committed here, not acknowledged by the group:
			 * flushed (it may still reach the others), not
			 * answered 200. No checkpoint: it would wait for
			 * acks again.
			 */
			watchdog(st, 0);
			(void)st->env->log_flush(st->env, NULL);
			return ATTEMPT_FAIL;
		}
		if (ret == 0) {
			int flushed = commit_done(st, last, n > 0);

			watchdog(st, 0);
			if (flushed == 0)
				return ATTEMPT_DONE;
			/*
			 * Committed in an environment that was then
			 * recovered: the commit may not have reached the log
			 * file. Written again (an upsert already there is
			 * unchanged).
			 */
			return recovered_for_retry(st, 0) ? ATTEMPT_RETRY
			                                  : ATTEMPT_FAIL;
		}
		watchdog(st, 0);
		if (recovered_for_retry(st, ret))
			return ATTEMPT_RETRY;
		store_fail(st, "commit", ret);
		return ATTEMPT_FAIL;
	}
	txn->abort(txn);
	watchdog(st, 0);
	if (recovered_for_retry(st, ret))
		return ATTEMPT_RETRY;
	if (ret == DB_LOCK_NOTGRANTED) {
		/* A lock timed out: perhaps its holder died. */
		int fr = st->env->failchk(st->env, 0);

		bdb_msg_flush();
		if (fr != 0)
			store_fail(st, "failchk", fr);
		return ATTEMPT_RETRY;
	}
	return ret == DB_LOCK_DEADLOCK ? ATTEMPT_RETRY : ATTEMPT_STOP;
}

/*
 * attempt_write under the write watchdog's jump: when the attempt is stuck
 * on the mutex of a process that died (watchdog_fire), it resumes here,
 * the store is reopened (recovered) and the attempt counts as a retry.
 */
static enum attempt
guarded_attempt(struct store *st, struct store_write *w, size_t n,
    const struct store_event *ev, int *retp)
{
	enum attempt a;

	if (sigsetjmp(watchdog_jump, 1) != 0) {
		watchdog(st, 0);
		log_warnx("store: a write was stuck on a process that died in "
		          "the store; leaving the environment and retrying");
		st->needs_recovery = 1;
		*retp = DB_RUNRECOVERY;
		return store_recover(st) == 0 ? ATTEMPT_RETRY : ATTEMPT_FAIL;
	}
	watchdog_jump_ok = !(st->flags & STORE_OPEN_THREAD);
	a = attempt_write(st, w, n, ev, retp);
	watchdog_jump_ok = 0;
	return a;
}

/*
 * The single write path: applies n writes (webhook: one; sync: a page) and
 * the event-log record ev (may be NULL) in one transaction, retried on
 * deadlock, on a lock whose holder died, and after the environment was
 * recovered, up to STORE_MAX_RETRIES times. Each write's result and seq
 * are filled in. Returns 0 once committed (and flushed when durable), or
 * -1 after logging (nothing was written).
 */
int
store_apply_batch(struct store *st, struct store_write *w, size_t n,
    const struct store_event *ev)
{
	size_t i;
	int ret = 0, attempt;
	enum attempt a = ATTEMPT_RETRY;

	/* A replica writes nothing: not even a rejected delivery's record. */
	if (st->repl != NULL && store_repl_may_write(st) == -1) {
		for (i = 0; i < n; i++)
			w[i].result = STORE_ERR;
		return n == 0 ? 0 : -1;
	}
	/* Bounded retry loop around the transaction (STYLE: the exception). */
	for (attempt = 0; attempt < STORE_MAX_RETRIES; attempt++) {
		if (attempt > 0)
			store_backoff(attempt);
		a = guarded_attempt(st, w, n, ev, &ret);
		if (a == ATTEMPT_DONE) {
			/* Checkpoint and retention: now, or after the answer. */
			if (st->deferred)
				st->committed = 1;
			else
				store_retain(st);
			return 0;
		}
		if (a != ATTEMPT_RETRY)
			break;
	}
	for (i = 0; i < n; i++)
		w[i].result = STORE_ERR;
	if (a != ATTEMPT_FAIL)
		store_fail(st,
		    attempt == STORE_MAX_RETRIES
		        ? "apply (deadlock retries exhausted)"
		        : "apply",
		    ret);
	return -1;
}

/*
 * Applies one operation with its event record. Returns the outcome;
 * STORE_ERR has been logged. *seq is the change's sequence when applied,
 * else the store's current last sequence.
 */
enum store_result
store_apply(struct store *st, enum store_op op, const struct entry *e,
    const struct store_event *ev, uint64_t *seq)
{
	struct store_write w;

	w.op = op;
	w.entry = e;
	if (store_apply_batch(st, &w, 1, ev) == -1)
		return STORE_ERR;
	if (w.seq != 0)
		*seq = w.seq;
	else if (store_last_seq(st, seq) == -1)
		*seq = 0;
	return w.result;
}

/*
 * Records a delivery that was rejected before reaching the store (bad
 * secret, malformed body). Returns 0, or -1 after logging.
 */
int
store_log_event(struct store *st, const struct store_event *ev)
{
	return store_apply_batch(st, NULL, 0, ev);
}
