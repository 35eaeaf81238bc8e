/* msg.h: immutable, reference-counted messages sent to many clients */
#ifndef PUSH_MSG_H
#define PUSH_MSG_H

#include <stddef.h>

#include "util/buf.h"

/* Immutable, reference-counted bytes sent to many clients. */
struct push_msg {
	unsigned refs;
	size_t len;
	char data[];
};

struct push_msg *push_msg_new(const void *, size_t);
struct push_msg *push_msg_from_buf(struct buf *);
void push_msg_unref(struct push_msg *);

#endif
