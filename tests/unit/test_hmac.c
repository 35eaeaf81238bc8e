/* test_hmac.c: SHA-256 and HMAC-SHA256 against published vectors (RFC 4231) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "util/hmac.h"

/* Whether out, in lowercase hex, is want. */
static int
is_hex(const unsigned char out[32], const char *want)
{
	char h[65];
	size_t i;

	for (i = 0; i < 32; i++)
		sprintf(h + 2 * i, "%02x", out[i]);
	return strcmp(h, want) == 0;
}

static void
check_digest(const void *p, size_t n, const char *want, const char *name)
{
	unsigned char d[32];

	hmac_sha256_digest(p, n, d);
	ok(is_hex(d, want), "%s", name);
}

static void
check_hmac(const void *key, size_t keylen, const void *msg, size_t msglen,
    const char *want, const char *name)
{
	unsigned char d[32];

	hmac_sha256(key, keylen, msg, msglen, d);
	ok(is_hex(d, want), "%s", name);
}

int
main(void)
{
	unsigned char key[20], key25[25], key131[131];
	char big[1000];
	const char *case6 =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	const char *case7 =
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.";
	int i;

	check_digest("abc", 3,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "SHA-256(abc) matches FIPS 180-2");
	check_digest("", 0,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "SHA-256 of empty input");
	memset(big, 'a', sizeof(big));
	check_digest(big, 1000,
	    "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3",
	    "SHA-256 across several blocks");
	memset(key, 0x0b, sizeof(key));
	check_hmac(key, sizeof(key), "Hi There", 8,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "HMAC-SHA256 RFC 4231 case 1");
	check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "HMAC-SHA256 RFC 4231 case 2");
	memset(key, 0xaa, sizeof(key));
	memset(big, 0xdd, 50);
	check_hmac(key, sizeof(key), big, 50,
	    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "HMAC-SHA256 RFC 4231 case 3");
	for (i = 0; i < 25; i++)
		key25[i] = (unsigned char)(i + 1);
	memset(big, 0xcd, 50);
	check_hmac(key25, sizeof(key25), big, 50,
	    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "HMAC-SHA256 RFC 4231 case 4");
	memset(key131, 0xaa, sizeof(key131));
	check_hmac(key131, sizeof(key131), case6, strlen(case6),
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "HMAC-SHA256 RFC 4231 case 6 (key longer than a block)");
	check_hmac(key131, sizeof(key131), case7, strlen(case7),
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "HMAC-SHA256 RFC 4231 case 7 (key and data over a block)");
	check_hmac("", 0, "", 0,
	    "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	    "HMAC-SHA256 with an empty key and message");
	ok(hmac_equal("secret", 6, "secret", 6), "equal strings compare equal");
	ok(!hmac_equal("secret", 6, "secreT", 6), "a differing byte is unequal");
	ok(!hmac_equal("secret", 6, "secret2", 7), "a longer string is unequal");
	ok(!hmac_equal("", 0, "x", 1), "empty is not equal to one byte");
	return tap_done();
}
