/* sync_reconcile.c: removes what Strapi no longer has, once confirmed */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/entry_doc.h"
#include "model/entry.h"
#include "util/log.h"
#include "upstream/seen.h"
#include "upstream/strapi.h"
#include "upstream/sync_int.h"
#include "util/xmalloc.h"

/*
 * Reconciliation removes what Strapi no longer has, and only after a pass
 * that looks complete: every page fetched and valid, the same total on
 * every page (an insert or delete mid-pass shifts the pages), and at least
 * total distinct documents seen. Only entries written before the pass
 * began and not seen by it are candidates (a webhook that published
 * something during the pass knows better than we do). That is not proof:
 * a delete behind the pass and a create ahead of it keep the total and
 * the distinct count, yet shift one document past the pass. So Strapi is
 * asked for the candidates by documentId (filters[documentId][$in], a
 * batch per request); those it returns are kept (and written like a
 * page), and the others are removed only when every answer was usable.
 * Each is removed at its stored version, so a webhook that wrote a newer
 * one meanwhile still wins.
 */

struct candidate {
	char *doc;
	int64_t updated_at, published_at;
	int upstream; /* Strapi still has it */
};

struct cands {
	const struct sync_pass *p;
	struct candidate *v;
	size_t n, cap;
};

static int
collect_gone(void *arg, const struct store_item *it)
{
	struct cands *cs = arg;

	if (strcmp(it->locale, cs->p->locale) != 0 ||
	    it->seq > cs->p->start_seq ||
	    seen_has(&cs->p->seen, it->document_id))
		return 0;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap == 0 ? 64 : cs->cap * 2;
		cs->v = xreallocarray(cs->v, cs->cap, sizeof(*cs->v));
	}
	cs->v[cs->n].doc = xstrdup(it->document_id);
	cs->v[cs->n].updated_at = it->updated_at;
	cs->v[cs->n].published_at = it->published_at;
	cs->v[cs->n].upstream = 0;
	cs->n++;
	return 0;
}

/* Marks the candidates the page names as still upstream. -1: no id. */
static int
mark_upstream(struct candidate *v, size_t n, const struct strapi_page *pg)
{
	struct json_object *d;
	size_t i, j, m = json_object_array_length(pg->data);

	for (j = 0; j < m; j++) {
		if (!json_object_object_get_ex(
		        json_object_array_get_idx(pg->data, (int)j),
		        "documentId", &d) ||
		    !json_object_is_type(d, json_type_string))
			return -1;
		for (i = 0; i < n; i++)
			if (strcmp(v[i].doc, json_object_get_string(d)) == 0)
				v[i].upstream = 1;
	}
	return 0;
}

/*
 * Asks Strapi which of the candidates v[0..n) it still has, n at most
 * STRAPI_FIND_MAX. The pass did not see them, yet Strapi may have them: a
 * delete behind the pass and a create ahead of it keep the total but
 * shift a document onto a page already read. Those are marked upstream
 * and written like a page. Returns 0 (p->incomplete set when the answer
 * is not usable), or -1 (store failed).
 */
static int
confirm_gone(struct sync_pass *p, struct candidate *v, size_t n)
{
	const char *ids[STRAPI_FIND_MAX];
	struct strapi_page pg;
	enum strapi_status s;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++)
		ids[i] = v[i].doc;
	s = strapi_find_in(p->api, p->coll->plural, p->locale, "documentId",
	    ids, n, &pg);
	if (s != STRAPI_OK) {
		log_warnx("sync: GET %s: %s; nothing will be pruned",
		    sync_where(p), strapi_why(p->api));
		p->incomplete = 1;
		return 0;
	}
	if (pg.total > (int64_t)json_object_array_length(pg.data) ||
	    mark_upstream(v, n, &pg) == -1) {
		log_warnx("sync: %s: not every match, or one without a "
		          "documentId; nothing will be pruned",
		    sync_where(p));
		p->incomplete = 1;
	} else if (sync_store_page(p, &pg) == -1)
		rc = -1;
	strapi_page_clear(&pg);
	for (i = 0; i < n && rc == 0 && !p->incomplete; i++)
		if (v[i].upstream)
			log_info("sync: %s/%s%s%s: not seen by the pass but "
			         "still upstream (entries moved during the "
			         "pass); kept",
			    p->coll->plural, v[i].doc, p->locale[0] ? "@" : "",
			    p->locale);
	return rc;
}

/*
 * Removes what Strapi no longer has: the entries not seen by the pass
 * that Strapi confirms it does not have. Returns 0 (p->incomplete set when
 * a confirmation failed: then nothing is removed), or -1 (store failed).
 */
int
sync_reconcile(struct sync_pass *p)
{
	struct cands cs;
	struct entry e[STRAPI_FIND_MAX];
	struct store_doc doc[STRAPI_FIND_MAX];
	struct store_write w[STRAPI_FIND_MAX];
	struct candidate *v;
	size_t i, j, k, n;
	int rc = 0;

	memset(&cs, 0, sizeof(cs));
	cs.p = p;
	/* Collected first: no write while the snapshot cursor is open. */
	if (store_iter_entries(p->store, p->coll->name, collect_gone, &cs) ==
	    -1)
		return -1;
	/* A whole answer (a single type, the files): nothing moved past it. */
	for (i = 0; i < cs.n && rc == 0 && !p->incomplete && !p->whole;
	     i += n) {
		n = cs.n - i < STRAPI_FIND_MAX ? cs.n - i : STRAPI_FIND_MAX;
		rc = confirm_gone(p, cs.v + i, n);
	}
	for (i = 0; i < cs.n && rc == 0 && !p->incomplete; i += n) {
		n = cs.n - i < STRAPI_FIND_MAX ? cs.n - i : STRAPI_FIND_MAX;
		v = cs.v + i;
		for (j = k = 0; j < n; j++) {
			if (v[j].upstream)
				continue;
			entry_init(&e[k]);
			e[k].coll = p->coll;
			e[k].document_id = v[j].doc;
			e[k].locale = (char *)(uintptr_t)p->locale;
			e[k].updated_at = v[j].updated_at;
			e[k].published_at = v[j].published_at;
			w[k].op = p->gone_op;
			entry_doc(&doc[k], &e[k]);
			w[k].doc = &doc[k];
			k++;
		}
		if (sync_apply(p, w, k) == -1) {
			rc = -1;
			break;
		}
		for (j = 0; j < k; j++) {
			if (w[j].result == STORE_OK) {
				p->c->removed++;
				log_info("sync: %s/%s%s%s: gone upstream, "
				         "removed",
				    p->coll->plural, e[j].document_id,
				    p->locale[0] ? "@" : "", p->locale);
			}
		}
	}
	for (i = 0; i < cs.n; i++)
		free(cs.v[i].doc);
	free(cs.v);
	return rc;
}
