/* seen.c: the documentIds a sync pass saw, as a sorted set */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "upstream/seen.h"
#include "util/xmalloc.h"

/* Adds a copy of doc (duplicates are dropped by seen_finish). */
void
seen_add(struct seen *s, const char *doc)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 256 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->v[s->n++] = xstrdup(doc);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the set, drops duplicates; returns the distinct count. */
size_t
seen_finish(struct seen *s)
{
	size_t i, o = 0;

	if (s->n == 0)
		return 0; /* qsort(NULL, 0, ...) is undefined */
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n; i++) {
		if (o > 0 && strcmp(s->v[o - 1], s->v[i]) == 0) {
			free(s->v[i]);
			continue;
		}
		s->v[o++] = s->v[i];
	}
	s->n = o;
	return o;
}

/* 1 when doc is in the set; valid after seen_finish only. */
int
seen_has(const struct seen *s, const char *doc)
{
	return s->n > 0 &&
	    bsearch(&doc, s->v, s->n, sizeof(*s->v), cmp_str) != NULL;
}

void
seen_clear(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
