/* webhook.h: the webhook handler (no transport knowledge) */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include "conf/conf.h"
#include "api/counters.h"
#include "api/http.h"
#include "model/schema.h"
#include "store/store.h"

/* Replication: proxies a delivery to url (upstream/forward.c). */
typedef int (*webhook_forward_fn)(const char *url, const char *self,
    int timeout_ms, const struct http_req *, struct http_resp *);

struct webhook_ctx {
	const struct conf *conf;
	struct store *store;
	webhook_forward_fn forward; /* NULL: a replica answers 307 */
	struct counters *counters;  /* refusals; NULL: not counted */
	/* The content model; NULL: every entry is stored flat, as sent. */
	const struct schema *schema;
};

enum webhook_auth {
	WEBHOOK_AUTH_OK,
	WEBHOOK_AUTH_NO_HEADER,  /* the secret's header is absent */
	WEBHOOK_AUTH_NO_BEARER,  /* Authorization is not "Bearer ..." */
	WEBHOOK_AUTH_BAD_SECRET, /* present, and wrong */
};

void webhook_handle(const struct http_req *, struct http_resp *, void *);
enum webhook_auth webhook_check_secret(const struct conf *,
    const struct http_req *);
int webhook_authenticate(const struct webhook_ctx *, const struct http_req *,
    struct http_resp *);
void webhook_replay(const struct webhook_ctx *, const char *body, size_t len,
    struct http_resp *);
int webhook_repl_route(const struct webhook_ctx *, const struct http_req *,
    struct http_resp *);

#endif
