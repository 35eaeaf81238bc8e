/* events.c: the SSE change stream (bounded time) and JSON change pages */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/error.h"
#include "api/events.h"
#include "util/hmac.h"
#include "util/log.h"
#include "util/now.h"
#include "api/sse.h"
#include "api/qs.h"
#include "util/xmalloc.h"

struct events_args {
	char *since, *last_event_id, *collection, *format, *limit, *token;
};

/*
 * The parameters events.fcgi reads; others are ignored. A value with a
 * malformed escape is kept as sent.
 */
static void
args_parse(struct events_args *a, const char *qs)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{ "since", offsetof(struct events_args, since) },
		{ "lastEventId", offsetof(struct events_args, last_event_id) },
		{ "collection", offsetof(struct events_args, collection) },
		{ "format", offsetof(struct events_args, format) },
		{ "limit", offsetof(struct events_args, limit) },
		{ "token", offsetof(struct events_args, token) },
	};
	struct qs_iter it;
	struct qs_pair pr;
	size_t n = strlen(qs), i;
	char *val = xmalloc(n + 1), **slot;
	int r;

	memset(a, 0, sizeof(*a));
	qs_iter_init(&it, qs, n, 0);
	while ((r = qs_next(&it, &pr, val, n + 1)) != QS_END) {
		if (r == QS_KEY_LONG || r == QS_KEY_BAD || !pr.has_value)
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(pr.key, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			continue;
		slot = (void *)((char *)a + names[i].off);
		free(*slot);
		*slot = r == QS_VALUE_BAD ? xstrndup(pr.raw, pr.rawlen)
		                          : xstrdup(pr.val);
	}
	explicit_bzero(val, n + 1); /* it held the token */
	free(val);
}

static void
args_clear(struct events_args *a)
{

	free(a->since);
	free(a->last_event_id);
	free(a->collection);
	free(a->format);
	free(a->limit);
	if (a->token != NULL)
		explicit_bzero(a->token, strlen(a->token));
	free(a->token);
}

static int
token_ok(const struct conf *conf, const struct http_req *req,
    const struct events_args *a)
{
	const char *want = conf_str(conf, CFG_PUSH_TOKEN);
	const char *got = a->token, *auth;

	if (want == NULL || *want == '\0')
		return 1;
	auth = http_req_header(req, "Authorization");
	if (auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
		got = auth + 7;
	if (got == NULL)
		return 0;
	return hmac_equal(got, strlen(got), want, strlen(want));
}

static int
wants_json(const struct http_req *req, const struct events_args *a)
{
	const char *accept;

	if (a->format != NULL)
		return strcmp(a->format, "json") == 0;
	accept = http_req_header(req, "Accept");
	return accept != NULL && strstr(accept, "application/json") != NULL &&
	    strstr(accept, "text/event-stream") == NULL;
}

struct page {
	const struct conf *conf;
	const struct collection *filter;
	struct buf *out;
	int json;      /* JSON array items, else SSE frames */
	size_t n;      /* items written */
	uint64_t last; /* last seq read */
	size_t stop;   /* SSE: stop reading once out holds this (0: never) */
};

static int
page_change(void *arg, const struct store_change *ch)
{
	struct page *pg = arg;
	const struct collection *co;

	pg->last = ch->seq;
	if (pg->filter != NULL && strcmp(pg->filter->name, ch->collection) != 0)
		return 0;
	co = conf_collection_by_name(pg->conf, ch->collection);
	if (pg->json) {
		if (pg->n > 0)
			buf_addc(pg->out, ',');
		sse_change_json(pg->out, ch, co != NULL ? co->plural : NULL);
	} else
		sse_change_event(pg->out, ch, co != NULL ? co->plural : NULL);
	pg->n++;
	return pg->stop > 0 && pg->out->len >= pg->stop;
}

static void
answer_json(struct events_ctx *ctx, struct http_resp *resp,
    const struct events_args *a, const struct collection *filter,
    uint64_t since)
{
	struct page pg;
	uint64_t first, last, limit = EVENTS_JSON_LIMIT;
	const char *errstr;
	int reset = 0;

	if (a->limit != NULL) {
		limit =
		    (uint64_t)strtonum(a->limit, 1, EVENTS_JSON_MAX, &errstr);
		if (errstr != NULL) {
			strapi_error(resp, 400, NULL,
			    "limit: must be 1 to 1000", NULL);
			return;
		}
	}
	if (store_change_bounds(ctx->store, &first, &last) == -1) {
		strapi_error(resp, 503, NULL, "store unavailable", NULL);
		return;
	}
	memset(&pg, 0, sizeof(pg));
	pg.conf = ctx->conf;
	pg.filter = filter;
	pg.out = &resp->body;
	pg.json = 1;
	pg.last = since;
	http_resp_json(resp, 200);
	http_resp_header(resp, "Cache-Control", "no-store");
	buf_adds(&resp->body, "{\"data\":[");
	if (since + 1 < first || since > last) {
		reset = 1;
		pg.last = last;
	} else if (store_changes_since(ctx->store, since, (size_t)limit,
	               page_change, &pg) == -1) {
		strapi_error(resp, 503, NULL, "store unavailable", NULL);
		return;
	}
	buf_printf(&resp->body,
	    "],\"meta\":{\"since\":%" PRIu64 ",\"next\":%" PRIu64
	    ",\"last\":%" PRIu64 ",\"more\":%s,"
	    "\"reset\":%s}}",
	    since, pg.last, last, pg.last < last ? "true" : "false",
	    reset ? "true" : "false");
	resp->note = "changes";
}

static void
nap(int ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/*
 * The SSE stream: changes as they come, heartbeats while idle, for at
 * most events_duration seconds (events_cgi_duration under plain CGI,
 * where every stream is a process of the account) and events_stream_bytes
 * bytes; then a retry hint, and EventSource resumes with Last-Event-ID.
 * A write the server does not take within events_write_timeout ends it
 * too (fcgi.c): a client that stops reading gives the worker back.
 */
static void
stream(struct events_ctx *ctx, struct http_resp *resp,
    const struct collection *filter, int has_since, uint64_t since)
{
	struct page pg;
	uint64_t first, last, cursor = since;
	int64_t t0 = now_mono_ms(), beat_ms, dur_ms, next_beat;
	size_t sent = 0, max_bytes;

	dur_ms = conf_int(ctx->conf, CFG_EVENTS_DURATION) * 1000;
	if (ctx->cgi &&
	    conf_int(ctx->conf, CFG_EVENTS_CGI_DURATION) * 1000 < dur_ms)
		dur_ms = conf_int(ctx->conf, CFG_EVENTS_CGI_DURATION) * 1000;
	max_bytes = (size_t)conf_int(ctx->conf, CFG_EVENTS_STREAM_BYTES);
	beat_ms = conf_int(ctx->conf, CFG_PUSH_HEARTBEAT) * 1000;
	next_beat = t0 + beat_ms;
	resp->status = 200;
	resp->note = "stream";
	http_resp_header(resp, "Content-Type",
	    "text/event-stream; charset=utf-8");
	http_resp_header(resp, "Cache-Control", "no-cache, no-transform");
	http_resp_header(resp, "X-Accel-Buffering", "no");
	sse_retry(&resp->body, SSE_RETRY_MS);
	if (!has_since && store_last_seq(ctx->store, &cursor) == -1)
		cursor = 0;
	if (http_resp_flush(resp) == -1)
		return;
	memset(&pg, 0, sizeof(pg));
	pg.conf = ctx->conf;
	pg.filter = filter;
	pg.out = &resp->body;
	while (now_mono_ms() - t0 < dur_ms && sent < max_bytes &&
	    (ctx->stopping == NULL || !ctx->stopping())) {
		if (store_change_bounds(ctx->store, &first, &last) == -1)
			break;
		if (cursor + 1 < first || cursor > last) {
			sse_reset_event(&resp->body, last);
			cursor = last;
		}
		while (cursor < last && sent + resp->body.len < max_bytes) {
			/* At most 64 KiB (and one change) held per stream. */
			pg.last = cursor;
			pg.stop =
			    max_bytes - sent < 65536 ? max_bytes - sent : 65536;
			if (store_changes_since(ctx->store, cursor,
			        EVENTS_BATCH, page_change, &pg) == -1 ||
			    pg.last == cursor)
				break;
			cursor = pg.last;
			if (resp->body.len >= 65536) {
				sent += resp->body.len;
				if (http_resp_flush(resp) == -1)
					return;
			}
		}
		if (now_mono_ms() >= next_beat && resp->body.len == 0) {
			sse_comment(&resp->body, "heartbeat");
			next_beat = now_mono_ms() + beat_ms;
		}
		sent += resp->body.len;
		if (resp->body.len > 0 && http_resp_flush(resp) == -1)
			return;
		if (sent >= max_bytes)
			break;
		nap(EVENTS_POLL_MS);
	}
	/* EventSource reconnects after this with Last-Event-ID. */
	sse_retry(&resp->body, 500);
}

/*
 * GET the change log: as an SSE stream for a bounded time (resume with
 * Last-Event-ID or ?lastEventId=), or as a JSON page of the changes
 * after ?since=N (Accept: application/json or ?format=json).
 */
void
events_handle(const struct http_req *req, struct http_resp *resp, void *arg)
{
	struct events_ctx *ctx = arg;
	struct events_args a;
	const struct collection *filter = NULL;
	const char *origin, *lei, *sv;
	uint64_t since = 0;
	int has_since = 0;

	args_parse(&a, req->query);
	origin = http_req_header(req, "Origin");
	if (origin != NULL && conf_cors_allows(ctx->conf, origin)) {
		http_resp_header(resp, "Access-Control-Allow-Origin", "%s",
		    origin);
		http_resp_header(resp, "Vary", "Origin");
	}
	if (strcmp(req->method, "OPTIONS") == 0) {
		resp->status = 204;
		http_resp_header(resp, "Access-Control-Allow-Methods",
		    "GET, HEAD, OPTIONS");
		http_resp_header(resp, "Access-Control-Allow-Headers",
		    "Last-Event-ID, Authorization, Accept");
		goto out;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		strapi_error(resp, 405, NULL, "Method Not Allowed", NULL);
		http_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
		goto out;
	}
	if (!token_ok(ctx->conf, req, &a)) {
		strapi_error(resp, 401, NULL, "missing or invalid token", NULL);
		goto out;
	}
	if (a.collection != NULL) {
		filter = conf_collection_by_plural(ctx->conf, a.collection,
		    strlen(a.collection));
		if (filter == NULL)
			filter =
			    conf_collection_by_name(ctx->conf, a.collection);
		if (filter == NULL) {
			strapi_error(resp, 400, NULL, "unknown collection",
			    NULL);
			goto out;
		}
	}
	lei = http_req_header(req, "Last-Event-ID");
	sv = a.since != NULL ? a.since : lei != NULL ? lei : a.last_event_id;
	if (sv != NULL) {
		if (sse_parse_id(sv, &since) == -1) {
			strapi_error(resp, 400, NULL,
			    "since: must be a change sequence number", NULL);
			goto out;
		}
		has_since = 1;
	}
	if (wants_json(req, &a))
		answer_json(ctx, resp, &a, filter, since);
	else
		stream(ctx, resp, filter, has_since, since);
out:
	args_clear(&a);
}
