/* materialize.c: canonical query answers rendered into static_dir on write */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/gzip.h"
#include "util/log.h"
#include "util/now.h"
#include "util/xmalloc.h"
#include "api/http.h"
#include "api/materialize.h"
#include "api/materialize_int.h"
#include "api/query.h"

/*
 * The answers frontends ask most (docs/static.md), each rendered by
 * query_handle on a synthetic GET, so that a file holds exactly the bytes
 * query.fcgi answers for its URL, bounded by static_max_files and
 * static_max_bytes. An answer carries the seq of what it read (its
 * entry's, its slug's holders', its collection's: query_answer_seq), so
 * a commit changes only the answers it touched, and a pass after commits
 * renders only those (materialize_touch.c), keeping the other files,
 * and goes by the manifest of the last pass (materialize_manifest.c)
 * rather than walk the set (materialize_fast.c); the whole set when it
 * cannot tell what was touched. Passes
 * run one at a time under an flock on static_dir/.lock, each from the
 * store's state read under the lock, and .seq records the seq a complete
 * pass started from: the last pass always writes the newest state, and a
 * writer that finds .seq at the store's seq has nothing to do. A writer
 * killed between its commit and its pass leaves .seq behind the store;
 * the next writer's pass repairs it, and materialize_verify reports it.
 *
 * Layout: the answer to <api_prefix>/<path>?<query> is
 * <static_dir>/<path>/<form>.json, the form being "index" (no query),
 * "locale=L", "page=N" (pagination[page]=N) or "<field>=<value>"
 * (filters[<field>][$eq]=<value>), the last two followed by "&locale=L"
 * for a locale other than the default. Paths and values are kept to
 * unreserved URL characters, so a rewrite rule maps a URL to its file
 * without decoding.
 */

struct item {
	char *id, *locale, *slug, *category;
};

struct items {
	struct item *v;
	size_t n, cap;
};

/* Commits this thread made since its last pass (the commit hook's). */
static _Thread_local uint64_t pending;

/* The commit hook's part (prog.c): this thread has a commit to render. */
void
materialize_note(uint64_t seq)
{
	if (seq > pending)
		pending = seq;
}

/* 1 when the set's bounds take one more file of len bytes (else capped). */
static int
room_for(struct mat *m, uint64_t len)
{
	if (m->stats->files + 1 > m->max_files) {
		m->stats->capped = 1;
		return 0;
	}
	if (m->stats->bytes + len > m->max_bytes) {
		m->stats->capped = 1;
		m->capped_bytes = 1;
		return 0;
	}
	m->stats->files++;
	m->stats->bytes += len;
	return 1;
}

/*
 * A partial pass's answer that no commit since the last pass touched:
 * its file, when there is one, holds it still (its seq is its entry's or
 * its collection's). Kept in the set and counted; 0, or 1 when it is to
 * be rendered (no file) or the bounds are reached.
 */
static int
keep(struct mat *m, int flags)
{
	struct stat sb;

	if (stat(buf_cstr(&m->full), &sb) == -1 || !S_ISREG(sb.st_mode))
		return 1;
	if (!room_for(m, (uint64_t)sb.st_size))
		return 1;
	mat_set_add(m, buf_cstr(&m->rel));
	mat_manifest_note(m, buf_cstr(&m->rel), (uint64_t)sb.st_size, flags);
	return 0;
}

/*
 * The answer to <prefix>/<path>?<qs>, as query.fcgi gives it, into the
 * file <path>/<form>.json: written, or compared; in a partial pass, left
 * as it is unless render. flags: EMIT_*. Returns 0, or 1 when there is
 * nothing to serve there (not 200; an empty list with EMIT_DATA) or the
 * bounds are reached. A fast pass counts the bounds at its end (over
 * them, the set is walked instead) and removes the file of an answer
 * there is no longer.
 */
int
mat_emit(struct mat *m, const char *path, const char *qs, const char *form,
    int flags, int render)
{
	struct http_req req;
	struct http_resp r;
	char *env[2];
	int rc = 1, w;

	if (m->stats->capped)
		return 1;
	buf_reset(&m->rel);
	buf_printf(&m->rel, "%s/%s.json", path, form);
	buf_reset(&m->full);
	buf_printf(&m->full, "%s/%s", m->dir, buf_cstr(&m->rel));
	if (m->partial && !render && keep(m, flags) == 0)
		return 0;
	if (m->stats->capped)
		return 1;
	buf_reset(&m->uri);
	buf_printf(&m->uri, "REQUEST_URI=%s/%s%s%s", m->prefix, path,
	    qs[0] != '\0' ? "?" : "", qs);
	env[0] = (char *)buf_cstr(&m->uri);
	env[1] = NULL;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.query = qs;
	req.content_length = -1;
	req.remote_addr = "";
	req.env = env;
	http_resp_init(&r);
	query_handle(&req, &r, &m->q);
	if (r.status != 200) {
		if (r.status >= 500)
			m->failed = 1;
		else if (m->fast)
			mat_manifest_drop(m, buf_cstr(&m->rel));
		goto out;
	}
	/* an answer that read more than its own entries: no partial pass */
	if (m->q.last_deps == QUERY_DEPS_OTHER ||
	    ((flags & EMIT_ONE) && m->q.last_deps != 0))
		m->own_only = 0;
	/* a page past the last one: answered, but not worth a file */
	if ((flags & EMIT_DATA) &&
	    strncmp(r.body.data, "{\"data\":[]", 10) == 0) {
		if (m->fast)
			mat_manifest_drop(m, buf_cstr(&m->rel));
		goto out;
	}
	if (!m->fast && !room_for(m, r.body.len))
		goto out;
	mat_set_add(m, buf_cstr(&m->rel));
	mat_manifest_note(m, buf_cstr(&m->rel), r.body.len, flags);
	if (m->mode == MODE_WRITE) {
		mat_gz(m, buf_cstr(&m->full), buf_cstr(&m->rel), r.body.data,
		    r.body.len);
		w = mat_write_atomic(m, buf_cstr(&m->full), r.body.data,
		    r.body.len);
		if (w == -1)
			m->failed = 1;
		else
			m->stats->written += (size_t)w;
	} else {
		w = mat_read_file(buf_cstr(&m->full), &m->old);
		if (w == 1)
			mat_stale(m, buf_cstr(&m->rel), "missing");
		else if (w == -1 || m->old.len != r.body.len ||
		    memcmp(m->old.data, r.body.data, r.body.len) != 0)
			mat_stale(m, buf_cstr(&m->rel),
			    "differs from the store's answer");
		mat_gz(m, buf_cstr(&m->full), buf_cstr(&m->rel), r.body.data,
		    r.body.len);
	}
	rc = 0;
out:
	http_resp_clear(&r);
	return rc;
}

const char *
mat_locale_suffix(const struct collection *c, size_t li, char *out, size_t n)
{
	out[0] = '\0';
	if (li == 0)
		return out;
	snprintf(out, n, "&locale=%s", c->locales[li]);
	return out;
}

/*
 * A single type, or a collection's list pages, in each locale; a fast
 * pass removes the pages past the last one.
 */
void
mat_emit_lists(struct mat *m, const struct collection *c)
{
	char sfx[96], form[128], qs[160], rel[512];
	uint64_t p, pages = (uint64_t)conf_int(m->conf, CFG_STATIC_LIST_PAGES);
	size_t li;
	const char *path = c->single ? c->name : c->plural;
	int render = !m->partial || mat_touch_lists(m, c);

	for (li = 0; li < c->nlocales; li++) {
		if (li > 0 && !mat_value_ok(c->locales[li]))
			continue;
		mat_locale_suffix(c, li, sfx, sizeof(sfx));
		if (li == 0)
			(void)mat_emit(m, path, "", "index", 0, render);
		else
			(void)mat_emit(m, path, sfx + 1, sfx + 1, 0, render);
		if (c->single)
			continue;
		for (p = 1; p <= pages; p++) {
			snprintf(qs, sizeof(qs),
			    "pagination[page]=%" PRIu64 "%s", p, sfx);
			snprintf(form, sizeof(form), "page=%" PRIu64 "%s", p,
			    sfx);
			if (mat_emit(m, path, qs, form, p > 1 ? EMIT_DATA : 0,
			        render) != 0)
				break;
		}
		while (m->fast && !m->failed && ++p <= pages) {
			snprintf(rel, sizeof(rel), "%s/page=%" PRIu64 "%s.json",
			    path, p, sfx);
			mat_manifest_drop(m, rel);
		}
	}
}

static int
collect(void *arg, const struct store_item *it)
{
	struct items *v = arg;
	struct item *e;

	if (v->n == v->cap) {
		v->cap = v->cap == 0 ? 64 : v->cap * 2;
		v->v = xreallocarray(v->v, v->cap, sizeof(*v->v));
	}
	e = &v->v[v->n++];
	e->id = xstrdup(it->document_id);
	e->locale = xstrdup(it->locale != NULL ? it->locale : "");
	e->slug = it->slug != NULL ? xstrdup(it->slug) : NULL;
	e->category = it->category != NULL ? xstrdup(it->category) : NULL;
	return 0;
}

static void
items_free(struct items *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->v[i].id);
		free(v->v[i].locale);
		free(v->v[i].slug);
		free(v->v[i].category);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

long
mat_locale_index(const struct collection *c, const char *locale)
{
	size_t i;

	for (i = 0; i < c->nlocales; i++)
		if (strcmp(c->locales[i], locale) == 0)
			return (long)i;
	return -1;
}

static int
cmp_category(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int r = strcmp(x->locale, y->locale);

	return r != 0 ? r : strcmp(x->category, y->category);
}

/* The first page of each category's list, in each locale. */
static void
emit_categories(struct mat *m, const struct collection *c,
    const struct items *v)
{
	struct item *cats;
	struct mat_form f;
	size_t i, n = 0;
	long li;
	char sfx[96];
	int render = !m->partial || mat_touch_lists(m, c);

	cats = xreallocarray(NULL, v->n + 1, sizeof(*cats));
	for (i = 0; i < v->n; i++)
		if (mat_value_ok(v->v[i].category))
			cats[n++] = v->v[i];
	qsort(cats, n, sizeof(*cats), cmp_category);
	for (i = 0; i < n; i++) {
		if (i > 0 && cmp_category(&cats[i - 1], &cats[i]) == 0)
			continue;
		if ((li = mat_locale_index(c, cats[i].locale)) == -1 ||
		    (li > 0 && !mat_value_ok(cats[i].locale)))
			continue;
		mat_locale_suffix(c, (size_t)li, sfx, sizeof(sfx));
		mat_form_eq(&f, c, c->category_field, cats[i].category, sfx);
		(void)mat_emit_form(m, &f, EMIT_CAT, render);
	}
	free(cats);
}

/* Each entry by slug (filter and short form) and by documentId. */
static void
emit_entries(struct mat *m, const struct collection *c, int forms,
    const struct items *v)
{
	const struct item *e;
	struct mat_form f;
	char sfx[96];
	size_t i;
	long li;
	int render;

	for (i = 0; i < v->n; i++) {
		e = &v->v[i];
		if ((li = mat_locale_index(c, e->locale)) == -1 ||
		    (li > 0 && !mat_value_ok(e->locale)))
			continue;
		render = !m->partial ||
		    mat_touch_entry(m, c, e->id, e->locale, e->slug);
		mat_locale_suffix(c, (size_t)li, sfx, sizeof(sfx));
		if ((forms & FORM_SLUG) && c->slug_field[0] != '\0' &&
		    mat_value_ok(e->slug)) {
			mat_form_eq(&f, c, c->slug_field, e->slug, sfx);
			(void)mat_emit_form(m, &f, EMIT_ONE, render);
			mat_form_own(&f, c, "slug", e->slug, li, sfx);
			(void)mat_emit_form(m, &f, EMIT_ONE, render);
		}
		if ((forms & FORM_ID) && mat_value_ok(e->id)) {
			mat_form_own(&f, c, NULL, e->id, li, sfx);
			(void)mat_emit_form(m, &f, EMIT_ONE, render);
		}
	}
}

/*
 * The whole set, in the order the bounds keep it: single types, list
 * pages and categories of every type, then the entries of every type.
 */
static void
walk(struct mat *m)
{
	const struct collection *c;
	struct items *v;
	size_t i, n = conf_ncollections(m->conf);
	int *forms;

	v = xcalloc(n + 1, sizeof(*v));
	forms = xcalloc(n + 1, sizeof(*forms));
	for (i = 0; i < n && !m->failed; i++) {
		c = conf_collection(m->conf, i);
		if ((forms[i] = mat_forms(m->conf, c)) == 0)
			continue;
		if (c->single || (forms[i] & FORM_LIST))
			mat_emit_lists(m, c);
		if (c->single ||
		    !(forms[i] & (FORM_ID | FORM_SLUG | FORM_CATEGORY)))
			continue;
		if (store_iter_entries(m->st, c->name, collect, &v[i]) == -1) {
			m->failed = 1;
			break;
		}
		if ((forms[i] & FORM_CATEGORY) && c->category_field[0] != '\0')
			emit_categories(m, c, &v[i]);
	}
	for (i = 0; i < n && !m->failed; i++)
		if (forms[i] != 0)
			emit_entries(m, conf_collection(m->conf, i), forms[i],
			    &v[i]);
	for (i = 0; i < n; i++)
		items_free(&v[i]);
	free(v);
	free(forms);
}

static void
mat_init(struct mat *m, const struct conf *conf, struct store *st,
    const struct schema *schema, enum mode mode,
    struct materialize_stats *stats)
{
	const char *p = conf_str(conf, CFG_API_PREFIX);
	size_t n;

	memset(m, 0, sizeof(*m));
	memset(stats, 0, sizeof(*stats));
	m->conf = conf;
	m->st = st;
	m->mode = mode;
	m->dir = conf_str(conf, CFG_STATIC_DIR);
	m->stats = stats;
	m->max_files = (size_t)conf_int(conf, CFG_STATIC_MAX_FILES);
	m->max_bytes = (uint64_t)conf_int(conf, CFG_STATIC_MAX_BYTES);
	query_init(&m->q, conf, st);
	query_clear(&m->q); /* no answer cache: every answer is read afresh */
	m->q.schema = schema;
	while (*p == '/')
		p++;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	snprintf(m->prefix, sizeof(m->prefix), "%s%.*s", n > 0 ? "/" : "",
	    (int)n, p);
	buf_init(&m->rel);
	buf_init(&m->full);
	buf_init(&m->tmp);
	buf_init(&m->uri);
	buf_init(&m->old);
	buf_init(&m->gzpath);
	buf_init(&m->gz);
	m->gzip = gzip_available();
	m->own_only = 1;
	m->mult = 1;
}

static void
mat_clear(struct mat *m)
{
	size_t i;

	for (i = 0; i < m->nset; i++)
		free(m->set[i]);
	free(m->set);
	buf_clear(&m->rel);
	buf_clear(&m->full);
	buf_clear(&m->tmp);
	buf_clear(&m->uri);
	buf_clear(&m->old);
	buf_clear(&m->gzpath);
	buf_clear(&m->gz);
	mat_touch_clear(m);
	mat_manifest_clear(m);
}

/* A fast pass over the bounds: the set walked instead, from its start. */
static void
rewalk(struct mat *m)
{
	size_t i;

	for (i = 0; i < m->nset; i++)
		free(m->set[i]);
	m->nset = 0;
	mat_manifest_clear(m);
	m->stats->files = 0;
	m->stats->bytes = 0;
	m->stats->capped = 0;
	walk(m); /* adds to what the fast part wrote and removed */
}

/*
 * One pass under the lock: the set rendered from the store's current
 * state (when .seq is behind it, or always when forced), files no longer
 * in it removed, .seq advanced. Returns 0, or -1 after logging.
 */
static int
pass(struct mat *m, int force)
{
	uint64_t cur, done = 0;
	int fd, r, rc = -1;

	if ((fd = mat_lock_dir(m->dir,
	         m->mode == MODE_WRITE ? LOCK_EX : LOCK_SH)) == -1)
		return -1;
	if (store_last_seq(m->st, &cur) == -1)
		goto out;
	m->stats->seq = cur;
	if (m->mode == MODE_WRITE) {
		done = mat_state_read(m);
		if (!force && done == cur) {
			rc = 0; /* a pass from this state is done */
			goto out;
		}
		/* unchanged answers keep their files (and validators) */
		m->compare = 1;
		/* after commits: only what they touched, when that is known */
		if (!force && m->prev_own && done != 0 && done < cur) {
			if ((r = mat_touch_load(m, done, cur)) == -1)
				goto out;
			m->partial = r == 0;
		}
		/* and from the manifest, without walking the set */
		if (m->partial)
			(void)mat_manifest_load(m, done);
		/* a pass killed from here on leaves no manifest to go by */
		mat_manifest_remove(m);
		if (m->failed)
			goto out; /* and none changes a file while one is left */
	}
	if (m->fast) {
		mat_fast(m);
		if (!m->failed && mat_manifest_totals(m)) {
			/* which files the bounds keep is the walk's to say */
			log_debug("static: the set reached its bounds; walked");
			rewalk(m);
		}
	} else
		walk(m);
	if (m->failed)
		goto out;
	mat_changes(m, done, cur, force);
	if (m->failed)
		goto out;
	if (!m->fast) { /* a fast pass removed what it no longer keeps */
		mat_set_add(m, HEAD_REL);
		mat_sweep(m);
	}
	mat_head(m, cur);
	if (m->mode == MODE_VERIFY)
		mat_manifest_check(m, cur);
	/* the files a pass keeps over static_max_bytes depend on sizes */
	if (m->mode == MODE_WRITE && !m->failed && !m->capped_bytes)
		mat_manifest_write(m, cur);
	if (m->mode == MODE_WRITE && !m->failed)
		mat_state_write(m, cur);
	if (m->stats->capped)
		log_warnx("static: the set reached static_max_files (%zu) or "
		          "static_max_bytes (%" PRIu64
		          "); the rest is answered "
		          "by query.fcgi",
		    m->max_files, m->max_bytes);
	rc = m->failed ? -1 : 0;
out:
	if (rc == -1)
		log_warnx("static: the answers in %s could not be rendered; "
		          "the next write (or strapi-live materialize) retries",
		    m->dir);
	close(fd); /* releases the lock */
	return rc;
}

/*
 * After this thread's commits (materialize_note), renders static_dir
 * when it is set. Tests make a writer die between its commit and its
 * pass with SL_FAULT_DIE_BEFORE_RENDER, or wait there for
 * SL_FAULT_PAUSE_BEFORE_RENDER milliseconds, or die within its pass
 * with SL_FAULT_DIE_IN_RENDER (mat_fault_step; docs/static.md).
 * Returns 0, or -1 after logging (the write itself stands).
 */
int
materialize_pending(const struct conf *conf, struct store *st,
    const struct schema *schema)
{
	struct materialize_stats stats;
	struct mat m;
	const char *fault;
	int rc;

	if (pending == 0)
		return 0;
	pending = 0;
	if (st == NULL || conf_str(conf, CFG_STATIC_DIR)[0] == '\0')
		return 0;
	if (getenv("SL_FAULT_DIE_BEFORE_RENDER") != NULL)
		raise(SIGKILL);
	now_fault_pause("SL_FAULT_PAUSE_BEFORE_RENDER");
	mat_init(&m, conf, st, schema, MODE_WRITE, &stats);
	if ((fault = getenv("SL_FAULT_DIE_IN_RENDER")) != NULL)
		m.die_at = strtoul(fault, NULL, 10);
	rc = pass(&m, 0);
	mat_clear(&m);
	return rc;
}

/* strapi-live materialize: the whole set, rendered now. 0 or -1. */
int
materialize_all(const struct conf *conf, struct store *st,
    const struct schema *schema, struct materialize_stats *stats)
{
	struct mat m;
	int rc;

	mat_init(&m, conf, st, schema, MODE_WRITE, stats);
	rc = pass(&m, 1);
	mat_clear(&m);
	return rc;
}

/*
 * strapi-live static-verify: every file of the set compared with the
 * store's answer, and the files no longer in it, each reported. *stale
 * counts them. Returns 0, or -1 when the store or the directory failed.
 */
int
materialize_verify(const struct conf *conf, struct store *st,
    const struct schema *schema, materialize_report_fn report, void *arg,
    struct materialize_stats *stats, size_t *nstale)
{
	struct mat m;
	int rc;

	mat_init(&m, conf, st, schema, MODE_VERIFY, stats);
	m.report = report;
	m.arg = arg;
	rc = pass(&m, 1);
	*nstale = m.stale;
	mat_clear(&m);
	return rc;
}
