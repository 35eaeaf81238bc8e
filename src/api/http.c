/* http.c: request lookup, response headers, HTTP status texts and names */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/http.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Returns the CGI variable's value, or NULL; borrowed for the request. */
const char *
http_req_env(const struct http_req *req, const char *name)
{
	size_t n = strlen(name);
	char **e;

	if (req->env == NULL)
		return NULL;
	for (e = req->env; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/*
 * Returns a request header by its HTTP name ("X-Strapi-Event"), looked up
 * as the CGI variable HTTP_X_STRAPI_EVENT; NULL when absent. Borrowed.
 */
const char *
http_req_header(const struct http_req *req, const char *name)
{
	char var[256];
	size_t i, o;

	if (strcasecmp(name, "Content-Type") == 0)
		return req->content_type;
	o = (size_t)snprintf(var, sizeof(var), "HTTP_");
	for (i = 0; name[i] != '\0' && o + 1 < sizeof(var); i++)
		var[o++] = name[i] == '-'
		    ? '_'
		    : (char)toupper((unsigned char)name[i]);
	var[o] = '\0';
	return http_req_env(req, var);
}

/*
 * The credentials of "Authorization: Bearer <token>" (scheme matched
 * without regard to case, blanks skipped), or NULL. Borrowed.
 */
const char *
http_req_bearer(const struct http_req *req)
{
	const char *v = http_req_header(req, "Authorization");

	if (v == NULL || strncasecmp(v, "Bearer ", 7) != 0)
		return NULL;
	v += 7;
	while (*v == ' ')
		v++;
	return v;
}

/*
 * Fills req from a CGI/FastCGI parameter list (borrowed: env must outlive
 * req). The body is the caller's to read.
 */
void
http_req_fill(struct http_req *req, char **env, unsigned long id)
{
	const char *sn, *pi, *cl;
	const char *errstr;

	memset(req, 0, sizeof(*req));
	req->env = env;
	req->id = id;
	req->method = http_req_env(req, "REQUEST_METHOD");
	if (req->method == NULL)
		req->method = "GET";
	sn = http_req_env(req, "SCRIPT_NAME");
	pi = http_req_env(req, "PATH_INFO");
	xasprintf((char **)&req->path, "%s%s", sn != NULL ? sn : "",
	    pi != NULL ? pi : "");
	req->query = http_req_env(req, "QUERY_STRING");
	if (req->query == NULL)
		req->query = "";
	req->content_type = http_req_env(req, "CONTENT_TYPE");
	if (req->content_type != NULL && *req->content_type == '\0')
		req->content_type = NULL;
	req->remote_addr = http_req_env(req, "REMOTE_ADDR");
	req->content_length = -1;
	cl = http_req_env(req, "CONTENT_LENGTH");
	if (cl != NULL && *cl != '\0') {
		req->content_length = strtonum(cl, 0, 1LL << 40, &errstr);
		if (errstr != NULL)
			req->content_length = 1LL << 40; /* refused as large */
	} else if (strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0 ||
	    strcmp(req->method, "OPTIONS") == 0)
		req->content_length = 0;
}

/* Frees what the transport allocated for the request. */
void
http_req_clear(struct http_req *req)
{
	free(req->body);
	free((char *)req->path);
	memset(req, 0, sizeof(*req));
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	buf_init(&r->headers);
	buf_init(&r->body);
}

void
http_resp_clear(struct http_resp *r)
{
	buf_clear(&r->headers);
	buf_clear(&r->body);
	http_resp_init(r);
}

/* Forgets headers and body written so far (before anything was sent). */
void
http_resp_reset(struct http_resp *r)
{
	buf_reset(&r->headers);
	buf_reset(&r->body);
	r->status = 200;
}

/*
 * Adds a header. CR and LF in the value are replaced by spaces, so request
 * data echoed into a header can never inject another header.
 */
void
http_resp_header(struct http_resp *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *v, *p;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		fatalx("http_resp_header");
	va_end(ap);
	for (p = v; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	buf_printf(&r->headers, "%s: %s\r\n", name, v);
	free(v);
}

/* Finds a header set on the response; borrowed, not NUL-terminated. */
const char *
http_resp_get_header(const struct http_resp *r, const char *name, size_t *len)
{
	const char *p = r->headers.data, *end, *colon;
	size_t n = strlen(name);

	if (p == NULL)
		return NULL;
	while (*p != '\0') {
		end = strstr(p, "\r\n");
		if (end == NULL)
			break;
		colon = memchr(p, ':', (size_t)(end - p));
		if (colon != NULL && (size_t)(colon - p) == n &&
		    strncasecmp(p, name, n) == 0) {
			colon++;
			while (*colon == ' ')
				colon++;
			*len = (size_t)(end - colon);
			return colon;
		}
		p = end + 2;
	}
	return NULL;
}

/* clang-format off */
static const struct {
	int code;
	const char *text;
	const char *name; /* Strapi's error name */
} statuses[] = {
	{ 200, "OK", NULL },
	{ 201, "Created", NULL },
	{ 202, "Accepted", NULL },
	{ 204, "No Content", NULL },
	{ 304, "Not Modified", NULL },
	{ 307, "Temporary Redirect", NULL },
	{ 400, "Bad Request", "ValidationError" },
	{ 401, "Unauthorized", "UnauthorizedError" },
	{ 403, "Forbidden", "ForbiddenError" },
	{ 404, "Not Found", "NotFoundError" },
	{ 405, "Method Not Allowed", "MethodNotAllowedError" },
	{ 409, "Conflict", "ConflictError" },
	{ 413, "Payload Too Large", "PayloadTooLargeError" },
	{ 414, "URI Too Long", "ValidationError" },
	{ 415, "Unsupported Media Type", "UnsupportedMediaTypeError" },
	{ 422, "Unprocessable Entity", "UnprocessableEntityError" },
	{ 429, "Too Many Requests", "RateLimitError" },
	{ 500, "Internal Server Error", "InternalServerError" },
	{ 502, "Bad Gateway", "BadGatewayError" },
	{ 503, "Service Unavailable", "ServiceUnavailableError" },
};
/* clang-format on */

const char *
http_status_text(int code)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code)
			return statuses[i].text;
	return "Unknown";
}

/* Strapi's error name for a status ("NotFoundError"). */
const char *
http_status_name(int code)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].code == code && statuses[i].name != NULL)
			return statuses[i].name;
	return code >= 500 ? "InternalServerError" : "ApplicationError";
}

/* Marks the body as JSON with the given status. */
void
http_resp_json(struct http_resp *r, int status)
{
	r->status = status;
	http_resp_header(r, "Content-Type", "application/json; charset=utf-8");
}

/*
 * Streaming: sends the headers (first time) and the body so far, then
 * empties the body. Returns 0, or -1 when the client has gone.
 */
int
http_resp_flush(struct http_resp *r)
{
	if (r->flush == NULL)
		return 0;
	return r->flush(r, r->flush_arg);
}

/*
 * Compares a Content-Type's media type (before any ';' parameters, case
 * insensitive, surrounding blanks ignored) with want.
 */
int
http_ct_equal(const char *ct, const char *want, size_t wantlen)
{
	size_t n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t\r\n");
	return n == wantlen && strncasecmp(ct, want, n) == 0;
}
