/* registry.h: the sidecar's registry of live queries, hashed */
#ifndef PUSH_REGISTRY_H
#define PUSH_REGISTRY_H

#include "push/state.h"

void push_registry_clear(struct push *);
struct push_query *push_registry_find(struct push *, const char *key);
void push_registry_add(struct push *, struct push_query *);
void push_registry_remove(struct push *, struct push_query *);
void push_registry_touch(struct push *, const struct store_change *);
void push_registry_mark(struct push *, struct push_query *);
void push_registry_mark_row(struct push *, struct push_query *,
    const char *document_id, const char *locale);
void push_registry_unmark(struct push *, struct push_query *);
struct push_query *push_registry_next_dirty(struct push *);
void push_registry_dep_key(struct buf *, const char *collection,
    const char *document_id, const char *locale);
void push_registry_set_deps(struct push *, struct push_query *,
    char *const *keys, size_t n);

#endif
