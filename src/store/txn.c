/* txn.c: the one retry loop around every write transaction of the store */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

#include <db.h>

#include "util/log.h"
#include "util/now.h"
#include "store/store_int.h"

/*
 * Checkpoint when 8 MiB of log or 5 minutes have passed (cheap to ask when
 * not). A checkpoint writes every dirty page and stalls the writers that
 * need those pages, so not too often; recovery replays at most that much
 * log.
 */
void
store_checkpoint(struct store *st)
{
	int ret;

	if ((ret = st->env->txn_checkpoint(st->env, 8192, 5, 0)) != 0)
		log_warnx("store: checkpoint: %s", db_strerror(ret));
}

/* After the commit of a logged write (STORE_TXN_LOGGED). 0 or -1. */
static int
commit_done(struct store *st, const struct store_txn *t)
{
	int ret, rc = 0;

	/*
	 * An event-log record alone (a rejected delivery) is not flushed. A
	 * failed flush (disk full, I/O error) means the write may not be on
	 * disk: the caller must not acknowledge it.
	 */
	if (st->durable && (t->flags & STORE_TXN_FLUSH) &&
	    (ret = st->env->log_flush(st->env, NULL)) != 0) {
		store_fail(st, "log_flush", ret);
		rc = -1;
	}
	if (!st->deferred)
		store_checkpoint(st);
	if (t->seq != 0 && st->on_commit != NULL)
		st->on_commit(st->on_commit_arg, t->seq);
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
	ATTEMPT_DONE,  /* committed (and flushed when asked), or dry */
	ATTEMPT_FAIL,  /* failed, logged: the caller answers an error */
	ATTEMPT_RETRY, /* try again (deadlock, recovery, a lock timed out) */
	ATTEMPT_STOP,  /* failed with *retp: no retry helps */
};

/* Commits (or, dry, aborts) the transaction whose body succeeded. */
static enum attempt
finish(struct store *st, DB_TXN *txn, const struct store_txn *t, int *retp)
{
	int ret;

	if (t->flags & STORE_TXN_DRY) {
		txn->abort(txn);
		store_watchdog(st, 0);
		return ATTEMPT_DONE;
	}
	ret = txn->commit(txn, 0);
	*retp = ret;
	if (ret != 0) {
		store_watchdog(st, 0);
		if (recovered_for_retry(st, ret))
			return ATTEMPT_RETRY;
		store_fail(st, "commit", ret);
		return ATTEMPT_FAIL;
	}
	if (!(t->flags & STORE_TXN_LOGGED)) {
		store_watchdog(st, 0);
		return ATTEMPT_DONE;
	}
	if (store_repl_commit_ok(st) == -1) {
		/*
		 * Committed here, not acknowledged by the group: flushed (it
		 * may still reach the others), not answered 200. No
		 * checkpoint: it would wait for acks again.
		 */
		store_watchdog(st, 0);
		(void)st->env->log_flush(st->env, NULL);
		return ATTEMPT_FAIL;
	}
	ret = commit_done(st, t);
	store_watchdog(st, 0);
	if (ret == 0)
		return ATTEMPT_DONE;
	/*
	 * Committed in an environment that was then recovered: the commit
	 * may not have reached the log file. Written again (an upsert
	 * already there is unchanged).
	 */
	return recovered_for_retry(st, 0) ? ATTEMPT_RETRY : ATTEMPT_FAIL;
}

/* One attempt of the transaction t. */
static enum attempt
attempt(struct store *st, struct store_txn *t, int *retp)
{
	DB_TXN *txn;
	int ret, fr;

	store_watchdog(st, 1);
	if ((ret = st->env->txn_begin(st->env, NULL, &txn, 0)) != 0) {
		store_watchdog(st, 0);
		*retp = ret;
		if (ret == DB_REP_LOCKOUT) /* a moment: retried */
			return ATTEMPT_RETRY;
		if (recovered_for_retry(st, ret))
			return ATTEMPT_RETRY;
		store_fail(st, "txn_begin", ret);
		return ATTEMPT_FAIL;
	}
	t->seq = 0;
	ret = t->body(st, txn, t);
	*retp = ret;
	if (ret == 0)
		return finish(st, txn, t, retp);
	txn->abort(txn);
	store_watchdog(st, 0);
	if (recovered_for_retry(st, ret))
		return ATTEMPT_RETRY;
	if (ret == DB_LOCK_NOTGRANTED) {
		/* A lock timed out: perhaps its holder died. */
		fr = st->env->failchk(st->env, 0);
		store_bdb_msg_flush();
		if (fr != 0)
			store_fail(st, "failchk", fr);
		return ATTEMPT_RETRY;
	}
	return ret == DB_LOCK_DEADLOCK ? ATTEMPT_RETRY : ATTEMPT_STOP;
}

/*
 * attempt under the write watchdog's jump: when the attempt is stuck on
 * the mutex of a process that died (watchdog.c), it resumes here, the
 * store is reopened (recovered) and the attempt counts as a retry.
 */
static enum attempt
guarded(struct store *st, struct store_txn *t, int *retp)
{
	enum attempt a;

	if (sigsetjmp(store_watchdog_jump, 1) != 0) {
		store_watchdog(st, 0);
		log_warnx("store: a write was stuck on a process that died in "
		          "the store; leaving the environment and retrying");
		st->needs_recovery = 1;
		*retp = DB_RUNRECOVERY;
		return store_recover(st) == 0 ? ATTEMPT_RETRY : ATTEMPT_FAIL;
	}
	store_watchdog_jump_ok = !(st->flags & STORE_OPEN_THREAD);
	a = attempt(st, t, retp);
	store_watchdog_jump_ok = 0;
	return a;
}

/*
 * Runs t->body in a transaction and commits it (aborts it when
 * STORE_TXN_DRY), retried on deadlock, on a lock whose holder died, and
 * after the environment was recovered, up to STORE_MAX_RETRIES times.
 * Returns 0 once committed (and, STORE_TXN_LOGGED, acknowledged by the
 * group and flushed when durable), or -1 after logging (nothing written).
 */
int
store_txn_run(struct store *st, struct store_txn *t)
{
	char what[128];
	int ret = 0, n;
	enum attempt a = ATTEMPT_RETRY;
	int64_t t0 = now_mono_ms();

	/* Bounded retry loop around the transaction (STYLE: the exception). */
	for (n = 0; n < STORE_MAX_RETRIES; n++) {
		if (n > 0)
			store_backoff(n);
		a = guarded(st, t, &ret);
		if (a == ATTEMPT_DONE) {
			if (n > 0)
				store_trace("%s done in %d attempts, %lld ms",
				    t->what, n + 1,
				    (long long)(now_mono_ms() - t0));
			return 0;
		}
		if (a != ATTEMPT_RETRY)
			break;
	}
	if (a != ATTEMPT_FAIL) {
		snprintf(what, sizeof(what), "%s%s", t->what,
		    n == STORE_MAX_RETRIES ? " (deadlock retries exhausted)"
		                           : "");
		store_fail(st, what, ret);
	}
	return -1;
}
