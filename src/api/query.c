/* query.c: routes REST reads to the store indexes and renders Strapi JSON */
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
#include "api/render.h"
#include "api/resolve.h"
#include "model/entry.h"
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
 *   /api/i18n/locales            the configured locales (bare)
 *
 * Every answer carries the change sequence of the snapshot it was read
 * from (X-Strapi-Live-Seq, meta.seq, and the ETag W/"<seq>"): a page
 * rendered from it subscribes to changes after exactly that point.
 */

enum route {
	ROUTE_LIST,
	ROUTE_ONE,
	ROUTE_BY_SLUG,
	ROUTE_SINGLE,  /* with a schema: a single type */
	ROUTE_FILES,   /* with a schema: upload/files */
	ROUTE_FILE,    /* with a schema: upload/files/<id> */
	ROUTE_LOCALES, /* with a schema: i18n/locales */
	ROUTE__MAX
};

struct path {
	const char *seg[QUERY_MAX_SEGS];
	size_t len[QUERY_MAX_SEGS];
	size_t n;
	char buf[QUERY_MAX_PATH + QUERY_MAX_SEGS + 1];
};

struct match {
	enum route route;
	const struct collection *coll;
	const char *arg; /* documentId or slug, decoded */
	size_t arg_len;
};

struct req_state {
	struct query_ctx *ctx;
	const struct http_req *req;
	struct http_resp *r;
	struct qs_spec sp;
	struct match m;
	struct store_pos pos; /* the decoded cursor */
	uint64_t seq;         /* of the snapshot answered from */
	/* with a schema */
	const struct schema_type *t; /* the route's type, or NULL */
	struct populate_query pq;
	struct buf rest; /* the query string without populate/fields/locale */
	struct populate_resolver res;
	struct resolve_ctx rctx; /* what res reads from */
	size_t budget;           /* lookups left (res.budget) */
	int over;                /* populate reached too many entries */
};

typedef void (*route_fn)(struct req_state *);

static void do_list(struct req_state *);
static void do_one(struct req_state *);
static void do_by_slug(struct req_state *);
static void do_single(struct req_state *);
static void do_files(struct req_state *);
static void do_file(struct req_state *);
static void do_locales(struct req_state *);

/* clang-format off */
static const struct {
	const char *name;    /* for the request log */
	size_t tail;	     /* path segments after the plural */
	const char *literal; /* first tail segment, or NULL for any */
	int list;	     /* accepts list parameters */
	route_fn fn;
} routes[ROUTE__MAX] = {
	{ "list", 0, NULL, 1, do_list },	/* ROUTE_LIST */
	{ "one", 1, NULL, 0, do_one },		/* ROUTE_ONE */
	{ "slug", 2, "slug", 0, do_by_slug },	/* ROUTE_BY_SLUG */
	{ "single", 0, NULL, 0, do_single },	/* ROUTE_SINGLE */
	{ "files", 0, NULL, 0, do_files },	/* ROUTE_FILES */
	{ "file", 1, NULL, 0, do_file },	/* ROUTE_FILE */
	{ "locales", 0, NULL, 0, do_locales },	/* ROUTE_LOCALES */
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

/*
 * The schema's type of a configured collection, or NULL: matched by
 * singular name, as at start-up (an operator's uid may differ).
 */
static const struct schema_type *
coll_type(const struct query_ctx *ctx, const struct collection *c)
{
	if (ctx->schema == NULL || c == NULL)
		return NULL;
	return schema_type_by_singular(ctx->schema, c->name);
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

static void
seq_header(struct http_resp *r, uint64_t seq)
{
	http_resp_header(r, QUERY_SEQ_HEADER, "%" PRIu64, seq);
}

/* Error answers carry the current seq too, when the store can tell it. */
static void
error_seq(struct req_state *s)
{
	uint64_t seq;

	if (store_last_seq(s->ctx->store, &seq) == 0)
		seq_header(s->r, seq);
}

static void
answer_error(struct req_state *s, int status, const char *message)
{
	strapi_error(s->r, status, NULL, message, NULL);
	if (status != 503)
		error_seq(s);
	http_resp_header(s->r, "Cache-Control", "no-store");
}

/* Strapi's strictParams error, with its details object. */
static void
answer_invalid(struct req_state *s, const struct qs_error *e)
{
	struct buf d;

	if (e->key[0] == '\0') {
		answer_error(s, 400, e->message);
		return;
	}
	buf_init(&d);
	buf_adds(&d, "{\"key\":");
	buf_add_json_string(&d, e->key, strlen(e->key));
	buf_adds(&d, ",\"path\":null,\"source\":\"query\",\"param\":");
	buf_add_json_string(&d, e->param, strlen(e->param));
	buf_addc(&d, '}');
	strapi_error(s->r, 400, NULL, e->message, d.data);
	buf_clear(&d);
	error_seq(s);
	http_resp_header(s->r, "Cache-Control", "no-store");
}

/*
 * 1 when If-None-Match (a list of entity tags, or "*") names W/"<seq>";
 * weak comparison, as RFC 9110 requires for If-None-Match.
 */
static int
etag_matches(const char *inm, uint64_t seq)
{
	char want[32];
	size_t wl, n;
	const char *p = inm;

	wl = (size_t)snprintf(want, sizeof(want), "\"%" PRIu64 "\"", seq);
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		n = strcspn(p, ", \t");
		if (n == wl && memcmp(p, want, wl) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static void
cache_headers(struct req_state *s, uint64_t seq)
{
	s->seq = seq;
	http_resp_header(s->r, "ETag", "W/\"%" PRIu64 "\"", seq);
	seq_header(s->r, seq);
	if (s->ctx->cache_control[0] != '\0')
		http_resp_header(s->r, "Cache-Control", "%s",
		    s->ctx->cache_control);
}

/*
 * 304 when If-None-Match names the store's current seq: the answer can't
 * have changed, so nothing is read or rendered. Returns 1 when answered.
 */
static int
not_modified(struct req_state *s, uint64_t seq)
{
	const char *inm = http_req_header(s->req, "If-None-Match");

	if (inm == NULL || !etag_matches(inm, seq))
		return 0;
	s->r->status = 304;
	s->r->note = "304";
	cache_headers(s, seq);
	return 1;
}

/*
 * The key of a cached answer: what the body depends on (route,
 * collection, path argument, raw query string). Returns its length, or 0
 * when it is too long to cache.
 */
static size_t
cache_key(const struct req_state *s, char *key)
{
	const char *pn = s->m.coll != NULL ? s->m.coll->plural : "";
	size_t pl = strlen(pn), ql = strlen(s->req->query);
	size_t n = 1 + pl + 1 + s->m.arg_len + 1 + ql;

	if (n > QUERY_CACHE_MAX_KEY)
		return 0;
	key[0] = (char)('0' + s->m.route);
	memcpy(key + 1, pn, pl + 1);
	if (s->m.arg_len > 0)
		memcpy(key + 2 + pl, s->m.arg, s->m.arg_len);
	key[2 + pl + s->m.arg_len] = '\0';
	memcpy(key + 3 + pl + s->m.arg_len, s->req->query, ql);
	return n;
}

static struct query_cache_slot *
cache_slot(struct query_ctx *ctx, const char *key, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	return &ctx->cache[h % ctx->ncache];
}

/*
 * Answers from the slot when it holds this query at the store's current
 * seq: the store has not changed since, so neither has the answer.
 */
static int
cache_serve(struct req_state *s, const struct query_cache_slot *sl,
    const char *key, size_t n, uint64_t seq)
{
	if (sl->status == 0 || sl->seq != seq || sl->key_len != n ||
	    memcmp(sl->key, key, n) != 0)
		return 0;
	buf_reserve(&s->r->body, sl->body.len);
	buf_add(&s->r->body, sl->body.data, sl->body.len);
	http_resp_json(s->r, sl->status);
	cache_headers(s, seq);
	return 1;
}

static void
cache_store(struct req_state *s, struct query_cache_slot *sl, const char *key,
    size_t n)
{
	if ((s->r->status != 200 && s->r->status != 404) ||
	    s->r->body.len > QUERY_CACHE_MAX_BODY)
		return;
	sl->status = s->r->status;
	sl->seq = s->seq;
	sl->key_len = n;
	memcpy(sl->key, key, n);
	buf_reset(&sl->body);
	buf_add(&sl->body, s->r->body.data, s->r->body.len);
}

/* The store's locale for the request: "" when the type has none. */
static const char *
locale_of(const struct req_state *s)
{
	const struct collection *c = s->m.coll;

	if (c->nlocales == 1 && c->locales[0][0] == '\0')
		return ""; /* not localized: Strapi ignores locale= */
	return s->sp.locale != NULL ? s->sp.locale : c->locales[0];
}

/* --- with a schema: stored forms through api/populate.c ----------------- */

/*
 * One stored entry as the request asks for it (render_query.entry_fn):
 * spliced as stored when there is nothing to take out or resolve.
 */
static int
render_one(void *arg, struct buf *out, const char *json, size_t len)
{
	struct req_state *s = arg;

	if (s->pq.root == NULL && populate_type_flat(s->t)) {
		buf_add(out, json, len);
		return 0;
	}
	switch (populate_render(out, s->ctx->schema, s->t, json, len,
	    s->pq.root, &s->res)) {
	case 0:
		return 0;
	case -2:
		s->over = 1;
		return -1;
	default:
		return -1;
	}
}

/* The answer when rendering failed: too much to populate, or the store. */
static void
render_failed(struct req_state *s)
{
	char msg[128];

	if (!s->over) {
		answer_error(s, 503, "The store is unavailable");
		return;
	}
	snprintf(msg, sizeof(msg),
	    "populate reaches more than %d entries: ask for less",
	    POPULATE_MAX_LOOKUPS);
	answer_error(s, 400, msg);
}

static void
do_list(struct req_state *s)
{
	struct render_query q;
	uint64_t seq;

	memset(&q, 0, sizeof(q));
	q.coll = s->m.coll;
	q.locale = locale_of(s);
	q.category = s->sp.category;
	q.slug = s->sp.slug;
	q.ascending = s->sp.ascending;
	q.paging = s->sp.paging == QS_PAGING_OFFSET ? RENDER_PAGING_OFFSET
	                                            : RENDER_PAGING_PAGE;
	q.page = s->sp.page;
	q.page_size = s->sp.page_size;
	q.start = s->sp.start;
	q.limit = s->sp.limit;
	q.no_count = s->sp.no_count;
	q.fields = s->sp.nfields > 0 ? s->sp.fields : NULL;
	q.nfields = s->sp.nfields;
	if (s->sp.cursor != NULL)
		q.after = &s->pos;
	if (s->t != NULL) {
		q.entry_fn = render_one;
		q.entry_arg = s;
		if (resolve_localized(q.coll) &&
		    s->pq.locale_kind == POPULATE_LOCALE_EVERY) {
			q.locales = (const char *const *)q.coll->locales;
			q.nlocales = q.coll->nlocales;
		}
		q.nothing = resolve_localized(q.coll) &&
		    s->pq.locale_kind == POPULATE_LOCALE_NONE;
	}
	if (render_list(s->ctx->store, &q, &s->r->body, &seq) == -1) {
		render_failed(s);
		return;
	}
	http_resp_json(s->r, 200);
	cache_headers(s, seq);
}

/* {"data":{…},"meta":{"seq":N}}, or 404 in Strapi's shape. */
static void
single(struct req_state *s, enum store_result res, const struct buf *json,
    uint64_t seq)
{
	if (res == STORE_ERR) {
		answer_error(s, 503, "The store is unavailable");
		return;
	}
	if (res != STORE_OK) {
		strapi_error(s->r, 404, NULL, "Not Found", NULL);
		cache_headers(s, seq);
		return;
	}
	http_resp_json(s->r, 200);
	buf_adds(&s->r->body, "{\"data\":");
	if (s->t == NULL)
		render_entry(&s->r->body, json->data, json->len,
		    s->sp.nfields > 0 ? s->sp.fields : NULL, s->sp.nfields);
	else if (render_one(s, &s->r->body, json->data, json->len) == -1) {
		render_failed(s);
		return;
	}
	buf_printf(&s->r->body, ",\"meta\":{\"seq\":%" PRIu64 "}}", seq);
	cache_headers(s, seq);
}

static void
do_one(struct req_state *s)
{
	struct buf json;
	enum store_result res = STORE_NOTFOUND;
	uint64_t seq = 0;

	buf_init(&json);
	if (entry_valid_key_string(s->m.arg, s->m.arg_len, ENTRY_MAX_ID))
		res = store_get(s->ctx->store, s->m.coll->name, s->m.arg,
		    locale_of(s), &json, &seq);
	else if (store_last_seq(s->ctx->store, &seq) == -1)
		res = STORE_ERR;
	single(s, res, &json, seq);
	buf_clear(&json);
}

static void
do_by_slug(struct req_state *s)
{
	struct buf json;
	enum store_result res = STORE_NOTFOUND;
	uint64_t seq = 0;

	buf_init(&json);
	if (s->m.arg_len <= ENTRY_MAX_SLUG)
		res = store_get_by_slug(s->ctx->store, s->m.coll->name,
		    locale_of(s), s->m.arg, &json, &seq);
	else if (store_last_seq(s->ctx->store, &seq) == -1)
		res = STORE_ERR;
	single(s, res, &json, seq);
	buf_clear(&json);
}

/* The first item of a list (a single type has one entry at most). */
static int
first_item(void *arg, const struct store_item *it)
{
	struct buf *json = arg;

	buf_add(json, it->json, it->json_len);
	return 1;
}

/*
 * A single type: {"data":{…},"meta":{"seq":N}} (Strapi's meta is empty;
 * seq is ours, as on every envelope), or 404 when none is stored.
 */
static void
do_single(struct req_state *s)
{
	struct store_list_query lq;
	struct buf json;
	enum store_result res = STORE_OK;
	uint64_t total, seq = 0;

	buf_init(&json);
	memset(&lq, 0, sizeof(lq));
	lq.collection = s->m.coll->name;
	lq.locale = locale_of(s);
	lq.limit = 1;
	if (store_list(s->ctx->store, &lq, first_item, &json, &total, &seq) ==
	    -1)
		res = STORE_ERR;
	else if (json.len == 0)
		res = STORE_NOTFOUND;
	single(s, res, &json, seq);
	buf_clear(&json);
}

/* A media row as REST gives it: the file, and "isUrlSigned": false. */
static void
file_row(struct buf *out, const char *json, size_t len)
{
	while (len > 0 && json[len - 1] != '}')
		len--;
	if (len < 2) {
		buf_adds(out, "null");
		return;
	}
	buf_add(out, json, len - 1);
	buf_adds(out,
	    len > 2 ? ",\"isUrlSigned\":false}" : "\"isUrlSigned\":false}");
}

struct files {
	struct {
		int64_t id;
		char *json;
		size_t len;
	} * row;
	size_t n, cap;
};

static int
file_item(void *arg, const struct store_item *it)
{
	struct files *f = arg;

	if (f->n == f->cap) {
		f->cap = f->cap > 0 ? 2 * f->cap : 16;
		f->row = xreallocarray(f->row, f->cap, sizeof(*f->row));
	}
	f->row[f->n].id = strtoll(it->document_id, NULL, 10);
	f->row[f->n].json = xstrndup(it->json, it->json_len);
	f->row[f->n++].len = it->json_len;
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* upload/files: every media row, by id, as a bare array (R6). */
static void
do_files(struct req_state *s)
{
	struct files f;
	uint64_t seq;
	size_t i;

	memset(&f, 0, sizeof(f));
	if (store_last_seq(s->ctx->store, &seq) == -1 ||
	    store_iter_entries(s->ctx->store, QUERY_MEDIA, file_item, &f) ==
	        -1) {
		answer_error(s, 503, "The store is unavailable");
		goto out;
	}
	if (f.n > 0)
		qsort(f.row, f.n, sizeof(*f.row), file_cmp);
	http_resp_json(s->r, 200);
	buf_addc(&s->r->body, '[');
	for (i = 0; i < f.n; i++) {
		if (i > 0)
			buf_addc(&s->r->body, ',');
		file_row(&s->r->body, f.row[i].json, f.row[i].len);
	}
	buf_addc(&s->r->body, ']');
	cache_headers(s, seq);
out:
	for (i = 0; i < f.n; i++)
		free(f.row[i].json);
	free(f.row);
}

/* upload/files/<id>: one media row, a bare object, or 404. */
static void
do_file(struct req_state *s)
{
	struct buf json;
	enum store_result res = STORE_NOTFOUND;
	uint64_t seq = 0;
	size_t i;

	buf_init(&json);
	for (i = 0;
	     i < s->m.arg_len && s->m.arg[i] >= '0' && s->m.arg[i] <= '9'; i++)
		;
	if (i == s->m.arg_len && i > 0 && i < 20)
		res = store_get(s->ctx->store, QUERY_MEDIA, s->m.arg, "", &json,
		    &seq);
	else if (store_last_seq(s->ctx->store, &seq) == -1)
		res = STORE_ERR;
	if (res == STORE_ERR)
		answer_error(s, 503, "The store is unavailable");
	else if (res != STORE_OK) {
		strapi_error(s->r, 404, NULL, "Not Found", NULL);
		cache_headers(s, seq);
	} else {
		http_resp_json(s->r, 200);
		file_row(&s->r->body, json.data, json.len);
		cache_headers(s, seq);
	}
	buf_clear(&json);
}

/* Language names for i18n/locales ("English (en)"), the common ones. */
static const struct {
	const char *code, *name;
} languages[] = {
	{ "ar", "Arabic" },
	{ "cs", "Czech" },
	{ "da", "Danish" },
	{ "de", "German" },
	{ "el", "Greek" },
	{ "en", "English" },
	{ "es", "Spanish" },
	{ "fi", "Finnish" },
	{ "fr", "French" },
	{ "he", "Hebrew" },
	{ "hi", "Hindi" },
	{ "hu", "Hungarian" },
	{ "id", "Indonesian" },
	{ "it", "Italian" },
	{ "ja", "Japanese" },
	{ "ko", "Korean" },
	{ "nl", "Dutch" },
	{ "pl", "Polish" },
	{ "pt", "Portuguese" },
	{ "ro", "Romanian" },
	{ "ru", "Russian" },
	{ "sk", "Slovak" },
	{ "sv", "Swedish" },
	{ "th", "Thai" },
	{ "tr", "Turkish" },
	{ "uk", "Ukrainian" },
	{ "vi", "Vietnamese" },
	{ "zh", "Chinese" },
};

/*
 * i18n/locales: every locale a collection is configured with, the first
 * localized collection's default first, as Strapi's bare array (R6).
 * What only Strapi's admin knows is made up the same way each time: id
 * is the position (1, 2, ...), documentId the code, the times null, and
 * the name "<Language> (<code>)" for common languages, else the code.
 */
static void
do_locales(struct req_state *s)
{
	const struct collection *c;
	const char *seen[QUERY_MAX_SEGS], *name;
	char label[128];
	size_t i, j, k, n = 0, nc = conf_ncollections(s->ctx->conf);
	uint64_t seq;
	struct buf *b = &s->r->body;

	if (store_last_seq(s->ctx->store, &seq) == -1) {
		answer_error(s, 503, "The store is unavailable");
		return;
	}
	for (i = 0; i < nc; i++) {
		c = conf_collection(s->ctx->conf, i);
		for (j = 0; resolve_localized(c) && j < c->nlocales; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(seen[k], c->locales[j]) == 0)
					break;
			if (k == n && n < QUERY_MAX_SEGS)
				seen[n++] = c->locales[j];
		}
	}
	http_resp_json(s->r, 200);
	buf_addc(b, '[');
	for (k = 0; k < n; k++) {
		name = NULL;
		for (i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
			if (strcmp(languages[i].code, seen[k]) == 0)
				name = languages[i].name;
		buf_printf(b, "%s{\"id\":%zu,\"documentId\":", k > 0 ? "," : "",
		    k + 1);
		buf_add_json_string(b, seen[k], strlen(seen[k]));
		if (name != NULL)
			snprintf(label, sizeof(label), "%s (%s)", name,
			    seen[k]);
		else
			snprintf(label, sizeof(label), "%s", seen[k]);
		buf_adds(b, ",\"name\":");
		buf_add_json_string(b, label, strlen(label));
		buf_adds(b, ",\"code\":");
		buf_add_json_string(b, seen[k], strlen(seen[k]));
		buf_printf(b,
		    ",\"createdAt\":null,\"updatedAt\":null,"
		    "\"publishedAt\":null,\"isDefault\":%s}",
		    k == 0 ? "true" : "false");
	}
	buf_addc(b, ']');
	cache_headers(s, seq);
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
		answer_error(s, 403, "Origin not allowed");
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
	error_seq(s);
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
		return -1;
	}
	return 0;
}

/* The parameter families a single-entry route refuses. */
static const char *
single_refuses(int seen)
{
	if (seen & QS_SEEN_PAGINATION)
		return "pagination";
	if (seen & QS_SEEN_SORT)
		return "sort";
	if (seen & QS_SEEN_FILTERS)
		return "filters";
	if (seen & QS_SEEN_CURSOR)
		return "cursor";
	if (seen & QS_SEEN_CATEGORY)
		return "category";
	return NULL;
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
	const char *origin, *refused;
	int rc, allowed, get, head, options, inm;
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
	s->over = 0;
	s->req = req;
	s->r = r;
	get = strcmp(req->method, "GET") == 0;
	head = strcmp(req->method, "HEAD") == 0;
	options = strcmp(req->method, "OPTIONS") == 0;
	allowed = cors(s, &origin) == 0;
	rc = route_request(s->ctx, req, &p, &s->m);
	if (rc == -1) {
		answer_error(s, 400,
		    "Malformed percent-encoding or UTF-8 in "
		    "the path");
		goto out;
	}
	if (rc == -2) {
		answer_error(s, 400, "Path too long");
		goto out;
	}
	if (rc == 0) {
		answer_error(s, 404, "Not Found");
		goto out;
	}
	r->note = routes[s->m.route].name;
	if (options) {
		preflight(s, origin, allowed);
		goto out;
	}
	if (!get && !head) {
		answer_error(s, 405, "Method Not Allowed");
		http_resp_header(r, "Allow", "%s", allow_methods);
		goto out;
	}
	if (s->m.coll == NULL) {
		/* upload and i18n take no parameters here */
		if (first_key(req->query, &err) == -1) {
			answer_invalid(s, &err);
			goto out;
		}
	} else if ((s->t = coll_type(s->ctx, s->m.coll)) != NULL) {
		if (populate_parse(&s->pq, req->query, s->ctx->schema, s->t,
		        &s->rest, &err) == -1 ||
		    qs_parse(&s->sp, buf_cstr(&s->rest), s->m.coll, &err) ==
		        -1) {
			answer_invalid(s, &err);
			goto out;
		}
		s->sp.locale = s->pq.locale;
		if (s->sp.cursor != NULL &&
		    s->pq.locale_kind == POPULATE_LOCALE_EVERY) {
			answer_error(s, 400,
			    "cursor continues one locale's list: it cannot "
			    "be combined with locale=*");
			goto out;
		}
	} else if (qs_parse(&s->sp, req->query, s->m.coll, &err) == -1) {
		answer_invalid(s, &err);
		goto out;
	}
	if (!routes[s->m.route].list &&
	    (refused = single_refuses(s->sp.seen)) != NULL) {
		snprintf(err.message, sizeof(err.message), "Invalid key %s",
		    refused);
		snprintf(err.key, sizeof(err.key), "%s", refused);
		snprintf(err.param, sizeof(err.param), "%s", refused);
		answer_invalid(s, &err);
		goto out;
	}
	if (s->sp.cursor != NULL &&
	    render_cursor_decode(s->sp.cursor, &s->pos) == -1) {
		answer_error(s, 400, "Invalid cursor");
		goto out;
	}
	inm = http_req_header(req, "If-None-Match") != NULL;
	if ((inm || s->ctx->ncache > 0) &&
	    store_peek_seq(s->ctx->store, &seq) == 0) {
		if (inm && not_modified(s, seq))
			goto out;
		if (s->ctx->ncache > 0 && (kl = cache_key(s, key)) > 0) {
			sl = cache_slot(s->ctx, key, kl);
			if (cache_serve(s, sl, key, kl, seq)) {
				r->note = "cached";
				goto out;
			}
		}
	}
	routes[s->m.route].fn(s);
	if (sl != NULL)
		cache_store(s, sl, key, kl);
out:
	populate_query_clear(&s->pq);
	buf_clear(&s->rest);
}
