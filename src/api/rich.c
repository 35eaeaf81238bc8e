/* rich.c: normalized entries and their media rows into one store batch */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/rich.h"
#include "util/xmalloc.h"

/* What one added entry owns until the batch is cleared. */
struct rich_item {
	struct store_ref *refs;
	struct store_doc *media;
	char (*ids)[24];
};

const struct schema_type *
rich_type(const struct schema *s, const struct collection *coll)
{
	const struct schema_type *t;

	if (s == NULL)
		return NULL;
	t = schema_type_by_singular(s, coll->name);
	return t != NULL && !t->component ? t : NULL;
}

void
rich_index_fields(struct collection *c, const struct schema_type *t)
{
	static char none[1];
	const struct schema_attr *a;

	a = schema_attr(t, c->slug_field);
	if (a != NULL && a->kind != SCHEMA_SCALAR)
		c->slug_field = none;
	a = schema_attr(t, c->category_field);
	if (a != NULL && a->kind != SCHEMA_SCALAR)
		c->category_field = none;
}

void
rich_media_doc(struct store_doc *doc, const struct norm_media *m, char id[24])
{
	memset(doc, 0, sizeof(*doc));
	snprintf(id, 24, "%" PRId64, m->id);
	doc->collection = RICH_MEDIA_COLLECTION;
	doc->document_id = id;
	doc->locale = "";
	doc->updated_at = m->updated_at;
	doc->published_at = m->published_at;
	doc->json = m->json;
	doc->json_len = m->json_len;
}

void
rich_batch_init(struct rich_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void
rich_batch_clear(struct rich_batch *b)
{
	size_t i;

	for (i = 0; i < b->nitems; i++) {
		free(b->items[i].refs);
		free(b->items[i].media);
		free(b->items[i].ids);
	}
	free(b->items);
	free(b->w);
	memset(b, 0, sizeof(*b));
}

size_t
rich_batch_add_doc(struct rich_batch *b, enum store_op op,
    const struct store_doc *doc)
{
	if (b->nw == b->capw) {
		b->capw = b->capw == 0 ? 16 : b->capw * 2;
		b->w = xreallocarray(b->w, b->capw, sizeof(*b->w));
	}
	memset(&b->w[b->nw], 0, sizeof(b->w[b->nw]));
	b->w[b->nw].op = op;
	b->w[b->nw].doc = doc;
	return b->nw++;
}

size_t
rich_batch_add(struct rich_batch *b, const struct schema *s, enum store_op op,
    struct store_doc *doc, const struct norm *n)
{
	const struct schema_type *tt;
	struct rich_item *it;
	size_t i, nrefs = 0, at;

	if (b->nitems == b->capitems) {
		b->capitems = b->capitems == 0 ? 16 : b->capitems * 2;
		b->items =
		    xreallocarray(b->items, b->capitems, sizeof(*b->items));
	}
	it = &b->items[b->nitems++];
	it->refs = xcalloc(n->nrefs + 1, sizeof(*it->refs));
	for (i = 0; i < n->nrefs; i++) {
		/* A target the schema lacks can never be served: no key. */
		if ((tt = schema_type(s, n->refs[i].target)) == NULL)
			continue;
		it->refs[nrefs].attr = n->refs[i].attr;
		it->refs[nrefs].collection = tt->singular;
		it->refs[nrefs].document_id = n->refs[i].document_id;
		it->refs[nrefs].locale = n->refs[i].locale;
		nrefs++;
	}
	doc->json = n->json;
	doc->json_len = n->json_len;
	doc->change_json = n->public_json;
	doc->change_len = n->public_len;
	doc->refs = it->refs;
	doc->nrefs = nrefs;
	at = rich_batch_add_doc(b, op, doc);
	it->media = xcalloc(n->nmedia + 1, sizeof(*it->media));
	it->ids = xcalloc(n->nmedia + 1, sizeof(*it->ids));
	for (i = 0; i < n->nmedia; i++) {
		rich_media_doc(&it->media[i], &n->media[i], it->ids[i]);
		rich_batch_add_doc(b, STORE_OP_UPSERT, &it->media[i]);
	}
	return at;
}
