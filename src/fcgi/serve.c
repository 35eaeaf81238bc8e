/* serve.c: the FastCGI programs' shared main, and store crash handling */
#include "config.h"

#include <setjmp.h>

#include "fcgi/fcgi.h"
#include "util/log.h"
#include "api/materialize.h"
#include "api/prog.h"
#include "fcgi/serve.h"

/*
 * The FastCGI programs' idle check (fcgi_set_idle), between requests.
 * When a process died in the store's environment, this one cleans up
 * after it (failchk) and carries on: nothing a request can see. When the
 * environment was recovered (the dead process held a mutex), or this
 * process reopened it in place during a request (store_recover, whose
 * old handles it still maps), it must leave it: it does so the way
 * max_requests recycles a process, re-executing itself between requests
 * with the listening socket, so the connections queued on the socket are
 * served by the fresh image instead of being reset by an exit. The store
 * is not closed: closing handles of an environment whose mutexes a dead
 * process holds can wait for ever. Returns 0 to go on, -1 to recycle.
 */
int
prog_idle(void *arg)
{
	struct prog *p = arg;
	enum store_health h;

	if (p->store == NULL)
		return 0;
	/* a snapshot kept across requests must not outlive them for long */
	store_read_release(p->store);
	h = store_check(p->store);
	if (h == STORE_DEAD_PEER && store_clean_dead(p->store) == 0)
		return 0;
	if (h == STORE_HEALTHY && !store_was_recovered(p->store) &&
	    !store_needs_recovery(p->store))
		return 0;
	log_info("store: the environment was recovered (a process died in "
	         "it); handing this process over to a fresh one");
	store_abandon(p->store);
	p->store = NULL;
	fcgi_recycle_soon("the store's environment was recovered");
	return -1;
}

/*
 * Reopens the store (recovering it) and answers req again from scratch.
 * Under plain CGI, when that fails or the store needs recovery once more,
 * and nothing of the answer went out, a new process answers it instead
 * of a 503 (fcgi_cgi_again: this process's view of the store is spent).
 */
static void
answer_again(struct prog *p, const struct http_req *req, struct http_resp *resp)
{
	if (store_recover(p->store) == 0 && !resp->headers_sent) {
		http_resp_reset(resp);
		resp->note = NULL;
		p->handler(req, resp, p->handler_arg);
	}
	if (store_needs_recovery(p->store) && !resp->headers_sent)
		fcgi_cgi_again("store: the store still needs recovery");
}

/*
 * The FastCGI programs' handler (prog_serve): runs the program's handler,
 * and when the store's environment turned out to need recovery during the
 * request (a process died in it holding a mutex), reopens the store in
 * place and answers the request again from scratch, instead of failing
 * it. Writes already retry inside the store (store_apply_batch); this
 * covers reads: those that fail (DB_RUNRECOVERY), and, in the readers
 * (query, events), under the store's read watch, those left waiting on
 * the dead process's mutex. A stream whose head is already sent is ended
 * instead (the client resumes).
 */
static void
prog_handle(const struct http_req *req, struct http_resp *resp, void *arg)
{
	struct prog *p = arg;

	if (p->watch_reads && p->store != NULL &&
	    sigsetjmp(store_read_jump, 1) != 0) {
		store_read_watch(p->store, 0);
		log_warnx("store: a request was stuck on a process that died "
		          "in the store; reopening it%s",
		    resp->headers_sent ? " (the stream ends)"
		                       : " and answering again");
		answer_again(p, req, resp);
		return;
	}
	if (p->watch_reads)
		(void)store_read_watch(p->store, 1);
	p->handler(req, resp, p->handler_arg);
	if (p->watch_reads)
		(void)store_read_watch(p->store, 0);
	/* static_dir: what the request committed, before it is answered */
	(void)materialize_pending(p->conf, p->store, p->schema);
	if (p->store != NULL && store_needs_recovery(p->store) &&
	    !resp->headers_sent)
		answer_again(p, req, resp);
}

/*
 * Serves h(arg) over FastCGI (or one CGI request) with the store's crash
 * handling: the idle check (prog_idle) and the answer-again of
 * prog_handle. Returns what fcgi_serve returns.
 */
int
prog_serve(struct prog *p, fcgi_handler h, void *arg, size_t max_body)
{
	p->handler = h;
	p->handler_arg = arg;
	if (p->store != NULL)
		fcgi_set_idle(prog_idle, p, PROG_IDLE_S);
	return fcgi_serve(prog_handle, p, max_body);
}

/*
 * The FastCGI programs' after-answer hook (fcgi_set_after): the store's
 * deferred work (store_maintain). This function can't fail.
 */
void
prog_after(void *arg)
{
	struct prog *p = arg;

	store_maintain(p->store);
}

/*
 * The main of every FastCGI program: loads the configuration and opens
 * the store (prog_start), lets the program set up its handler, serves
 * until max_requests or a signal, closes down, and at max_requests
 * replaces the process with a fresh image (fcgi_recycle, which does not
 * return). Returns main's exit status.
 */
int
prog_run(struct prog_main *m, char *argv[])
{
	struct prog p;

	/* Plain CGI: the request is served by a child (cgi.c). */
	if (fcgi_is_cgi() && !m->streams) {
		log_init(argv[0], LOG_LEVEL_INFO);
		(void)fcgi_cgi_supervise();
	}
	p.cgi = fcgi_is_cgi();
	prog_start(&p, argv[0], m->role);
	fcgi_cgi_ready();
	/* Writers call out (Strapi, the relay): their waits are not ours. */
	p.watch_reads = m->role == PROG_READER;
	m->setup(&p, m);
	fcgi_set_max_requests(
	    (unsigned long long)conf_int(p.conf, CFG_MAX_REQUESTS));
	prog_serve(&p, m->handler, m->ctx, m->max_body);
	if (m->finish != NULL)
		m->finish(m);
	prog_finish(&p);
	if (fcgi_limit_reached())
		fcgi_recycle(argv); /* does not return */
	return 0;
}
