/* fanout.h: reading the change log and fanning each change out */
#ifndef PUSH_FANOUT_H
#define PUSH_FANOUT_H

#include "push/state.h"

extern const unsigned push_lag_bounds[PUSH_LAG_BUCKETS];

/* Told of each change a poll pushed (replication measures its lag). */
typedef void (*push_fanout_seen_fn)(void *, const struct store_change *);

void push_fanout_poll(struct push *, push_fanout_seen_fn, void *);
void push_fanout_check_store(struct push *);

#endif
