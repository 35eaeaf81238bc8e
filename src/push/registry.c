/* registry.c: the sidecar's registry of live queries, hashed */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "push/registry.h"
#include "model/subscription.h"
#include "util/xmalloc.h"

/*
 * Two chained hash tables of one size: queries by their canonical key
 * (subscribe finds a shared query in O(1)), and scopes (collection,
 * locale, slug or category) holding the queries that differ only by page
 * or page size (a change finds the queries it touches with at most five
 * lookups per locale). A hand-written table, because <search.h> hsearch is one
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
	struct push_query_list *kb;
	struct push_scope_list *sb;
	struct push_query *q;
	struct push_scope *sc;
	size_t i;

	kb = xreallocarray(NULL, nb, sizeof(*kb));
	sb = xreallocarray(NULL, nb, sizeof(*sb));
	for (i = 0; i < nb; i++) {
		LIST_INIT(&kb[i]);
		LIST_INIT(&sb[i]);
	}
	for (i = 0; i < r->nb; i++) {
		while ((q = LIST_FIRST(&r->kb[i])) != NULL) {
			LIST_REMOVE(q, hlink);
			LIST_INSERT_HEAD(&kb[hash(q->key, nb)], q, hlink);
		}
		while ((sc = LIST_FIRST(&r->sb[i])) != NULL) {
			LIST_REMOVE(sc, hlink);
			LIST_INSERT_HEAD(&sb[hash(sc->key, nb)], sc, hlink);
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
	for (sc = LIST_FIRST(&r->sb[hash(key, r->nb)]); sc != NULL;
	     sc = LIST_NEXT(sc, hlink))
		if (strcmp(sc->key, key) == 0)
			return sc;
	return NULL;
}

/* The query with this canonical key, or NULL. */
struct push_query *
push_registry_find(struct push *p, const char *key)
{
	struct push_qreg *r = &p->qreg;
	struct push_query *q;

	if (r->nb == 0)
		return NULL;
	for (q = LIST_FIRST(&r->kb[hash(key, r->nb)]); q != NULL;
	     q = LIST_NEXT(q, hlink))
		if (strcmp(q->key, key) == 0)
			return q;
	return NULL;
}

/* Registers a query (its key and spec set, not yet registered). */
void
push_registry_add(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc;
	struct buf k;

	if (r->nb == 0)
		rehash(r, QREG_MIN_BUCKETS);
	else if (r->nkeys >= 2 * r->nb)
		rehash(r, 2 * r->nb);
	LIST_INSERT_HEAD(&r->kb[hash(q->key, r->nb)], q, hlink);
	r->nkeys++;
	buf_init(&k);
	subscription_spec_scope(&q->spec, &k);
	if ((sc = scope_find(r, k.data)) == NULL) {
		sc = xcalloc(1, sizeof(*sc) + k.len + 1);
		memcpy(sc->key, k.data, k.len + 1);
		LIST_INIT(&sc->queries);
		LIST_INSERT_HEAD(&r->sb[hash(sc->key, r->nb)], sc, hlink);
	}
	buf_clear(&k);
	q->scope = sc;
	LIST_INSERT_HEAD(&sc->queries, q, slink);
}

/* Unregisters a query; its scope goes with the scope's last query. */
void
push_registry_remove(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc = q->scope;

	push_registry_unmark(p, q);
	LIST_REMOVE(q, hlink);
	r->nkeys--;
	if (sc == NULL)
		return;
	LIST_REMOVE(q, slink);
	q->scope = NULL;
	if (!LIST_EMPTY(&sc->queries))
		return;
	LIST_REMOVE(sc, hlink);
	free(sc);
}

/* Queues a query for recomputation (once). */
void
push_registry_mark(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;

	if (q->dirty)
		return;
	q->dirty = 1;
	TAILQ_INSERT_TAIL(&r->dirty, q, dlink);
}

/* Takes a query off the recomputation queue, if it is on it. */
void
push_registry_unmark(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;

	if (!q->dirty)
		return;
	q->dirty = 0;
	TAILQ_REMOVE(&r->dirty, q, dlink);
}

/* The oldest query waiting for recomputation, taken off the queue. */
struct push_query *
push_registry_next_dirty(struct push *p)
{
	struct push_query *q = TAILQ_FIRST(&p->qreg.dirty);

	if (q != NULL)
		push_registry_unmark(p, q);
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
	for (q = LIST_FIRST(&sc->queries); q != NULL; q = LIST_NEXT(q, slink)) {
		p->query_checks_total++;
		if (!q->dirty && subscription_touches(&q->spec, ch))
			push_registry_mark(p, q);
	}
}

/*
 * Queues every query the change can alter: the scopes of its collection
 * and locale (each configured locale when the change names none) with no
 * filter, its old and new slug, and its old and new category.
 */
void
push_registry_touch(struct push *p, const struct store_change *ch)
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
push_registry_clear(struct push *p)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc;
	size_t i;

	for (i = 0; i < r->nb; i++)
		while ((sc = LIST_FIRST(&r->sb[i])) != NULL) {
			LIST_REMOVE(sc, hlink);
			free(sc);
		}
	free(r->kb);
	free(r->sb);
	memset(r, 0, sizeof(*r));
	TAILQ_INIT(&r->dirty);
}
