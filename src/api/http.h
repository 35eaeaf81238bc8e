/* http.h: request and response structs shared by handlers and transports */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct http_req {
	const char *method;       /* borrowed from the environment */
	const char *path;         /* SCRIPT_NAME + PATH_INFO, owned */
	const char *query;        /* QUERY_STRING, "" when none */
	const char *content_type; /* NULL when absent */
	long long content_length; /* -1 when absent */
	const char *remote_addr;
	char **env; /* CGI/FastCGI parameters, borrowed */
	char *body; /* owned; NUL-terminated; NULL when none */
	size_t body_len;
	int body_too_large; /* declared length exceeded the limit */
	unsigned long id;
};

struct http_resp;
typedef int (*http_flush_fn)(struct http_resp *, void *);

struct http_resp {
	int status;
	struct buf headers; /* "Name: value\r\n" lines */
	struct buf body;
	int head_only;    /* HEAD: send headers only */
	const char *note; /* static text for the request log (action) */
	int headers_sent; /* streaming: headers already written */
	http_flush_fn flush;
	void *flush_arg;
};

/* A request handler: answers req in resp (arg: the handler's context). */
typedef void (
    *http_handler)(const struct http_req *, struct http_resp *, void *);

const char *http_req_env(const struct http_req *, const char *name);
const char *http_req_header(const struct http_req *, const char *name);
const char *http_req_bearer(const struct http_req *);
void http_req_fill(struct http_req *, char **env, unsigned long id);
void http_req_clear(struct http_req *);

void http_resp_init(struct http_resp *);
void http_resp_clear(struct http_resp *);
void http_resp_reset(struct http_resp *);
void http_resp_header(struct http_resp *, const char *name, const char *fmt,
    ...) PRINTFLIKE(3, 4);
const char *http_resp_get_header(const struct http_resp *, const char *name,
    size_t *len);
void http_resp_json(struct http_resp *, int status);
int http_resp_flush(struct http_resp *);
const char *http_status_text(int);
const char *http_status_name(int);
int http_ct_equal(const char *a, const char *b, size_t blen);

#endif
