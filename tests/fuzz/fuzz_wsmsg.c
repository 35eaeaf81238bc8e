/* fuzz_wsmsg.c: libFuzzer driver for WebSocket client messages */
#include "config.h"

#include "fuzz_common.h"
#include "model/wsmsg.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct conf *conf;
	struct push_ws_req r;
	const char *why;

	if (conf == NULL)
		conf = fuzz_conf();
	(void)push_ws_parse_message(conf, (const char *)data, size, &r, &why);
	push_ws_req_clear(&r);
	return 0;
}
