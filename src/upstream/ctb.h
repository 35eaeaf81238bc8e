/* ctb.h: the content model from Strapi's content-type-builder API */
#ifndef CTB_H
#define CTB_H

#include "conf/conf.h"

struct schema;

/* How a pull ended. */
enum ctb_status {
	CTB_OK,
	CTB_USAGE,    /* strapi_url is not set */
	CTB_UPSTREAM, /* Strapi could not be reached, or answered an error */
	CTB_AUTH,     /* 401 (the token) or 403 (its permissions) */
	CTB_INVALID,  /* the answers are not a content model schema.c loads */
};

/* The two answers, as compact JSON text, and what they describe. */
struct ctb_model {
	char *types;           /* GET /api/content-type-builder/content-types */
	char *components;      /* GET /api/content-type-builder/components */
	size_t ntypes;         /* content types (api::) the model keeps */
	struct schema *schema; /* the model they describe */
};

enum ctb_status ctb_pull(const struct conf *, struct ctb_model *, char **cause);
void ctb_model_clear(struct ctb_model *);

#endif
