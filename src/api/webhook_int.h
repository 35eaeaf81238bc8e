/* webhook_int.h: what the webhook handler shares with its re-fetch path */
#ifndef WEBHOOK_INT_H
#define WEBHOOK_INT_H

#include "api/webhook.h"
#include "model/entry.h"
#include "model/normalize.h"

/* One delivery being answered. */
struct delivery {
	const struct webhook_ctx *ctx;
	const struct http_req *req;
	struct http_resp *resp;
	struct store_event ev;
};

/*
 * Answers an authenticated delivery with an error and records it in the
 * event log (with the raw body when keep_body is set, for replay).
 */
void webhook_reject(struct delivery *, int status, const char *why,
    int keep_body);
/* An outcome that changes nothing public, logged in the event log. */
void webhook_answer_noop(struct delivery *, const char *action);

/* webhook_refetch.c: deliveries Strapi sent incomplete */
/*
 * "entry": null names no document: with strapi_url set, the type is
 * synced from Strapi (every document, as `strapi-live sync --collection`
 * does) before the delivery is answered; without it, or when that fails,
 * the delivery is refused and kept for replay.
 */
void webhook_entry_null(struct delivery *d, const char *uid, const char *model);

/*
 * 1 when the entry n could not normalize can be re-fetched instead: a
 * re-fetch is configured and the entry is whole but for files given by
 * their id alone (early Strapi 5 releases), which normalize_stored takes.
 * Then n holds that form; else n is untouched.
 */
int webhook_refetchable(struct delivery *d, const struct schema_type *t,
    struct json_object *eo, struct norm *n);

/*
 * Replaces e and n, a published entry whose files came as ids alone, by
 * the document as Strapi's REST answers it now (with its files). 0; or
 * -1 when d was answered: Strapi has no published row of it any more
 * (nothing stored), or the re-fetch failed (refused, kept for replay).
 */
int webhook_refetch_entry(struct delivery *d, const struct collection *coll,
    const struct schema_type *t, struct entry *e, struct norm *n);

/*
 * Strapi keeps an attribute that is not localized (an article's cover)
 * the same in every locale of a document, and sends no delivery for the
 * other locales' rows it rewrites. After e, normalized into n, was
 * stored: each other locale stored with other values of such attributes
 * is re-fetched and stored as Strapi answers it now (no event record:
 * the delivery's own is written). A failure is logged; the delivery
 * itself was stored.
 */
void webhook_refetch_locales(struct delivery *d, const struct collection *coll,
    const struct schema_type *t, const struct entry *e, const struct norm *n);

#endif
