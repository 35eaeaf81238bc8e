/* fanout.c: fan-out probe: N SSE/WebSocket subscribers, M posts at a rate */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: fanout -m sse|ws -n N -e M -r RATE -s HOST:PORT/PATH
 *     -w HOST:PORT/PATH -b strapi|raw [-W ws-subscribe-message]
 *     [-R "pid pid…"] [-t drain-seconds]
 * Every posted event carries "bench-<k>-" (-k TAG: "TAG-<k>-") in its body; subscribers look
 * for it in what they receive, so the same probe works for nchan.
 * Prints one JSON line of results.
 */

struct conn {
	int fd;
	int state; /* 0 connecting, 1 head sent, 2 streaming */
	char carry[32];
	int ncarry;
	int maxk;
	char hbuf[256];
	int nh;
	/* WebSocket frame reader (-m ws): header, payload left, ping data */
	unsigned char wh[14];
	int nwh, inpay, op, nping;
	uint64_t left;
	char ping[125];
};

static int nsubs = 100, nevents = 50, mode_ws;
static double rate = 5;
static char shost[64] = "127.0.0.1", spath[256] = "/live/events";
static int sport = 8091;
static char whost[64] = "127.0.0.1", wpath[256] = "/strapi/webhook";
static int wport = 8080;
static const char *bodykind = "strapi";
static const char *wsmsg = "{\"type\":\"changes\"}";
static const char *pids = "";
static double drain_s = 10;
static const char *docprefix = "b";
static const char *tag = "bench"; /* -k: marker "<tag>-<k>-x" */

static struct conn *conns;
static unsigned char *seen; /* nsubs * nevents */
static double *recv_t;	    /* nsubs * nevents: receipt time */
static double *resp_t;	    /* nevents: webhook answered */
static double *send_t;	    /* nevents: webhook sent */
static volatile int posted;
static size_t ngot; /* distinct (subscriber, event) pairs seen */
static int post_failures, reconnects; /* written by the poster only */
static int pongs; /* PINGs answered (-m ws) */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
parse_hp(const char *s, char *host, size_t hl, int *port, char *path,
    size_t pl)
{
	const char *c = strchr(s, ':'), *sl;

	sl = strchr(c, '/');
	snprintf(host, hl, "%.*s", (int)(c - s), s);
	*port = atoi(c + 1);
	snprintf(path, pl, "%s", sl != NULL ? sl : "/");
}

static long
rss_kib(void)
{
	char path[64], line[256], *save = NULL, *tok, *copy;
	long total = 0, v;
	FILE *f;

	copy = strdup(pids);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/status", tok);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmRSS: %ld", &v) == 1)
				total += v;
		fclose(f);
	}
	free(copy);
	return total;
}

static int
tcp_connect(const char *host, int port, int nonblock)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, host, &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w <= 0) {
			if (w == -1 && errno == EAGAIN) {
				usleep(100);
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
send_head(struct conn *c)
{
	char req[1024];
	int n;

	if (mode_ws)
		n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		    "Sec-WebSocket-Version: 13\r\n\r\n", spath, shost, sport);
	else
		n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
		    "Accept: text/event-stream\r\n\r\n", spath, shost, sport);
	send_all(c->fd, req, (size_t)n);
	c->state = 1;
}

static void
ws_send_text(int fd, const char *msg)
{
	unsigned char f[512];
	size_t n = strlen(msg), i;

	f[0] = 0x81;
	f[1] = (unsigned char)(0x80 | n);
	memset(f + 2, 0, 4); /* zero mask: payload unchanged */
	for (i = 0; i < n; i++)
		f[6 + i] = (unsigned char)msg[i];
	send_all(fd, (char *)f, 6 + n);
}

/* Finds "bench-<k>-" markers in received bytes. */
static void
scan(struct conn *c, int idx, const char *p, size_t n, double t)
{
	char buf[65536 + 32];
	size_t len, i, j, sidx, used, tlen = strlen(tag) + 1;
	int k;

	while (n > 0) {
		size_t take = n > 65536 ? 65536 : n;

		memcpy(buf, c->carry, (size_t)c->ncarry);
		memcpy(buf + c->ncarry, p, take);
		len = (size_t)c->ncarry + take;
		used = 0;
		for (i = 0; i + tlen < len; i++) {
			if (memcmp(buf + i, tag, tlen - 1) != 0 ||
			    buf[i + tlen - 1] != '-')
				continue;
			j = i + tlen;
			k = 0;
			while (j < len && buf[j] >= '0' && buf[j] <= '9')
				k = k * 10 + (buf[j++] - '0');
			if (j + 1 >= len)
				break; /* incomplete: keep in carry */
			if (buf[j] != '-' || buf[j + 1] != 'x' || k < 0 ||
			    k >= nevents)
				continue;
			sidx = (size_t)idx * (size_t)nevents + (size_t)k;
			if (seen[sidx] < 255)
				seen[sidx]++;
			if (seen[sidx] == 1) {
				recv_t[sidx] = t;
				ngot++;
			}
			if (k < c->maxk)
				c->maxk = -1000000 - k; /* mark out of order */
			else if (c->maxk > -1000000)
				c->maxk = k;
			i = j;
			used = j + 2;
		}
		/* keep the unscanned tail in case a marker is split */
		c->ncarry = len - used < 24 ? (int)(len - used) : 24;
		memcpy(c->carry, buf + len - (size_t)c->ncarry,
		    (size_t)c->ncarry);
		p += take;
		n -= take;
	}
}

/*
 * Sends one request on *fd and reads the whole answer (Content-Length).
 * Returns the HTTP status, or -1 when the connection failed before a full
 * answer (the caller reconnects and retries). Sets *closing when the server
 * said Connection: close (lighttpd does after server.max-keep-alive-requests,
 * 1,000 by default: the probe used to die of SIGPIPE on the next write).
 */
static int
post_once(int fd, const char *req, size_t n, const char *body, size_t bl,
    int *closing)
{
	char resp[4096], *hend = NULL, *cl;
	size_t got = 0;
	long clen = -1;
	ssize_t r;

	*closing = 0;
	if (fd == -1 || send_all(fd, req, n) == -1 ||
	    send_all(fd, body, bl) == -1)
		return -1;
	for (;;) {
		r = read(fd, resp + got, sizeof(resp) - 1 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
		resp[got] = '\0';
		if (hend == NULL && (hend = strstr(resp, "\r\n\r\n")) != NULL) {
			cl = strcasestr(resp, "Content-Length:");
			clen = cl != NULL ? atol(cl + 15) : 0;
			*closing =
			    strcasestr(resp, "Connection: close") != NULL;
		}
		if (hend != NULL &&
		    got >= (size_t)(hend + 4 - resp) + (size_t)clen)
			break;
	}
	if (strncmp(resp, "HTTP/1.1 ", 9) != 0)
		return -1;
	if (strncmp(resp, "HTTP/1.1 20", 11) != 0)
		fprintf(stderr, "post: %.40s\n", resp);
	return atoi(resp + 9);
}

/*
 * WebSocket mode: splits the stream into frames, scans text payloads and
 * answers every PING with a PONG, as a browser does. Without the PONG,
 * libwebsockets hangs up an idle-looking client after 310 s (its default
 * validity policy: PING at 300 s, hang up 10 s later), and the 600 s
 * soak lost every WebSocket subscriber half-way.
 */
static void
ws_feed(struct conn *c, int idx, const char *p, size_t n, double t)
{
	unsigned char pong[2 + 4 + 125];
	size_t take, need;
	uint64_t len;
	int i;

	while (n > 0) {
		if (!c->inpay) {
			c->wh[c->nwh++] = (unsigned char)*p++;
			n--;
			if (c->nwh < 2)
				continue;
			len = c->wh[1] & 0x7f;
			need = 2 + (len == 126 ? 2 : len == 127 ? 8 : 0) +
			    ((c->wh[1] & 0x80) ? 4 : 0);
			if ((size_t)c->nwh < need)
				continue;
			if (len == 126)
				len = (uint64_t)c->wh[2] << 8 | c->wh[3];
			else if (len == 127)
				for (len = 0, i = 2; i < 10; i++)
					len = len << 8 | c->wh[i];
			c->op = c->wh[0] & 0x0f;
			c->left = len;
			c->nwh = 0;
			c->nping = 0;
			c->inpay = 1;
		}
		take = c->left < n ? (size_t)c->left : n;
		if (c->op == 9) {
			for (i = 0; (size_t)i < take && c->nping < 125; i++)
				c->ping[c->nping++] = p[i];
		} else if (c->op <= 2 && take > 0)
			scan(c, idx, p, take, t);
		p += take;
		n -= take;
		c->left -= take;
		if (c->left == 0) {
			c->inpay = 0;
			if (c->op == 9) {
				pong[0] = 0x8a;
				pong[1] = (unsigned char)(0x80 | c->nping);
				memset(pong + 2, 0, 4); /* zero mask */
				memcpy(pong + 6, c->ping, (size_t)c->nping);
				(void)send_all(c->fd, (char *)pong,
				    6 + (size_t)c->nping);
				pongs++;
			}
		}
	}
}

static void *
poster(void *arg)
{
	char body[512], req[1024];
	double t0 = now(), when;
	int fd, k, n, bl, st, closing, attempt;

	(void)arg;
	fd = tcp_connect(whost, wport, 0);
	for (k = 0; k < nevents; k++) {
		when = t0 + k / rate;
		while (now() < when)
			usleep(200);
		if (strcmp(bodykind, "strapi") == 0)
			bl = snprintf(body, sizeof(body),
			    "{\"event\":\"entry.publish\",\"createdAt\":\"2026-03-01T00:00:00.000Z\","
			    "\"model\":\"article\",\"uid\":\"api::article.article\",\"entry\":{"
			    "\"id\":%d,\"documentId\":\"%s%06d\",\"title\":\"%s-%d-x\","
			    "\"slug\":\"%s-%d-s\",\"content\":\"c\",\"excerpt\":\"e\","
			    "\"category\":\"tech\",\"createdAt\":\"2026-03-01T00:00:00.000Z\","
			    "\"updatedAt\":\"2026-03-01T00:00:00.000Z\","
			    "\"publishedAt\":\"2026-03-01T00:00:00.000Z\"}}",
			    k + 1, docprefix, k, tag, k, tag, k);
		else
			bl = snprintf(body, sizeof(body),
			    "{\"title\":\"%s-%d-x\"}", tag, k);
		n = snprintf(req, sizeof(req), "POST %s HTTP/1.1\r\nHost: %s:%d\r\n"
		    "Content-Type: application/json\r\n"
		    "Authorization: Bearer fixture-webhook-secret-123\r\n"
		    "Content-Length: %d\r\n\r\n", wpath, whost, wport, bl);
		send_t[k] = now();
		/*
		 * A connection the server closed is reopened and the post
		 * sent again: a delivery is idempotent, so a repeat of one
		 * that was stored changes nothing and pushes nothing.
		 */
		st = -1;
		for (attempt = 0; attempt < 3 && st == -1; attempt++) {
			st = post_once(fd, req, (size_t)n, body, (size_t)bl,
			    &closing);
			if (st == -1 || closing) {
				if (fd != -1)
					close(fd);
				fd = tcp_connect(whost, wport, 0);
				reconnects++;
			}
		}
		if (st < 200 || st > 299) {
			post_failures++;
			if (st == -1)
				fprintf(stderr, "post %d: no answer\n", k);
		}
		resp_t[k] = now();
		posted = k + 1;
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	struct epoll_event ev, evs[1024];
	pthread_t th;
	char rbuf[65536];
	int ep, opt, i, n, ready = 0, fails = 0, closed = 0;
	long rss0, rss1, rss2;
	double t_ready, deadline = 0, *lat, *lats;
	size_t nl = 0, s, delivered = 0, dups = 0, ooo = 0;
	int starved = 0;

	while ((opt = getopt(argc, argv, "m:n:e:r:s:w:b:W:R:t:o:k:")) != -1) {
		switch (opt) {
		case 'm':
			mode_ws = strcmp(optarg, "ws") == 0;
			break;
		case 'n':
			nsubs = atoi(optarg);
			break;
		case 'e':
			nevents = atoi(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 's':
			parse_hp(optarg, shost, sizeof(shost), &sport, spath,
			    sizeof(spath));
			break;
		case 'w':
			parse_hp(optarg, whost, sizeof(whost), &wport, wpath,
			    sizeof(wpath));
			break;
		case 'b':
			bodykind = optarg;
			break;
		case 'W':
			wsmsg = optarg;
			break;
		case 'R':
			pids = optarg;
			break;
		case 'o':
			docprefix = optarg;
			break;
		case 'k':
			tag = optarg;
			break;
		case 't':
			drain_s = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: see bench/fanout.c\n");
			return 2;
		}
	}
	/* A connection the server closed is an error to handle, not death. */
	signal(SIGPIPE, SIG_IGN);
	conns = calloc((size_t)nsubs, sizeof(*conns));
	seen = calloc((size_t)nsubs * (size_t)nevents, 1);
	recv_t = calloc((size_t)nsubs * (size_t)nevents, sizeof(double));
	resp_t = calloc((size_t)nevents, sizeof(double));
	send_t = calloc((size_t)nevents, sizeof(double));
	ep = epoll_create1(0);
	rss0 = rss_kib();
	for (i = 0; i < nsubs; i++) {
		conns[i].fd = tcp_connect(shost, sport, 1);
		if (conns[i].fd == -1) {
			fprintf(stderr, "connect %d: %s\n", i, strerror(errno));
			return 1;
		}
		ev.events = EPOLLIN | EPOLLOUT;
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
		if (i % 200 == 199) {
			/* let the server accept in step */
			n = epoll_wait(ep, evs, 1024, 0);
			usleep(2000);
		}
	}
	/* Handshakes. */
	t_ready = now() + 60;
	while (ready + fails < nsubs && now() < t_ready) {
		n = epoll_wait(ep, evs, 1024, 100);
		for (i = 0; i < n; i++) {
			struct conn *c = &conns[evs[i].data.u32];
			ssize_t r;

			if (c->state == 0 && (evs[i].events & EPOLLOUT)) {
				send_head(c);
				ev.events = EPOLLIN;
				ev.data.u32 = evs[i].data.u32;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
			if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			r = read(c->fd, rbuf, sizeof(rbuf));
			if (r <= 0) {
				if (c->state != 3) {
					fails++;
					c->state = 3;
				}
				continue;
			}
			if (c->state == 1) {
				if (strncmp(rbuf, "HTTP/1.1 200", 12) == 0 ||
				    strncmp(rbuf, "HTTP/1.1 101", 12) == 0) {
					c->state = 2;
					ready++;
					if (mode_ws && *wsmsg != '\0')
						ws_send_text(c->fd, wsmsg);
				} else {
					c->state = 3;
					fails++;
				}
			}
		}
	}
	/* Settle, then measure idle memory. */
	{
		double until = now() + 1.0;

		while (now() < until) {
			n = epoll_wait(ep, evs, 1024, 50);
			for (i = 0; i < n; i++)
				(void)!read(conns[evs[i].data.u32].fd, rbuf,
				    sizeof(rbuf));
		}
	}
	rss1 = rss_kib();
	pthread_create(&th, NULL, poster, NULL);
	for (;;) {
		double t;

		n = epoll_wait(ep, evs, 1024, 50);
		t = now();

		for (i = 0; i < n; i++) {
			int idx = (int)evs[i].data.u32;
			ssize_t r;

			while ((r = read(conns[idx].fd, rbuf, sizeof(rbuf))) > 0)
				if (mode_ws)
					ws_feed(&conns[idx], idx, rbuf,
					    (size_t)r, t);
				else
					scan(&conns[idx], idx, rbuf,
					    (size_t)r, t);
			if (r == 0 || (r == -1 && errno != EAGAIN)) {
				closed++;
				epoll_ctl(ep, EPOLL_CTL_DEL, conns[idx].fd, NULL);
			}
		}
		if (posted == nevents && deadline == 0)
			deadline = now() + drain_s;
		if (deadline != 0) {
			if (now() > deadline)
				break;
			if (ngot == (size_t)ready * (size_t)nevents)
				break; /* all delivered */
		}
	}
	pthread_join(th, NULL);
	rss2 = rss_kib();
	lat = malloc(sizeof(double) * (size_t)nsubs * (size_t)nevents);
	lats = malloc(sizeof(double) * (size_t)nsubs * (size_t)nevents);
	for (i = 0; i < nsubs; i++) {
		int k;
		double l;

		if (conns[i].maxk <= -1000000)
			ooo++;
		for (k = 0; k < nevents; k++) {
			s = (size_t)i * (size_t)nevents + (size_t)k;
			if (seen[s] == 0)
				continue;
			delivered++;
			if (seen[s] > 1)
				dups += seen[s] - 1;
			l = recv_t[s] - resp_t[k];

			lats[nl] = (recv_t[s] - send_t[k]) * 1000.0;
			lat[nl++] = l < 0 ? 0 : l * 1000.0;
		}
	}
	for (i = 0; i < nsubs; i++) {
		int k, any = 0;

		for (k = 0; k < nevents; k++)
			any |= seen[(size_t)i * (size_t)nevents + (size_t)k];
		starved += !any;
	}
	qsort(lat, nl, sizeof(double), cmpd);
	qsort(lats, nl, sizeof(double), cmpd);
	printf("{\"mode\":\"%s\",\"subscribers\":%d,\"connected\":%d,"
	    "\"events\":%d,\"rate\":%.1f,\"delivered\":%zu,\"expected\":%zu,"
	    "\"duplicates\":%zu,\"out_of_order_subscribers\":%zu,"
	    "\"p50_ms\":%.1f,\"p99_ms\":%.1f,\"max_ms\":%.1f,"
	    "\"send_p50_ms\":%.1f,\"send_p99_ms\":%.1f,\"send_max_ms\":%.1f,"
	    "\"rss_base_kib\":%ld,\"rss_idle_kib\":%ld,\"rss_end_kib\":%ld,"
	    "\"kib_per_idle_subscriber\":%.2f,\"closed\":%d,\"starved\":%d,"
	    "\"post_failures\":%d,\"reconnects\":%d,\"pongs\":%d}\n",
	    mode_ws ? "ws" : "sse", nsubs, ready, nevents, rate, delivered,
	    (size_t)nsubs * (size_t)nevents, dups, ooo,
	    nl ? lat[nl / 2] : -1, nl ? lat[(size_t)(nl * 0.99)] : -1,
	    nl ? lat[nl - 1] : -1, nl ? lats[nl / 2] : -1,
	    nl ? lats[(size_t)(nl * 0.99)] : -1, nl ? lats[nl - 1] : -1, rss0, rss1, rss2,
	    nsubs > 0 ? (double)(rss1 - rss0) / nsubs : 0, closed, starved,
	    post_failures, reconnects, pongs);
	return 0;
}
