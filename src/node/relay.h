/* relay.h: webhook deliveries handed to the host's replication process */
#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>

#include "api/http.h"

/* The stream socket in the store directory where the sidecar takes them. */
#define RELAY_SOCKET_NAME "write.sock"

/* A request as the replication process receives it (relay_recv_req). */
struct relay_req {
	struct http_req req; /* env and body point into this struct's memory */
	char **env;
	char *strings;
};

/*
 * Client (webhook.fcgi on a replicated host): sends req to the relay socket
 * in dir and fills resp with the answer. Returns 0, or -1 with resp left
 * untouched and *why set (static text) when the replication process could
 * not be reached or did not answer within timeout_ms.
 */
int relay_call(const char *dir, const struct http_req *, struct http_resp *,
    int timeout_ms, const char **why);

/* Server side: binds the listening socket (replacing a stale one), or -1. */
int relay_listen(const char *dir);
int relay_accept(int lfd);
void relay_unlink(const char *dir);
/* Reads one request from fd; 0, or -1 (malformed, short, too large). */
int relay_recv_req(int fd, size_t max_body, struct relay_req *);
void relay_req_clear(struct relay_req *);
/* Writes resp to fd; 0 or -1. */
int relay_send_resp(int fd, const struct http_resp *);

#endif
