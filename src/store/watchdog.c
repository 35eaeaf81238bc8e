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

static const char watchdog_write_msg[] = "strapi-live: store write stuck "
                                         "for 10 s (a process died inside "
                                         "the store); exiting so the store "
                                         "can recover\n";
static const char watchdog_open_msg[] = "strapi-live: opening the store is "
                                        "stuck (a process died inside it); "
                                        "exiting: the next open recovers it\n";
static const char watchdog_dbs_msg[] = "strapi-live: opening the store's "
                                       "databases is stuck for 10 s; "
                                       "exiting: the next open recovers "
                                       "it\n";
static const char *volatile watchdog_msg = watchdog_write_msg;
/* The watch may jump back (store_watchdog_jump) instead of exiting. */
static volatile sig_atomic_t watchdog_jumps;
/* The write attempt under watch (txn.c: guarded), and where it resumes. */
static struct store *volatile watchdog_store;
static volatile sig_atomic_t watchdog_left;
volatile sig_atomic_t store_watchdog_jump_ok;
sigjmp_buf store_watchdog_jump;

static void
watchdog_fire(int sig UNUSED)
{
	const char *m = watchdog_msg;
	struct store *st = watchdog_store;
	char ts[LOG_STAMP_LEN];

	if (watchdog_jumps && store_watchdog_jump_ok && st != NULL) {
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
	/* The time of death: log_stamp is safe in a signal handler. */
	(void)!write(STDERR_FILENO, ts, log_stamp(ts));
	(void)!write(STDERR_FILENO, m, strlen(m));
	_exit(75);
}

/*
 * Arms (secs > 0) or disarms the watchdog; msg says what was stuck, jumps
 * whether it may resume at store_watchdog_jump.
 */
static void
watchdog_with(unsigned secs, const char *msg, int jumps)
{
	struct sigaction sa;

	if (secs > 0) {
		watchdog_msg = msg;
		watchdog_jumps = jumps;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = watchdog_fire;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
	}
	alarm(secs);
}

/*
 * Watches a store call that may jump back (store_watchdog_jump) when it is
 * stuck on a dead process: on, STORE_WATCHDOG_S in steps; off. Not in a
 * store opened by store_open_thread: alarm() is process-wide, and the
 * process is the host's replication process, whose end would take the
 * site out of the group; its caller (webhook.fcgi, over the relay) has its
 * own timeout instead.
 */
static void
watch(struct store *st, int on, const char *msg)
{

	if (st->flags & STORE_OPEN_THREAD)
		return;
	watchdog_store = on ? st : NULL;
	watchdog_left = STORE_WATCHDOG_S - STORE_WATCHDOG_STEP_S;
	watchdog_with(on ? STORE_WATCHDOG_STEP_S : 0, msg, 1);
}

/* The write watchdog (txn.c: guarded). */
void
store_watchdog(struct store *st, int on)
{
	watch(st, on, watchdog_write_msg);
}

/*
 * The same around opening the databases (env.c: open_dbs_guarded), which
 * a process dying in the environment after it was joined can leave
 * waiting on its mutex.
 */
void
store_watchdog_dbs(struct store *st, int on)
{
	watch(st, on, watchdog_dbs_msg);
}

/* The watchdog of opening the environment (on: STORE_OPEN_WATCHDOG_S). */
void
store_watchdog_open(int on)
{

	watchdog_with(on ? STORE_OPEN_WATCHDOG_S : 0, watchdog_open_msg, 0);
}
