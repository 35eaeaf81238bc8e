/* push.h: the push sidecar's event loop, as its main sees it */
#ifndef PUSH_H
#define PUSH_H

#include "conf/conf.h"
#include "store/store.h"

struct push;

struct schema;

struct push *push_new(const struct conf *, struct store *,
    const struct schema *);
void push_run(struct push *);
void push_stop(struct push *);
int push_handles_signals(const struct push *);
void push_free(struct push *);

#endif
