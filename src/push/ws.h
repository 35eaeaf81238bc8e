/* ws.h: the WebSocket transport: subscribe, unsubscribe, changes */
#ifndef PUSH_WS_H
#define PUSH_WS_H

#include <stddef.h>

#include <libwebsockets.h>

#include "push/state.h"

int push_ws_filter(struct push *, struct lws *);
int push_ws_established(struct push *, struct push_client *, struct lws *);
int push_ws_receive(struct push *, struct push_client *, const char *, size_t);

#endif
