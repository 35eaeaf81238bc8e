/* test_wsframe.c: headers of the WebSocket frames the sidecar builds */
#include "config.h"

#include <string.h>

#include "model/wsmsg.h"
#include "tap.h"

static int
head_is(size_t len, const unsigned char *want, size_t wlen)
{
	unsigned char h[PUSH_WS_HEAD_MAX];
	size_t n;

	memset(h, 0xee, sizeof(h));
	n = push_ws_frame_head(h, len);
	if (n != wlen || memcmp(h, want, wlen) != 0) {
		tap_diag("length %zu: header of %zu bytes", len, n);
		return 0;
	}
	return 1;
}

int
main(void)
{
	static const unsigned char h0[] = { 0x81, 0 };
	static const unsigned char h125[] = { 0x81, 125 };
	static const unsigned char h126[] = { 0x81, 126, 0, 126 };
	static const unsigned char h65535[] = { 0x81, 126, 0xff, 0xff };
	static const unsigned char h65536[] = { 0x81, 127, 0, 0, 0, 0, 0, 1,
		0, 0 };
	static const unsigned char h5m[] = { 0x81, 127, 0, 0, 0, 0, 0, 0x4c,
		0x4b, 0x40 };

	ok(head_is(0, h0, sizeof(h0)), "empty text frame: FIN|text, length 0");
	ok(head_is(125, h125, sizeof(h125)), "125 bytes: 7-bit length");
	ok(head_is(126, h126, sizeof(h126)), "126 bytes: 16-bit length");
	ok(head_is(65535, h65535, sizeof(h65535)), "65535: 16-bit length");
	ok(head_is(65536, h65536, sizeof(h65536)), "65536: 64-bit length");
	ok(head_is(5000000, h5m, sizeof(h5m)), "5,000,000: 64-bit length");
	return tap_done();
}
