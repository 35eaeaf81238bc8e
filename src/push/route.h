/* route.h: an HTTP path the sidecar answers, and its handler */
#ifndef PUSH_ROUTE_H
#define PUSH_ROUTE_H

struct lws;
struct push;
struct push_client;

/* Answers the request; returns what the lws HTTP callback must return. */
typedef int (*push_route_fn)(struct push *, struct push_client *, struct lws *,
    const char *path);

/* A transport's routes end with a row whose path is NULL. */
struct push_route {
	const char *path;
	push_route_fn handler;
};

#endif
