/*
 * fuzz_webhook.c: libFuzzer driver for webhook deliveries: the body goes
 * through webhook_handle (parsing, validation, event mapping) into a real
 * store in a temporary directory (not durable, for speed).
 */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "api/http.h"
#include "util/log.h"
#include "store/store.h"
#include "api/webhook.h"

static char auth[] = "HTTP_AUTHORIZATION=Bearer " FUZZ_SECRET;
static char *env[] = { auth, NULL };

static struct webhook_ctx ctx;
static char dir[] = "/tmp/fuzz-webhook.XXXXXX";

static int
rm_one(const char *path, const struct stat *st UNUSED, int flag UNUSED,
    struct FTW *ftw UNUSED)
{
	return remove(path);
}

/* The store goes with the process (replay runs in make check). */
static void
cleanup(void)
{
	store_close(ctx.store);
	conf_free((struct conf *)(uintptr_t)ctx.conf);
	(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct http_req req;
	struct http_resp resp;

	if (ctx.conf == NULL) {
		log_init("fuzz_webhook", LOG_LEVEL_WARN);
		ctx.conf = fuzz_conf();
		if (mkdtemp(dir) == NULL ||
		    store_open(&ctx.store, dir, STORE_OPEN_DEFAULT) == -1)
			abort();
		store_set_durable(ctx.store, 0);
		atexit(cleanup);
	}
	if (size > 1 << 20)
		return 0;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/strapi/webhook";
	req.query = "";
	req.content_type = "application/json";
	req.content_length = (long long)size;
	req.env = env;
	req.body = malloc(size + 1);
	memcpy(req.body, data, size);
	req.body[size] = '\0';
	req.body_len = size;
	http_resp_init(&resp);
	webhook_handle(&req, &resp, &ctx);
	if (resp.status < 200 || resp.status > 503)
		abort();
	http_resp_clear(&resp);
	free(req.body);
	return 0;
}
