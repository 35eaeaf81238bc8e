/* webhook.h: the webhook handler (no transport knowledge) */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include "conf.h"
#include "http.h"
#include "store.h"

/* Replication: proxies a delivery to url (repl_forward.c). */
typedef int (*webhook_forward_fn)(const char *url, const char *self,
    int timeout_ms, const struct http_req *, struct http_resp *);

struct webhook_ctx {
	const struct conf *conf;
	struct store *store;
	webhook_forward_fn forward; /* NULL: a replica answers 307 */
};

void webhook_handle(const struct http_req *, struct http_resp *, void *);
int webhook_check_secret(const struct conf *, const struct http_req *);
void webhook_replay(const struct webhook_ctx *, const char *body, size_t len,
    struct http_resp *);
int webhook_repl_route(const struct webhook_ctx *, const struct http_req *,
    struct http_resp *);

#endif
