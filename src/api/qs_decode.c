/* qs_decode.c: query-string decoding: percent escapes, pairs, key segments; pure */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "compat.h"
#include "api/qs.h"
#include "util/utf8.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes n bytes of s into out (outsz bytes, NUL-terminated),
 * with "+" as a space when plus is set (query strings, not paths).
 * Returns 0 and *outlen; -1 for a malformed escape or an encoded NUL; -2
 * when the result does not fit. Does not check UTF-8 (utf8_valid).
 */
int
qs_decode(const char *s, size_t n, int plus, char *out, size_t outsz,
    size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		else if (c == '\0')
			return -1;
		if (o + 1 >= outsz)
			return -2;
		out[o++] = c;
	}
	if (outsz == 0)
		return -2;
	out[o] = '\0';
	*outlen = o;
	return 0;
}

void
qs_iter_init(struct qs_iter *it, const char *s, size_t n, int decoded)
{
	it->p = s;
	it->end = s + n;
	it->decoded = decoded;
}

/* Copies n bytes (decoded already) into out; -2 when they do not fit. */
static int
copy_decoded(const char *s, size_t n, char *out, size_t outsz, size_t *outlen)
{
	if (n >= outsz || memchr(s, '\0', n) != NULL)
		return n >= outsz ? -2 : -1;
	memcpy(out, s, n);
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/*
 * The next pair of the query string (every '&'-separated piece, empty
 * ones too). Returns QS_PAIR, QS_END, or why the pair is refused (enum
 * qs_next); the iterator moves past the pair either way, so a lenient
 * caller can go on. val/valsz: where the value is decoded (val NULL:
 * leave the value undecoded).
 */
int
qs_next(struct qs_iter *it, struct qs_pair *pr, char *val, size_t valsz)
{
	const char *p = it->p, *end, *eq;
	size_t klen;
	int r;

	if (p >= it->end)
		return QS_END;
	end = it->decoded ? NULL : memchr(p, '&', (size_t)(it->end - p));
	if (end == NULL)
		end = it->end;
	it->p = end < it->end ? end + 1 : end;
	if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
		eq = end;
	pr->has_value = eq < end;
	pr->raw = eq < end ? eq + 1 : end;
	pr->rawlen = (size_t)(end - pr->raw);
	pr->val = val != NULL && valsz > 0 ? val : (char *)"";
	pr->vlen = 0;
	if (val != NULL && valsz > 0)
		*val = '\0';
	r = it->decoded
	    ? copy_decoded(p, (size_t)(eq - p), pr->key, sizeof(pr->key), &klen)
	    : qs_decode(p, (size_t)(eq - p), 1, pr->key, sizeof(pr->key),
	          &klen);
	pr->klen = r == 0 ? klen : 0;
	if (r == 0 && !utf8_valid(pr->key, klen))
		r = -1;
	if (r != 0)
		return r == -2 ? QS_KEY_LONG : QS_KEY_BAD;
	if (klen == 0 || !pr->has_value || val == NULL)
		return QS_PAIR;
	r = it->decoded
	    ? copy_decoded(pr->raw, pr->rawlen, val, valsz, &pr->vlen)
	    : qs_decode(pr->raw, pr->rawlen, 1, val, valsz, &pr->vlen);
	if (r != 0)
		return r == -2 ? QS_VALUE_LONG : QS_VALUE_BAD;
	return utf8_valid(val, pr->vlen) ? QS_PAIR : QS_VALUE_UTF8;
}

/*
 * Splits a decoded key "name[a][b]" into its segments, qs-style, at most
 * max of them (QS_KEY_SEGS at most). Returns 0, or -1 when the brackets
 * are unbalanced or there are too many.
 */
int
qs_key_split(const char *k, size_t n, struct qs_key *out, size_t max)
{
	size_t i = 0, o = 0, start;

	out->nseg = 0;
	start = 0;
	while (i < n && k[i] != '[')
		i++;
	if (i == 0 && n > 0 && k[0] == '[')
		return -1;
	memcpy(out->buf, k, i);
	out->buf[i] = '\0';
	out->seg[out->nseg++] = out->buf;
	o = i + 1;
	while (i < n) {
		if (k[i] != '[' || out->nseg == max)
			return -1;
		start = ++i;
		while (i < n && k[i] != ']' && k[i] != '[')
			i++;
		if (i == n || k[i] != ']')
			return -1;
		memcpy(out->buf + o, k + start, i - start);
		out->buf[o + (i - start)] = '\0';
		out->seg[out->nseg++] = out->buf + o;
		o += i - start + 1;
		i++;
	}
	return 0;
}

int
qs_is_index(const char *s)
{
	if (*s == '\0')
		return 1; /* "fields[]" */
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}
