/* repl.h: replication status for people and monitors (JSON, lag file) */
#ifndef REPL_H
#define REPL_H

#include <stdint.h>

#include "util/buf.h"
#include "store/store.h"

/* "__db" prefix: BDB skips it when copying the store to a new replica. */
#define REPL_LAG_FILE "__db.strapi-repl"

/* Apply lag seen by this host's replication process. */
struct repl_lag {
	uint64_t last_seq;      /* newest change seen applied here */
	int64_t last_ms;        /* commit on the master -> applied here, ms */
	int64_t p50_ms, p99_ms; /* over the recent window */
	uint64_t samples;       /* changes measured since start */
	int64_t updated_ms;     /* wall clock of the last update */
};

void repl_lag_add(struct repl_lag *, int64_t lag_ms);
int repl_lag_write(const char *store_dir, const struct repl_lag *,
    const char *role, const char *master);
void repl_status_json(struct store *, struct buf *);

#endif
