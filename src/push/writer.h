/* writer.h: the replication process applies this host's webhooks */
#ifndef PUSH_WRITER_H
#define PUSH_WRITER_H

#include "conf/conf.h"
#include "model/schema.h"
#include "store/store.h"

struct push_writer;

struct push_writer *push_writer_start(const struct conf *, struct store *,
    const struct schema *);
void push_writer_stop(struct push_writer *);

#endif
