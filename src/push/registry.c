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

/*
 * The key of a dep: collection, documentId and locale ("" when none);
 * a NULL documentId stands for every entry of the collection.
 */
void
push_registry_dep_key(struct buf *b, const char *coll, const char *doc,
    const char *locale)
{
	buf_adds(b, coll);
	buf_addc(b, '\n');
	if (doc != NULL) {
		buf_adds(b, doc);
		buf_addc(b, '\n');
		buf_adds(b, locale != NULL ? locale : "");
	} else
		buf_addc(b, '\n');
}

static void
dep_rehash(struct push_qreg *r, size_t nb)
{
	struct push_dep_list *db;
	struct push_dep *d;
	size_t i;

	db = xreallocarray(NULL, nb, sizeof(*db));
	for (i = 0; i < nb; i++)
		LIST_INIT(&db[i]);
	for (i = 0; i < r->ndb; i++)
		while ((d = LIST_FIRST(&r->db[i])) != NULL) {
			LIST_REMOVE(d, hlink);
			LIST_INSERT_HEAD(&db[hash(d->key, nb)], d, hlink);
		}
	free(r->db);
	r->db = db;
	r->ndb = nb;
}

static struct push_dep *
dep_find(struct push_qreg *r, const char *key)
{
	struct push_dep *d;

	if (r->ndb == 0)
		return NULL;
	for (d = LIST_FIRST(&r->db[hash(key, r->ndb)]); d != NULL;
	     d = LIST_NEXT(d, hlink))
		if (strcmp(d->key, key) == 0)
			return d;
	return NULL;
}

/* Drops every dep of q; a dep goes with its last query. */
static void
deps_drop(struct push *p, struct push_query *q)
{
	struct push_depref *ref, *next;
	struct push_dep *d;

	for (ref = q->deps; ref != NULL; ref = next) {
		next = ref->qnext;
		d = ref->dep;
		LIST_REMOVE(ref, dlink);
		free(ref);
		if (LIST_EMPTY(&d->refs)) {
			LIST_REMOVE(d, hlink);
			p->qreg.ndeps--;
			free(d);
		}
	}
	q->deps = NULL;
}

/*
 * What q's current result embeds: keys (push_registry_dep_key, each once)
 * replace the ones it had. Can't fail.
 */
void
push_registry_set_deps(struct push *p, struct push_query *q, char *const *keys,
    size_t n)
{
	struct push_qreg *r = &p->qreg;
	struct push_depref *ref;
	struct push_dep *d;
	size_t i, len;

	deps_drop(p, q);
	for (i = 0; i < n; i++) {
		if ((d = dep_find(r, keys[i])) == NULL) {
			if (r->ndb == 0)
				dep_rehash(r, QREG_MIN_BUCKETS);
			else if (r->ndeps >= 2 * r->ndb)
				dep_rehash(r, 2 * r->ndb);
			len = strlen(keys[i]);
			d = xcalloc(1, sizeof(*d) + len + 1);
			memcpy(d->key, keys[i], len + 1);
			LIST_INIT(&d->refs);
			LIST_INSERT_HEAD(&r->db[hash(d->key, r->ndb)], d,
			    hlink);
			r->ndeps++;
		}
		ref = xcalloc(1, sizeof(*ref));
		ref->q = q;
		ref->dep = d;
		LIST_INSERT_HEAD(&d->refs, ref, dlink);
		ref->qnext = q->deps;
		q->deps = ref;
	}
}

/* Queues the queries whose result embeds the dep of key k. */
static void
touch_dep(struct push *p, const struct buf *k)
{
	struct push_dep *d;
	struct push_depref *ref;

	if ((d = dep_find(&p->qreg, k->data)) == NULL)
		return;
	LIST_FOREACH(ref, &d->refs, dlink)
	{
		p->query_checks_total++;
		if (!ref->q->dirty) {
			p->dep_marks_total++;
			push_registry_mark(p, ref->q);
		}
	}
}

/*
 * Queues the queries that embed what the change altered: the entry (in
 * its locale; each of the collection's when the change names none) or
 * media row, and any entry of its collection (inverse relations).
 */
static void
touch_deps(struct push *p, const struct store_change *ch,
    const struct collection *co)
{
	struct buf k;
	size_t i;

	if (p->qreg.ndeps == 0 || ch->document_id == NULL)
		return;
	buf_init(&k);
	push_registry_dep_key(&k, ch->collection, NULL, NULL);
	touch_dep(p, &k);
	buf_reset(&k);
	push_registry_dep_key(&k, ch->collection, ch->document_id,
	    ch->locale != NULL ? ch->locale : "");
	touch_dep(p, &k);
	for (i = 0; ch->locale == NULL && co != NULL && i < co->nlocales; i++) {
		buf_reset(&k);
		push_registry_dep_key(&k, ch->collection, ch->document_id,
		    co->locales[i]);
		touch_dep(p, &k);
	}
	buf_clear(&k);
}

/* Unregisters a query; its scope goes with the scope's last query. */
void
push_registry_remove(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc = q->scope;

	push_registry_unmark(p, q);
	deps_drop(p, q);
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
 * Queues every query the change can alter: the queries that embed it
 * (touch_deps), the scopes of its collection
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
	touch_deps(p, ch, co);
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
	free(r->db); /* empty: the queries dropped their deps */
	memset(r, 0, sizeof(*r));
	TAILQ_INIT(&r->dirty);
}
