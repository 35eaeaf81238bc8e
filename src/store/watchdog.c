/* watchdog.c: alarm() around store calls that a dead process could block */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "store/store_int.h"

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
 * registry and the open (reg.c handles the ones dead before).
 */
#define STORE_OPEN_WATCHDOG_S 120
/*
 * An open with failchk (no recovery of ours) stuck that long is waiting on
 * a mutex of a process that died after store_reg_prepare looked: it is
 * abandoned and the open retried (env.c), which recovers the environment.
 */
#define STORE_OPEN_STUCK_S 6

static const char watchdog_write_msg[] = "strapi-live: store write stuck "
                                         "for 10 s (a process died inside "
                                         "the store); exiting so the store "
                                         "can recover\n";
static const char watchdog_open_msg[] = "strapi-live: opening the store is "
                                        "stuck (a process died inside it); "
                                        "exiting: the next open recovers it\n";
static const char watchdog_read_msg[] = "strapi-live: store read stuck "
                                        "for 10 s; exiting so the store can "
                                        "recover\n";
static const char *volatile watchdog_msg = watchdog_write_msg;
/* The write attempt under watch (txn.c: guarded), and where it resumes. */
static struct store *volatile watchdog_store;
static volatile sig_atomic_t watchdog_left;
volatile sig_atomic_t store_watchdog_jump_ok;
sigjmp_buf store_watchdog_jump;
/* Where a stuck read resumes (store_guard_reads), or NULL. */
static sigjmp_buf *volatile read_jump;
/* Where a stuck open with failchk resumes (env.c: open_env_with), while ok. */
volatile sig_atomic_t store_open_jump_ok;
sigjmp_buf store_open_jump;
/* Where an open that faulted resumes (store_catch_faults), or NULL. */
static sigjmp_buf *volatile fault_jump;
static struct sigaction fault_old_segv, fault_old_bus;

static void
watchdog_fire(int sig UNUSED)
{
	const char *m = watchdog_msg;
	struct store *st = watchdog_store;
	char ts[LOG_STAMP_LEN];

	if (m == watchdog_write_msg && store_watchdog_jump_ok && st != NULL) {
		if (store_check(st) != STORE_HEALTHY) {
			store_watchdog_jump_ok = 0;
			siglongjmp(store_watchdog_jump, 1);
		}
		if (watchdog_left > 0) {
			watchdog_left -= STORE_WATCHDOG_STEP_S;
			alarm(STORE_WATCHDOG_STEP_S);
			return;
		}
	}
	if (m == watchdog_read_msg && read_jump != NULL && st != NULL) {
		if (store_check(st) != STORE_HEALTHY) {
			sigjmp_buf *jb = read_jump;

			read_jump = NULL;
			st->needs_recovery = 1;
			siglongjmp(*jb, 1);
		}
		if (watchdog_left > 0) {
			watchdog_left -= STORE_WATCHDOG_STEP_S;
			alarm(STORE_WATCHDOG_STEP_S);
			return;
		}
	}
	if (m == watchdog_open_msg && store_open_jump_ok) {
		store_open_jump_ok = 0;
		siglongjmp(store_open_jump, 1);
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
void
store_watchdog(struct store *st, int on)
{

	if (st->flags & STORE_OPEN_THREAD)
		return;
	watchdog_store = on ? st : NULL;
	watchdog_left = STORE_WATCHDOG_S - STORE_WATCHDOG_STEP_S;
	watchdog_with(on ? STORE_WATCHDOG_STEP_S : 0, watchdog_write_msg);
}

/*
 * The watchdog of opening the environment: off (0), STORE_OPEN_WATCHDOG_S
 * for an open that recovers (1: then the process exits), STORE_OPEN_STUCK_S
 * for one with failchk (2: resumes at store_open_jump while
 * store_open_jump_ok).
 */
void
store_watchdog_open(int how)
{
	watchdog_with(how == 0 ? 0
	        : how == 1     ? STORE_OPEN_WATCHDOG_S
	                       : STORE_OPEN_STUCK_S,
	    watchdog_open_msg);
}

static void
open_fault(int sig)
{
	sigjmp_buf *jb = fault_jump;

	if (jb != NULL) {
		fault_jump = NULL;
		siglongjmp(*jb, sig);
	}
	signal(sig, SIG_DFL); /* the fault happens again, and ends us */
}

/*
 * A process that joins the environment while another one recovers it
 * (removing its region files and creating them again) can fault inside
 * the library: SIGSEGV in __env_alloc_extend was seen under tests/deploy/
 * t2650's kills, ending a request that nobody killed. While jb is set
 * (the opens only: env.c's open_env_with and guarded_open_dbs), such a
 * fault resumes at jb (siglongjmp's value: the signal) like a stuck open,
 * and the open is retried; NULL puts the previous handlers back.
 */
void
store_catch_faults(sigjmp_buf *jb)
{
	struct sigaction sa;

	if (jb == NULL) {
		fault_jump = NULL;
		sigaction(SIGSEGV, &fault_old_segv, NULL);
		sigaction(SIGBUS, &fault_old_bus, NULL);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = open_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &fault_old_segv);
	sigaction(SIGBUS, &sa, &fault_old_bus);
	fault_jump = jb;
}

/*
 * Read watchdog, for the web programs: while jb is set (store_guard_reads,
 * around a request; NULL after it), each read transaction runs under the
 * same stepped alarm as a write (store_read_watch, from meta.c's
 * store_rtxn to store_rtxn_end). A read stuck on the mutex of a process
 * that died in the environment would wait for ever (a snapshot read takes
 * no lock, but the library's region and buffer mutexes it does take are
 * not robust): when the alarm fires and a process has died (store_check),
 * the read is abandoned, st is marked as needing recovery and the request
 * resumes where jb was set (fcgi/serve.c: prog_handle), which reopens the
 * store and answers again. Stuck for STORE_WATCHDOG_S with nobody dead,
 * the process exits, as a stuck write does. Not in a store opened by
 * store_open_thread (see store_watchdog).
 */
void
store_guard_reads(struct store *st, sigjmp_buf *jb)
{
	if (st == NULL || (st->flags & STORE_OPEN_THREAD))
		return;
	if (jb == NULL)
		alarm(0);
	read_jump = jb;
}

/* Arms (on) or disarms the read watchdog around one read transaction. */
void
store_read_watch(struct store *st, int on)
{
	if (read_jump == NULL || (st->flags & STORE_OPEN_THREAD) ||
	    store_watchdog_jump_ok)
		return;
	watchdog_store = on ? st : NULL;
	watchdog_left = STORE_WATCHDOG_S - STORE_WATCHDOG_STEP_S;
	watchdog_with(on ? STORE_WATCHDOG_STEP_S : 0, watchdog_read_msg);
}
