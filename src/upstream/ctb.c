/* ctb.c: the content model from Strapi's content-type-builder API */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model/schema.h"
#include "upstream/ctb.h"
#include "upstream/strapi.h"
#include "util/xmalloc.h"

#define CTB_TYPES      "/api/content-type-builder/content-types"
#define CTB_COMPONENTS "/api/content-type-builder/components"

/* What a 401 or a 403 of the content-type-builder means to an operator. */
static void
auth_cause(struct strapi *api, int token, char **cause)
{
	if (strapi_last_status(api) == 403)
		xasprintf(cause,
		    "GET %s: HTTP 403: %s "
		    "lacks the content-type-builder's read permissions; "
		    "give it a Custom token with "
		    "plugin::content-type-builder.content-types.getContentTypes, "
		    "content-types.getContentType, components.getComponents "
		    "and components.getComponent (see docs/content-model.md, "
		    "\"Learning the schema from Strapi\")",
		    strapi_last_url(api),
		    token ? "the API token (STRAPI_API_TOKEN)"
		          : "the Public role (STRAPI_API_TOKEN is not set)");
	else
		xasprintf(cause,
		    "GET %s: HTTP %ld: Strapi refused the API token "
		    "(STRAPI_API_TOKEN: missing or invalid)",
		    strapi_last_url(api), strapi_last_status(api));
}

/* GETs path into *root; 0, or a failed status with *cause set. */
static enum ctb_status
get(struct strapi *api, const char *path, int token, struct json_object **root,
    char **cause)
{
	switch (strapi_get_json(api, path, root)) {
	case STRAPI_OK:
		return CTB_OK;
	case STRAPI_ERR_AUTH:
		auth_cause(api, token, cause);
		return CTB_AUTH;
	default:
		xasprintf(cause, "GET %s: %s", strapi_last_url(api),
		    strapi_why(api));
		return CTB_UPSTREAM;
	}
}

/*
 * GETs the content types and the components from the Strapi at
 * strapi_url with strapi_api_token, and checks that schema_load_ctb
 * loads them and that they hold a content type. Returns CTB_OK with *m
 * filled (cleared with ctb_model_clear), or another status with *cause
 * set (the caller frees it) and *m untouched.
 */
enum ctb_status
ctb_pull(const struct conf *conf, struct ctb_model *m, char **cause)
{
	struct strapi_opts so;
	struct strapi *api = NULL;
	struct json_object *types = NULL, *comps = NULL;
	struct schema *s = NULL;
	enum ctb_status st;
	size_t i, n = 0;
	int token;

	if (conf_str(conf, CFG_STRAPI_URL)[0] == '\0') {
		*cause = xstrdup("strapi_url (STRAPI_URL) is not set: it names "
		                 "the Strapi to learn the content model from");
		return CTB_USAGE;
	}
	strapi_opts_conf(&so, conf);
	so.retries = 2;
	so.backoff_ms = 500;
	if (strapi_open(&api, &so) == -1) {
		*cause = xstrdup("libcurl could not start");
		return CTB_UPSTREAM;
	}
	token = so.token[0] != '\0';
	if ((st = get(api, CTB_TYPES, token, &types, cause)) != CTB_OK ||
	    (st = get(api, CTB_COMPONENTS, token, &comps, cause)) != CTB_OK)
		goto out;
	st = CTB_INVALID;
	if (schema_load_ctb(&s, types, comps, cause) == -1)
		goto out;
	for (i = 0; i < s->ntypes; i++)
		if (!s->types[i].component)
			n++;
	if (n == 0) {
		xasprintf(cause, "%s%s describes no content type", so.url,
		    CTB_TYPES);
		goto out;
	}
	m->types = xstrdup(
	    json_object_to_json_string_ext(types, JSON_C_TO_STRING_PLAIN));
	m->components = xstrdup(
	    json_object_to_json_string_ext(comps, JSON_C_TO_STRING_PLAIN));
	m->ntypes = n;
	m->schema = s;
	s = NULL;
	st = CTB_OK;
out:
	schema_free(s);
	json_object_put(types);
	json_object_put(comps);
	strapi_close(api);
	return st;
}

void
ctb_model_clear(struct ctb_model *m)
{
	free(m->types);
	free(m->components);
	schema_free(m->schema);
	memset(m, 0, sizeof(*m));
}
