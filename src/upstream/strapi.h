/* strapi.h: Strapi REST client (libcurl): paged list GETs with a token */
#ifndef STRAPI_H
#define STRAPI_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct strapi;

/* How a request ended, after retries. */
enum strapi_status {
	STRAPI_OK,
	STRAPI_ERR_NET,   /* connect/TLS/timeout, retries exhausted */
	STRAPI_ERR_HTTP,  /* 5xx/429 after retries, or another status */
	STRAPI_ERR_AUTH,  /* 401 or 403: the token */
	STRAPI_ERR_PARSE, /* not JSON, or not the list shape */
};

struct strapi_opts {
	const char *url;     /* base, e.g. "https://cms.example.com" */
	const char *token;   /* read-only API token, or "" */
	const char *ca_file; /* CA bundle, or "" for the system's */
	long timeout;        /* seconds per request */
	int retries;         /* extra attempts on 429/5xx/network errors */
	long backoff_ms;     /* first pause; doubled each retry */
};

/* One list page: the parsed answer and its pagination. */
struct strapi_page {
	struct json_object *root; /* owned */
	struct json_object *data; /* borrowed from root: the array */
	int64_t page, page_size, page_count, total;
};

/*
 * Values of one filters[field][$in] query: within Strapi's qs arrayLimit
 * (100, and 20 in qs's own default), and one page of matches.
 */
#define STRAPI_FIND_MAX 20

struct conf;

void strapi_opts_conf(struct strapi_opts *, const struct conf *);
int strapi_open(struct strapi **, const struct strapi_opts *);
void strapi_close(struct strapi *);
enum strapi_status strapi_list_page(struct strapi *, const char *plural,
    const char *locale, const char *sort, int64_t page, int64_t page_size,
    struct strapi_page *);
enum strapi_status strapi_find_in(struct strapi *, const char *plural,
    const char *locale, const char *field, const char *const *values, size_t n,
    struct strapi_page *);
/* Any JSON answer, for the content-type-builder (ctb.c). */
enum strapi_status strapi_get_json(struct strapi *, const char *path,
    struct json_object **);
long strapi_last_status(const struct strapi *);
void strapi_set_populate(struct strapi *, const char *q);
enum strapi_status strapi_get_single(struct strapi *, const char *singular,
    const char *locale, struct strapi_page *);
enum strapi_status strapi_get_document(struct strapi *, const char *plural,
    const char *doc_id, const char *locale, struct strapi_page *);
enum strapi_status strapi_get_files(struct strapi *, struct strapi_page *);
const char *strapi_why(const struct strapi *);
const char *strapi_last_url(const struct strapi *);
unsigned strapi_requests(const struct strapi *);
unsigned strapi_connections(const struct strapi *);
void strapi_page_clear(struct strapi_page *);

#endif
