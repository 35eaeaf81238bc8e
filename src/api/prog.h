/* prog.h: the start-up and shut-down every server program shares */
#ifndef PROG_H
#define PROG_H

#include "conf/conf.h"
#include "fcgi/fcgi.h"
#include "store/store.h"

enum prog_role {
	PROG_READER, /* query.fcgi, events.fcgi */
	PROG_WRITER, /* webhook.fcgi, sync.fcgi: durability from the config */
	PROG_PUSH,   /* the sidecar: a reader, and the replication process */
	PROG_WEBHOOK, /* webhook.fcgi: a writer; replicated, no store at all */
};

struct prog {
	struct conf *conf;
	struct store *store;
	fcgi_handler handler; /* prog_serve's */
	void *handler_arg;
};

void prog_start(struct prog *, const char *argv0, enum prog_role);
void prog_finish(struct prog *);
int prog_repl_configure(const struct conf *, char **cause);
void prog_wake_readers(struct store *);
void prog_retention(const struct conf *, struct store_retention *);
void prog_set_retention(const struct conf *, struct store *);
int prog_idle(void *);
void prog_after(void *);
int prog_serve(struct prog *, fcgi_handler, void *arg, size_t max_body);

/* Seconds between prog_idle checks in the FastCGI programs. */
#define PROG_IDLE_S 2

#endif
