/* push_patch.h: a live query's new result as a patch of the last one */
#ifndef PUSH_PATCH_H
#define PUSH_PATCH_H

#include <stddef.h>

#include "util/buf.h"

/* Most entries a result array can have (a live query's page size cap). */
#define PUSH_PATCH_MAX 100

int push_patch_build(const char *, size_t, const char *, size_t, struct buf *);
int push_patch_count(const char *, size_t);
int push_patch_member(const char *, size_t, const char *key, size_t *off,
    size_t *len);

#endif
