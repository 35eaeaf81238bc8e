/* materialize_set.c: the set of files a pass makes, and the sweep of the rest */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xmalloc.h"
#include "api/materialize_int.h"

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
