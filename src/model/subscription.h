/* subscription.h: reactive-query specs and which ones a change touches (pure) */
#ifndef SUBSCRIPTION_H
#define SUBSCRIPTION_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "conf/conf.h"
#include "store/store.h"

#define SUBSCRIPTION_DEFAULT_PAGE_SIZE 25
#define SUBSCRIPTION_MAX_PAGE_SIZE     100

/* A reactive query: a list (newest first), by category, or by slug. */
struct subscription_spec {
	const struct collection *coll; /* borrowed from the conf */
	char *category;                /* NULL: any */
	char *slug;                    /* NULL: any */
	char *locale;                  /* NULL: the collection's default */
	uint64_t page_size;
};

void subscription_spec_init(struct subscription_spec *);
void subscription_spec_clear(struct subscription_spec *);
int subscription_spec_set(struct subscription_spec *, const char *key,
    const char *value, const char **why);
int subscription_spec_check(const struct subscription_spec *, const char **why);
const char *subscription_locale(const struct subscription_spec *);
void subscription_key(const struct subscription_spec *, struct buf *);
void subscription_scope_key(struct buf *, const char *coll, const char *locale,
    char kind, const char *value);
void subscription_spec_scope(const struct subscription_spec *, struct buf *);
int subscription_spec_restrict(struct subscription_spec *,
    const uint64_t *sizes, size_t nsizes, const char **why);
int subscription_touches(const struct subscription_spec *,
    const struct store_change *);

#endif
