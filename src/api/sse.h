/* sse.h: Server-Sent Events framing and Last-Event-ID parsing (pure) */
#ifndef SSE_H
#define SSE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "store/store.h"

/* Reconnection delay hinted to EventSource clients, ms. */
#define SSE_RETRY_MS 2000

void sse_event(struct buf *, uint64_t id, const char *event, const char *data,
    size_t len);
void sse_comment(struct buf *, const char *);
void sse_retry(struct buf *, unsigned ms);
void sse_change_json(struct buf *, const struct store_change *,
    const char *plural);
void sse_change_event(struct buf *, const struct store_change *,
    const char *plural);
void sse_reset_event(struct buf *, uint64_t seq);
int sse_parse_id(const char *, uint64_t *);

#endif
