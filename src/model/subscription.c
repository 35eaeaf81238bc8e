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
	s->page = 1;
	s->limit = SUBSCRIPTION_DEFAULT_PAGE_SIZE;
}

/* 1 when key is name or pagination[name]. */
static int
paging_key(const char *key, const char *name)
{
	size_t n = strlen(name);

	if (strcmp(key, name) == 0)
		return 1;
	return strncmp(key, "pagination[", 11) == 0 &&
	    strncmp(key + 11, name, n) == 0 && strcmp(key + 11 + n, "]") == 0;
}

/* The pagination keys and the least value each takes. */
static const struct {
	const char *name;
	enum subscription_given given;
	long long min;
	const char *why;
} paging_keys[] = {
	{ "page", SUBSCRIPTION_GIVEN_PAGE, -SUBSCRIPTION_MAX_PAGE,
	    "page: must be an integer" },
	{ "pageSize", SUBSCRIPTION_GIVEN_PAGE_SIZE, -SUBSCRIPTION_MAX_PAGE,
	    "pageSize: must be an integer" },
	{ "start", SUBSCRIPTION_GIVEN_START, -SUBSCRIPTION_MAX_PAGE,
	    "start: must be an integer" },
	{ "limit", SUBSCRIPTION_GIVEN_LIMIT, -1,
	    "limit: must be a positive integer or -1" },
};

/* n clamped to 1..SUBSCRIPTION_MAX_PAGE_SIZE. */
static uint64_t
page_size(long long n)
{

	return n < 1                         ? 1
	    : n > SUBSCRIPTION_MAX_PAGE_SIZE ? SUBSCRIPTION_MAX_PAGE_SIZE
	                                     : (uint64_t)n;
}

/*
 * The pagination keys, as REST takes them: page (below 1 is 1), pageSize
 * (clamped to 1..100), start (below 0 is 0), limit (-1 or over 100 is
 * 100; 0 refused). Returns 1 when key is one (set), 0 when it is not, -1
 * with *why when its value is not acceptable (the spec unchanged).
 */
static int
set_paging(struct subscription_spec *s, const char *key, const char *value,
    const char **why)
{
	const char *errstr;
	long long n;
	size_t i;

	for (i = 0; i < sizeof(paging_keys) / sizeof(paging_keys[0]); i++)
		if (paging_key(key, paging_keys[i].name))
			break;
	if (i == sizeof(paging_keys) / sizeof(paging_keys[0]))
		return 0;
	n = strtonum(value, paging_keys[i].min, SUBSCRIPTION_MAX_PAGE, &errstr);
	if (errstr != NULL || (n == 0 && paging_keys[i].min == -1)) {
		*why = paging_keys[i].why;
		return -1;
	}
	switch (paging_keys[i].given) {
	case SUBSCRIPTION_GIVEN_PAGE:
		s->page = n < 1 ? 1 : (uint64_t)n;
		break;
	case SUBSCRIPTION_GIVEN_PAGE_SIZE:
		s->page_size = page_size(n);
		break;
	case SUBSCRIPTION_GIVEN_START:
		s->start = n < 0 ? 0 : (uint64_t)n;
		break;
	case SUBSCRIPTION_GIVEN_LIMIT:
		s->limit = n == -1 ? SUBSCRIPTION_MAX_PAGE_SIZE : page_size(n);
		break;
	}
	s->given |= paging_keys[i].given;
	s->offset =
	    (s->given &
	        (SUBSCRIPTION_GIVEN_START | SUBSCRIPTION_GIVEN_LIMIT)) != 0;
	return 1;
}

/* Frees the spec's strings; the spec can be reused after init. */
void
subscription_spec_clear(struct subscription_spec *s)
{

	free(s->category);
	free(s->slug);
	free(s->locale);
	free(s->populate);
	free(s->sort);
	free(s->qlang);
	s->category = s->slug = s->locale = s->populate = NULL;
	s->sort = s->qlang = NULL;
}

/* 1 when key is populate or fields, or either with brackets after it. */
int
subscription_is_populate(const char *key)
{
	size_t n = strncmp(key, "populate", 8) == 0 ? 8
	    : strncmp(key, "fields", 6) == 0        ? 6
	                                            : 0;

	return n > 0 && (key[n] == '\0' || key[n] == '[');
}

/*
 * 1 when key is one of REST's list parameters qs.c and qlang.c read from
 * a live query's pairs (struct subscription_spec, qlang): filters[...],
 * sort[...], pagination[withCount], status and cursor.
 */
int
subscription_is_qlang(const char *key)
{
	return strncmp(key, "filters[", 8) == 0 || strcmp(key, "cursor") == 0 ||
	    strncmp(key, "sort[", 5) == 0 ||
	    strcmp(key, "pagination[withCount]") == 0 ||
	    strcmp(key, "status") == 0;
}

/*
 * A populate or fields pair (or a filters pair), kept as a query string
 * (in the order given) in *dst for api/populate.c (api/qlang.c) to parse
 * against the schema when the query starts; at most max bytes.
 */
static int
add_pair(char **dst, size_t max, const char *key, const char *value,
    const char **why, const char *too_long)
{
	struct buf b;

	buf_init(&b);
	if (*dst != NULL) {
		buf_adds(&b, *dst);
		buf_addc(&b, '&');
	}
	buf_add_qs_encoded(&b, key);
	buf_addc(&b, '=');
	buf_add_qs_encoded(&b, value);
	if (b.len > max) {
		buf_clear(&b);
		*why = too_long;
		return -1;
	}
	free(*dst);
	*dst = buf_take(&b);
	return 0;
}

/*
 * Sets one query parameter: "category", "slug", "locale", "populate..."
 * and "fields..." (kept for api/populate.c, see add_pair), "filters[...]"
 * and the others of subscription_is_qlang (kept for api/qs.c and qlang.c;
 * filters[slug][$eq] and filters[category][$eq] are the slug and
 * category), or pagination
 * as REST takes it: "page", "pageSize", "start", "limit" (also as
 * "pagination[page]" and so on; see set_paging). Returns 0, or -1 with
 * *why set when the key is unknown or the value is not acceptable; the
 * spec is then unchanged.
 */
int
subscription_spec_set(struct subscription_spec *s, const char *key,
    const char *value, const char **why)
{
	int r;

	if ((r = set_paging(s, key, value, why)) != 0)
		return r == 1 ? 0 : -1;
	if (subscription_is_populate(key))
		return add_pair(&s->populate, SUBSCRIPTION_MAX_POPULATE, key,
		    value, why, "populate and fields: too long");
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
	if (strcmp(key, "sort") == 0) {
		/* checked against the type by api/qlang.c when subscribed */
		if (*value == '\0' || strlen(value) > SUBSCRIPTION_MAX_SORT ||
		    strspn(value,
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
		        "RSTUVWXYZ0123456789_:, ") != strlen(value)) {
			*why = "sort: invalid";
			return -1;
		}
		free(s->sort);
		s->sort = xstrdup(value);
		return 0;
	}
	if (subscription_is_qlang(key))
		return add_pair(&s->qlang, SUBSCRIPTION_MAX_QLANG, key, value,
		    why, "filters: too long");
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
 * both given, page/pageSize are not mixed with start/limit, and the
 * collection has the fields asked for. Returns 0, or -1 with *why set.
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
	if ((s->given &
	        (SUBSCRIPTION_GIVEN_PAGE | SUBSCRIPTION_GIVEN_PAGE_SIZE)) &&
	    (s->given &
	        (SUBSCRIPTION_GIVEN_START | SUBSCRIPTION_GIVEN_LIMIT))) {
		*why = "Invalid pagination parameters. Expected either "
		       "start/limit or page/pageSize";
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

/* 1 when the spec reads every locale of its collection (locale=*). */
int
subscription_every_locale(const struct subscription_spec *s)
{
	return s->locale != NULL && strcmp(s->locale, "*") == 0;
}

/* The number of entries a page of the spec holds at most. */
uint64_t
subscription_size(const struct subscription_spec *s)
{

	return s->offset ? s->limit : s->page_size;
}

/*
 * Appends a canonical key: two specs that ask the same thing have the
 * same key, so the query is computed once for all their subscribers.
 */
void
subscription_key(const struct subscription_spec *s, struct buf *b)
{

	buf_adds(b, s->coll != NULL ? s->coll->name : "");
	if (s->offset)
		buf_printf(b, "\no%" PRIu64 "+%" PRIu64, s->start, s->limit);
	else
		buf_printf(b, "\np%" PRIu64 "x%" PRIu64, s->page, s->page_size);
	buf_printf(b, "\n%s\n", subscription_locale(s));
	if (s->slug != NULL) {
		buf_adds(b, "s:");
		buf_adds(b, s->slug);
	} else if (s->category != NULL) {
		buf_adds(b, "c:");
		buf_adds(b, s->category);
	}
	if (s->populate != NULL) {
		buf_adds(b, "\nq:");
		buf_adds(b, s->populate);
	}
	if (s->sort != NULL) {
		buf_adds(b, "\nsort:");
		buf_adds(b, s->sort);
	}
	if (s->qlang != NULL) {
		buf_adds(b, "\nf:");
		buf_adds(b, s->qlang);
	}
}

/*
 * Appends the key of a scope: the collection, the locale and the slug
 * ('s') or category ('c') a query filters on (kind 0: none). The queries
 * of a scope differ only by page, and a change touches exactly the
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
 * make up distinct queries without end: the page size (or limit) is the
 * default or one of sizes[], and the locale one of the collection's
 * (dropped for a collection that has none, as Strapi ignores it) or "*"
 * (every locale: kept, for the sidecar to check as REST does).
 * Returns 0, or -1 with *why; the locale may have been dropped either way.
 */
int
subscription_spec_restrict(struct subscription_spec *s, const uint64_t *sizes,
    size_t nsizes, const char **why)
{
	size_t i;

	if (s->locale != NULL && s->coll != NULL &&
	    !subscription_every_locale(s)) {
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
	if (subscription_size(s) == SUBSCRIPTION_DEFAULT_PAGE_SIZE)
		return 0;
	for (i = 0; i < nsizes; i++)
		if (sizes[i] == subscription_size(s))
			return 0;
	*why = s->offset
	    ? "limit: not one of the page sizes this server allows"
	    : "pageSize: not one of the page sizes this server allows";
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
	if (ch->locale != NULL && !subscription_every_locale(s) &&
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
