/* resolve.h: populate's resolver over the store (entries, media, referrers) */
#ifndef RESOLVE_H
#define RESOLVE_H

#include <stddef.h>

#include "conf/conf.h"
#include "store/store.h"
#include "api/populate.h"

/*
 * Told of each stored thing a render reads, in the store's terms: the
 * collection (QUERY_MEDIA for a media row), the documentId and the
 * locale ("" when the collection has none). A NULL document_id stands
 * for every entry of the collection (an inverse relation read from the
 * referrer index). Called before the read, found or not.
 */
typedef void (*resolve_dep_fn)(void *, const char *collection,
    const char *document_id, const char *locale);

/* What the resolver reads from; set up by resolve_init. */
struct resolve_ctx {
	const struct conf *conf;
	struct store *store;
	resolve_dep_fn dep; /* NULL: nobody listens */
	void *dep_arg;
	struct resolve_memo *memo; /* the rows this request keeps, or NULL */
	struct resolve_memo
	    *cache; /* the process's (resolve_cache_new), or NULL */
};

void resolve_init(struct populate_resolver *, struct resolve_ctx *,
    const struct conf *, struct store *, size_t *budget);
int resolve_localized(const struct collection *);
int resolve_get_uid(const struct conf *, struct store *, const char *uid,
    const char *doc, const char *locale, struct buf *out,
    const struct collection **);
/* A request's reads kept (in ctx->cache when set), and forgotten. */
void resolve_memo_begin(struct resolve_ctx *);
void resolve_memo_end(struct resolve_ctx *);
struct resolve_memo *resolve_cache_new(size_t rows, size_t bytes);
void resolve_cache_free(struct resolve_memo *);

#endif
