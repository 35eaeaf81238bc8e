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

#define SUBSCRIPTION_MAX_PAGE     (1LL << 40) /* as REST's pagination[page] */
#define SUBSCRIPTION_MAX_POPULATE 2048        /* bytes of populate and fields */
#define SUBSCRIPTION_MAX_SORT     256         /* bytes of sort */
#define SUBSCRIPTION_MAX_QLANG    4096        /* bytes of filters and co */

/* Which pagination parameters a spec was given (they may not be mixed). */
enum subscription_given {
	SUBSCRIPTION_GIVEN_PAGE = 1 << 0,
	SUBSCRIPTION_GIVEN_PAGE_SIZE = 1 << 1,
	SUBSCRIPTION_GIVEN_START = 1 << 2,
	SUBSCRIPTION_GIVEN_LIMIT = 1 << 3,
};

/*
 * A reactive query: one page of a list (in REST's order: sort, or
 * Strapi's default, id ascending), by category, or by slug. The page is
 * page/page_size, or start/limit when offset is set (REST's
 * pagination[start]/[limit]).
 */
struct subscription_spec {
	const struct collection *coll; /* borrowed from the conf */
	char *category;                /* NULL: any */
	char *slug;                    /* NULL: any */
	char *locale;                  /* NULL: the collection's default */
	char *populate; /* populate and fields pairs, a query string; or NULL */
	char *sort;     /* sort=, as REST takes it; NULL: Strapi's default */
	char *qlang;    /* filters[...], sort[...], pagination[withCount],
	                   status and cursor pairs, a query string for
	                   api/qs.c; or NULL */
	uint64_t page_size;
	uint64_t page; /* 1-based */
	int offset;    /* start/limit given: offset paging */
	uint64_t start, limit;
	unsigned given; /* enum subscription_given bits */
};

void subscription_spec_init(struct subscription_spec *);
void subscription_spec_clear(struct subscription_spec *);
int subscription_is_populate(const char *key);
int subscription_is_qlang(const char *key);
int subscription_spec_set(struct subscription_spec *, const char *key,
    const char *value, const char **why);
int subscription_spec_check(const struct subscription_spec *, const char **why);
const char *subscription_locale(const struct subscription_spec *);
int subscription_every_locale(const struct subscription_spec *);
void subscription_key(const struct subscription_spec *, struct buf *);
void subscription_scope_key(struct buf *, const char *coll, const char *locale,
    char kind, const char *value);
void subscription_spec_scope(const struct subscription_spec *, struct buf *);
uint64_t subscription_size(const struct subscription_spec *);
int subscription_spec_restrict(struct subscription_spec *,
    const uint64_t *sizes, size_t nsizes, const char **why);
int subscription_touches(const struct subscription_spec *,
    const struct store_change *);

#endif
