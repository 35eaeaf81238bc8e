/* strapi-live-push.c: the push sidecar's main */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "api/prog.h"
#include "push/push.h"
#include "push/writer.h"
#include "store/store_repl.h"

static struct push *the_push;

static void
on_term(int sig UNUSED)
{

	push_stop(the_push);
}

int
main(int argc UNUSED, char *argv[])
{
	struct sigaction sa;
	struct prog p;
	struct push_writer *w = NULL;

	p.cgi = 0;
	prog_start(&p, argv[0], PROG_PUSH);
	signal(SIGPIPE, SIG_IGN);
	/* Replicated: this process applies the host's webhooks too. */
	if (store_repl_enabled() &&
	    (w = push_writer_start(p.conf, p.store, p.schema)) == NULL)
		fatalx("cannot take this host's webhooks");
	the_push = push_new(p.conf, p.store, p.schema);
	if (!push_handles_signals(the_push)) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_term;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	push_run(the_push);
	log_info("shutting down");
	push_writer_stop(w);
	push_free(the_push);
	prog_finish(&p);
	return 0;
}
