/* events.h: events.fcgi's handler: the change stream without a daemon */
#ifndef EVENTS_H
#define EVENTS_H

#include "conf/conf.h"
#include "api/http.h"
#include "store/store.h"

#define EVENTS_POLL_MS    200
#define EVENTS_JSON_LIMIT 100
#define EVENTS_JSON_MAX   1000
#define EVENTS_BATCH      100

struct events_ctx {
	const struct conf *conf;
	struct store *store;
	int (*stopping)(void); /* non-zero: end the stream now */
	int cgi;               /* plain CGI: a process per stream */
};

void events_handle(const struct http_req *, struct http_resp *, void *);

#endif
