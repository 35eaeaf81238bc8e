/* reply.h: the sidecar's HTTP helpers: tokens, origins, one-shot answers */
#ifndef PUSH_REPLY_H
#define PUSH_REPLY_H

#include <stddef.h>

#include <libwebsockets.h>

#include "push/state.h"

int push_token_ok(struct push *, struct lws *);
int push_bearer_ok(struct lws *, const char *token, int query_too);
int push_origin_ok(struct push *, struct lws *, char *origin, size_t);
const char *push_urlarg(struct lws *, const char *name, char *, size_t);
int push_reply_add_header(struct lws *, const char *name, const char *val,
    unsigned char **pp, unsigned char *end);
int push_http_reply(struct lws *, unsigned status, const char *ctype,
    const char *body, size_t len, const char *origin);
int push_http_error(struct lws *, unsigned status, const char *message,
    const char *origin);
int push_http_error_details(struct lws *, unsigned status, const char *message,
    const char *details, const char *origin);

#endif
