/* webhook.h: the webhook handler (no transport knowledge) */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include <json-c/json.h>

#include "conf/conf.h"
#include "api/counters.h"
#include "api/http.h"
#include "model/schema.h"
#include "store/store.h"

/* Replication: proxies a delivery to url (upstream/forward.c). */
typedef int (*webhook_forward_fn)(const char *url, const char *self,
    int timeout_ms, const struct http_req *, struct http_resp *);

/*
 * Re-fetching an incomplete delivery from Strapi's REST API
 * (upstream/refetch.c; NULL in webhook_ctx: not built, or no strapi_url).
 */
enum webhook_refetch {
	WEBHOOK_REFETCH_OK,     /* fetched (and, for a resync, stored) */
	WEBHOOK_REFETCH_GONE,   /* Strapi has no published row of it */
	WEBHOOK_REFETCH_FAILED, /* unreachable, refused or odd: why says */
};
/*
 * One document of coll (documentId, and locale when not ""), with the
 * schema type's populate: *entry is its published row as Strapi answers
 * it (the caller puts it).
 */
typedef enum webhook_refetch (*webhook_refetch_fn)(const struct conf *,
    const struct schema *, const struct collection *, const char *doc_id,
    const char *locale, struct json_object **entry, char *why, size_t len);
/*
 * Every document of coll, stored as a sync stores it (an "entry": null
 * delivery names no document).
 */
typedef enum webhook_refetch (*webhook_resync_fn)(const struct conf *,
    struct store *, const struct schema *, const struct collection *, char *why,
    size_t len);

struct webhook_ctx {
	const struct conf *conf;
	struct store *store;
	webhook_forward_fn forward; /* NULL: a replica answers 307 */
	struct counters *counters;  /* refusals; NULL: not counted */
	/* The content model; NULL: every entry is stored flat, as sent. */
	const struct schema *schema;
	/* Re-fetching incomplete deliveries; NULL: refused (422) as sent. */
	webhook_refetch_fn refetch;
	webhook_resync_fn resync;
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
