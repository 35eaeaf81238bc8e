/* watchdog.c: watches over store calls that a dead process could block */
#include "config.h"

#include <sys/syscall.h>

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/proc.h"
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
 * A join without recovery takes milliseconds; one stuck this long waits on
 * a dead process's mutex (reg.c's REG_PROBE_MS, the same judgement of
 * failchk in a child). A CGI request waits through it, so it is short.
 */
#define STORE_JOIN_WATCHDOG_S 3

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
static const char watchdog_close_msg[] = "strapi-live: closing the store is "
                                         "stuck for 10 s; exiting: the "
                                         "next open cleans up\n";
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

	if (watchdog_jumps == 2 && store_watchdog_jump_ok) {
		/* a join stuck this long: back to it, unconditionally */
		store_watchdog_jump_ok = 0;
		siglongjmp(store_watchdog_jump, 1);
	}
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
	_exit(STORE_EXIT_AGAIN);
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

/*
 * The same around closing (env.c: store_close): a close flushes the log
 * and the buffer pool, whose mutexes a process killed meanwhile may hold.
 * A CGI program closes after it answered, and its answer ends only when
 * it exits: a close waiting for ever left the client waiting too.
 */
void
store_watchdog_close(struct store *st, int on)
{
	watch(st, on, watchdog_close_msg);
}

/*
 * The watchdog of joining the environment (env.c: open_env_with, without
 * recovery): it jumps back once STORE_JOIN_WATCHDOG_S have passed.
 */
void
store_watchdog_join(struct store *st, int on)
{
	watchdog_store = on ? st : NULL;
	watchdog_left = 0;
	watchdog_with(on ? STORE_JOIN_WATCHDOG_S : 0, watchdog_open_msg,
	    on ? 2 : 0);
}

/* The watchdog of opening the environment (on: STORE_OPEN_WATCHDOG_S). */
void
store_watchdog_open(int on)
{

	watchdog_with(on ? STORE_OPEN_WATCHDOG_S : 0, watchdog_open_msg, 0);
}

/*
 * Read watch. A request that reads (a list, an /events stream) can wait
 * for ever on a mutex that a killed process held, as a write can; reads
 * run API code between library calls (renderers, callbacks), so an alarm
 * could land anywhere. Instead a watcher thread looks, every half second,
 * at what the request's thread is doing: when it has waited in futex(2)
 * (where libdb's pthread mutexes wait; a single-threaded request waits
 * there for nothing else) for STORE_READ_STUCK_MS and a process has died
 * in the environment (store_check), the thread is signalled, and its
 * handler jumps back to where the request began (store_read_jump, set by
 * the program's request loop), at a system call boundary, as the write
 * watchdog does. The program then reopens the store (store_recover) and
 * answers the request again. Linux only (it reads /proc); elsewhere a
 * no-op.
 */
#define STORE_READ_STEP_MS  500
#define STORE_READ_STUCK_MS 2000

sigjmp_buf store_read_jump;
static volatile sig_atomic_t read_jump_ok;
static struct store *volatile read_store;
#ifdef __linux__
static pthread_t read_thread;
static pid_t read_tid;
static pthread_once_t read_once = PTHREAD_ONCE_INIT;
static int read_started;

static void
read_fire(int sig UNUSED)
{
	if (read_jump_ok && !store_watchdog_jump_ok) {
		read_jump_ok = 0;
		siglongjmp(store_read_jump, 1);
	}
}

/* 1 when thread tid of this process is waiting in futex(2). */
static int
in_futex(pid_t tid)
{
	char b[32];

	if (proc_read(b, sizeof(b), "self/task/%ld/syscall", (long)tid) <= 0)
		return 0;
	return strtol(b, NULL, 10) == SYS_futex;
}

static void *
read_run(void *arg UNUSED)
{
	struct timespec ts = { 0, STORE_READ_STEP_MS * 1000000L };
	struct store *st;
	int stuck = 0;

	for (;;) {
		nanosleep(&ts, NULL);
		st = read_store;
		if (st == NULL || store_watchdog_jump_ok ||
		    !in_futex(read_tid)) {
			stuck = 0;
			continue;
		}
		stuck += STORE_READ_STEP_MS;
		if (stuck < STORE_READ_STUCK_MS ||
		    store_check(st) == STORE_HEALTHY)
			continue;
		stuck = 0;
		pthread_kill(read_thread, SIGUSR2);
	}
	return NULL;
}

static void
read_start(void)
{
	struct sigaction sa;
	sigset_t all, old;
	pthread_t th;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = read_fire;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR2, &sa, NULL) == -1)
		return;
	read_thread = pthread_self();
	read_tid = (pid_t)syscall(SYS_gettid);
	/* The watcher takes no signal: they are the request thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&th, NULL, read_run, NULL) == 0) {
		pthread_detach(th);
		read_started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
#endif

/*
 * Arms (on) or disarms the read watch around one request of st; the
 * caller has just set store_read_jump (sigsetjmp) when arming. Returns 0,
 * or -1 when there is no watch here (the request runs unwatched).
 */
int
store_read_watch(struct store *st, int on)
{
	if (st == NULL || (st->flags & STORE_OPEN_THREAD))
		return -1;
#ifdef __linux__
	if (on) {
		(void)pthread_once(&read_once, read_start);
		if (!read_started)
			return -1;
		read_store = st;
		read_jump_ok = 1;
	} else {
		read_jump_ok = 0;
		read_store = NULL;
	}
	return 0;
#else
	(void)on;
	return -1;
#endif
}
