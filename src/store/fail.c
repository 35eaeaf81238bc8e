/* fail.c: failure causes, libdb's messages, and the pause between retries */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <db.h>

#include "util/log.h"
#include "store/store_int.h"

/*
 * Informational messages (failchk's reports) go to the log, not stdout.
 * failchk reports every dead locker's read locks ("BDB2053 Freeing read
 * locks for locker ...") and every dead process's log state ("BDB1502
 * Freeing log information for process ..."): hundreds of lines after one
 * crash. Those are counted, and store_bdb_msg_flush sums them up in one line.
 */
static unsigned long bdb_freed_lockers, bdb_freed_logs;

void
store_bdb_msgcall(const DB_ENV *env UNUSED, const char *msg)
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
void
store_bdb_msg_flush(void)
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

void
store_bdb_errcall(const DB_ENV *env UNUSED, const char *pfx UNUSED,
    const char *msg)
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
 * With SL_STORE_TRACE set in the environment (the kill tests set it), one
 * line per step of opening and recovering the store: what it saw dead,
 * what it waited on and how long, so that a slow request's log says where
 * its time went. Otherwise nothing.
 */
void
store_trace(const char *fmt, ...)
{
	static int on = -1;
	char msg[512];
	va_list ap;

	if (on == -1)
		on = getenv("SL_STORE_TRACE") != NULL;
	if (!on)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("trace: %s", msg);
}
