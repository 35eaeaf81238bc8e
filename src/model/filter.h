/* filter.h: Strapi's filters and sorts evaluated over stored entries */
#ifndef FILTER_H
#define FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * A filter is a tree of nodes built by api/filter.c from the query
 * string; this module evaluates it over an entry's stored JSON the way
 * Strapi 5's database layer does on its default SQLite (see
 * docs/api.md, "Filters"): SQL's three-valued logic (a comparison with
 * a null attribute is unknown, and a row matches only when the whole
 * filter is true), LIKE patterns unescaped and ASCII-case-insensitive,
 * LOWER() folding ASCII letters only, values cast to the attribute's
 * type for the comparing operators.
 */

enum filter_op {
	FILTER_EQ,
	FILTER_EQI,
	FILTER_NE,
	FILTER_NEI,
	FILTER_LT,
	FILTER_LTE,
	FILTER_GT,
	FILTER_GTE,
	FILTER_IN,
	FILTER_NOTIN,
	FILTER_CONTAINS,
	FILTER_NOTCONTAINS,
	FILTER_CONTAINSI,
	FILTER_NOTCONTAINSI,
	FILTER_NULL,
	FILTER_NOTNULL,
	FILTER_BETWEEN,
	FILTER_STARTSWITH,
	FILTER_STARTSWITHI,
	FILTER_ENDSWITH,
	FILTER_ENDSWITHI,
	FILTER_OP__MAX
};

/* How an attribute's values compare (its SQLite column's content). */
enum filter_class {
	FILTER_STRING,   /* text: binary order */
	FILTER_NUMBER,   /* integer, decimal, float, id */
	FILTER_BOOL,     /* 0 / 1 */
	FILTER_DATETIME, /* an instant (ms since the epoch) */
	FILTER_DATE,     /* "YYYY-MM-DD" text */
};

enum filter_kind {
	FILTER_AND,
	FILTER_OR,
	FILTER_NOT,
	FILTER_CMP, /* attr op values */
	FILTER_REL, /* a relation: kid[0] on the related row */
};

enum filter_truth {
	FILTER_FALSE = 0,
	FILTER_TRUE = 1,
	FILTER_UNKNOWN = 2
};

/* One value of a comparison: the text given and its cast form. */
struct filter_val {
	const char *text; /* borrowed from the query */
	long double num;  /* FILTER_NUMBER, FILTER_BOOL (0/1) */
	int64_t ms;       /* FILTER_DATETIME */
	char date[11];    /* FILTER_DATE */
};

struct filter_node {
	enum filter_kind kind;
	struct filter_node **kid; /* AND, OR: any number; NOT, REL: one */
	size_t nkid;
	char *attr; /* CMP, REL: the attribute name */
	/* CMP */
	enum filter_class cls;
	enum filter_op op;
	int any; /* an array given to a one-value operator: OR of each */
	struct filter_val *val;
	size_t nval;
	/* REL */
	char *target; /* the related type's uid */
};

/* The operator's name ("$eq") and back; FILTER_OP__MAX when unknown. */
const char *filter_op_name(enum filter_op);
enum filter_op filter_op_of(const char *);
int filter_op_casts(enum filter_op);
int filter_cast(enum filter_class, const char *text, struct filter_val *);
int filter_bool_of(const char *);

struct filter_node *filter_node_new(enum filter_kind);
void filter_node_add(struct filter_node *, struct filter_node *kid);
void filter_free(struct filter_node *);
int filter_has_rel(const struct filter_node *);
char *filter_own_texts(struct filter_node *);

/*
 * Reads a related row for a REL node: appends its stored JSON to out.
 * Returns 1 found, 0 not stored, -1 the store failed.
 */
typedef int (*filter_fetch_fn)(void *, const char *target_uid,
    const char *document_id, const char *locale, struct buf *out);

/* Sort keys: the attributes, each ascending or descending. */
#define FILTER_MAX_SORT 8
struct filter_sort_key {
	const char *attr;
	enum filter_class cls;
	int desc;
};
struct filter_sort {
	struct filter_sort_key key[FILTER_MAX_SORT];
	size_t nkey; /* then id, documentId and locale ascending */
};

/* One entry's values for a sort, in sort order. */
struct filter_keyval {
	int null;
	long double num;
	char *s; /* FILTER_STRING, FILTER_DATE */
};
struct filter_row {
	struct filter_keyval key[FILTER_MAX_SORT + 1]; /* the last: id */
	char *document_id, *locale;
	char *json; /* the stored entry */
	size_t json_len;
};

/*
 * Evaluates f (NULL: every entry) over one stored entry; on a match
 * fills row with its sort keys (row->json is left to the caller).
 * Returns 1 match, 0 not, -1 unreadable JSON or a failed fetch.
 */
int filter_match(const struct filter_node *f, const struct filter_sort *,
    const char *json, size_t len, filter_fetch_fn, void *fetch_arg,
    struct filter_row *row);
int filter_quick_reject(const struct filter_node *, const char *json,
    size_t len);
int filter_text_reject(const struct filter_node *, const char *attr,
    const char *s);
int filter_key_reject(const struct filter_node *, const char *attr,
    const void *key, size_t len);
int filter_row_quick(const char *json, size_t len, const char *document_id,
    const char *locale, struct filter_row *);
void filter_row_clear(struct filter_row *);
void filter_row_copy(struct filter_row *, const struct filter_row *);
int filter_row_cmp(const struct filter_sort *, const struct filter_row *,
    const struct filter_row *);
void filter_sort_signature(const struct filter_sort *, struct buf *);
void filter_cursor_encode(const struct filter_sort *, const struct filter_row *,
    struct buf *);
int filter_cursor_decode(const struct filter_sort *, const char *,
    struct filter_row *);

/*
 * filter_key.c: sort keys as bytes whose byte order is key_cmp's, for the
 * attribute indexes: a value, an entry's index key (value, id), and what
 * an operator's value is in that order.
 */
#define FILTER_KEY_NUM  1
#define FILTER_KEY_TEXT 2
void filter_key_num(long double, struct buf *);
void filter_key_text(const char *, struct buf *);
void filter_key_encode(const struct filter_keyval *, struct buf *);
size_t filter_key_len(const void *, size_t);
size_t filter_key_decode(const void *, size_t, struct filter_keyval *);
int filter_index_key(const char *json, size_t len, const char *attr,
    enum filter_class, struct buf *);
int filter_val_keys(enum filter_class, const struct filter_val *,
    struct buf *num, struct buf *text);

/*
 * A stored entry parsed once, to evaluate several filters over it (the
 * sidecar's changes against its live queries).
 */
struct filter_doc;
struct filter_doc *filter_doc_parse(const char *json, size_t len);
void filter_doc_free(struct filter_doc *);
int filter_doc_match(const struct filter_node *, const struct filter_doc *,
    filter_fetch_fn, void *fetch_arg);

/*
 * A filter's index key: a condition every match must meet, that a row's
 * text equals one of val[] (a string attribute's $eq or $in under the
 * top-level $and), on the row itself or on a related row (rel, of type
 * target). A row whose values there are none of val[] cannot match.
 */
struct filter_ikey {
	const char *rel;    /* the relation attribute, or NULL */
	const char *target; /* its type's uid */
	const char *attr;   /* the attribute compared */
	const struct filter_val *val;
	size_t nval;
};

int filter_ikey_of(const struct filter_node *, struct filter_ikey *);
int filter_doc_values(const struct filter_doc *, const struct filter_ikey *,
    filter_fetch_fn, void *fetch_arg, void (*cb)(void *, const char *),
    void *cb_arg);

/*
 * Live queries without an index key share their conditions (guards):
 * a change's row is tested against each distinct guard once.
 */
size_t filter_musts(const struct filter_node *, const struct filter_node **out,
    size_t max);
void filter_cmp_key(const struct filter_node *, struct buf *);
int filter_doc_cmp(const struct filter_node *, const struct filter_doc *);

/* SQLite's LIKE (no escape; ASCII letters fold) and LOWER: for tests. */
int filter_like(const char *pattern, const char *text);
int filter_like_in(int lead, const char *pattern, int trail, const char *text);

#endif
