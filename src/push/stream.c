/* stream.c: the raw change stream: starting it, refilling it from the log */
#include "config.h"

#include <string.h>

#include "push/msg.h"
#include "push/queue.h"
#include "push/stream.h"

struct catchup {
	struct push *p;
	struct push_client *c;
	struct buf b;
};

/* The REST name of a collection, or NULL when it is not configured. */
const char *
push_stream_plural(struct push *p, const char *model)
{
	const struct collection *co;

	co = conf_collection_by_name(p->conf, model);
	return co != NULL ? co->plural : NULL;
}

static int
catchup_change(void *arg, const struct store_change *ch)
{
	struct catchup *cu = arg;
	struct push_client *c = cu->c;
	struct push_msg *m;
	const char *plural = push_stream_plural(cu->p, ch->collection);

	if (c->filter == NULL || strcmp(c->filter->name, ch->collection) == 0) {
		c->ops->change(&cu->b, ch, plural);
		m = push_msg_from_buf(&cu->b);
		if (push_queue_add(cu->p, c, NULL, m, NULL, 1) == -1) {
			push_msg_unref(m);
			return 1;
		}
		push_msg_unref(m);
	}
	c->cursor = ch->seq;
	return c->qbytes * 2 > cu->p->queue_limit ||
	    cu->p->catchup_bytes >= cu->p->catchup_memory;
}

/*
 * Refills a raw-stream client's empty queue from the change log: the log,
 * not memory, buffers a client that fell behind. A resume point that was
 * trimmed gets a reset. Returns 0, or -1 when the store failed.
 */
int
push_stream_catch_up(struct push *p, struct push_client *c)
{
	struct catchup cu;
	uint64_t first, last;
	struct push_msg *m;
	int rc;

	if (store_change_bounds(p->store, &first, &last) == -1)
		return -1;
	buf_init(&cu.b);
	if (c->cursor + 1 < first || c->cursor > last) {
		c->ops->reset(&cu.b, last);
		m = push_msg_from_buf(&cu.b);
		(void)push_queue_put(p, c, NULL, m, NULL);
		push_msg_unref(m);
		p->resets_total++;
		c->cursor = last;
		buf_clear(&cu.b);
		return 0;
	}
	if (p->catchup_bytes >= p->catchup_memory) {
		/*
		 * Every catch-up byte allowed is queued for other clients:
		 * this one waits (poll_cb kicks it again) instead of pinning
		 * another private copy of the log.
		 */
		p->catchup_waits_total++;
		buf_clear(&cu.b);
		return 0;
	}
	cu.p = p;
	cu.c = c;
	rc = store_changes_since(p->store, c->cursor, PUSH_CATCHUP,
	    catchup_change, &cu);
	buf_clear(&cu.b);
	return rc == -1 ? -1 : 0;
}

/*
 * Starts the raw change stream for an attached client: after since when
 * given (a resume), else from now. Catching up from the log happens in
 * flushes; a resume point ahead of what the sidecar has seen is checked
 * against the log at once: one beyond its end (a rebuilt store, another
 * store) gets a reset now, not silence until the store's seq passes it.
 */
void
push_stream_start(struct push *p, struct push_client *c, int has_since,
    uint64_t since)
{

	c->cursor = has_since ? since : p->seen;
	if (has_since && since > p->seen)
		(void)push_stream_catch_up(p, c);
	if (!c->raw) {
		c->raw = 1;
		LIST_INSERT_HEAD(&p->raw, c, rlink);
	}
	push_queue_pending(p, c);
}
