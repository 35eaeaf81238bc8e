/* sync.c: a sync: the lock, a pass per (collection, locale), the result */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/resolve.h"
#include "api/rich.h"
#include "util/hmac.h"
#include "util/log.h"
#include "util/now.h"
#include "upstream/seen.h"
#include "upstream/strapi.h"
#include "upstream/sync_int.h"
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
 */

/* 1 when a collection of conf is localized (has locales of its own). */
static int
any_localized(const struct conf *conf)
{
	size_t i;

	for (i = 0; i < conf_ncollections(conf); i++)
		if (resolve_localized(conf_collection(conf, i)))
			return 1;
	return 0;
}

/*
 * Sets up p for a pass of its own over coll (one answer, no locale),
 * counted in a new row of res.
 */
static void
extra_pass(struct sync_pass *p, const struct collection *coll,
    const struct conf *conf, struct store *st, struct strapi *api,
    const struct sync_opts *o, struct sync_result *res)
{
	struct sync_coll *row = &res->colls[res->ncolls++];

	row->coll = coll;
	row->c.complete = 1;
	row->c.ran = 1;
	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->store = st;
	p->api = api;
	p->o = o;
	p->res = res;
	p->coll = coll;
	p->locale = "";
	p->c = &row->c;
}

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

/*
 * One (collection, locale) pass. Returns 0 when the sync may go on (the
 * pass may still be incomplete), -1 when it must stop (res has why).
 */
static int
run_pass(struct sync_pass *p)
{
	struct strapi_page pg;
	struct sync_progress pr;
	enum strapi_status s;
	int64_t page, total = -1;
	size_t distinct;

	if (store_last_seq(p->store, &p->start_seq) == -1) {
		sync_fail(p->res, SYNC_STORE, "the store could not be read");
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
			sync_fail(p->res, sync_status_of(s), "GET %s: %s",
			    sync_where(p), strapi_why(p->api));
			return -1;
		}
		if (total == -1)
			total = pg.total;
		else if (pg.total != total && !p->incomplete) {
			log_warnx("sync: %s: total changed from %" PRId64
			          " to %" PRId64
			          " during the pass; nothing will be "
			          "pruned",
			    sync_where(p), total, pg.total);
			p->incomplete = 1;
		}
		if (sync_store_page(p, &pg) == -1) {
			strapi_page_clear(&pg);
			sync_fail(p->res, SYNC_STORE,
			    "the store failed while "
			    "writing %s",
			    sync_where(p));
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
	if (!p->o->no_prune && sync_reconcile(p) == -1) {
		sync_fail(p->res, SYNC_STORE,
		    "the store failed while removing "
		    "entries of %s",
		    p->coll->plural);
		return -1;
	}
	if (p->incomplete)
		p->c->complete = 0;
	return 0;
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
	struct sync_pass p;
	struct collection rcoll;
	const struct collection *only = NULL, *co;
	const struct schema_type *t;
	char *pq;
	size_t i, j;
	int lock = -1, stop = 0;
	double t0 = now_s();

	memset(res, 0, sizeof(*res));
	res->dry_run = o->dry_run;
	if (conf_str(conf, CFG_STRAPI_URL)[0] == '\0') {
		sync_fail(res, SYNC_USAGE,
		    "strapi_url (STRAPI_URL) is not set");
		goto out;
	}
	if (o->collection != NULL &&
	    (only = conf_collection_by_name(conf, o->collection)) == NULL) {
		sync_fail(res, SYNC_USAGE, "no configured collection '%s'",
		    o->collection);
		goto out;
	}
	if ((lock = lock_sync(store_dir(st))) == -1) {
		if (errno == EAGAIN || errno == EACCES)
			sync_fail(res, SYNC_BUSY,
			    "another sync is running on %s", store_dir(st));
		else
			sync_fail(res, SYNC_STORE, "%s/%s: %s", store_dir(st),
			    SYNC_LOCK_NAME, strerror(errno));
		goto out;
	}
	strapi_opts_conf(&so, conf);
	so.retries = o->retries;
	so.backoff_ms = o->backoff_ms;
	if (o->timeout > 0)
		so.timeout = o->timeout;
	if (strapi_open(&api, &so) == -1) {
		sync_fail(res, SYNC_UPSTREAM, "libcurl could not start");
		goto out;
	}
	res->colls = xcalloc(conf_ncollections(conf) + 3, sizeof(*res->colls));
	for (i = 0; i < conf_ncollections(conf) && !stop; i++) {
		co = conf_collection(conf, i);
		if (only != NULL && co != only)
			continue;
		res->colls[res->ncolls].coll = co;
		res->colls[res->ncolls].c.complete = 1;
		res->colls[res->ncolls].c.ran = 1;
		pq = NULL;
		if ((t = rich_type(o->schema, co)) != NULL)
			pq = sync_populate_query(t);
		strapi_set_populate(api, pq);
		free(pq);
		for (j = 0; j < co->nlocales && !stop; j++) {
			memset(&p, 0, sizeof(p));
			sync_pass_init(&p, &rcoll, co, o);
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
		extra_pass(&p, &sync_files_coll, conf, st, api, o, res);
		p.whole = 1;
		p.gone_op = STORE_OP_DELETE;
		if (sync_run_files(&p) == -1)
			p.c->complete = 0;
		seen_clear(&p.seen);
	}
	/* With a localized type, Strapi's locales' own rows. */
	if (o->schema != NULL && only == NULL && !stop && any_localized(conf)) {
		extra_pass(&p, &sync_locales_coll, conf, st, api, o, res);
		(void)sync_run_locales(&p);
	}
	for (i = 0; i < res->ncolls && res->status == SYNC_OK; i++)
		if (!res->colls[i].c.complete)
			sync_fail(res, SYNC_INCOMPLETE,
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
