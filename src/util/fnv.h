/* fnv.h: FNV-1a, a 64-bit hash for tables and validators (not a secret) */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_INIT 0xcbf29ce484222325ULL /* the offset basis */

/*
 * h carried on over the n bytes at p (start with FNV1A_INIT). Ten lines,
 * where a library would bring a dependency: OpenSSL's digests are far
 * slower for the hash tables this keys.
 */
uint64_t fnv1a(uint64_t h, const void *p, size_t n);

#endif
