/* query.h: the query handler: Strapi-shaped REST reads (no transport) */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "conf/conf.h"
#include "api/http.h"
#include "store/store.h"
#include "model/schema.h"

#define QUERY_MAX_PATH   2048 /* bytes of the request path */
#define QUERY_MAX_SEGS   32
#define QUERY_SEQ_HEADER "X-Strapi-Live-Seq"

#define QUERY_MEDIA "upload.file" /* the media rows' collection */

#define QUERY_CACHE_MAX_KEY  1024
#define QUERY_CACHE_MAX_BODY (256 * 1024)

/*
 * One remembered answer: valid while the store's seq is still seq; its
 * own seq (meta.seq, the ETag's) is answer_seq.
 */
struct query_cache_slot {
	uint64_t seq;
	uint64_t answer_seq;
	int status; /* 0: empty */
	size_t key_len;
	char key[QUERY_CACHE_MAX_KEY];
	struct buf body;
};

/* What an answer read besides its route's entries (query_ctx.last_deps). */
#define QUERY_DEPS_OWN   1 /* other entries of its collection */
#define QUERY_DEPS_OTHER 2 /* other collections' */

/* Per-process state, set up once by query_init (config read once). */
struct qlang_cols;

struct query_ctx {
	struct query_cache_slot *cache; /* ncache slots, hashed by query */
	size_t ncache;
	struct resolve_memo *rows; /* populate's related rows, or NULL */
	struct qlang_cols *cols;   /* the scans' columns, or NULL */
	const struct conf *conf;
	struct store *store;
	const struct schema *schema; /* NULL: entries answered as stored */
	const char *cache_control;
	int cors_any; /* cors_origins has "*" */
	size_t nprefix;
	const char *prefix[QUERY_MAX_SEGS]; /* api_prefix, split on '/' */
	size_t prefix_len[QUERY_MAX_SEGS];
	int last_deps; /* the last answer's QUERY_DEPS_* (0: its own only) */
};

void query_init(struct query_ctx *, const struct conf *, struct store *);
void query_clear(struct query_ctx *);
void query_handle(const struct http_req *, struct http_resp *, void *);

#endif
