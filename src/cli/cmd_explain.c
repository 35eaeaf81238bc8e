/* cmd_explain.c: strapi-live explain: the plan of a list query */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/populate.h"
#include "api/qlang.h"
#include "api/render.h"
#include "api/resolve.h"
#include "api/rich.h"
#include "cli/cmd.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/*
 * The collection of a query given as a path ("/api/articles?..."): the
 * one whose plural the path names, or NULL. *qs: after the '?'.
 */
static const struct collection *
split_path(const struct cmd_ctx *ctx, const char *arg, const char **qs)
{
	const char *q = strchr(arg, '?'), *seg, *end;

	*qs = arg;
	if (q == NULL)
		return NULL;
	*qs = q + 1;
	end = q;
	for (seg = end; seg > arg && seg[-1] != '/'; seg--)
		;
	return seg < end
	    ? conf_collection_by_plural(ctx->conf, seg, (size_t)(end - seg))
	    : NULL;
}

int
cmd_explain(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct collection *c = NULL, *byp;
	struct list_plan plan;
	struct render_query q;
	struct qs_spec *sp;
	struct qs_error err;
	struct buf out, rest;
	struct populate_query pq;
	const struct schema_type *t;
	const char *qs;
	int n, rc = CMD_EXIT_OK, planned = 0;

	if ((n = cmd_collection_opt(ctx, argc, argv, &c)) == -1)
		return CMD_EXIT_USAGE;
	if (n != 1)
		return cmd_usage(ctx);
	byp = split_path(ctx, argv[optind], &qs);
	if (c == NULL)
		c = byp;
	if (c == NULL && conf_ncollections(ctx->conf) > 0)
		c = conf_collection(ctx->conf, 0);
	if (c == NULL)
		return cmd_fail(ctx, CMD_EXIT_USAGE, "no collection");
	sp = xcalloc(1, sizeof(*sp));
	memset(&err, 0, sizeof(err));
	memset(&q, 0, sizeof(q));
	buf_init(&out);
	/* with a schema, populate, fields and locale go first (query.c) */
	t = ctx->schema != NULL ? rich_type(ctx->schema, c) : NULL;
	memset(&pq, 0, sizeof(pq));
	buf_init(&rest);
	if ((t != NULL &&
	        populate_parse(&pq, qs, ctx->schema, t, &rest, &err) == -1) ||
	    qs_parse(sp, t != NULL ? buf_cstr(&rest) : qs, c, &err) == -1) {
		rc = cmd_fail(ctx, CMD_EXIT_USAGE, "%s", err.message);
		goto out;
	}
	if (t != NULL)
		sp->locale = pq.locale;
	q.coll = c;
	q.locale = c->nlocales == 1 && c->locales[0][0] == '\0' ? ""
	    : sp->locale != NULL                                ? sp->locale
	                                                        : c->locales[0];
	if (t != NULL && resolve_localized(c) &&
	    pq.locale_kind == POPULATE_LOCALE_EVERY) {
		q.locales = (const char *const *)c->locales;
		q.nlocales = c->nlocales;
	}
	q.nothing = t != NULL && pq.locale_kind == POPULATE_LOCALE_NONE;
	q.category = sp->category;
	q.slug = sp->slug;
	q.ascending = sp->ascending;
	if (qlang_needs_plan(sp)) {
		if (qlang_plan(&plan, sp, ctx->conf, c, ctx->schema, t, &err) ==
		    -1) {
			rc = cmd_fail(ctx, CMD_EXIT_USAGE, "%s", err.message);
			goto out;
		}
		planned = 1;
		plan.max_scan = (size_t)conf_int(ctx->conf, CFG_QUERY_MAX_SCAN);
		if (sp->cursor != NULL &&
		    qlang_cursor(&plan, sp->cursor) == -1) {
			rc = cmd_fail(ctx, CMD_EXIT_USAGE, "invalid cursor");
			goto out;
		}
		q.plan = &plan;
	}
	if (qlang_explain(ctx->store, &q, &out) == -1) {
		rc = cmd_fail(ctx, CMD_EXIT_STORE, "the store failed");
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
out:
	if (planned)
		qlang_plan_clear(&plan);
	buf_clear(&out);
	buf_clear(&rest);
	populate_query_clear(&pq);
	free(sp);
	return rc;
}
