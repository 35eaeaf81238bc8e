/* sync.c: pulls every collection from Strapi's REST API and reconciles */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api/entry_doc.h"
#include "api/rich.h"
#include "model/entry.h"
#include "model/normalize.h"
#include "util/hmac.h"
#include "util/log.h"
#include "util/now.h"
#include "upstream/seen.h"
#include "upstream/strapi.h"
#include "upstream/sync.h"
#include "util/xmalloc.h"

#define SYNC_MAX_PAGES 10000000 /* a guard against a server that loops */

/*
 * A sync pass reads one (collection, locale) page by page, sorted by
 * documentId, and writes each page through store_apply_batch in one
 * transaction, with the same version rules as webhooks: a page never
 * overwrites a newer version a webhook stored, nor brings back a removed
 * one (tombstone). Sorting by documentId keeps a document on its page when
 * it is edited or republished mid-pass (sorting by id or publishedAt
 * would move it and shift the pages after it).
 *
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

struct pass {
	const struct conf *conf;
	struct store *store;
	struct strapi *api;
	const struct sync_opts *o;
	struct sync_result *res;
	const struct collection *coll;
	const struct schema_type *t; /* the schema's type, or NULL: flat */
	const char *locale;
	int whole;             /* one answer holds everything: no confirming */
	enum store_op gone_op; /* what reconciling does to a gone entry */
	struct sync_counts *c;
	struct seen seen; /* the documentIds the pass saw */
	int incomplete;
	uint64_t start_seq;
};

void
sync_opts_init(struct sync_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->retries = 4;
	o->backoff_ms = 250;
	o->page_size = 100;
}

const char *
sync_status_name(enum sync_status s)
{
	switch (s) {
	case SYNC_OK:
		return "ok";
	case SYNC_INCOMPLETE:
		return "incomplete";
	case SYNC_UPSTREAM:
		return "upstream";
	case SYNC_AUTH:
		return "auth";
	case SYNC_BAD_ANSWER:
		return "bad-answer";
	case SYNC_STORE:
		return "store";
	case SYNC_BUSY:
		return "busy";
	case SYNC_USAGE:
		break;
	}
	return "usage";
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sets the result's error once (the first reason is the one to report). */
static void fail(struct sync_result *r, enum sync_status s, const char *fmt,
    ...) PRINTFLIKE(3, 4);

static void
fail(struct sync_result *r, enum sync_status s, const char *fmt, ...)
{
	va_list ap;

	if (r->error != NULL)
		return;
	r->status = s;
	va_start(ap, fmt);
	if (vasprintf(&r->error, fmt, ap) < 0)
		fatalx("vasprintf");
	va_end(ap);
}

/*
 * Takes the sync lock: an fcntl write lock on <store_dir>/sync.lock,
 * released when the process ends, however it ends. Returns the fd, or -1
 * with errno (EAGAIN/EACCES: another sync holds it).
 */
static int
lock_sync(const char *dir)
{
	struct flock fl;
	char path[PATH_MAX];
	int fd, saved;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
	        SYNC_LOCK_NAME) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
apply(struct pass *p, struct store_write *w, size_t n)
{
	if (n == 0)
		return 0;
	if (p->o->dry_run)
		return store_apply_batch_dry(p->store, w, n);
	/* No event record: an unchanged page must write nothing at all. */
	return store_apply_batch(p->store, w, n, NULL);
}

static const char *
where(const struct pass *p)
{
	return strapi_last_url(p->api);
}

/* Counts a written entry's result. -1: the store failed it. */
static int
count(struct pass *p, enum store_result r)
{
	switch (r) {
	case STORE_OK:
		p->c->upserted++;
		break;
	case STORE_UNCHANGED:
		p->c->unchanged++;
		break;
	case STORE_STALE:
		p->c->stale++;
		break;
	default:
		return -1;
	}
	return 0;
}

/*
 * Validates and writes one page. An entry of a type the schema describes
 * is normalized and written as a webhook delivery of it is (rich.h), with
 * the media rows it carries. Returns 0, or -1 (store failed).
 */
static int
store_page(struct pass *p, const struct strapi_page *pg)
{
	size_t n = json_object_array_length(pg->data), i, k = 0;
	struct entry *e = xcalloc(n > 0 ? n : 1, sizeof(*e));
	struct norm *nm = xcalloc(n > 0 ? n : 1, sizeof(*nm));
	size_t *at = xcalloc(n > 0 ? n : 1, sizeof(*at));
	struct store_doc *doc = xcalloc(n > 0 ? n : 1, sizeof(*doc));
	struct json_object *o;
	struct rich_batch b;
	const char *why;
	int rc = 0;

	rich_batch_init(&b);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(pg->data, (int)i);
		entry_init(&e[k]);
		norm_init(&nm[k]);
		if (entry_from_json(&e[k], p->coll, o, &why) == -1 ||
		    (p->t != NULL &&
		        normalize_entry(&nm[k], p->o->schema, p->t, o, &why) ==
		            -1)) {
			p->c->invalid++;
			p->incomplete = 1;
			log_warnx("sync: %s: data[%zu]: %s; nothing will be "
			          "pruned",
			    where(p), i, why);
			entry_clear(&e[k]);
			norm_clear(&nm[k]);
			continue;
		}
		seen_add(&p->seen, e[k].document_id);
		if (!entry_is_published(&e[k])) {
			/* A draft (status=draft is never asked): not public. */
			entry_clear(&e[k]);
			norm_clear(&nm[k]);
			continue;
		}
		if (p->locale[0] != '\0' &&
		    strcmp(e[k].locale, p->locale) != 0) {
			/* Types without a locale key in the answer. */
			free(e[k].locale);
			e[k].locale = xstrdup(p->locale);
		}
		entry_doc(&doc[k], &e[k]);
		if (p->t != NULL)
			at[k] = rich_batch_add(&b, p->o->schema,
			    STORE_OP_UPSERT, &doc[k], &nm[k]);
		else
			at[k] =
			    rich_batch_add_doc(&b, STORE_OP_UPSERT, &doc[k]);
		k++;
	}
	p->c->fetched += n;
	if (apply(p, b.w, b.nw) == -1) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < k; i++)
		if (count(p, b.w[at[i]].result) == -1)
			rc = -1;
out:
	rich_batch_clear(&b);
	for (i = 0; i < k; i++) {
		entry_clear(&e[i]);
		norm_clear(&nm[i]);
	}
	free(e);
	free(nm);
	free(at);
	free(doc);
	return rc;
}

struct candidate {
	char *doc;
	int64_t updated_at, published_at;
	int upstream; /* Strapi still has it */
};

struct cands {
	const struct pass *p;
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
confirm_gone(struct pass *p, struct candidate *v, size_t n)
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
		log_warnx("sync: GET %s: %s; nothing will be pruned", where(p),
		    strapi_why(p->api));
		p->incomplete = 1;
		return 0;
	}
	if (pg.total > (int64_t)json_object_array_length(pg.data) ||
	    mark_upstream(v, n, &pg) == -1) {
		log_warnx("sync: %s: not every match, or one without a "
		          "documentId; nothing will be pruned",
		    where(p));
		p->incomplete = 1;
	} else if (store_page(p, &pg) == -1)
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
static int
reconcile(struct pass *p)
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
		if (apply(p, w, k) == -1) {
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

static enum sync_status
status_of(enum strapi_status s)
{
	switch (s) {
	case STRAPI_OK:
		return SYNC_OK;
	case STRAPI_ERR_AUTH:
		return SYNC_AUTH;
	case STRAPI_ERR_PARSE:
		return SYNC_BAD_ANSWER;
	case STRAPI_ERR_NET:
	case STRAPI_ERR_HTTP:
		break;
	}
	return SYNC_UPSTREAM;
}

/*
 * One (collection, locale) pass. Returns 0 when the sync may go on (the
 * pass may still be incomplete), -1 when it must stop (res has why).
 */
static int
run_pass(struct pass *p)
{
	struct strapi_page pg;
	struct sync_progress pr;
	enum strapi_status s;
	int64_t page, total = -1;
	size_t distinct;

	if (store_last_seq(p->store, &p->start_seq) == -1) {
		fail(p->res, SYNC_STORE, "the store could not be read");
		return -1;
	}
	for (page = 1; page <= SYNC_MAX_PAGES; page++) {
		if (p->coll->single)
			s = strapi_get_single(p->api, p->coll->name, p->locale,
			    &pg);
		else
			s = strapi_list_page(p->api, p->coll->plural, p->locale,
			    SYNC_SORT, page, p->o->page_size, &pg);
		if (s != STRAPI_OK) {
			fail(p->res, status_of(s), "GET %s: %s", where(p),
			    strapi_why(p->api));
			return -1;
		}
		if (total == -1)
			total = pg.total;
		else if (pg.total != total && !p->incomplete) {
			log_warnx("sync: %s: total changed from %" PRId64
			          " to %" PRId64
			          " during the pass; nothing will be "
			          "pruned",
			    where(p), total, pg.total);
			p->incomplete = 1;
		}
		if (store_page(p, &pg) == -1) {
			strapi_page_clear(&pg);
			fail(p->res, SYNC_STORE,
			    "the store failed while "
			    "writing %s",
			    where(p));
			return -1;
		}
		if (p->o->progress != NULL) {
			pr.collection = p->coll->plural;
			pr.locale = p->locale;
			pr.page = page;
			pr.page_count = pg.page_count;
			pr.done = p->c->fetched;
			pr.total = (uint64_t)pg.total;
			p->o->progress(p->o->progress_arg, &pr);
		}
		if (json_object_array_length(pg.data) == 0 ||
		    page >= pg.page_count) {
			total = pg.total;
			strapi_page_clear(&pg);
			break;
		}
		strapi_page_clear(&pg);
	}
	distinct = seen_finish(&p->seen);
	if (!p->incomplete && (int64_t)distinct < total) {
		log_warnx("sync: %s/%s: %zu distinct entries for a total of "
		          "%" PRId64
		          " (entries moved during the pass); nothing will "
		          "be pruned",
		    p->coll->plural, p->locale, distinct, total);
		p->incomplete = 1;
	}
	if (p->incomplete) {
		p->c->complete = 0;
		return 0;
	}
	if (!p->o->no_prune && reconcile(p) == -1) {
		fail(p->res, SYNC_STORE,
		    "the store failed while removing "
		    "entries of %s",
		    p->coll->plural);
		return -1;
	}
	if (p->incomplete)
		p->c->complete = 0;
	return 0;
}

/* The media library, as the store keeps it (rich.h). */
static char files_name[] = RICH_MEDIA_COLLECTION;
static char files_plural[] = "upload/files";
static const struct collection files_coll = {
	.name = files_name,
	.plural = files_plural,
};

/*
 * The media library pass: /api/upload/files (one bare array, no pages)
 * into media rows, as media.* deliveries store them; a file Strapi no
 * longer lists is deleted, as media.delete does. Returns as run_pass.
 */
static int
run_files(struct pass *p)
{
	struct strapi_page pg;
	struct norm_media *m;
	struct store_doc *docs;
	char(*ids)[24];
	struct rich_batch b;
	enum strapi_status s;
	const char *why;
	size_t n, i, k = 0;
	int rc = 0;

	if (store_last_seq(p->store, &p->start_seq) == -1) {
		fail(p->res, SYNC_STORE, "the store could not be read");
		return -1;
	}
	if ((s = strapi_get_files(p->api, &pg)) != STRAPI_OK) {
		fail(p->res, status_of(s), "GET %s: %s", where(p),
		    strapi_why(p->api));
		return -1;
	}
	n = json_object_array_length(pg.data);
	m = xcalloc(n + 1, sizeof(*m));
	docs = xcalloc(n + 1, sizeof(*docs));
	ids = xcalloc(n + 1, sizeof(*ids));
	rich_batch_init(&b);
	for (i = 0; i < n; i++) {
		if (normalize_media(&m[k],
		        json_object_array_get_idx(pg.data, (int)i),
		        &why) == -1) {
			p->c->invalid++;
			p->incomplete = 1;
			log_warnx("sync: %s: [%zu]: %s; nothing will be pruned",
			    where(p), i, why);
			continue;
		}
		rich_media_doc(&docs[k], &m[k], ids[k]);
		seen_add(&p->seen, ids[k]);
		rich_batch_add_doc(&b, STORE_OP_UPSERT, &docs[k]);
		k++;
	}
	p->c->fetched += n;
	if (apply(p, b.w, b.nw) == -1)
		rc = -1;
	for (i = 0; i < b.nw && rc == 0; i++)
		rc = count(p, b.w[i].result);
	(void)seen_finish(&p->seen);
	if (rc == 0 && !p->incomplete && !p->o->no_prune)
		rc = reconcile(p);
	if (p->incomplete)
		p->c->complete = 0;
	if (rc == -1)
		fail(p->res, SYNC_STORE, "the store failed while writing %s",
		    where(p));
	rich_batch_clear(&b);
	for (i = 0; i < k; i++)
		norm_media_clear(&m[i]);
	free(m);
	free(docs);
	free(ids);
	strapi_page_clear(&pg);
	return rc;
}

/* Appends s to b, percent-encoding all but letters, digits, "_" and "-". */
static void
add_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
			buf_addc(b, *s);
		else
			buf_printf(b, "%%%02X", (unsigned char)*s);
	}
}

/*
 * The populate query for a type: every relation and media one level (a
 * relation's target as documentId and locale, a media's file objects),
 * and every component and dynamic zone with populate=* inside, which
 * reaches the relations and media of their components (what a webhook
 * payload carries). NULL when the type has nothing to populate.
 */
static char *
populate_query(const struct schema_type *t)
{
	const struct schema_attr *a;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < t->nattrs; i++) {
		a = &t->attrs[i];
		if (a->private ||
		    (a->kind == SCHEMA_RELATION && a->target[0] == '\0') ||
		    a->kind == SCHEMA_SCALAR)
			continue;
		if (b.len > 0)
			buf_addc(&b, '&');
		buf_adds(&b, "populate%5B");
		add_escaped(&b, a->name);
		if (a->kind == SCHEMA_COMPONENT ||
		    a->kind == SCHEMA_DYNAMICZONE)
			buf_adds(&b, "%5D%5Bpopulate%5D=*");
		else
			buf_adds(&b, "%5D=true");
	}
	if (b.len == 0) {
		buf_clear(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Sets up p for one (collection, locale) of co, as the schema has it. */
static void
pass_init(struct pass *p, struct collection *rcoll, const struct collection *co,
    const struct sync_opts *o)
{
	p->coll = co;
	p->gone_op = STORE_OP_REMOVE;
	p->whole = co->single;
	if ((p->t = rich_type(o->schema, co)) != NULL) {
		*rcoll = *co;
		rich_index_fields(rcoll, p->t);
		p->coll = rcoll;
	}
}

/*
 * Syncs every configured collection (or o->collection only) from Strapi
 * into st. Holds the sync lock throughout (SYNC_BUSY when another sync
 * has it). Fills res (cleared with sync_result_clear) and returns its
 * status: SYNC_OK, SYNC_INCOMPLETE (written but not pruned), or why it
 * stopped, with res->error naming the URL and the reason.
 */
enum sync_status
sync_run(const struct conf *conf, struct store *st, const struct sync_opts *o,
    struct sync_result *res)
{
	struct strapi_opts so;
	struct strapi *api = NULL;
	struct pass p;
	struct collection rcoll;
	const struct collection *only = NULL, *co;
	char *pq;
	size_t i, j;
	int lock = -1, stop = 0;
	double t0 = now_s();

	memset(res, 0, sizeof(*res));
	res->dry_run = o->dry_run;
	if (conf_str(conf, CFG_STRAPI_URL)[0] == '\0') {
		fail(res, SYNC_USAGE, "strapi_url (STRAPI_URL) is not set");
		goto out;
	}
	if (o->collection != NULL &&
	    (only = conf_collection_by_name(conf, o->collection)) == NULL) {
		fail(res, SYNC_USAGE, "no configured collection '%s'",
		    o->collection);
		goto out;
	}
	if ((lock = lock_sync(store_dir(st))) == -1) {
		if (errno == EAGAIN || errno == EACCES)
			fail(res, SYNC_BUSY, "another sync is running on %s",
			    store_dir(st));
		else
			fail(res, SYNC_STORE, "%s/%s: %s", store_dir(st),
			    SYNC_LOCK_NAME, strerror(errno));
		goto out;
	}
	strapi_opts_conf(&so, conf);
	so.retries = o->retries;
	so.backoff_ms = o->backoff_ms;
	if (strapi_open(&api, &so) == -1) {
		fail(res, SYNC_UPSTREAM, "libcurl could not start");
		goto out;
	}
	res->colls = xcalloc(conf_ncollections(conf) + 2, sizeof(*res->colls));
	for (i = 0; i < conf_ncollections(conf) && !stop; i++) {
		co = conf_collection(conf, i);
		if (only != NULL && co != only)
			continue;
		res->colls[res->ncolls].coll = co;
		res->colls[res->ncolls].c.complete = 1;
		res->colls[res->ncolls].c.ran = 1;
		pq = NULL;
		if (rich_type(o->schema, co) != NULL)
			pq = populate_query(rich_type(o->schema, co));
		strapi_set_populate(api, pq);
		free(pq);
		for (j = 0; j < co->nlocales && !stop; j++) {
			memset(&p, 0, sizeof(p));
			pass_init(&p, &rcoll, co, o);
			p.conf = conf;
			p.store = st;
			p.api = api;
			p.o = o;
			p.res = res;
			p.locale = co->locales[j];
			p.c = &res->colls[res->ncolls].c;
			if (run_pass(&p) == -1) {
				p.c->complete = 0;
				stop = 1;
			}
			seen_clear(&p.seen);
		}
		res->ncolls++;
	}
	strapi_set_populate(api, NULL);
	/* With a schema, the media library too (not for one collection). */
	if (o->schema != NULL && only == NULL && !stop) {
		res->colls[res->ncolls].coll = &files_coll;
		res->colls[res->ncolls].c.complete = 1;
		res->colls[res->ncolls].c.ran = 1;
		memset(&p, 0, sizeof(p));
		p.conf = conf;
		p.store = st;
		p.api = api;
		p.o = o;
		p.res = res;
		p.coll = &files_coll;
		p.locale = "";
		p.whole = 1;
		p.gone_op = STORE_OP_DELETE;
		p.c = &res->colls[res->ncolls].c;
		if (run_files(&p) == -1)
			p.c->complete = 0;
		seen_clear(&p.seen);
		res->ncolls++;
	}
	for (i = 0; i < res->ncolls && res->status == SYNC_OK; i++)
		if (!res->colls[i].c.complete)
			fail(res, SYNC_INCOMPLETE,
			    "%s: the pass was not "
			    "complete; nothing was removed (run sync again)",
			    res->colls[i].coll->plural);
	res->requests = strapi_requests(api);
	res->connections = strapi_connections(api);
	if (!o->dry_run) {
		(void)store_meta_set(st, "last_sync_attempt", now_wall_ms());
		if (res->status == SYNC_OK)
			(void)store_meta_set(st, "last_sync", now_wall_ms());
	}
out:
	strapi_close(api);
	if (lock != -1)
		close(lock);
	res->seconds = now_s() - t0;
	return res->status;
}

/* Writes the machine-readable summary (the --json and sync.fcgi body). */
void
sync_result_json(const struct sync_result *r, struct buf *b)
{
	const struct sync_counts *c;
	size_t i;

	buf_adds(b, "{\"collections\":{");
	for (i = 0; i < r->ncolls; i++) {
		c = &r->colls[i].c;
		if (i > 0)
			buf_addc(b, ',');
		buf_add_json_string(b, r->colls[i].coll->plural,
		    strlen(r->colls[i].coll->plural));
		buf_printf(b,
		    ":{\"fetched\":%" PRIu64 ",\"upserted\":%" PRIu64
		    ",\"unchanged\":%" PRIu64 ",\"stale\":%" PRIu64
		    ",\"invalid\":%" PRIu64 ",\"removed\":%" PRIu64
		    ",\"complete\":%s}",
		    c->fetched, c->upserted, c->unchanged, c->stale, c->invalid,
		    c->removed, c->complete ? "true" : "false");
	}
	buf_printf(b,
	    "},\"seconds\":%.3f,\"status\":\"%s\",\"dryRun\":%s,"
	    "\"requests\":%u,\"connections\":%u,\"error\":",
	    r->seconds, sync_status_name(r->status),
	    r->dry_run ? "true" : "false", r->requests, r->connections);
	if (r->error != NULL)
		buf_add_json_string(b, r->error, strlen(r->error));
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
}

void
sync_result_clear(struct sync_result *r)
{
	free(r->error);
	free(r->colls);
	memset(r, 0, sizeof(*r));
}

/*
 * The admin secret of sync.fcgi ("Authorization: Bearer <sync_secret>"),
 * compared in constant time. 0 when none is configured or none was sent.
 */
int
sync_secret_ok(const struct conf *conf, const char *bearer)
{
	const char *secret = conf_str(conf, CFG_SYNC_SECRET);

	if (secret[0] == '\0' || bearer == NULL)
		return 0;
	return hmac_equal(bearer, strlen(bearer), secret, strlen(secret));
}
