/* client.h: streaming clients: limits, flushing, closing */
#ifndef PUSH_CLIENT_H
#define PUSH_CLIENT_H

#include <stddef.h>

#include <libwebsockets.h>

#include "push/state.h"
#include "push/transport.h"

int push_client_attach(struct push *, struct push_client *, struct lws *,
    const struct push_transport *, int *status, const char **why);
void push_client_detach(struct push *, struct push_client *);
int push_client_flush(struct push *, struct push_client *, int in_cb);
void push_client_kick(struct push *, struct push_client *);
void push_client_close(struct push *, struct push_client *, const char *);
void push_client_flush_pending(struct push *);
void push_client_addrs_free(struct push *);

#endif
