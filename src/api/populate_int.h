/* populate_int.h: what populate's parser, renderer and sort share */
#ifndef POPULATE_INT_H
#define POPULATE_INT_H

#include "api/populate.h"
#include "model/jscan.h"
#include "model/schema.h"

/* populate_parse.c */
/* The state of populate_parse: the pair being read, where errors go. */
struct parser {
	struct populate_query *pq;
	const struct schema *schema;
	struct qs_error *err;
	const char *const *seg; /* the pair's key, split */
	size_t nseg;
	int has_value; /* the pair had an '=' (else qs's null) */
};

/* schema_attr, with no type (a media row) having no attribute. */
const struct schema_attr *populate_attr(const struct schema_type *,
    const char *name);
/* The node of list named name (borrowed), or NULL. */
struct populate *populate_find(struct populate *list, const char *name);
int populate_base_key(const char *);
void populate_plan_clear(struct populate *);
struct populate *populate_node_add(struct parser *, struct populate *parent,
    const char *name, const struct schema_type *, const struct schema_attr *,
    int depth);
struct populate *populate_child(struct parser *, struct populate *parent,
    const char *name, const char *const *s, int depth);

/* populate_dot.c */
int populate_dot(struct parser *, struct populate *n, char *path, int depth);

/* populate_dz.c */
void populate_json_put(struct populate_json **, const char *const *seg,
    size_t nseg, const char *v);
void populate_json_free(struct populate_json *);
int populate_dz_refuse(const struct populate *parent, struct qs_error *);

/* populate_render.c */
struct render {
	const struct schema *schema;
	const struct populate_resolver *r;
	int failed;
	int over; /* the lookup budget ran out */
};

/* populate_resolve.c */
int populate_lookup(struct render *);
int populate_object_at(const char *, size_t, struct jspan *);
int populate_resolved(struct render *, enum populate_found, const struct buf *,
    struct jspan *);
int populate_fetch(void *, const char *uid, const char *doc, const char *locale,
    struct buf *out);

/* populate_sort.c */
/* The items of a sorted list (a populate's [sort]), rendered. */
struct populate_item {
	struct filter_row row;
	struct buf b;
};

struct populate_items {
	struct populate_item *v;
	size_t n, cap;
};

int populate_keep(struct render *, const struct populate *, struct jspan,
    struct filter_row *);
void populate_items_add(struct populate_items *, const struct filter_sort *,
    struct filter_row *, size_t pos, struct buf *);
const struct populate *populate_item_spec(struct render *,
    const struct populate *, const struct schema_type *, struct jspan);
void populate_items_flush(struct populate_items *, const struct filter_sort *,
    struct buf *out, size_t *n);

/*
 * A rendered related entry, its createdAt (ordering an inverse side) and
 * its keys for the populate's sort.
 */
struct populate_related {
	char created[32];
	struct buf b;
	struct filter_row fr;
};

void populate_related_flush(struct populate_related *, size_t, int by_date,
    const struct filter_sort *, struct buf *out, size_t *n);

#endif
