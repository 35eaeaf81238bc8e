/* counters.h: the store directory's rejection counters (not a database) */
#ifndef COUNTERS_H
#define COUNTERS_H

#include <stdint.h>

#include "util/buf.h"

/*
 * Deliveries refused before authentication. They are counted here, in a
 * fixed-size file mapped by every process of the host, and never in the
 * store: an anonymous request must not cost the store a byte.
 */
enum counter_id {
	COUNTER_AUTH_NO_HEADER,     /* the secret's header is missing */
	COUNTER_AUTH_NO_BEARER,     /* Authorization without "Bearer " */
	COUNTER_AUTH_BAD_SECRET,    /* a secret, but the wrong one */
	COUNTER_AUTH_BAD_SIGNATURE, /* X-Strapi-Signature-256 missing/wrong */
	/* the kinds above, then (webhook.c counts its log lines by kind): */
	COUNTER_LAST_REJECT_MS, /* wall time of the last one (set, not added) */
	COUNTER__MAX
};

#define COUNTERS_FILE "webhook-rejections"

struct counters;

struct counters *counters_open(const char *dir, int create);
void counters_close(struct counters *);
void counters_add(struct counters *, enum counter_id, uint64_t);
void counters_set(struct counters *, enum counter_id, uint64_t);
uint64_t counters_get(const struct counters *, enum counter_id);
const char *counters_name(enum counter_id);
void counters_json(const char *dir, struct buf *);
void counters_metrics(const char *dir, struct buf *);

#endif
