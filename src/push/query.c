/* query.c: live queries: computing results, subscribing, sending them */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "push/client.h"
#include "push/msg.h"
#include "push/query.h"
#include "push/queue.h"
#include "push/registry.h"
#include "push/query_int.h"
#include "api/populate.h"
#include "api/qlang.h"
#include "api/rich.h"
#include "api/resolve.h"
#include "model/patch.h"
#include "api/render.h"
#include "api/error.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Forgets the matches a query kept and the entries pending for them. */
static void
rows_clear(struct push *p, struct push_query *q)
{
	size_t i;

	p->rows_kept -= q->nrows;
	for (i = 0; i < q->nrows; i++)
		filter_row_clear(&q->rows[i]);
	free(q->rows);
	for (i = 0; i < q->npending; i++)
		free(q->pending[i]);
	free(q->pending);
	for (i = 0; i < q->nscan_deps; i++)
		free(q->scan_deps[i]);
	free(q->scan_deps);
	q->scan_deps = NULL;
	q->nscan_deps = 0;
	q->rows = NULL;
	q->pending = NULL;
	q->nrows = q->npending = 0;
	q->rows_ok = 0;
}

/* Frees what a query holds (unregistered). */
void
pquery_release(struct push *p, struct push_query *q)
{
	rows_clear(p, q);

	free(q->key);
	subscription_spec_clear(&q->spec);
	populate_query_clear(&q->pq);
	qlang_plan_clear(&q->plan);
	free(q->texts);
	buf_clear(&q->data);
	buf_clear(&q->pagination);
	push_msg_unref(q->sse);
	push_msg_unref(q->ws);
	push_msg_unref(q->ws_patch);
	push_msg_unref(q->sse_patch);
	free(q);
}

void
pquery_free(struct push *p, struct push_query *q)
{

	LIST_REMOVE(q, link);
	push_registry_remove(p, q);
	p->nqueries--;
	pquery_release(p, q);
}

/* Frees every query (their subscribers are gone with their clients). */
void
push_query_free_all(struct push *p)
{
	struct push_query *q;

	while ((q = LIST_FIRST(&p->queries)) != NULL)
		pquery_free(p, q);
}

/* Queues every query for recomputation. */
void
push_query_mark_all(struct push *p)
{
	struct push_query *q;

	for (q = LIST_FIRST(&p->queries); q != NULL; q = LIST_NEXT(q, link))
		push_registry_mark(p, q);
}

/*
 * What a live result shows of a stored entry of a type the schema
 * describes: what REST answers with the same populate and fields (the
 * public form without them), related entries and media rows read through
 * the store resolver, which tells dep_add what the result embeds.
 */
struct live_render {
	struct push *p;
	struct push_query *q;
	int keep;       /* q keeps its matches (and the related reads) */
	size_t members; /* entries of its collection it matched or read */
	const struct schema *schema;
	const struct schema_type *type;
	const struct populate *pop; /* NULL: the public form */
	struct populate_resolver res;
	struct resolve_ctx rctx;
	size_t budget; /* lookups left, as a REST request has */
	int over;      /* the budget ran out */
	char **deps;   /* dep keys, as read (duplicates included) */
	size_t ndeps, capdeps;
	struct buf key;
};

/* A dep key (push_registry_dep_key's) of the result, copied. */
static void
dep_add_key(struct live_render *lr, const char *key)
{
	if (lr->ndeps == lr->capdeps) {
		lr->capdeps = lr->capdeps > 0 ? 2 * lr->capdeps : 16;
		lr->deps =
		    xreallocarray(lr->deps, lr->capdeps, sizeof(*lr->deps));
	}
	lr->deps[lr->ndeps++] = xstrdup(key);
}

static void
dep_add(void *arg, const char *coll, const char *doc, const char *locale)
{
	struct live_render *lr = arg;

	buf_reset(&lr->key);
	push_registry_dep_key(&lr->key, coll, doc, locale);
	if (lr->ndeps == lr->capdeps) {
		lr->capdeps = lr->capdeps > 0 ? 2 * lr->capdeps : 16;
		lr->deps =
		    xreallocarray(lr->deps, lr->capdeps, sizeof(*lr->deps));
	}
	lr->deps[lr->ndeps++] = buf_take(&lr->key);
}

/*
 * qlang's seen: an entry the filter matched or a related entry it read,
 * a dep of the query; the related ones are kept with its matches (a run
 * that reads the page only reads none of them again).
 */
static void
scan_seen(void *arg, const char *coll, const char *doc, const char *locale)
{
	struct live_render *lr = arg;
	struct push_query *q = lr->q;

	if (strcmp(coll, q->spec.coll->name) == 0) {
		/* past keep_rows of them, every entry of it: one dep */
		if (++lr->members > lr->p->keep_rows + 1)
			return;
		if (lr->members == lr->p->keep_rows + 1)
			doc = NULL;
		dep_add(lr, coll, doc, locale);
		return;
	}
	dep_add(lr, coll, doc, locale);
	if (!lr->keep)
		return;
	q->scan_deps = xreallocarray(q->scan_deps, q->nscan_deps + 1,
	    sizeof(*q->scan_deps));
	q->scan_deps[q->nscan_deps++] = xstrdup(lr->deps[lr->ndeps - 1]);
}

/* filter_fetch_fn for a pending entry's relation filters (a dep). */
static int
pending_fetch(void *arg, const char *uid, const char *doc, const char *locale,
    struct buf *out)
{
	struct live_render *lr = arg;
	const struct collection *c;
	int r;

	r = resolve_get_uid(lr->p->conf, lr->p->store, uid, doc, locale, out,
	    &c);
	if (c != NULL)
		scan_seen(lr, c->name, doc, resolve_localized(c) ? locale : "");
	return r;
}

/* 1 when a relation filter of f reads entries of type uid. */
static int
rel_to(const struct filter_node *f, const char *uid)
{
	size_t i;

	if (f == NULL)
		return 0;
	if (f->kind == FILTER_REL && strcmp(f->target, uid) == 0)
		return 1;
	for (i = 0; i < f->nkid; i++)
		if (rel_to(f->kid[i], uid))
			return 1;
	return 0;
}

/* qlang's matched: a scan's matches, sorted, kept by the query. */
static void
keep_rows(void *arg, const struct filter_row *rows, size_t n)
{
	struct live_render *lr = arg;
	struct push *p = lr->p;
	struct push_query *q = lr->q;
	char **deps = q->scan_deps;
	size_t i, ndeps = q->nscan_deps;

	q->scan_deps = NULL; /* this scan's, kept */
	q->nscan_deps = 0;
	rows_clear(p, q);
	q->scan_deps = deps;
	q->nscan_deps = ndeps;
	/* bounded, in all and per query: past them, runs scan as before */
	if (n > p->keep_rows || p->rows_kept + n > p->keep_rows_all)
		return;
	p->rows_kept += n;
	q->rows = xreallocarray(NULL, n > 0 ? n : 1, sizeof(*q->rows));
	for (i = 0; i < n; i++)
		filter_row_copy(&q->rows[i], &rows[i]);
	q->nrows = n;
	q->rows_ok = 1;
}

/* The entry (doc, locale) out of q's matches, if it is one. */
static void
row_remove(struct push *p, struct push_query *q, const char *doc,
    const char *locale)
{
	size_t i;

	for (i = 0; i < q->nrows; i++)
		if (strcmp(q->rows[i].document_id, doc) == 0 &&
		    strcmp(q->rows[i].locale, locale) == 0) {
			filter_row_clear(&q->rows[i]);
			memmove(&q->rows[i], &q->rows[i + 1],
			    (q->nrows - i - 1) * sizeof(*q->rows));
			q->nrows--;
			p->rows_kept--;
			return;
		}
}

/* A matching row into q's matches, in their order. */
static void
row_insert(struct push *p, struct push_query *q, struct filter_row *row)
{
	size_t lo = 0, hi = q->nrows, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (filter_row_cmp(&q->plan.sort, &q->rows[mid], row) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	q->rows = xreallocarray(q->rows, q->nrows + 1, sizeof(*q->rows));
	memmove(&q->rows[lo + 1], &q->rows[lo],
	    (q->nrows - lo) * sizeof(*q->rows));
	q->rows[lo] = *row;
	q->nrows++;
	p->rows_kept++;
}

/* The total of q's matches and its page's entries (documentId, locale). */
static void
page_sig(const struct push_query *q, struct buf *b)
{
	uint64_t skip = q->spec.offset ? q->spec.start
	                               : (q->spec.page - 1) * q->spec.page_size;
	uint64_t i;

	buf_printf(b, "%zu\n", q->nrows);
	for (i = skip; i < q->nrows && i < skip + subscription_size(&q->spec);
	     i++)
		buf_printf(b, "%s\n%s\n", q->rows[i].document_id,
		    q->rows[i].locale);
}

/*
 * 1 when the pending entries left the page and the total as they were
 * (sig, page_sig's before) and none of them is on the page.
 */
static int
page_same(const struct push_query *q, const struct buf *sig)
{
	struct buf now, e;
	const char *doc;
	size_t i;
	int same;

	buf_init(&now);
	page_sig(q, &now);
	same = now.len == sig->len && memcmp(now.data, sig->data, now.len) == 0;
	buf_init(&e);
	for (i = 0; same && i < q->npending; i++) {
		doc = q->pending[i];
		buf_reset(&e);
		buf_printf(&e, "\n%s\n%s\n", doc, doc + strlen(doc) + 1);
		same = memmem(now.data, now.len, e.data, e.len) == NULL;
	}
	buf_clear(&e);
	buf_clear(&now);
	return same;
}

/*
 * The pending entries applied to q's matches: each is taken out, read
 * again, and put back where it sorts when it matches. *same: the result
 * cannot have changed (page_same, and no related entry read that the
 * query's deps lack). 0, or -1 when the store failed (the matches are
 * then forgotten: the run scans).
 */
static int
apply_pending(struct push *p, struct push_query *q, struct live_render *lr,
    int *same)
{
	struct filter_row row;
	struct buf json, sig;
	enum store_result r = STORE_OK;
	const char *doc, *loc;
	uint64_t seq;
	size_t i, ndeps = q->nscan_deps;

	buf_init(&sig);
	page_sig(q, &sig);
	buf_init(&json);
	for (i = 0; i < q->npending && r != STORE_ERR; i++) {
		doc = q->pending[i];
		loc = doc + strlen(doc) + 1;
		row_remove(p, q, doc, loc);
		buf_reset(&json);
		r = store_get(p->store, q->spec.coll->name, doc, loc, &json,
		    &seq);
		if (r == STORE_OK &&
		    filter_match(q->plan.filter, &q->plan.sort, json.data,
		        json.len, pending_fetch, lr, &row) == 1) {
			free(row.locale);
			row.locale = xstrdup(loc);
			row_insert(p, q, &row);
		}
	}
	buf_clear(&json);
	if (r == STORE_ERR) {
		buf_clear(&sig);
		rows_clear(p, q);
		return -1;
	}
	if (q->nrows > p->keep_rows || p->rows_kept > p->keep_rows_all) {
		buf_clear(&sig);
		rows_clear(p, q); /* grown past the bounds: the run scans */
		return -1;
	}
	*same = q->nscan_deps == ndeps && page_same(q, &sig);
	buf_clear(&sig);
	for (i = 0; i < q->npending; i++)
		free(q->pending[i]);
	q->npending = 0;
	return 0;
}

static int
render_live(void *arg, struct buf *out, const char *json, size_t len)
{
	struct live_render *lr = arg;
	int r;

	r = populate_render(out, lr->schema, lr->type, json, len, lr->pop,
	    &lr->res);
	if (r == -2)
		lr->over = 1;
	return r == 0 ? 0 : -1;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The dep keys sorted, each once; returns how many are left. */
static size_t
deps_unique(struct live_render *lr)
{
	size_t i, n = 0;

	if (lr->ndeps > 1)
		qsort(lr->deps, lr->ndeps, sizeof(*lr->deps), key_cmp);
	for (i = 0; i < lr->ndeps; i++) {
		if (n > 0 && strcmp(lr->deps[n - 1], lr->deps[i]) == 0)
			free(lr->deps[i]);
		else
			lr->deps[n++] = lr->deps[i];
	}
	return lr->ndeps = n;
}

static void
live_render_clear(struct live_render *lr)
{
	size_t i;

	for (i = 0; i < lr->ndeps; i++)
		free(lr->deps[i]);
	free(lr->deps);
	buf_clear(&lr->key);
}

/*
 * The page of the query from the store: its data array and its
 * meta.pagination object, as REST answers them (render_list's envelope,
 * taken apart). Returns the number of entries, or -1 (logged).
 */
static int
query_page(struct push *p, struct push_query *q, struct buf *data,
    struct buf *pagination, uint64_t *seq, struct live_render *lr, int *same)
{
	struct render_query rq;
	struct list_plan *plan = &q->plan;
	struct render_seq rs = { p->store, &rq, q->pq.root };
	struct buf env;
	size_t doff, dlen, moff, mlen, poff, plen, i;
	int n = -1, full, r;

	memset(&rq, 0, sizeof(rq));
	/* the order REST gives (its default, row id ascending: the id index) */
	plan->conf = p->conf;
	plan->max_scan = (size_t)conf_int(p->conf, CFG_QUERY_MAX_SCAN);
	/* a filtered query depends on what it matched and the rows it read */
	plan->seen = plan->filter != NULL ? scan_seen : NULL;
	plan->seen_arg = lr;
	lr->q = q;
	lr->p = p;
	/*
	 * A filtered query keeps its matches (unless a relation filter
	 * reads its own type): after changes to some entries of its
	 * collection, only those and the page are read.
	 */
	plan->matched = NULL;
	plan->given = NULL;
	lr->keep = plan->filter != NULL && q->spec.slug == NULL &&
	    q->spec.category == NULL && !plan->has_after &&
	    !subscription_every_locale(&q->spec) &&
	    !rel_to(plan->filter, q->spec.coll->uid);
	full = q->full;
	q->full = 0;
	if (lr->keep) {
		if (q->rows_ok && !full && apply_pending(p, q, lr, same) == 0) {
			if (*same) {
				p->incremental_runs_total++;
				return 0;
			}
			plan->given = q->rows;
			plan->ngiven = q->nrows;
			p->incremental_runs_total++;
			for (i = 0; i < q->nscan_deps; i++)
				dep_add_key(lr, q->scan_deps[i]);
			/* old relations' reads pile up: a scan renews them */
			if (q->nscan_deps > 2 * q->nrows + 64)
				q->full = 1;
		} else {
			plan->matched = keep_rows;
			/* the scan's related reads replace the kept ones */
			rows_clear(p, q);
		}
	}
	rq.plan = plan;
	rq.coll = q->spec.coll;
	rq.locale = subscription_locale(&q->spec);
	if (subscription_every_locale(&q->spec)) {
		/* each locale's list in turn, as REST reads locale=* */
		rq.locale =
		    q->spec.coll->nlocales > 0 ? q->spec.coll->locales[0] : "";
		if (resolve_localized(q->spec.coll)) {
			rq.locales = (const char *const *)q->spec.coll->locales;
			rq.nlocales = q->spec.coll->nlocales;
		}
	}
	rq.category = q->spec.category;
	rq.slug = q->spec.slug;
	rq.paging = q->spec.offset ? RENDER_PAGING_OFFSET : RENDER_PAGING_PAGE;
	rq.page = q->spec.page;
	rq.page_size = q->spec.page_size;
	rq.start = q->spec.start;
	rq.limit = q->spec.limit;
	rq.no_count = q->no_count;
	if ((lr->type = rich_type(p->schema, rq.coll)) != NULL &&
	    (q->pq.root != NULL || !populate_type_flat(lr->type))) {
		lr->schema = p->schema;
		lr->pop = q->pq.root;
		lr->budget = POPULATE_MAX_LOOKUPS;
		resolve_init(&lr->res, &lr->rctx, p->conf, p->store,
		    &lr->budget);
		lr->rctx.dep = dep_add;
		lr->rctx.dep_arg = lr;
		rq.entry_fn = render_live;
		rq.entry_arg = lr;
	}
	/* REST's seq for the same query, in the snapshot the page shows */
	rq.seq_fn = render_seq_own;
	rq.seq_arg = &rs;
	buf_init(&env);
	(void)store_read_begin(p->store);
	r = render_list(p->store, &rq, &env, seq);
	store_read_end(p->store);
	if (r == -1) {
		rows_clear(p, q); /* the next run scans */
		if (plan->over)
			log_warnx("push: live query %s: more than %zu entries "
			          "to order (query_max_scan)",
			    q->spec.coll->name, plan->max_scan);
		goto out;
	}
	if (push_patch_member(env.data, env.len, "data", &doff, &dlen) == -1 ||
	    (n = push_patch_count(env.data + doff, dlen)) == -1) {
		log_warnx("push: live query %s: a list answer without data",
		    q->spec.coll->name);
		n = -1;
		goto out;
	}
	buf_add(data, env.data + doff, dlen);
	/* Without meta.pagination (never so today) the result says null. */
	if (push_patch_member(env.data, env.len, "meta", &moff, &mlen) == 0 &&
	    push_patch_member(env.data + moff, mlen, "pagination", &poff,
	        &plen) == 0)
		buf_add(pagination, env.data + moff + poff, plen);
	else
		buf_adds(pagination, "null");
out:
	buf_clear(&env);
	return n;
}

/*
 * Runs the query against the store. Returns 1 when the result (its data
 * or its meta.pagination) differs from the last one (messages rebuilt), 0
 * when unchanged, -1 on a store failure (logged; the old result stays).
 * For subscribers that ask for patches, the new result is also built as
 * a patch of the last one ({"seq":N,"base":M,"patch":[…],"meta":…}), kept
 * only when it is smaller.
 */
int
pquery_compute(struct push *p, struct push_query *q, int *over)
{
	const struct schema_type *t;
	struct live_render lr;
	struct buf d, pg;
	uint64_t seq = 0;
	int n, same = 0;

	buf_init(&d);
	buf_init(&pg);
	memset(&lr, 0, sizeof(lr));
	buf_init(&lr.key);
	p->queries_computed_total++;
	if ((n = query_page(p, q, &d, &pg, &seq, &lr, &same)) == -1) {
		if (over != NULL)
			*over = lr.over;
		if (lr.over)
			log_warnx("push: live query %s: populate reaches more "
			          "than %d entries",
			    q->spec.coll->name, POPULATE_MAX_LOOKUPS);
		live_render_clear(&lr);
		buf_clear(&d);
		buf_clear(&pg);
		return -1;
	}
	if ((t = rich_type(p->schema, q->spec.coll)) != NULL && t->single)
		pquery_single_result(&d, &pg);
	if (same) {
		/* the changed entries are off the page and the total holds */
		live_render_clear(&lr);
		buf_clear(&d);
		buf_clear(&pg);
		return 0;
	}
	/* what this result embeds: a change to one re-renders it */
	push_registry_set_deps(p, q, lr.deps, deps_unique(&lr));
	live_render_clear(&lr);
	p->renders_total += (size_t)n;
	p->turn_renders += (size_t)n;
	if (q->sse != NULL && d.len == q->data.len &&
	    memcmp(d.data, q->data.data, d.len) == 0 &&
	    pg.len == q->pagination.len &&
	    memcmp(pg.data, q->pagination.data, pg.len) == 0) {
		buf_clear(&d);
		buf_clear(&pg);
		return 0;
	}
	pquery_set_result(q, &d, &pg, seq);
	return 1;
}

int
pquery_sub_send(struct push *p, struct push_sub *s)
{
	struct push_query *q = s->query;
	struct push_client *c = s->client;
	int ws = s->prefix != NULL;
	struct push_msg *m = ws ? q->ws : q->sse;

	if (c->closing || c->dead)
		return 0;
	/*
	 * A patch only on the result it applies to, and never coalesced
	 * (what it would replace may be its base).
	 */
	if (s->patch && q->ws_patch != NULL && s->sent_seq == q->base_seq &&
	    !push_queue_holds(c, s))
		m = ws ? q->ws_patch : q->sse_patch;
	if (push_queue_put(p, c, s->prefix, m, s) == -1) {
		push_client_close(p, c, "slow consumer: queue full");
		return -1;
	}
	s->sent_seq = q->seq;
	return 0;
}

/* Queues the query's current result to every subscriber. */
void
pquery_send_all(struct push *p, struct push_query *q)
{
	struct push_sub *s, *snext;

	for (s = LIST_FIRST(&q->subs); s != NULL; s = snext) {
		snext = LIST_NEXT(s, qlink);
		(void)pquery_sub_send(p, s);
	}
}
