/* registry_touch.c: which live queries a change touches */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "push/registry.h"
#include "push/registry_int.h"
#include "api/resolve.h"
#include "model/subscription.h"
#include "util/now.h"
#include "util/xmalloc.h"

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

	if ((d = registry_dep_find(&p->qreg.deps, k->data)) == NULL)
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

static void
touch_scope(struct push *p, struct buf *k, const char *coll, const char *locale,
    char kind, const char *value, const struct store_change *ch)
{
	struct push_scope *sc;
	struct push_query *q;

	buf_reset(k);
	subscription_scope_key(k, coll, locale, kind, value);
	if ((sc = registry_scope_find(&p->qreg, k->data)) == NULL)
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
	registry_pred_key(&t->k, t->ip, t->loc, v);
	if ((d = registry_dep_find(&t->p->qreg.preds, t->k.data)) == NULL)
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
