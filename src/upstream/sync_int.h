/* sync_int.h: a sync pass and its parts, shared by src/upstream/sync*.c only */
#ifndef SYNC_INT_H
#define SYNC_INT_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "model/schema.h"
#include "store/store.h"
#include "upstream/seen.h"
#include "upstream/strapi.h"
#include "upstream/sync.h"

struct sync_pass {
	const struct conf *conf;
	struct store *store;
	struct strapi *api;
	const struct sync_opts *o;
	struct sync_result *res;
	const struct collection *coll;
	const struct schema_type *t; /* the schema's type, or NULL: flat */
	const char *locale;
	int whole;             /* one answer holds everything: no confirming */
	enum store_op gone_op; /* what reconciling does to a gone entry */
	struct sync_counts *c;
	struct seen seen; /* the documentIds the pass saw */
	int incomplete;
	uint64_t start_seq;
};

/*
 * Inside the sync engine, calls go one way, from the files below to the
 * ones above them in this list, never back: sync_write.c
 * sync_reconcile.c sync_schema.c sync.c. Each file's part of this header
 * is headed by its name.
 */

/* sync_write.c: a pass's writes and its errors. */
/* Sets the result's error once (the first reason is the one to report). */
void sync_fail(struct sync_result *, enum sync_status, const char *fmt, ...)
    PRINTFLIKE(3, 4);
int sync_apply(struct sync_pass *, struct store_write *, size_t);
const char *sync_where(const struct sync_pass *);
int sync_count(struct sync_pass *, enum store_result);
int sync_store_page(struct sync_pass *, const struct strapi_page *);
enum sync_status sync_status_of(enum strapi_status);

/* sync_reconcile.c: removing what Strapi no longer has. */
int sync_reconcile(struct sync_pass *);

/* sync_schema.c: the populate query, a type's pass, the media library. */
extern const struct collection sync_files_coll;
int sync_run_files(struct sync_pass *);
extern const struct collection sync_locales_coll;
int sync_run_locales(struct sync_pass *);
char *sync_populate_query(const struct schema_type *);
void sync_pass_init(struct sync_pass *, struct collection *rcoll,
    const struct collection *, const struct sync_opts *);

#endif
