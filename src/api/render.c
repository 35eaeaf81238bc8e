/* render.c: Strapi REST envelopes around stored entries; cursor tokens */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api/populate.h"
#include "api/qlang.h"
#include "api/render.h"
#include "model/entry.h"
#include "util/xmalloc.h"

/*
 * Appends one entry. Without a field list the stored JSON is spliced in
 * as is (no parse); with one, only id, documentId and the named fields
 * are kept, as Strapi's fields[] does.
 */
void
render_entry(struct buf *out, const char *json, size_t len,
    const char *const *fields, size_t nfields)
{
	struct json_object *o, *v;
	struct json_tokener *tok;
	struct json_object_iterator it, end;
	size_t i;
	int first = 1;

	if (fields == NULL || nfields == 0) {
		buf_add(out, json, len);
		return;
	}
	/* json is not NUL-terminated (it points into the stored value). */
	if ((tok = json_tokener_new()) == NULL) {
		buf_add(out, json, len);
		return;
	}
	o = len <= INT_MAX ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	json_tokener_free(tok);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		buf_add(out, json, len);
		return;
	}
	buf_addc(out, '{');
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *key = json_object_iter_peek_name(&it);
		int keep =
		    strcmp(key, "id") == 0 || strcmp(key, "documentId") == 0;

		for (i = 0; !keep && i < nfields; i++)
			keep = strcmp(key, fields[i]) == 0;
		if (!keep)
			continue;
		if (!first)
			buf_addc(out, ',');
		first = 0;
		buf_add_json_string(out, key, strlen(key));
		buf_addc(out, ':');
		v = json_object_iter_peek_value(&it);
		buf_adds(out,
		    v == NULL ? "null"
		              : json_object_to_json_string_ext(v,
		                    JSON_C_TO_STRING_PLAIN |
		                        JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	buf_addc(out, '}');
	json_object_put(o);
}

/* Appends an opaque cursor for the position (publishedAt, documentId). */
void
render_cursor_encode(struct buf *out, int64_t published_at,
    const char *document_id)
{
	char raw[256];
	int n;

	n = snprintf(raw, sizeof(raw), "%" PRId64 ".%s", published_at,
	    document_id);
	if (n < 0 || (size_t)n >= sizeof(raw))
		return;
	buf_add_base64url(out, raw, (size_t)n);
}

/* Decodes a cursor. Returns 0, or -1 when it is not one of ours. */
int
render_cursor_decode(const char *s, struct store_pos *pos)
{
	struct buf raw;
	char *dot, *end;
	size_t n = strlen(s);
	long long t;
	int r = -1;

	if (n == 0 || n > 300)
		return -1;
	buf_init(&raw);
	if (buf_add_unbase64url(&raw, s, n) == -1 ||
	    memchr(raw.data, '\0', raw.len) != NULL)
		goto out;
	if ((dot = strchr(buf_cstr(&raw), '.')) == NULL)
		goto out;
	*dot = '\0';
	t = strtoll(raw.data, &end, 10);
	if (*end != '\0' || end == raw.data)
		goto out;
	if (!entry_valid_key_string(dot + 1, strlen(dot + 1), ENTRY_MAX_ID))
		goto out;
	pos->published_at = t;
	snprintf(pos->document_id, sizeof(pos->document_id), "%s", dot + 1);
	r = 0;
out:
	buf_clear(&raw);
	return r;
}

struct collect {
	struct buf *out;
	const struct render_query *q;
	size_t n, want;
	struct store_pos last;
	int more;
	int failed;      /* entry_fn failed */
	struct buf next; /* a plan's nextCursor */
};

static int
collect_item(void *arg, const struct store_item *it)
{
	struct collect *c = arg;
	size_t n;

	if (c->n == c->want) {
		c->more = 1;
		return 1;
	}
	if (c->n > 0)
		buf_addc(c->out, ',');
	if (c->q->entry_fn != NULL) {
		if (c->q->entry_fn(c->q->entry_arg, c->out, it->json,
		        it->json_len) == -1) {
			c->failed = 1;
			return 1;
		}
	} else
		render_entry(c->out, it->json, it->json_len, c->q->fields,
		    c->q->nfields);
	c->last.published_at = it->published_at;
	n = strlen(it->document_id);
	if (n >= sizeof(c->last.document_id))
		n = sizeof(c->last.document_id) - 1;
	memcpy(c->last.document_id, it->document_id, n);
	c->last.document_id[n] = '\0';
	c->n++;
	return 0;
}

/* 1 when the entry's category field equals q->category. */
static int
entry_has_category(const struct render_query *q, const char *json, size_t len)
{
	struct json_object *o, *v;
	int yes = 0;

	o = json_tokener_parse(json);
	if (o != NULL && len > 0 &&
	    json_object_object_get_ex(o, q->coll->category_field, &v) &&
	    json_object_is_type(v, json_type_string))
		yes = strcmp(json_object_get_string(v), q->category) == 0;
	json_object_put(o);
	return yes;
}

/*
 * locale=*: each locale's list in turn, as one list (paged across them).
 * Each locale is read in its own snapshot; *seq is the newest of them.
 */
static int
run_locales(struct store *st, const struct render_query *q, struct collect *c,
    uint64_t *total, uint64_t *seq)
{
	struct store_list_query lq;
	uint64_t skip, t, s;
	size_t i;

	skip = q->paging == RENDER_PAGING_PAGE ? (q->page - 1) * q->page_size
	                                       : q->start;
	*total = 0;
	*seq = 0;
	for (i = 0; i < q->nlocales; i++) {
		memset(&lq, 0, sizeof(lq));
		lq.collection = q->coll->name;
		lq.locale = q->locales[i];
		lq.category = q->category;
		lq.ascending = q->ascending;
		lq.offset = skip;
		/* once the page is full, only count (and see if more exist) */
		lq.limit =
		    c->n < c->want + 1 && !c->more ? c->want + 1 - c->n : 0;
		if (store_list(st, &lq, collect_item, c, &t, &s) == -1)
			return -1;
		if (c->failed)
			return -1;
		*total += t;
		skip = skip > t ? skip - t : 0;
		if (s > *seq)
			*seq = s;
	}
	return 0;
}

static int
run_query(struct store *st, const struct render_query *q, struct collect *c,
    uint64_t *total, uint64_t *seq)
{
	struct store_list_query lq;
	struct buf one;
	enum store_result r;
	uint64_t skip;

	if (q->slug != NULL && q->plan == NULL) {
		/* A slug names at most one entry (the newest holder). */
		buf_init(&one);
		r = store_get_by_slug(st, q->coll->name, q->locale, q->slug,
		    &one, seq);
		*total = 0;
		if (r == STORE_ERR) {
			buf_clear(&one);
			return -1;
		}
		if (r == STORE_OK && q->category != NULL &&
		    !entry_has_category(q, one.data, one.len))
			r = STORE_NOTFOUND; /* slug and category filters */
		if (r == STORE_OK) {
			*total = 1;
			skip = q->paging == RENDER_PAGING_PAGE
			    ? (q->page - 1) * q->page_size
			    : q->start;
			if (skip == 0 && c->want > 0 && q->after == NULL) {
				struct store_item it;

				memset(&it, 0, sizeof(it));
				it.document_id = "";
				it.json = one.data;
				it.json_len = one.len;
				collect_item(c, &it);
			}
		}
		buf_clear(&one);
		return c->failed ? -1 : 0;
	}
	if (q->plan != NULL) {
		skip = q->paging == RENDER_PAGING_PAGE
		    ? (q->page - 1) * q->page_size
		    : q->start;
		if (qlang_run(st, q, collect_item, c, total, seq, skip, c->want,
		        &c->next) == -1)
			return -1;
		return c->failed ? -1 : 0;
	}
	if (q->nothing) {
		*total = 0;
		return store_last_seq(st, seq);
	}
	if (q->nlocales > 0)
		return run_locales(st, q, c, total, seq);
	memset(&lq, 0, sizeof(lq));
	lq.collection = q->coll->name;
	lq.locale = q->locale;
	lq.category = q->category;
	lq.ascending = q->ascending;
	lq.after = q->after;
	lq.offset = q->after != NULL          ? 0
	    : q->paging == RENDER_PAGING_PAGE ? (q->page - 1) * q->page_size
	                                      : q->start;
	lq.limit = c->want + 1; /* one more tells whether a next page exists */
	if (store_list(st, &lq, collect_item, c, total, seq) == -1)
		return -1;
	return c->failed ? -1 : 0;
}

/*
 * Appends the JSON array of the query's entries ("[...]") to out, the
 * store's sequence of that snapshot to *seq, and the number of entries
 * rendered to *n (the sidecar counts its work with it). Returns 0, or -1
 * when the store failed (logged).
 */
int
render_data_array(struct store *st, const struct render_query *q,
    struct buf *out, uint64_t *seq, size_t *n)
{
	struct collect c;
	uint64_t total;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.q = q;
	c.want = q->paging == RENDER_PAGING_PAGE ? q->page_size : q->limit;
	buf_init(&c.next);
	buf_addc(out, '[');
	if (run_query(st, q, &c, &total, seq) == -1) {
		buf_clear(&c.next);
		return -1;
	}
	buf_clear(&c.next);
	buf_addc(out, ']');
	*n = c.n;
	return 0;
}

/*
 * Appends Strapi's list envelope to out:
 * {"data":[…],"meta":{"pagination":{"page","pageSize","pageCount","total",
 * "nextCursor"},"seq":N}} (or {start,limit,total} with offset paging, and
 * {pageSize,total} when continuing from a cursor). nextCursor is null on
 * the last page.
 * Returns 0, or -1 when the store failed (logged).
 */
int
render_list(struct store *st, const struct render_query *q, struct buf *out,
    uint64_t *seq)
{
	struct collect c;
	uint64_t total = 0, s = 0;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.q = q;
	c.want = q->paging == RENDER_PAGING_PAGE ? q->page_size : q->limit;
	buf_init(&c.next);
	buf_adds(out, "{\"data\":[");
	if (run_query(st, q, &c, &total, &s) == -1 ||
	    (q->seq_fn != NULL && q->seq_fn(q->seq_arg, &s) == -1)) {
		buf_clear(&c.next);
		return -1;
	}
	buf_adds(out, "],\"meta\":{\"pagination\":{");
	if (q->after != NULL) /* cursor paging: page numbers mean nothing */
		buf_printf(out, "\"pageSize\":%" PRIu64 ",\"total\":%" PRIu64,
		    (uint64_t)c.want, total);
	else if (q->no_count && q->paging == RENDER_PAGING_PAGE)
		buf_printf(out, "\"page\":%" PRIu64 ",\"pageSize\":%" PRIu64,
		    q->page, q->page_size);
	else if (q->no_count)
		buf_printf(out, "\"start\":%" PRIu64 ",\"limit\":%" PRIu64,
		    q->start, q->limit);
	else if (q->paging == RENDER_PAGING_PAGE)
		buf_printf(out,
		    "\"page\":%" PRIu64 ",\"pageSize\":%" PRIu64
		    ",\"pageCount\":%" PRIu64 ",\"total\":%" PRIu64,
		    q->page, q->page_size,
		    q->page_size > 0 ? (total + q->page_size - 1) / q->page_size
		                     : 0,
		    total);
	else
		buf_printf(out,
		    "\"start\":%" PRIu64 ",\"limit\":%" PRIu64
		    ",\"total\":%" PRIu64,
		    q->start, q->limit, total);
	if (c.next.len > 0) {
		buf_adds(out, ",\"nextCursor\":\"");
		buf_add(out, c.next.data, c.next.len);
		buf_addc(out, '"');
	} else if (c.more && q->plan == NULL) {
		buf_adds(out, ",\"nextCursor\":\"");
		render_cursor_encode(out, c.last.published_at,
		    c.last.document_id);
		buf_addc(out, '"');
	} else
		buf_adds(out, ",\"nextCursor\":null"); /* the end */
	buf_printf(out, "},\"seq\":%" PRIu64 "}}", s);
	buf_clear(&c.next);
	*seq = s;
	return 0;
}

/*
 * 1 when an answer with this populate tree (NULL: none) and plan (NULL:
 * none) reads more than its collection's entries: a populated attribute
 * or a relation filter. Decided by the query, not by what a render
 * happened to read, so that a URL's seq is always of the same kind and
 * never goes back (render_own_seq).
 */
int
render_reads_other(const struct populate *root, const struct list_plan *plan)
{
	return (root != NULL && (root->child != NULL || root->star)) ||
	    (plan != NULL && filter_has_rel(plan->filter));
}

/*
 * The seq of a list of collection c that reads only its own entries: the
 * last change to the holders of slug in locale (the store's locale) when
 * it filters one (NULL: none), else the collection's last change (store
 * /cseq.c). Its bytes change only with that seq. 0, or -1 (logged).
 */
int
render_own_seq(struct store *st, const struct collection *c, const char *locale,
    const char *slug, uint64_t *seq)
{
	if (slug != NULL)
		return store_slug_seq(st, c->name, locale, slug, seq);
	return store_coll_seq(st, c->name, seq);
}

/*
 * render_query.seq_fn (arg: a struct render_seq): the seq REST answers
 * for a list query (api/query_collection.c): render_own_seq unless it
 * reads other collections (the snapshot's, left in *seq). 0, or -1.
 */
int
render_seq_own(void *arg, uint64_t *seq)
{
	const struct render_seq *rs = arg;
	const struct render_query *q = rs->q;

	if (render_reads_other(rs->pop, q->plan))
		return 0;
	return render_own_seq(rs->st, q->coll, q->locale,
	    q->nlocales > 0 ? NULL : q->slug, seq);
}
