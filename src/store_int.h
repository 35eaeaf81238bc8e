/* store_int.h: the store's internals, shared by store*.c only */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <db.h>

#include "store.h"
#include "store_key.h"

struct store {
	char *dir;
	int flags;
	int durable;
	DB_ENV *env;
	DB *entries;
	DB *by_slug, *by_time, *by_category; /* associated secondaries */
	DB *by_time_raw, *by_category_raw;   /* same files, for recno ops */
	DB *tombs;
	DB *changes;
	DB *events;
	DB *meta;
	struct buf k1, k2, v1; /* scratch, reused across calls */
};

void store_fail(struct store *, const char *what, int ret);
void store_backoff(int attempt);
int64_t store_now_ms(void);
/* store.c; used by store_sync.c's dry run */
int apply_one(struct store *, DB_TXN *, enum store_op, const struct entry *,
    enum store_result *, uint64_t *);

#endif
