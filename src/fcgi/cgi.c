/* cgi.c: plain CGI's request runs in a child, answered again after a fault */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/fcgi.h"
#include "fcgi/fcgi_int.h"
#include "api/error.h"
#include "store/store.h"
#include "util/log.h"
#include "util/proc.h"

enum {
	CGI_TRIES = 3,      /* children per request, the first included */
	CGI_OPEN_S = 20,    /* to open the store, but for the last child */
	CGI_PAUSE_MS = 200, /* between them: a recovery under way ends */
	CGI_AGAIN_S = 10    /* children that leave for a fresh one: while the
	                       request is younger, they count no try */
};

volatile struct cgi_share *cgi_share;
int cgi_body_fd = -1;

static volatile pid_t cgi_child;
static volatile sig_atomic_t cgi_ended; /* the signal the parent got */
static int cgi_in_child;                /* this is a request's child */

/* The web server's SIGTERM (a timeout, a client gone) is the child's. */
static void
cgi_forward(int sig)
{
	cgi_ended = sig;
	if (cgi_child > 0)
		(void)kill(cgi_child, sig);
}

static int
cgi_is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	    sig == SIGFPE || sig == SIGABRT;
}

/*
 * 1 when a child that ended so, before a byte of its answer, is replaced
 * by one that answers the request again: it died of a fault, or it left
 * because the store needs a fresh process (STORE_EXIT_AGAIN: a recovery
 * under way when it opened, or it was stuck on a dead process).
 */
static int
cgi_left(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == STORE_EXIT_AGAIN;
}

static int
cgi_again(int status)
{
	if (WIFSIGNALED(status))
		return cgi_is_fault(WTERMSIG(status));
	return cgi_left(status);
}

/*
 * The answer when no child answered, in Strapi's error envelope: 503 when
 * the last child died of a signal or left for a fresh process (try
 * again), 500 when it exited otherwise without answering (a start-up
 * failure, which the error log names).
 */
static void
cgi_unanswered(int status)
{
	struct http_resp resp;
	char msg[160];
	int code = WIFSIGNALED(status) || cgi_left(status) ? 503 : 500;

	if (cgi_left(status))
		snprintf(msg, sizeof(msg),
		    "the store is recovering from a process that died in it; "
		    "try again");
	else if (WIFSIGNALED(status))
		snprintf(msg, sizeof(msg),
		    "the request's process died of signal %d (%s) before "
		    "answering; try again",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(msg, sizeof(msg),
		    "the program ended before answering (exit status %d); "
		    "the server's error log says why",
		    WEXITSTATUS(status));
	log_warnx("%s: answered %d", msg, code);
	http_resp_init(&resp);
	strapi_error(&resp, code, NULL, msg, NULL);
	http_resp_header(&resp, "Cache-Control", "no-store");
	if (code == 503)
		http_resp_header(&resp, "Retry-After", "1");
	fcgi_cgi_write(&resp);
	http_resp_clear(&resp);
}

/*
 * The parent answers on its own: the request's body, if no child read it,
 * is read and dropped first. A CGI program that exits with its body
 * unread makes Apache's mod_cgid read a reset instead of the answer.
 */
static void
cgi_drain(void)
{
	const char *cl = getenv("CONTENT_LENGTH");
	char b[4096];
	long long left = cl != NULL ? strtoll(cl, NULL, 10) : 0;
	size_t n;

	if (cgi_share->body_saved)
		return;
	while (left > 0 &&
	    (n = fread(b, 1,
	         left < (long long)sizeof(b) ? (size_t)left : sizeof(b),
	         stdin)) > 0)
		left -= (long long)n;
}

/*
 * Where the request's child pid waits, for the log line when it is
 * killed stuck (cgi_wait): its system call's number and the kernel
 * function it sleeps in (/proc/PID/syscall and wchan: on x86-64, 202 and
 * a futex function such as futex_do_wait, by the kernel's version, for a
 * mutex of the store's; 73 and locks_lock_inode_wait for recover.lock),
 * so that a stuck open says what it waited on.
 * "unknown" where /proc does not say.
 */
static char cgi_stuck_in[96];

static void
cgi_read_proc(pid_t pid, const char *what, char *buf, size_t len)
{
	(void)proc_read(buf, len, "%ld/%s", (long)pid, what);
	buf[strcspn(buf, " \n")] = '\0';
}

static void
cgi_note_stuck(pid_t pid)
{
	char call[32], wchan[48];

	cgi_read_proc(pid, "syscall", call, sizeof(call));
	cgi_read_proc(pid, "wchan", wchan, sizeof(wchan));
	(void)snprintf(cgi_stuck_in, sizeof(cgi_stuck_in), "system call %s, %s",
	    call[0] != '\0' ? call : "unknown",
	    wchan[0] != '\0' ? wchan : "unknown");
}

/*
 * Waits for the request's child pid into *status. Before the last try,
 * a child that has not opened the store (fcgi_cgi_ready) CGI_OPEN_S after
 * it started is killed: seen under kills, Berkeley DB's recovery of a
 * panicked environment spinning in __env_remove_env for a minute, with
 * every other process of the store waiting. Returns 1 when it was killed
 * so, else 0. SIGCHLD is blocked (fcgi_cgi_supervise).
 */
static int
cgi_wait(pid_t pid, int *status, int bounded)
{
	struct timespec end, now, step;
	sigset_t chld;
	long left_ms;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += CGI_OPEN_S;
	while (bounded && !cgi_share->ready) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left_ms = (end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left_ms <= 0) {
			cgi_note_stuck(pid);
			(void)kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) == -1 && errno == EINTR)
				;
			return 1;
		}
		/* At most 1 s, and tv_nsec below 1e9: a timespec of
		 * 1,000,000,000 ns is EINVAL, which returned at once and
		 * made this loop spin for the whole open. */
		if (left_ms > 999)
			left_ms = 999;
		step.tv_sec = 0;
		step.tv_nsec = left_ms * 1000000L;
		(void)sigtimedwait(&chld, NULL, &step);
	}
	while (waitpid(pid, status, 0) == -1 && errno == EINTR)
		;
	return 0;
}

/*
 * Called by the child once the store is open: from then on it is not
 * killed for being slow (cgi_wait). Under FastCGI, nothing.
 */
void
fcgi_cgi_ready(void)
{
	if (cgi_share != NULL)
		cgi_share->ready = 1;
}

/*
 * In a request's child (plain CGI) that has written nothing of its answer:
 * ends it (STORE_EXIT_AGAIN), and the parent answers the request again in
 * a new child, which opens the store afresh. Elsewhere (FastCGI, a stream,
 * an answer begun), returns.
 */
void
fcgi_cgi_again(const char *why)
{
	if (!cgi_in_child || cgi_share == NULL || cgi_share->wrote)
		return;
	log_warnx("%s; a new process answers the request", why);
	_exit(STORE_EXIT_AGAIN);
}

/*
 * With SL_STORE_TRACE set (the kill tests set it): when each request's
 * child began (pid 0: called in it) and how it ended, with the request's
 * X-Req header (the kill tests' request id), so that a slow request's
 * children can be found in the log.
 */
static void
cgi_trace(pid_t pid, int status, const struct timespec *t0)
{
	const char *id = getenv("HTTP_X_REQ");
	struct timespec now;

	if (pid == 0) { /* in the child, as it begins */
		store_trace("request %s: process %ld begins",
		    id != NULL ? id : "-", (long)getpid());
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	store_trace("request %s: process %ld %s %d after %ld ms",
	    id != NULL ? id : "-", (long)pid,
	    WIFSIGNALED(status) ? "died of signal" : "exited",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	    (long)((now.tv_sec - t0->tv_sec) * 1000 +
	        (now.tv_nsec - t0->tv_nsec) / 1000000));
}

/*
 * Plain CGI only, and not for streams (prog_main.streams: events.cgi
 * keeps one process per reader): the process the web server started
 * stays a small parent and the request is served by a child it forks
 * (this function returns 0 in the child). A process can die inside Berkeley DB without being
 * killed: libdb faults now and then in a process that joins the
 * environment while another recovers it. That child's request would be
 * lost, and the web server would answer 500 with no body. Here, when a
 * child dies of a fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT), or
 * leaves for a fresh process (STORE_EXIT_AGAIN: it could not open the
 * store while another process recovered it, it was stuck on a dead
 * process's mutex, or the store needed recovery again after it reopened
 * it; fcgi_cgi_again), before a byte of its answer reached stdout, a new
 * child answers the request again, CGI_TRIES children in all (those
 * that leave for a fresh one count none for CGI_AGAIN_S, with longer
 * pauses: a recovery under way makes a child leave at once, and three
 * would be spent in a second); the dead child is an ordinary dead
 * process to the store, which the next one cleans up after, as after any
 * kill. The first child saves the body it read from stdin in a memfd
 * (fcgi.c), so the new child reads the same. A request no child answered
 * is answered in Strapi's error envelope (cgi_unanswered), not left to
 * the web server's bare 500; a
 * child that had begun its answer is not answered again (a stream's
 * client resumes). The child dies with the parent (PR_SET_PDEATHSIG): a
 * request the web server or an operator kills is killed whole; the web
 * server's SIGTERM (its timeout, or the client gone) is passed on to the
 * child, and then nothing is answered again. The
 * parent exits with the child's status and never returns.
 */
int
fcgi_cgi_supervise(void)
{
	struct sigaction sa;
	sigset_t chld, old;
	struct timespec t0, now;
	pid_t parent = getpid(), pid;
	int tries, status = 0, stuck, again = 0;
	long pause_ms;
	void *m;

	m = mmap(NULL, sizeof(struct cgi_share), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0; /* served in this process, as before */
	/* Without a place for the body, a retry could not read it. */
	if ((cgi_body_fd = memfd_create("request-body", MFD_CLOEXEC)) == -1) {
		munmap(m, sizeof(struct cgi_share));
		return 0; /* served in this process, as before */
	}
	cgi_share = m;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cgi_forward;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (tries = 1;; tries++) {
		cgi_share->wrote = 0;
		cgi_share->ready = 0;
		fflush(stdout);
		if ((pid = fork()) == -1) {
			log_warn("cannot fork the request's process");
			return 0; /* served in this process */
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			sigprocmask(SIG_SETMASK, &old, NULL);
			(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			cgi_in_child = 1;
			cgi_trace(0, 0, &t0);
			return 0;
		}
		cgi_child = pid;
		stuck = cgi_wait(pid, &status, tries < CGI_TRIES);
		cgi_child = 0;
		cgi_trace(pid, status, &t0);
		if (WIFEXITED(status) &&
		    (WEXITSTATUS(status) == 0 || cgi_share->wrote))
			exit(WEXITSTATUS(status));
		if (cgi_share->wrote)
			exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1);
		/* The web server ended the request: nobody waits for it. */
		if (cgi_ended != 0) {
			log_info("the web server ended the request (signal %d)",
			    (int)cgi_ended);
			exit(128 + cgi_ended);
		}
		if (stuck) {
			log_warnx(
			    "the request's process %ld was stuck opening "
			    "the store for %d s (waiting in %s); answering "
			    "again (%d of %d)",
			    (long)pid, CGI_OPEN_S, cgi_stuck_in, tries + 1,
			    CGI_TRIES);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		pause_ms = CGI_PAUSE_MS;
		if (cgi_left(status) && now.tv_sec - t0.tv_sec < CGI_AGAIN_S) {
			/* a recovery under way: wait for it, longer each time */
			again++;
			tries--;
			pause_ms = again < 5 ? CGI_PAUSE_MS * again : 1000;
		} else if (!cgi_again(status) || tries == CGI_TRIES)
			break;
		if (WIFSIGNALED(status))
			log_warnx("the request's process %ld died of signal %d "
			          "(%s) before answering; answering again (%d "
			          "of %d)",
			    (long)pid, WTERMSIG(status),
			    strsignal(WTERMSIG(status)), tries + 1, CGI_TRIES);
		else
			log_warnx("the request's process %ld left for a fresh "
			          "one (its own line says why: the store "
			          "needed recovery, or its cgi_cpu_limit) "
			          "before answering; answering again (%d of "
			          "%d, %d s after the request came)",
			    (long)pid, tries + 1, CGI_TRIES,
			    (int)(now.tv_sec - t0.tv_sec));
		(void)nanosleep(&(struct timespec){ pause_ms / 1000,
		                    (pause_ms % 1000) * 1000000L },
		    NULL);
	}
	cgi_drain();
	cgi_unanswered(status);
	exit(1);
}
