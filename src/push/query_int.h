/* query_int.h: what query.c (computing live queries) and query_sub.c (subscribing) share */
#ifndef PUSH_QUERY_INT_H
#define PUSH_QUERY_INT_H

#include "push/query.h"

/* Unregisters the query and frees it. */
void pquery_free(struct push *p, struct push_query *q);

/*
 * Runs the query against the store. Returns 1 when the result (its data
 * or its meta.pagination) differs from the last one (messages rebuilt), 0
 * when unchanged, -1 on a store failure (logged; the old result stays).
 * For subscribers that ask for patches, the new result is also built as
 * a patch of the last one ({"seq":N,"base":M,"patch":[…],"meta":…}), kept
 * only when it is smaller.
 */
int pquery_compute(struct push *p, struct push_query *q, int *over);

/* query_msg.c */
/* A single type's result: the list's one entry or null, no pagination. */
void pquery_single_result(struct buf *data, struct buf *pagination);
void pquery_set_result(struct push_query *, struct buf *data,
    struct buf *pagination, uint64_t seq);

/* Queues the query's current result to every subscriber. */
void pquery_send_all(struct push *p, struct push_query *q);

/* Queues the query's current result to one subscriber. */
int pquery_sub_send(struct push *p, struct push_sub *s);

/* Frees what a query holds (unregistered). */
void pquery_release(struct push *p, struct push_query *q);

#endif
