/* registry.c: the sidecar's registry of live queries, hashed */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "push/registry.h"
#include "push/registry_int.h"
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

static void key_add(struct push_keytab *, struct push_query *,
    struct push_depref **, const char *);
static void deps_drop(struct push_keytab *, struct push_depref **);

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

struct push_scope *
registry_scope_find(struct push_qreg *r, const char *key)
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

/*
 * 1 when q is found by its filter rather than by a scope: it has one, and
 * no slug or category (whose scopes a change looks up by old and new).
 */
static int
filtered(const struct push_query *q)
{
	return q->plan.filter != NULL && q->spec.slug == NULL &&
	    q->spec.category == NULL && q->spec.coll != NULL;
}

/* The key of an index value: the index's, the locale, the value. */
void
registry_pred_key(struct buf *b, const struct push_ipath *ip,
    const char *locale, const char *value)
{
	buf_adds(b, ip->key);
	buf_addc(b, '\n');
	buf_adds(b, locale);
	buf_addc(b, '\n');
	buf_adds(b, value);
}

/*
 * Puts a filtered query into the index of its filter's key (made when
 * it is the first), under each of the key's values. 0 when its filter
 * has no key (model/filter.h, filter_ikey_of).
 */
static int
index_add(struct push *p, struct push_query *q)
{
	struct push_ipath *ip;
	struct filter_ikey k;
	struct buf b;
	size_t i;

	if (!filter_ikey_of(q->plan.filter, &k))
		return 0;
	buf_init(&b);
	buf_adds(&b, q->spec.coll->name);
	buf_addc(&b, '\n');
	if (k.rel != NULL)
		buf_adds(&b, k.rel);
	buf_addc(&b, '\n');
	buf_adds(&b, k.attr);
	LIST_FOREACH(ip, &p->qreg.ipaths, link)
	if (strcmp(ip->key, b.data) == 0)
		break;
	if (ip == NULL) {
		ip = xcalloc(1, sizeof(*ip) + b.len + 1);
		memcpy(ip->key, b.data, b.len + 1);
		ip->coll = q->spec.coll;
		ip->k.rel = k.rel != NULL ? xstrdup(k.rel) : NULL;
		ip->k.target = k.target != NULL ? xstrdup(k.target) : NULL;
		ip->k.attr = xstrdup(k.attr);
		LIST_INIT(&ip->queries);
		LIST_INSERT_HEAD(&p->qreg.ipaths, ip, link);
	}
	q->ipath = ip;
	LIST_INSERT_HEAD(&ip->queries, q, plink);
	for (i = 0; i < k.nval; i++) {
		buf_reset(&b);
		registry_pred_key(&b, ip, subscription_locale(&q->spec),
		    k.val[i].text);
		key_add(&p->qreg.preds, q, &q->preds, b.data);
	}
	buf_clear(&b);
	return 1;
}

/* Takes q out of its index; the index goes with its last query. */
static void
index_remove(struct push *p, struct push_query *q)
{
	struct push_ipath *ip = q->ipath;

	deps_drop(&p->qreg.preds, &q->preds);
	if (ip == NULL)
		return;
	LIST_REMOVE(q, plink);
	q->ipath = NULL;
	if (!LIST_EMPTY(&ip->queries))
		return;
	LIST_REMOVE(ip, link);
	free((char *)ip->k.rel);
	free((char *)ip->k.target);
	free((char *)ip->k.attr);
	free(ip);
}

#define GUARD_CANDIDATES 8 /* conditions of a filter looked at for a guard */

/* The guard of key k (locale, '\n', condition) of collection co, or NULL. */
static struct push_guard *
guard_find(struct push *p, const struct collection *co, const struct buf *k)
{
	struct push_guard *g;

	LIST_FOREACH(g, &p->qreg.guards, link)
	if (g->coll == co && strcmp(g->key, k->data) == 0)
		return g;
	return NULL;
}

/*
 * Puts a filtered query without an index key under a guard: of the
 * conditions its filter requires of the row (model/filter.h,
 * filter_musts), the one other queries already share the most, else
 * the best splitting one; none: the guard that always holds.
 */
static void
guard_add(struct push *p, struct push_query *q)
{
	const struct filter_node *c[GUARD_CANDIDATES];
	const char *loc = subscription_locale(&q->spec);
	struct push_guard *g, *best = NULL;
	struct buf k;
	size_t i, n, pick = 0;

	n = filter_musts(q->plan.filter, c, GUARD_CANDIDATES);
	buf_init(&k);
	for (i = 0; i < n; i++) {
		buf_reset(&k);
		buf_adds(&k, loc);
		buf_addc(&k, '\n');
		filter_cmp_key(c[i], &k);
		g = guard_find(p, q->spec.coll, &k);
		if (g != NULL &&
		    (best == NULL || g->nqueries > best->nqueries)) {
			best = g;
			pick = i;
		}
	}
	q->gnode = n > 0 ? c[pick] : NULL;
	if ((g = best) == NULL) {
		buf_reset(&k);
		buf_adds(&k, loc);
		buf_addc(&k, '\n');
		if (q->gnode != NULL)
			filter_cmp_key(q->gnode, &k);
		if ((g = guard_find(p, q->spec.coll, &k)) == NULL) {
			g = xcalloc(1, sizeof(*g) + k.len + 1);
			memcpy(g->key, k.data, k.len + 1);
			g->loclen = strlen(loc);
			g->coll = q->spec.coll;
			g->node = q->gnode;
			LIST_INIT(&g->queries);
			LIST_INSERT_HEAD(&p->qreg.guards, g, link);
		}
	}
	buf_clear(&k);
	q->guard = g;
	g->nqueries++;
	LIST_INSERT_HEAD(&g->queries, q, glink);
}

/* Takes q from its guard; the guard goes with its last query. */
static void
guard_remove(struct push_query *q)
{
	struct push_guard *g = q->guard;

	if (g == NULL)
		return;
	LIST_REMOVE(q, glink);
	q->guard = NULL;
	q->gnode = NULL;
	if (--g->nqueries > 0) {
		g->node = LIST_FIRST(&g->queries)->gnode;
		return;
	}
	LIST_REMOVE(g, link);
	free(g);
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
	if (subscription_every_locale(&q->spec))
		r->nevery++;
	buf_init(&k);
	if (filtered(q)) {
		/* by its index values, or evaluated on every change */
		if (index_add(p, q)) {
			buf_clear(&k);
			return;
		}
		guard_add(p, q);
		subscription_scope_key(&k, q->spec.coll->name,
		    subscription_locale(&q->spec), 'f', "");
	} else
		subscription_spec_scope(&q->spec, &k);
	if ((sc = registry_scope_find(r, k.data)) == NULL) {
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
dep_rehash(struct push_keytab *r, size_t nb)
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

struct push_dep *
registry_dep_find(const struct push_keytab *r, const char *key)
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

/* Drops every key of the list *head (q's); a key goes with its last query. */
static void
deps_drop(struct push_keytab *r, struct push_depref **head)
{
	struct push_depref *ref, *next;
	struct push_dep *d;

	for (ref = *head; ref != NULL; ref = next) {
		next = ref->qnext;
		d = ref->dep;
		LIST_REMOVE(ref, dlink);
		free(ref);
		if (LIST_EMPTY(&d->refs)) {
			LIST_REMOVE(d, hlink);
			r->ndeps--;
			free(d);
		}
	}
	*head = NULL;
}

/* Adds q under key in r, on the list *head (q's). */
static void
key_add(struct push_keytab *r, struct push_query *q, struct push_depref **head,
    const char *key)
{
	struct push_depref *ref;
	struct push_dep *d;
	size_t len;

	if ((d = registry_dep_find(r, key)) == NULL) {
		if (r->ndb == 0)
			dep_rehash(r, QREG_MIN_BUCKETS);
		else if (r->ndeps >= 2 * r->ndb)
			dep_rehash(r, 2 * r->ndb);
		len = strlen(key);
		d = xcalloc(1, sizeof(*d) + len + 1);
		memcpy(d->key, key, len + 1);
		LIST_INIT(&d->refs);
		LIST_INSERT_HEAD(&r->db[hash(d->key, r->ndb)], d, hlink);
		r->ndeps++;
	}
	ref = xcalloc(1, sizeof(*ref));
	ref->q = q;
	ref->dep = d;
	LIST_INSERT_HEAD(&d->refs, ref, dlink);
	ref->qnext = *head;
	*head = ref;
}

/*
 * What q's current result embeds, and for a filtered query the entries
 * it matched: keys (push_registry_dep_key, each once) replace the ones
 * it had. Can't fail.
 */
void
push_registry_set_deps(struct push *p, struct push_query *q, char *const *keys,
    size_t n)
{
	size_t i;

	deps_drop(&p->qreg.deps, &q->deps);
	for (i = 0; i < n; i++)
		key_add(&p->qreg.deps, q, &q->deps, keys[i]);
}

/* Unregisters a query; its scope goes with the scope's last query. */
void
push_registry_remove(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;
	struct push_scope *sc = q->scope;

	push_registry_unmark(p, q);
	deps_drop(&r->deps, &q->deps);
	index_remove(p, q);
	guard_remove(q);
	LIST_REMOVE(q, hlink);
	r->nkeys--;
	if (subscription_every_locale(&q->spec))
		r->nevery--;
	if (sc == NULL)
		return;
	LIST_REMOVE(q, slink);
	q->scope = NULL;
	if (!LIST_EMPTY(&sc->queries))
		return;
	LIST_REMOVE(sc, hlink);
	free(sc);
}

#define PUSH_MAX_PENDING 64 /* entries a run applies; more: it scans */

/* Queues a query for recomputation (once): a run that scans. */
void
push_registry_mark(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;

	q->full = 1;
	if (q->dirty || q->over)
		return;
	q->dirty = 1;
	r->ndirty++;
	TAILQ_INSERT_TAIL(&r->dirty, q, dlink);
}

/*
 * Queues a query for a run that applies the change of one entry of its
 * own collection (documentId doc, locale) to the matches it keeps: the
 * page alone is read (push/query.c). A query that keeps none runs in
 * full.
 */
void
push_registry_mark_row(struct push *p, struct push_query *q, const char *doc,
    const char *locale)
{
	size_t dl = strlen(doc), ll = strlen(locale);
	char *e;

	if (q->over)
		return;
	if (!q->rows_ok || q->full || q->npending == PUSH_MAX_PENDING) {
		push_registry_mark(p, q);
		return;
	}
	e = xmalloc(dl + ll + 2);
	memcpy(e, doc, dl + 1);
	memcpy(e + dl + 1, locale, ll + 1);
	q->pending =
	    xreallocarray(q->pending, q->npending + 1, sizeof(*q->pending));
	q->pending[q->npending++] = e;
	if (q->dirty)
		return;
	q->dirty = 1;
	p->qreg.ndirty++;
	TAILQ_INSERT_TAIL(&p->qreg.dirty, q, dlink);
}

/* Takes a query off the recomputation queue, if it is on it. */
void
push_registry_unmark(struct push *p, struct push_query *q)
{
	struct push_qreg *r = &p->qreg;

	if (!q->dirty)
		return;
	q->dirty = 0;
	r->ndirty--;
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
	free(r->deps.db); /* empty: the queries dropped their keys */
	free(r->preds.db);
	memset(r, 0, sizeof(*r));
	TAILQ_INIT(&r->dirty);
	LIST_INIT(&r->ipaths);
	LIST_INIT(&r->guards);
}
