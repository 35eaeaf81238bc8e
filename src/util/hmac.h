/* hmac.h: SHA-256, HMAC-SHA256 and constant-time comparison */
#ifndef HMAC_H
#define HMAC_H

#include <stddef.h>
#include <stdint.h>

#define HMAC_SHA256_LEN 32

void hmac_sha256_digest(const void *, size_t, unsigned char out[32]);
void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[32]);
int hmac_equal(const void *, size_t, const void *, size_t);

#endif
