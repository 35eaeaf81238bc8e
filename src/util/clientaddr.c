/* clientaddr.c: a client's address behind trusted proxies (pure) */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clientaddr.h"
#include "util/xmalloc.h"

/* Parses an address, IPv4-mapped IPv6 taken as IPv4. Returns 0 or -1. */
static int
addr_parse(const char *s, struct clientaddr_net *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		a->bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) != 1)
		return -1;
	if (memcmp(a->addr, mapped, sizeof(mapped)) == 0) {
		memmove(a->addr, a->addr + 12, 4);
		memset(a->addr + 4, 0, 12);
		a->family = AF_INET;
		a->bits = 32;
		return 0;
	}
	a->family = AF_INET6;
	a->bits = 128;
	return 0;
}

static int
net_contains(const struct clientaddr_net *net, const struct clientaddr_net *a)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;
	unsigned char mask;

	if (net->family != a->family)
		return 0;
	if (memcmp(net->addr, a->addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (a->addr[full] & mask);
}

/*
 * Parses a list of addresses and networks ("127.0.0.1, ::1, 10.0.0.0/8"),
 * separated by commas or blanks. Returns 0 with a new array in *nets (the
 * caller frees it; NULL when the list is empty), or -1 with *why.
 */
int
clientaddr_nets_parse(const char *list, struct clientaddr_net **nets, size_t *n,
    const char **why)
{
	struct clientaddr_net *v = NULL, a;
	char tok[INET6_ADDRSTRLEN + 8], *slash;
	size_t cnt = 0, len;
	const char *errstr;
	long long bits;

	while (*list != '\0') {
		list += strspn(list, ", \t");
		len = strcspn(list, ", \t");
		if (len == 0)
			break;
		if (len >= sizeof(tok)) {
			*why = "not an address or network";
			goto fail;
		}
		memcpy(tok, list, len);
		tok[len] = '\0';
		list += len;
		if ((slash = strchr(tok, '/')) != NULL)
			*slash++ = '\0';
		if (addr_parse(tok, &a) == -1) {
			*why = "not an address or network";
			goto fail;
		}
		if (slash != NULL) {
			bits = strtonum(slash, 0, a.bits, &errstr);
			if (errstr != NULL) {
				*why = "bad prefix length";
				goto fail;
			}
			a.bits = (unsigned)bits;
		}
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = a;
	}
	*nets = v;
	*n = cnt;
	return 0;
fail:
	free(v);
	return -1;
}

/* 1 when the address (text) is in one of the networks. */
int
clientaddr_trusted(const char *addr, const struct clientaddr_net *nets,
    size_t n)
{
	struct clientaddr_net a;
	size_t i;

	if (addr_parse(addr, &a) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (net_contains(&nets[i], &a))
			return 1;
	return 0;
}

/*
 * The counting key of an address: IPv4 as it is, IPv6 by its /64 (one
 * subscriber line gets a whole /64, so counting single IPv6 addresses
 * would give one client 2^64 allowances).
 */
static void
addr_key(const struct clientaddr_net *a, char *out, size_t outlen)
{
	unsigned char b[16];
	char txt[INET6_ADDRSTRLEN];

	if (a->family == AF_INET) {
		(void)inet_ntop(AF_INET, a->addr, out, (socklen_t)outlen);
		return;
	}
	memcpy(b, a->addr, 8);
	memset(b + 8, 0, 8);
	(void)inet_ntop(AF_INET6, b, txt, sizeof(txt));
	(void)snprintf(out, outlen, "%s/64", txt);
}

/*
 * Takes the address out of one element of the chain into tok: the
 * element itself for X-Forwarded-For, its for= parameter for Forwarded
 * (RFC 7239); quotes, brackets and a port are dropped. Returns 0, or -1
 * when the element names no address (it is then copied as written).
 */
static int
element_addr(const char *e, size_t len, enum clientaddr_header kind, char *tok,
    size_t toklen, struct clientaddr_net *a)
{
	const char *p, *end = e + len;
	size_t n;
	char *colon;

	if (kind == CLIENTADDR_FORWARDED) {
		for (p = e; p < end;) {
			while (
			    p < end && (*p == ' ' || *p == '\t' || *p == ';'))
				p++;
			if (end - p >= 4 && strncasecmp(p, "for=", 4) == 0)
				break;
			while (p < end && *p != ';')
				p++;
		}
		if (p >= end) {
			tok[0] = '\0';
			return -1;
		}
		e = p + 4;
		len = (size_t)(end - e);
		len = strcspn(e, ";") < len ? strcspn(e, ";") : len;
	}
	while (len > 0 && (*e == ' ' || *e == '\t' || *e == '"')) {
		e++;
		len--;
	}
	while (len > 0 &&
	    (e[len - 1] == ' ' || e[len - 1] == '\t' || e[len - 1] == '"'))
		len--;
	n = len < toklen - 1 ? len : toklen - 1;
	memcpy(tok, e, n);
	tok[n] = '\0';
	if (tok[0] == '[') {
		/* [v6] or [v6]:port */
		char *rb = strchr(tok, ']');

		if (rb == NULL)
			return -1;
		*rb = '\0';
		memmove(tok, tok + 1, strlen(tok + 1) + 1);
	} else if ((colon = strchr(tok, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL)
		*colon = '\0'; /* v4:port */
	return addr_parse(tok, a);
}

/* Copies what an element says, keeping only harmless characters. */
static void
raw_key(const char *tok, char *out, size_t outlen)
{
	size_t i, n = 0;

	for (i = 0; tok[i] != '\0' && n + 1 < outlen; i++)
		if (isalnum((unsigned char)tok[i]) || strchr(".:_-", tok[i]))
			out[n++] = tok[i];
	if (n == 0 && outlen > 1)
		out[n++] = '?';
	out[n] = '\0';
}

/*
 * The address to count a connection against. peer is the TCP peer's
 * address (NULL for a unix socket, always a proxy); header is the
 * forwarding header's value (NULL when absent). When the peer is a
 * trusted proxy, the chain is read from the right and the first address
 * that is not a trusted proxy is the client: every proxy appends the
 * address it saw, so only the entries to the left of that one can be
 * forged. Otherwise (or without a header) the peer is the client. out
 * gets a key of at most CLIENTADDR_MAX bytes; "" for a unix-socket peer
 * without a header. Can't fail.
 */
void
clientaddr_resolve(const char *peer, const char *header,
    enum clientaddr_header kind, const struct clientaddr_net *trusted,
    size_t ntrusted, char *out, size_t outlen)
{
	struct clientaddr_net a, last;
	char tok[INET6_ADDRSTRLEN + 16];
	const char *end, *start;
	int have_last = 0;
	size_t i;

	out[0] = '\0';
	if (peer != NULL) {
		if (addr_parse(peer, &a) == -1) {
			raw_key(peer, out, outlen);
			return;
		}
		addr_key(&a, out, outlen);
		if (header == NULL)
			return;
		for (i = 0; i < ntrusted; i++)
			if (net_contains(&trusted[i], &a))
				break;
		if (i == ntrusted)
			return; /* a direct client: its header means nothing */
	}
	if (header == NULL)
		return;
	end = header + strlen(header);
	while (end > header) {
		start = end;
		while (start > header && start[-1] != ',')
			start--;
		if (element_addr(start, (size_t)(end - start), kind, tok,
		        sizeof(tok), &a) == -1) {
			if (tok[0] == '\0' && kind == CLIENTADDR_FORWARDED) {
				/* an element without for=: not a hop */
				end = start > header ? start - 1 : start;
				continue;
			}
			raw_key(tok, out, outlen);
			return;
		}
		for (i = 0; i < ntrusted; i++)
			if (net_contains(&trusted[i], &a))
				break;
		if (i == ntrusted) {
			addr_key(&a, out, outlen);
			return;
		}
		last = a;
		have_last = 1;
		end = start > header ? start - 1 : start;
	}
	/* Every hop is a trusted proxy: the leftmost is the client. */
	if (have_last)
		addr_key(&last, out, outlen);
}
