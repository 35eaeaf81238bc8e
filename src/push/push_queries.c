/* push_queries.c: the sidecar's registry of live queries, hashed */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "push/push_int.h"
#include "model/subscription.h"
#include "util/xmalloc.h"

/*
 * Two chained hash tables of one size: queries by their canonical key
 * (subscribe finds a shared query in O(1)), and scopes (collection,
 * locale, slug or category) holding the queries that differ only by page
 * size (a change finds the queries it touches with at most five lookups
 * per locale). A hand-written table, because <search.h> hsearch is one
 * table per process without deletion, hsearch_r cannot delete either, and
 * libwebsockets 4.1 and json-c offer none keyed by our strings.
 */

#define QREG_MIN_BUCKETS 64

static size_t
hash(const char *s, size_t nb)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h & (nb - 1); /* nb is a power of two */
}

static void
rehash(struct push_qreg *r, size_t nb)
{
	struct push_query **kb, *q, *qn;
	struct push_scope **sb, *sc, *sn;
	size_t i, h;

	kb = xcalloc(nb, sizeof(*kb));
	sb = xcalloc(nb, sizeof(*sb));
	for (i = 0; i < r->nb; i++) {
		for (q = r->kb[i]; q != NULL; q = qn) {
			qn = q->hnext;
			h = hash(q->key, nb);
			q->hnext = kb[h];
			kb[h] = q;
		}
		for (sc = r->sb[i]; sc != NULL; sc = sn) {
			sn = sc->hnext;
			h = hash(sc->key, nb);
			sc->hnext = sb[h];
			sb[h] = sc;
		}
	}
	free(r->kb);
	free(r->sb);
	r->kb = kb;
	r->sb = sb;
	r->nb = nb;
}

static struct push_scope *
scope_find(struct push_qreg *r, const char *key)
{
	struct push_scope *sc;

	if (r->nb == 0)
		return NULL;
	for (sc = r->sb[hash(key, r->nb)]; sc != NULL; sc = sc->hnext)
		if (strcmp(sc->key, key) == 0)
			return sc;
	return NULL;
}

/* The query with this canonical key, or NULL. */
struct push_query *
push_queries_find(struct push *p, const char *key)
{
	struct push_qreg *r = &p->qreg;
	struct push_query *q;

	if (r->nb == 0)
		return NULL;
	for (q = r->kb[hash(key, r->nb)]; q != NULL; q = q->hnext)
		if (strcmp(q->key, key) == 0)
			return q;
	return NULL;
}

/* Registers a query (its key and spec set, not yet registered). */
void
push_queries_add(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc;
	struct buf k;
	size_t h;

	if (r->nb == 0)
		rehash(r, QREG_MIN_BUCKETS);
	else if (r->nkeys >= 2 * r->nb)
		rehash(r, 2 * r->nb);
	h = hash(q->key, r->nb);
	q->hnext = r->kb[h];
	r->kb[h] = q;
	r->nkeys++;
	buf_init(&k);
	subscription_spec_scope(&q->spec, &k);
	if ((sc = scope_find(r, k.data)) == NULL) {
		sc = xcalloc(1, sizeof(*sc) + k.len + 1);
		memcpy(sc->key, k.data, k.len + 1);
		h = hash(sc->key, r->nb);
		sc->hnext = r->sb[h];
		r->sb[h] = sc;
	}
	buf_clear(&k);
	q->scope = sc;
	q->sprev = NULL;
	q->snext = sc->queries;
	if (sc->queries != NULL)
		sc->queries->sprev = q;
	sc->queries = q;
}

/* Unregisters a query; its scope goes with the scope's last query. */
void
push_queries_remove(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;
	struct push_query **qq;
	struct push_scope **ss, *sc = q->scope;

	push_queries_unmark(p, q);
	for (qq = &r->kb[hash(q->key, r->nb)]; *qq != NULL; qq = &(*qq)->hnext)
		if (*qq == q) {
			*qq = q->hnext;
			r->nkeys--;
			break;
		}
	if (sc == NULL)
		return;
	if (q->sprev != NULL)
		q->sprev->snext = q->snext;
	else
		sc->queries = q->snext;
	if (q->snext != NULL)
		q->snext->sprev = q->sprev;
	q->scope = NULL;
	if (sc->queries != NULL)
		return;
	for (ss = &r->sb[hash(sc->key, r->nb)]; *ss != NULL; ss = &(*ss)->hnext)
		if (*ss == sc) {
			*ss = sc->hnext;
			break;
		}
	free(sc);
}

/* Queues a query for recomputation (once). */
void
push_queries_mark(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;

	if (q->dirty)
		return;
	q->dirty = 1;
	q->dnext = NULL;
	q->dprev = r->dtail;
	if (r->dtail != NULL)
		r->dtail->dnext = q;
	else
		r->dhead = q;
	r->dtail = q;
}

/* Takes a query off the recomputation queue, if it is on it. */
void
push_queries_unmark(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;

	if (!q->dirty)
		return;
	q->dirty = 0;
	if (q->dprev != NULL)
		q->dprev->dnext = q->dnext;
	else
		r->dhead = q->dnext;
	if (q->dnext != NULL)
		q->dnext->dprev = q->dprev;
	else
		r->dtail = q->dprev;
	q->dnext = q->dprev = NULL;
}

/* The oldest query waiting for recomputation, taken off the queue. */
struct push_query *
push_queries_next_dirty(struct push *p)
{
	struct push_query *q = p->qreg.dhead;

	if (q != NULL)
		push_queries_unmark(p, q);
	return q;
}

static void
touch_scope(struct push *p, struct buf *k, const char *coll, const char *locale,
    char kind, const char *value, const struct store_change *ch)
{
	struct push_scope *sc;
	struct push_query *q;

	buf_reset(k);
	subscription_scope_key(k, coll, locale, kind, value);
	if ((sc = scope_find(&p->qreg, k->data)) == NULL)
		return;
	for (q = sc->queries; q != NULL; q = q->snext) {
		p->query_checks_total++;
		if (!q->dirty && subscription_touches(&q->spec, ch))
			push_queries_mark(p, q);
	}
}

/*
 * Queues every query the change can alter: the scopes of its collection
 * and locale (each configured locale when the change names none) with no
 * filter, its old and new slug, and its old and new category.
 */
void
push_queries_touch(struct push *p, const struct store_change *ch)
{
	const struct collection *co;
	const char *loc;
	struct buf k;
	size_t i, nloc;

	if (p->qreg.nkeys == 0 || ch->collection == NULL)
		return;
	co = conf_collection_by_name(p->conf, ch->collection);
	if (co == NULL)
		return;
	nloc = ch->locale != NULL ? 1 : co->nlocales > 0 ? co->nlocales : 1;
	buf_init(&k);
	for (i = 0; i < nloc; i++) {
		loc = ch->locale != NULL ? ch->locale
		    : co->nlocales > 0   ? co->locales[i]
		                         : "";
		touch_scope(p, &k, co->name, loc, 0, NULL, ch);
		if (ch->old_slug != NULL)
			touch_scope(p, &k, co->name, loc, 's', ch->old_slug,
			    ch);
		if (ch->new_slug != NULL &&
		    (ch->old_slug == NULL ||
		        strcmp(ch->old_slug, ch->new_slug) != 0))
			touch_scope(p, &k, co->name, loc, 's', ch->new_slug,
			    ch);
		if (ch->old_category != NULL)
			touch_scope(p, &k, co->name, loc, 'c', ch->old_category,
			    ch);
		if (ch->new_category != NULL &&
		    (ch->old_category == NULL ||
		        strcmp(ch->old_category, ch->new_category) != 0))
			touch_scope(p, &k, co->name, loc, 'c', ch->new_category,
			    ch);
	}
	buf_clear(&k);
}

/* Frees the tables (the queries themselves are the caller's). */
void
push_queries_clear(struct push *p)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc;
	size_t i;

	for (i = 0; i < r->nb; i++)
		while ((sc = r->sb[i]) != NULL) {
			r->sb[i] = sc->hnext;
			free(sc);
		}
	free(r->kb);
	free(r->sb);
	memset(r, 0, sizeof(*r));
}
