/* query.h: the query handler: Strapi-shaped REST reads (no transport) */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>

#include "conf.h"
#include "http.h"
#include "store.h"

#define QUERY_MAX_PATH	 2048 /* bytes of the request path */
#define QUERY_MAX_SEGS	 32
#define QUERY_SEQ_HEADER "X-Strapi-Live-Seq"

/* Per-process state, set up once by query_init (config read once). */
struct query_ctx {
	const struct conf *conf;
	struct store *store;
	const char *cache_control;
	int cors_any; /* cors_origins has "*" */
	size_t nprefix;
	const char *prefix[QUERY_MAX_SEGS]; /* api_prefix, split on '/' */
	size_t prefix_len[QUERY_MAX_SEGS];
};

void query_init(struct query_ctx *, const struct conf *, struct store *);
void query_handle(const struct http_req *, struct http_resp *, void *);

#endif
