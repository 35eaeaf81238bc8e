/* refetch.h: an incomplete webhook delivery re-fetched from Strapi's REST */
#ifndef REFETCH_H
#define REFETCH_H

#include "api/webhook.h"

/* webhook_refetch_fn and webhook_resync_fn (api/webhook.h). */
enum webhook_refetch refetch_document(const struct conf *,
    const struct schema *, const struct collection *, const char *doc_id,
    const char *locale, struct json_object **entry, char *why, size_t len);
enum webhook_refetch refetch_collection(const struct conf *, struct store *,
    const struct schema *, const struct collection *, char *why, size_t len);
/* Sets ctx's two when strapi_url is set (else leaves them NULL). */
void refetch_setup(struct webhook_ctx *);

#endif
