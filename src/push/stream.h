/* stream.h: the raw change stream: starting it, refilling it from the log */
#ifndef PUSH_STREAM_H
#define PUSH_STREAM_H

#include <stdint.h>

#include "push/state.h"

const char *push_stream_plural(struct push *, const char *model);
int push_stream_catch_up(struct push *, struct push_client *);
void push_stream_start(struct push *, struct push_client *, int has_since,
    uint64_t since);

#endif
