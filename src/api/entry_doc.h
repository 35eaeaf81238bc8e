/* entry_doc.h: a model entry as the store takes it (struct store_doc) */
#ifndef ENTRY_DOC_H
#define ENTRY_DOC_H

#include <string.h>

#include "model/entry.h"
#include "store/store.h"

_Static_assert(ENTRY_DRAFT == STORE_DRAFT, "drafts: one marker");
_Static_assert(ENTRY_MAX_ID == STORE_MAX_ID, "documentId: one bound");
_Static_assert(ENTRY_MAX_CATEGORY == STORE_MAX_CATEGORY, "category bound");

/* Fills *d from e; d borrows e's strings (e must outlive d's use). */
static inline void
entry_doc(struct store_doc *d, const struct entry *e)
{
	memset(d, 0, sizeof(*d));
	d->collection = e->coll->name;
	d->document_id = e->document_id;
	d->locale = e->locale;
	d->slug = e->slug;
	d->category = e->category;
	d->updated_at = e->updated_at;
	d->published_at = e->published_at;
	d->json = e->json;
	d->json_len = e->json_len;
}

#endif
