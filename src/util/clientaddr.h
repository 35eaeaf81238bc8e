/* clientaddr.h: a client's address behind trusted proxies (pure) */
#ifndef CLIENTADDR_H
#define CLIENTADDR_H

#include <stddef.h>

#define CLIENTADDR_MAX 64 /* room for any key clientaddr_resolve writes */

/* An address or a network (address/prefix length), IPv4 or IPv6. */
struct clientaddr_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};

/* Which header carries the forwarding chain. */
enum clientaddr_header {
	CLIENTADDR_XFF,       /* X-Forwarded-For: a, b, c */
	CLIENTADDR_FORWARDED, /* Forwarded: for=a;proto=…, for="[b]:p" */
};

int clientaddr_nets_parse(const char *list, struct clientaddr_net **nets,
    size_t *n, const char **why);
int clientaddr_trusted(const char *addr, const struct clientaddr_net *,
    size_t n);
void clientaddr_resolve(const char *peer, const char *header,
    enum clientaddr_header kind, const struct clientaddr_net *trusted,
    size_t ntrusted, char *out, size_t outlen);

#endif
