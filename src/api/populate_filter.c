/* populate_filter.c: the filters and sort inside a populate, planned */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/populate.h"
#include "api/populate_int.h"
#include "api/qlang.h"
#include "api/qs.h"
#include "util/xmalloc.h"

/* A media row's attributes that filters and sort take (upload.file's). */
static struct {
	char name[16], type[8];
} file_fields[] = {
	{ "name", "string" },
	{ "alternativeText", "string" },
	{ "caption", "string" },
	{ "width", "integer" },
	{ "height", "integer" },
	{ "hash", "string" },
	{ "ext", "string" },
	{ "mime", "string" },
	{ "size", "decimal" },
	{ "url", "string" },
	{ "previewUrl", "string" },
	{ "provider", "string" },
};

#define NFILE_FIELDS (sizeof(file_fields) / sizeof(file_fields[0]))

/*
 * A component has an id and its attributes alone: the keys every entry
 * has (documentId, createdAt...) are unknown on it. 0, or -1 with err
 * when a sort key or a filter's first attribute names one.
 */
static int
component_keys(const struct schema_type *t, const struct qs_spec *sp,
    struct qs_error *err)
{
	const struct schema_attr *a;
	struct qs_key k;
	size_t i, j;

	for (i = 0; i < sp->nsort; i++)
		if (populate_base_key(sp->sort[i].field) &&
		    strcmp(sp->sort[i].field, "id") != 0 &&
		    schema_attr(t, sp->sort[i].field) == NULL)
			return qs_invalid_key(err, sp->sort[i].field, "sort");
	for (i = 0; i < sp->nfilters; i++) {
		if (qs_key_split(sp->filters[i].key, strlen(sp->filters[i].key),
		        &k, QS_KEY_SEGS) == -1)
			continue; /* qlang_plan says why */
		for (j = 1; j < k.nseg; j++) {
			if (k.seg[j][0] == '$' || qs_is_index(k.seg[j]))
				continue;
			a = schema_attr(t, k.seg[j]);
			if (a == NULL && populate_base_key(k.seg[j]) &&
			    strcmp(k.seg[j], "id") != 0)
				return qs_invalid_key(err, k.seg[j], "filters");
			break; /* what follows a relation is its own */
		}
	}
	return 0;
}

/*
 * The "collection" node n's filters and sort are checked against: a
 * relation's served type, a media row's fields, or (a component) none,
 * its schema type saying what it has. NULL with err: not served.
 */
static const struct collection *
node_collection(const struct populate *n, const struct conf *conf,
    struct collection *tc, struct collection_field *ff, struct qs_error *err)
{
	size_t i;
	static char none[1];
	static char file_uid[] = "plugin::upload.file";
	const struct collection *c;

	memset(tc, 0, sizeof(*tc));
	if (n->attr != NULL && n->attr->kind == SCHEMA_RELATION) {
		if ((c = conf_collection_by_uid(conf, n->attr->target, NULL)) ==
		    NULL) {
			qs_fail(err,
			    "populate[%.64s]: %.64s is not served here, so "
			    "its entries cannot be filtered or sorted on",
			    n->name, n->attr->target);
			return NULL;
		}
		*tc = *c;
	} else if (n->attr != NULL && n->attr->kind == SCHEMA_MEDIA) {
		tc->uid = tc->name = tc->plural = file_uid;
		for (i = 0; i < NFILE_FIELDS; i++) {
			ff[i].name = file_fields[i].name;
			ff[i].type = file_fields[i].type;
		}
		tc->fields = ff;
		tc->nfields = NFILE_FIELDS;
	} else
		tc->uid = tc->name = tc->plural = none;
	/* every filter a condition (no slug or category index) */
	tc->slug_field = tc->category_field = none;
	return tc;
}

/* n's filters and sort from fq, checked against what n populates. */
static int
node_plan(struct populate *n, const char *fq, const struct conf *conf,
    const struct schema *schema, struct qs_spec *sp, struct qs_error *err)
{
	struct collection_field ff[NFILE_FIELDS];
	struct collection tc;
	struct list_plan plan;

	if (node_collection(n, conf, &tc, ff, err) == NULL ||
	    qs_parse(sp, fq, &tc, err) == -1 ||
	    (n->type != NULL && n->type->component &&
	        component_keys(n->type, sp, err) == -1) ||
	    qlang_plan(&plan, sp, conf, &tc, schema, n->type, err) == -1) {
		/*
		 * checked afresh on n's type (Strapi's validatePopulate gives
		 * validateFilters and validateSort no path), the populate's
		 * (the validatePopulate of Strapi's query validation)
		 */
		if (err->key[0] != '\0')
			snprintf(err->param, sizeof(err->param), "populate");
		return -1;
	}
	n->filter = plan.filter;
	n->sort = plan.sort;
	plan.filter = NULL;
	plan.sort.nkey = 0;
	qlang_plan_clear(&plan);
	n->texts = filter_own_texts(n->filter);
	return 0;
}

/*
 * The filters and sort of node n and of the nodes under it (a dynamic
 * zone has none of its own: zone_spec keeps them to print).
 */
static int
node_filters(struct populate *n, const struct conf *conf,
    const struct schema *schema, struct qs_spec *sp, struct qs_error *err)
{
	for (; n != NULL; n = n->next) {
		if (node_filters(n->child, conf, schema, sp, err) == -1 ||
		    node_filters(n->frag, conf, schema, sp, err) == -1)
			return -1;
		if (n->fq != NULL &&
		    node_plan(n, buf_cstr(n->fq), conf, schema, sp, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * Builds the filters and sort inside the populate (populate[a][filters],
 * populate[a][sort]), checked against their types as REST checks a list's: 0, or -1 with err
 * (the tree is freed then). Without it they are not applied.
 */
int
populate_filters(struct populate_query *pq, const struct conf *conf,
    const struct schema *schema, struct qs_error *err)
{
	struct qs_spec *sp;
	int rc;

	if (pq->root == NULL)
		return 0;
	sp = xmalloc(sizeof(*sp));
	rc = node_filters(pq->root, conf, schema, sp, err);
	if (rc == 0)
		rc = populate_dz_refuse(pq->root, err);
	free(sp);
	if (rc == -1)
		populate_query_clear(pq);
	return rc;
}
