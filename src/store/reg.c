/* reg.c: the processes in the environment: dead ones, and staleness */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "util/now.h"
#include "util/proc.h"
#include "store/store_int.h"
#include "util/xmalloc.h"

/*
 * Berkeley DB's DB_REGISTER keeps a file, __db.register, of 25-byte slots,
 * one per process with the environment open: the pid, right-aligned, and
 * an fcntl lock on the slot's first byte held for as long as the process
 * is in. A non-empty slot that nobody locks belongs to a process that died
 * inside the environment. The next open (DB_REGISTER | DB_RECOVER |
 * DB_FAILCHK) then runs failchk while holding the whole registry locked.
 *
 * That step can hang for ever: failchk first attaches to the regions, and
 * attaching takes region mutexes (the buffer pool's, for one). BDB 5.3's
 * pthread mutexes are not robust, so a process killed while it held one
 * leaves it locked, the opener waits on it with the registry locked, and
 * every later opener (FastCGI workers, the CLI) waits behind it. Seen with
 * tests/soak/crash.sh after about 100 SIGKILLs.
 *
 * So when the registry shows a dead process, failchk is first tried in a
 * child process with a time limit. If the child hangs it is killed (which
 * releases the registry) and this process opens with full recovery and no
 * failchk: recovery attaches without taking any mutex, marks the old
 * environment dead (panic) and builds a new one. Processes still attached
 * to the old one notice on their next call, or, when idle, through
 * store_check (prog_idle).
 */

#define REG_FILE     "__db.register"
#define REG_SLOT     25
#define REG_MAX      4096 /* slots looked at (set_thread_count) */
#define REG_PROBE_MS 3000 /* failchk taking longer is a hang */
#define REG_ROUNDS   8    /* failchk clears one dead slot per open */
#define REG_EMPTY    "X                      0\n" /* libdb's empty slot */

/* BDB 5.3's REGENV header at the start of __db.001 (checked at run time). */
#define ENV_FILE      "__db.001"
#define ENV_MAGIC     0x120897u
#define ENV_OFF_PANIC 4
#define ENV_OFF_MAJOR 8
#define ENV_OFF_MINOR 12
#define ENV_OFF_ID    24
#define ENV_HEAD      40

static int
slot_is_dead(int fd, const char *slot, size_t pos, pid_t self)
{
	struct flock fl;
	char pid[REG_SLOT + 1];
	long v;

	if (slot[0] == 'X')
		return 0; /* empty */
	memcpy(pid, slot, REG_SLOT);
	pid[REG_SLOT] = '\0';
	v = strtol(pid, NULL, 10);
	if (v == (long)self)
		return 0; /* our own lock never conflicts with us */
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)pos;
	fl.l_len = 1;
	if (fcntl(fd, F_GETLK, &fl) == -1)
		return 0;
	return fl.l_type == F_UNLCK;
}

/*
 * The pid of a process that fd (the registry, opened read-only) names and
 * that is no longer in the environment, else 0. Tests the slot locks
 * without taking any, so it is safe in a process that has the environment
 * open, as long as fd stays open until the environment is closed (closing
 * any descriptor of the file would drop this process's own slot lock).
 */
static long
reg_scan(int fd)
{
	char slots[REG_SLOT * 64], again[REG_SLOT];
	size_t i, off = 0;
	long pid;
	ssize_t n;
	pid_t self = getpid();

	while (off < (size_t)REG_SLOT * REG_MAX) {
		n = pread(fd, slots, sizeof(slots), (off_t)off);
		if (n <= 0)
			break;
		for (i = 0; i + REG_SLOT <= (size_t)n; i += REG_SLOT) {
			if (!slot_is_dead(fd, slots + i, off + i, self))
				continue;
			/*
			 * A process leaving marks its slot empty before it
			 * unlocks it: a slot that still holds the same pid
			 * after the lock test is really dead.
			 */
			if (pread(fd, again, REG_SLOT, (off_t)(off + i)) ==
			        REG_SLOT &&
			    memcmp(again, slots + i, REG_SLOT) == 0) {
				again[REG_SLOT - 1] = '\0';
				pid = strtol(again, NULL, 10);
				return pid > 0 ? pid : 1;
			}
		}
		if ((size_t)n < sizeof(slots))
			break;
		off += (size_t)n;
	}
	return 0;
}

/*
 * Whether process pid still runs, as failchk asks it (env.c: is_alive).
 * A process killed in the environment has dropped its slot lock, so the
 * registry shows it dead, but until its parent reaps it it is a zombie,
 * and kill(pid, 0) succeeds on a zombie. failchk then took it for alive:
 * it left the killed process's state (a mutex it held, its locks) alone,
 * and BDB emptied its registry slot all the same, after which nobody
 * ever saw that death again. Seen with mod_fcgid, which reaps its
 * workers late: the writers stuck on the dead worker's log mutex for
 * 10 s, their watchdogs seeing no dead process. So a zombie, or a process
 * already exiting (PF_EXITING: its files are closed before it becomes a
 * zombie), is dead here; /proc/PID/stat says which (Linux).
 */
#define REG_PF_EXITING 0x4u /* linux/sched.h */

int
store_reg_alive(pid_t pid)
{
#ifdef __linux__
	char buf[512], state;
	const char *p;
	unsigned int flags;

	/* pid (comm) state ppid pgrp session tty tpgid flags */
	if (proc_read(buf, sizeof(buf), "%ld/stat", (long)pid) != -1 &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 1, " %c %*d %*d %*d %*d %*d %u", &state, &flags) == 2)
		return state != 'Z' && state != 'X' &&
		    (flags & REG_PF_EXITING) == 0;
#endif
	return kill(pid, 0) == 0 || errno == EPERM;
}

static int
reg_open(const char *dir)
{
	char *path;
	int fd;

	xasprintf(&path, "%s/%s", dir, REG_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	return fd;
}

/*
 * The pid of a process that died inside the environment of st's store,
 * as its registry shows, else 0. A process that has it open looks through
 * the descriptor it keeps (store_reg_opened): closing another one would
 * drop its own slot's lock, and it would look dead to everyone else.
 */
static long
reg_has_dead(const struct store *st)
{
	long dead;
	int fd;

	if (st->regfd != -1)
		return reg_scan(st->regfd);
	if ((fd = reg_open(st->dir)) == -1)
		return 0;
	dead = reg_scan(fd);
	close(fd);
	return dead;
}

static void
msleep(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

/*
 * Runs the open with failchk in a child, at most REG_PROBE_MS. Returns 0
 * when it completed (the dead process was cleaned up, or the child ran
 * recovery itself), -1 when it hung or failed.
 */
static int
probe_failchk(struct store *st, int (*open_fn)(struct store *, int))
{
	pid_t pid, w, parent = getpid();
	int status = 0;
	long waited = 0;

	if ((pid = fork()) == -1) {
		log_warn("store: fork");
		return -1;
	}
	if (pid == 0) {
		/*
		 * The child: open as usual (failchk), close, report. It must
		 * not outlive a parent killed meanwhile: hung, it would hold
		 * the registry locked with nobody left to kill it.
		 */
#ifdef __linux__
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
		if (getppid() != parent)
			_exit(1);
		if (open_fn(st, 0) == -1)
			_exit(1);
		st->env->close(st->env, 0);
		_exit(0);
	}
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 &&
	    waited < REG_PROBE_MS) {
		msleep(10);
		waited += 10;
	}
	if (w == 0) {
		kill(pid, SIGKILL);
		(void)waitpid(pid, &status, 0);
		log_warnx("store: cleaning up after a process that died in the "
		          "store hung for %d s (it died holding a mutex); "
		          "running full recovery",
		    REG_PROBE_MS / 1000);
		return -1;
	}
	if (w == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("store: cleaning up after a process that died in the "
		          "store failed; running full recovery");
		return -1;
	}
	return 0;
}

/*
 * Before opening the environment of st: when a process died inside it,
 * clean up first in a way that cannot hang (see the comment at the top).
 * open_fn(st, full) opens the environment, with full recovery when full
 * is 1, else with failchk. Returns 1 when the caller must open with full
 * recovery, 0 when the usual open is safe. After a join of st that was
 * stuck (env.c), a dead process means recovery without a probe: the probe's
 * failchk would wait on the same mutex, REG_PROBE_MS more.
 */
int
store_reg_prepare(struct store *st, int (*open_fn)(struct store *, int))
{
	int64_t t0;
	long dead;
	int round;

	for (round = 0; round < REG_ROUNDS; round++) {
		if ((dead = reg_has_dead(st)) == 0)
			return 0;
		store_trace("the registry shows process %ld dead (round %d)",
		    dead, round + 1);
		/*
		 * What opens the environment now may recover it (failchk
		 * finding the dead process inside the library, or full
		 * recovery), and two recoveries at once each build regions
		 * of their own and write the log from the same place, over
		 * each other: seen under kills, two processes' recoveries
		 * ending with the same checkpoint LSN, and acknowledged
		 * deliveries gone. So from here to the end of the open, this
		 * process holds STORE_LOCK_FILE exclusive (the caller drops
		 * it: open_env, store_clean_dead); the others' opens wait.
		 */
		store_reg_lock(st, 1);
		if (!reg_has_dead(st))
			return 0; /* cleaned up while we waited */
		/* A join just waited on that death: failchk would too. */
		if (st->join_stuck)
			return 1;
		t0 = now_mono_ms();
		if (probe_failchk(st, open_fn) == -1)
			return 1;
		store_trace("failchk in a child cleaned up in %lld ms",
		    (long long)(now_mono_ms() - t0));
	}
	return 1;
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v)); /* the region is in host byte order */
	return v;
}

/*
 * Reads the identity of the environment at path (its __db.001) into id
 * (ENV_HEAD bytes). Async-signal-safe: the write watchdog calls it.
 */
static int
env_identity(const char *path, unsigned char *id, ino_t *ino)
{
	struct stat sb;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if (fstat(fd, &sb) == 0 &&
		    pread(fd, id, ENV_HEAD, 0) == ENV_HEAD) {
			*ino = sb.st_ino;
			rc = 0;
		}
		close(fd);
	}
	return rc;
}

/*
 * After the environment of st is open: remembers which environment it is,
 * and keeps the registry open for store_check. Returns 0 (it can't fail;
 * a store without the files is only checked less thoroughly).
 */
int
store_reg_opened(struct store *st)
{
	st->regfd = reg_open(st->dir);
	if (st->env_path == NULL)
		xasprintf(&st->env_path, "%s/%s", st->dir, ENV_FILE);
	st->env_known =
	    env_identity(st->env_path, st->env_id, &st->env_ino) == 0;
	return 0;
}

/* Closes what store_reg_opened kept; after the environment is closed. */
void
store_reg_closed(struct store *st)
{
	if (st->regfd != -1)
		close(st->regfd);
	st->regfd = -1;
	st->env_known = 0;
}

static int
env_is_53(const unsigned char *h)
{
	return get32(h) == ENV_MAGIC && get32(h + ENV_OFF_MAJOR) == 5 &&
	    get32(h + ENV_OFF_MINOR) == 3;
}

/*
 * Cheap health check for an idle process (no mutex, no library call, so
 * it cannot hang; async-signal-safe, for the write watchdog). STORE_ENV_GONE: another process recovered the
 * environment (this one's is dead) or it was marked dead; this process
 * must leave it without closing it (closing may wait on a dead process's
 * mutex) and open it afresh. STORE_DEAD_PEER: a process died inside it;
 * store_clean_dead cleans up after it, and usually the others carry on.
 * STORE_HEALTHY: all is well.
 */
enum store_health
store_check(struct store *st)
{
	unsigned char id[ENV_HEAD];
	ino_t ino;

	if (!st->env_known)
		return STORE_HEALTHY;
	if (env_identity(st->env_path, id, &ino) == -1)
		return STORE_ENV_GONE; /* removed: recovery under way or done */
	if (ino != st->env_ino)
		return STORE_ENV_GONE;
	if (env_is_53(id) && env_is_53(st->env_id)) {
		if (memcmp(id + ENV_OFF_ID, st->env_id + ENV_OFF_ID,
		        ENV_HEAD - ENV_OFF_ID) != 0)
			return STORE_ENV_GONE;
		if (get32(id + ENV_OFF_PANIC) != 0)
			return STORE_ENV_GONE;
	}
	if (st->regfd != -1 && reg_scan(st->regfd))
		return STORE_DEAD_PEER;
	return STORE_HEALTHY;
}

/* Traces a wait of store_reg_lock begun at t0 that took 50 ms or more. */
static void
reg_lock_traced(int64_t t0, int exclusive)
{
	int64_t ms = now_mono_ms() - t0;

	if (ms >= 50)
		store_trace("waited %lld ms for %s %s", (long long)ms,
		    STORE_LOCK_FILE, exclusive ? "exclusive" : "shared");
}

/*
 * Full recovery without the registry (env.c: after a second of failed
 * joins) removes and makes again the region files, and takes no registry
 * lock: a process that joins meanwhile maps half-made files (mmap EINVAL),
 * fails for a second in turn and forces a recovery of its own, which
 * panics the one before. Seen under plain CGI kills: a storm of such
 * recoveries, every request failing or timing out for 15 s. So opens of
 * the environment hold STORE_LOCK_FILE shared, a forced recovery holds it
 * exclusive (and first tries to join, as another may have recovered
 * meanwhile). A process that dies holding it frees it (flock). Failing to
 * open the file, the open goes on without it, as before.
 */
void
store_reg_lock(struct store *st, int exclusive)
{
	int64_t t0 = now_mono_ms();
	char *path;

	if (st->lockfd != -1) {
		/* held; made exclusive when asked (flock converts it) */
		if (exclusive && !st->lock_excl &&
		    flock(st->lockfd, LOCK_EX) == 0)
			st->lock_excl = 1;
		reg_lock_traced(t0, exclusive);
		return;
	}
	xasprintf(&path, "%s/%s", st->dir, STORE_LOCK_FILE);
	st->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(path);
	if (st->lockfd == -1)
		return;
	while (flock(st->lockfd, exclusive ? LOCK_EX : LOCK_SH) == -1) {
		if (errno != EINTR) {
			close(st->lockfd);
			st->lockfd = -1;
			return;
		}
	}
	st->lock_excl = exclusive;
	reg_lock_traced(t0, exclusive);
}

/* Drops store_reg_lock's lock (async-signal-safe). */
void
store_reg_unlock(struct store *st)
{
	if (st->lockfd != -1)
		close(st->lockfd);
	st->lockfd = -1;
	st->lock_excl = 0;
}

/*
 * This process leaves the environment without closing it (store_abandon,
 * store_recover): its registry slot is marked empty, as a close would,
 * so that nobody takes it for a dead process (a failchk naming this pid
 * would clean up after the live process it is again once it re-opens or
 * re-execs), and so that its next open is not refused ("one handle per
 * process"). Recovery by another process empties every slot already.
 * Every descriptor of the registry is closed: that drops this process's
 * slot lock, as exec or exit would.
 */
void
store_reg_leave(struct store *st)
{
	char slot[REG_SLOT], mine[REG_SLOT + 1];
	char *path;
	size_t i;
	int fd;

	(void)snprintf(mine, sizeof(mine), "%24lu\n", (unsigned long)getpid());
	xasprintf(&path, "%s/%s", st->dir, REG_FILE);
	fd = open(path, O_RDWR | O_CLOEXEC);
	free(path);
	for (i = 0; fd != -1 && i < REG_MAX; i++) {
		if (pread(fd, slot, REG_SLOT, (off_t)(i * REG_SLOT)) !=
		    REG_SLOT)
			break;
		if (memcmp(slot, mine, REG_SLOT) != 0)
			continue;
		if (pwrite(fd, REG_EMPTY, REG_SLOT, (off_t)(i * REG_SLOT)) !=
		    REG_SLOT)
			log_warn("store: marking this process's registry slot "
			         "empty");
		break;
	}
	if (fd != -1)
		close(fd);
	store_reg_closed(st);
}
