/* qlang_col.c: a process's columns of one text attribute, for the scan */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/qlang.h"
#include "api/qlang_int.h"
#include "model/jscan.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

/*
 * A scan whose filter has a condition on a text attribute that must hold
 * reads every entry of the locale (138 MB at 100,000 articles of 0.9 KB)
 * to test one value of each. A column keeps that attribute's value of
 * every entry of one collection and locale (its documentId, its text as
 * filter_match sees it, or null, or unknown: not a string) in one
 * arena, as of a sequence of the change log; each request brings it to
 * its snapshot from the change log (each entry a change names read
 * again) and tests the values there, reading only the entries whose
 * value may match. The columns of a process share a bound on bytes: one
 * that would pass it evicts the least recently used others, or is not
 * kept.
 */
#define COLS 4

enum col_kind {
	COL_DEAD, /* removed, or written again further on */
	COL_NULL,
	COL_TEXT,
	COL_ANY, /* not a string: the entry decides */
};

struct col_row {
	uint32_t doc;  /* the documentId's offset in the arena */
	uint32_t text; /* COL_TEXT: the value's offset */
	unsigned char kind;
};

struct col {
	char *coll, *locale, *attr; /* coll NULL: a free slot */
	uint64_t seq;               /* the change the column is as of */
	uint64_t used;              /* when last used (the eviction's order) */
	int failed;                 /* over the bound at seq: not kept */
	const char *how;            /* how the last request found it */
	struct col_row *row;
	size_t nrow, caprow, live;
	struct buf arena;
	uint32_t *slot; /* row + 1 by documentId, open addressing; 0: none */
	size_t mask;
	size_t bytes;
};

struct qlang_cols {
	struct col col[COLS];
	size_t max_bytes, bytes;
	uint64_t tick;
	struct buf scratch; /* a value being decoded */
};

/* A process's columns, within max_bytes (0: none, NULL). */
struct qlang_cols *
qlang_cols_new(size_t max_bytes)
{
	struct qlang_cols *cs;

	if (max_bytes == 0)
		return NULL;
	cs = xcalloc(1, sizeof(*cs));
	cs->max_bytes = max_bytes;
	buf_init(&cs->scratch);
	return cs;
}

static void
col_empty(struct qlang_cols *cs, struct col *c)
{
	free(c->row);
	free(c->slot);
	buf_clear(&c->arena);
	cs->bytes -= c->bytes;
	c->row = NULL;
	c->slot = NULL;
	c->nrow = c->caprow = c->live = c->mask = c->bytes = 0;
}

static void
col_free(struct qlang_cols *cs, struct col *c)
{
	col_empty(cs, c);
	free(c->coll);
	free(c->locale);
	free(c->attr);
	memset(c, 0, sizeof(*c));
}

void
qlang_cols_free(struct qlang_cols *cs)
{
	size_t i;

	if (cs == NULL)
		return;
	for (i = 0; i < COLS; i++)
		col_free(cs, &cs->col[i]);
	buf_clear(&cs->scratch);
	free(cs);
}

/* Counts n more bytes for c: 0, or -1 when the bound is passed. */
static int
col_grow(struct qlang_cols *cs, struct col *c, size_t n)
{
	size_t i, lru;

	c->bytes += n;
	cs->bytes += n;
	while (cs->bytes > cs->max_bytes) {
		for (lru = COLS, i = 0; i < COLS; i++)
			if (&cs->col[i] != c && cs->col[i].coll != NULL &&
			    cs->col[i].nrow > 0 &&
			    (lru == COLS ||
			        cs->col[i].used < cs->col[lru].used))
				lru = i;
		if (lru == COLS)
			return -1;
		col_free(cs, &cs->col[lru]);
	}
	return 0;
}

static uint32_t
doc_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of doc: its row's, or the empty one where it goes. */
static uint32_t *
col_find(struct col *c, const char *doc)
{
	size_t i = doc_hash(doc) & c->mask;

	while (c->slot[i] != 0 &&
	    strcmp(c->arena.data + c->row[c->slot[i] - 1].doc, doc) != 0)
		i = (i + 1) & c->mask;
	return &c->slot[i];
}

/* Room for one more row in the rows and the slots: 0, or -1. */
static int
col_room(struct qlang_cols *cs, struct col *c)
{
	size_t i, n;

	if (c->nrow == c->caprow) {
		n = c->caprow > 0 ? c->caprow : 1024;
		if (col_grow(cs, c, n * sizeof(*c->row)) == -1)
			return -1;
		c->caprow += n;
		c->row = xreallocarray(c->row, c->caprow, sizeof(*c->row));
	}
	if (c->slot != NULL && 2 * (c->nrow + 1) <= c->mask + 1)
		return 0;
	n = c->slot != NULL ? 2 * (c->mask + 1) : 2048;
	/* the slots double: what is added is as much as they were */
	if (col_grow(cs, c, (c->slot != NULL ? n / 2 : n) * sizeof(*c->slot)) ==
	    -1)
		return -1;
	free(c->slot);
	c->slot = xcalloc(n, sizeof(*c->slot));
	c->mask = n - 1;
	for (i = 0; i < c->nrow; i++)
		if (c->row[i].kind != COL_DEAD)
			*col_find(c, c->arena.data + c->row[i].doc) =
			    (uint32_t)i + 1;
	return 0;
}

/* Appends s and its NUL to the arena: its offset, or -1 past the bound. */
static int64_t
col_str(struct qlang_cols *cs, struct col *c, const char *s, size_t n)
{
	size_t off = c->arena.len, cap = c->arena.cap;

	if (off + n + 1 > UINT32_MAX)
		return -1;
	buf_add(&c->arena, s, n);
	buf_add(&c->arena, "", 1);
	if (c->arena.cap > cap && col_grow(cs, c, c->arena.cap - cap) == -1)
		return -1;
	return (int64_t)off;
}

/*
 * Sets doc's value from its stored entry (json NULL: none, removed): 0,
 * or -1 past the bound. The value as filter_quick_reject reads it.
 */
static int
col_set(struct qlang_cols *cs, struct col *c, const char *doc, const char *json,
    size_t len)
{
	struct jspan o = { json, len }, v;
	struct col_row r;
	uint32_t *sl;
	const char *s = NULL;
	int64_t off;

	if (col_room(cs, c) == -1)
		return -1;
	sl = col_find(c, doc);
	if (*sl != 0 && c->row[*sl - 1].kind != COL_DEAD) {
		c->row[*sl - 1].kind = COL_DEAD;
		c->live--;
	}
	if (json == NULL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.kind = COL_NULL;
	if (jscan_member(o, c->attr, &v) && !jscan_is(v, 'n')) {
		buf_reset(&cs->scratch);
		buf_reserve(&cs->scratch, v.n + 1);
		s = jscan_str(v, cs->scratch.data, v.n + 1);
		r.kind = s != NULL ? COL_TEXT : COL_ANY;
	}
	if ((off = col_str(cs, c, doc, strlen(doc))) == -1)
		return -1;
	r.doc = (uint32_t)off;
	if (s != NULL) {
		if ((off = col_str(cs, c, s, strlen(s))) == -1)
			return -1;
		r.text = (uint32_t)off;
	}
	c->row[c->nrow] = r;
	*sl = (uint32_t)++c->nrow;
	c->live++;
	return 0;
}

struct col_fill {
	struct qlang_cols *cs;
	struct col *c;
	int over;
};

static int
fill_item(void *arg, const struct store_item *it)
{
	struct col_fill *f = arg;

	if (col_set(f->cs, f->c, it->document_id, it->json, it->json_len) ==
	    -1) {
		f->over = 1;
		return 1;
	}
	return 0;
}

/* The changes after c->seq, each of c's entries read again. */
struct col_sync {
	struct col_fill f;
	struct store *st;
	struct buf one;
	int failed;
};

static int
sync_change(void *arg, const struct store_change *ch)
{
	struct col_sync *w = arg;
	enum store_result r;

	if (strcmp(ch->collection, w->f.c->coll) == 0 &&
	    strcmp(ch->locale, w->f.c->locale) == 0) {
		buf_reset(&w->one);
		r = store_get(w->st, ch->collection, ch->document_id,
		    ch->locale, &w->one, NULL);
		if (r == STORE_ERR) {
			w->failed = 1;
			return 1;
		}
		if (col_set(w->f.cs, w->f.c, ch->document_id,
		        r == STORE_OK ? w->one.data : NULL, w->one.len) == -1) {
			w->f.over = 1;
			return 1;
		}
	}
	return 0;
}

/*
 * Brings c to seq, the snapshot's: from the change log when it names
 * fewer changes than an eighth of c's rows, else read whole. 0, 1 when
 * past the bound, 2 when the collection has more than max_scan entries
 * (the scan refuses it: nothing is read), -1 when the store failed.
 */
static int
col_sync(struct qlang_cols *cs, struct col *c, struct store *st, uint64_t seq,
    size_t max_scan)
{
	struct store_list_query lq;
	struct col_sync w;
	uint64_t total;
	int gap;

	memset(&w, 0, sizeof(w));
	w.f.cs = cs;
	w.f.c = c;
	if (c->nrow > 0 && seq >= c->seq && seq - c->seq <= c->live / 8 &&
	    c->nrow - c->live <= c->live) {
		w.st = st;
		buf_init(&w.one);
		gap = store_changes_between(st, c->seq, seq, sync_change, &w);
		buf_clear(&w.one);
		if (w.failed)
			return -1;
		if (gap == 0) {
			c->seq = seq;
			c->how = "brought up from the change log";
			return 0;
		}
	}
	col_empty(cs, c);
	memset(&lq, 0, sizeof(lq));
	lq.collection = c->coll;
	lq.locale = c->locale;
	if (store_list(st, &lq, NULL, NULL, &total, NULL) == -1)
		return -1;
	if (total > max_scan)
		return 2;
	w.f.over = 0;
	if (store_scan(st, c->coll, c->locale, fill_item, &w.f, NULL) == -1) {
		col_empty(cs, c);
		return -1;
	}
	c->seq = seq;
	c->how = "read whole";
	c->failed = w.f.over;
	if (w.f.over)
		col_empty(cs, c);
	return w.f.over;
}

/* The column of (coll, locale, attr), made in the least used slot. */
static struct col *
col_of(struct qlang_cols *cs, const char *coll, const char *locale,
    const char *attr)
{
	struct col *c, *lru = &cs->col[0];
	size_t i;

	for (i = 0; i < COLS; i++) {
		c = &cs->col[i];
		if (c->coll != NULL && strcmp(c->coll, coll) == 0 &&
		    strcmp(c->locale, locale) == 0 &&
		    strcmp(c->attr, attr) == 0)
			return c;
		if (c->coll == NULL ||
		    (lru->coll != NULL && c->used < lru->used))
			lru = c;
	}
	col_free(cs, lru);
	lru->coll = xstrdup(coll);
	lru->locale = xstrdup(locale);
	lru->attr = xstrdup(attr);
	return lru;
}

/* The first condition on a text attribute that must hold, or NULL. */
static const char *
must_attr(const struct filter_node *f)
{
	const char *a;
	size_t i;

	if (f == NULL)
		return NULL;
	if (f->kind == FILTER_CMP && f->cls == FILTER_STRING)
		return f->attr;
	for (i = 0; f->kind == FILTER_AND && i < f->nkid; i++)
		if ((a = must_attr(f->kid[i])) != NULL)
			return a;
	return NULL;
}

/*
 * A scan of coll's entries in locale through a column: *nrow gets the
 * number of entries, and unless it is over max_scan, cb the documentId
 * of each whose value may match f. 1 when the column answered, 0 when
 * the scan is to read the entries (no column fits, or too many may
 * match for reading them one by one to pay), -1 when the store failed.
 * st holds a snapshot (store_read_begin): *seq gets its sequence.
 */
int
qlang_cols_scan(struct qlang_cols *cs, struct store *st, const char *coll,
    const char *locale, const struct filter_node *f, size_t max_scan,
    qlang_col_cb cb, void *arg, size_t *nrow, uint64_t *seq)
{
	const char *attr = must_attr(f);
	struct col *c;
	uint32_t *cand = NULL;
	size_t i, n = 0, lim;
	int rc = 0;

	if (cs == NULL || attr == NULL || store_read_seq(st, seq) == -1)
		return 0;
	c = col_of(cs, coll, locale, attr);
	c->used = ++cs->tick;
	/* one past the bound is tried again after 1024 changes */
	if (c->failed && *seq >= c->seq && *seq - c->seq < 1024)
		return 0;
	c->how = "as it was";
	if ((c->failed || c->nrow == 0 || c->seq != *seq) &&
	    (rc = col_sync(cs, c, st, *seq, max_scan)) != 0) {
		log_debug("scan: %s of %s: no column (%s)", attr, coll,
		    rc == 1       ? "over query_scan_cache"
		        : rc == 2 ? "more entries than query_max_scan"
		                  : "the store failed");
		return rc > 0 ? 0 : -1;
	}
	*nrow = c->live;
	if (c->live > max_scan)
		return 1;
	lim = c->live / 8 > 1024 ? c->live / 8 : 1024;
	cand = xreallocarray(NULL, lim, sizeof(*cand));
	for (i = 0; i < c->nrow; i++) {
		const struct col_row *r = &c->row[i];

		if (r->kind == COL_DEAD ||
		    (r->kind != COL_ANY &&
		        filter_text_reject(f, attr,
		            r->kind == COL_TEXT ? c->arena.data + r->text
		                                : NULL)))
			continue;
		if (n == lim) {
			log_debug("scan: %s of %s: the column (%s) has more "
			          "than %zu of %zu to read: the entries",
			    attr, coll, c->how, lim, c->live);
			free(cand);
			return 0;
		}
		cand[n++] = (uint32_t)i;
	}
	log_debug("scan: %s of %s: the column (%s, %zu bytes), %zu of %zu "
	          "entries read",
	    attr, coll, c->how, c->bytes, n, c->live);
	for (i = 0, rc = 1; i < n && rc == 1; i++)
		if (cb(arg, c->arena.data + c->row[cand[i]].doc) == -1)
			rc = -1;
	free(cand);
	return rc;
}
