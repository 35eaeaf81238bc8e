/* strtonum.c: bounded string-to-integer conversion (OpenBSD semantics) */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "compat.h"

long long
strtonum(const char *s, long long minval, long long maxval,
    const char **errstrp)
{
	long long v;
	char *end;

	if (errstrp != NULL)
		*errstrp = NULL;
	if (minval > maxval || s == NULL || *s == '\0') {
		if (errstrp != NULL)
			*errstrp = "invalid";
		errno = EINVAL;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s) {
		if (errstrp != NULL)
			*errstrp = "invalid";
		errno = EINVAL;
		return 0;
	}
	if ((v == LLONG_MIN && errno == ERANGE) || v < minval) {
		if (errstrp != NULL)
			*errstrp = "too small";
		errno = ERANGE;
		return 0;
	}
	if ((v == LLONG_MAX && errno == ERANGE) || v > maxval) {
		if (errstrp != NULL)
			*errstrp = "too large";
		errno = ERANGE;
		return 0;
	}
	return v;
}
