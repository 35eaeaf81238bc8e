/* seen.h: the documentIds a sync pass saw, as a sorted set */
#ifndef SEEN_H
#define SEEN_H

#include <stddef.h>

struct seen {
	char **v; /* owned */
	size_t n, cap;
};

void seen_add(struct seen *, const char *doc);
size_t seen_finish(struct seen *);
int seen_has(const struct seen *, const char *doc);
void seen_clear(struct seen *);

#endif
