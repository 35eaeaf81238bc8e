/* qlang_explain.c: a list query's plan in words (strapi-live explain) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/qlang_int.h"
#include "api/render.h"
#include "api/rich.h"
#include "model/filter.h"
#include "util/xmalloc.h"

static void
describe_filter(const struct filter_node *n, struct buf *out)
{
	size_t i;

	switch (n->kind) {
	case FILTER_AND:
	case FILTER_OR:
		buf_adds(out, n->kind == FILTER_AND ? "$and(" : "$or(");
		for (i = 0; i < n->nkid; i++) {
			if (i > 0)
				buf_adds(out, ", ");
			describe_filter(n->kid[i], out);
		}
		buf_addc(out, ')');
		return;
	case FILTER_NOT:
		buf_adds(out, "$not(");
		describe_filter(n->kid[0], out);
		buf_addc(out, ')');
		return;
	case FILTER_REL:
		buf_printf(out, "%s -> %s(", n->attr, n->target);
		describe_filter(n->kid[0], out);
		buf_addc(out, ')');
		return;
	case FILTER_CMP:
		buf_printf(out, "%s %s", n->attr, filter_op_name(n->op));
		if (n->nval > 1 || n->op == FILTER_IN ||
		    n->op == FILTER_NOTIN || n->op == FILTER_BETWEEN)
			buf_adds(out, n->any ? " any[" : " [");
		else
			buf_addc(out, ' ');
		for (i = 0; i < n->nval; i++) {
			if (i > 0)
				buf_adds(out, ", ");
			buf_add_json_string(out, n->val[i].text,
			    strlen(n->val[i].text));
		}
		if (n->nval > 1 || n->op == FILTER_IN ||
		    n->op == FILTER_NOTIN || n->op == FILTER_BETWEEN)
			buf_addc(out, ']');
		return;
	}
}

static void
describe_sort(const struct filter_sort *so, struct buf *out)
{
	size_t i;

	for (i = 0; i < so->nkey; i++)
		buf_printf(out, "%s:%s, ", so->key[i].attr,
		    so->key[i].desc ? "desc" : "asc");
	buf_adds(out, "then id, documentId");
	if (so->nkey == 0)
		buf_adds(out, " (the default)");
}

static const char *const order_names[] = {
	[QLANG_ORDER_NONE] = "none: the matches are sorted after the walk",
	[QLANG_ORDER_KEYS] = "the index's (the attribute, then id): only the "
	                     "page is read",
	[QLANG_ORDER_DESC] = "the index's, each value's entries forward (the "
	                     "attribute descending, then id): only the page "
	                     "is read",
	[QLANG_ORDER_REVERSE] = "the index's, backwards (one value, id "
	                        "descending): only the page is read",
};

/*
 * Writes the plan of q as lines of "name: value": the collection and
 * locale, the filter tree, the sort, what is read (an index and its
 * spans, or a scan) and the bound. Returns 0, or -1 when the store
 * failed.
 */
int
qlang_explain(struct store *st, const struct render_query *q, struct buf *out)
{
	const struct list_plan *p = q->plan;
	struct qlang_access a;
	int desc;

	buf_printf(out, "collection: %s\n", q->coll->name);
	if (q->locale[0] != '\0')
		buf_printf(out, "locale: %s\n", q->locale);
	if (q->nlocales > 0)
		buf_printf(out, "locales: each of %zu, in turn\n", q->nlocales);
	if (q->nothing)
		buf_adds(out, "locale: all (nothing matches)\n");
	if (q->slug != NULL)
		buf_printf(out, "slug: %s (the by_slug index)\n", q->slug);
	if (q->category != NULL)
		buf_printf(out, "category: %s (the by_category index)\n",
		    q->category);
	if (p == NULL) {
		buf_printf(out,
		    "filter: none\nsort: publishedAt:%s\n"
		    "access: by_time (publishedAt): only the page "
		    "is read\nbound: none\n",
		    q->ascending ? "asc" : "desc");
		return 0;
	}
	buf_adds(out, "filter: ");
	if (p->filter != NULL)
		describe_filter(p->filter, out);
	else
		buf_adds(out, "none");
	buf_adds(out, "\nsort: ");
	describe_sort(&p->sort, out);
	buf_addc(out, '\n');
	if (p->has_after)
		buf_adds(out, "cursor: after the given entry\n");
	if (qlang_id_order(st, q, &desc)) {
		buf_printf(out,
		    "access: by_id (the default order%s): only the "
		    "page is read\nbound: none\n",
		    desc ? ", backwards" : "");
		return 0;
	}
	if (qlang_access_choose(st, q, &a) == -1)
		return -1;
	if (a.index < 0) {
		buf_printf(out, "access: scan of %s's entries%s%s\n",
		    q->coll->name,
		    q->slug != NULL           ? " with the slug"
		        : q->category != NULL ? " in the category"
		                              : "",
		    q->nlocales > 0 ? " in each locale" : "");
		buf_printf(out, "bound: query_max_scan %zu entries read\n",
		    p->max_scan);
		return 0;
	}
	buf_printf(out,
	    "access: index %s on %s: %zu span%s, %" PRIu64 " entr%s\n",
	    store_attr_file(st, a.index), a.attr, a.nspan,
	    a.nspan == 1 ? "" : "s", a.count, a.count == 1 ? "y" : "ies");
	if (a.keys)
		buf_adds(out,
		    "keys: every key is read, and the entries of "
		    "those whose value may match\n");
	buf_printf(out, "exact: %s\n",
	    a.exact ? "yes: the spans are the filter"
	            : "no: each entry read is checked against the filter");
	buf_printf(out, "order: %s\n", order_names[a.order]);
	if (a.order != QLANG_ORDER_NONE)
		buf_adds(out, "bound: none: counted in O(log n)\n");
	else
		buf_printf(out, "bound: query_max_scan %zu entries read (%s)\n",
		    p->max_scan,
		    a.count > p->max_scan ? "over it: the list answers 400"
		                          : "within it");
	qlang_access_clear(&a);
	return 0;
}
