/* materialize_manifest.c: the set's files, kept beside .seq between passes */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fnv.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "api/materialize.h"
#include "api/materialize_int.h"

/*
 * static_dir/.manifest lists the answers of the set a complete pass left
 * (docs/static.md, "Cost"), so that the next pass after commits renders
 * and removes only what they touched (materialize_fast.c) instead of
 * listing every entry, looking at every file and sweeping the directory:
 *
 *   strapi-live-static-manifest 1 <seq> <settings> <count> <capped>
 *   <size> <n> <kind> <path>
 *
 * one line a file, sorted by path: its size, how many times the bounds
 * count it (a slug's answers once per holder, as the walk counts them),
 * "c" for a category's answer ("a" otherwise). While the set is under
 * its bounds the order the walk renders answers in decides nothing. When
 * it reached static_max_files (capped 1), the walk kept the first
 * static_max_files answers it rendered, and the manifest lists those: a
 * pass may go by it only while no file of the set comes or goes (every
 * answer a commit touched is one of the manifest's, still there, counted
 * as often; the bytes under static_max_bytes), so that the walk would
 * keep the same files; else (mat_manifest_totals) it walks. A pass that
 * reaches static_max_bytes writes no manifest: which files it keeps then
 * depends on their sizes.
 *
 * A pass goes by it only when it is sure to name the files there are:
 * its version is this one's, <seq> is .seq's (the pass that wrote it
 * was the last complete one), and <settings> is the hash of what
 * decides which files the set has besides the store (the forms, the
 * types' names, slugs, categories and locales, the pages kept, gzip,
 * the bounds).
 * A pass removes it before it changes any file and writes it again,
 * then .seq, when complete: a writer killed anywhere in between leaves
 * none, and the next pass walks the set and sweeps the directory (a
 * killed pass's temporary .manifest.tmp or .seq.tmp stays, as the sweep
 * leaves dot files alone; the next pass truncates it). Anything else (none,
 * unreadable, another version, a line that does not parse): the walk.
 */

#define MANIFEST_NAME    ".manifest"
#define MANIFEST_MAGIC   "strapi-live-static-manifest"
#define MANIFEST_VERSION 1

/* FNV-1a of s and a 0xff byte (the end of each string): a change of
 * settings seen, not a secret kept. */
static uint64_t
fnv(uint64_t h, const char *s)
{
	return fnv1a(fnv1a(h, s, strlen(s)), "\xff", 1);
}

/* The hash of the settings that decide the set's files. */
static uint64_t
settings_hash(const struct mat *m)
{
	const struct collection *c;
	uint64_t h = FNV1A_INIT;
	char num[128];
	size_t i, j;

	h = fnv(h, conf_str(m->conf, CFG_STATIC_TYPES));
	snprintf(num, sizeof(num), "%lld %lld %lld %d %zu %" PRIu64,
	    (long long)conf_int(m->conf, CFG_STATIC_LIST_PAGES),
	    (long long)conf_int(m->conf, CFG_STATIC_CHANGE_PAGE_SIZE),
	    (long long)conf_int(m->conf, CFG_STATIC_CHANGE_PAGES), m->gzip,
	    m->max_files, m->max_bytes);
	h = fnv(h, num);
	for (i = 0; i < conf_ncollections(m->conf); i++) {
		c = conf_collection(m->conf, i);
		h = fnv(h, c->name);
		h = fnv(h, c->plural);
		h = fnv(h, c->slug_field);
		h = fnv(h, c->category_field);
		h = fnv(h, c->single ? "single" : "collection");
		for (j = 0; j < c->nlocales; j++)
			h = fnv(h, c->locales[j]);
	}
	return h;
}

static void
path_of(const struct mat *m, struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "%s/" MANIFEST_NAME, m->dir);
}

static int
cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct mat_file *)a)->rel,
	    ((const struct mat_file *)b)->rel);
}

static struct mat_file *
add(struct mat *m, const char *rel, size_t len)
{
	struct mat_file *f;

	if (m->nfiles == m->capfiles) {
		m->capfiles = m->capfiles == 0 ? 64 : m->capfiles * 2;
		m->files =
		    xreallocarray(m->files, m->capfiles, sizeof(*m->files));
	}
	f = &m->files[m->nfiles++];
	memset(f, 0, sizeof(*f));
	f->rel = xmalloc(len + 1);
	memcpy(f->rel, rel, len);
	f->rel[len] = '\0';
	f->n = 1;
	return f;
}

/* The file rel: in the sorted part, else among those added since. */
static struct mat_file *
find(struct mat *m, const char *rel)
{
	struct mat_file key, *f;
	size_t i;

	key.rel = (char *)rel;
	f = bsearch(&key, m->files, m->nsorted, sizeof(*m->files), cmp_file);
	for (i = m->nsorted; f == NULL && i < m->nfiles; i++)
		if (strcmp(m->files[i].rel, rel) == 0)
			f = &m->files[i];
	return f;
}

int
mat_manifest_load(struct mat *m, uint64_t done)
{
	struct buf text, path;
	struct mat_file *f;
	char magic[64], *p, *nl, *end;
	unsigned long long seq, hash, count, size, n;
	int version, capped, off = 0, rc = -1;
	char kind;

	buf_init(&text);
	buf_init(&path);
	path_of(m, &path);
	if (mat_read_file(buf_cstr(&path), &text) != 0)
		goto out;
	p = (char *)buf_cstr(&text);
	if (sscanf(p, "%63s %d %llu %llx %llu %d\n%n", magic, &version, &seq,
	        &hash, &count, &capped, &off) != 6 ||
	    off == 0 || strcmp(magic, MANIFEST_MAGIC) != 0 ||
	    version != MANIFEST_VERSION || seq != done ||
	    hash != settings_hash(m))
		goto out;
	for (p += off; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			goto out;
		*nl = '\0';
		off = 0;
		if (sscanf(p, "%llu %llu %c %n", &size, &n, &kind, &off) != 3 ||
		    off == 0 || p[off] == '\0' || n == 0 ||
		    (kind != 'a' && kind != 'c'))
			goto out;
		end = p + off;
		f = add(m, end, strlen(end));
		f->size = size;
		f->n = n;
		f->cat = kind == 'c';
		/* sorted and unique, as written */
		if (m->nfiles > 1 &&
		    strcmp(m->files[m->nfiles - 2].rel, f->rel) >= 0)
			goto out;
	}
	if (m->nfiles != count)
		goto out;
	m->nsorted = m->nfiles;
	m->fast = 1;
	m->mf_capped = capped != 0;
	rc = 0;
out:
	if (rc == -1) {
		log_debug("static: no manifest of the pass at %" PRIu64
		          " to go by; the set is walked",
		    done);
		mat_manifest_clear(m);
	}
	buf_clear(&text);
	buf_clear(&path);
	return rc;
}

void
mat_manifest_remove(struct mat *m)
{
	struct buf path;

	buf_init(&path);
	path_of(m, &path);
	if (unlink(buf_cstr(&path)) == -1 && errno != ENOENT) {
		log_warn("static: %s", buf_cstr(&path));
		m->failed = 1; /* a pass may not change what it names */
	}
	buf_clear(&path);
}

/* Sorts the files by path, a path counted as often as it came. */
static void
sort_files(struct mat *m)
{
	size_t i, o = 0;

	qsort(m->files, m->nfiles, sizeof(*m->files), cmp_file);
	for (i = 0; i < m->nfiles; i++) {
		if (m->files[i].gone) {
			free(m->files[i].rel);
			continue;
		}
		if (o > 0 &&
		    strcmp(m->files[o - 1].rel, m->files[i].rel) == 0) {
			m->files[o - 1].n += m->files[i].n;
			free(m->files[i].rel);
			continue;
		}
		m->files[o++] = m->files[i];
	}
	m->nfiles = m->nsorted = o;
}

void
mat_manifest_write(struct mat *m, uint64_t seq)
{
	struct buf text, path;
	size_t i;
	int save = m->compare;

	sort_files(m);
	buf_init(&text);
	buf_init(&path);
	buf_printf(&text,
	    MANIFEST_MAGIC " %d %" PRIu64 " %016" PRIx64 " %zu %d\n",
	    MANIFEST_VERSION, seq, settings_hash(m), m->nfiles,
	    m->stats->capped);
	for (i = 0; i < m->nfiles; i++)
		buf_printf(&text, "%" PRIu64 " %" PRIu64 " %c %s\n",
		    m->files[i].size, m->files[i].n,
		    m->files[i].cat ? 'c' : 'a', m->files[i].rel);
	path_of(m, &path);
	m->compare = 0;
	if (mat_write_atomic(m, buf_cstr(&path), text.data, text.len) == -1)
		m->failed = 1;
	m->compare = save;
	buf_clear(&text);
	buf_clear(&path);
}

void
mat_manifest_note(struct mat *m, const char *rel, uint64_t size, int flags)
{
	struct mat_file *f;

	if (!m->fast || (f = find(m, rel)) == NULL) {
		f = add(m, rel, strlen(rel));
		m->reshaped |= m->fast;
	} else if (f->gone || f->n != m->mult)
		m->reshaped = 1;
	f->size = size;
	f->n = m->mult;
	f->cat = (flags & EMIT_CAT) != 0;
	f->seen = 1;
	f->gone = 0;
}

void
mat_manifest_drop(struct mat *m, const char *rel)
{
	struct mat_file *f = find(m, rel);

	if (f == NULL || f->gone)
		return;
	f->gone = 1;
	m->reshaped = 1;
	mat_remove_file(m, rel);
}

void
mat_remove_file(struct mat *m, const char *rel)
{
	struct buf full;
	char *slash;

	buf_init(&full);
	buf_printf(&full, "%s/%s.gz", m->dir, rel);
	(void)unlink(buf_cstr(&full));
	full.len -= 3;
	full.data[full.len] = '\0';
	if (unlink(buf_cstr(&full)) == 0) {
		m->stats->removed++;
		mat_fault_step(m);
	} else if (errno != ENOENT)
		log_warn("static: %s", buf_cstr(&full));
	/* its folder, when that was its last file (as the sweep does) */
	if ((slash = strrchr(full.data, '/')) != NULL &&
	    slash > full.data + strlen(m->dir)) {
		*slash = '\0';
		(void)rmdir(full.data);
	}
	buf_clear(&full);
}

/*
 * static-verify: a manifest the next pass would go by (of the pass .seq
 * names, at the store's seq) must name the files the walk found, with
 * the sizes of the store's answers; else it is reported.
 */
void
mat_manifest_check(struct mat *m, uint64_t cur)
{
	struct mat_file *walked;
	size_t i, n;
	int same;

	sort_files(m);
	walked = m->files;
	n = m->nfiles;
	m->files = NULL;
	m->nfiles = m->capfiles = m->nsorted = 0;
	if (mat_state_read(m) == cur && mat_manifest_load(m, cur) == 0) {
		/* capped as the walk is, by static_max_files */
		same = m->nfiles == n &&
		    (m->stats->capped ? !m->capped_bytes && m->mf_capped
		                      : !m->mf_capped);
		for (i = 0; same && i < n; i++)
			same = strcmp(m->files[i].rel, walked[i].rel) == 0 &&
			    m->files[i].size == walked[i].size &&
			    m->files[i].n == walked[i].n &&
			    m->files[i].cat == walked[i].cat;
		if (!same)
			mat_stale(m, MANIFEST_NAME,
			    "does not list the set's files as they are");
	}
	mat_manifest_clear(m);
	m->files = walked;
	m->nfiles = m->capfiles = m->nsorted = n;
}

int
mat_manifest_totals(struct mat *m)
{
	uint64_t files = 0, bytes = 0;
	size_t i;

	for (i = 0; i < m->nfiles; i++) {
		if (m->files[i].gone)
			continue;
		files += m->files[i].n;
		bytes += m->files[i].n * m->files[i].size;
	}
	m->stats->files = (size_t)files;
	m->stats->bytes = bytes;
	if (m->mf_capped) {
		/* the same files as before, the first static_max_files */
		if (m->reshaped || bytes > m->max_bytes)
			return 1;
		m->stats->capped = 1;
		return 0;
	}
	return files > m->max_files || bytes > m->max_bytes;
}

void
mat_manifest_clear(struct mat *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		free(m->files[i].rel);
	free(m->files);
	m->files = NULL;
	m->nfiles = m->capfiles = m->nsorted = 0;
	m->fast = m->mf_capped = m->reshaped = 0;
}
