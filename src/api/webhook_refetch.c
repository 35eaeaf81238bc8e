/* webhook_refetch.c: deliveries Strapi sent incomplete, re-fetched from its REST API */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/entry_doc.h"
#include "api/rich.h"
#include "api/webhook_int.h"
#include "model/entry.h"
#include "model/normalize.h"
#include "model/schema.h"
#include "util/log.h"
#include "util/xmalloc.h"

/*
 * "entry": null names no document: with strapi_url set, the type is
 * synced from Strapi (every document, as `strapi-live sync --collection`
 * does) before the delivery is answered; without it, or when that fails,
 * the delivery is refused and kept for replay.
 */
void
webhook_entry_null(struct delivery *d, const char *uid, const char *model)
{
	const struct collection *coll;
	char why[400], msg[512];

	coll = conf_collection_by_uid(d->ctx->conf, uid, model);
	if (d->ctx->resync == NULL || coll == NULL) {
		webhook_reject(d, 422,
		    "entry: null (Strapi could not read the entry back); "
		    "kept for replay: run a sync, or replay this delivery",
		    1);
		return;
	}
	if (d->ctx->resync(d->ctx->conf, d->ctx->store, d->ctx->schema, coll,
	        why, sizeof(why)) != WEBHOOK_REFETCH_OK) {
		snprintf(msg, sizeof(msg),
		    "entry: null, and re-fetching %s from Strapi failed (%s); "
		    "kept for replay",
		    coll->plural, why);
		webhook_reject(d, 422, msg, 1);
		return;
	}
	webhook_answer_noop(d, "refetched");
}

/*
 * 1 when the entry n could not normalize can be re-fetched instead: a
 * re-fetch is configured and the entry is whole but for files given by
 * their id alone (early Strapi 5 releases), which normalize_stored takes.
 * Then n holds that form; else n is untouched.
 */
int
webhook_refetchable(struct delivery *d, const struct schema_type *t,
    struct json_object *eo, struct norm *n)
{
	struct norm ids;
	const char *why;

	if (d->ctx->refetch == NULL)
		return 0;
	norm_init(&ids);
	if (normalize_stored(&ids, d->ctx->schema, t, eo, &why) == -1) {
		norm_clear(&ids);
		return 0;
	}
	norm_clear(n);
	*n = ids;
	return 1;
}

/*
 * Replaces e and n, a published entry whose files came as ids alone, by
 * the document as Strapi's REST answers it now (with its files). 0; or
 * -1 when d was answered: Strapi has no published row of it any more
 * (nothing stored), or the re-fetch failed (refused, kept for replay).
 */
int
webhook_refetch_entry(struct delivery *d, const struct collection *coll,
    const struct schema_type *t, struct entry *e, struct norm *n)
{
	struct json_object *fo = NULL;
	struct entry fe;
	enum webhook_refetch r;
	const char *why;
	char buf[400], msg[512];

	r = d->ctx->refetch(d->ctx->conf, d->ctx->schema, coll, e->document_id,
	    e->locale, &fo, buf, sizeof(buf));
	if (r == WEBHOOK_REFETCH_GONE) {
		webhook_answer_noop(d, "gone-upstream");
		return -1;
	}
	entry_init(&fe);
	if (r == WEBHOOK_REFETCH_OK &&
	    (entry_from_json(&fe, coll, fo, &why) == -1 ||
	        normalize_entry(n, d->ctx->schema, t, fo, &why) == -1)) {
		snprintf(buf, sizeof(buf), "Strapi's answer: %s", why);
		r = WEBHOOK_REFETCH_FAILED;
	}
	json_object_put(fo);
	if (r != WEBHOOK_REFETCH_OK) {
		entry_clear(&fe);
		snprintf(msg, sizeof(msg),
		    "files given by id alone, and re-fetching the document "
		    "from Strapi failed (%s); kept for replay",
		    buf);
		webhook_reject(d, 422, msg, 1);
		return -1;
	}
	if (e->locale[0] != '\0' && strcmp(fe.locale, e->locale) != 0) {
		free(fe.locale);
		fe.locale = xstrdup(e->locale);
	}
	entry_clear(e);
	*e = fe;
	return 0;
}

/*
 * Strapi keeps an attribute that is not localized (an article's cover)
 * the same in every locale of a document, and sends no delivery for the
 * other locales' rows it rewrites. After e, normalized into n, was
 * stored: each other locale stored with other values of such attributes
 * is re-fetched and stored as Strapi answers it now (no event record:
 * the delivery's own is written). A failure is logged; the delivery
 * itself was stored.
 */
void
webhook_refetch_locales(struct delivery *d, const struct collection *coll,
    const struct schema_type *t, const struct entry *e, const struct norm *n)
{
	struct json_object *fo;
	struct rich_batch b;
	struct store_doc doc;
	enum webhook_refetch r;
	struct entry fe;
	struct norm fn;
	struct buf old;
	const char *loc, *why;
	char buf[400];
	size_t i;

	buf_init(&old);
	for (i = 0; i < coll->nlocales; i++) {
		loc = coll->locales[i];
		buf_reset(&old);
		if (strcmp(loc, e->locale) == 0 ||
		    store_get(d->ctx->store, coll->name, e->document_id, loc,
		        &old, NULL) != STORE_OK ||
		    !normalize_shared_differ(t, old.data, old.len, n->json,
		        n->json_len))
			continue;
		fo = NULL;
		buf[0] = '\0';
		if ((r = d->ctx->refetch(d->ctx->conf, d->ctx->schema, coll,
		         e->document_id, loc, &fo, buf, sizeof(buf))) !=
		    WEBHOOK_REFETCH_OK) {
			if (r == WEBHOOK_REFETCH_FAILED)
				log_warnx("webhook: %s/%s (%s): its shared "
				          "attributes changed, not re-fetched: "
				          "%s",
				    coll->name, e->document_id, loc, buf);
			continue;
		}
		entry_init(&fe);
		norm_init(&fn);
		if (entry_from_json(&fe, coll, fo, &why) == -1 ||
		    normalize_entry(&fn, d->ctx->schema, t, fo, &why) == -1)
			log_warnx("webhook: %s/%s (%s): Strapi's answer: %s",
			    coll->name, e->document_id, loc, why);
		else if (entry_is_published(&fe)) {
			rich_batch_init(&b);
			entry_doc(&doc, &fe);
			doc.locale = loc;
			rich_batch_add(&b, d->ctx->schema, STORE_OP_UPSERT,
			    &doc, &fn);
			if (store_apply_batch(d->ctx->store, b.w, b.nw, NULL) ==
			    -1)
				log_warnx("webhook: %s/%s (%s): not stored",
				    coll->name, e->document_id, loc);
			rich_batch_clear(&b);
		}
		norm_clear(&fn);
		entry_clear(&fe);
		json_object_put(fo);
	}
	buf_clear(&old);
}
