/* relay.c: webhook deliveries handed to the host's replication process */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/notify.h"
#include "util/now.h"
#include "node/relay.h"
#include "util/xmalloc.h"

/*
 * With replication on, webhook.fcgi writes nothing itself: each delivery
 * goes, as it came (CGI parameters and body), over a stream socket in the
 * store directory to the host's replication process (the sidecar), which
 * runs the webhook handler there and sends the answer back. So one process
 * per host holds the Replication Manager's threads and does every webhook
 * write (docs/replication.md says why).
 *
 * Wire format, integers as 4-byte big-endian:
 *   request:  "SLQ1" flags nenv body_len, nenv × (len bytes), body
 *             (flags bit 0: the body was larger than webhook_max_body)
 *   answer:   "SLA1" status note_len headers_len body_len, note, headers,
 *             body
 */

#define RELAY_MAX_ENV       4096      /* CGI parameters */
#define RELAY_MAX_ENV_BYTES (1 << 20) /* all of them together */
#define RELAY_MAX_ANSWER    (16 << 20)
#define RELAY_NOTE_MAX      64

static void
put32(struct buf *b, uint32_t v)
{
	uint32_t n = htonl(v);

	buf_add(b, &n, 4);
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t n;

	memcpy(&n, p, 4);
	return ntohl(n);
}

/*
 * Reads exactly n bytes before deadline (monotonic ms; 0: the socket's
 * own timeout). Returns 0, or -1 on EOF, error or timeout.
 */
static int
read_full(int fd, void *p, size_t n, int64_t deadline)
{
	unsigned char *c = p;
	struct pollfd pfd;
	ssize_t r;
	int64_t left;

	while (n > 0) {
		if (deadline != 0) {
			left = deadline - now_mono_ms();
			if (left <= 0)
				return -1;
			pfd.fd = fd;
			pfd.events = POLLIN;
			if (poll(&pfd, 1, (int)left) == 0)
				return -1;
		}
		r = read(fd, c, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t r;

	while (n > 0) {
		r = send(fd, c, n, MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
set_timeouts(int fd, int ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void
encode_req(struct buf *b, const struct http_req *req)
{
	uint32_t nenv = 0, i;

	while (
	    req->env != NULL && req->env[nenv] != NULL && nenv < RELAY_MAX_ENV)
		nenv++;
	buf_add(b, "SLQ1", 4);
	put32(b, req->body_too_large ? 1 : 0);
	put32(b, nenv);
	put32(b, (uint32_t)(req->body != NULL ? req->body_len : 0));
	for (i = 0; i < nenv; i++) {
		put32(b, (uint32_t)strlen(req->env[i]));
		buf_add(b, req->env[i], strlen(req->env[i]));
	}
	if (req->body != NULL)
		buf_add(b, req->body, req->body_len);
}

static int
decode_answer(int fd, struct http_resp *resp, int64_t deadline)
{
	static char note[RELAY_NOTE_MAX];
	unsigned char h[20];
	uint32_t nlen, hlen, blen;
	char *data;

	if (read_full(fd, h, sizeof(h), deadline) == -1 ||
	    memcmp(h, "SLA1", 4) != 0)
		return -1;
	nlen = get32(h + 8);
	hlen = get32(h + 12);
	blen = get32(h + 16);
	if (nlen >= RELAY_NOTE_MAX || hlen > RELAY_MAX_ANSWER ||
	    blen > RELAY_MAX_ANSWER)
		return -1;
	data = xmalloc((size_t)nlen + hlen + blen + 1);
	if (read_full(fd, data, (size_t)nlen + hlen + blen, deadline) == -1) {
		free(data);
		return -1;
	}
	http_resp_reset(resp);
	resp->status = (int)get32(h + 4);
	memcpy(note, data, nlen);
	note[nlen] = '\0';
	resp->note = nlen > 0 ? note : NULL;
	buf_add(&resp->headers, data + nlen, hlen);
	buf_add(&resp->body, data + nlen + hlen, blen);
	free(data);
	return 0;
}

int
relay_call(const char *dir, const struct http_req *req, struct http_resp *resp,
    int timeout_ms, const char **why)
{
	struct sockaddr_un sun;
	struct buf b;
	int fd, rc = -1;
	int64_t deadline = now_mono_ms() + timeout_ms;

	*why = "the store directory's path is too long for a socket";
	if (notify_sockaddr(&sun, dir, RELAY_SOCKET_NAME) == -1)
		return -1;
	*why = "this host's replication process (strapi-live-push) is not "
	       "running";
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("webhook: cannot reach %s", sun.sun_path);
		close(fd);
		return -1;
	}
	set_timeouts(fd, timeout_ms);
	buf_init(&b);
	encode_req(&b, req);
	*why = "this host's replication process did not answer in time";
	if (write_full(fd, b.data, b.len) == 0 &&
	    decode_answer(fd, resp, deadline) == 0)
		rc = 0;
	else
		log_warnx("webhook: no answer from the replication process "
		          "within %d ms",
		    timeout_ms);
	buf_clear(&b);
	close(fd);
	return rc;
}

int
relay_listen(const char *dir)
{
	struct sockaddr_un sun;
	int fd;

	if (notify_sockaddr(&sun, dir, RELAY_SOCKET_NAME) == -1) {
		log_warnx("relay: store path too long for %s",
		    RELAY_SOCKET_NAME);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("relay: socket");
		return -1;
	}
	if (notify_bind_private(fd, &sun) == -1 || listen(fd, 128) == -1) {
		log_warn("relay: %s", sun.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Accepts one connection, with a 10 s limit on each read and write of it
 * (a webhook.fcgi that stalls mid-request cannot hold a writer thread).
 * Returns the fd, or -1 with errno set.
 */
int
relay_accept(int lfd)
{
	int fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return -1;
	set_timeouts(fd, 10000);
	return fd;
}

void
relay_unlink(const char *dir)
{
	struct sockaddr_un sun;

	if (notify_sockaddr(&sun, dir, RELAY_SOCKET_NAME) == 0)
		(void)unlink(sun.sun_path);
}

int
relay_recv_req(int fd, size_t max_body, struct relay_req *out)
{
	unsigned char h[16], l[4];
	uint32_t flags, nenv, blen, len, i;
	size_t used = 0;
	struct buf s;
	size_t *offs;

	memset(out, 0, sizeof(*out));
	if (read_full(fd, h, sizeof(h), 0) == -1 || memcmp(h, "SLQ1", 4) != 0)
		return -1;
	flags = get32(h + 4);
	nenv = get32(h + 8);
	blen = get32(h + 12);
	if (nenv > RELAY_MAX_ENV || blen > max_body)
		return -1;
	buf_init(&s);
	offs = xcalloc((size_t)nenv + 1, sizeof(*offs));
	for (i = 0; i < nenv; i++) {
		if (read_full(fd, l, 4, 0) == -1)
			goto fail;
		len = get32(l);
		/* In size_t, and before adding: len + 1 wraps at 0xffffffff. */
		if ((size_t)len >= RELAY_MAX_ENV_BYTES - used)
			goto fail;
		used += (size_t)len + 1;
		offs[i] = s.len;
		buf_reserve(&s, len + 1);
		if (read_full(fd, s.data + s.len, len, 0) == -1)
			goto fail;
		s.len += len;
		buf_add(&s, "", 1);
	}
	out->strings = buf_take(&s);
	out->env = xcalloc((size_t)nenv + 1, sizeof(*out->env));
	for (i = 0; i < nenv; i++)
		out->env[i] = out->strings + offs[i];
	free(offs);
	http_req_fill(&out->req, out->env, 0);
	out->req.body_too_large = (flags & 1) != 0;
	if (blen > 0) {
		out->req.body = xmalloc((size_t)blen + 1);
		if (read_full(fd, out->req.body, blen, 0) == -1) {
			relay_req_clear(out);
			return -1;
		}
		out->req.body[blen] = '\0';
		out->req.body_len = blen;
	}
	return 0;
fail:
	buf_clear(&s);
	free(offs);
	return -1;
}

void
relay_req_clear(struct relay_req *r)
{
	http_req_clear(&r->req);
	free(r->env);
	free(r->strings);
	memset(r, 0, sizeof(*r));
}

int
relay_send_resp(int fd, const struct http_resp *resp)
{
	struct buf b;
	size_t nlen = resp->note != NULL ? strlen(resp->note) : 0;
	int rc;

	if (nlen >= RELAY_NOTE_MAX)
		nlen = RELAY_NOTE_MAX - 1;
	buf_init(&b);
	buf_add(&b, "SLA1", 4);
	put32(&b, (uint32_t)resp->status);
	put32(&b, (uint32_t)nlen);
	put32(&b, (uint32_t)resp->headers.len);
	put32(&b, (uint32_t)resp->body.len);
	buf_add(&b, resp->note, nlen);
	buf_add(&b, resp->headers.data, resp->headers.len);
	buf_add(&b, resp->body.data, resp->body.len);
	rc = write_full(fd, b.data, b.len);
	buf_clear(&b);
	return rc;
}
