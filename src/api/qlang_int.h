/* qlang_int.h: what the plan's scan and the attribute indexes share */
#ifndef QLANG_INT_H
#define QLANG_INT_H

#include <stdint.h>

#include "api/qlang.h"
#include "util/buf.h"

/* Index keys from lo (inclusive) to hi (exclusive, or the last). */
struct qlang_span {
	struct buf lo, hi;
	int hi_open;
	int point;      /* every key has one value */
	uint64_t count; /* keys in the span (qlang_access_choose) */
};

/* How the walk of an attribute index gives the sort's order. */
enum qlang_order {
	QLANG_ORDER_NONE,    /* the matches are sorted after the walk */
	QLANG_ORDER_KEYS,    /* key order: the attribute, then id */
	QLANG_ORDER_DESC,    /* the attribute descending, then id */
	QLANG_ORDER_REVERSE, /* one value, id descending */
};

/* What a list reads: an attribute index's spans, or the scan. */
struct qlang_access {
	int index; /* store_attr_find, or -1: the scan */
	const char *attr;
	int exact; /* the spans are the filter: nothing else to check */
	int keys;  /* every key read, the entries of those the filter may
	              match (a text condition on the attribute) */
	enum qlang_order order;
	struct qlang_span *span;
	size_t nspan;
	uint64_t count; /* keys in the spans */
};

void qlang_cursor_after(const struct filter_sort *, const char *json,
    size_t len, const char *locale, const char *doc, struct buf *next_cursor);
int qlang_id_order(struct store *, const struct render_query *, int *desc);
int qlang_access_choose(struct store *, const struct render_query *,
    struct qlang_access *);
void qlang_access_clear(struct qlang_access *);
int qlang_access_walk(struct store *, const struct render_query *,
    const struct qlang_access *, store_attr_cb, void *, uint64_t *seq);
int qlang_access_keys(struct store *, const struct render_query *,
    const struct qlang_access *, store_attr_cb, void *, uint64_t *seq);
int qlang_access_page(struct store *, const struct render_query *,
    const struct qlang_access *, store_item_cb, void *, uint64_t *total,
    uint64_t *seq, uint64_t skip, size_t want, struct buf *next_cursor);

/* qlang_col.c: a scan through a process's column of a text attribute. */
typedef int (*qlang_col_cb)(void *, const char *document_id);
int qlang_cols_scan(struct qlang_cols *, struct store *, const char *coll,
    const char *locale, const struct filter_node *, size_t max_scan,
    qlang_col_cb, void *, size_t *nrow, uint64_t *seq);

/* qlang_span.c: a filter's conditions as spans of an attribute index. */
struct qspans {
	struct qlang_span *v;
	size_t n;
};
struct filter_node;
struct store;
void qspans_clear(struct qspans *);
void qspans_add(struct qspans *, const void *lo, size_t lolen, const void *hi,
    size_t hilen, int point);
int qspans_succ(const struct buf *p, struct buf *out);
void qspans_intersect(struct qspans *a, const struct qspans *b);
void qspans_leaves(const struct filter_node *, const struct filter_node ***v,
    size_t *nv);
void qspans_attr(const struct filter_node *const *lv, size_t nlv,
    const char *attr, enum filter_class cls, struct qspans *out, int *exact);
int qspans_count(struct store *, int index, const char *locale, struct qspans *,
    uint64_t *total);

#endif
