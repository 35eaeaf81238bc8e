/* hmac.c: SHA-256, HMAC-SHA256 and constant-time compare, from libcrypto */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/hmac.h"

/*
 * These wrap libcrypto rather than carry a SHA-256 of our own: libcrypto
 * is already in every program's link (CORE_LIBS; libcurl uses it too), and
 * its digest, HMAC and CRYPTO_memcmp are the reviewed, tested ones.
 */

/* SHA-256 of n bytes. Cannot fail. */
void
hmac_sha256_digest(const void *p, size_t n, unsigned char out[32])
{
	unsigned int len = HMAC_SHA256_LEN;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

/* HMAC-SHA256(key, msg). Cannot fail. */
void
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[32])
{
	static const unsigned char none;
	unsigned int len = HMAC_SHA256_LEN;

	/* HMAC() reads a NULL message or key of length 0 as a failure. */
	HMAC(EVP_sha256(), keylen > 0 ? key : &none, (int)keylen,
	    msglen > 0 ? msg : &none, msglen, out, &len);
}

/*
 * Compares two byte strings in constant time: both are hashed first, so
 * neither where they differ nor their lengths shows in the timing.
 * Returns 1 when equal.
 */
int
hmac_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	unsigned char ha[HMAC_SHA256_LEN], hb[HMAC_SHA256_LEN];

	hmac_sha256_digest(a, alen, ha);
	hmac_sha256_digest(b, blen, hb);
	return CRYPTO_memcmp(ha, hb, sizeof(ha)) == 0 && alen == blen;
}
