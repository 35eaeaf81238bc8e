/* sync_fcgi.h: sync.fcgi's handler (POST runs a sync) */
#ifndef SYNC_FCGI_H
#define SYNC_FCGI_H

#include "api/http.h"
#include "conf/conf.h"
#include "store/store.h"

/* What sync.fcgi's handler needs. */
struct sync_ctx {
	const struct conf *conf;
	struct store *store;
	const struct schema *schema; /* the content model, or NULL */
};

void sync_handle(const struct http_req *, struct http_resp *, void *);

#endif
