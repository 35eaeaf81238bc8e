/* buf.c: growable byte buffer for bodies, JSON and frames */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Frees the storage; the buf may be reused after buf_init. */
void
buf_clear(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Empties the buffer, keeping its storage. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Makes room for n more bytes plus a terminating NUL. */
void
buf_reserve(struct buf *b, size_t n)
{
	size_t want;

	if (b->len + n + 1 <= b->cap)
		return;
	want = b->cap == 0 ? 256 : b->cap;
	while (want < b->len + n + 1) {
		if (want > ((size_t)-1) / 2)
			fatalx("buf_reserve: %zu bytes", n);
		want *= 2;
	}
	b->data = xrealloc(b->data, want);
	b->cap = want;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("buf_printf: bad format");
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * Appends s as a quoted JSON string. Control characters are escaped; bytes
 * >= 0x80 pass through (callers only hand in validated UTF-8).
 */
void
buf_add_json_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;
	unsigned char c;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default: {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4],
				hex[c & 15] };
			buf_add(b, e, sizeof(e));
		}
		}
	}
	buf_add(b, s + start, n - start);
	buf_addc(b, '"');
}

/*
 * Appends JSON text s (n bytes) with every byte outside printable ASCII
 * written as a \u escape: UTF-8 sequences as their code point (a
 * surrogate pair above U+FFFF), DEL and C1 controls as themselves, and
 * invalid bytes as U+FFFD. Valid JSON stays valid and means the same, and
 * nothing in it can drive a terminal. Control bytes below 0x20 must
 * already be escaped (they are, in JSON). This function can't fail.
 */
void
buf_add_json_ascii(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len, k;
	uint32_t cp, min;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			buf_addc(b, (char)p[i++]);
			continue;
		}
		if (p[i] < 0x80) { /* DEL, or a stray control byte */
			buf_printf(b, "\\u%04x", p[i++]);
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2, cp = p[i] & 0x1f, min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3, cp = p[i] & 0x0f, min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4, cp = p[i] & 0x07, min = 0x10000;
		} else
			len = 0, cp = 0, min = 0;
		for (k = 1; len != 0 && k < len; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (len == 0 || cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			buf_adds(b, "\\ufffd");
			i++;
			continue;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10),
			    0xdc00 + (cp & 0x3ff));
		} else
			buf_printf(b, "\\u%04x", cp);
		i += len;
	}
}

/* Returns the contents as a C string ("" when empty); borrowed. */
const char *
buf_cstr(struct buf *b)
{
	if (b->data == NULL)
		buf_reserve(b, 0);
	b->data[b->len] = '\0';
	return b->data;
}

/* Returns the storage to the caller, who frees it; the buf is emptied. */
char *
buf_take(struct buf *b)
{
	char *p;

	buf_cstr(b);
	p = b->data;
	buf_init(b);
	return p;
}

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Appends n bytes as unpadded base64url (RFC 4648 section 5). */
void
buf_add_base64url(struct buf *b, const char *s, size_t n)
{
	size_t i;
	unsigned v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)(unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)(unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		buf_addc(b, b64url[(v >> 18) & 63]);
		buf_addc(b, b64url[(v >> 12) & 63]);
		if (i + 1 < n)
			buf_addc(b, b64url[(v >> 6) & 63]);
		if (i + 2 < n)
			buf_addc(b, b64url[v & 63]);
	}
}

/*
 * Appends the bytes of n characters of unpadded base64url. Returns 0, or
 * -1 (b partly written) at a character outside the alphabet.
 */
int
buf_add_unbase64url(struct buf *b, const char *s, size_t n)
{
	const char *p;
	unsigned v = 0;
	int bits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || (p = strchr(b64url, s[i])) == NULL)
			return -1;
		v = (v << 6) | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(b, (char)((v >> bits) & 0xff));
		}
	}
	return 0;
}

/*
 * s percent-encoded for a query string, but for unreserved characters,
 * brackets and '*' (kept readable in keys: "populate[a][b]").
 */
void
buf_add_qs_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~[]*", ch) != NULL)
			buf_addc(b, (char)ch);
		else
			buf_printf(b, "%%%c%c", hex[ch >> 4], hex[ch & 15]);
	}
}
