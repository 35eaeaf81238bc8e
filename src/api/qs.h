/* qs.h: query-string decoding and the Strapi REST query subset; pure */
#ifndef QS_H
#define QS_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "conf/conf.h"

#define QS_MAX_QUERY         8192 /* bytes of QUERY_STRING */
#define QS_MAX_KEY           256  /* bytes of one decoded parameter name */
#define QS_MAX_VALUE         1024 /* bytes of one decoded value */
#define QS_MAX_FIELDS        32
#define QS_MAX_CURSOR        300
#define QS_DEFAULT_PAGE_SIZE 25  /* Strapi's api.rest.defaultLimit */
#define QS_MAX_PAGE_SIZE     100 /* Strapi's api.rest.maxLimit */
#define QS_MAX_PAGE          (1LL << 40)
#define QS_MAX_FILTERS       64 /* filters[...] pairs beyond the indexed two */
#define QS_MAX_SORT          8

enum qs_paging {
	QS_PAGING_PAGE,   /* pagination[page] / [pageSize] (the default) */
	QS_PAGING_OFFSET, /* pagination[start] / [limit] */
};

/* Which parameter families a query used (routes accept different sets). */
enum qs_seen {
	QS_SEEN_PAGINATION = 1 << 0,
	QS_SEEN_SORT = 1 << 1,
	QS_SEEN_FILTERS = 1 << 2,
	QS_SEEN_CURSOR = 1 << 3,
	QS_SEEN_CATEGORY = 1 << 4, /* the ?category= short form */
};

/* One filters[...]=value pair, its key split ("filters" dropped). */
struct qs_filter {
	const char *key; /* the decoded key, "filters[title][$eq]" */
	const char *val;
};

/* One sort key: "title:desc". */
struct qs_sort {
	const char *field;
	int desc;
	const char *order; /* the order as written, NULL when none is */
};

/*
 * A parsed query. Strings point into store[] (decoded, NUL-terminated,
 * valid UTF-8) and live as long as the struct; NULL when absent.
 */
struct qs_spec {
	int seen; /* enum qs_seen bits */
	enum qs_paging paging;
	uint64_t page, page_size; /* after Strapi's clamping */
	uint64_t start, limit;
	int no_count;  /* pagination[withCount]=false */
	int ascending; /* sort=publishedAt:asc (the only key) */
	struct qs_sort sort[QS_MAX_SORT]; /* in order */
	size_t nsort;
	struct qs_filter filters[QS_MAX_FILTERS]; /* beyond slug, category */
	size_t nfilters;
	const char *slug;     /* filters[<slug_field>][$eq] */
	const char *category; /* filters[<category_field>][$eq] or ?category= */
	const char *locale;   /* locale= */
	const char *cursor;   /* cursor= (opaque, not yet decoded) */
	const char *fields[QS_MAX_FIELDS];
	size_t nfields; /* 0: every field */
	/* internal */
	const char *key; /* the pair being parsed, its whole key */
	unsigned have;   /* parameters already given (duplicates) */
	size_t used;
	char store[2 * QS_MAX_QUERY + 2];
};

/*
 * Why a query was refused. message is what the 400 body says; key and
 * param are set (non-empty) for Strapi's "Invalid key" errors, whose
 * details name them; path too when Strapi names one (else null).
 */
struct qs_error {
	char message[256];
	char key[QS_MAX_KEY + 1];
	char path[QS_MAX_KEY + 1];
	char param[64];
};

/* A decoded key "name[a][b]" split into its segments (qs_key_split). */
#define QS_KEY_SEGS 40
struct qs_key {
	const char *seg[QS_KEY_SEGS]; /* name, then each [segment] */
	size_t nseg;
	char buf[QS_MAX_KEY + QS_KEY_SEGS + 1];
};

int qs_key_split(const char *, size_t, struct qs_key *, size_t max);
int qs_is_index(const char *);
int qs_fail(struct qs_error *, const char *, ...) PRINTFLIKE(2, 3);
int qs_invalid_key(struct qs_error *, const char *key, const char *param);
int qs_invalid_key_at(struct qs_error *, const char *key, const char *path,
    const char *param);
int qs_single_refuse(struct qs_error *, int seen);

/*
 * One key=value pair of a query string, as qs_next() gives it: the key
 * decoded here, the value into the caller's buffer.
 */
struct qs_pair {
	char key[QS_MAX_KEY + 1]; /* decoded; "" for an empty pair or "=v" */
	size_t klen;
	char *val; /* decoded, NUL-terminated; "" when there is no '=' */
	size_t vlen;
	int has_value;   /* the pair had an '=' */
	const char *raw; /* the value as sent (not NUL-terminated) */
	size_t rawlen;
};

/* What qs_next() found. Pairs with an empty key come without a value. */
enum qs_next {
	QS_END = 0,
	QS_PAIR = 1,
	QS_KEY_LONG = -1,   /* the decoded key is over QS_MAX_KEY bytes */
	QS_KEY_BAD = -2,    /* malformed escape, NUL or bad UTF-8 in the key */
	QS_VALUE_LONG = -3, /* the decoded value does not fit the buffer */
	QS_VALUE_BAD = -4,  /* malformed escape or NUL in the value */
	QS_VALUE_UTF8 = -5, /* the value decoded, but is not valid UTF-8 */
};

/*
 * Walks the pairs of a query string. decoded: the text is one pair that
 * is already percent-decoded (a libwebsockets URL argument): it is split
 * at its first '=' only.
 */
struct qs_iter {
	const char *p, *end;
	int decoded;
};

void qs_iter_init(struct qs_iter *, const char *, size_t, int decoded);
int qs_next(struct qs_iter *, struct qs_pair *, char *val, size_t valsz);
int qs_parse(struct qs_spec *, const char *query, const struct collection *,
    struct qs_error *);
int qs_decode(const char *, size_t, int plus, char *out, size_t outsz,
    size_t *outlen);

#endif
