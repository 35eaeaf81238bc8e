/* repl_conf.h: checks that the replication settings do not expose the group */
#ifndef REPL_CONF_H
#define REPL_CONF_H

#include "conf/conf.h"

enum repl_net {
	REPL_NET_LOOPBACK, /* 127.0.0.0/8, ::1 */
	REPL_NET_PRIVATE,  /* RFC 1918, 100.64/10, link-local, ULA */
	REPL_NET_WILDCARD, /* 0.0.0.0, :: (every interface) */
	REPL_NET_PUBLIC,   /* anything else */
	REPL_NET_INVALID,  /* not a numeric address */
};

enum repl_net repl_net_class(const char *numeric_host);
int repl_conf_check(const struct conf *, char **cause);

#endif
