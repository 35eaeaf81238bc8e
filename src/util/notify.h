/* notify.h: post-commit wake-up datagrams for the push sidecar */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <sys/un.h>

#include <stdint.h>

#define NOTIFY_SOCKET_NAME "push.sock"

int notify_sockaddr(struct sockaddr_un *, const char *dir, const char *name);
int notify_bind_private(int fd, const struct sockaddr_un *);
void notify_send(const char *store_dir, uint64_t seq);
int notify_bind(const char *store_dir);
int notify_drain(int fd, uint64_t *max_seq);

#endif
