/* materialize_fast.c: a pass after commits that costs what they touched */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/xmalloc.h"
#include "api/materialize.h"
#include "api/materialize_int.h"

/*
 * A pass after commits that starts from the manifest of the last one
 * (materialize_manifest.c) instead of walking the set: the set's files
 * are the manifest's but for what the commits since touched
 * (materialize_touch.c), rendered again from the store as it is now,
 * added when new, removed when gone:
 *
 *   a touched type   its lists and pages (the pages past the last one
 *                    removed) and its categories: the manifest's and
 *                    those a change gave or took; a category whose first
 *                    page is empty is held by no entry, and removed;
 *   a touched entry  its answer by documentId (404: the entry is gone);
 *   a touched slug   its two answers while an entry holds it, counted
 *                    once per holder as the walk counts them, else
 *                    removed.
 *
 * An answer the commits did not touch is in the set as before (its
 * entry, slug or category held as before), and its file is as the
 * manifest says: nothing else is read, listed or looked at. Which
 * answers the set has is decided on what the walk (materialize.c)
 * decides it on: the same forms, values and locales, an entry or a
 * holder in the store. The bounds are counted at the end
 * (mat_manifest_totals): under them the set is every answer, in any
 * order; over them, or when a file came or went while the manifest's
 * set had reached them, the pass walks the set instead.
 */

static const struct collection *
coll_of(struct mat *m, const char *name, int *forms)
{
	const struct collection *c = conf_collection_by_name(m->conf, name);

	if (c == NULL || c->single || (*forms = mat_forms(m->conf, c)) == 0)
		return NULL;
	return c;
}

/* The locale's suffix of a form (sfx), or -1 when the set has none in it. */
static long
locale_of(const struct collection *c, const char *locale, char *sfx, size_t n)
{
	long li = mat_locale_index(c, locale);

	if (li == -1 || (li > 0 && !mat_value_ok(locale)))
		return -1;
	mat_locale_suffix(c, (size_t)li, sfx, n);
	return li;
}

/* A category's first page, rendered: gone when its list is empty. */
static void
emit_category(struct mat *m, const struct mat_form *f)
{
	(void)mat_emit_form(m, f, EMIT_CAT | EMIT_DATA, 1);
}

/*
 * The category page the manifest names by its form (category_form:
 * "<category field>=<value>[&locale=L]", the value and the locale's
 * suffix taken together).
 */
static void
manifest_category(struct mat *m, const struct collection *c, const char *form)
{
	size_t fl = strlen(c->category_field);
	struct mat_form f;

	if (strncmp(form, c->category_field, fl) != 0 || form[fl] != '=')
		return;
	mat_form_eq(&f, c, c->category_field, form + fl + 1, "");
	emit_category(m, &f);
}

/* A touched type's lists (a single type's answers too). */
static void
touched_lists(struct mat *m, const char *coll, const char *a, const char *b)
{
	const struct collection *c = conf_collection_by_name(m->conf, coll);
	int forms;

	(void)a;
	(void)b;
	if (c == NULL || (forms = mat_forms(m->conf, c)) == 0)
		return;
	if (c->single || (forms & FORM_LIST))
		mat_emit_lists(m, c);
}

static int
has_categories(const struct collection *c, int forms)
{
	return (forms & FORM_CATEGORY) && c->category_field[0] != '\0';
}

/* A category a change gave or took away. */
static void
touched_category(struct mat *m, const char *coll, const char *locale,
    const char *value)
{
	const struct collection *c;
	struct mat_form f;
	char sfx[96];
	int forms;

	if ((c = coll_of(m, coll, &forms)) == NULL ||
	    !has_categories(c, forms) || locale == NULL || value == NULL ||
	    !mat_value_ok(value) ||
	    locale_of(c, locale, sfx, sizeof(sfx)) == -1)
		return;
	mat_form_eq(&f, c, c->category_field, value, sfx);
	emit_category(m, &f);
}

/*
 * The form of a category's file name, "<field>=<value>[&locale=L].json",
 * or NULL when it is not one the set could hold.
 */
static char *
category_form(const struct collection *c, const char *name)
{
	size_t fl = strlen(c->category_field), n = strlen(name);
	char *form, *amp;
	int ok = 1;

	if (n <= 5 || strcmp(name + n - 5, ".json") != 0 ||
	    strncmp(name, c->category_field, fl) != 0 || name[fl] != '=')
		return NULL;
	form = xstrdup(name);
	form[n - 5] = '\0';
	if ((amp = strchr(form + fl + 1, '&')) != NULL) {
		*amp = '\0';
		ok = strncmp(amp + 1, "locale=", 7) == 0 &&
		    mat_value_ok(amp + 8);
	}
	ok = ok && mat_value_ok(form + fl + 1);
	if (amp != NULL)
		*amp = '&';
	if (!ok) {
		free(form);
		return NULL;
	}
	return form;
}

/* A touched type's other categories: each of the manifest's. */
static void
kept_categories(struct mat *m, const char *coll, const char *a, const char *b)
{
	const struct collection *c;
	size_t i, n;
	char *form;
	int forms;

	(void)a;
	(void)b;
	if ((c = coll_of(m, coll, &forms)) == NULL || !has_categories(c, forms))
		return;
	n = strlen(c->plural);
	/* the sorted part stays in place while answers are added */
	for (i = 0; i < m->nsorted && !m->failed; i++) {
		if (!m->files[i].cat || m->files[i].seen || m->files[i].gone ||
		    strncmp(m->files[i].rel, c->plural, n) != 0 ||
		    m->files[i].rel[n] != '/' ||
		    strchr(m->files[i].rel + n + 1, '/') != NULL)
			continue;
		if ((form = category_form(c, m->files[i].rel + n + 1)) == NULL)
			continue;
		manifest_category(m, c, form);
		free(form);
	}
}

/* A touched entry's answer by documentId. */
static void
touched_entry(struct mat *m, const char *coll, const char *doc,
    const char *locale)
{
	const struct collection *c;
	struct mat_form f;
	char sfx[96];
	long li;
	int forms;

	if ((c = coll_of(m, coll, &forms)) == NULL || !(forms & FORM_ID) ||
	    locale == NULL || !mat_value_ok(doc) ||
	    (li = locale_of(c, locale, sfx, sizeof(sfx))) == -1)
		return;
	mat_form_own(&f, c, NULL, doc, li, sfx);
	(void)mat_emit_form(m, &f, EMIT_ONE, 1);
}

/* A touched slug's two answers, while an entry holds it. */
static void
touched_slug(struct mat *m, const char *coll, const char *locale,
    const char *slug)
{
	const struct collection *c;
	struct mat_form eq, own;
	char sfx[96];
	uint64_t holders;
	long li;
	int forms;

	if ((c = coll_of(m, coll, &forms)) == NULL || !(forms & FORM_SLUG) ||
	    c->slug_field[0] == '\0' || slug == NULL || !mat_value_ok(slug) ||
	    (li = locale_of(c, locale, sfx, sizeof(sfx))) == -1)
		return;
	if (store_slug_count(m->st, c->name, locale, slug, &holders) == -1) {
		m->failed = 1;
		return;
	}
	mat_form_eq(&eq, c, c->slug_field, slug, sfx);
	mat_form_own(&own, c, "slug", slug, li, sfx);
	if (holders == 0) {
		mat_drop_form(m, &eq);
		mat_drop_form(m, &own);
		return;
	}
	m->mult = holders;
	(void)mat_emit_form(m, &eq, EMIT_ONE, 1);
	(void)mat_emit_form(m, &own, EMIT_ONE, 1);
	m->mult = 1;
}

void
mat_fast(struct mat *m)
{
	mat_touch_each(m, 'L', touched_lists);
	mat_touch_each(m, 'C', touched_category);
	mat_touch_each(m, 'L', kept_categories);
	mat_touch_each(m, 'E', touched_entry);
	mat_touch_each(m, 'S', touched_slug);
	log_debug("static: a pass from the manifest: %zu files written, %zu "
	          "removed, of %zu",
	    m->stats->written, m->stats->removed, m->nfiles);
}
