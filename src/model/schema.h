/* schema.h: a Strapi 5 content model: types, attributes, components */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stddef.h>

#include <json-c/json.h>

/*
 * What strapi-live knows of a Strapi project's content model, read from
 * the project's own schema files (schema_load_dir: src/api/<name>/
 * content-types/<name>/schema.json and src/components/<category>/
 * <name>.json) or from Strapi's content-type-builder answers
 * (schema_load_ctb). Immutable once loaded; every pointer is owned by the
 * schema and lives until schema_free.
 *
 * Strapi's schema has no id, documentId, createdAt, updatedAt,
 * publishedAt, locale or localizations attributes; every entry has them.
 */

enum schema_kind {
	SCHEMA_SCALAR,      /* string, text, uid, richtext, blocks, json,
	                       integer, ..., boolean, date..., enumeration,
	                       email, password */
	SCHEMA_RELATION,    /* type "relation" */
	SCHEMA_MEDIA,       /* type "media" */
	SCHEMA_COMPONENT,   /* type "component" */
	SCHEMA_DYNAMICZONE, /* type "dynamiczone" */
};

/*
 * Pointers a kind does not use are NULL: target unless SCHEMA_RELATION
 * ("" for a morph relation, which has no target), component unless
 * SCHEMA_COMPONENT, components unless SCHEMA_DYNAMICZONE.
 */
struct schema_attr {
	char *name;
	char *type; /* Strapi's type string, as written */
	enum schema_kind kind;
	int private;   /* "private": true, or type "password": never kept */
	int localized; /* pluginOptions.i18n.localized (default: the type's) */
	int required;  /* "required": true */
	/* "enum" of an enumeration (NULL and 0 without one) */
	char **enums;
	size_t nenums;
	/* SCHEMA_RELATION */
	char *target; /* uid of the target type, "api::author.author" */
	int many;     /* oneToMany, manyToMany, manyWay, morphToMany */
	/* SCHEMA_MEDIA */
	int multiple;
	/* SCHEMA_COMPONENT: component uid ("shared.seo"), repeatable */
	char *component;
	int repeatable;
	/* SCHEMA_DYNAMICZONE: the component uids it may hold */
	char **components;
	size_t ncomponents;
};

struct schema_type {
	char *uid;      /* "api::article.article", or "shared.seo" */
	int component;  /* 1 for a component, 0 for a content type */
	int single;     /* kind singleType */
	char *singular; /* info.singularName ("" for components) */
	char *plural;   /* info.pluralName ("" for components) */
	int draft_and_publish;
	int localized;             /* pluginOptions.i18n.localized */
	struct schema_attr *attrs; /* in the schema file's order */
	size_t nattrs;
	char *origin; /* where it was read: the file, or the CTB answer */
};

/* Bounds of a load: larger files and more types are refused. */
#define SCHEMA_MAX_FILE  (1024 * 1024)
#define SCHEMA_MAX_TYPES 256

struct schema {
	struct schema_type *types; /* content types, then components, each
	                              by uid */
	size_t ntypes;
};

/* Loads a Strapi project's src/ folder. 0, or -1 with *cause. */
int schema_load_dir(struct schema **, const char *dir, char **cause);
/*
 * Loads the content-type-builder's answers (GET /api/content-type-builder/
 * content-types and /components, the whole JSON bodies); only api::
 * types are kept. 0, or -1 with *cause.
 */
int schema_load_ctb(struct schema **, struct json_object *types,
    struct json_object *components, char **cause);
void schema_free(struct schema *);

const struct schema_type *schema_type(const struct schema *, const char *uid);
const struct schema_attr *schema_inverse(const struct schema_type *,
    const struct schema_attr *, const struct schema_type *);
const struct schema_type *schema_type_by_singular(const struct schema *,
    const char *singular);
const struct schema_type *schema_type_by_plural(const struct schema *,
    const char *plural, size_t len);
const struct schema_attr *schema_attr(const struct schema_type *,
    const char *name);

#endif
