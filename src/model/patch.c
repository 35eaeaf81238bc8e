/* push_patch.c: a live query's new result as a patch of the last one (pure) */
#include "config.h"

#include <string.h>

#include "model/patch.h"

static int
space(char ch)
{

	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * Splits a JSON array into its elements' byte ranges (off[], len[]), at
 * most PUSH_PATCH_MAX. The array is our own rendering (valid JSON); only
 * strings and nesting are tracked. Returns the count, or -1.
 */
static int
split(const char *s, size_t n, size_t *off, size_t *len)
{
	size_t i = 0, start, end;
	int count = 0, depth, str;

	while (i < n && space(s[i]))
		i++;
	if (i == n || s[i++] != '[')
		return -1;
	while (i < n && space(s[i]))
		i++;
	if (i < n && s[i] == ']')
		return 0;
	for (;;) {
		if (count == PUSH_PATCH_MAX)
			return -1;
		while (i < n && space(s[i]))
			i++;
		start = i;
		for (depth = 0, str = 0; i < n; i++) {
			if (str) {
				if (s[i] == '\\')
					i++;
				else if (s[i] == '"')
					str = 0;
			} else if (s[i] == '"')
				str = 1;
			else if (s[i] == '{' || s[i] == '[')
				depth++;
			else if ((s[i] == '}' || s[i] == ']') && depth > 0)
				depth--;
			else if (depth == 0 && (s[i] == ',' || s[i] == ']'))
				break;
		}
		if (i >= n)
			return -1;
		for (end = i; end > start && space(s[end - 1]); end--)
			;
		off[count] = start;
		len[count++] = end - start;
		if (s[i++] == ']')
			return count;
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
