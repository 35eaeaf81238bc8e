/* test_hmac.c: SHA-256 and HMAC-SHA256 against published vectors */
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
	char big[1000];

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
	ok(hmac_equal("secret", 6, "secret", 6), "equal strings compare equal");
	ok(!hmac_equal("secret", 6, "secreT", 6), "a differing byte is unequal");
	ok(!hmac_equal("secret", 6, "secret2", 7), "a longer string is unequal");
	ok(!hmac_equal("", 0, "x", 1), "empty is not equal to one byte");
	return tap_done();
}
