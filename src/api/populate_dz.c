/* populate_dz.c: a dynamic zone's own fields, filters, sort and count */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/populate_int.h"
#include "api/qs.h"
#include "util/xmalloc.h"

/*
 * Strapi's error for a dynamic zone's own fields, filters or sort prints
 * them as its query parser nested them (qs: populate[blocks][fields][0]=a
 * is {"fields":["a"]}). This keeps the pairs so, to print them the same.
 */
struct populate_json {
	char *key;
	char *val; /* a leaf's value */
	struct populate_json *kids, *next;
};

/* The member key of list, appended when missing. */
static struct populate_json *
member(struct populate_json **list, const char *key)
{
	for (; *list != NULL; list = &(*list)->next)
		if (strcmp((*list)->key, key) == 0)
			return *list;
	*list = xcalloc(1, sizeof(**list));
	(*list)->key = xstrdup(key);
	return *list;
}

/*
 * A field of a dynamic zone n's own fields: Strapi validates it against
 * each component (a scalar of each, or id or documentId), then refuses
 * the zone's own fields whatever they name (populate_dz_refuse). 0, or -1
 * with err "Invalid key <f>".
 */
int
populate_dz_field(const struct schema *schema, const struct populate *n,
    const char *f, struct qs_error *err)
{
	const struct schema_attr *a;
	size_t i;

	if (strcmp(f, "id") == 0 || strcmp(f, "documentId") == 0)
		return 0;
	for (i = 0; i < n->attr->ncomponents; i++) {
		a = populate_attr(schema_type(schema, n->attr->components[i]),
		    f);
		if (a == NULL || a->private || a->kind != SCHEMA_SCALAR)
			return qs_invalid_key(err, f, "fields");
	}
	return 0;
}

/* Keeps the pair seg[0][seg[1]]...=v (the first value of a repeated key). */
void
populate_json_put(struct populate_json **root, const char *const *seg,
    size_t nseg, const char *v)
{
	struct populate_json *n = NULL;
	size_t i;

	for (i = 0; i < nseg; i++) {
		n = member(root, seg[i]);
		root = &n->kids;
	}
	if (n != NULL && n->val == NULL)
		n->val = xstrdup(v);
}

/* Appends list as JSON: an object at the top, an array of indexes. */
static void
render(struct buf *out, const struct populate_json *list, int top)
{
	const struct populate_json *k;
	int arr = !top;

	for (k = list; k != NULL && arr; k = k->next)
		arr = qs_is_index(k->key);
	buf_addc(out, arr ? '[' : '{');
	for (k = list; k != NULL; k = k->next) {
		if (k != list)
			buf_addc(out, ',');
		if (!arr) {
			buf_add_json_string(out, k->key, strlen(k->key));
			buf_addc(out, ':');
		}
		if (k->kids != NULL)
			render(out, k->kids, 0);
		else
			buf_add_json_string(out, k->val, strlen(k->val));
	}
	buf_addc(out, arr ? ']' : '}');
}

void
populate_json_free(struct populate_json *n)
{
	struct populate_json *next;

	for (; n != NULL; n = next) {
		next = n->next;
		populate_json_free(n->kids);
		free(n->key);
		free(n->val);
		free(n);
	}
}

/* 1 when list has a key besides count (which Strapi takes). */
static int
refusable(const struct populate_json *list)
{
	for (; list != NULL; list = list->next)
		if (strcmp(list->key, "count") != 0)
			return 1;
	return 0;
}

/*
 * Strapi's refusal of a dynamic zone's own fields, filters or sort, or of
 * a word for the zone (populate[blocks]=count), once they passed its
 * validation (convert-query-params.ts, convertPopulateObject: a dynamic
 * zone takes populate, on and count alone, and a string's keys are its
 * characters' indexes): the first such zone under parent, or 0.
 */
int
populate_dz_refuse(const struct populate *parent, struct qs_error *err)
{
	const struct populate *c, *f;
	struct buf j;

	for (c = parent->child; c != NULL; c = c->next) {
		if (c->refused != NULL || refusable(c->own)) {
			buf_init(&j);
			if (c->refused != NULL)
				buf_add_json_string(&j, c->refused,
				    strlen(c->refused));
			else
				render(&j, c->own, 1);
			qs_fail(err,
			    "Invalid nested populate for %s.%s (%s). Expected "
			    "a fragment (\"on\") or \"count\" but found %s",
			    parent->type->singular, c->name, parent->type->uid,
			    buf_cstr(&j));
			buf_clear(&j);
			return -1;
		}
		if (populate_dz_refuse(c, err) == -1)
			return -1;
		for (f = c->frag; f != NULL; f = f->next)
			if (populate_dz_refuse(f, err) == -1)
				return -1;
	}
	return 0;
}
