/* push_wsmsg.h: WebSocket client messages, parsed and validated (pure) */
#ifndef PUSH_WSMSG_H
#define PUSH_WSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "model/subscription.h"

#define PUSH_WSMSG_ID_MAX 64

enum push_ws_type {
	PUSH_WS_SUBSCRIBE,
	PUSH_WS_UNSUBSCRIBE,
	PUSH_WS_CHANGES,
};

/* A client message. id is "" when the message had none. */
struct push_ws_req {
	enum push_ws_type type;
	char id[PUSH_WSMSG_ID_MAX + 1];
	struct subscription_spec spec;   /* SUBSCRIBE */
	int patch;                       /* SUBSCRIBE: "patch":true */
	const struct collection *filter; /* CHANGES: NULL for all */
	int has_since;                   /* CHANGES */
	uint64_t since;
};

int push_ws_parse_message(const struct conf *, const char *, size_t,
    struct push_ws_req *, const char **why);
void push_ws_req_clear(struct push_ws_req *);

#define PUSH_WS_HEAD_MAX 10
size_t push_ws_frame_head(unsigned char *, size_t);

#endif
