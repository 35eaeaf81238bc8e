/* populate_int.h: what populate's parser shares with its renderer */
#ifndef POPULATE_INT_H
#define POPULATE_INT_H

#include "api/populate.h"
#include "model/schema.h"

/* populate_parse.c */
/* schema_attr, with no type (a media row) having no attribute. */
const struct schema_attr *populate_attr(const struct schema_type *,
    const char *name);
/* The node of list named name (borrowed), or NULL. */
struct populate *populate_find(struct populate *list, const char *name);

#endif
