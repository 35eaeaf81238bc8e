/* materialize_touch.c: what the commits since the last pass touched */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"
#include "api/materialize_int.h"

/*
 * An answer of the set reads only its own entries (no populate, no
 * relation filter: the forms of docs/static.md), so its bytes change
 * only with them: an answer that is one entry carries that entry's seq,
 * a list its collection's (api/query_collection.c, query_answer_seq).
 * After commits, a pass renders only what they touched: each touched
 * collection's lists and categories, and the entry answers of each
 * touched entry and of each slug a change gave or took away; the rest
 * stays as the files hold it. The keys, in one sorted array:
 *
 *   "L" collection                      its lists and categories
 *   "E" collection US documentId US locale  its answers by documentId
 *   "S" collection US locale US slug    the answers of that slug
 *   "C" collection US locale US category  a category a change gave or
 *                                         took away (a fast pass's)
 */

#define US "\x1f" /* between a key's parts: in no name */

static void
touch_add(struct mat *m, struct buf *k)
{
	if (m->ntouch == m->captouch) {
		m->captouch = m->captouch == 0 ? 64 : m->captouch * 2;
		m->touch =
		    xreallocarray(m->touch, m->captouch, sizeof(*m->touch));
	}
	m->touch[m->ntouch++] = xstrdup(buf_cstr(k));
}

/* The keys, each made in one place for the change and the file alike. */
static void
key_lists(struct buf *k, const char *coll)
{
	buf_reset(k);
	buf_printf(k, "L%s", coll);
}

static void
key_entry(struct buf *k, const char *coll, const char *doc, const char *loc)
{
	buf_reset(k);
	buf_printf(k, "E%s" US "%s" US "%s", coll, doc, loc);
}

static void
key_slug(struct buf *k, const char *coll, const char *loc, const char *slug)
{
	buf_reset(k);
	buf_printf(k, "S%s" US "%s" US "%s", coll, loc, slug);
}

static void
key_category(struct buf *k, const char *coll, const char *loc,
    const char *category)
{
	buf_reset(k);
	buf_printf(k, "C%s" US "%s" US "%s", coll, loc, category);
}

static int
touch_change(void *arg, const struct store_change *ch)
{
	struct mat *m = arg;
	const char *loc = ch->locale != NULL ? ch->locale : "";
	struct buf k;

	buf_init(&k);
	key_lists(&k, ch->collection);
	touch_add(m, &k);
	key_entry(&k, ch->collection, ch->document_id, loc);
	touch_add(m, &k);
	if (ch->old_slug != NULL) {
		key_slug(&k, ch->collection, loc, ch->old_slug);
		touch_add(m, &k);
	}
	if (ch->new_slug != NULL) {
		key_slug(&k, ch->collection, loc, ch->new_slug);
		touch_add(m, &k);
	}
	if (ch->old_category != NULL) {
		key_category(&k, ch->collection, loc, ch->old_category);
		touch_add(m, &k);
	}
	if (ch->new_category != NULL) {
		key_category(&k, ch->collection, loc, ch->new_category);
		touch_add(m, &k);
	}
	buf_clear(&k);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mat_touch_load(struct mat *m, uint64_t done, uint64_t cur)
{
	int r;

	r = store_changes_between(m->st, done, cur, touch_change, m);
	if (r != 0) {
		mat_touch_clear(m);
		return r;
	}
	qsort(m->touch, m->ntouch, sizeof(*m->touch), cmp_str);
	return 0;
}

/* 1 when key (kind, then parts joined by US) was touched. */
static int
touched(const struct mat *m, struct buf *k)
{
	const char *key = buf_cstr(k);

	return bsearch(&key, m->touch, m->ntouch, sizeof(*m->touch), cmp_str) !=
	    NULL;
}

int
mat_touch_lists(const struct mat *m, const struct collection *c)
{
	struct buf k;
	int r;

	buf_init(&k);
	key_lists(&k, c->name);
	r = touched(m, &k);
	buf_clear(&k);
	return r;
}

int
mat_touch_entry(const struct mat *m, const struct collection *c,
    const char *doc, const char *locale, const char *slug)
{
	struct buf k;
	int r;

	buf_init(&k);
	key_entry(&k, c->name, doc, locale);
	r = touched(m, &k);
	if (!r && slug != NULL) {
		key_slug(&k, c->name, locale, slug);
		r = touched(m, &k);
	}
	buf_clear(&k);
	return r;
}

void
mat_touch_each(struct mat *m, char kind,
    void (*fn)(struct mat *, const char *, const char *, const char *))
{
	char *copy, *a, *b;
	size_t i;

	for (i = 0; i < m->ntouch; i++) {
		if (m->touch[i][0] != kind ||
		    (i > 0 && strcmp(m->touch[i - 1], m->touch[i]) == 0))
			continue;
		copy = xstrdup(m->touch[i] + 1);
		a = b = NULL;
		if ((a = strchr(copy, US[0])) != NULL) {
			*a++ = '\0';
			if ((b = strchr(a, US[0])) != NULL)
				*b++ = '\0';
		}
		fn(m, copy, a, b);
		free(copy);
	}
}

void
mat_touch_clear(struct mat *m)
{
	size_t i;

	for (i = 0; i < m->ntouch; i++)
		free(m->touch[i]);
	free(m->touch);
	m->touch = NULL;
	m->ntouch = m->captouch = 0;
}
