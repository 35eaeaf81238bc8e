/* query_sub.c: subscribing to a live query: its query string checked as REST does, shared computation */
#include "config.h"

#include <inttypes.h>
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
#include "api/sse.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* The text of the last populate error (the sidecar has one thread). */
static char why_buf[sizeof(((struct qs_error *)0)->message)];
/* and the details of an "Invalid key" one, as REST gives them, or "" */
static char details_buf[1024];

/* A refusal REST would give for err: its message (and details). */
static void
refuse(const struct qs_error *err, const char **why)
{
	struct buf d;

	snprintf(why_buf, sizeof(why_buf), "%s", err->message);
	*why = why_buf;
	details_buf[0] = '\0';
	if (err->key[0] == '\0')
		return;
	buf_init(&d);
	strapi_invalid_details(&d, err->key, err->path, err->param);
	if (d.len < sizeof(details_buf))
		memcpy(details_buf, d.data, d.len + 1);
	buf_clear(&d);
}

/*
 * The details of the last refusal push_query_subscribe gave (REST's
 * for an "Invalid key"), or NULL. Borrowed, until the next call.
 */
const char *
push_query_details(void)
{
	return details_buf[0] != '\0' ? details_buf : NULL;
}

/*
 * Parses a new query's populate and fields against the schema, as REST
 * does (the same 400 and message). Returns 0, or -1 with *status and
 * *why. Without a schema (or for a collection it does not describe)
 * they are refused, as before live queries took them.
 */
static int
query_populate(struct push *p, struct push_query *q, int *status,
    const char **why)
{
	const struct schema_type *t;
	struct qs_error err;
	struct buf rest;
	int rc;

	if (q->spec.populate == NULL)
		return 0;
	*status = 400;
	if ((t = rich_type(p->schema, q->spec.coll)) == NULL) {
		*why = "unknown query parameter";
		return -1;
	}
	buf_init(&rest);
	rc =
	    populate_parse(&q->pq, q->spec.populate, p->schema, t, &rest, &err);
	if (rc == 0)
		rc = populate_filters(&q->pq, p->conf, p->schema, &err);
	buf_clear(&rest);
	if (rc == -1)
		refuse(&err, why);
	return rc;
}

/*
 * locale=*: every locale, as REST reads it with a schema; without one,
 * REST's 400. Returns 0, or -1 with *status and *why.
 */
static int
query_every_locale(struct push *p, struct push_query *q, int *status,
    const char **why)
{
	if (!subscription_every_locale(&q->spec) ||
	    rich_type(p->schema, q->spec.coll) != NULL)
		return 0;
	*status = 400;
	*why = "Invalid locale '*': one locale code is served at a time";
	return -1;
}

/*
 * The slug or category qs_parse took from the filters (filters[slug]=x,
 * or a collection's own slug or category field) into the spec, where
 * the registry's scopes look for them. -1 when the spec has another.
 */
static int
take_indexed(char **dst, const char *v, const char *what, struct qs_error *err)
{
	if (v == NULL)
		return 0;
	if (*dst != NULL && strcmp(*dst, v) != 0)
		return qs_fail(err, "%s and filters[%s] disagree", what, what);
	if (*dst == NULL)
		*dst = xstrdup(v);
	return 0;
}

/*
 * The query's sort= and filters checked against its type as REST checks
 * them (qs_parse, qlang_plan: the same 400 and message), into q->plan.
 */
static int
query_plan(struct push *p, struct push_query *q, int *status, const char **why)
{
	const struct schema_type *t = rich_type(p->schema, q->spec.coll);
	struct qs_spec *sp;
	struct qs_error err;
	struct buf qs;
	int rc, seen = 0;

	/* a single type refuses what REST's /api/<singular> refuses */
	if (t != NULL && t->single) {
		if (q->spec.given != 0)
			seen |= QS_SEEN_PAGINATION;
		if (q->spec.sort != NULL)
			seen |= QS_SEEN_SORT;
		if (q->spec.slug != NULL)
			seen |= QS_SEEN_FILTERS;
		if (q->spec.category != NULL)
			seen |= QS_SEEN_CATEGORY;
	}
	if (q->spec.sort == NULL && q->spec.qlang == NULL) {
		if (qs_single_refuse(&err, seen) == 0)
			return 0;
		refuse(&err, why);
		*status = 400;
		return -1;
	}
	sp = xmalloc(sizeof(*sp));
	buf_init(&qs);
	if (q->spec.sort != NULL) {
		buf_adds(&qs, "sort=");
		buf_adds(&qs, q->spec.sort);
	}
	if (q->spec.qlang != NULL) {
		if (qs.len > 0)
			buf_addc(&qs, '&');
		buf_adds(&qs, q->spec.qlang);
	}
	rc = qs_parse(sp, buf_cstr(&qs), q->spec.coll, &err);
	if (rc == 0 && t != NULL && t->single)
		rc = qs_single_refuse(&err, seen | sp->seen);
	if (rc == 0)
		rc = take_indexed(&q->spec.slug, sp->slug, "slug", &err);
	if (rc == 0)
		rc = take_indexed(&q->spec.category, sp->category, "category",
		    &err);
	if (rc == 0 && sp->cursor != NULL &&
	    subscription_every_locale(&q->spec))
		rc = qs_fail(&err,
		    "cursor continues one locale's list: it "
		    "cannot be combined with locale=*");
	if (rc == 0 && sp->cursor != NULL &&
	    (q->spec.given &
	        (SUBSCRIPTION_GIVEN_PAGE | SUBSCRIPTION_GIVEN_START)))
		rc = qs_fail(&err,
		    "cursor continues a list: it cannot be "
		    "combined with pagination[page] or "
		    "pagination[start]");
	if (rc == 0)
		rc = qlang_plan(&q->plan, sp, p->conf, q->spec.coll, p->schema,
		    t, &err);
	/* the page after the cursor's entry, as REST reads it */
	if (rc == 0 && sp->cursor != NULL &&
	    qlang_cursor(&q->plan, sp->cursor) == -1)
		rc = qs_fail(&err,
		    "Invalid cursor (a cursor continues the list "
		    "with the sort it came from)");
	q->no_count = sp->no_count;
	if (rc == -1) {
		refuse(&err, why);
		*status = 400;
	} else if (q->plan.filter != NULL) {
		/* the plan borrows its values from sp: the query keeps them */
		q->texts = filter_own_texts(q->plan.filter);
	}
	buf_clear(&qs);
	free(sp);
	return rc;
}

/*
 * Subscribes a client to a query, sharing the computation with every
 * other subscriber of the same query, and queues the current result.
 * Takes the spec's strings (the spec is left empty). id is the WebSocket
 * subscription id (NULL for SSE). Returns the subscription, or NULL with
 * *status and *why: 400 for a page size or locale this server does not
 * offer, 429 past push_max_subs_per_addr, 503 past push_max_queries (a
 * new query only: joining an existing one costs no computation) or when
 * the store failed.
 */
struct push_sub *
push_query_subscribe(struct push *p, struct push_client *c,
    struct subscription_spec *spec, const char *id, int *status,
    const char **why)
{
	struct push_query *q;
	struct push_sub *s;
	struct buf key;
	const uint64_t *sizes;
	size_t nsizes;
	int over;

	*why = NULL;
	details_buf[0] = '\0';
	sizes = conf_push_page_sizes(p->conf, &nsizes);
	if (subscription_spec_restrict(spec, sizes, nsizes, why) == -1) {
		*status = 400;
		return NULL;
	}
	if (c->addr != NULL && c->addr->nsubs >= p->max_subs_per_addr) {
		*status = 429;
		*why = "too many live queries from this address";
		p->queries_refused_total++;
		return NULL;
	}
	buf_init(&key);
	subscription_key(spec, &key);
	q = push_registry_find(p, key.data);
	if (q == NULL && p->nqueries >= p->max_queries) {
		buf_clear(&key);
		*status = 503;
		*why = "too many distinct live queries on this server";
		p->queries_refused_total++;
		return NULL;
	}
	if (q == NULL) {
		q = xcalloc(1, sizeof(*q));
		q->key = buf_take(&key);
		q->spec = *spec;
		subscription_spec_init(spec);
		buf_init(&q->data);
		buf_init(&q->pagination);
		LIST_INIT(&q->subs);
		memset(&q->plan, 0, sizeof(q->plan));
		if (query_every_locale(p, q, status, why) == -1 ||
		    query_populate(p, q, status, why) == -1 ||
		    query_plan(p, q, status, why) == -1) {
			pquery_release(p, q);
			return NULL;
		}
		LIST_INSERT_HEAD(&p->queries, q, link);
		p->nqueries++;
		push_registry_add(p, q);
		over = 0;
		if (pquery_compute(p, q, &over) == -1) {
			if (q->plan.over) {
				/* REST answers the same query this 400 */
				p->queries_over_scan_total++;
				qlang_over_message(why_buf, sizeof(why_buf),
				    q->plan.max_scan);
				*status = 400;
				*why = why_buf;
			} else if (*why == NULL && over) {
				snprintf(why_buf, sizeof(why_buf),
				    "populate reaches more than %d entries: "
				    "ask for less",
				    POPULATE_MAX_LOOKUPS);
				*status = 400;
				*why = why_buf;
			} else if (*why == NULL) {
				*status = 503;
				*why = "store unavailable, try again";
			}
			pquery_free(p, q);
			buf_clear(&key);
			return NULL;
		}
	} else if (q->over) {
		/* past query_max_scan since it started: REST's 400 now */
		buf_clear(&key);
		p->queries_over_scan_total++;
		qlang_over_message(why_buf, sizeof(why_buf), q->plan.max_scan);
		*status = 400;
		*why = why_buf;
		return NULL;
	} else if (q->dirty) {
		/* A batch is pending for it: send the fresh result to all. */
		push_registry_unmark(p, q);
		if (pquery_compute(p, q, NULL) == 1)
			pquery_send_all(p, q);
	}
	buf_clear(&key);
	s = xcalloc(1, sizeof(*s));
	s->client = c;
	s->query = q;
	if (id != NULL) {
		struct buf pre;

		s->id = xstrdup(id);
		buf_init(&pre);
		buf_adds(&pre, "{\"type\":\"result\",\"id\":");
		buf_add_json_string(&pre, id, strlen(id));
		buf_addc(&pre, ',');
		s->prefix = push_msg_from_buf(&pre);
		buf_clear(&pre);
	}
	LIST_INSERT_HEAD(&q->subs, s, qlink);
	q->nsubs++;
	LIST_INSERT_HEAD(&c->subs, s, clink);
	c->nsubs++;
	if (c->addr != NULL)
		c->addr->nsubs++;
	p->nsubs++;
	(void)pquery_sub_send(p, s);
	return s;
}

/* Removes a subscription; the query goes with its last subscriber. */
void
push_query_unsubscribe(struct push *p, struct push_sub *s)
{
	struct push_client *c = s->client;
	struct push_query *q = s->query;

	LIST_REMOVE(s, clink);
	c->nsubs--;
	if (c->addr != NULL)
		c->addr->nsubs--;
	push_queue_untag(c, s);
	LIST_REMOVE(s, qlink);
	q->nsubs--;
	p->nsubs--;
	if (q->nsubs == 0)
		pquery_free(p, q);
	push_msg_unref(s->prefix);
	free(s->id);
	free(s);
}

/* Removes every subscription of a client (it is closing). */
void
push_query_unsubscribe_all(struct push *p, struct push_client *c)
{
	struct push_sub *s;

	while ((s = LIST_FIRST(&c->subs)) != NULL)
		push_query_unsubscribe(p, s);
}

static void
render_cb(lws_sorted_usec_list_t *sul)
{
	struct push *p = (struct push *)(void *)((char *)sul -
	    offsetof(struct push, sul_render));

	p->render_scheduled = 0;
	p->turn_renders = 0;
	push_query_recompute(p);
	push_client_flush_pending(p);
}

/*
 * Recomputes the queued queries, oldest first, until this turn of the
 * loop has rendered push_render_budget entries; the rest goes on at the
 * next turn (render_cb), so that streams, new connections and heartbeats
 * are served in between however many queries a change touched.
 */
void
push_query_recompute(struct push *p)
{
	struct push_query *q;

	while (p->turn_renders < p->render_budget &&
	    (q = push_registry_next_dirty(p)) != NULL) {
		if (pquery_compute(p, q, NULL) == 1)
			pquery_send_all(p, q);
		else if (q->plan.over) {
			/*
			 * Its collection grew past query_max_scan: it keeps
			 * its last result and is not run again (each run
			 * would read max_scan entries to fail again).
			 */
			q->over = 1;
			p->queries_over_scan_total++;
		}
	}
	if (!TAILQ_EMPTY(&p->qreg.dirty) && !p->render_scheduled) {
		p->render_deferred_total++;
		p->render_scheduled = 1;
		lws_sul_schedule(p->ctx, 0, &p->sul_render, render_cb, 1);
	}
}
