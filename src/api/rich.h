/* rich.h: an entry of a type the schema describes, as the store takes it */
#ifndef RICH_H
#define RICH_H

#include <stddef.h>

#include "conf/conf.h"
#include "model/normalize.h"
#include "model/schema.h"
#include "store/store.h"

/* The content type media rows are stored as (Strapi's upload plugin). */
#define RICH_MEDIA_COLLECTION "upload.file"
/*
 * The blob (store_blob_set) holding Strapi's /api/i18n/locales as a sync
 * fetched it, the i18n plugin's rows no delivery carries; a locale code
 * of a kept row is at most RICH_LOCALE_MAX bytes (BCP 47 tags are shorter).
 */
#define RICH_LOCALES_BLOB "i18n.locales"
#define RICH_LOCALE_MAX   35

/*
 * The schema's content type of a configured collection (named by its
 * singular name, even when the operator set another uid), or NULL when
 * there is no schema or it does not describe the type: then the entry is
 * stored flat, as it came.
 */
const struct schema_type *rich_type(const struct schema *,
    const struct collection *);
/*
 * The secondary indexes (slug, category) apply to scalar attributes only:
 * with a schema, a relation named "category" is a reference, not a key.
 */
void rich_index_fields(struct collection *, const struct schema_type *);
/* A media row as the store takes it; id holds its documentId's text. */
void rich_media_doc(struct store_doc *, const struct norm_media *, char id[24]);

/*
 * The writes of one transaction: entries in their normalized forms, each
 * followed by a media row for every file it carried. Webhook deliveries
 * and sync pages both write through it, so an entry is stored the same
 * whichever brought it.
 */
struct rich_item;
struct rich_batch {
	struct store_write *w; /* for store_apply_batch */
	size_t nw, capw;
	struct rich_item *items;
	size_t nitems, capitems;
};

void rich_batch_init(struct rich_batch *);
void rich_batch_clear(struct rich_batch *);
/*
 * Adds op on doc, an entry normalized into n: doc takes n's stored form,
 * its public form as change_json and its references (those to types s
 * describes), and each of n's files becomes a media row upsert after it.
 * doc and n must outlive the batch's use. Returns doc's index in b->w.
 */
size_t rich_batch_add(struct rich_batch *, const struct schema *, enum store_op,
    struct store_doc *doc, const struct norm *n);
/* Adds a write of doc as it is (a removal, a flat entry, a media row). */
size_t rich_batch_add_doc(struct rich_batch *, enum store_op,
    const struct store_doc *doc);

#endif
