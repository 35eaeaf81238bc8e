/* trim_tool.c: trims the change log of $STRAPI_LIVE_STORE_DIR (test helper) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "store.h"

/*
 * trim_tool KEEP: keeps the last KEEP changes. Without an argument it is
 * run by make check as a test and skips.
 */
int
main(int argc, char *argv[])
{
	struct store *st;
	uint64_t rc = 0, re = 0;
	const char *dir = getenv("STRAPI_LIVE_STORE_DIR");

	if (argc < 2 || dir == NULL) {
		printf("1..0 # SKIP helper for the push tests\n");
		return 0;
	}
	if (store_open(&st, dir, STORE_OPEN_NO_NOTIFY) == -1)
		return 1;
	if (store_trim(st, strtoull(argv[1], NULL, 10), 1000000, &rc, &re) ==
	    -1) {
		store_close(st);
		return 1;
	}
	printf("%llu\n", (unsigned long long)rc);
	store_close(st);
	return 0;
}
