/* qlang.h: Strapi's filters and sort on lists: the plan and its scan */
#ifndef QLANG_H
#define QLANG_H

#include <stddef.h>
#include <stdint.h>

#include "api/qs.h"
#include "conf/conf.h"
#include "model/filter.h"
#include "model/schema.h"
#include "store/store.h"

/*
 * How a list is answered when the store's publishedAt index cannot: a
 * scan of the collection (one locale, or the category's or slug's
 * entries when those indexed filters are given), at most max_scan
 * entries, filtered, sorted, then paged.
 */
struct list_plan {
	struct filter_node *filter; /* NULL: every entry */
	struct filter_sort sort;    /* nkey 0: Strapi's default, id */
	struct filter_row after;    /* the cursor's position */
	int has_after;
	size_t max_scan;
	const struct conf *conf; /* for relations: the related types */
	struct store *store;
	int over; /* set by the scan: more than max_scan entries */
	/*
	 * Optional: told each entry the scan matched and each related
	 * entry a relation filter read (what a live query depends on).
	 */
	void (*seen)(void *, const char *collection, const char *document_id,
	    const char *locale);
	void *seen_arg;
	/* Optional: every match of a scan, sorted (seen_arg). */
	void (*matched)(void *, const struct filter_row *, size_t);
	/*
	 * Optional: the matches (sorted, as matched gave them, kept up to
	 * date by the caller) instead of a scan: only the page is read.
	 */
	const struct filter_row *given;
	size_t ngiven;
	/* Optional: the process's columns (qlang_cols_new), for scans. */
	struct qlang_cols *cols;
};

struct render_query;
struct buf;
struct qlang_cols;

struct qlang_cols *qlang_cols_new(size_t max_bytes);
void qlang_cols_free(struct qlang_cols *);

int qlang_plan(struct list_plan *, const struct qs_spec *, const struct conf *,
    const struct collection *, const struct schema *,
    const struct schema_type *, struct qs_error *);
int qlang_cursor(struct list_plan *, const char *cursor);
void qlang_plan_clear(struct list_plan *);
int qlang_needs_plan(const struct qs_spec *);
int qlang_attr_class(const struct collection *, const struct schema_type *,
    const char *name, enum filter_class *);
void qlang_over_message(char *, size_t, size_t max_scan);

/* The entries of a scan, as render.c collects them (store_item_cb). */
int qlang_run(struct store *, const struct render_query *, store_item_cb,
    void *, uint64_t *total, uint64_t *seq, uint64_t skip, size_t want,
    struct buf *next_cursor);

/*
 * qlang_index.c: the attribute indexes of collection.<name>.index. Opens
 * them on the store (after its schema is known): 0, or -1 with *cause
 * (caller frees). qlang_explain writes the plan of q as text.
 */
int qlang_index_open(struct store *, const struct conf *, const struct schema *,
    char **cause);
int qlang_explain(struct store *, const struct render_query *, struct buf *out);

#endif
