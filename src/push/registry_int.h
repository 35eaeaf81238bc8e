/* registry_int.h: what registry.c and registry_touch.c share */
#ifndef REGISTRY_INT_H_STRAPI_LIVE
#define REGISTRY_INT_H_STRAPI_LIVE

#include "push/registry.h"
#include "util/buf.h"

/* The scope of key (a collection, locale, slug or category), or NULL. */
struct push_scope *registry_scope_find(struct push_qreg *, const char *key);
/* The key of an indexed predicate's value, in b. */
void registry_pred_key(struct buf *b, const struct push_ipath *,
    const char *locale, const char *value);
/* The dependency of key, or NULL. */
struct push_dep *registry_dep_find(const struct push_keytab *, const char *key);

#endif
