/* registry.c: the sidecar's registry of live queries, hashed */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "push/registry.h"
#include "api/resolve.h"
#include "model/subscription.h"
#include "util/now.h"
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
static void
pred_key(struct buf *b, const struct push_ipath *ip, const char *locale,
    const char *value)
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
		pred_key(&b, ip, subscription_locale(&q->spec), k.val[i].text);
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

static struct push_dep *
dep_find(const struct push_keytab *r, const char *key)
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

	if ((d = dep_find(r, key)) == NULL) {
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

/*
 * Queues the queries whose result embeds (or whose filter matched) the
 * dep of key k: for an entry of the query's own collection, a run that
 * applies that entry (push_registry_mark_row).
 */
static void
touch_dep(struct push *p, const struct buf *k, const struct store_change *ch)
{
	struct push_dep *d;
	struct push_depref *ref;
	struct push_query *q;

	if ((d = dep_find(&p->qreg.deps, k->data)) == NULL)
		return;
	LIST_FOREACH(ref, &d->refs, dlink)
	{
		q = ref->q;
		p->query_checks_total++;
		if (q->dirty && (q->full || !q->rows_ok))
			continue;
		p->dep_marks_total++;
		if (strcmp(q->spec.coll->name, ch->collection) == 0)
			push_registry_mark_row(p, q, ch->document_id,
			    ch->locale != NULL ? ch->locale
			                       : subscription_locale(&q->spec));
		else
			push_registry_mark(p, q);
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

	if (p->qreg.deps.ndeps == 0 || ch->document_id == NULL)
		return;
	buf_init(&k);
	push_registry_dep_key(&k, ch->collection, NULL, NULL);
	touch_dep(p, &k, ch);
	buf_reset(&k);
	push_registry_dep_key(&k, ch->collection, ch->document_id,
	    ch->locale != NULL ? ch->locale : "");
	touch_dep(p, &k, ch);
	for (i = 0; ch->locale == NULL && co != NULL && i < co->nlocales; i++) {
		buf_reset(&k);
		push_registry_dep_key(&k, ch->collection, ch->document_id,
		    co->locales[i]);
		touch_dep(p, &k, ch);
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

#define FETCH_KEPT 4 /* related entries one change's checks read again */

/* A change's row against the filtered queries (touch_filtered). */
struct ftouch {
	struct push *p;
	const struct store_change *ch;
	struct filter_doc *doc; /* the new row, parsed once */
	int parsed;
	const char *loc;
	const struct push_ipath *ip;
	struct buf k;
	struct {
		char *key; /* uid, documentId, locale */
		int found;
		struct buf json;
	} kept[FETCH_KEPT]; /* the related entries read, for the next query */
	size_t nkept;
};

/*
 * filter_fetch_fn over the store: a related entry of a change's row,
 * read once for all the queries checked (the first FETCH_KEPT kept).
 */
static int
fetch(void *arg, const char *uid, const char *doc, const char *locale,
    struct buf *out)
{
	struct ftouch *t = arg;
	struct buf key;
	size_t i;
	int r;

	buf_init(&key);
	buf_printf(&key, "%s\n%s\n%s", uid, doc, locale);
	for (i = 0; i < t->nkept; i++)
		if (strcmp(t->kept[i].key, key.data) == 0) {
			buf_clear(&key);
			buf_add(out, t->kept[i].json.data, t->kept[i].json.len);
			return t->kept[i].found;
		}
	r = resolve_get_uid(t->p->conf, t->p->store, uid, doc, locale, out,
	    NULL);
	if (r != -1 && t->nkept < FETCH_KEPT) {
		i = t->nkept++;
		t->kept[i].key = buf_take(&key);
		t->kept[i].found = r;
		buf_init(&t->kept[i].json);
		if (r == 1)
			buf_add(&t->kept[i].json, out->data, out->len);
	}
	buf_clear(&key);
	return r;
}

/* Queues q when the change's new row matches its filter. */
static void
check(struct ftouch *t, struct push_query *q)
{
	struct push *p = t->p;

	p->query_checks_total++;
	if (q->dirty && (q->full || !q->rows_ok))
		return;
	if (t->doc != NULL) {
		p->filter_evals_total++;
		if (filter_doc_match(q->plan.filter, t->doc, fetch, t) == 0)
			return;
	}
	if (t->ch->document_id == NULL)
		push_registry_mark(p, q);
	else
		push_registry_mark_row(p, q, t->ch->document_id, t->loc);
}

/* The queries of the index value v (the row's text there). */
static void
on_value(void *arg, const char *v)
{
	struct ftouch *t = arg;
	struct push_depref *ref, *next;
	struct push_dep *d;

	buf_reset(&t->k);
	pred_key(&t->k, t->ip, t->loc, v);
	if ((d = dep_find(&t->p->qreg.preds, t->k.data)) == NULL)
		return;
	for (ref = LIST_FIRST(&d->refs); ref != NULL; ref = next) {
		next = LIST_NEXT(ref, dlink);
		check(t, ref->q);
	}
}

/*
 * Queues the filtered queries of the locale the change's new row
 * matches: those of each index whose values the row has (all of an
 * index when the row's value there is not text), and those without an
 * index whose guard the row meets (guard_add). What the row matched before is in the queries' deps (the
 * entries their last run matched: touch_deps): a removal needs no more.
 */
static void
touch_filtered(struct ftouch *t, const struct collection *co, const char *loc)
{
	struct push *p = t->p;
	struct push_ipath *ip;
	struct push_guard *g;
	struct push_query *q;
	int r;

	if (t->ch->json == NULL)
		return;
	t->loc = loc;
	LIST_FOREACH(ip, &p->qreg.ipaths, link)
	{
		if (ip->coll != co)
			continue;
		if (!t->parsed) {
			t->doc = filter_doc_parse(t->ch->json, t->ch->json_len);
			t->parsed = 1;
		}
		t->ip = ip;
		r = t->doc != NULL
		    ? filter_doc_values(t->doc, &ip->k, fetch, t, on_value, t)
		    : 1;
		if (r == 0)
			continue;
		LIST_FOREACH(q, &ip->queries, plink)
		if (strcmp(subscription_locale(&q->spec), loc) == 0)
			check(t, q);
	}
	LIST_FOREACH(g, &p->qreg.guards, link)
	{
		if (g->coll != co || strncmp(g->key, loc, g->loclen) != 0 ||
		    g->key[g->loclen] != '\n')
			continue;
		if (!t->parsed) {
			t->doc = filter_doc_parse(t->ch->json, t->ch->json_len);
			t->parsed = 1;
		}
		/* a row the guard rejects matches none of its queries */
		if (t->doc != NULL && g->node != NULL) {
			p->filter_evals_total++;
			if (!filter_doc_cmp(g->node, t->doc))
				continue;
		}
		LIST_FOREACH(q, &g->queries, glink)
		check(t, q);
	}
}

/*
 * The scopes of the change's collection in locale loc (its own, each of
 * the collection's when it names none, or "*") with no filter, its old
 * and new slug and category, and the filtered queries its row matches.
 */
static void
touch_locale(struct push *p, struct buf *k, struct ftouch *ft,
    const struct collection *co, const char *loc)
{
	const struct store_change *ch = ft->ch;

	touch_scope(p, k, co->name, loc, 0, NULL, ch);
	if (ch->old_slug != NULL)
		touch_scope(p, k, co->name, loc, 's', ch->old_slug, ch);
	if (ch->new_slug != NULL &&
	    (ch->old_slug == NULL || strcmp(ch->old_slug, ch->new_slug) != 0))
		touch_scope(p, k, co->name, loc, 's', ch->new_slug, ch);
	if (ch->old_category != NULL)
		touch_scope(p, k, co->name, loc, 'c', ch->old_category, ch);
	if (ch->new_category != NULL &&
	    (ch->old_category == NULL ||
	        strcmp(ch->old_category, ch->new_category) != 0))
		touch_scope(p, k, co->name, loc, 'c', ch->new_category, ch);
	touch_filtered(ft, co, loc);
}

/*
 * Queues every query the change can alter: the queries that embed it
 * or matched it (touch_deps), the scopes of its collection and locale
 * (each configured locale when the change names none, and "*") with no
 * filter, its old and new slug, and its old and new category, and the
 * filtered queries its new row matches (touch_locale). The time it takes is
 * counted (match_ns_total).
 */
void
push_registry_touch(struct push *p, const struct store_change *ch)
{
	const struct collection *co;
	const char *loc;
	struct ftouch ft;
	struct buf k;
	size_t i, nloc;
	int64_t t0;

	if (p->qreg.nkeys == 0 || ch->collection == NULL)
		return;
	t0 = now_cpu_ns();
	co = conf_collection_by_name(p->conf, ch->collection);
	touch_deps(p, ch, co);
	if (co == NULL) {
		p->match_ns_total += (uint64_t)(now_cpu_ns() - t0);
		return;
	}
	nloc = ch->locale != NULL ? 1 : co->nlocales > 0 ? co->nlocales : 1;
	memset(&ft, 0, sizeof(ft));
	ft.p = p;
	ft.ch = ch;
	buf_init(&ft.k);
	buf_init(&k);
	for (i = 0; i < nloc; i++) {
		loc = ch->locale != NULL ? ch->locale
		    : co->nlocales > 0   ? co->locales[i]
		                         : "";
		touch_locale(p, &k, &ft, co, loc);
	}
	/* and the queries of every locale (locale=*) */
	if (p->qreg.nevery > 0)
		touch_locale(p, &k, &ft, co, "*");
	buf_clear(&k);
	buf_clear(&ft.k);
	filter_doc_free(ft.doc);
	for (i = 0; i < ft.nkept; i++) {
		free(ft.kept[i].key);
		buf_clear(&ft.kept[i].json);
	}
	p->match_ns_total += (uint64_t)(now_cpu_ns() - t0);
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
