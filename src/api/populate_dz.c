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
 * Keeps the pair seg[0][seg[1]]...=v (the first value of a repeated key;
 * v NULL: a key without '=', qs's null).
 */
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
	if (n != NULL && n->val == NULL && v != NULL)
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
		else if (k->val != NULL)
			buf_add_json_string(out, k->val, strlen(k->val));
		else
			buf_adds(out, "null");
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

/* 1 when list has a key besides count and populate (which Strapi takes). */
static int
refusable(const struct populate_json *list)
{
	for (; list != NULL; list = list->next)
		if (strcmp(list->key, "count") != 0 &&
		    strcmp(list->key, "populate") != 0)
			return 1;
	return 0;
}

/*
 * Strapi's refusal of a dynamic zone's own fields, filters, sort or any
 * other key but populate, on and count (when it has no on, which the
 * sanitizer would have kept alone), or of a word for the zone
 * (populate[blocks]=count): Strapi's
 * convertPopulateObject, where a string's keys are its characters'
 * indexes. The first such zone under parent, or 0.
 */
int
populate_dz_refuse(const struct populate *parent, struct qs_error *err)
{
	const struct populate *c, *f;
	struct buf j;

	for (c = parent->child; c != NULL; c = c->next) {
		/* with on, the sanitizer left the zone its on alone */
		if (c->refused != NULL ||
		    (c->frag == NULL && refusable(c->own))) {
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
