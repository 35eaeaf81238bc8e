/* server.c: the sidecar's lws context: protocol, routes, timers, start-up */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "util/log.h"
#include "util/notify.h"
#include "util/now.h"
#include "push/client.h"
#include "push/fanout.h"
#include "push/hup.h"
#include "push/msg.h"
#include "push/push.h"
#include "push/query.h"
#include "push/queue.h"
#include "push/registry.h"
#include "push/reply.h"
#include "push/repl.h"
#include "push/sse.h"
#include "push/state.h"
#include "push/status.h"
#include "push/ws.h"
#include "util/xmalloc.h"

static void
beat_cb(lws_sorted_usec_list_t *sul)
{
	struct push *p = (struct push *)(void *)((char *)sul -
	    offsetof(struct push, sul_beat));
	struct push_client *c;
	int64_t now = now_wall_ms();

	/*
	 * Only idle streams need a heartbeat: one that carried data within
	 * half an interval is skipped, so no stream is silent for more than
	 * 1.5 intervals and busy ones cost nothing extra.
	 */
	for (c = LIST_FIRST(&p->all); c != NULL; c = LIST_NEXT(c, alink)) {
		if (c->closing || c->dead ||
		    now - c->tx_ms < p->heartbeat_ms / 2)
			continue;
		if (c->ops->beat(p, c))
			push_queue_pending(p, c);
	}
	push_client_flush_pending(p);
	lws_sul_schedule(p->ctx, 0, &p->sul_beat, beat_cb,
	    p->heartbeat_ms * LWS_US_PER_MS);
}

static void
poll_cb(lws_sorted_usec_list_t *sul)
{
	struct push *p = (struct push *)(void *)((char *)sul -
	    offsetof(struct push, sul_poll));
	struct push_client *c;
	int64_t now;

	push_fanout_check_store(p);
	push_fanout_poll(p, NULL, NULL);
	/*
	 * A client that leaves what it was sent unread past the send timeout
	 * is closed: its queue, and what lws holds for it, are freed, and a
	 * reader that stopped cannot pin memory (a catch-up copy, a query
	 * result) for as long as it keeps the connection.
	 */
	now = now_wall_ms();
	for (c = LIST_FIRST(&p->all); c != NULL; c = LIST_NEXT(c, alink))
		if (!c->dead && now - c->progress_ms > p->send_timeout_ms &&
		    (c->qlen > 0 || lws_partial_buffered(c->wsi))) {
			c->dead = 1;
			p->send_timeouts_total++;
			log_info("push: closing %s client: nothing read for "
			         "%" PRId64 " s",
			    c->ops->name, (now - c->progress_ms) / 1000);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK,
			    LWS_TO_KILL_ASYNC);
		}
	/*
	 * lws can drop a writable request made while it still drains an
	 * earlier partial write; re-kick whoever still has something to send
	 * so such a stall lasts at most one poll interval.
	 */
	for (c = LIST_FIRST(&p->all); c != NULL; c = LIST_NEXT(c, alink))
		if (!c->dead &&
		    (c->qlen > 0 || c->closing ||
		        (c->raw && c->cursor < p->seen)))
			push_queue_pending(p, c);
	push_client_flush_pending(p);
	lws_sul_schedule(p->ctx, 0, &p->sul_poll, poll_cb,
	    p->poll_ms * LWS_US_PER_MS);
}

/* The HTTP paths, each transport's table in turn. */
static const struct push_route *const routes[] = {
	push_sse_routes,
	push_status_routes,
};

static int
route_http(struct push *p, struct push_client *c, struct lws *wsi,
    const char *path)
{
	const struct push_route *r;
	char origin[256];
	size_t i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		for (r = routes[i]; r->path != NULL; r++)
			if (strcmp(path, r->path) == 0)
				return r->handler(p, c, wsi, path);
	(void)push_origin_ok(p, wsi, origin, sizeof(origin));
	return push_http_error(wsi, 404, "Not Found", origin);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct push *p = ctx != NULL ? lws_context_user(ctx) : NULL;
	struct push_client *c = user;
	uint64_t max = 0;

	if (p == NULL)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return route_http(p, c, wsi, in != NULL ? in : "");
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c == NULL || !c->attached)
			break;
		return push_client_flush(p, c, 1);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_CLOSED:
		if (c != NULL) {
			push_query_unsubscribe_all(p, c);
			push_client_detach(p, c);
		}
		break;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return push_ws_filter(p, wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return push_ws_established(p, c, wsi);
	case LWS_CALLBACK_RECEIVE:
		return push_ws_receive(p, c, in, len);
	case LWS_CALLBACK_RAW_RX_FILE:
		if (wsi == p->hup_wsi) {
			push_hup_drain(p);
			break;
		}
		if (notify_drain(p->notify_fd, &max) > 0) {
			p->wakeups_total++;
			push_fanout_poll(p, NULL, NULL);
		}
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (wsi == p->notify_wsi)
			p->notify_wsi = NULL;
		if (wsi == p->hup_wsi) {
			p->hup_wsi = NULL;
			p->hup_fd = -1;
		}
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
lws_log_emit(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	if (level & LLL_ERR)
		log_warnx("lws: %.*s", (int)n, line);
	else
		log_info("lws: %.*s", (int)n, line);
}

static int
parse_listen(const char *spec, char **host, int *port)
{
	const char *colon = strrchr(spec, ':');
	const char *errstr;
	long long n;

	if (spec[0] == '/' || colon == NULL)
		return 1; /* a unix socket path */
	n = strtonum(colon + 1, 0, 65535, &errstr);
	if (errstr != NULL)
		return -1;
	*port = (int)n;
	*host = xstrndup(spec, (size_t)(colon - spec));
	if (**host == '[') {
		size_t l = strlen(*host);

		memmove(*host, *host + 1, l);
		if (l >= 2 && (*host)[l - 2] == ']')
			(*host)[l - 2] = '\0';
	}
	return 0;
}

/* clang-format off */
static struct lws_protocols protocols[] = {
	{ "strapi-live", callback, sizeof(struct push_client), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};
/* clang-format on */

static volatile sig_atomic_t push_stopping;
static struct push *push_signalled; /* for signal_cb */

/*
 * SIGTERM or SIGINT under libuv: lws's signal watchers call this from
 * the loop (not from a signal handler). Destroying the context there is
 * how lws 4.1 ends an internal event loop; push_free finishes it.
 */
static void
signal_cb(void *handle UNUSED, int signum)
{
	struct push *p = push_signalled;

	if (push_stopping || p == NULL)
		return;
	push_stopping = 1;
	log_info("signal %d: closing connections", signum);
	lws_sul_cancel(&p->sul_poll);
	lws_sul_cancel(&p->sul_beat);
	lws_sul_cancel(&p->sul_render);
	push_repl_free(p);
	lws_context_destroy(p->ctx);
}

/*
 * Creates the context on libuv's epoll loop when asked for or when lws
 * has its libuv plugin (push_loop auto), else on lws's own poll() loop,
 * which walks every socket on each turn: with thousands of subscribers
 * that walk costs more than the writes.
 */
static struct lws_context *
create_context(struct push *p, struct lws_context_creation_info *info,
    const char *loop)
{
	struct lws_context *ctx;

	if (strcmp(loop, "poll") != 0) {
		struct lws_context_creation_info uv = *info;

		uv.options |= LWS_SERVER_OPTION_LIBUV |
		    LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
		uv.signal_cb = signal_cb;
		push_signalled = p;
		ctx = lws_create_context(&uv);
		if (ctx != NULL) {
			p->evlib = 1;
			log_info("event loop: libuv");
			return ctx;
		}
		push_signalled = NULL;
		if (strcmp(loop, "libuv") == 0)
			return NULL;
		log_info("libwebsockets has no libuv plugin here");
	}
	log_info("event loop: poll");
	return lws_create_context(info);
}

/*
 * Creates the lws context listening as configured, adopts the notify
 * socket and schedules the poll and heartbeat timers. Fatal on startup
 * failures (bad listen address, socket won't bind).
 */
struct push *
push_new(const struct conf *conf, struct store *st, const struct schema *schema)
{
	struct lws_context_creation_info info;
	struct push *p;
	lws_sock_file_fd_type u;
	char *host = NULL;
	const char *listen = conf_str(conf, CFG_PUSH_LISTEN);
	int port = 0, kind;

	p = xcalloc(1, sizeof(*p));
	TAILQ_INIT(&p->qreg.dirty);
	p->conf = conf;
	p->store = st;
	p->schema = schema;
	p->notify_fd = -1;
	p->hup_fd = -1;
	p->max_clients = (size_t)conf_int(conf, CFG_PUSH_MAX_CLIENTS);
	p->max_per_addr = (size_t)conf_int(conf, CFG_PUSH_MAX_PER_ADDR);
	p->max_subs = (size_t)conf_int(conf, CFG_PUSH_MAX_SUBS);
	p->max_message = (size_t)conf_int(conf, CFG_PUSH_MAX_MESSAGE);
	p->queue_limit = (size_t)conf_int(conf, CFG_PUSH_QUEUE);
	p->heartbeat_ms = conf_int(conf, CFG_PUSH_HEARTBEAT) * 1000;
	p->poll_ms = conf_int(conf, CFG_PUSH_POLL_MS);
	p->token = conf_str(conf, CFG_PUSH_TOKEN);
	p->max_subs_per_addr =
	    (size_t)conf_int(conf, CFG_PUSH_MAX_SUBS_PER_ADDR);
	p->max_queries = (size_t)conf_int(conf, CFG_PUSH_MAX_QUERIES);
	p->keep_rows = (size_t)conf_int(conf, CFG_PUSH_KEEP_MATCHES);
	p->keep_rows_all = (size_t)conf_int(conf, CFG_PUSH_KEEP_MATCHES_ALL);
	p->render_budget = (size_t)conf_int(conf, CFG_PUSH_RENDER_BUDGET);
	p->catchup_memory = (size_t)conf_int(conf, CFG_PUSH_CATCHUP_MEMORY);
	p->send_timeout_ms = conf_int(conf, CFG_PUSH_SEND_TIMEOUT) * 1000;
	p->trusted = conf_push_trusted(conf, &p->ntrusted);
	p->forwarded = strcasecmp(conf_str(conf, CFG_PUSH_CLIENT_HEADER),
	                   "forwarded") == 0;
	p->status_token = conf_str(conf, CFG_STATUS_TOKEN);
	p->started_ms = now_wall_ms();
	p->beat = push_msg_new(": heartbeat\n\n", 13);
	if (store_last_seq(st, &p->seen) == -1)
		fatalx("cannot read the change log");
	protocols[0].rx_buffer_size = p->max_message;

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);
	memset(&info, 0, sizeof(info));
	kind = parse_listen(listen, &host, &port);
	if (kind == -1)
		fatalx("push_listen: bad address %s", listen);
	if (kind == 1) {
		info.options |= LWS_SERVER_OPTION_UNIX_SOCK;
		info.iface = listen;
		(void)unlink(listen);
		p->unix_sock = 1;
	} else {
		info.iface = host;
		info.port = port;
	}
	info.protocols = protocols;
	info.user = p;
	info.vhost_name = "default";
	info.options |=
	    LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6;
	info.max_http_header_data = PUSH_HEADER_DATA;
	info.timeout_secs = 10;
	info.server_string = "strapi-live-push";
	info.pt_serv_buf_size = 32768;
	p->ctx = create_context(p, &info, conf_str(conf, CFG_PUSH_LOOP));
	free(host);
	if (p->ctx == NULL)
		fatalx("push: cannot listen on %s", listen);
	p->vh = lws_get_vhost_by_name(p->ctx, "default");
	if (p->vh == NULL)
		fatalx("push: no vhost");
	if (!p->unix_sock)
		log_info("listening on %s (port %d)", listen,
		    lws_get_vhost_listen_port(p->vh));
	else
		log_info("listening on unix socket %s", listen);
	p->notify_fd = notify_bind(store_dir(st));
	if (p->notify_fd != -1) {
		u.filefd = p->notify_fd;
		p->notify_wsi = lws_adopt_descriptor_vhost(p->vh,
		    LWS_ADOPT_RAW_FILE_DESC, u, "strapi-live", NULL);
		if (p->notify_wsi == NULL)
			log_warnx("push: cannot watch the notify socket; "
			          "polling only");
	} else
		log_warnx("push: no notify socket; polling every %" PRId64
		          " ms",
		    p->poll_ms);
	push_hup_open(p);
	lws_sul_schedule(p->ctx, 0, &p->sul_poll, poll_cb,
	    p->poll_ms * LWS_US_PER_MS);
	lws_sul_schedule(p->ctx, 0, &p->sul_beat, beat_cb,
	    p->heartbeat_ms * LWS_US_PER_MS);
	push_repl_start(p);
	return p;
}

/* Runs the event loop until push_stop (poll) or a signal (libuv). */
void
push_run(struct push *p)
{

	while (!push_stopping)
		if (lws_service(p->ctx, 0) < 0)
			break;
}

/* 1 when the loop itself handles SIGTERM and SIGINT (libuv). */
int
push_handles_signals(const struct push *p)
{

	return p->evlib;
}

/* Asks the loop to end; safe in a signal handler. */
void
push_stop(struct push *p)
{

	push_stopping = 1;
	if (p != NULL && p->ctx != NULL)
		lws_cancel_service(p->ctx);
}

/* Closes every connection and frees the sidecar; NULL does nothing. */
void
push_free(struct push *p)
{

	if (p == NULL)
		return;
	if (p->ctx != NULL) {
		if (!push_stopping || !p->evlib) {
			lws_sul_cancel(&p->sul_poll);
			lws_sul_cancel(&p->sul_beat);
			lws_sul_cancel(&p->sul_render);
		}
		push_repl_free(p);
		lws_context_destroy(p->ctx);
	}
	push_signalled = NULL;
	/* The notify fd was closed by lws with its wsi. */
	push_client_addrs_free(p);
	push_query_free_all(p);
	push_registry_clear(p);
	push_msg_unref(p->beat);
	free(p->scratch);
	free(p);
}
