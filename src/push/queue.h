/* queue.h: a client's queue of messages, and the clients to flush */
#ifndef PUSH_QUEUE_H
#define PUSH_QUEUE_H

#include <stddef.h>

#include "push/msg.h"
#include "push/state.h"

int push_queue_add(struct push *, struct push_client *, struct push_msg *pre,
    struct push_msg *msg, const void *tag, int catchup);
int push_queue_put(struct push *, struct push_client *, struct push_msg *pre,
    struct push_msg *msg, const void *tag);
size_t push_queue_entry_len(const struct push_qent *);
void push_queue_pop(struct push *, struct push_client *);
void push_queue_clear(struct push *, struct push_client *);
int push_queue_holds(const struct push_client *, const void *tag);
void push_queue_untag(struct push_client *, const void *tag);
void push_queue_pending(struct push *, struct push_client *);

#endif
