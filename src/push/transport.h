/* transport.h: what SSE and WebSocket each do differently, as ops */
#ifndef PUSH_TRANSPORT_H
#define PUSH_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct lws;
struct push;
struct push_client;
struct store_change;

enum push_transport_id {
	PUSH_TRANSPORT_SSE,
	PUSH_TRANSPORT_WS,
	PUSH_TRANSPORT__MAX
};

/*
 * A streaming transport's encoder: the shared code (queues, flush,
 * fan-out, catch-up, timers) frames and writes through these and never
 * asks which transport a client speaks.
 */
struct push_transport {
	enum push_transport_id id;
	const char *name; /* in log lines */
	size_t head_max;  /* frame header bytes written before a message */
	/* Writes the frame header for a len-byte message; its length. */
	size_t (*frame_head)(unsigned char *, size_t len);
	/* Appends the message for a change (plural: the REST name). */
	void (*change)(struct buf *, const struct store_change *,
	    const char *plural);
	/* Appends the message that resets a stream to seq. */
	void (*reset)(struct buf *, uint64_t seq);
	/* An idle stream's heartbeat: 1 when there is now something to send. */
	int (*beat)(struct push *, struct push_client *);
	/* Before a policy close: says why on the wire, if it can. */
	void (*closing)(struct lws *, const char *why);
};

#endif
