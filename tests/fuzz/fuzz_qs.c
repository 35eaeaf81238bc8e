/* fuzz_qs.c: libFuzzer driver for the query-string parser (qs_parse) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "api/qs.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct conf *conf;
	static struct qs_spec spec;
	struct qs_error err;
	char *q;

	if (conf == NULL)
		conf = fuzz_conf();
	if (size > 2 * QS_MAX_QUERY)
		return 0;
	/* QUERY_STRING is a C string: cut at the first NUL, as CGI does. */
	q = malloc(size + 1);
	memcpy(q, data, size);
	q[size] = '\0';
	(void)qs_parse(&spec, q, conf_collection(conf, 0), &err);
	free(q);
	return 0;
}
