/* prog.h: the start-up and shut-down every server program shares */
#ifndef PROG_H
#define PROG_H

#include "conf/conf.h"
#include "api/http.h"
#include "store/store.h"

struct schema;

enum prog_role {
	PROG_READER,  /* query.fcgi, events.fcgi */
	PROG_WRITER,  /* webhook.fcgi, sync.fcgi: durability from the config */
	PROG_PUSH,    /* the sidecar: a reader, and the replication process */
	PROG_WEBHOOK, /* webhook.fcgi: a writer; replicated, no store at all */
};

struct prog {
	struct conf *conf;
	struct store *store;
	struct schema *schema; /* the content model (schema_dir, or pulled);
	                          NULL without */
	http_handler handler;  /* what the transport serves (prog_serve) */
	void *handler_arg;
	int watch_reads; /* its requests run under the store's read watch
	                    (readers: they call nothing but the store) */
	int cgi;         /* plain CGI: this process serves one request */
};

void prog_start(struct prog *, const char *argv0, enum prog_role);
void prog_finish(struct prog *);
int prog_load_schema(struct conf *, struct schema **, char **cause);
int prog_keep_schema(struct store *, const char *types, const char *components);
int prog_read_stored_schema(struct store *, struct schema **, char **cause);
int prog_load_stored_schema(struct conf *, struct store *, struct schema **,
    char **cause);
int prog_repl_configure(const struct conf *, char **cause);
void prog_wake_readers(struct store *);
void prog_retention(const struct conf *, struct store_retention *);
void prog_set_retention(const struct conf *, struct store *);

#endif
