/* explicit_bzero.c: a memset the compiler may not drop, for libcs without one */
#include "config.h"

#include <string.h>

#include "compat.h"

/*
 * Called through a volatile pointer, so the stores are made even when the
 * buffer is freed right after (secrets: see conf_free).
 */
static void *(*volatile explicit_memset)(void *, int, size_t) = memset;

void
explicit_bzero(void *buf, size_t len)
{
	explicit_memset(buf, 0, len);
}
