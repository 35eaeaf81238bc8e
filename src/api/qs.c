/* qs.c: query-string decoding and the Strapi REST query subset; pure */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "model/entry.h"
#include "api/qs.h"
#include "util/utf8.h"

/*
 * Strapi parses its query string with the qs library: "a[b][c]=v" nests,
 * "+" is a space, keys may themselves be percent-encoded ("%5B" for "["),
 * and with strictParams every key it does not know is a 400
 * ValidationError "Invalid key <key>". We accept the subset we can answer
 * from the indexes, with Strapi's meaning, and refuse everything else the
 * same way, so a frontend never gets a silently different answer.
 */

enum have_bit {
	HAVE_PAGE = 1 << 0,
	HAVE_PAGE_SIZE = 1 << 1,
	HAVE_START = 1 << 2,
	HAVE_LIMIT = 1 << 3,
	HAVE_SORT = 1 << 4,
	HAVE_SLUG = 1 << 5,
	HAVE_CATEGORY = 1 << 6,
	HAVE_LOCALE = 1 << 7,
	HAVE_CURSOR = 1 << 8,
	HAVE_STATUS = 1 << 9,
	HAVE_SHORT_CATEGORY = 1 << 10,
	HAVE_FIELDS_LIST = 1 << 11,
	HAVE_WITH_COUNT = 1 << 12,
};

int
qs_fail(struct qs_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->key[0] = err->path[0] = err->param[0] = '\0';
	return -1;
}

/* Strapi's strictParams refusal: "Invalid key <key>". */
int
qs_invalid_key(struct qs_error *err, const char *key, const char *param)
{
	snprintf(err->message, sizeof(err->message), "Invalid key %s", key);
	snprintf(err->key, sizeof(err->key), "%s", key);
	snprintf(err->param, sizeof(err->param), "%s", param);
	err->path[0] = '\0';
	return -1;
}

/*
 * The same refusal with the path Strapi names (Strapi's throwInvalidKey):
 * "Invalid key <key> at <path>", or "Invalid key <key>" when the path is
 * the key itself or empty (then null in the details).
 */
int
qs_invalid_key_at(struct qs_error *err, const char *key, const char *path,
    const char *param)
{
	qs_invalid_key(err, key, param);
	if (*path != '\0' && strcmp(path, key) != 0)
		snprintf(err->message, sizeof(err->message),
		    "Invalid key %.100s at %.128s", key, path);
	snprintf(err->path, sizeof(err->path), "%s", path);
	return -1;
}

/*
 * What a single-entry route (one entry, a single type) refuses of the
 * parameter families seen (enum qs_seen bits): 0, or -1 with err
 * "Invalid key <family>", as REST answers it.
 */
int
qs_single_refuse(struct qs_error *err, int seen)
{
	const char *f;

	if (seen & QS_SEEN_PAGINATION)
		f = "pagination";
	else if (seen & QS_SEEN_SORT)
		f = "sort";
	else if (seen & QS_SEEN_FILTERS)
		f = "filters";
	else if (seen & QS_SEEN_CURSOR)
		f = "cursor";
	else if (seen & QS_SEEN_CATEGORY)
		f = "category";
	else
		return 0;
	return qs_invalid_key(err, f, f);
}

/* Marks a parameter as given; -1 (with the error) when it was already. */
static int
once(struct qs_spec *sp, unsigned bit, const char *name, struct qs_error *err)
{
	if (sp->have & bit)
		return qs_fail(err, "Duplicate parameter %s", name);
	sp->have |= bit;
	return 0;
}

static int
integer(const char *v, const char *name, long long min, long long max,
    long long *out, struct qs_error *err)
{
	const char *errstr;
	long long n;

	if (*v == '\0' || (*v == '+'))
		return qs_fail(err,
		    "Invalid '%s' parameter. Expected an integer, "
		    "received: '%s'",
		    name, v);
	n = strtonum(v, min, max, &errstr);
	if (errstr != NULL)
		return qs_fail(err,
		    "Invalid '%s' parameter. Expected an integer "
		    "from %lld to %lld, received: '%.64s'",
		    name, min, max, v);
	*out = n;
	return 0;
}

static int
pagination(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	const char *name;
	long long n;

	(void)vlen;
	(void)c;
	if (k->nseg != 2)
		return qs_invalid_key(err,
		    k->nseg > 2 ? k->seg[2] : "pagination", "pagination");
	name = k->seg[1];
	sp->seen |= QS_SEEN_PAGINATION;
	if (strcmp(name, "page") == 0) {
		if (once(sp, HAVE_PAGE, "pagination[page]", err) == -1 ||
		    integer(v, name, -QS_MAX_PAGE, QS_MAX_PAGE, &n, err) == -1)
			return -1;
		sp->page = n < 1 ? 1 : (uint64_t)n; /* Math.max(1, page) */
	} else if (strcmp(name, "pageSize") == 0) {
		if (once(sp, HAVE_PAGE_SIZE, "pagination[pageSize]", err) ==
		        -1 ||
		    integer(v, name, -QS_MAX_PAGE, QS_MAX_PAGE, &n, err) == -1)
			return -1;
		sp->page_size = n < 1      ? 1
		    : n > QS_MAX_PAGE_SIZE ? QS_MAX_PAGE_SIZE
		                           : (uint64_t)n;
	} else if (strcmp(name, "start") == 0) {
		if (once(sp, HAVE_START, "pagination[start]", err) == -1 ||
		    integer(v, name, -QS_MAX_PAGE, QS_MAX_PAGE, &n, err) == -1)
			return -1;
		sp->start = n < 0 ? 0 : (uint64_t)n;
	} else if (strcmp(name, "limit") == 0) {
		if (once(sp, HAVE_LIMIT, "pagination[limit]", err) == -1 ||
		    integer(v, name, -1, QS_MAX_PAGE, &n, err) == -1)
			return -1;
		if (n == 0)
			return qs_fail(err,
			    "Invalid 'limit' parameter. Expected "
			    "a positive integer or -1, received: '0'");
		/* -1 means "no limit", which Strapi caps at maxLimit. */
		sp->limit = n == -1 || n > QS_MAX_PAGE_SIZE ? QS_MAX_PAGE_SIZE
		                                            : (uint64_t)n;
	} else if (strcmp(name, "withCount") == 0) {
		/* Strapi's boolean parameter: no total, no pageCount. */
		if (once(sp, HAVE_WITH_COUNT, "pagination[withCount]", err) ==
		    -1)
			return -1;
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			sp->no_count = 0;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			sp->no_count = 1;
		else
			return qs_fail(err,
			    "Invalid 'withCount' parameter. Expected "
			    "a boolean, received: '%.64s'",
			    v);
	} else
		return qs_invalid_key(err, name, "pagination");
	return 0;
}

static int
known_field(const struct collection *c, const char *f)
{
	static const char *const always[] = { "id", "documentId", "createdAt",
		"updatedAt", "publishedAt", "locale" };
	size_t i;

	for (i = 0; i < sizeof(always) / sizeof(always[0]); i++)
		if (strcmp(f, always[i]) == 0)
			return 1;
	if (c->nfields == 0) /* fields not configured: any plain name */
		return *f != '\0' && strpbrk(f, "[]$.") == NULL;
	for (i = 0; i < c->nfields; i++)
		if (strcmp(f, c->fields[i].name) == 0)
			return 1;
	return 0;
}

/*
 * A sort key qs_parse takes: a name, or a dotted path of names (an
 * attribute of a relation or component). qlang_plan checks it against
 * the type (or the collection's fields) and refuses it in Strapi's
 * words, after the query's other parameters, as Strapi validates a sort
 * after its strict parameters (Strapi's validateQuery).
 */
static int
sort_field(const char *f)
{
	const char *p;

	if (strpbrk(f, "[]$") != NULL)
		return 0;
	for (p = f; *p != '\0'; p++)
		if (*p == '.' && (p == f || p[1] == '.' || p[1] == '\0'))
			return 0;
	return 1;
}

/*
 * One sort term "field[:asc|desc]" (Strapi's convertSingleSortQueryParam):
 * any scalar attribute; qlang_plan checks it against the schema.
 */
static int
sort_term(struct qs_spec *sp, char *term, struct qs_error *err)
{
	char *colon, *order = NULL, *end;

	if ((colon = strchr(term, ':')) != NULL) {
		*colon = '\0';
		order = colon + 1;
	}
	while (*term == ' ')
		term++;
	for (end = term + strlen(term); end > term && end[-1] == ' '; end--)
		end[-1] = '\0';
	if (*term == '\0')
		return order == NULL ? 0
		                     : qs_fail(err, "Field cannot be empty");
	if (order != NULL) {
		while (*order == ' ')
			order++;
		for (end = order + strlen(order); end > order && end[-1] == ' ';
		     end--)
			end[-1] = '\0';
	}
	if (order != NULL && strcasecmp(order, "asc") != 0 &&
	    strcasecmp(order, "desc") != 0)
		return qs_fail(err,
		    "Invalid order. order can only be one of "
		    "asc|desc|ASC|DESC");
	if (!sort_field(term))
		return qs_invalid_key(err, term, "sort");
	if (sp->nsort == QS_MAX_SORT)
		return qs_fail(err, "More than %d sort keys", QS_MAX_SORT);
	sp->sort[sp->nsort].field = term;
	sp->sort[sp->nsort].order = order;
	sp->sort[sp->nsort].desc =
	    order != NULL && strcasecmp(order, "desc") == 0;
	sp->nsort++;
	return 0;
}

/*
 * sort=a,b:desc, sort[0]=a:desc&sort[1]=b, sort[a]=desc: the keys in
 * the order given.
 */
static int
sort(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	char *p, *comma;

	(void)vlen;
	(void)c;
	sp->seen |= QS_SEEN_SORT;
	if (k->nseg == 2 && !qs_is_index(k->seg[1])) { /* sort[title]=desc */
		if (strcasecmp(v, "asc") != 0 && strcasecmp(v, "desc") != 0)
			return qs_fail(err,
			    "Invalid order. order can only be one of "
			    "asc|desc|ASC|DESC");
		if (!sort_field(k->seg[1]))
			return qs_invalid_key(err, k->seg[1], "sort");
		if (sp->nsort == QS_MAX_SORT)
			return qs_fail(err, "More than %d sort keys",
			    QS_MAX_SORT);
		/* the field name, in the kept copy of the key "sort[f]" */
		p = (char *)sp->key + 5;
		p[strlen(p) - 1] = '\0';
		sp->sort[sp->nsort].field = p;
		sp->sort[sp->nsort].order = v;
		sp->sort[sp->nsort].desc = strcasecmp(v, "desc") == 0;
		sp->nsort++;
		return 0;
	}
	if (k->nseg > 2)
		return qs_invalid_key(err, k->seg[k->nseg - 1], "sort");
	if (*v == '\0')
		return qs_fail(err, "Invalid sort parameter: no field");
	for (p = v; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (sort_term(sp, p, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * filters[<slug_field>][$eq] and filters[<category_field>][$eq] (or
 * without $eq) use their indexes; every other filter is kept as given
 * for api/filter.c, which knows the schema.
 */
static int
filters(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	const char *field = k->nseg > 1 ? k->seg[1] : "filters";
	int eq =
	    k->nseg == 2 || (k->nseg == 3 && strcmp(k->seg[2], "$eq") == 0);

	sp->seen |= QS_SEEN_FILTERS;
	if (k->nseg < 2) /* Strapi's query conversion: filters=x */
		return qs_fail(err,
		    "The filters parameter must be an object "
		    "or an array");
	if (*field == '\0')
		return qs_invalid_key(err, field, "filters");
	/* given twice, qs would make an array (any of them): refused */
	if (eq && c->slug_field[0] != '\0' &&
	    strcmp(field, c->slug_field) == 0) {
		if (once(sp, HAVE_SLUG, "filters[slug]", err) == -1)
			return -1;
		if (vlen > ENTRY_MAX_SLUG)
			return qs_fail(err, "filters[%s]: longer than %d bytes",
			    field, ENTRY_MAX_SLUG);
		sp->slug = v;
		return 0;
	}
	if (eq && c->category_field[0] != '\0' &&
	    strcmp(field, c->category_field) == 0) {
		if (once(sp, HAVE_CATEGORY, "filters[category]", err) == -1)
			return -1;
		if (vlen > ENTRY_MAX_CATEGORY)
			return qs_fail(err, "filters[%s]: longer than %d bytes",
			    field, ENTRY_MAX_CATEGORY);
		if (sp->category != NULL && strcmp(sp->category, v) != 0)
			return qs_fail(err, "category and filters[%s] disagree",
			    field);
		sp->category = v;
		return 0;
	}
	if (sp->nfilters == QS_MAX_FILTERS)
		return qs_fail(err, "More than %d filters", QS_MAX_FILTERS);
	sp->filters[sp->nfilters].key = sp->key;
	sp->filters[sp->nfilters].val = v;
	sp->nfilters++;
	return 0;
}

static int
add_field(struct qs_spec *sp, const char *f, const struct collection *c,
    struct qs_error *err)
{
	if (strcmp(f, "*") == 0)
		return 0;
	if (!known_field(c, f))
		return qs_invalid_key(err, f, "fields");
	if (sp->nfields == QS_MAX_FIELDS)
		return qs_fail(err, "More than %d fields", QS_MAX_FIELDS);
	sp->fields[sp->nfields++] = f;
	return 0;
}

static int
fields(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	char *p, *comma;

	(void)vlen;
	if (k->nseg == 2 && qs_is_index(k->seg[1]))
		return add_field(sp, v, c, err);
	if (k->nseg != 1)
		return qs_invalid_key(err, k->seg[k->nseg - 1], "fields");
	if (once(sp, HAVE_FIELDS_LIST, "fields", err) == -1)
		return -1;
	/* fields=title,slug: qs gives a string, Strapi splits it. */
	for (p = v; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		while (*p == ' ')
			p++;
		if (*p != '\0' && add_field(sp, p, c, err) == -1)
			return -1;
	}
	return 0;
}

static int
scalar(const struct qs_key *k, struct qs_error *err)
{
	if (k->nseg != 1)
		return qs_invalid_key(err, k->seg[k->nseg - 1], k->seg[0]);
	return 0;
}

static int
locale(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	(void)c;
	if (scalar(k, err) == -1 || once(sp, HAVE_LOCALE, "locale", err) == -1)
		return -1;
	if (vlen == 0 || vlen > ENTRY_MAX_LOCALE || strcmp(v, "*") == 0 ||
	    strcmp(v, "all") == 0)
		return qs_fail(err,
		    "Invalid locale '%.64s': one locale "
		    "code is served at a time",
		    v);
	sp->locale = v;
	return 0;
}

static int
status(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	(void)vlen;
	(void)c;
	if (scalar(k, err) == -1 || once(sp, HAVE_STATUS, "status", err) == -1)
		return -1;
	if (strcmp(v, "published") != 0)
		return qs_fail(err, "Invalid status '%.64s': only published %s",
		    v, "entries are served");
	return 0;
}

static int
cursor(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	(void)c;
	sp->seen |= QS_SEEN_CURSOR;
	if (scalar(k, err) == -1 || once(sp, HAVE_CURSOR, "cursor", err) == -1)
		return -1;
	if (vlen == 0 || vlen > QS_MAX_CURSOR)
		return qs_fail(err, "Invalid cursor");
	sp->cursor = v;
	return 0;
}

/* ?category=: the short form of filters[<category_field>][$eq]. */
static int
category(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	if (c->category_field[0] == '\0')
		return qs_invalid_key(err, k->seg[0], k->seg[0]);
	sp->seen |= QS_SEEN_CATEGORY;
	if (scalar(k, err) == -1 ||
	    once(sp, HAVE_SHORT_CATEGORY, "category", err) == -1)
		return -1;
	if (vlen > ENTRY_MAX_CATEGORY)
		return qs_fail(err, "category: longer than %d bytes",
		    ENTRY_MAX_CATEGORY);
	if (sp->category != NULL && strcmp(sp->category, v) != 0)
		return qs_fail(err, "category and filters[%s] disagree",
		    c->category_field);
	sp->category = v;
	return 0;
}

/* The parameters served, by name (the key's first segment). */
static const struct {
	const char *name;
	int (*fn)(struct qs_spec *, const struct qs_key *, char *, size_t,
	    const struct collection *, struct qs_error *);
} params[] = {
	{ "pagination", pagination },
	{ "sort", sort },
	{ "filters", filters },
	{ "fields", fields },
	{ "locale", locale },
	{ "status", status },
	{ "cursor", cursor },
	{ "category", category },
};

static int
pair(struct qs_spec *sp, const struct qs_key *k, char *v, size_t vlen,
    const struct collection *c, struct qs_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (strcmp(k->seg[0], params[i].name) == 0)
			return params[i].fn(sp, k, v, vlen, c, err);
	return qs_invalid_key(err, k->seg[0], k->seg[0]);
}

/*
 * Parses a QUERY_STRING into sp for collection c. Returns 0, or -1 with
 * err filled: malformed escapes, invalid UTF-8, over-long values, keys
 * and values outside the served subset. Pure; sp holds every string it
 * points to, so nothing is allocated.
 */
int
qs_parse(struct qs_spec *sp, const char *query, const struct collection *c,
    struct qs_error *err)
{
	struct qs_iter it;
	struct qs_pair pr;
	struct qs_key k;
	size_t qlen;
	int r;

	memset(sp, 0, offsetof(struct qs_spec, store));
	sp->paging = QS_PAGING_PAGE;
	sp->page = 1;
	sp->page_size = QS_DEFAULT_PAGE_SIZE;
	sp->limit = QS_DEFAULT_PAGE_SIZE;
	qlen = strlen(query);
	if (qlen > QS_MAX_QUERY)
		return qs_fail(err, "Query string longer than %d bytes",
		    QS_MAX_QUERY);
	qs_iter_init(&it, query, qlen, 0);
	for (;;) {
		r = qs_next(&it, &pr, sp->store + sp->used,
		    sizeof(sp->store) - sp->used);
		if (r == QS_END)
			break;
		if (r == QS_KEY_LONG)
			return qs_fail(err,
			    "Query parameter name longer than %d "
			    "bytes",
			    QS_MAX_KEY);
		if (r == QS_KEY_BAD)
			return qs_fail(err,
			    "Malformed percent-encoding or UTF-8 "
			    "in a query parameter name");
		if (pr.klen == 0)
			continue; /* "=x", "&&": qs ignores them */
		if (r == QS_VALUE_LONG ||
		    (r != QS_VALUE_BAD && pr.vlen > QS_MAX_VALUE))
			return qs_fail(err,
			    "Value of '%.64s' longer than %d "
			    "bytes",
			    pr.key, QS_MAX_VALUE);
		if (r != QS_PAIR)
			return qs_fail(err,
			    "Malformed percent-encoding or UTF-8 "
			    "in the value of '%.64s'",
			    pr.key);
		sp->used += pr.vlen + 1;
		/* the key too, after the value (filters and sort keep it) */
		if (sp->used + pr.klen + 1 > sizeof(sp->store))
			return qs_fail(err, "Query string too long");
		memcpy(sp->store + sp->used, pr.key, pr.klen + 1);
		sp->key = sp->store + sp->used;
		if (qs_key_split(pr.key, pr.klen, &k, QS_KEY_SEGS) == -1)
			return qs_invalid_key(err, pr.key, pr.key);
		if (pair(sp, &k, pr.val, pr.vlen, c, err) == -1)
			return -1;
		sp->used += pr.klen + 1;
	}
	if (sp->nsort == 1 && strcmp(sp->sort[0].field, "publishedAt") == 0)
		sp->ascending = !sp->sort[0].desc;
	if ((sp->have & (HAVE_PAGE | HAVE_PAGE_SIZE)) &&
	    (sp->have & (HAVE_START | HAVE_LIMIT)))
		return qs_fail(err,
		    "Invalid pagination parameters. Expected "
		    "either start/limit or page/pageSize");
	if (sp->have & (HAVE_START | HAVE_LIMIT))
		sp->paging = QS_PAGING_OFFSET;
	if (sp->cursor != NULL && (sp->have & (HAVE_PAGE | HAVE_START)))
		return qs_fail(err,
		    "cursor continues a list: it cannot be "
		    "combined with pagination[page] or pagination[start]");
	return 0;
}
