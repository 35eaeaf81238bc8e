/* reply.c: the sidecar's HTTP helpers: tokens, origins, one-shot answers */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libwebsockets.h>

#include "util/buf.h"
#include "util/hmac.h"
#include "api/error.h"
#include "api/http.h"
#include "push/reply.h"
#include "util/xmalloc.h"

/*
 * Checks the subscription token, when one is configured: "?token=" or
 * "Authorization: Bearer", compared in constant time. Returns 1 when
 * the client may subscribe.
 */
int
push_token_ok(struct push *p, struct lws *wsi)
{

	if (p->token == NULL || *p->token == '\0')
		return 1;
	return push_bearer_ok(wsi, p->token, 1);
}

/*
 * 1 when the request presents token ("Authorization: Bearer", or
 * "?token=" when query_too), compared in constant time; 0 when it does
 * not, or when token is empty.
 */
int
push_bearer_ok(struct lws *wsi, const char *token, int query_too)
{
	char buf[512];
	const char *got = NULL;
	int n;

	if (token == NULL || *token == '\0')
		return 0;
	n = lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 7 && strncasecmp(buf, "Bearer ", 7) == 0)
		got = buf + 7;
	else if (query_too)
		got = push_urlarg(wsi, "token", buf, sizeof(buf));
	if (got == NULL)
		return 0;
	n = hmac_equal(got, strlen(got), token, strlen(token));
	explicit_bzero(buf, sizeof(buf));
	return n;
}

/*
 * Reads the Origin header into origin (empty when absent). Returns 1 when
 * there is none or CORS allows it, else 0: an Origin too long for the
 * buffer is refused (and origin left empty), never taken as absent.
 */
int
push_origin_ok(struct push *p, struct lws *wsi, char *origin, size_t len)
{

	origin[0] = '\0';
	if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) <= 0)
		return 1;
	if (lws_hdr_copy(wsi, origin, (int)len, WSI_TOKEN_ORIGIN) <= 0) {
		origin[0] = '\0';
		return 0;
	}
	return conf_cors_allows(p->conf, origin);
}

/* Looks up a query-string argument ("name" without '='); NULL if absent. */
const char *
push_urlarg(struct lws *wsi, const char *name, char *buf, size_t len)
{
	char key[64];

	if (snprintf(key, sizeof(key), "%s=", name) >= (int)sizeof(key))
		return NULL;
	return lws_get_urlarg_by_name(wsi, key, buf, (int)len);
}

/* Adds a response header ("name:" with its colon). Returns lws's result. */
int
push_reply_add_header(struct lws *wsi, const char *name, const char *val,
    unsigned char **pp, unsigned char *end)
{

	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
	    (const unsigned char *)val, (int)strlen(val), pp, end);
}

/*
 * Answers a one-shot HTTP request (headers and body in one write) and
 * ends the transaction. origin, when not empty, is echoed as CORS allows.
 * Returns what the HTTP callback must return.
 */
int
push_http_reply(struct lws *wsi, unsigned status, const char *ctype,
    const char *body, size_t len, const char *origin)
{
	unsigned char *buf, *start, *pp, *end;
	size_t cap = LWS_PRE + 1024 + len;
	int rc = -1;

	buf = xmalloc(cap);
	start = pp = buf + LWS_PRE;
	end = buf + cap - len - 1;
	if (lws_add_http_common_headers(wsi, status, ctype, len, &pp, end) ||
	    push_reply_add_header(wsi, "cache-control:", "no-store", &pp,
	        end) ||
	    (origin != NULL && origin[0] != '\0' &&
	        (push_reply_add_header(wsi,
	             "access-control-allow-origin:", origin, &pp, end) ||
	            push_reply_add_header(wsi, "vary:", "Origin", &pp, end))) ||
	    lws_finalize_http_header(wsi, &pp, end))
		goto out;
	memcpy(pp, body, len);
	pp += len;
	if (lws_write(wsi, start, (size_t)(pp - start), LWS_WRITE_HTTP) < 0)
		goto out;
	rc = lws_http_transaction_completed(wsi) ? -1 : 0;
out:
	free(buf);
	return rc;
}

/* Answers with Strapi's error envelope. */
int
push_http_error(struct lws *wsi, unsigned status, const char *message,
    const char *origin)
{
	return push_http_error_details(wsi, status, message, NULL, origin);
}

/* Answers with Strapi's error envelope, details (JSON, or NULL: {}) in it. */
int
push_http_error_details(struct lws *wsi, unsigned status, const char *message,
    const char *details, const char *origin)
{
	struct buf b;
	int rc;

	buf_init(&b);
	strapi_error_json(&b, (int)status, NULL, message, details);
	rc = push_http_reply(wsi, status, "application/json", b.data, b.len,
	    origin);
	buf_clear(&b);
	return rc;
}
