/* sse.c: the SSE transport: the raw change stream and reactive queries */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "api/qs.h"
#include "push/client.h"
#include "push/hup.h"
#include "push/query.h"
#include "push/queue.h"
#include "push/reply.h"
#include "push/sse.h"
#include "push/stream.h"
#include "api/sse.h"
#include "model/subscription.h"

static size_t
frame_head(unsigned char *s UNUSED, size_t len UNUSED)
{

	return 0;
}

/* An idle stream gets a comment line, unless something is queued. */
static int
beat(struct push *p, struct push_client *c)
{

	if (c->qlen > 0)
		return 0;
	(void)push_queue_put(p, c, NULL, p->beat, NULL);
	return 1;
}

/* SSE has no way to say why a stream ends. */
static void
closing(struct lws *wsi UNUSED, const char *why UNUSED)
{
}

/* clang-format off */
static const struct push_transport sse_transport = {
	.id = PUSH_TRANSPORT_SSE,
	.name = "SSE",
	.head_max = 0,
	.frame_head = frame_head,
	.change = sse_change_event,
	.reset = sse_reset_event,
	.beat = beat,
	.closing = closing,
};
/* clang-format on */

/* Sends the stream's headers and the retry hint. Returns 0, or -1. */
static int
start_stream(struct lws *wsi, const char *origin)
{
	unsigned char buf[LWS_PRE + 1024], *start, *pp, *end;
	char hint[64];
	int n;

	start = pp = buf + LWS_PRE;
	end = buf + sizeof(buf) - 1;
	if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK,
	        "text/event-stream; charset=utf-8",
	        LWS_ILLEGAL_HTTP_CONTENT_LEN, &pp, end) ||
	    push_reply_add_header(wsi,
	        "cache-control:", "no-cache, no-transform", &pp, end) ||
	    push_reply_add_header(wsi, "x-accel-buffering:", "no", &pp, end) ||
	    (origin[0] != '\0' &&
	        (push_reply_add_header(wsi,
	             "access-control-allow-origin:", origin, &pp, end) ||
	            push_reply_add_header(wsi, "vary:", "Origin", &pp, end))) ||
	    lws_finalize_http_header(wsi, &pp, end))
		return -1;
	n = snprintf(hint, sizeof(hint), "retry: %u\n\n", SSE_RETRY_MS);
	memcpy(pp, hint, (size_t)n);
	pp += n;
	return lws_write(wsi, start, (size_t)(pp - start), LWS_WRITE_HTTP) < 0
	    ? -1
	    : 0;
}

static const struct collection *
find_collection(struct push *p, const char *name)
{
	const struct collection *co;

	co = conf_collection_by_plural(p->conf, name, strlen(name));
	if (co == NULL)
		co = conf_collection_by_name(p->conf, name);
	return co;
}

/*
 * The resume point: Last-Event-ID, else ?lastEventId=. Returns 1 with
 * *since, 0 when neither is given, -1 when the one given is not a
 * change sequence (refused: starting from "now" would skip changes).
 * One too long for the buffer is refused the same way, never taken as
 * absent; the buffer holds any argument lws keeps (max_http_header_data).
 */
static int
resume_point(struct lws *wsi, uint64_t *since)
{
	char buf[64], arg[PUSH_HEADER_DATA + 1];
	const char *v;

	if (lws_hdr_custom_length(wsi, "last-event-id:", 14) > 0) {
		if (lws_hdr_custom_copy(wsi, buf, sizeof(buf),
		        "last-event-id:", 14) <= 0)
			return -1;
		return sse_parse_id(buf, since) == 0 ? 1 : -1;
	}
	v = push_urlarg(wsi, "lastEventId", arg, sizeof(arg));
	if (v != NULL)
		return sse_parse_id(v, since) == 0 ? 1 : -1;
	return 0;
}

/*
 * Every query-string parameter is one of names[] (strict, as Strapi's),
 * filters[...], or populate and fields when pop is set.
 */
static int
known_args(struct lws *wsi, const char *const *names, size_t n, int pop)
{
	char frag[PUSH_HEADER_DATA + 1];
	struct qs_iter it;
	struct qs_pair pr;
	size_t i;
	int f, len, r;

	for (f = 0; (len = lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
	                 WSI_TOKEN_HTTP_URI_ARGS, f)) >= 0;
	     f++) {
		/* libwebsockets gives each argument decoded already. */
		qs_iter_init(&it, frag, (size_t)len, 1);
		if ((r = qs_next(&it, &pr, NULL, 0)) == QS_END)
			continue;
		if (r == QS_PAIR &&
		    ((pop && subscription_is_populate(pr.key)) ||
		        subscription_is_qlang(pr.key)))
			continue;
		for (i = 0; r == QS_PAIR && i < n; i++)
			if (strcmp(pr.key, names[i]) == 0)
				break;
		if (r != QS_PAIR || i == n)
			return 0;
	}
	return 1;
}

/*
 * The filters parameters, and with a schema (pop) the populate and fields
 * ones, in the order given, into spec.
 */
static int
rest_args(struct lws *wsi, struct subscription_spec *spec, int pop,
    const char **why)
{
	char frag[PUSH_HEADER_DATA + 1], val[PUSH_HEADER_DATA + 1];
	struct qs_iter it;
	struct qs_pair pr;
	int f, len;

	for (f = 0; (len = lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
	                 WSI_TOKEN_HTTP_URI_ARGS, f)) >= 0;
	     f++) {
		qs_iter_init(&it, frag, (size_t)len, 1);
		if (qs_next(&it, &pr, val, sizeof(val)) == QS_PAIR &&
		    ((pop && subscription_is_populate(pr.key)) ||
		        subscription_is_qlang(pr.key)) &&
		    subscription_spec_set(spec, pr.key, val, why) == -1)
			return -1;
	}
	return 0;
}

/*
 * The live query of GET /live/query, and whether the client asks for
 * patches (patch=1 or true; 0, false or absent: whole results).
 */
static int
query_spec(struct push *p, struct lws *wsi, struct subscription_spec *spec,
    int *patch, const char **why)
{
	static const char *const keys[] = { "category", "slug", "locale",
		"sort", "page", "pageSize", "start", "limit",
		"pagination[page]", "pagination[pageSize]", "pagination[start]",
		"pagination[limit]" };
	static const char *const known[] = { "collection", "category", "slug",
		"locale", "sort", "page", "pageSize", "start", "limit",
		"pagination[page]", "pagination[pageSize]", "pagination[start]",
		"pagination[limit]", "patch", "token" };
	char buf[600];
	const char *v;
	size_t i;

	if (!known_args(wsi, known, sizeof(known) / sizeof(known[0]),
	        p->schema != NULL)) {
		*why = "Invalid key: /live/query takes collection, category, "
		       "slug, locale, sort, filters, status, page, pageSize, "
		       "start, limit, withCount (as pagination[...]), cursor, "
		       "populate and fields (with a schema), patch and token";
		return -1;
	}
	v = push_urlarg(wsi, "collection", buf, sizeof(buf));
	if (v == NULL) {
		*why = "collection is required";
		return -1;
	}
	spec->coll = find_collection(p, v);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = push_urlarg(wsi, keys[i], buf, sizeof(buf));
		if (v != NULL &&
		    subscription_spec_set(spec, keys[i], v, why) == -1)
			return -1;
	}
	if (rest_args(wsi, spec, p->schema != NULL, why) == -1)
		return -1;
	*patch = 0;
	if ((v = push_urlarg(wsi, "patch", buf, sizeof(buf))) != NULL) {
		if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
			*patch = 1;
		else if (strcmp(v, "0") != 0 && strcmp(v, "false") != 0) {
			*why = "patch: must be 1, true, 0 or false";
			return -1;
		}
	}
	return subscription_spec_check(spec, why);
}

/*
 * GET /live/events[?collection=][&lastEventId=] and
 * GET /live/query?collection=…[&category=|&slug=][&page=][&pageSize=]
 * [&start=][&limit=][&patch=1].
 * Checks method, token, origin and limits, starts the stream and queues
 * what the client gets at once. Returns what the callback must return.
 */
static int
sse_http(struct push *p, struct push_client *c, struct lws *wsi,
    const char *path)
{
	struct subscription_spec spec;
	struct push_sub *s;
	char origin[256], buf[256];
	const char *why = NULL, *v;
	uint64_t since = 0;
	int status = 400, has_since = 0, patch = 0,
	    events = strcmp(path, "/live/events") == 0;
	int rc = -1;

	subscription_spec_init(&spec);
	if (!push_origin_ok(p, wsi, origin, sizeof(origin))) {
		origin[0] = '\0';
		rc = push_http_error(wsi, 403, "origin not allowed", origin);
		goto out;
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0) {
		rc = push_http_error(wsi, 405, "Method Not Allowed", origin);
		goto out;
	}
	if (!push_token_ok(p, wsi)) {
		rc = push_http_error(wsi, 401, "missing or invalid token",
		    origin);
		goto out;
	}
	if (events) {
		v = push_urlarg(wsi, "collection", buf, sizeof(buf));
		if (v != NULL && (c->filter = find_collection(p, v)) == NULL) {
			rc = push_http_error(wsi, 400, "unknown collection",
			    origin);
			goto out;
		}
		if ((has_since = resume_point(wsi, &since)) == -1) {
			rc = push_http_error(wsi, 400,
			    "Last-Event-ID: must be a change sequence number",
			    origin);
			goto out;
		}
	} else if (query_spec(p, wsi, &spec, &patch, &why) == -1) {
		rc = push_http_error(wsi, 400, why, origin);
		goto out;
	}
	if (push_client_attach(p, c, wsi, &sse_transport, &status, &why) ==
	    -1) {
		rc = push_http_error(wsi, (unsigned)status, why, origin);
		goto out;
	}
	if (!events) {
		s = push_query_subscribe(p, c, &spec, NULL, &status, &why);
		if (s == NULL) {
			/* A query limit, or the store failed: no stream. */
			push_client_detach(p, c);
			rc = push_http_error_details(wsi, (unsigned)status, why,
			    push_query_details(), origin);
			goto out;
		}
		s->patch = patch; /* after the first, whole, result */
	}
	if (start_stream(wsi, origin) == -1)
		goto out;
	/* A stream has no end: cancel lws's pending HTTP timeout. */
	lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
	push_hup_watch(p, c);
	if (events)
		push_stream_start(p, c, has_since, since);
	rc = push_client_flush(p, c, 1);
out:
	subscription_spec_clear(&spec);
	return rc;
}

/* clang-format off */
const struct push_route push_sse_routes[] = {
	{ "/live/events", sse_http },
	{ "/live/query", sse_http },
	{ NULL, NULL }
};
/* clang-format on */
