/* cmd_schema.c: strapi-live schema: learn the content model from Strapi */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "api/prog.h"
#include "model/schema.h"
#ifdef HAVE_SYNC
#include "upstream/ctb.h"
#endif

#ifdef HAVE_SYNC
static int
exit_code(enum ctb_status s)
{
	switch (s) {
	case CTB_OK:
		return CMD_EXIT_OK;
	case CTB_USAGE:
		return CMD_EXIT_USAGE;
	case CTB_UPSTREAM:
	case CTB_AUTH:
	case CTB_INVALID:
		break;
	}
	return CMD_EXIT_UPSTREAM;
}

/*
 * GETs the content model from Strapi's content-type-builder and keeps it
 * in the store, once every configured collection is one of its types.
 */
static int
pull(struct cmd_ctx *ctx)
{
	struct ctb_model m;
	const struct collection *co;
	enum ctb_status st;
	char *cause = NULL;
	size_t i;
	int rc = CMD_EXIT_OK;

	memset(&m, 0, sizeof(m));
	if ((st = ctb_pull(ctx->conf, &m, &cause)) != CTB_OK) {
		rc = cmd_fail(ctx, exit_code(st), "%s", cause);
		free(cause);
		return rc;
	}
	for (i = 0; i < conf_ncollections(ctx->conf); i++) {
		co = conf_collection(ctx->conf, i);
		if (schema_type_by_singular(m.schema, co->name) == NULL) {
			rc = cmd_fail(ctx, CMD_EXIT_FAIL,
			    "collection '%s' is not a content type of "
			    "Strapi's model; not kept",
			    co->name);
			goto out;
		}
	}
	store_set_durable(ctx->store, 1);
	if (prog_keep_schema(ctx->store, m.types, m.components) == -1) {
		rc = cmd_fail(ctx, CMD_EXIT_STORE, "cannot keep the schema: %s",
		    store_why(ctx->store) != NULL ? store_why(ctx->store)
		                                  : "see the log");
		goto out;
	}
	printf("schema pull: kept %zu content types and %zu components; "
	       "the programs use it when they next start\n",
	    m.ntypes, m.schema->ntypes - m.ntypes);
out:
	ctb_model_clear(&m);
	return rc;
}
#endif

/* Prints the content types of the kept model; exit 1 when none is kept. */
static int
show(struct cmd_ctx *ctx)
{
	const struct schema_type *t;
	struct schema *s;
	char *cause;
	size_t i;

	if (prog_read_stored_schema(ctx->store, &s, &cause) == -1) {
		int rc = cmd_fail(ctx, CMD_EXIT_STORE, "%s", cause);

		free(cause);
		return rc;
	}
	if (s == NULL)
		return cmd_fail(ctx, CMD_EXIT_FAIL,
		    "the store holds no schema (run 'strapi-live schema pull')");
	for (i = 0; i < s->ntypes; i++) {
		t = &s->types[i];
		if (t->component)
			continue;
		printf("%s %s %s %zu\n", t->uid,
		    t->single ? "singleType" : "collectionType", t->plural,
		    t->nattrs);
	}
	schema_free(s);
	return CMD_EXIT_OK;
}

int
cmd_schema(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (cmd_operands(ctx, argc, argv) != 1)
		return cmd_usage(ctx);
	if (strcmp(argv[optind], "show") == 0)
		return show(ctx);
#ifdef HAVE_SYNC
	if (strcmp(argv[optind], "pull") == 0)
		return pull(ctx);
#endif
	return cmd_usage(ctx);
}
