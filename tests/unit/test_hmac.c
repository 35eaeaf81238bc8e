/* test_hmac.c: SHA-256 and HMAC-SHA256 against published vectors (RFC 4231) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util/hmac.h"
#include "tap.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

int
main(void)
{
	unsigned char d[32];
	char h[65];
	unsigned char key[20];
	unsigned char key25[25], key131[131];
	char big[1000];
	const char *case7 = "This is a test using a larger than block-size key "
	    "and a larger than block-size data. The key needs to be hashed "
	    "before being used by the HMAC algorithm.";
	int i;

	hmac_sha256_digest("abc", 3, d);
	hex(d, 32, h);
	ok(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
	    "SHA-256(abc) matches FIPS 180-2");
	hmac_sha256_digest("", 0, d);
	hex(d, 32, h);
	ok(strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
	    "SHA-256 of empty input");
	memset(big, 'a', sizeof(big));
	hmac_sha256_digest(big, 1000, d);
	hex(d, 32, h);
	ok(strcmp(h, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3") == 0,
	    "SHA-256 across several blocks");
	memset(key, 0x0b, sizeof(key));
	hmac_sha256(key, sizeof(key), "Hi There", 8, d);
	hex(d, 32, h);
	ok(strcmp(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7") == 0,
	    "HMAC-SHA256 RFC 4231 case 1");
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex(d, 32, h);
	ok(strcmp(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0,
	    "HMAC-SHA256 RFC 4231 case 2");
	memset(key, 0xaa, sizeof(key));
	memset(big, 0xdd, 50);
	hmac_sha256(key, sizeof(key), big, 50, d);
	hex(d, 32, h);
	ok(strcmp(h, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe") == 0,
	    "HMAC-SHA256 RFC 4231 case 3");
	for (i = 0; i < 25; i++)
		key25[i] = (unsigned char)(i + 1);
	memset(big, 0xcd, 50);
	hmac_sha256(key25, sizeof(key25), big, 50, d);
	hex(d, 32, h);
	ok(strcmp(h, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b") == 0,
	    "HMAC-SHA256 RFC 4231 case 4");
	memset(key131, 0xaa, sizeof(key131));
	hmac_sha256(key131, sizeof(key131),
	    "Test Using Larger Than Block-Size Key - Hash Key First", 54, d);
	hex(d, 32, h);
	ok(strcmp(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54") == 0,
	    "HMAC-SHA256 RFC 4231 case 6 (key longer than a block)");
	hmac_sha256(key131, sizeof(key131), case7, strlen(case7), d);
	hex(d, 32, h);
	ok(strcmp(h, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2") == 0,
	    "HMAC-SHA256 RFC 4231 case 7 (key and data longer than a block)");
	hmac_sha256("", 0, "", 0, d);
	hex(d, 32, h);
	ok(strcmp(h, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad") == 0,
	    "HMAC-SHA256 with an empty key and message");
	ok(hmac_equal("secret", 6, "secret", 6), "equal strings compare equal");
	ok(!hmac_equal("secret", 6, "secreT", 6), "a differing byte is unequal");
	ok(!hmac_equal("secret", 6, "secret2", 7), "a longer string is unequal");
	ok(!hmac_equal("", 0, "x", 1), "empty is not equal to one byte");
	return tap_done();
}
