/* query.c: the query.fcgi handler: paths, routes, CORS, parameter checks */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "api/error.h"
#include "api/populate.h"
#include "api/qs.h"
#include "api/query.h"
#include "api/rich.h"
#include "api/query_int.h"
#include "api/render.h"
#include "api/resolve.h"
#include "model/entry.h"
#include "model/filter.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/*
 * Routes, under <anything>/<api_prefix>/<plural>, so the program answers
 * the same whether it is mounted at "/" or under a prefix, and whatever
 * SCRIPT_NAME / PATH_INFO split the server makes:
 *
 *   /api/articles                list (Strapi's find)
 *   /api/articles/<documentId>   one entry (Strapi's findOne)
 *   /api/articles/slug/<slug>    one entry by slug (short form)
 *
 * and, with a schema (entries in their stored form, model/normalize.h,
 * answered through api/populate.c with populate, fields and locale):
 *
 *   /api/global                  a single type, by its singular name
 *   /api/upload/files[/<id>]     the media rows (bare, as Strapi's upload)
 *   /api/i18n/locales            Strapi's locales as a sync kept them, else
 *                                the configured codes (bare)
 *
 * Every answer carries a change sequence (X-Strapi-Live-Seq, meta.seq,
 * and the ETag W/"<seq>"): the last change, in the snapshot it was read
 * from, of what it read (query_answer_seq): the entry of an answer that
 * is one entry, the collection of a list, the store's when populate or a
 * relation filter read other collections. It changes only when the
 * answer may have, and a page rendered from it subscribes to changes
 * after that point (what came between did not touch it).
 */

struct path {
	const char *seg[QUERY_MAX_SEGS];
	size_t len[QUERY_MAX_SEGS];
	size_t n;
	char buf[QUERY_MAX_PATH + QUERY_MAX_SEGS + 1];
};

typedef void (*route_fn)(struct req_state *);

/* clang-format off */
static const struct {
	const char *name;    /* for the request log */
	size_t tail;	     /* path segments after the plural */
	const char *literal; /* first tail segment, or NULL for any */
	int list;	     /* accepts list parameters */
	int own_tag;	     /* validators of its own: no seq 304, no cache */
	route_fn fn;
} routes[ROUTE__MAX] = {
	{ "list", 0, NULL, 1, 0, query_do_list },		/* ROUTE_LIST */
	{ "one", 1, NULL, 0, 0, query_do_one },		/* ROUTE_ONE */
	{ "slug", 2, "slug", 0, 0, query_do_by_slug },	/* ROUTE_BY_SLUG */
	{ "single", 0, NULL, 0, 0, query_do_single },	/* ROUTE_SINGLE */
	{ "files", 0, NULL, 0, 0, query_do_files },	/* ROUTE_FILES */
	{ "file", 1, NULL, 0, 0, query_do_file },		/* ROUTE_FILE */
	{ "locales", 0, NULL, 0, 1, query_do_locales },	/* ROUTE_LOCALES */
};
/* clang-format on */

static const char allow_methods[] = "GET, HEAD, OPTIONS";
static const char allow_headers[] =
    "Accept, Authorization, Content-Type, If-None-Match, Cache-Control";

/*
 * Sets up ctx from conf, once per process: the split api_prefix, the
 * Cache-Control value and whether any origin is allowed. Can't fail.
 */
void
query_init(struct query_ctx *ctx, const struct conf *conf, struct store *st)
{
	const char *p;
	size_t n;

	memset(ctx, 0, sizeof(*ctx));
	ctx->conf = conf;
	ctx->store = st;
	ctx->cache_control = conf_str(conf, CFG_CACHE_CONTROL);
	ctx->ncache = (size_t)conf_int(conf, CFG_QUERY_CACHE);
	if (ctx->ncache > 0) {
		ctx->cache = xcalloc(ctx->ncache, sizeof(*ctx->cache));
		for (n = 0; n < ctx->ncache; n++)
			buf_init(&ctx->cache[n].body);
	}
	ctx->rows =
	    resolve_cache_new((size_t)conf_int(conf, CFG_POPULATE_CACHE_ROWS),
	        (size_t)conf_int(conf, CFG_POPULATE_CACHE_BYTES));
	ctx->cols =
	    qlang_cols_new((size_t)conf_int(conf, CFG_QUERY_SCAN_CACHE));
	/* Only "*" allows the empty origin (empty list items are dropped). */
	ctx->cors_any = conf_cors_allows(conf, "");
	for (p = conf_str(conf, CFG_API_PREFIX); *p != '\0';) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n > 0 && ctx->nprefix < QUERY_MAX_SEGS) {
			ctx->prefix[ctx->nprefix] = p;
			ctx->prefix_len[ctx->nprefix++] = n;
		}
		p += n;
	}
}

/* Frees what query_init allocated. */
void
query_clear(struct query_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->ncache; i++)
		buf_clear(&ctx->cache[i].body);
	free(ctx->cache);
	ctx->cache = NULL;
	ctx->ncache = 0;
	resolve_cache_free(ctx->rows);
	ctx->rows = NULL;
	qlang_cols_free(ctx->cols);
	ctx->cols = NULL;
}

/*
 * Splits a path into non-empty segments, percent-decoding each when
 * decode is set (REQUEST_URI is raw; SCRIPT_NAME + PATH_INFO are already
 * decoded by the server). Splitting before decoding keeps an encoded "/"
 * inside its segment. Returns 0, -1 for a malformed escape or invalid
 * UTF-8, -2 when the path is too long.
 */
static int
path_split(struct path *p, const char *s, size_t n, int decode)
{
	size_t i = 0, j, o = 0, dl;
	int r;

	p->n = 0;
	if (n > QUERY_MAX_PATH)
		return -2;
	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		for (j = i; j < n && s[j] != '/'; j++)
			;
		if (j == i)
			break;
		if (p->n == QUERY_MAX_SEGS)
			return -2;
		if (decode) {
			r = qs_decode(s + i, j - i, 0, p->buf + o,
			    sizeof(p->buf) - o, &dl);
			if (r != 0)
				return r;
		} else {
			dl = j - i;
			memcpy(p->buf + o, s + i, dl);
			p->buf[o + dl] = '\0';
		}
		if (!utf8_valid(p->buf + o, dl))
			return -1;
		p->seg[p->n] = p->buf + o;
		p->len[p->n++] = dl;
		o += dl + 1;
		i = j;
	}
	return 0;
}

static int
seg_is(const struct path *p, size_t i, const char *s, size_t n)
{
	return p->len[i] == n && memcmp(p->seg[i], s, n) == 0;
}

/* The schema's type of a matched collection (rich_type), or NULL. */
static const struct schema_type *
coll_type(const struct query_ctx *ctx, const struct collection *c)
{
	return c != NULL ? rich_type(ctx->schema, c) : NULL;
}

/*
 * The routes only a schema brings, at segment i: upload/files[/<id>],
 * i18n/locales, and a single type by its singular name. 1 when found.
 */
static int
route_schema(const struct query_ctx *ctx, const struct path *p, size_t i,
    struct match *m)
{
	const struct schema_type *t;
	const struct collection *c;
	char name[STORE_MAX_ID + 1];
	size_t rest = p->n - i;

	if (ctx->schema == NULL)
		return 0;
	m->coll = NULL;
	m->arg = NULL;
	m->arg_len = 0;
	if ((rest == 2 || rest == 3) && seg_is(p, i, "upload", 6) &&
	    seg_is(p, i + 1, "files", 5)) {
		m->route = rest == 2 ? ROUTE_FILES : ROUTE_FILE;
		if (rest == 3) {
			m->arg = p->seg[i + 2];
			m->arg_len = p->len[i + 2];
		}
		return 1;
	}
	if (rest == 2 && seg_is(p, i, "i18n", 4) &&
	    seg_is(p, i + 1, "locales", 7)) {
		m->route = ROUTE_LOCALES;
		return 1;
	}
	if (rest != 1 || p->len[i] >= sizeof(name))
		return 0;
	memcpy(name, p->seg[i], p->len[i]);
	name[p->len[i]] = '\0';
	c = conf_collection_by_name(ctx->conf, name);
	if (c == NULL || strcmp(c->name, name) != 0 ||
	    (t = coll_type(ctx, c)) == NULL || !t->single)
		return 0;
	m->route = ROUTE_SINGLE;
	m->coll = c;
	return 1;
}

/* Finds the first place the path names a route. 1 when found, else 0. */
static int
route_find(const struct query_ctx *ctx, const struct path *p, struct match *m)
{
	const struct collection *c;
	const struct schema_type *t;
	size_t i, j, rest, np = ctx->nprefix;
	int k;

	for (i = 0; i + np < p->n; i++) {
		for (j = 0; j < np; j++)
			if (!seg_is(p, i + j, ctx->prefix[j],
			        ctx->prefix_len[j]))
				break;
		if (j < np)
			continue;
		if (route_schema(ctx, p, i + np, m))
			return 1;
		c = conf_collection_by_plural(ctx->conf, p->seg[i + np],
		    p->len[i + np]);
		if (c == NULL)
			continue;
		if ((t = coll_type(ctx, c)) != NULL && t->single)
			continue; /* a single type answers at its singular */
		rest = p->n - (i + np + 1);
		for (k = 0; k <= ROUTE_BY_SLUG; k++) {
			if (routes[k].tail != rest)
				continue;
			if (routes[k].literal != NULL &&
			    !seg_is(p, i + np + 1, routes[k].literal,
			        strlen(routes[k].literal)))
				continue;
			if (k == ROUTE_BY_SLUG && c->slug_field[0] == '\0')
				continue;
			m->route = (enum route)k;
			m->coll = c;
			m->arg = rest > 0 ? p->seg[p->n - 1] : NULL;
			m->arg_len = rest > 0 ? p->len[p->n - 1] : 0;
			return 1;
		}
	}
	return 0;
}

/*
 * Routes the request: the raw REQUEST_URI first (decoded here, segment
 * by segment), then SCRIPT_NAME + PATH_INFO (for rewrites, or servers
 * that set no REQUEST_URI). Returns 1 when routed, 0 when no route
 * matches, -1 for a malformed path, -2 for an over-long one.
 */
/*
 * resolve_dep_fn: populate read an entry or a media row (or every entry
 * that refers to one): the answer depends on more than its own entry.
 */
static void
note_dep(void *arg, const char *collection, const char *document_id,
    const char *locale)
{
	struct req_state *s = arg;

	(void)document_id;
	(void)locale;
	if (s->m.coll == NULL || strcmp(collection, s->m.coll->name) != 0)
		s->deps = QUERY_DEPS_OTHER;
	else if (s->deps == 0)
		s->deps = QUERY_DEPS_OWN;
}

static int
route_request(const struct query_ctx *ctx, const struct http_req *req,
    struct path *p, struct match *m)
{
	const char *uri = http_req_env(req, "REQUEST_URI");
	int r;

	if (uri != NULL) {
		r = path_split(p, uri, strcspn(uri, "?#"), 1);
		if (r != 0)
			return r;
		if (route_find(ctx, p, m))
			return 1;
	}
	if (req->path == NULL)
		return 0;
	r = path_split(p, req->path, strlen(req->path), 0);
	if (r != 0)
		return r;
	return route_find(ctx, p, m);
}

/*
 * The query of REQUEST_URI (the target as the client sent it) for a
 * request whose server handed no QUERY_STRING and whose own path
 * (SCRIPT_NAME + PATH_INFO) names no route: lighttpd's error handler for
 * a static answer's missing file (conf/lighttpd-static.conf) hands the
 * client's path and query only there. A server that rewrote to a route
 * and dropped the query meant it dropped. NULL otherwise.
 */
static const char *
uri_query(const struct query_ctx *ctx, const struct http_req *req)
{
	const char *uri = http_req_env(req, "REQUEST_URI"), *q;
	struct path p;
	struct match m;

	if (req->query[0] != '\0' || uri == NULL ||
	    (q = strchr(uri, '?')) == NULL)
		return NULL;
	if (req->path != NULL &&
	    path_split(&p, req->path, strlen(req->path), 0) == 0 &&
	    route_find(ctx, &p, &m))
		return NULL;
	return q + 1;
}

/*
 * CORS: an allowed Origin gets Access-Control-Allow-Origin (and the
 * headers a page needs to read: ETag, the seq). Returns 0 when the
 * request has no Origin or an allowed one, -1 when it is not allowed.
 */
static int
cors(struct req_state *s, const char **origin)
{
	*origin = http_req_header(s->req, "Origin");
	if (!s->ctx->cors_any)
		http_resp_header(s->r, "Vary", "Origin");
	if (*origin == NULL)
		return 0;
	if (!conf_cors_allows(s->ctx->conf, *origin))
		return -1;
	http_resp_header(s->r, "Access-Control-Allow-Origin", "%s",
	    s->ctx->cors_any ? "*" : *origin);
	http_resp_header(s->r, "Access-Control-Expose-Headers",
	    "ETag, " QUERY_SEQ_HEADER);
	return 0;
}

static void
preflight(struct req_state *s, const char *origin, int allowed)
{
	if (origin != NULL && !allowed) {
		query_answer_error(s, 403, "Origin not allowed");
		return;
	}
	s->r->status = 204;
	s->r->note = "preflight";
	http_resp_header(s->r, "Allow", "%s", allow_methods);
	if (origin != NULL) {
		http_resp_header(s->r, "Access-Control-Allow-Methods", "%s",
		    allow_methods);
		http_resp_header(s->r, "Access-Control-Allow-Headers", "%s",
		    allow_headers);
		http_resp_header(s->r, "Access-Control-Max-Age", "86400");
	}
	query_error_seq(s);
}

/*
 * The routes that take no parameters refuse the first one, as Strapi's
 * strictParams does: 0 when there is none, else -1 and err.
 */
static int
first_key(const char *query, struct qs_error *err)
{
	struct qs_iter it;
	struct qs_pair pr;
	int r;

	qs_iter_init(&it, query, strlen(query), 0);
	while ((r = qs_next(&it, &pr, NULL, 0)) != QS_END) {
		if (r == QS_PAIR && pr.klen == 0)
			continue;
		pr.key[strcspn(pr.key, "[")] = '\0';
		if (r != QS_PAIR)
			pr.key[0] = '\0';
		snprintf(err->message, sizeof(err->message),
		    "Invalid key %.200s", pr.key);
		snprintf(err->key, sizeof(err->key), "%s", pr.key);
		snprintf(err->param, sizeof(err->param), "%.63s", pr.key);
		err->path[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * The query.fcgi handler (arg: struct query_ctx). GET and HEAD read,
 * OPTIONS answers CORS preflights, anything else is 405. Bad input is a
 * 400 in Strapi's error shape; a failing store a 503. Can't fail.
 */
void
query_handle(const struct http_req *req, struct http_resp *r, void *arg)
{
	struct req_state st, *s = &st; /* on the stack: nothing to free */
	struct path p;
	struct qs_error err;
	const char *origin;
	int rc, allowed, get, head, options, inm, own;
	const char *q;
	struct query_cache_slot *sl = NULL;
	char key[QUERY_CACHE_MAX_KEY];
	size_t kl = 0;
	uint64_t seq;

	memset(&s->m, 0, sizeof(s->m));
	memset(&s->pq, 0, sizeof(s->pq));
	buf_init(&s->rest);
	s->t = NULL;
	s->sp.nfields = 0;
	s->sp.seen = 0;
	s->sp.locale = NULL;
	s->ctx = arg;
	s->budget = POPULATE_MAX_LOOKUPS;
	resolve_init(&s->res, &s->rctx, s->ctx->conf, s->ctx->store,
	    &s->budget);
	s->rctx.cache = s->ctx->rows;
	s->rctx.dep = note_dep;
	s->rctx.dep_arg = s;
	s->deps = 0;
	s->store_seq = 0;
	s->over = 0;
	s->has_plan = 0;
	memset(&s->plan, 0, sizeof(s->plan));
	s->req = req;
	s->query = req->query;
	s->r = r;
	get = strcmp(req->method, "GET") == 0;
	head = strcmp(req->method, "HEAD") == 0;
	options = strcmp(req->method, "OPTIONS") == 0;
	allowed = cors(s, &origin) == 0;
	rc = route_request(s->ctx, req, &p, &s->m);
	if (rc == -1) {
		query_answer_error(s, 400,
		    "Malformed percent-encoding or UTF-8 in "
		    "the path");
		goto out;
	}
	if (rc == -2) {
		query_answer_error(s, 400, "Path too long");
		goto out;
	}
	if (rc == 0) {
		query_answer_error(s, 404, "Not Found");
		goto out;
	}
	r->note = routes[s->m.route].name;
	if ((q = uri_query(s->ctx, req)) != NULL)
		s->query = q;
	if (options) {
		preflight(s, origin, allowed);
		goto out;
	}
	if (!get && !head) {
		query_answer_error(s, 405, "Method Not Allowed");
		http_resp_header(r, "Allow", "%s", allow_methods);
		goto out;
	}
	if (s->m.coll == NULL) {
		/* upload and i18n take no parameters here */
		if (first_key(s->query, &err) == -1) {
			query_answer_invalid(s, &err);
			goto out;
		}
	} else if ((s->t = coll_type(s->ctx, s->m.coll)) != NULL) {
		if (populate_parse(&s->pq, s->query, s->ctx->schema, s->t,
		        &s->rest, &err) == -1 ||
		    populate_filters(&s->pq, s->ctx->conf, s->ctx->schema,
		        &err) == -1 ||
		    qs_parse(&s->sp, buf_cstr(&s->rest), s->m.coll, &err) ==
		        -1) {
			query_answer_invalid(s, &err);
			goto out;
		}
		s->sp.locale = s->pq.locale;
		if (s->sp.cursor != NULL &&
		    s->pq.locale_kind == POPULATE_LOCALE_EVERY) {
			query_answer_error(s, 400,
			    "cursor continues one locale's list: it cannot "
			    "be combined with locale=*");
			goto out;
		}
	} else if (qs_parse(&s->sp, s->query, s->m.coll, &err) == -1) {
		query_answer_invalid(s, &err);
		goto out;
	}
	if (!routes[s->m.route].list &&
	    qs_single_refuse(&err, s->sp.seen) == -1) {
		query_answer_invalid(s, &err);
		goto out;
	}
	if (s->m.route == ROUTE_LIST && qlang_needs_plan(&s->sp)) {
		if (qlang_plan(&s->plan, &s->sp, s->ctx->conf, s->m.coll,
		        s->ctx->schema, s->t, &err) == -1) {
			query_answer_invalid(s, &err);
			goto out;
		}
		s->has_plan = 1;
		s->plan.max_scan =
		    (size_t)conf_int(s->ctx->conf, CFG_QUERY_MAX_SCAN);
		s->plan.cols = s->ctx->cols;
	}
	if (render_reads_other(s->pq.root, s->has_plan ? &s->plan : NULL))
		s->deps = QUERY_DEPS_OTHER;
	if (s->sp.cursor != NULL &&
	    (s->has_plan ? qlang_cursor(&s->plan, s->sp.cursor)
	                 : render_cursor_decode(s->sp.cursor, &s->pos)) == -1) {
		query_answer_error(s, 400,
		    "Invalid cursor (a cursor continues the list with the "
		    "sort it came from)");
		goto out;
	}
	own = routes[s->m.route].own_tag;
	inm = !own && http_req_header(req, "If-None-Match") != NULL;
	if ((inm || s->ctx->ncache > 0) && !own &&
	    store_peek_seq(s->ctx->store, &seq) == 0) {
		if (inm && query_not_modified(s, seq))
			goto out;
		if (s->ctx->ncache > 0 && (kl = query_cache_key(s, key)) > 0) {
			sl = query_cache_slot(s->ctx, key, kl);
			if (query_cache_serve(s, sl, key, kl, seq)) {
				r->note = "cached";
				goto out;
			}
		}
	}
	routes[s->m.route].fn(s);
	if (sl != NULL)
		query_cache_store(s, sl, key, kl);
	if (inm)
		query_not_modified_after(s);
out:
	s->ctx->last_deps = s->deps;
	if (s->has_plan)
		qlang_plan_clear(&s->plan);
	populate_query_clear(&s->pq);
	buf_clear(&s->rest);
}
