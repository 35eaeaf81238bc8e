/* repl_conf.c: checks that the replication settings do not expose the group */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/repl_conf.h"
#include "util/xmalloc.h"

/*
 * Berkeley DB 5.3's Replication Manager authenticates nobody and encrypts
 * nothing: whoever reaches a site's replication address can join the
 * group, receive every database and vote in elections. So replication is
 * refused on an address other hosts of the Internet could reach (a
 * wildcard, or a public address, of this site or of any configured
 * peer), and forwarded deliveries (which carry the webhook secret) must
 * use https:// to any host but this one, unless the operator says
 * repl_insecure_network = yes. Names are resolved, and every address a
 * name resolves to must pass.
 */

static int
v4_in(uint32_t a, uint32_t net, int bits)
{
	uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);

	return (a & mask) == (net & mask);
}

static enum repl_net
class_v4(const struct in_addr *in)
{
	uint32_t a = ntohl(in->s_addr);

	if (a == 0)
		return REPL_NET_WILDCARD;
	if (v4_in(a, 0x7f000000u, 8))
		return REPL_NET_LOOPBACK;
	if (v4_in(a, 0x0a000000u, 8) || v4_in(a, 0xac100000u, 12) ||
	    v4_in(a, 0xc0a80000u, 16) || v4_in(a, 0xa9fe0000u, 16) ||
	    v4_in(a, 0x64400000u, 10))
		return REPL_NET_PRIVATE;
	return REPL_NET_PUBLIC;
}

/* Class of a numeric IPv4 or IPv6 address (no name lookup). */
enum repl_net
repl_net_class(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' &&
	    n - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return class_v4(&a4);
	if (inet_pton(AF_INET6, host, &a6) != 1)
		return REPL_NET_INVALID;
	if (IN6_IS_ADDR_UNSPECIFIED(&a6))
		return REPL_NET_WILDCARD;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return REPL_NET_LOOPBACK;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4.s_addr, &a6.s6_addr[12], 4);
		return class_v4(&a4);
	}
	if ((a6.s6_addr[0] & 0xfe) == 0xfc || IN6_IS_ADDR_LINKLOCAL(&a6))
		return REPL_NET_PRIVATE;
	return REPL_NET_PUBLIC;
}

/* The widest class host resolves to (a name: each of its addresses). */
static enum repl_net
resolve_class(const char *host)
{
	struct addrinfo hints, *res = NULL, *ai;
	char num[INET6_ADDRSTRLEN];
	enum repl_net c, worst = REPL_NET_LOOPBACK;

	if ((c = repl_net_class(host)) != REPL_NET_INVALID)
		return c;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return REPL_NET_INVALID;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num, sizeof(num),
		        NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		c = repl_net_class(num);
		if (c > worst)
			worst = c;
	}
	freeaddrinfo(res);
	return worst;
}

/* "host:port" -> host (brackets kept for IPv6). Caller frees. */
static char *
addr_host(const char *addr)
{
	const char *colon = strrchr(addr, ':');

	return xstrndup(addr,
	    colon != NULL ? (size_t)(colon - addr) : strlen(addr));
}

static int
check_addr(const char *key, const char *addr, char **cause)
{
	char *host = addr_host(addr);
	enum repl_net c = resolve_class(host);
	int rc = -1;

	switch (c) {
	case REPL_NET_LOOPBACK:
	case REPL_NET_PRIVATE:
		rc = 0;
		break;
	case REPL_NET_WILDCARD:
		xasprintf(cause,
		    "%s: '%s' listens on every interface; the "
		    "replication port has no authentication or encryption, so "
		    "give a loopback, private or tunnel address reachable only "
		    "from the other sites (or set repl_insecure_network = yes "
		    "if the network is trusted)",
		    key, addr);
		break;
	case REPL_NET_PUBLIC:
		xasprintf(cause,
		    "%s: '%s' is a public address; the "
		    "replication port has no authentication or encryption, so "
		    "run replication over a private network or a tunnel "
		    "(WireGuard, stunnel, SSH; see docs/replication.md), or "
		    "set repl_insecure_network = yes if the network is trusted",
		    key, addr);
		break;
	case REPL_NET_INVALID:
		xasprintf(cause,
		    "%s: '%s' does not resolve, so it cannot be "
		    "checked to be private (set repl_insecure_network = yes to "
		    "skip the check)",
		    key, addr);
		break;
	}
	free(host);
	return rc;
}

/* The host of an http(s) URL (brackets kept for IPv6). Caller frees. */
static char *
url_host(const char *url)
{
	const char *h = strstr(url, "://"), *e;

	h = h == NULL ? url : h + 3;
	if ((e = strchr(h, '@')) != NULL && e < h + strcspn(h, "/"))
		h = e + 1;
	if (*h == '[')
		e = strchr(h, ']') != NULL ? strchr(h, ']') + 1 : h + strlen(h);
	else
		e = h + strcspn(h, ":/?#");
	return xstrndup(h, (size_t)(e - h));
}

static int
check_url(const char *entry, int insecure, char **cause)
{
	const char *url = strchr(entry, '=');
	char *host;
	int loop;

	if (url == NULL || url == entry) {
		xasprintf(cause, "repl_webhook_urls: '%s' is not host:port=URL",
		    entry);
		return -1;
	}
	url++;
	if (strncasecmp(url, "https://", 8) == 0)
		return 0;
	if (strncasecmp(url, "http://", 7) != 0) {
		xasprintf(cause,
		    "repl_webhook_urls: '%s' is not an http:// "
		    "or https:// URL",
		    url);
		return -1;
	}
	host = url_host(url);
	loop = strcasecmp(host, "localhost") == 0 ||
	    repl_net_class(host) == REPL_NET_LOOPBACK;
	free(host);
	if (loop || insecure)
		return 0;
	xasprintf(cause,
	    "repl_webhook_urls: '%s' must be https:// (a "
	    "forwarded delivery carries the webhook secret; plain http:// is "
	    "for loopback only, or with repl_insecure_network = yes)",
	    url);
	return -1;
}

/*
 * With replication on: 0 when the addresses and URLs are safe to use (or
 * the operator set repl_insecure_network), else -1 with *cause naming the
 * key (caller frees). repl_local and repl_sites are "host:port" already.
 */
int
repl_conf_check(const struct conf *c, char **cause)
{
	int insecure = conf_bool(c, CFG_REPL_INSECURE_NETWORK);
	char *list, *tok, *save;
	int rc = 0;

	if (strcmp(conf_str(c, CFG_REPL_FORWARD), "forward") != 0) {
		xasprintf(cause,
		    "repl_forward: '%s' is not supported: the "
		    "mode 'redirect' was removed (Strapi's fetch drops "
		    "Authorization on a cross-origin 307, so the delivery was "
		    "refused and lost); use forward",
		    conf_str(c, CFG_REPL_FORWARD));
		return -1;
	}
	if (!insecure &&
	    check_addr("repl_local", conf_str(c, CFG_REPL_LOCAL), cause) == -1)
		return -1;
	list = xstrdup(conf_str(c, CFG_REPL_SITES));
	for (tok = strtok_r(list, " ,", &save);
	     tok != NULL && rc == 0 && !insecure;
	     tok = strtok_r(NULL, " ,", &save))
		rc = check_addr("repl_sites", tok, cause);
	free(list);
	if (rc == -1)
		return -1;
	list = xstrdup(conf_str(c, CFG_REPL_WEBHOOK_URLS));
	for (tok = strtok_r(list, " ,", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, " ,", &save))
		rc = check_url(tok, insecure, cause);
	free(list);
	return rc;
}
