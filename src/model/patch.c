/* patch.c: a live query's new result as a patch of the last one (pure) */
#include "config.h"

#include <string.h>

#include "model/patch.h"

static int
space(char ch)
{

	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * The index just past the JSON value that starts at s[i] (our own
 * rendering: valid JSON; only strings and nesting are tracked): past the
 * closing quote, bracket or brace, or at the byte that ends a scalar.
 * Returns n when a string or container does not end.
 */
static size_t
value_end(const char *s, size_t n, size_t i)
{
	int depth = 0, str = 0;

	for (; i < n; i++) {
		if (str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"') {
				str = 0;
				if (depth == 0)
					return i + 1;
			}
		} else if (s[i] == '"')
			str = 1;
		else if (s[i] == '{' || s[i] == '[')
			depth++;
		else if (s[i] == '}' || s[i] == ']') {
			if (depth == 0)
				return i; /* a scalar ends with its container */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 &&
		    (s[i] == ',' || s[i] == ':' || space(s[i])))
			return i;
	}
	return n;
}

static size_t
skip_space(const char *s, size_t n, size_t i)
{

	while (i < n && space(s[i]))
		i++;
	return i;
}

/*
 * Splits a JSON array into its elements' byte ranges (off[], len[]), at
 * most PUSH_PATCH_MAX. Returns the count, or -1.
 */
static int
split(const char *s, size_t n, size_t *off, size_t *len)
{
	size_t i;
	int count = 0;

	i = skip_space(s, n, 0);
	if (i == n || s[i++] != '[')
		return -1;
	i = skip_space(s, n, i);
	if (i < n && s[i] == ']')
		return 0;
	for (;;) {
		if (count == PUSH_PATCH_MAX)
			return -1;
		i = skip_space(s, n, i);
		off[count] = i;
		i = value_end(s, n, i);
		len[count] = i - off[count];
		count++;
		i = skip_space(s, n, i);
		if (i >= n)
			return -1;
		if (s[i++] == ']')
			return count;
		if (s[i - 1] != ',')
			return -1;
	}
}

/* The number of elements of a JSON array (at most PUSH_PATCH_MAX), or -1. */
int
push_patch_count(const char *s, size_t n)
{
	size_t off[PUSH_PATCH_MAX], len[PUSH_PATCH_MAX];

	return split(s, n, off, len);
}

/*
 * Finds the member key of the JSON object s (our own rendering): its
 * value's bytes are s[*off] to s[*off + *len]. Returns 0, or -1 when s is
 * not an object or has no such member (*off and *len unchanged).
 */
int
push_patch_member(const char *s, size_t n, const char *key, size_t *off,
    size_t *len)
{
	size_t i, k, kend, v, klen = strlen(key);

	i = skip_space(s, n, 0);
	if (i == n || s[i++] != '{')
		return -1;
	for (;;) {
		i = skip_space(s, n, i);
		if (i >= n || s[i] != '"')
			return -1;
		k = i;
		kend = value_end(s, n, i);
		i = skip_space(s, n, kend);
		if (i >= n || s[i++] != ':')
			return -1;
		v = skip_space(s, n, i);
		if ((i = value_end(s, n, v)) >= n)
			return -1;
		if (kend - k == klen + 2 && memcmp(s + k + 1, key, klen) == 0) {
			*off = v;
			*len = i - v;
			return 0;
		}
		i = skip_space(s, n, i);
		if (i >= n || s[i++] != ',')
			return -1;
	}
}

/*
 * Appends the new array (nw) as a patch of the old one: a JSON array
 * holding, for each new element, the index of an old element with the
 * same bytes, or the element itself. Returns 0, or -1 (nothing useful
 * appended) when either is not an array of at most PUSH_PATCH_MAX
 * elements or no old element is kept.
 */
int
push_patch_build(const char *old, size_t oldlen, const char *nw, size_t nwlen,
    struct buf *out)
{
	size_t oo[PUSH_PATCH_MAX], ol[PUSH_PATCH_MAX];
	size_t no[PUSH_PATCH_MAX], nl[PUSH_PATCH_MAX];
	int on, nn, i, j, kept = 0;
	struct buf b;

	if ((on = split(old, oldlen, oo, ol)) == -1 ||
	    (nn = split(nw, nwlen, no, nl)) == -1)
		return -1;
	buf_init(&b);
	buf_addc(&b, '[');
	for (i = 0; i < nn; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		for (j = 0; j < on; j++)
			if (ol[j] == nl[i] &&
			    memcmp(old + oo[j], nw + no[i], nl[i]) == 0)
				break;
		if (j < on) {
			buf_printf(&b, "%d", j);
			kept++;
		} else
			buf_add(&b, nw + no[i], nl[i]);
	}
	buf_addc(&b, ']');
	if (kept > 0)
		buf_add(out, b.data, b.len);
	buf_clear(&b);
	return kept > 0 ? 0 : -1;
}
