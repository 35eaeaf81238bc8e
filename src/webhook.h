/* webhook.h: the webhook handler (no transport knowledge) */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include "conf.h"
#include "http.h"
#include "store.h"

struct webhook_ctx {
	const struct conf *conf;
	struct store *store;
};

void webhook_handle(const struct http_req *, struct http_resp *, void *);
int webhook_check_secret(const struct conf *, const struct http_req *);
void webhook_replay(const struct webhook_ctx *, const char *body, size_t len,
    struct http_resp *);

#endif
