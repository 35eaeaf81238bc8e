/* fnv.c: FNV-1a (see fnv.h) */
#include "config.h"

#include "util/fnv.h"

uint64_t
fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}
