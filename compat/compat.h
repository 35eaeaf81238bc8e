/* compat.h: replacements for functions libc lacks, and attribute macros */
#ifndef COMPAT_H
#define COMPAT_H

#include <stddef.h>

#define UNUSED           __attribute__((__unused__))
#define DEAD             __attribute__((__noreturn__))
#define PRINTFLIKE(a, b) __attribute__((__format__(__printf__, a, b)))

#ifndef HAVE_STRTONUM
long long strtonum(const char *, long long, long long, const char **);
#endif

#ifndef HAVE_EXPLICIT_BZERO
void explicit_bzero(void *, size_t);
#endif

#endif
