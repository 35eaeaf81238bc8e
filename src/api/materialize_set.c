/* materialize_set.c: the set of files a pass makes, and the sweep of the rest */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "api/materialize_int.h"

#define MAX_VALUE 200 /* bytes of a documentId, slug or category in a name */

int
mat_value_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '.')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= MAX_VALUE ||
		    (strchr("-._~", s[i]) == NULL &&
		        !((s[i] >= 'a' && s[i] <= 'z') ||
		            (s[i] >= 'A' && s[i] <= 'Z') ||
		            (s[i] >= '0' && s[i] <= '9'))))
			return 0;
	return 1;
}

/* The forms static_types asks of collection c (0: none). */
static int
forms_of(const struct conf *conf, const struct collection *c)
{
	const char *list = conf_str(conf, CFG_STATIC_TYPES);
	char *copy, *w, *colon, *f, *save, *save2;
	size_t nl;
	int forms = 0;

	if (list[0] == '\0')
		return FORM_ALL;
	copy = xstrdup(list);
	for (w = strtok_r(copy, " ,", &save); w != NULL;
	     w = strtok_r(NULL, " ,", &save)) {
		colon = strchr(w, ':');
		nl = colon != NULL ? (size_t)(colon - w) : strlen(w);
		if (nl != strlen(c->name) || memcmp(w, c->name, nl) != 0)
			continue;
		if (colon == NULL) {
			forms = FORM_ALL;
			continue;
		}
		for (f = strtok_r(colon + 1, "+", &save2); f != NULL;
		     f = strtok_r(NULL, "+", &save2)) {
			if (strcmp(f, "list") == 0)
				forms |= FORM_LIST;
			else if (strcmp(f, "id") == 0)
				forms |= FORM_ID;
			else if (strcmp(f, "slug") == 0)
				forms |= FORM_SLUG;
			else if (strcmp(f, "category") == 0)
				forms |= FORM_CATEGORY;
			else
				log_warnx("static_types: unknown form '%s' "
				          "(list, id, slug, category)",
				    f);
		}
	}
	free(copy);
	return forms;
}

int
mat_forms(const struct conf *conf, const struct collection *c)
{
	if (!mat_value_ok(c->plural) || strchr(c->name, '.') != NULL)
		return 0;
	return forms_of(conf, c);
}

void
mat_set_add(struct mat *m, const char *rel)
{
	if (m->nset == m->capset) {
		m->capset = m->capset == 0 ? 64 : m->capset * 2;
		m->set = xreallocarray(m->set, m->capset, sizeof(*m->set));
	}
	m->set[m->nset++] = xstrdup(rel);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
mat_stale(struct mat *m, const char *rel, const char *problem)
{
	m->stale++;
	if (m->report != NULL)
		m->report(m->arg, rel, problem);
}

static int
ends_with(const char *s, size_t n, const char *sfx)
{
	size_t k = strlen(sfx);

	return n >= k && memcmp(s + n - k, sfx, k) == 0;
}

/*
 * Removes (or, verifying, reports) the answers under rel that are not in
 * the set: entries removed, slugs changed, pages past the end. Files of
 * other names (the lock, .seq, an operator's .htaccess) are left alone,
 * and a directory only when a file under it was removed (if empty).
 * Returns the number of files removed.
 */
static size_t
sweep(struct mat *m, const char *rel)
{
	size_t removed = 0, r;
	struct buf path, sub;
	struct dirent *d;
	struct stat sb;
	DIR *dp;
	size_t nl;
	char *key;
	int gz;

	buf_init(&path);
	buf_init(&sub);
	buf_printf(&path, "%s%s%s", m->dir, rel[0] != '\0' ? "/" : "", rel);
	if ((dp = opendir(buf_cstr(&path))) == NULL)
		goto out;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		buf_reset(&sub);
		buf_printf(&sub, "%s%s%s", rel, rel[0] != '\0' ? "/" : "",
		    d->d_name);
		buf_reset(&m->full);
		buf_printf(&m->full, "%s/%s", m->dir, buf_cstr(&sub));
		if (lstat(buf_cstr(&m->full), &sb) == -1)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			r = sweep(m, buf_cstr(&sub));
			removed += r;
			if (r > 0) {
				buf_reset(&m->full);
				buf_printf(&m->full, "%s/%s", m->dir,
				    buf_cstr(&sub));
				(void)rmdir(buf_cstr(&m->full)); /* if empty */
			}
			continue;
		}
		nl = strlen(d->d_name);
		if (!ends_with(d->d_name, nl, ".json") &&
		    !ends_with(d->d_name, nl, ".json.tmp") &&
		    !ends_with(d->d_name, nl, ".json.gz") &&
		    !ends_with(d->d_name, nl, ".json.gz.tmp"))
			continue;
		key = (char *)buf_cstr(&sub);
		/* an answer's .gz goes with its answer, while there are any */
		gz = ends_with(d->d_name, nl, ".json.gz");
		if (gz) {
			sub.len -= 3; /* ".gz": the answer's own name */
			sub.data[sub.len] = '\0';
		}
		if ((!gz || m->gzip) &&
		    bsearch(&key, m->set, m->nset, sizeof(*m->set), cmp_str) !=
		        NULL)
			continue;
		if (gz) {
			buf_adds(&sub, ".gz");
			key = (char *)buf_cstr(&sub);
		}
		if (m->mode == MODE_VERIFY)
			mat_stale(m, key,
			    "not an answer of the store any more");
		else if (unlink(buf_cstr(&m->full)) == 0) {
			m->stats->removed++;
			removed++;
		}
	}
	closedir(dp);
out:
	buf_clear(&path);
	buf_clear(&sub);
	return removed;
}

/* Sorts the set, then removes (or reports) every file not in it. */
void
mat_sweep(struct mat *m)
{
	qsort(m->set, m->nset, sizeof(*m->set), cmp_str);
	(void)sweep(m, "");
}

void
mat_form_eq(struct mat_form *f, const struct collection *c, const char *field,
    const char *value, const char *sfx)
{
	snprintf(f->path, sizeof(f->path), "%s", c->plural);
	snprintf(f->qs, sizeof(f->qs), "filters[%s][$eq]=%s%s", field, value,
	    sfx);
	snprintf(f->form, sizeof(f->form), "%s=%s%s", field, value, sfx);
}

void
mat_form_own(struct mat_form *f, const struct collection *c, const char *sub,
    const char *value, long li, const char *sfx)
{
	const char *lq = li > 0 ? sfx + 1 : ""; /* "locale=L", no '&' */

	snprintf(f->path, sizeof(f->path), "%s%s%s/%s", c->plural,
	    sub != NULL ? "/" : "", sub != NULL ? sub : "", value);
	snprintf(f->qs, sizeof(f->qs), "%s", lq);
	snprintf(f->form, sizeof(f->form), "%s", li > 0 ? lq : "index");
}

int
mat_emit_form(struct mat *m, const struct mat_form *f, int flags, int render)
{
	return mat_emit(m, f->path, f->qs, f->form, flags, render);
}

void
mat_drop_form(struct mat *m, const struct mat_form *f)
{
	char rel[1100];

	/* the name mat_emit gives the file */
	snprintf(rel, sizeof(rel), "%s/%s.json", f->path, f->form);
	mat_manifest_drop(m, rel);
}
