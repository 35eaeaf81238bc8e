/* test_relay.c: the write.sock request decoder refuses lengths that wrap */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "node/relay.h"
#include "tap.h"

static void
put32(unsigned char *p, uint32_t v)
{
	uint32_t n = htonl(v);

	memcpy(p, &n, 4);
}

static ssize_t left; /* bytes decode's relay_recv_req did not read */

/* Decodes msg (written whole, then EOF); returns relay_recv_req's answer. */
static int
decode(const unsigned char *msg, size_t n, struct relay_req *r)
{
	char rest[512];
	int sv[2], rc;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -2;
	if (write(sv[0], msg, n) != (ssize_t)n)
		return -2;
	close(sv[0]);
	rc = relay_recv_req(sv[1], 1024, r);
	left = recv(sv[1], rest, sizeof(rest), MSG_DONTWAIT);
	close(sv[1]);
	return rc;
}

int
main(void)
{
	unsigned char m[256];
	struct relay_req r;
	int rc;

	/* One parameter "A=b", no body. */
	memcpy(m, "SLQ1", 4);
	put32(m + 4, 0);
	put32(m + 8, 1);
	put32(m + 12, 0);
	put32(m + 16, 3);
	memcpy(m + 20, "A=b", 3);
	rc = decode(m, 23, &r);
	ok(rc == 0 && r.env != NULL && r.env[0] != NULL &&
	        strcmp(r.env[0], "A=b") == 0 && r.env[1] == NULL,
	    "a well-formed request decodes");
	if (rc == 0)
		relay_req_clear(&r);

	/* A parameter length of 0xffffffff: len + 1 wrapped to 0 once. */
	put32(m + 16, 0xffffffffu);
	memset(m + 20, 'x', 200);
	rc = decode(m, 220, &r);
	ok(rc == -1 && left == 200,
	    "a parameter length of 2^32-1 is refused before reading it");

	/* Just over the limit of all parameters together (1 MiB). */
	put32(m + 16, 1u << 20);
	ok(decode(m, 220, &r) == -1, "a parameter of 1 MiB is refused");
	put32(m + 16, (1u << 20) - 1);
	ok(decode(m, 220, &r) == -1,
	    "and one that ends at the limit but is cut short fails cleanly");
	return tap_done();
}
