/* test_clientaddr.c: the client's address behind trusted proxies */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/clientaddr.h"
#include "tap.h"

static struct clientaddr_net *nets;
static size_t nnets;

static const char *
resolve(const char *peer, const char *hdr, enum clientaddr_header kind)
{
	static char out[CLIENTADDR_MAX];

	clientaddr_resolve(peer, hdr, kind, nets, nnets, out, sizeof(out));
	return out;
}

/* clang-format off */
static const struct {
	const char *peer, *hdr;
	enum clientaddr_header kind;
	const char *want, *name;
} rows[] = {
	{ "127.0.0.1", NULL, CLIENTADDR_XFF, "127.0.0.1", "no header: the peer" },
	{ "127.0.0.1", "198.51.100.7", CLIENTADDR_XFF, "198.51.100.7", "trusted proxy: its X-Forwarded-For" },
	{ "127.0.0.1", "6.6.6.6, 198.51.100.7", CLIENTADDR_XFF, "198.51.100.7", "forged left part ignored: right-most untrusted" },
	{ "127.0.0.1", "198.51.100.7, 10.1.2.3, 127.0.0.1", CLIENTADDR_XFF, "198.51.100.7", "trusted hops skipped from the right" },
	{ "198.51.100.9", "1.2.3.4", CLIENTADDR_XFF, "198.51.100.9", "untrusted peer: header ignored" },
	{ "127.0.0.1", "127.0.0.1, 10.0.0.1", CLIENTADDR_XFF, "127.0.0.1", "every hop trusted: the leftmost" },
	{ "127.0.0.1", "198.51.100.7:4711", CLIENTADDR_XFF, "198.51.100.7", "port dropped" },
	{ "127.0.0.1", "2001:db8:1:2:3:4:5:6", CLIENTADDR_XFF, "2001:db8:1:2::/64", "IPv6 counted by its /64" },
	{ "127.0.0.1", "[2001:db8:1:2::9]:80", CLIENTADDR_XFF, "2001:db8:1:2::/64", "bracketed IPv6 with port" },
	{ "127.0.0.1", "::ffff:198.51.100.7", CLIENTADDR_XFF, "198.51.100.7", "IPv4-mapped IPv6 is IPv4" },
	{ "127.0.0.1", "not<an>addr", CLIENTADDR_XFF, "notanaddr", "garbage kept as a key, harmless characters only" },
	{ "127.0.0.1", "for=198.51.100.7;proto=http", CLIENTADDR_FORWARDED, "198.51.100.7", "Forwarded: for=" },
	{ "127.0.0.1", "for=6.6.6.6, for=\"[2001:db8::1]:4711\";by=x", CLIENTADDR_FORWARDED, "2001:db8::/64", "Forwarded: quoted IPv6, right-most" },
	{ "127.0.0.1", "proto=https;For=198.51.100.7", CLIENTADDR_FORWARDED, "198.51.100.7", "Forwarded: for= after other parameters, any case" },
	{ NULL, NULL, CLIENTADDR_XFF, "", "unix socket without header: no key" },
	{ NULL, "198.51.100.7", CLIENTADDR_XFF, "198.51.100.7", "unix socket: the header" },
};
/* clang-format on */

int
main(void)
{
	struct clientaddr_net *v = NULL;
	const char *why = NULL;
	size_t i, n = 0;
	char longhdr[4096];

	ok(clientaddr_nets_parse("127.0.0.1, ::1 10.0.0.0/8", &nets, &nnets,
	       &why) == 0 &&
	        nnets == 3,
	    "list of addresses and networks parsed");
	ok(clientaddr_trusted("10.200.0.1", nets, nnets),
	    "10.0.0.0/8 holds 10.200.0.1");
	ok(!clientaddr_trusted("11.0.0.1", nets, nnets), "11.0.0.1 is outside");
	ok(clientaddr_trusted("::1", nets, nnets), "::1 trusted");
	ok(clientaddr_nets_parse("localhost", &v, &n, &why) == -1 &&
	        why != NULL,
	    "a host name is refused");
	ok(clientaddr_nets_parse("10.0.0.0/33", &v, &n, &why) == -1,
	    "prefix longer than the address refused");
	ok(clientaddr_nets_parse("", &v, &n, &why) == 0 && n == 0,
	    "empty list: nothing trusted");
	free(v);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got =
		    resolve(rows[i].peer, rows[i].hdr, rows[i].kind);

		if (!ok(strcmp(got, rows[i].want) == 0, "%s", rows[i].name))
			tap_diag("got '%s', want '%s'", got, rows[i].want);
	}
	memset(longhdr, 'a', sizeof(longhdr) - 1);
	longhdr[sizeof(longhdr) - 1] = '\0';
	ok(strlen(resolve("127.0.0.1", longhdr, CLIENTADDR_XFF)) <
	        CLIENTADDR_MAX,
	    "a huge element gives a bounded key");
	free(nets);
	return tap_done();
}
