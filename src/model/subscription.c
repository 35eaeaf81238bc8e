/* subscription.c: reactive-query specs and which ones a change touches (pure) */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/entry.h"
#include "model/subscription.h"
#include "util/xmalloc.h"

/* Prepares an empty spec (no collection yet, default page size). */
void
subscription_spec_init(struct subscription_spec *s)
{

	memset(s, 0, sizeof(*s));
	s->page_size = SUBSCRIPTION_DEFAULT_PAGE_SIZE;
}

/* Frees the spec's strings; the spec can be reused after init. */
void
subscription_spec_clear(struct subscription_spec *s)
{

	free(s->category);
	free(s->slug);
	free(s->locale);
	s->category = s->slug = s->locale = NULL;
}

/*
 * Sets one query parameter: "category", "slug" or "pageSize" (also
 * "pagination[pageSize]", clamped to 1..100 as REST does). Returns 0, or
 * -1 with *why set when the key is unknown or the value is not acceptable;
 * the spec is then unchanged.
 */
int
subscription_spec_set(struct subscription_spec *s, const char *key,
    const char *value, const char **why)
{
	const char *errstr;
	long long n;

	if (strcmp(key, "category") == 0 ||
	    strcmp(key, "filters[category][$eq]") == 0) {
		if (!entry_valid_key_string(value, strlen(value),
		        ENTRY_MAX_CATEGORY)) {
			*why = "category: invalid";
			return -1;
		}
		free(s->category);
		s->category = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "slug") == 0 ||
	    strcmp(key, "filters[slug][$eq]") == 0) {
		if (!entry_valid_key_string(value, strlen(value),
		        ENTRY_MAX_SLUG)) {
			*why = "slug: invalid";
			return -1;
		}
		free(s->slug);
		s->slug = xstrdup(value);
		return 0;
	}
	if (strcmp(key, "pageSize") == 0 ||
	    strcmp(key, "pagination[pageSize]") == 0) {
		/* As REST's pagination[pageSize]: clamped to 1..100. */
		n = strtonum(value, -(1LL << 40), 1LL << 40, &errstr);
		if (errstr != NULL) {
			*why = "pageSize: must be an integer";
			return -1;
		}
		s->page_size = n < 1 ? 1
		    : n > SUBSCRIPTION_MAX_PAGE_SIZE
		    ? SUBSCRIPTION_MAX_PAGE_SIZE
		    : (uint64_t)n;
		return 0;
	}
	if (strcmp(key, "locale") == 0) {
		if (!entry_valid_key_string(value, strlen(value),
		        ENTRY_MAX_LOCALE)) {
			*why = "locale: invalid";
			return -1;
		}
		free(s->locale);
		s->locale = xstrdup(value);
		return 0;
	}
	*why = "unknown query parameter";
	return -1;
}

/*
 * Checks the whole spec: a collection is set, slug and category are not
 * both given, and the collection has the fields asked for. Returns 0, or
 * -1 with *why set.
 */
int
subscription_spec_check(const struct subscription_spec *s, const char **why)
{

	if (s->coll == NULL) {
		*why = "unknown collection";
		return -1;
	}
	if (s->slug != NULL && s->category != NULL) {
		*why = "give either slug or category, not both";
		return -1;
	}
	if (s->slug != NULL && s->coll->slug_field[0] == '\0') {
		*why = "this collection has no slug";
		return -1;
	}
	if (s->category != NULL && s->coll->category_field[0] == '\0') {
		*why = "this collection has no category";
		return -1;
	}
	return 0;
}

/* The locale the spec reads: its own, or the collection's default. */
const char *
subscription_locale(const struct subscription_spec *s)
{

	if (s->locale != NULL)
		return s->locale;
	return s->coll != NULL && s->coll->nlocales > 0 ? s->coll->locales[0]
	                                                : "";
}

/*
 * Appends a canonical key: two specs that ask the same thing have the
 * same key, so the query is computed once for all their subscribers.
 */
void
subscription_key(const struct subscription_spec *s, struct buf *b)
{

	buf_adds(b, s->coll != NULL ? s->coll->name : "");
	buf_printf(b, "\n%" PRIu64 "\n%s\n", s->page_size,
	    subscription_locale(s));
	if (s->slug != NULL) {
		buf_adds(b, "s:");
		buf_adds(b, s->slug);
	} else if (s->category != NULL) {
		buf_adds(b, "c:");
		buf_adds(b, s->category);
	}
}

/*
 * Appends the key of a scope: the collection, the locale and the slug
 * ('s') or category ('c') a query filters on (kind 0: none). The queries
 * of a scope differ only by page size, and a change touches exactly the
 * scopes of its collection and locale with no filter, its old and new
 * slug, and its old and new category: a change finds the queries it
 * touches with a few lookups instead of a walk over all.
 */
void
subscription_scope_key(struct buf *b, const char *coll, const char *locale,
    char kind, const char *value)
{

	buf_adds(b, coll);
	buf_addc(b, '\n');
	buf_adds(b, locale);
	buf_addc(b, '\n');
	if (kind != 0) {
		buf_addc(b, kind);
		buf_addc(b, ':');
		buf_adds(b, value);
	}
}

/* The scope key of a spec (subscription_scope_key). */
void
subscription_spec_scope(const struct subscription_spec *s, struct buf *b)
{

	subscription_scope_key(b, s->coll != NULL ? s->coll->name : "",
	    subscription_locale(s),
	    s->slug != NULL           ? 's'
	        : s->category != NULL ? 'c'
	                              : 0,
	    s->slug != NULL ? s->slug : s->category);
}

/*
 * Restricts a checked spec to values that exist, so that a client cannot
 * make up distinct queries without end: the page size is the default or
 * one of sizes[], and the locale one of the collection's (dropped for a
 * collection that has none, as Strapi ignores it). Returns 0, or -1 with
 * *why; the locale may have been dropped either way.
 */
int
subscription_spec_restrict(struct subscription_spec *s, const uint64_t *sizes,
    size_t nsizes, const char **why)
{
	size_t i;

	if (s->locale != NULL && s->coll != NULL) {
		if (s->coll->nlocales == 0 ||
		    (s->coll->nlocales == 1 &&
		        s->coll->locales[0][0] == '\0')) {
			free(s->locale);
			s->locale = NULL;
		} else {
			for (i = 0; i < s->coll->nlocales; i++)
				if (strcmp(s->coll->locales[i], s->locale) == 0)
					break;
			if (i == s->coll->nlocales) {
				*why =
				    "locale: not a locale of this collection";
				return -1;
			}
		}
	}
	if (s->page_size == SUBSCRIPTION_DEFAULT_PAGE_SIZE)
		return 0;
	for (i = 0; i < nsizes; i++)
		if (sizes[i] == s->page_size)
			return 0;
	*why = "pageSize: not one of the page sizes this server allows";
	return -1;
}

static int
same(const char *a, const char *b)
{

	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * Whether a change can alter the spec's result: it is in the same
 * collection and, for a category (slug) query, the entry had or has that
 * category (slug). An entry moving from one category to another touches
 * both. Whether the result really changed is decided by comparing the
 * recomputed bytes, so this only has to be a superset.
 */
int
subscription_touches(const struct subscription_spec *s,
    const struct store_change *ch)
{

	if (s->coll == NULL || ch->collection == NULL ||
	    strcmp(s->coll->name, ch->collection) != 0)
		return 0;
	if (ch->locale != NULL &&
	    strcmp(subscription_locale(s), ch->locale) != 0)
		return 0;
	if (s->slug != NULL)
		return same(s->slug, ch->old_slug) ||
		    same(s->slug, ch->new_slug);
	if (s->category != NULL)
		return same(s->category, ch->old_category) ||
		    same(s->category, ch->new_category);
	return 1;
}
