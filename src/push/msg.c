/* msg.c: immutable, reference-counted messages sent to many clients */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "push/msg.h"
#include "util/xmalloc.h"

/* A new message holding a copy of the bytes, with one reference. */
struct push_msg *
push_msg_new(const void *data, size_t len)
{
	struct push_msg *m;

	m = xmalloc(sizeof(*m) + len + 1);
	m->refs = 1;
	m->len = len;
	memcpy(m->data, data, len);
	m->data[len] = '\0';
	return m;
}

/* A new message from a buffer's bytes; the buffer is emptied. */
struct push_msg *
push_msg_from_buf(struct buf *b)
{
	struct push_msg *m;

	m = push_msg_new(b->data != NULL ? b->data : "", b->len);
	buf_reset(b);
	return m;
}

/* Drops one reference; push_msg_unref(NULL) does nothing. */
void
push_msg_unref(struct push_msg *m)
{

	if (m != NULL && --m->refs == 0)
		free(m);
}
