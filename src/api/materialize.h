/* materialize.h: canonical query answers rendered into static_dir on write */
#ifndef MATERIALIZE_H
#define MATERIALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "store/store.h"

struct schema;

/* What one pass did (materialize_all) or found (materialize_verify). */
struct materialize_stats {
	uint64_t seq;   /* the store's seq the pass started from */
	size_t files;   /* answers in the set */
	size_t written; /* files (re)written */
	size_t removed; /* files no longer in the set, removed */
	uint64_t bytes; /* bytes of the set */
	int capped;     /* static_max_files or static_max_bytes was reached */
};

/* A stale file: its path under static_dir and what is wrong with it. */
typedef void (
    *materialize_report_fn)(void *, const char *path, const char *problem);

void materialize_note(uint64_t seq);
int materialize_pending(const struct conf *, struct store *,
    const struct schema *);
int materialize_all(const struct conf *, struct store *, const struct schema *,
    struct materialize_stats *);
int materialize_verify(const struct conf *, struct store *,
    const struct schema *, materialize_report_fn, void *,
    struct materialize_stats *, size_t *stale);

#endif
