/* query_int.h: the query handler's internals, for src/api/query*.c only */
#ifndef QUERY_INT_H
#define QUERY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "api/http.h"
#include "api/populate.h"
#include "api/qlang.h"
#include "api/qs.h"
#include "api/query.h"
#include "api/resolve.h"
#include "model/schema.h"
#include "store/store.h"

/*
 * The files: query.c routes a request and runs the handler,
 * query_cache.c writes the headers every answer carries (seq, ETag,
 * errors) and keeps the answer cache, query_collection.c answers a
 * collection's routes, query_schema.c the routes only a schema brings.
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

struct match {
	enum route route;
	const struct collection *coll;
	const char *arg; /* documentId or slug, decoded */
	size_t arg_len;
};

struct req_state {
	struct query_ctx *ctx;
	const struct http_req *req;
	const char *query; /* req's, or REQUEST_URI's (query.c, uri_query) */
	struct http_resp *r;
	struct qs_spec sp;
	struct match m;
	struct store_pos pos; /* the decoded cursor */
	uint64_t seq;         /* the answer's own (query_answer_seq) */
	uint64_t store_seq;   /* the store's in the snapshot read (0: seq) */
	int deps;             /* what else it read: QUERY_DEPS_* */
	/* with a schema */
	const struct schema_type *t; /* the route's type, or NULL */
	struct populate_query pq;
	struct buf rest; /* the query string without populate/fields/locale */
	struct populate_resolver res;
	struct resolve_ctx rctx; /* what res reads from */
	size_t budget;           /* lookups left (res.budget) */
	int over;                /* populate reached too many entries */
	struct list_plan plan;   /* filters and sort beyond the indexes */
	int has_plan;
};

/* query_cache.c: the seq and error headers, conditional requests, cache */
void query_error_seq(struct req_state *);
void query_answer_error(struct req_state *, int, const char *);
void query_answer_invalid(struct req_state *, const struct qs_error *);
void query_cache_headers(struct req_state *, uint64_t);
void query_cache_headers_tag(struct req_state *, uint64_t, const char *);
int query_etag_matches(const char *inm, const char *tag);
int query_not_modified(struct req_state *, uint64_t);
void query_not_modified_after(struct req_state *);
size_t query_cache_key(const struct req_state *, char *);
struct query_cache_slot *query_cache_slot(struct query_ctx *, const char *,
    size_t);
int query_cache_serve(struct req_state *, const struct query_cache_slot *,
    const char *, size_t, uint64_t);
void query_cache_store(struct req_state *, struct query_cache_slot *,
    const char *, size_t);

/* query_collection.c: a collection's list, one entry, one by slug */
void query_reads_begin(struct req_state *);
void query_reads_end(struct req_state *);
int query_answer_seq(struct req_state *, uint64_t entry_seq, const char *slug,
    uint64_t *);
const char *query_locale_of(const struct req_state *);
void query_single(struct req_state *, enum store_result, const struct buf *,
    uint64_t entry_seq, const char *slug);
void query_do_list(struct req_state *);
void query_do_one(struct req_state *);
void query_do_by_slug(struct req_state *);

/* query_schema.c: single types, upload/files and i18n/locales */
void query_do_single(struct req_state *);
void query_do_files(struct req_state *);
void query_do_file(struct req_state *);
void query_do_locales(struct req_state *);

#endif
