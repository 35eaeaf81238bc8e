/* populate.h: Strapi 5's populate and fields, parsed and rendered */
#ifndef POPULATE_H
#define POPULATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "api/qs.h"
#include "conf/conf.h"
#include "model/filter.h"
#include "model/schema.h"

#define POPULATE_MAX_DEPTH   8    /* nested populate levels, at most */
#define POPULATE_MAX_NODES   128  /* populated attributes in one query */
#define POPULATE_MAX_FIELDS  32   /* fields of one level */
#define POPULATE_MAX_LOOKUPS 5000 /* entries one request may resolve */

struct populate_json;

/*
 * What to render of one entry (or component) of type `type`: the root is
 * the queried type, each child a populated attribute ("localizations"
 * included), each fragment a dynamic zone's `on[<component>]`.
 */
struct populate {
	char *name; /* the attribute, the component uid (fragment), or "" */
	const struct schema_type *type;    /* type of what this level renders */
	const struct schema_attr *attr;    /* NULL at the root, localizations */
	int star;                          /* populate=*: every attribute */
	int count;                         /* [count]=true: {"count":N} */
	char *fields[POPULATE_MAX_FIELDS]; /* scalars kept; none: all */
	size_t nfields;
	struct populate *child; /* populated attributes, in query order */
	struct populate *frag;  /* on[<component>] fragments */
	/*
	 * a dynamic zone's own fields, filters, sort (refused) and count
	 * (dropped), as sent; refused: populate[<zone>]=<v>, v not a boolean
	 */
	struct populate_json *own;
	char *refused;
	struct populate *next; /* sibling */
	/*
	 * [filters] and [sort] of a relation, a media, a component or a
	 * dynamic zone's fragment: the pairs, then (populate_filters) what a
	 * related entry, file or component must match and their order
	 */
	struct buf *fq;
	struct filter_node *filter;
	char *texts; /* the filter's values */
	struct filter_sort sort;
};

enum populate_locale {
	POPULATE_LOCALE_DEFAULT, /* no locale= */
	POPULATE_LOCALE_ONE,     /* locale=fr */
	POPULATE_LOCALE_EVERY,   /* locale=* */
	POPULATE_LOCALE_NONE,    /* locale=all: nothing matches (200, []) */
};

/*
 * A query string's populate, fields and locale parameters; the other
 * pairs are copied to rest (raw, '&'-joined) for qs_parse.
 */
struct populate_query {
	struct populate *root; /* NULL: no populate and no fields */
	enum populate_locale locale_kind;
	char *locale; /* POPULATE_LOCALE_ONE */
	size_t nnodes;
};

int populate_parse(struct populate_query *, const char *query,
    const struct schema *, const struct schema_type *, struct buf *rest,
    struct qs_error *);
int populate_filters(struct populate_query *, const struct conf *,
    const struct schema *, struct qs_error *);
void populate_query_clear(struct populate_query *);
/* 1 when entries of t render as stored without a populate tree. */
int populate_type_flat(const struct schema_type *);

/* What a resolver callback found. */
enum populate_found {
	POPULATE_FOUND,    /* out holds the stored form */
	POPULATE_MISSING,  /* not stored (unpublished, deleted) */
	POPULATE_UNSERVED, /* a type this mirror does not serve */
	POPULATE_ERR = -1, /* the store failed */
};

/*
 * How the renderer reaches other stored things; the renderer itself
 * reads nothing. Each callback appends to out.
 */
struct populate_resolver {
	void *arg;
	/* The stored form of (type, documentId, locale). */
	enum populate_found (*entry)(void *, const struct schema_type *,
	    const char *document_id, const char *locale, struct buf *out);
	/*
	 * entry's row rendered with nothing populated (populate_plain),
	 * appended to out; NULL: the renderer renders entry's itself.
	 */
	enum populate_found (*entry_plain)(void *, const struct schema_type *,
	    const char *document_id, const char *locale, struct buf *out);
	/* A media row (upload.file) by its numeric id. */
	enum populate_found (*media)(void *, int64_t id, struct buf *out);
	/* The locales a type is served in (borrowed), default first. */
	size_t (
	    *locales)(void *, const struct schema_type *, const char *const **);
	/*
	 * The stored entries of type from whose attribute attr refers to
	 * (t, documentId, locale), as a JSON array of references
	 * ([{"documentId","locale"}]) into out. NULL: inverse relations
	 * are read from the references the entry itself carries.
	 */
	enum populate_found (*referrers)(void *, const struct schema_type *t,
	    const char *document_id, const char *locale,
	    const struct schema_type *from, const char *attr, struct buf *out);
	/* Lookups left (NULL: no bound); at 0 the render stops (-2). */
	size_t *budget;
};

/*
 * Appends entry (its stored form, of type t) rendered as Strapi answers
 * it for the tree pop (NULL: the public form; a type of scalars alone is
 * then spliced as stored). Returns 0, -1 when the
 * stored form does not parse or a resolver failed (POPULATE_ERR), or -2
 * when the budget of lookups ran out.
 */
int populate_render(struct buf *out, const struct schema *,
    const struct schema_type *t, const char *json, size_t len,
    const struct populate *pop, const struct populate_resolver *);
/*
 * Appends entry (of type t) as a relation populated with nothing renders
 * it (its scalars; what populate[<relation>]=true shows): 0, or -1 when
 * it does not parse.
 */
int populate_plain(struct buf *out, const struct schema_type *t,
    const char *json, size_t len);

#endif
