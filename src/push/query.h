/* query.h: live queries: computing results, subscribing, sending them */
#ifndef PUSH_QUERY_H
#define PUSH_QUERY_H

#include "push/state.h"

struct push_sub *push_query_subscribe(struct push *, struct push_client *,
    struct subscription_spec *, const char *id, int *status, const char **why);
void push_query_unsubscribe(struct push *, struct push_sub *);
void push_query_unsubscribe_all(struct push *, struct push_client *);
void push_query_recompute(struct push *);
void push_query_mark_all(struct push *);
void push_query_free_all(struct push *);
const char *push_query_details(void);

#endif
