/* forward.h: a replica's sidecar proxies a delivery to the master */
#ifndef REPL_FORWARD_H
#define REPL_FORWARD_H

#include "api/http.h"

void repl_forward_init(void);
void repl_forward_cleanup(void);
int repl_forward(const char *url, const char *self, int timeout_ms,
    const struct http_req *, struct http_resp *);

#endif
