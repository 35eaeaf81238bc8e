/* qlang_scan.c: Strapi's filters and sort on lists: the plan's scan */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/qlang.h"
#include "api/qlang_int.h"
#include "api/render.h"
#include "api/resolve.h"
#include "model/entry.h"
#include "model/jscan.h"
#include "util/buf.h"
#include "util/fnv.h"
#include "util/xmalloc.h"

struct scan {
	const struct render_query *q;
	struct list_plan *p;
	struct filter_row *rows;
	size_t nrows, cap;
	size_t seen;
	const char *locale; /* of the walk under way (the store's key) */
	int deferred;       /* relations: evaluate after the walk */
	int failed;
	struct buf one; /* an entry a column may match */
};

/*
 * filter_fetch_fn over the store: a related type's entry. Many entries
 * share a related one (an author, a category): each is read once per
 * list (a small cache), and the reads count against max_scan.
 */
#define FETCH_SLOTS 1024

struct fetch_slot {
	char *key; /* uid, documentId and locale, NUL-separated */
	size_t klen;
	int found;
	struct buf json;
};

struct fetch_cache {
	struct list_plan *p;
	struct fetch_slot slot[FETCH_SLOTS];
	size_t reads;
};

static int
fetch(void *arg, const char *uid, const char *doc, const char *locale,
    struct buf *out)
{
	struct fetch_cache *fc = arg;
	struct fetch_slot *sl = NULL;
	const struct collection *c;
	enum store_result r;
	struct buf key;
	uint64_t seq, h;
	size_t probe;

	if ((c = conf_collection_by_uid(fc->p->conf, uid, NULL)) == NULL ||
	    !entry_valid_key_string(doc, strlen(doc), ENTRY_MAX_ID))
		return 0;
	if (!resolve_localized(c))
		locale = "";
	buf_init(&key);
	buf_add(&key, uid, strlen(uid) + 1);
	buf_add(&key, doc, strlen(doc) + 1);
	buf_add(&key, locale, strlen(locale));
	h = fnv1a(FNV1A_INIT, key.data, key.len);
	for (probe = 0; probe < 8; probe++) {
		sl = &fc->slot[(h + probe) % FETCH_SLOTS];
		if (sl->key == NULL ||
		    (sl->klen == key.len &&
		        memcmp(sl->key, key.data, key.len) == 0))
			break;
		sl = NULL;
	}
	if (sl != NULL && sl->key != NULL) {
		buf_clear(&key);
		if (sl->found)
			buf_add(out, sl->json.data, sl->json.len);
		return sl->found;
	}
	if (fc->p->seen != NULL)
		fc->p->seen(fc->p->seen_arg, c->name, doc, locale);
	if (++fc->reads > fc->p->max_scan) {
		fc->p->over = 1;
		buf_clear(&key);
		return -1;
	}
	r = store_get(fc->p->store, c->name, doc, locale, out, &seq);
	if (r != STORE_ERR && sl != NULL) {
		sl->klen = key.len;
		sl->key = buf_take(&key);
		sl->found = r == STORE_OK;
		buf_init(&sl->json);
		if (sl->found)
			buf_add(&sl->json, out->data, out->len);
	}
	buf_clear(&key);
	return r == STORE_OK ? 1 : r == STORE_ERR ? -1 : 0;
}

static void
fetch_cache_clear(struct fetch_cache *fc)
{
	size_t i;

	for (i = 0; i < FETCH_SLOTS; i++)
		if (fc->slot[i].key != NULL) {
			free(fc->slot[i].key);
			buf_clear(&fc->slot[i].json);
		}
	free(fc);
}

static struct filter_row *
row_add(struct scan *s)
{
	if (s->nrows == s->cap) {
		s->cap = s->cap > 0 ? 2 * s->cap : 64;
		s->rows = xreallocarray(s->rows, s->cap, sizeof(*s->rows));
	}
	memset(&s->rows[s->nrows], 0, sizeof(s->rows[0]));
	return &s->rows[s->nrows++];
}

/*
 * The documentId of a stored entry into d (cap bytes), read from its
 * bytes (a slug's entry comes without it): d, or NULL.
 */
static const char *
doc_of(const char *json, size_t len, char *d, size_t cap)
{
	struct jspan o = { json, len }, v;

	if (!jscan_member(o, "documentId", &v))
		return NULL;
	return jscan_str(v, d, cap);
}

/* Keeps one entry when it matches (or for later). */
static void
scan_keep(struct scan *s, const char *json, size_t len, const char *doc,
    const char *locale)
{
	struct filter_row row, *r;
	char d[ENTRY_MAX_ID + 1];
	int m;

	/* what a text condition that must hold rules out is not parsed */
	if (filter_quick_reject(s->p->filter, json, len))
		return;
	if (s->deferred) {
		r = row_add(s);
		r->json = xstrndup(json, len);
		r->json_len = len;
		r->locale = xstrdup(s->locale);
		return;
	}
	/* the default order needs only the id: no parse when it leads */
	if (s->p->filter == NULL && s->p->sort.nkey == 0 && doc == NULL)
		doc = doc_of(json, len, d, sizeof(d));
	if (s->p->filter == NULL && s->p->sort.nkey == 0 && doc != NULL &&
	    filter_row_quick(json, len, doc, locale, &row))
		m = 1;
	else
		m = filter_match(s->p->filter, &s->p->sort, json, len, NULL,
		    NULL, &row);
	if (m == 1) {
		/* the page's entries are read again at the end: no copy */
		r = row_add(s);
		*r = row;
		free(r->locale);
		r->locale = xstrdup(s->locale);
	}
}

/* One entry of the walk, within max_scan: 1 past it. */
static int
scan_one(struct scan *s, const char *json, size_t len, const char *doc,
    const char *locale)
{
	if (++s->seen > s->p->max_scan) {
		s->p->over = 1;
		return 1;
	}
	scan_keep(s, json, len, doc, locale);
	return 0;
}

/* An entry a column may match (qlang_cols_scan): read, then checked. */
static int
scan_col_item(void *arg, const char *doc)
{
	struct scan *s = arg;
	enum store_result r;

	buf_reset(&s->one);
	r = store_get(s->p->store, s->q->coll->name, doc, s->locale, &s->one,
	    NULL);
	if (r == STORE_OK)
		scan_keep(s, s->one.data, s->one.len, doc, s->locale);
	return r == STORE_ERR ? -1 : 0;
}

/*
 * Every entry of the locale through the process's column of a text
 * attribute the filter tests, when one answers: 1, 0 when the entries
 * are to be read, -1 when the store failed.
 */
static int
scan_col(struct scan *s, const char *locale, uint64_t *seq)
{
	size_t n = 0;
	int r;

	if (s->p->cols == NULL)
		return 0;
	buf_init(&s->one);
	r = qlang_cols_scan(s->p->cols, s->p->store, s->q->coll->name, locale,
	    s->p->filter, s->p->max_scan - s->seen, scan_col_item, s, &n, seq);
	buf_clear(&s->one);
	if (r == 1 && (s->seen += n) > s->p->max_scan)
		s->p->over = 1;
	return r;
}

static int
scan_item(void *arg, const struct store_item *it)
{
	return scan_one(arg, it->json, it->json_len, it->document_id,
	    it->locale);
}

/* An entry of an attribute index's spans (qlang_index.c). */
static int
scan_attr_item(void *arg, const void *key UNUSED, size_t keylen UNUSED,
    const struct store_item *it)
{
	return scan_one(arg, it->json, it->json_len, it->document_id,
	    it->locale);
}

/* qsort has no argument: the sort of the scan under way (one thread). */
static const struct filter_sort *cmp_sort;

static int
row_cmp(const void *a, const void *b)
{
	return filter_row_cmp(cmp_sort, a, b);
}

/* 1 when the entry's category field is q->category (slug and category). */
static int
in_category(const struct render_query *q, const char *json, size_t len)
{
	struct filter_node f;
	struct filter_val v;
	struct filter_sort none;
	struct filter_row row;

	memset(&f, 0, sizeof(f));
	memset(&none, 0, sizeof(none));
	f.kind = FILTER_CMP;
	f.attr = q->coll->category_field;
	f.op = FILTER_EQ;
	f.cls = FILTER_STRING;
	filter_cast(FILTER_STRING, q->category, &v);
	f.val = &v;
	f.nval = 1;
	if (filter_match(&f, &none, json, len, NULL, NULL, &row) != 1)
		return 0;
	filter_row_clear(&row);
	return 1;
}

/* The deferred rows (relation filters) evaluated now, kept or dropped. */
static int
scan_deferred(struct scan *s)
{
	struct fetch_cache *fc = xcalloc(1, sizeof(*fc));
	struct filter_row row;
	size_t i, n = 0;
	int m;

	fc->p = s->p;
	for (i = 0; i < s->nrows; i++) {
		m = s->failed
		    ? 0
		    : filter_match(s->p->filter, &s->p->sort, s->rows[i].json,
		          s->rows[i].json_len, fetch, fc, &row);
		if (m == -1)
			s->failed = 1;
		if (m == 1) {
			row.json = s->rows[i].json;
			row.json_len = s->rows[i].json_len;
			free(row.locale);
			row.locale = s->rows[i].locale;
			s->rows[i].json = NULL;
			s->rows[i].locale = NULL;
			filter_row_clear(&s->rows[i]);
			s->rows[n++] = row;
		} else
			filter_row_clear(&s->rows[i]);
	}
	s->nrows = n;
	fetch_cache_clear(fc);
	return s->failed ? -1 : 0;
}

/* A walk of the default order's index: the page, and the last entry. */
struct id_walk {
	store_item_cb cb;
	void *arg;
	size_t want, n;
	int more;        /* an entry follows the page */
	struct buf last; /* the page's last entry (for the cursor) */
	char *last_doc;
};

static int
id_item(void *arg, const struct store_item *it)
{
	struct id_walk *w = arg;

	if (w->n == w->want) {
		w->more = 1;
		return 1;
	}
	w->n++;
	buf_reset(&w->last);
	buf_add(&w->last, it->json, it->json_len);
	free(w->last_doc);
	w->last_doc = xstrdup(it->document_id);
	return w->cb(w->arg, it);
}

/*
 * 1 when the store's index of the default order answers q's plan: no
 * filter, the default sort or id alone, one locale, no category or slug
 * (those read their own indexes, then scan). *desc: sort=id:desc.
 */
int
qlang_id_order(struct store *st, const struct render_query *q, int *desc)
{
	const struct filter_sort *so = &q->plan->sort;

	if (q->plan->filter != NULL || q->slug != NULL || q->category != NULL ||
	    q->nlocales > 0 || q->nothing || !store_has_id_order(st))
		return 0;
	if (so->nkey == 0) {
		*desc = 0;
		return 1;
	}
	if (so->nkey == 1 && strcmp(so->key[0].attr, "id") == 0) {
		*desc = so->key[0].desc;
		return 1;
	}
	return 0;
}

/*
 * A cursor after the entry json (documentId doc, in locale) into
 * next_cursor, as the scan makes it from its sorted rows.
 */
void
qlang_cursor_after(const struct filter_sort *so, const char *json, size_t len,
    const char *locale, const char *doc, struct buf *next_cursor)
{
	struct filter_row row;

	/* the default order needs only the id: no parse */
	if ((so->nkey > 0 || !filter_row_quick(json, len, doc, locale, &row)) &&
	    filter_match(NULL, so, json, len, NULL, NULL, &row) != 1)
		return;
	free(row.locale);
	row.locale = xstrdup(locale);
	free(row.document_id);
	row.document_id = xstrdup(doc);
	filter_cursor_encode(so, &row, next_cursor);
	filter_row_clear(&row);
}

/*
 * qlang_run's answer from the index: the page after skip entries (or
 * after the cursor), read in id order, counted in O(log n), never more
 * than the page read; next_cursor as the scan makes it.
 */
static int
run_id_order(struct store *st, const struct render_query *q, store_item_cb cb,
    void *arg, uint64_t *total, uint64_t *seq, uint64_t skip, size_t want,
    struct buf *next_cursor, int desc)
{
	struct list_plan *p = q->plan;
	struct store_list_query lq;
	struct store_pos pos;
	struct id_walk w;
	int rc = -1;

	memset(&lq, 0, sizeof(lq));
	lq.collection = q->coll->name;
	lq.locale = q->locale;
	lq.by_id = 1;
	lq.descending = desc;
	lq.limit = want + 1;
	if (p->has_after) {
		memset(&pos, 0, sizeof(pos));
		pos.published_at = p->after.key[0].null
		    ? INT64_MIN
		    : (int64_t)p->after.key[0].num;
		snprintf(pos.document_id, sizeof(pos.document_id), "%s",
		    p->after.document_id != NULL ? p->after.document_id : "");
		lq.after = &pos;
	} else
		lq.offset = skip;
	memset(&w, 0, sizeof(w));
	w.cb = cb;
	w.arg = arg;
	w.want = want;
	buf_init(&w.last);
	if (store_list(st, &lq, id_item, &w, total, seq) == -1)
		goto out;
	if (w.more && w.n > 0)
		qlang_cursor_after(&p->sort, w.last.data, w.last.len, q->locale,
		    w.last_doc, next_cursor);
	rc = 0;
out:
	buf_clear(&w.last);
	free(w.last_doc);
	return rc;
}

/*
 * Runs the plan of q: walks the collection (q's locale or locales, its
 * category or slug), keeps the matches, sorts them, and gives cb the
 * page: skip entries skipped (none after a cursor), want at most. *total
 * is the number of matches, *seq the newest snapshot read; next_cursor
 * gets a cursor after the page when more follow. Returns 0, or -1 (the
 * store failed, or more than max_scan entries: plan->over).
 */
int
qlang_run(struct store *st, const struct render_query *q, store_item_cb cb,
    void *arg, uint64_t *total, uint64_t *seq, uint64_t skip, size_t want,
    struct buf *next_cursor)
{
	struct store_list_query lq;
	struct scan s;
	struct store_item it;
	struct buf one;
	const char *const *locales = &q->locale;
	size_t nlocales = 1, i, start = 0, n = 0, last = 0;
	uint64_t t, sq;
	enum store_result r;
	int rc = -1, desc, col;
	struct qlang_access acc;

	if (qlang_id_order(st, q, &desc))
		return run_id_order(st, q, cb, arg, total, seq, skip, want,
		    next_cursor, desc);
	if (qlang_access_choose(st, q, &acc) == -1)
		return -1;
	if (acc.index >= 0 && acc.order != QLANG_ORDER_NONE) {
		q->plan->over = 0;
		rc = qlang_access_page(st, q, &acc, cb, arg, total, seq, skip,
		    want, next_cursor);
		qlang_access_clear(&acc);
		return rc;
	}
	memset(&s, 0, sizeof(s));
	s.q = q;
	s.p = q->plan;
	s.p->store = st;
	s.p->over = 0;
	s.deferred = s.p->given == NULL && filter_has_rel(s.p->filter);
	if (q->nlocales > 0) {
		locales = q->locales;
		nlocales = q->nlocales;
	}
	*seq = 0;
	for (i = 0; s.p->given != NULL && i < s.p->ngiven; i++)
		filter_row_copy(row_add(&s), &s.p->given[i]);
	if (s.p->given != NULL && store_last_seq(st, seq) == -1)
		goto out;
	for (i = 0; i < nlocales && !q->nothing && s.p->given == NULL; i++) {
		s.locale = locales[i];
		if (acc.index >= 0 && acc.keys &&
		    (col = scan_col(&s, locales[i], &sq)) != 0) {
			/* a text condition's keys: a column when one answers */
			if (col == -1)
				goto out;
		} else if (acc.index >= 0) {
			/* an index's spans: each a read, within the bound */
			if (acc.count > s.p->max_scan) {
				s.p->over = 1;
				goto out;
			}
			if ((acc.keys ? qlang_access_keys(st, q, &acc,
			                    scan_attr_item, &s, &sq)
			              : qlang_access_walk(st, q, &acc,
			                    scan_attr_item, &s, &sq)) == -1)
				goto out;
		} else if (q->slug != NULL) {
			/* a slug names at most one entry per locale */
			buf_init(&one);
			r = store_get_by_slug(st, q->coll->name, locales[i],
			    q->slug, &one, &sq);
			if (r == STORE_OK &&
			    (q->category == NULL ||
			        in_category(q, one.data, one.len)))
				scan_one(&s, one.data, one.len, NULL, NULL);
			buf_clear(&one);
			if (r == STORE_ERR)
				goto out;
		} else if (q->category == NULL) {
			/* every entry of the locale: a column, or in bulk */
			if ((col = scan_col(&s, locales[i], &sq)) == -1 ||
			    (col == 0 &&
			        store_scan(st, q->coll->name, locales[i],
			            scan_item, &s, &sq) == -1))
				goto out;
		} else {
			memset(&lq, 0, sizeof(lq));
			lq.collection = q->coll->name;
			lq.locale = locales[i];
			lq.category = q->category;
			lq.ascending = 1;
			lq.limit = s.p->max_scan + 1;
			if (store_list(st, &lq, scan_item, &s, &t, &sq) == -1)
				goto out;
		}
		if (sq > *seq)
			*seq = sq;
		if (s.p->over)
			goto out;
	}
	if (q->nothing && store_last_seq(st, seq) == -1)
		goto out;
	if (s.deferred && scan_deferred(&s) == -1)
		goto out;
	for (i = 0; s.p->seen != NULL && i < s.nrows; i++)
		s.p->seen(s.p->seen_arg, q->coll->name, s.rows[i].document_id,
		    s.rows[i].locale);
	cmp_sort = &s.p->sort;
	if (s.nrows > 1 && s.p->given == NULL)
		qsort(s.rows, s.nrows, sizeof(*s.rows), row_cmp);
	if (s.p->matched != NULL && s.p->given == NULL)
		s.p->matched(s.p->seen_arg, s.rows, s.nrows);
	*total = s.nrows;
	if (s.p->has_after) {
		while (start < s.nrows &&
		    filter_row_cmp(&s.p->sort, &s.rows[start], &s.p->after) <=
		        0)
			start++;
	} else
		start = skip < s.nrows ? (size_t)skip : s.nrows;
	buf_init(&one);
	for (i = start; i < s.nrows && n < want; i++) {
		struct filter_row *row = &s.rows[i];

		if (row->json == NULL) {
			/* read again: an entry removed since is left out */
			buf_reset(&one);
			r = store_get(st, q->coll->name, row->document_id,
			    row->locale, &one, &sq);
			if (r == STORE_ERR) {
				buf_clear(&one);
				goto out;
			}
			if (r != STORE_OK)
				continue;
		}
		memset(&it, 0, sizeof(it));
		it.document_id = row->document_id;
		it.locale = row->locale;
		it.json = row->json != NULL ? row->json : one.data;
		it.json_len = row->json != NULL ? row->json_len : one.len;
		n++;
		last = i;
		if (cb(arg, &it) != 0)
			break;
	}
	buf_clear(&one);
	if (n > 0 && last + 1 < s.nrows)
		filter_cursor_encode(&s.p->sort, &s.rows[last], next_cursor);
	rc = 0;
out:
	for (i = 0; i < s.nrows; i++)
		filter_row_clear(&s.rows[i]);
	free(s.rows);
	qlang_access_clear(&acc);
	return rc;
}
