/* fcgi.c: serves handlers over FastCGI, or one request as plain CGI */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fcgi/fcgi.h"
#include "fcgi/fcgi_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

extern char **environ;

enum {
	FCGI_LISTEN_FD = 0 /* the FastCGI spec's FCGI_LISTENSOCK_FILENO */
};

static volatile sig_atomic_t fcgi_stop;
static unsigned long long fcgi_max_requests; /* 0: no limit */
static int fcgi_limit_hit; /* fcgi_serve returned at the limit */
static int fcgi_write_ms;  /* 0: writes may block for ever */
static int fcgi_cgi = -1;  /* plain CGI (1) or FastCGI (0); -1 unknown */
static off_t cgi_body_off; /* read so far of the saved body (cgi.c) */

/* Called after each answer has been sent (fcgi_set_after). */
static fcgi_after_fn after_fn;
static void *after_arg;

/*
 * Sets fn to run after each request's answer is complete and handed back to
 * the server (FCGX_Finish_r), before the next request is accepted: work
 * that must not delay an answer (the store's checkpoint and retention).
 */
void
fcgi_set_after(fcgi_after_fn fn, void *arg)
{
	after_fn = fn;
	after_arg = arg;
}
/* Why the process recycles itself (fcgi_recycle's log line). */
const char *fcgi_recycle_why = "max_requests served";

/* Called between requests, at most every idle_ms (fcgi_set_idle). */
static fcgi_idle_fn idle_fn;
static void *idle_arg;
static int idle_ms;

/*
 * Asks fcgi_serve to call fn(arg) between requests, at least every secs
 * seconds while no request arrives and at most that often under load, so
 * an idle worker still notices what happened to the store meanwhile. fn
 * returns 0 to go on, -1 to stop serving (fcgi_serve then returns).
 */
void
fcgi_set_idle(fcgi_idle_fn fn, void *arg, int secs)
{
	idle_fn = fn;
	idle_arg = arg;
	idle_ms = secs * 1000;
}

static void
on_term(int sig UNUSED)
{
	fcgi_stop = 1;
	FCGX_ShutdownPending();
}

/*
 * Ends the loop after the current request (its answer is still sent), so
 * the FastCGI server starts a fresh process (replication).
 */
void
fcgi_stop_after_request(void)
{

	fcgi_stop = 1;
}

/* 1 once SIGTERM or SIGINT arrived: long handlers should wind down. */
int
fcgi_shutting_down(void)
{
	return fcgi_stop != 0;
}

/*
 * After n FastCGI requests (0: never), fcgi_serve returns once the last
 * answer is written, and fcgi_limit_reached() says so: the main then
 * replaces the process with a fresh image (fcgi_recycle). Not used in CGI
 * mode.
 */
void
fcgi_set_max_requests(unsigned long long n)
{
	fcgi_max_requests = n;
}

/*
 * Asks for the same as max_requests, now: called by the idle check, which
 * then returns -1, so fcgi_serve returns between requests and the main
 * recycles the process (fcgi_recycle), handing the listening socket and
 * the connections queued on it to the fresh image. why is logged.
 */
void
fcgi_recycle_soon(const char *why)
{
	fcgi_limit_hit = 1;
	fcgi_recycle_why = why;
}

/* 1 when fcgi_serve returned to be recycled (max_requests, or asked). */
int
fcgi_limit_reached(void)
{
	return fcgi_limit_hit && !fcgi_stop;
}

/*
 * Bounds every write of a response: one the web server does not take
 * within ms milliseconds fails (the handler sees its flush fail and
 * ends), so a client that stops reading cannot hold the process in a
 * blocked write. Under FastCGI the connection's socket gets SO_SNDTIMEO
 * (the limit is on each write without progress); under plain CGI stdout
 * becomes non-blocking and each write has a deadline. 0: no limit.
 */
void
fcgi_set_write_timeout(int ms)
{
	fcgi_write_ms = ms;
}

/* 1 under plain CGI (a process per request), 0 under FastCGI. */
int
fcgi_is_cgi(void)
{
	if (fcgi_cgi == -1)
		fcgi_cgi = FCGX_IsCGI() ? 1 : 0;
	return fcgi_cgi;
}

struct io {
	FCGX_Stream *in, *out; /* NULL in CGI mode: stdio */
};

static int64_t now_us(void);

/* A write to a non-blocking fd that must be taken within fcgi_write_ms. */
static int
write_deadline(int fd, const char *p, size_t n)
{
	int64_t end = now_us() + (int64_t)fcgi_write_ms * 1000, left;
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return -1;
		left = end - now_us();
		if (left <= 0)
			goto late;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)((left + 999) / 1000)) == 0)
			goto late;
	}
	return 0;
late:
	log_info("write not taken within %d ms: ending the response",
	    fcgi_write_ms);
	return -1;
}

/* Logs a FastCGI write that failed on the deadline (SO_SNDTIMEO). */
static void
late_check(struct io *io)
{
	int e = FCGX_GetError(io->out);

	if (fcgi_write_ms > 0 && (e == EAGAIN || e == EWOULDBLOCK))
		log_info("write not taken within %d ms: ending the response",
		    fcgi_write_ms);
}

static int
io_write(struct io *io, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (io->out != NULL) {
		if (FCGX_PutStr(p, (int)n, io->out) == (int)n)
			return 0;
		late_check(io);
		return -1;
	}
	if (cgi_share != NULL)
		cgi_share->wrote = 1;
	if (fcgi_write_ms > 0)
		return fflush(stdout) == 0 ? write_deadline(STDOUT_FILENO, p, n)
		                           : -1;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

static int
io_flush(struct io *io)
{
	if (io->out != NULL) {
		if (FCGX_FFlush(io->out) == 0)
			return 0;
		late_check(io);
		return -1;
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

static long
io_read(struct io *io, char *p, size_t n)
{
	size_t got;

	if (io->in != NULL)
		return FCGX_GetStr(p, (int)n, io->in);
	if (cgi_share != NULL && cgi_share->body_saved) {
		/* read by an earlier child of this request (cgi.c) */
		ssize_t r = pread(cgi_body_fd, p, n, cgi_body_off);

		if (r > 0)
			cgi_body_off += (off_t)r;
		return r > 0 ? (long)r : 0;
	}
	got = fread(p, 1, n, stdin);
	return (long)got;
}

static int
write_head(struct io *io, struct http_resp *r, int with_length)
{
	char line[128];
	int n;

	n = snprintf(line, sizeof(line), "Status: %d %s\r\n", r->status,
	    http_status_text(r->status));
	if (io_write(io, line, (size_t)n) == -1)
		return -1;
	if (r->headers.len > 0 &&
	    io_write(io, r->headers.data, r->headers.len) == -1)
		return -1;
	if (with_length) {
		n = snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
		    r->body.len);
		if (io_write(io, line, (size_t)n) == -1)
			return -1;
	}
	return io_write(io, "\r\n", 2);
}

/* Plain CGI: r to stdout, its head (with the length) then its body. */
void
fcgi_cgi_write(struct http_resp *r)
{
	struct io io = { NULL, NULL };

	if (write_head(&io, r, 1) == 0 && !r->head_only)
		(void)io_write(&io, r->body.data, r->body.len);
	fflush(stdout);
}

/* Streaming flush: headers once (no length), then the body so far. */
static int
stream_flush(struct http_resp *r, void *arg)
{
	struct io *io = arg;

	if (!r->headers_sent) {
		if (write_head(io, r, 0) == -1)
			return -1;
		r->headers_sent = 1;
	}
	if (!r->head_only && io_write(io, r->body.data, r->body.len) == -1)
		return -1;
	buf_reset(&r->body);
	return io_flush(io);
}

/*
 * Plain CGI under cgi.c's parent: the first child keeps the body it read
 * from stdin, which a child answering the request again cannot read.
 */
static void
cgi_save_body(const char *body, size_t len)
{
	if (cgi_share == NULL || cgi_share->body_saved || cgi_body_fd == -1)
		return;
	if (len > 0 && pwrite(cgi_body_fd, body, len, 0) != (ssize_t)len)
		return;
	cgi_share->body_saved = 1;
}

static int
read_body(struct io *io, struct http_req *req, size_t max_body)
{
	struct buf b;
	char chunk[16384];
	long n;
	size_t want;

	if (req->content_length == 0)
		return 0;
	if (req->content_length > 0 &&
	    (unsigned long long)req->content_length > max_body) {
		req->body_too_large = 1;
		return 0;
	}
	buf_init(&b);
	want = req->content_length > 0 ? (size_t)req->content_length
	                               : max_body + 1;
	while (b.len < want) {
		size_t ask = want - b.len;

		if (ask > sizeof(chunk))
			ask = sizeof(chunk);
		n = io_read(io, chunk, ask);
		if (n <= 0)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	if (b.len > max_body) {
		req->body_too_large = 1;
		buf_clear(&b);
		return 0;
	}
	req->body_len = b.len;
	req->body = buf_take(&b);
	cgi_save_body(req->body, req->body_len);
	return 0;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
serve_one(struct io *io, char **env, fcgi_handler h, void *arg, size_t max_body,
    unsigned long id)
{
	struct http_req req;
	struct http_resp resp;
	int64_t t0 = now_us();
	int rc;

	http_req_fill(&req, env, id);
	log_set_request(id);
	http_resp_init(&resp);
	resp.head_only = strcmp(req.method, "HEAD") == 0;
	resp.flush = stream_flush;
	resp.flush_arg = io;
	read_body(io, &req, max_body);
	h(&req, &resp, arg);
	if (resp.headers_sent)
		rc = stream_flush(&resp, io);
	else {
		rc = write_head(io, &resp, 1);
		if (rc == 0 && !resp.head_only)
			rc = io_write(io, resp.body.data, resp.body.len);
	}
	log_info("%s %s %d %zu %s %.1fms%s", req.method, req.path, resp.status,
	    resp.body.len, resp.note != NULL ? resp.note : "-",
	    (double)(now_us() - t0) / 1000.0, rc == -1 ? " (client gone)" : "");
	log_set_request(0);
	http_resp_clear(&resp);
	http_req_clear(&req);
}

/*
 * Serves requests with h until the server stops us: FastCGI when started by
 * a FastCGI server, else exactly one plain CGI request from the environment
 * and stdin. Bodies above max_body are not read (req.body_too_large).
 * Returns 0 when done, -1 when the FastCGI library failed to start.
 */
int
fcgi_serve(fcgi_handler h, void *arg, size_t max_body)
{
	struct sigaction sa;
	FCGX_Request fr;
	struct io io;
	unsigned long id = 0;
	int64_t last;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (fcgi_is_cgi()) {
		io.in = io.out = NULL;
		if (fcgi_write_ms > 0) {
			int fl = fcntl(STDOUT_FILENO, F_GETFL);

			if (fl != -1)
				(void)fcntl(STDOUT_FILENO, F_SETFL,
				    fl | O_NONBLOCK);
		}
		serve_one(&io, environ, h, arg, max_body, 1);
		fflush(stdout);
		if (after_fn != NULL)
			after_fn(after_arg);
		return 0;
	}
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_warnx("FastCGI initialisation failed");
		return -1;
	}
	if (idle_fn != NULL) {
		/*
		 * Wait in poll(), not in accept(), so the idle check runs; the
		 * socket is non-blocking so that a process that loses the race
		 * for a connection to another one on a shared socket (spawn-fcgi
		 * -F) goes back to poll() instead of blocking in accept().
		 */
		int fl = fcntl(FCGI_LISTEN_FD, F_GETFL);

		if (fl != -1)
			(void)fcntl(FCGI_LISTEN_FD, F_SETFL, fl | O_NONBLOCK);
	}
	last = now_us();
	while (!fcgi_stop) {
		if (idle_fn != NULL) {
			struct pollfd pfd;
			int n;

			if (now_us() - last >= (int64_t)idle_ms * 1000) {
				if (idle_fn(idle_arg) == -1)
					break;
				last = now_us();
			}
			pfd.fd = FCGI_LISTEN_FD;
			pfd.events = POLLIN;
			n = poll(&pfd, 1, idle_ms);
			if (n == 0 || (n == -1 && errno == EINTR))
				continue;
		}
		if ((rc = FCGX_Accept_r(&fr)) < 0) {
			/* Lost the race for a connection, or a signal. */
			if (idle_fn != NULL && !fcgi_stop &&
			    (rc == -EAGAIN || rc == -EWOULDBLOCK ||
			        rc == -EINTR))
				continue;
			break;
		}
		if (fcgi_write_ms > 0) {
			struct timeval tv;

			tv.tv_sec = fcgi_write_ms / 1000;
			tv.tv_usec = (fcgi_write_ms % 1000) * 1000;
			(void)setsockopt(fr.ipcFd, SOL_SOCKET, SO_SNDTIMEO, &tv,
			    sizeof(tv));
		}
		io.in = fr.in;
		io.out = fr.out;
		serve_one(&io, fr.envp, h, arg, max_body, ++id);
		FCGX_Finish_r(&fr);
		if (after_fn != NULL)
			after_fn(after_arg);
		if (fcgi_max_requests != 0 && id >= fcgi_max_requests) {
			fcgi_limit_hit = 1;
			break;
		}
	}
	FCGX_Free(&fr, 1);
	return 0;
}
