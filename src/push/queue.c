/* queue.c: a client's queue of messages, and the clients to flush */
#include "config.h"

#include <stdlib.h>

#include "push/queue.h"
#include "util/xmalloc.h"

/* The bytes an entry puts on the wire (frame header aside). */
size_t
push_queue_entry_len(const struct push_qent *e)
{

	return (e->pre != NULL ? e->pre->len : 0) + e->msg->len;
}

/* Marks the client for the next flush (once). */
void
push_queue_pending(struct push *p, struct push_client *c)
{

	if (!c->pending) {
		c->pending = 1;
		LIST_INSERT_HEAD(&p->pending, c, plink);
	}
}

/*
 * Queues a message (taking a reference to pre and msg) and marks the
 * client for the next flush. A message with a tag replaces a queued one
 * with the same tag that has not started going out (coalescing). catchup
 * says the message was read back from the log for this client alone: its
 * bytes count against push_catchup_memory until sent. Returns 0, or -1
 * when the queue is full (nothing queued).
 */
int
push_queue_add(struct push *p, struct push_client *c, struct push_msg *pre,
    struct push_msg *msg, const void *tag, int catchup)
{
	struct push_qent *e, *nq;
	unsigned i, idx, n;
	size_t len = (pre != NULL ? pre->len : 0) + msg->len;

	if (tag != NULL)
		for (i = 0; i < c->qlen; i++) {
			idx = (c->qhead + i) % c->qcap;
			e = &c->q[idx];
			if (e->tag != tag || (i == 0 && c->qoff > 0))
				continue;
			c->qbytes -= push_queue_entry_len(e);
			push_msg_unref(e->pre);
			push_msg_unref(e->msg);
			e->pre = pre;
			e->msg = msg;
			if (pre != NULL)
				pre->refs++;
			msg->refs++;
			c->qbytes += len;
			p->coalesced_total++;
			goto pending;
		}
	if (c->qlen > 0 &&
	    (c->qbytes + len > p->queue_limit || c->qlen >= PUSH_QUEUE_MAX))
		return -1;
	if (c->qlen == c->qcap) {
		n = c->qcap == 0 ? 4 : c->qcap * 2;
		nq = xreallocarray(NULL, n, sizeof(*nq));
		for (i = 0; i < c->qlen; i++)
			nq[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = nq;
		c->qcap = n;
		c->qhead = 0;
	}
	e = &c->q[(c->qhead + c->qlen) % c->qcap];
	e->pre = pre;
	e->msg = msg;
	e->tag = tag;
	e->catchup = catchup ? len : 0;
	p->catchup_bytes += e->catchup;
	if (pre != NULL)
		pre->refs++;
	msg->refs++;
	c->qlen++;
	c->qbytes += len;
pending:
	push_queue_pending(p, c);
	return 0;
}

/* push_queue_add() of a message shared with other clients. */
int
push_queue_put(struct push *p, struct push_client *c, struct push_msg *pre,
    struct push_msg *msg, const void *tag)
{

	return push_queue_add(p, c, pre, msg, tag, 0);
}

/* Drops the entry at the head: it was written. */
void
push_queue_pop(struct push *p, struct push_client *c)
{
	struct push_qent *e = &c->q[c->qhead];

	p->msgs_total++;
	c->qbytes -= push_queue_entry_len(e);
	p->catchup_bytes -= e->catchup;
	push_msg_unref(e->pre);
	push_msg_unref(e->msg);
	c->qhead = (c->qhead + 1) % c->qcap;
	c->qlen--;
	c->qoff = 0;
}

/* Drops everything queued and frees the queue. */
void
push_queue_clear(struct push *p, struct push_client *c)
{
	struct push_qent *e;

	while (c->qlen > 0) {
		e = &c->q[c->qhead];
		p->catchup_bytes -= e->catchup;
		push_msg_unref(e->pre);
		push_msg_unref(e->msg);
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qlen--;
	}
	free(c->q);
	c->q = NULL;
	c->qcap = c->qhead = 0;
	c->qbytes = c->qoff = 0;
}

/* 1 when an entry with this tag is queued. */
int
push_queue_holds(const struct push_client *c, const void *tag)
{
	unsigned i;

	for (i = 0; i < c->qlen; i++)
		if (c->q[(c->qhead + i) % c->qcap].tag == tag)
			return 1;
	return 0;
}

/* Entries with this tag are no longer coalesced (the tag goes away). */
void
push_queue_untag(struct push_client *c, const void *tag)
{
	unsigned i;

	for (i = 0; i < c->qlen; i++)
		if (c->q[(c->qhead + i) % c->qcap].tag == tag)
			c->q[(c->qhead + i) % c->qcap].tag = NULL;
}
