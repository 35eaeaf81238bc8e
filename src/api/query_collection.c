/* query_collection.c: a collection's list, one entry and one by slug */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/error.h"
#include "api/populate.h"
#include "api/query_int.h"
#include "api/render.h"
#include "api/resolve.h"
#include "model/entry.h"

/* The store's locale for the request: "" when the type has none. */
const char *
query_locale_of(const struct req_state *s)
{
	const struct collection *c = s->m.coll;

	if (c->nlocales == 1 && c->locales[0][0] == '\0')
		return ""; /* not localized: Strapi ignores locale= */
	return s->sp.locale != NULL ? s->sp.locale : c->locales[0];
}

/* --- with a schema: stored forms through api/populate.c ----------------- */

/*
 * One stored entry as the request asks for it (render_query.entry_fn):
 * spliced as stored when there is nothing to take out or resolve.
 */
static int
render_one(void *arg, struct buf *out, const char *json, size_t len)
{
	struct req_state *s = arg;
	int r;

	r = populate_render(out, s->ctx->schema, s->t, json, len, s->pq.root,
	    &s->res);
	if (r == -2)
		s->over = 1;
	return r == 0 ? 0 : -1;
}

/* The answer when rendering failed: too much to populate, or the store. */
static void
render_failed(struct req_state *s)
{
	char msg[160];

	if (s->has_plan && s->plan.over) {
		qlang_over_message(msg, sizeof(msg), s->plan.max_scan);
		query_answer_error(s, 400, msg);
		return;
	}
	if (!s->over) {
		query_answer_error(s, 503, "The store is unavailable");
		return;
	}
	snprintf(msg, sizeof(msg),
	    "populate reaches more than %d entries: ask for less",
	    POPULATE_MAX_LOOKUPS);
	query_answer_error(s, 400, msg);
}

/*
 * What an answer reads, and every entry its populate reaches, is read in
 * one snapshot, each related row once (reads_end forgets them: the next
 * request reads afresh). The snapshot is kept for the next request, which
 * uses it when nothing was written meanwhile (store_read_begin_kept).
 */
void
query_reads_begin(struct req_state *s)
{
	store_read_begin_kept(s->ctx->store);
	resolve_memo_begin(&s->rctx);
}

void
query_reads_end(struct req_state *s)
{
	resolve_memo_end(&s->rctx);
	store_read_keep(s->ctx->store);
}

/*
 * The answer's own seq, read in its snapshot once it is rendered (what
 * populate and the filters read is known then). When it read nothing
 * but its own entries: entry_seq, the seq of the change that wrote the
 * entry an answer of one entry (by documentId) holds; the last change to
 * the holders of slug, for an answer of them (store_slug_seq); else its
 * collection's last change. The store's when it read other collections.
 * An answer's bytes are a function of its URL and that seq, so it
 * changes only when they may have, and is never above the store's
 * (s->store_seq, which the answer cache keys on). 0, or -1 when the
 * store failed (logged).
 */
int
query_answer_seq(struct req_state *s, uint64_t entry_seq, const char *slug,
    uint64_t *seq)
{
	struct store *st = s->ctx->store;

	if (store_read_seq(st, &s->store_seq) == -1 &&
	    store_last_seq(st, &s->store_seq) == -1)
		return -1;
	if (s->deps == QUERY_DEPS_OTHER || s->m.coll == NULL) {
		*seq = s->store_seq;
		return 0;
	}
	if (entry_seq != 0 && s->deps == 0) {
		*seq = entry_seq;
		return 0;
	}
	/* every locale's holders: the collection's (as the sidecar's) */
	if (s->deps != 0 ||
	    (s->t != NULL && s->pq.locale_kind == POPULATE_LOCALE_EVERY &&
	        resolve_localized(s->m.coll)))
		slug = NULL;
	return render_own_seq(st, s->m.coll, query_locale_of(s), slug, seq);
}

/* render_query.seq_fn: a list's seq; its slug's when it filters one. */
static int
list_seq(void *arg, uint64_t *seq)
{
	struct req_state *s = arg;

	return query_answer_seq(s, 0, s->sp.slug, seq);
}

/*
 * The size of the last list answer this process rendered: the next one's
 * body is reserved at that size at once instead of doubling its way there
 * (a page of 25 populated articles is some 45 kB: eight reallocations).
 */
static size_t list_last_len;

void
query_do_list(struct req_state *s)
{
	struct render_query q;
	uint64_t seq;
	int r;

	memset(&q, 0, sizeof(q));
	q.coll = s->m.coll;
	q.locale = query_locale_of(s);
	q.category = s->sp.category;
	q.slug = s->sp.slug;
	q.ascending = s->sp.ascending;
	q.paging = s->sp.paging == QS_PAGING_OFFSET ? RENDER_PAGING_OFFSET
	                                            : RENDER_PAGING_PAGE;
	q.page = s->sp.page;
	q.page_size = s->sp.page_size;
	q.start = s->sp.start;
	q.limit = s->sp.limit;
	q.no_count = s->sp.no_count;
	q.fields = s->sp.nfields > 0 ? s->sp.fields : NULL;
	q.nfields = s->sp.nfields;
	if (s->has_plan)
		q.plan = &s->plan;
	else if (s->sp.cursor != NULL)
		q.after = &s->pos;
	if (s->t != NULL) {
		q.entry_fn = render_one;
		q.entry_arg = s;
		if (resolve_localized(q.coll) &&
		    s->pq.locale_kind == POPULATE_LOCALE_EVERY) {
			q.locales = (const char *const *)q.coll->locales;
			q.nlocales = q.coll->nlocales;
		}
		q.nothing = resolve_localized(q.coll) &&
		    s->pq.locale_kind == POPULATE_LOCALE_NONE;
	}
	q.seq_fn = list_seq;
	q.seq_arg = s;
	buf_reserve(&s->r->body, list_last_len);
	query_reads_begin(s);
	r = render_list(s->ctx->store, &q, &s->r->body, &seq);
	query_reads_end(s);
	list_last_len = s->r->body.len;
	if (r == -1) {
		render_failed(s);
		return;
	}
	http_resp_json(s->r, 200);
	query_cache_headers(s, seq);
}

/*
 * {"data":{…},"meta":{"seq":N}}, or 404 in Strapi's shape; entry_seq:
 * the seq of the change that wrote the entry (0: unknown), slug: the
 * slug that named it (query_answer_seq). Inside the reads' snapshot
 * (query_reads_begin).
 */
void
query_single(struct req_state *s, enum store_result res, const struct buf *json,
    uint64_t entry_seq, const char *slug)
{
	uint64_t seq;

	if (res == STORE_OK) {
		http_resp_json(s->r, 200);
		buf_adds(&s->r->body, "{\"data\":");
		if (s->t == NULL)
			render_entry(&s->r->body, json->data, json->len,
			    s->sp.nfields > 0 ? s->sp.fields : NULL,
			    s->sp.nfields);
		else if (render_one(s, &s->r->body, json->data, json->len) ==
		    -1) {
			render_failed(s);
			return;
		}
	}
	if (res == STORE_ERR ||
	    query_answer_seq(s, entry_seq, slug, &seq) == -1) {
		query_answer_error(s, 503, "The store is unavailable");
		return;
	}
	if (res != STORE_OK) {
		strapi_error(s->r, 404, NULL, "Not Found", NULL);
		query_cache_headers(s, seq);
		return;
	}
	buf_printf(&s->r->body, ",\"meta\":{\"seq\":%" PRIu64 "}}", seq);
	query_cache_headers(s, seq);
}

/* One entry by documentId or by slug (a key too long for either: 404). */
static void
do_single(struct req_state *s, int by_slug)
{
	struct buf json;
	enum store_result res = STORE_NOTFOUND;
	uint64_t seq = 0, got = 0;

	buf_init(&json);
	query_reads_begin(s);
	if (by_slug && s->m.arg_len <= ENTRY_MAX_SLUG)
		res = store_get_by_slug(s->ctx->store, s->m.coll->name,
		    query_locale_of(s), s->m.arg, &json, &seq);
	else if (!by_slug &&
	    entry_valid_key_string(s->m.arg, s->m.arg_len, ENTRY_MAX_ID))
		res = store_get(s->ctx->store, s->m.coll->name, s->m.arg,
		    query_locale_of(s), &json, &seq);
	if (res == STORE_OK && !by_slug)
		got = store_got_seq(s->ctx->store);
	query_single(s, res, &json, got,
	    by_slug && s->m.arg_len <= ENTRY_MAX_SLUG ? s->m.arg : NULL);
	query_reads_end(s);
	buf_clear(&json);
}

void
query_do_one(struct req_state *s)
{
	do_single(s, 0);
}

void
query_do_by_slug(struct req_state *s)
{
	do_single(s, 1);
}
