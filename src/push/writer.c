/* writer.c: the replication process applies this host's webhooks */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYNC
#include "upstream/forward.h"
#include "upstream/refetch.h"
#endif
#include "util/log.h"
#include "push/writer.h"
#include "node/relay.h"
#include "api/materialize.h"
#include "api/webhook.h"
#include "util/xmalloc.h"

/*
 * On a replicated host the sidecar is the replication process, and it is
 * also the only process that writes webhooks: webhook.fcgi hands every
 * delivery over the relay socket (relay.c) and PUSH_WRITER_THREADS threads
 * here run the webhook handler, each on its own handles to the store
 * (store_open_thread). A write on the master commits in one of these
 * threads and waits there for the acks, off the event loop that pushes
 * changes; on a replica the handler forwards the delivery to the master.
 *
 * Why not subordinate writer processes, as libdb also allows: a
 * FastCGI writer becomes a subordinate replication process at its first
 * log write on the master, with its own connections to every site. After
 * a failover, the new master's writers were seen to have their commits
 * refused (not yet connected) or to block inside libdb past the write
 * watchdog, which then panicked the host's environment. Here the
 * connections, elections and acks all live in one process, connected for
 * as long as the site runs.
 */

#define PUSH_WRITER_THREADS 4

struct push_writer {
	int fd;
	const struct conf *conf;
	struct store *store;
	const struct schema *schema; /* NULL: entries stored flat */
	struct counters *counters;   /* shared by the threads (atomic adds) */
	pthread_t th[PUSH_WRITER_THREADS];
	int nth;
	int stopping;
};

static void
serve(struct push_writer *w, struct webhook_ctx *ctx, int fd)
{
	struct relay_req rr;
	struct http_resp resp;

	if (relay_recv_req(fd, (size_t)conf_int(w->conf, CFG_WEBHOOK_MAX_BODY),
	        &rr) == -1) {
		log_warnx("relay: a malformed or incomplete request; dropped");
		return;
	}
	http_resp_init(&resp);
	webhook_handle(&rr.req, &resp, ctx);
	/* static_dir: what the delivery committed, before it is answered */
	(void)materialize_pending(ctx->conf, ctx->store, ctx->schema);
	if (relay_send_resp(fd, &resp) == -1)
		log_warnx("relay: webhook.fcgi left before the answer (%d %s)",
		    resp.status, resp.note != NULL ? resp.note : "-");
	http_resp_clear(&resp);
	relay_req_clear(&rr);
}

static void *
run(void *arg)
{
	struct push_writer *w = arg;
	struct webhook_ctx ctx;
	struct store *st;
	struct timespec pause = { 0, 100000000 };
	int fd;

	if (store_open_thread(w->store, &st) == -1) {
		log_warnx("relay: a writer thread cannot open the store");
		return NULL;
	}
	store_set_durable(st, conf_bool(w->conf, CFG_DURABLE));
	store_set_deferred(st, 1); /* store_maintain after each answer */
	ctx.conf = w->conf;
	ctx.store = st;
	ctx.counters = w->counters;
	ctx.schema = w->schema;
	ctx.refetch = NULL;
	ctx.resync = NULL;
#ifdef HAVE_SYNC
	ctx.forward = repl_forward;
	refetch_setup(&ctx); /* with strapi_url: incomplete deliveries */
#else
	ctx.forward = NULL;
#endif
	while (!__atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST)) {
		fd = relay_accept(w->fd);
		if (fd == -1) {
			if (errno != EINTR && errno != ECONNABORTED &&
			    !__atomic_load_n(&w->stopping, __ATOMIC_SEQ_CST)) {
				log_warn("relay: accept");
				nanosleep(&pause, NULL);
			}
			continue;
		}
		serve(w, &ctx, fd);
		close(fd);
		store_maintain(st);
		if (store_rolled_back(st) && store_reopen(st) == -1)
			fatalx("relay: cannot reopen the store after a "
			       "rollback");
	}
	store_close(st);
	return NULL;
}

/*
 * Starts the writer threads on the relay socket in the store directory.
 * Returns NULL after logging when the socket cannot be bound.
 */
struct push_writer *
push_writer_start(const struct conf *conf, struct store *st,
    const struct schema *schema)
{
	struct push_writer *w;
	sigset_t all, old;
	int i;

	w = xcalloc(1, sizeof(*w));
	w->conf = conf;
	w->store = st;
	w->schema = schema;
	if ((w->fd = relay_listen(store_dir(st))) == -1) {
		free(w);
		return NULL;
	}
	w->counters = counters_open(store_dir(st), 1);
#ifdef HAVE_SYNC
	repl_forward_init(); /* before any thread */
#endif
	/* Signals are the event loop's: the threads block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < PUSH_WRITER_THREADS; i++)
		if (pthread_create(&w->th[w->nth], NULL, run, w) == 0)
			w->nth++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (w->nth == 0) {
		log_warnx("relay: cannot start writer threads");
		push_writer_stop(w);
		return NULL;
	}
	log_info("relay: taking this host's webhooks on %s/%s (%d threads)",
	    store_dir(st), RELAY_SOCKET_NAME, w->nth);
	return w;
}

/* Stops taking deliveries, lets the ones in progress finish, frees w. */
void
push_writer_stop(struct push_writer *w)
{
	int i;

	if (w == NULL)
		return;
	__atomic_store_n(&w->stopping, 1, __ATOMIC_SEQ_CST);
	(void)shutdown(w->fd, SHUT_RDWR); /* wakes the threads in accept() */
	for (i = 0; i < w->nth; i++)
		pthread_join(w->th[i], NULL);
	relay_unlink(store_dir(w->store));
	counters_close(w->counters);
	close(w->fd);
#ifdef HAVE_SYNC
	repl_forward_cleanup();
#endif
	free(w);
}
