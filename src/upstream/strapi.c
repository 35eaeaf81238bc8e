/* strapi.c: Strapi REST client: paged list GETs, retries and backoff */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "conf/conf.h"
#include "util/buf.h"
#include "model/entry.h"
#include "util/log.h"
#include "upstream/strapi.h"
#include "util/xmalloc.h"

#define STRAPI_MAX_BODY        (64 * 1024 * 1024)
#define STRAPI_MAX_RETRY_AFTER 120 /* seconds; a longer ask is capped */
#define STRAPI_MAX_BACKOFF_MS  30000

/*
 * One easy handle per client, reused for every request so libcurl keeps
 * the connection alive between pages (Strapi's Koa server answers
 * HTTP/1.1 keep-alive). TLS peer and host verification are always on;
 * the CA bundle can be given (strapi_ca_file).
 */
struct strapi {
	CURL *curl;
	struct curl_slist *headers;
	char *base; /* url without the trailing '/' */
	struct strapi_opts o;
	struct buf body;
	int too_large;
	struct buf err;
	char *url; /* the last URL requested */
	unsigned requests;
	unsigned connections;
	long code;      /* the last answer's HTTP status, 0 when none */
	char *populate; /* query text added to entry requests, or NULL */
};

static int curl_users;

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct strapi *s = arg;
	size_t len = size * n;

	if (s->body.len + len > STRAPI_MAX_BODY) {
		s->too_large = 1;
		return 0; /* makes libcurl fail the transfer */
	}
	buf_add(&s->body, p, len);
	return len;
}

/*
 * Creates a client for the Strapi at o->url. Returns 0 and *out, or -1
 * after logging (libcurl could not start). Strings in o are copied.
 */
int
strapi_open(struct strapi **out, const struct strapi_opts *o)
{
	struct strapi *s;
	char *h;
	size_t n;

	/* Atomic: the sidecar's writer threads re-fetch (refetch.c). */
	if (__atomic_fetch_add(&curl_users, 1, __ATOMIC_SEQ_CST) == 0 &&
	    curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		__atomic_fetch_sub(&curl_users, 1, __ATOMIC_SEQ_CST);
		log_warnx("libcurl: global initialisation failed");
		return -1;
	}
	s = xcalloc(1, sizeof(*s));
	s->o = *o;
	s->base = xstrdup(o->url);
	n = strlen(s->base);
	while (n > 0 && s->base[n - 1] == '/')
		s->base[--n] = '\0';
	buf_init(&s->body);
	buf_init(&s->err);
	if ((s->curl = curl_easy_init()) == NULL) {
		log_warnx("libcurl: cannot create a handle");
		strapi_close(s);
		return -1;
	}
	s->headers = curl_slist_append(NULL, "Accept: application/json");
	if (o->token != NULL && o->token[0] != '\0') {
		xasprintf(&h, "Authorization: Bearer %s", o->token);
		s->headers = curl_slist_append(s->headers, h);
		explicit_bzero(h, strlen(h));
		free(h);
	}
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, s->headers);
	curl_easy_setopt(s->curl, CURLOPT_USERAGENT,
	    PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(s->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, o->timeout);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT,
	    o->timeout < 10 ? o->timeout : 10L);
	curl_easy_setopt(s->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(s->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file != NULL && o->ca_file[0] != '\0')
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, o->ca_file);
	curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s);
	s->o.url = s->o.token = s->o.ca_file = NULL; /* not kept */
	*out = s;
	return 0;
}

/* Frees the client and closes its connection; NULL does nothing. */
void
strapi_close(struct strapi *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	if (s->headers != NULL) {
		/* The list holds the token: wipe it before freeing. */
		struct curl_slist *l;

		for (l = s->headers; l != NULL; l = l->next)
			explicit_bzero(l->data, strlen(l->data));
		curl_slist_free_all(s->headers);
	}
	buf_clear(&s->body);
	buf_clear(&s->err);
	free(s->base);
	free(s->url);
	free(s->populate);
	free(s);
	if (__atomic_sub_fetch(&curl_users, 1, __ATOMIC_SEQ_CST) == 0)
		curl_global_cleanup();
}

/* The reason of the last failure ("" after a success). Borrowed. */
const char *
strapi_why(const struct strapi *s)
{
	return s->err.data != NULL ? s->err.data : "";
}

/* The last URL requested (no secret in it), or "". Borrowed. */
const char *
strapi_last_url(const struct strapi *s)
{
	return s->url != NULL ? s->url : "";
}

/* HTTP requests made so far, retries included. */
unsigned
strapi_requests(const struct strapi *s)
{
	return s->requests;
}

/* TCP connections opened so far (1 when keep-alive held throughout). */
unsigned
strapi_connections(const struct strapi *s)
{
	return s->connections;
}

void
strapi_page_clear(struct strapi_page *p)
{
	if (p->root != NULL)
		json_object_put(p->root);
	memset(p, 0, sizeof(*p));
}

static void
pause_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Starts a parameter: "&", unless u ends with the query's "?". */
static void
sep(struct buf *u)
{
	if (u->len > 0 && u->data[u->len - 1] != '?')
		buf_addc(u, '&');
}

/* Appends "&name=escaped value" to u. */
static void
add_param(struct strapi *s, struct buf *u, const char *name, const char *v)
{
	char *e = curl_easy_escape(s->curl, v, 0);

	sep(u);
	buf_printf(u, "%s=%s", name, e != NULL ? e : "");
	curl_free(e);
}

/*
 * Sets s->url to a list URL (one document's when doc_id is not NULL:
 * /api/<plural>/<doc_id>): plural's page of page_size (no pagination
 * when page is 0: a single type's URL), sorted by sort and of locale
 * (each when not NULL or ""), and with field in values when nvalues > 0
 * (filters[field][$in][i]=value, qs syntax), then the populate query.
 */
static void
set_url(struct strapi *s, const char *plural, const char *doc_id,
    const char *locale, const char *sort, int64_t page, int64_t page_size,
    const char *field, const char *const *values, size_t nvalues)
{
	struct buf u;
	char *e, *f = NULL;
	size_t i;

	buf_init(&u);
	buf_adds(&u, s->base);
	buf_adds(&u, "/api/");
	e = curl_easy_escape(s->curl, plural, 0);
	buf_adds(&u, e != NULL ? e : "");
	curl_free(e);
	if (doc_id != NULL) {
		e = curl_easy_escape(s->curl, doc_id, 0);
		buf_addc(&u, '/');
		buf_adds(&u, e != NULL ? e : "");
		curl_free(e);
	}
	buf_addc(&u, '?');
	if (page > 0)
		buf_printf(&u,
		    "pagination%%5Bpage%%5D=%" PRId64
		    "&pagination%%5BpageSize%%5D=%" PRId64,
		    page, page_size);
	if (sort != NULL && sort[0] != '\0')
		add_param(s, &u, "sort", sort);
	if (locale != NULL && locale[0] != '\0')
		add_param(s, &u, "locale", locale);
	if (nvalues > 0)
		f = curl_easy_escape(s->curl, field, 0);
	for (i = 0; i < nvalues; i++) {
		e = curl_easy_escape(s->curl, values[i], 0);
		sep(&u);
		buf_printf(&u, "filters%%5B%s%%5D%%5B%%24in%%5D%%5B%zu%%5D=%s",
		    f != NULL ? f : "", i, e != NULL ? e : "");
		curl_free(e);
	}
	curl_free(f);
	if (s->populate != NULL) {
		sep(&u);
		buf_adds(&u, s->populate);
	}
	free(s->url);
	s->url = buf_take(&u);
}

/* Strapi's error envelope message, when the body is one; else NULL. */
static const char *
envelope_message(struct json_object *root)
{
	struct json_object *e, *m;

	if (root == NULL || !json_object_object_get_ex(root, "error", &e) ||
	    !json_object_object_get_ex(e, "message", &m) ||
	    !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}

static int
get_int(struct json_object *o, const char *name, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return *out < 0 ? -1 : 0;
}

/* Checks the list shape {"data":[...],"meta":{"pagination":{...}}}. */
static const char *
check_shape(struct json_object *root, struct strapi_page *p)
{
	struct json_object *meta, *pg;

	if (!json_object_is_type(root, json_type_object))
		return "the answer is not a JSON object";
	if (!json_object_object_get_ex(root, "data", &p->data) ||
	    !json_object_is_type(p->data, json_type_array))
		return "\"data\" is missing or not an array";
	if (!json_object_object_get_ex(root, "meta", &meta) ||
	    !json_object_object_get_ex(meta, "pagination", &pg) ||
	    !json_object_is_type(pg, json_type_object))
		return "\"meta.pagination\" is missing";
	if (get_int(pg, "page", &p->page) == -1 ||
	    get_int(pg, "pageSize", &p->page_size) == -1 ||
	    get_int(pg, "pageCount", &p->page_count) == -1 ||
	    get_int(pg, "total", &p->total) == -1)
		return "\"meta.pagination\" lacks page, pageSize, pageCount "
		       "or total (page-based pagination expected)";
	if ((int64_t)json_object_array_length(p->data) > p->page_size &&
	    p->page_size > 0)
		return "more entries in \"data\" than pageSize";
	return NULL;
}

/* Any JSON value: no shape is checked (strapi_get_json). */
static const char *
any_shape(struct json_object *root, struct strapi_page *p)
{
	(void)root;
	(void)p;
	return NULL;
}

/*
 * GETs the list page at s->url (list 0: any JSON answer, in p->root
 * alone). 429, 5xx and network errors are retried
 * with backoff (Retry-After honoured, capped at 2 minutes). Returns
 * STRAPI_OK with *p filled (the caller clears it), or another status with
 * strapi_why() saying what went wrong and strapi_last_url() where.
 */
static enum strapi_status
get_page(struct strapi *s, struct strapi_page *p,
    const char *(*shape)(struct json_object *, struct strapi_page *))
{
	enum strapi_status st = STRAPI_ERR_NET;
	struct json_object *root = NULL;
	const char *why, *ct, *msg;
	CURLcode cc;
	long code = 0, nconn = 0;
	curl_off_t retry_after;
	long wait;
	int attempt;

	memset(p, 0, sizeof(*p));
	s->code = 0;
	curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
	for (attempt = 0; attempt <= s->o.retries; attempt++) {
		buf_reset(&s->body);
		buf_reset(&s->err);
		s->too_large = 0;
		s->requests++;
		cc = curl_easy_perform(s->curl);
		if (curl_easy_getinfo(s->curl, CURLINFO_NUM_CONNECTS, &nconn) ==
		    CURLE_OK)
			s->connections += (unsigned)nconn;
		retry_after = 0;
		if (cc != CURLE_OK) {
			if (s->too_large) {
				buf_printf(&s->err,
				    "the answer is larger than "
				    "%d MiB",
				    STRAPI_MAX_BODY >> 20);
				return STRAPI_ERR_PARSE;
			}
			buf_printf(&s->err, "%s", curl_easy_strerror(cc));
			st = STRAPI_ERR_NET;
		} else {
			curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE,
			    &code);
			s->code = code;
			if (code == 200)
				break;
			root =
			    entry_parse_json(s->body.data != NULL ? s->body.data
			                                          : "",
			        s->body.len, &why);
			msg = envelope_message(root);
			if (code == 401 || code == 403) {
				buf_printf(&s->err,
				    "HTTP %ld: Strapi refused "
				    "the API token (STRAPI_API_TOKEN: missing, "
				    "invalid, or without find permission)%s%s",
				    code, msg != NULL ? ": " : "",
				    msg != NULL ? msg : "");
				json_object_put(root);
				return STRAPI_ERR_AUTH;
			}
			buf_printf(&s->err, "HTTP %ld%s%s", code,
			    msg != NULL ? ": " : "", msg != NULL ? msg : "");
			json_object_put(root);
			root = NULL;
			if (code != 429 && code < 500)
				return STRAPI_ERR_HTTP;
			st = STRAPI_ERR_HTTP;
			curl_easy_getinfo(s->curl, CURLINFO_RETRY_AFTER,
			    &retry_after);
		}
		if (attempt == s->o.retries)
			return st;
		if (retry_after > 0)
			wait = (long)(retry_after > STRAPI_MAX_RETRY_AFTER
			               ? STRAPI_MAX_RETRY_AFTER
			               : retry_after) *
			    1000;
		else {
			wait = s->o.backoff_ms << (attempt < 10 ? attempt : 10);
			if (wait > STRAPI_MAX_BACKOFF_MS)
				wait = STRAPI_MAX_BACKOFF_MS;
		}
		log_info("strapi: GET %s: %s; retrying in %ld ms", s->url,
		    buf_cstr(&s->err), wait);
		pause_ms(wait);
	}
	if (curl_easy_getinfo(s->curl, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
		ct = NULL;
	root = entry_parse_json(s->body.data != NULL ? s->body.data : "",
	    s->body.len, &why);
	if (root == NULL) {
		buf_printf(&s->err,
		    "the answer is not JSON (Content-Type %s): "
		    "%s",
		    ct != NULL ? ct : "none", why);
		return STRAPI_ERR_PARSE;
	}
	if ((why = shape(root, p)) != NULL) {
		buf_printf(&s->err, "unexpected answer: %s", why);
		json_object_put(root);
		memset(p, 0, sizeof(*p));
		return STRAPI_ERR_PARSE;
	}
	p->root = root;
	return STRAPI_OK;
}

/*
 * GETs one list page of plural (and locale, when not "") sorted by sort,
 * as get_page does.
 */
enum strapi_status
strapi_list_page(struct strapi *s, const char *plural, const char *locale,
    const char *sort, int64_t page, int64_t page_size, struct strapi_page *p)
{
	set_url(s, plural, NULL, locale, sort, page, page_size, NULL, NULL, 0);
	return get_page(s, p, check_shape);
}

/*
 * GETs the published entries of plural (and locale, when not "") whose
 * field is one of values, in one page of STRAPI_FIND_MAX, as get_page
 * does. 0 < n <= STRAPI_FIND_MAX. The caller checks that the page holds
 * every match (total).
 */
enum strapi_status
strapi_find_in(struct strapi *s, const char *plural, const char *locale,
    const char *field, const char *const *values, size_t n,
    struct strapi_page *p)
{
	set_url(s, plural, NULL, locale, NULL, 1, STRAPI_FIND_MAX, field,
	    values, n);
	return get_page(s, p, check_shape);
}

/*
 * GETs base + path (path begins with '/', escaped by the caller) as one
 * JSON value, as get_page does but of any shape: *root is the answer
 * (the caller puts it). After STRAPI_ERR_AUTH, strapi_last_status tells
 * a 401 from a 403.
 */
enum strapi_status
strapi_get_json(struct strapi *s, const char *path, struct json_object **root)
{
	struct strapi_page p;
	enum strapi_status st;

	free(s->url);
	xasprintf(&s->url, "%s%s", s->base, path);
	if ((st = get_page(s, &p, any_shape)) == STRAPI_OK)
		*root = p.root;
	return st;
}

/* The HTTP status of the last answer, or 0 when none came. */
long
strapi_last_status(const struct strapi *s)
{
	return s->code;
}

/* The client options of conf's strapi_* settings (no retries). */
void
strapi_opts_conf(struct strapi_opts *o, const struct conf *conf)
{
	memset(o, 0, sizeof(*o));
	o->url = conf_str(conf, CFG_STRAPI_URL);
	o->token = conf_str(conf, CFG_STRAPI_API_TOKEN);
	o->ca_file = conf_str(conf, CFG_STRAPI_CA_FILE);
	o->timeout = (long)conf_int(conf, CFG_STRAPI_TIMEOUT);
}

/*
 * Sets the query text (already escaped, "populate%5Bcover%5D=true&...")
 * added to every list, find and single-type request; NULL or "": none.
 */
void
strapi_set_populate(struct strapi *s, const char *q)
{
	free(s->populate);
	s->populate = q != NULL && q[0] != '\0' ? xstrdup(q) : NULL;
}

/* A single type's {"data":{...},"meta":{}} as a page of one entry. */
static const char *
single_shape(struct json_object *root, struct strapi_page *p)
{
	struct json_object *d, *a;

	if (!json_object_is_type(root, json_type_object))
		return "the answer is not a JSON object";
	if (!json_object_object_get_ex(root, "data", &d) ||
	    !json_object_is_type(d, json_type_object))
		return "\"data\" is missing or not an object";
	a = json_object_new_array();
	json_object_array_add(a, json_object_get(d));
	json_object_object_add(root, "data", a);
	p->data = a;
	p->page = p->page_count = p->total = 1;
	p->page_size = 1;
	return NULL;
}

/* The upload plugin's bare array of files, as one page. */
static const char *
array_shape(struct json_object *root, struct strapi_page *p)
{
	if (!json_object_is_type(root, json_type_array))
		return "the answer is not a JSON array";
	p->data = root;
	p->page = p->page_count = 1;
	p->total = p->page_size = (int64_t)json_object_array_length(root);
	return NULL;
}

/*
 * GETs s->url, an answer {"data":{...}}, as a page of its one entry, or
 * of none when Strapi answers 404.
 */
static enum strapi_status
get_one(struct strapi *s, struct strapi_page *p)
{
	enum strapi_status st;

	st = get_page(s, p, single_shape);
	if (st == STRAPI_ERR_HTTP && s->code == 404) {
		memset(p, 0, sizeof(*p));
		p->root = json_object_new_array();
		p->data = p->root;
		p->page = p->page_count = 1;
		return STRAPI_OK;
	}
	return st;
}

/*
 * GETs one document of plural (of locale, when not ""), as Strapi's
 * findOne answers it: a page of its one entry, or of none when Strapi
 * answers 404 (it has no published row).
 */
enum strapi_status
strapi_get_document(struct strapi *s, const char *plural, const char *doc_id,
    const char *locale, struct strapi_page *p)
{
	set_url(s, plural, doc_id, locale, NULL, 0, 0, NULL, NULL, 0);
	return get_one(s, p);
}

/*
 * GETs the single type singular (of locale, when not ""): a page of its
 * one entry, or of none when Strapi answers 404 (it has none published).
 */
enum strapi_status
strapi_get_single(struct strapi *s, const char *singular, const char *locale,
    struct strapi_page *p)
{
	set_url(s, singular, NULL, locale, NULL, 0, 0, NULL, NULL, 0);
	return get_one(s, p);
}

/* GETs the media library, /api/upload/files (a bare array). */
enum strapi_status
strapi_get_files(struct strapi *s, struct strapi_page *p)
{
	free(s->url);
	xasprintf(&s->url, "%s/api/upload/files", s->base);
	return get_page(s, p, array_shape);
}
