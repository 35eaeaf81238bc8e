/* render.h: Strapi-shaped JSON envelopes around stored entry JSON */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "conf/conf.h"
#include "store/store.h"

struct list_plan;

enum render_paging {
	RENDER_PAGING_PAGE,   /* meta {page, pageSize, pageCount, total} */
	RENDER_PAGING_OFFSET, /* meta {start, limit, total} */
};

/* A list query, already validated. */
struct render_query {
	const struct collection *coll;
	const char *locale;   /* "" for types without locales */
	const char *category; /* NULL: all */
	const char *slug;     /* NULL: no slug filter */
	int ascending;
	enum render_paging paging;
	uint64_t page; /* 1-based, RENDER_PAGING_PAGE */
	uint64_t page_size;
	uint64_t start; /* RENDER_PAGING_OFFSET */
	uint64_t limit;
	int no_count;                  /* meta without total, pageCount */
	const struct store_pos *after; /* cursor paging */
	const char *const *fields;     /* NULL: every field */
	size_t nfields;
	/* Each entry through entry_fn instead (0, or -1: the list fails). */
	int (*entry_fn)(void *, struct buf *, const char *json, size_t len);
	void *entry_arg;
	const char *const *locales; /* nlocales > 0: these, in turn */
	size_t nlocales;
	int nothing; /* match nothing (locale=all): empty, total 0 */
	/* filters and sorts beyond the indexes: a scan (api/qlang.c) */
	struct list_plan *plan;
	/*
	 * Optional: the answer's own seq (meta.seq), asked once the entries
	 * are rendered (0, or -1: the list fails); else the snapshot's.
	 */
	int (*seq_fn)(void *, uint64_t *seq);
	void *seq_arg;
};

int render_list(struct store *, const struct render_query *, struct buf *out,
    uint64_t *seq);
struct populate;
int render_reads_other(const struct populate *, const struct list_plan *);
int render_own_seq(struct store *, const struct collection *,
    const char *locale, const char *slug, uint64_t *seq);
/* render_query.seq_fn's argument for render_seq_own. */
struct render_seq {
	struct store *st;
	const struct render_query *q;
	const struct populate *pop; /* the query's populate tree, or NULL */
};
int render_seq_own(void *, uint64_t *seq);
int render_data_array(struct store *, const struct render_query *,
    struct buf *out, uint64_t *seq, size_t *n);
void render_entry(struct buf *, const char *json, size_t len,
    const char *const *fields, size_t nfields);
void render_cursor_encode(struct buf *, int64_t published_at,
    const char *document_id);
int render_cursor_decode(const char *, struct store_pos *);

#endif
