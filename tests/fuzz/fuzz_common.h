/* fuzz_common.h: the configuration every fuzz driver starts from */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"

#define FUZZ_SECRET "fuzz-webhook-secret"

int LLVMFuzzerTestOneInput(const unsigned char *, size_t);

/* The built-in defaults (the article collection) and a webhook secret. */
static inline struct conf *
fuzz_conf(void)
{
	struct conf *c = conf_new();
	char *cause = NULL;

	if (conf_parse_text(c, "webhook_secret = " FUZZ_SECRET "\n", "fuzz",
		&cause) == -1 ||
	    conf_finish(c, &cause) == -1) {
		fprintf(stderr, "fuzz: configuration: %s\n", cause);
		abort();
	}
	return c;
}

#endif
