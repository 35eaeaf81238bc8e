/* repl.h: the sidecar as the host's replication process */
#ifndef PUSH_REPL_H
#define PUSH_REPL_H

#include "util/buf.h"
#include "push/state.h"

void push_repl_start(struct push *);
void push_repl_free(struct push *);
void push_repl_healthz(struct push *, struct buf *);
void push_repl_metrics(struct push *, struct buf *);

#endif
