/* sync.h: initial and repair sync from Strapi's REST API */
#ifndef SYNC_H
#define SYNC_H

#include <stdint.h>

#include "util/buf.h"
#include "conf/conf.h"
#include "store/store.h"
#include "model/schema.h"

#define SYNC_LOCK_NAME "sync.lock"
#define SYNC_SORT      "documentId:asc"

enum sync_status {
	SYNC_OK,
	SYNC_INCOMPLETE, /* ran, but a pass was not complete: nothing pruned */
	SYNC_UPSTREAM,   /* Strapi unreachable or failing (after retries) */
	SYNC_AUTH,       /* 401/403: the API token */
	SYNC_BAD_ANSWER, /* not JSON, or not the list shape */
	SYNC_STORE,      /* the store failed */
	SYNC_BUSY,       /* another sync holds the lock */
	SYNC_USAGE,      /* configuration: no STRAPI_URL, unknown collection */
};

struct sync_counts {
	uint64_t fetched;   /* entries received */
	uint64_t upserted;  /* written (new or newer) */
	uint64_t unchanged; /* same version already stored */
	uint64_t stale;     /* older than stored or tombstoned: not written */
	uint64_t invalid;   /* failed validation: pass incomplete */
	uint64_t removed;   /* gone upstream, removed by reconciliation */
	int complete;       /* every page fetched and valid */
	int ran;
};

struct sync_coll {
	const struct collection *coll;
	struct sync_counts c;
};

struct sync_progress {
	const char *collection;
	const char *locale; /* "" when none */
	int64_t page, page_count;
	uint64_t done, total; /* entries */
};

typedef void (*sync_progress_fn)(void *, const struct sync_progress *);

struct sync_opts {
	const char *collection; /* only this one (name or plural), or NULL */
	int dry_run;            /* decide, write nothing */
	int no_prune;           /* skip reconciliation */
	int retries;            /* extra attempts per page on 429/5xx/network */
	long backoff_ms;        /* first retry pause */
	long timeout;           /* seconds per request; 0: strapi_timeout */
	int64_t page_size;
	/* The content model (NULL: every collection flat, no media library) */
	const struct schema *schema;
	sync_progress_fn progress;
	void *progress_arg;
};

struct sync_result {
	enum sync_status status;
	char *error; /* what went wrong (with the URL), or NULL; owned */
	struct sync_coll *colls;
	size_t ncolls;
	double seconds;
	unsigned requests, connections;
	int dry_run;
};

void sync_opts_init(struct sync_opts *);
enum sync_status sync_run(const struct conf *, struct store *,
    const struct sync_opts *, struct sync_result *);
void sync_result_json(const struct sync_result *, struct buf *);
void sync_result_clear(struct sync_result *);
const char *sync_status_name(enum sync_status);
int sync_secret_ok(const struct conf *, const char *bearer);

#endif
