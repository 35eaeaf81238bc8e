/* query_cache.c: the seq, ETag and error headers, 304s and the answer cache */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/error.h"
#include "api/query_int.h"

static void
seq_header(struct http_resp *r, uint64_t seq)
{
	http_resp_header(r, QUERY_SEQ_HEADER, "%" PRIu64, seq);
}

/* Error answers carry the current seq too, when the store can tell it. */
void
query_error_seq(struct req_state *s)
{
	uint64_t seq;

	if (store_last_seq(s->ctx->store, &seq) == 0)
		seq_header(s->r, seq);
}

void
query_answer_error(struct req_state *s, int status, const char *message)
{
	strapi_error(s->r, status, NULL, message, NULL);
	if (status != 503)
		query_error_seq(s);
	http_resp_header(s->r, "Cache-Control", "no-store");
}

/* Strapi's strictParams error, with its details object. */
void
query_answer_invalid(struct req_state *s, const struct qs_error *e)
{
	struct buf d;

	if (e->key[0] == '\0') {
		query_answer_error(s, 400, e->message);
		return;
	}
	buf_init(&d);
	strapi_invalid_details(&d, e->key, e->path, e->param);
	strapi_error(s->r, 400, NULL, e->message, d.data);
	buf_clear(&d);
	query_error_seq(s);
	http_resp_header(s->r, "Cache-Control", "no-store");
}

/*
 * 1 when If-None-Match (a list of entity tags, or "*") names W/"<tag>";
 * weak comparison, as RFC 9110 requires for If-None-Match.
 */
int
query_etag_matches(const char *inm, const char *tag)
{
	char want[80];
	size_t wl, n;
	const char *p = inm;

	wl = (size_t)snprintf(want, sizeof(want), "\"%s\"", tag);
	if (wl >= sizeof(want))
		return 0;
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

/* query_etag_matches for the ETag of an answer at seq, W/"<seq>". */
static int
etag_matches(const char *inm, uint64_t seq)
{
	char tag[32];

	snprintf(tag, sizeof(tag), "%" PRIu64, seq);
	return query_etag_matches(inm, tag);
}

void
query_cache_headers(struct req_state *s, uint64_t seq)
{
	char tag[32];

	snprintf(tag, sizeof(tag), "%" PRIu64, seq);
	query_cache_headers_tag(s, seq, tag);
}

/* query_cache_headers with the ETag W/"<tag>" (an answer seq can't name). */
void
query_cache_headers_tag(struct req_state *s, uint64_t seq, const char *tag)
{
	s->seq = seq;
	http_resp_header(s->r, "ETag", "W/\"%s\"", tag);
	seq_header(s->r, seq);
	if (s->ctx->cache_control[0] != '\0')
		http_resp_header(s->r, "Cache-Control", "%s",
		    s->ctx->cache_control);
}

/*
 * 304 when If-None-Match names the store's current seq: the answer can't
 * have changed, so nothing is read or rendered (an answer's seq is never
 * above the store's, and one the store is still at was its seq then and
 * is now). Returns 1 when answered.
 */
int
query_not_modified(struct req_state *s, uint64_t seq)
{
	const char *inm = http_req_header(s->req, "If-None-Match");

	if (inm == NULL || !etag_matches(inm, seq))
		return 0;
	s->r->status = 304;
	s->r->note = "304";
	query_cache_headers(s, seq);
	return 1;
}

/*
 * 304 after the answer was read, when If-None-Match names its own seq
 * (an answer that read one collection keeps its seq while others change,
 * where the store's moved on: query_not_modified did not match it).
 */
void
query_not_modified_after(struct req_state *s)
{
	const char *inm = http_req_header(s->req, "If-None-Match");

	if (inm == NULL || s->r->status != 200 || !etag_matches(inm, s->seq))
		return;
	s->r->status = 304;
	s->r->note = "304";
	buf_reset(&s->r->body);
}

/*
 * The key of a cached answer: what the body depends on (route,
 * collection, path argument, raw query string). Returns its length, or 0
 * when it is too long to cache.
 */
size_t
query_cache_key(const struct req_state *s, char *key)
{
	const char *pn = s->m.coll != NULL ? s->m.coll->plural : "";
	size_t pl = strlen(pn), ql = strlen(s->query);
	size_t n = 1 + pl + 1 + s->m.arg_len + 1 + ql;

	if (n > QUERY_CACHE_MAX_KEY)
		return 0;
	key[0] = (char)('0' + s->m.route);
	memcpy(key + 1, pn, pl + 1);
	if (s->m.arg_len > 0)
		memcpy(key + 2 + pl, s->m.arg, s->m.arg_len);
	key[2 + pl + s->m.arg_len] = '\0';
	memcpy(key + 3 + pl + s->m.arg_len, s->query, ql);
	return n;
}

struct query_cache_slot *
query_cache_slot(struct query_ctx *ctx, const char *key, size_t n)
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
int
query_cache_serve(struct req_state *s, const struct query_cache_slot *sl,
    const char *key, size_t n, uint64_t seq)
{
	if (sl->status == 0 || sl->seq != seq || sl->key_len != n ||
	    memcmp(sl->key, key, n) != 0)
		return 0;
	buf_reserve(&s->r->body, sl->body.len);
	buf_add(&s->r->body, sl->body.data, sl->body.len);
	http_resp_json(s->r, sl->status);
	query_cache_headers(s, sl->answer_seq);
	s->store_seq = seq;
	query_not_modified_after(s);
	return 1;
}

void
query_cache_store(struct req_state *s, struct query_cache_slot *sl,
    const char *key, size_t n)
{
	if ((s->r->status != 200 && s->r->status != 404) ||
	    s->r->body.len > QUERY_CACHE_MAX_BODY)
		return;
	sl->status = s->r->status;
	sl->seq = s->store_seq != 0 ? s->store_seq : s->seq;
	sl->answer_seq = s->seq;
	sl->key_len = n;
	memcpy(sl->key, key, n);
	buf_reset(&sl->body);
	buf_add(&sl->body, s->r->body.data, s->r->body.len);
}
