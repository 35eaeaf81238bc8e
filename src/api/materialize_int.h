/* materialize_int.h: what the static writer's files (materialize*.c) share */
#ifndef MATERIALIZE_INT_H
#define MATERIALIZE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "api/materialize.h"
#include "api/query.h"
#include "util/buf.h"

/* The change head's file, under static_dir: <api_prefix>/_live/head */
#define HEAD_REL "_live/head/index.json"
/* The change pages' folder: <api_prefix>/_live/changes/<N> */
#define CHANGES_REL "_live/changes"

enum mode {
	MODE_WRITE,
	MODE_VERIFY,
};

/* The forms static_types asks of a type. */
enum form {
	FORM_LIST = 0x1,
	FORM_ID = 0x2,
	FORM_SLUG = 0x4,
	FORM_CATEGORY = 0x8,
	FORM_ALL = 0xf,
};

/* What mat_emit renders: flags. */
#define EMIT_ONE  0x1 /* one entry's (by documentId, by slug) */
#define EMIT_DATA 0x2 /* not worth a file when its list is empty */
#define EMIT_CAT  0x4 /* a category's first page */

/* A file of the set as the manifest keeps it (materialize_manifest.c). */
struct mat_file {
	char *rel;
	uint64_t size;
	uint64_t n; /* times the bounds count it: a slug's holders */
	int cat;    /* a category's answer (EMIT_CAT) */
	int seen;   /* rendered by this pass */
	int gone;   /* removed by this pass */
};

struct mat {
	const struct conf *conf;
	struct store *st;
	enum mode mode;
	const char *dir;
	struct query_ctx q;
	char prefix[256]; /* "/api" */
	size_t max_files;
	uint64_t max_bytes;
	struct materialize_stats *stats;
	char **set; /* relative paths of the set, sorted for the sweep */
	size_t nset, capset;
	struct buf rel, full, tmp, uri, old;
	struct buf gzpath, gz; /* an answer's .gz: its path, its bytes */
	int gzip;              /* .gz beside every answer (built with zlib) */
	materialize_report_fn report;
	void *arg;
	size_t stale;
	int compare; /* a file may already hold its answer: compare first */
	int failed;
	uint64_t change_first; /* the oldest change page kept */
	/*
	 * A pass after commits renders only what they touched
	 * (materialize_touch.c): partial is set, touch holds the keys.
	 */
	int partial;
	char **touch;
	size_t ntouch, captouch;
	int own_only; /* every answer rendered read only its own entries */
	int prev_own; /* the last pass's own_only (.seq says it) */
	/*
	 * The set's files (path, size), kept in static_dir/.manifest by
	 * each complete pass; fast: this pass started from it and renders
	 * and removes only what the commits touched (materialize_fast.c).
	 */
	int fast;
	struct mat_file *files;
	size_t nfiles, capfiles;
	size_t nsorted;       /* files[0..nsorted) sorted by path (fast) */
	uint64_t mult;        /* the next answer's count: its slug's holders */
	unsigned long die_at; /* SL_FAULT_DIE_IN_RENDER: steps left (tests) */
	int capped_bytes;     /* the bounds were reached by static_max_bytes */
	int mf_capped;        /* the manifest's pass reached static_max_files */
	int reshaped; /* a fast pass added or removed one of its files */
};

/* materialize_file.c */
/*
 * Reads the file at path into out. Returns 0, 1 when there is none, -1
 * after logging.
 */
int mat_read_file(const char *path, struct buf *out);

/*
 * Writes data to path atomically (a temporary file beside it, renamed
 * over it), mode 0644 for the web server. When m->compare, an identical
 * file is left alone (its validators stay). 1 when written, 0 when
 * unchanged, -1 after logging.
 */
int mat_write_atomic(struct mat *m, const char *path, const char *data,
    size_t len);
/*
 * The gzip of a file's bytes beside it (path.gz), for every file the
 * pass writes (answers, change pages, the head: lighttpd's rules send a
 * client that takes gzip to the .gz, and to query.fcgi when there is
 * none): written before the file, so that a client never gets a .gz
 * older than the file it stands for, or compared when verifying. Nothing
 * without zlib.
 */
void mat_gz(struct mat *m, const char *path, const char *rel, const char *data,
    size_t len);
/* A step of a pass: a writer dies at the one SL_FAULT_DIE_IN_RENDER says. */
void mat_fault_step(struct mat *m);
/* Opens static_dir's lock (creating the directory) and takes it (op). */
int mat_lock_dir(const char *dir, int op);
/*
 * The seq of the last complete pass (0: none); m->prev_own when its
 * answers read only their own entries (a partial pass may follow it).
 */
uint64_t mat_state_read(struct mat *m);
/* Records seq as the last complete pass's (.seq), and m->own_only. */
void mat_state_write(struct mat *m, uint64_t seq);
/* Writes the change head at seq (a stale one reported when verifying). */
void mat_head(struct mat *m, uint64_t seq);

/* materialize_changes.c */
/*
 * The change pages of a pass at seq cur, the last one having been at
 * done: kept ones added to the set, new ones written (all when forced),
 * compared when verifying; m->change_first set.
 */
void mat_changes(struct mat *m, uint64_t done, uint64_t cur, int force);

/* materialize_set.c */
/* A file that differs from the store, reported. */
void mat_stale(struct mat *m, const char *rel, const char *problem);
/* rel (under static_dir) is part of the set. */
void mat_set_add(struct mat *m, const char *rel);
/*
 * Sorts the set, then removes (or, verifying, reports) the files under
 * static_dir that are not in it.
 */
void mat_sweep(struct mat *m);

/* materialize.c */
/* 1 when s may be part of a file name and a URL as it is. */
int mat_value_ok(const char *s);
/* The forms the set has of c (0: none, or not a type a file can name). */
int mat_forms(const struct conf *, const struct collection *c);
/* The index of locale in c's locales, or -1 when not configured. */
long mat_locale_index(const struct collection *c, const char *locale);
/* "&locale=L" after a form, or "" for the default locale (index 0). */
const char *mat_locale_suffix(const struct collection *c, size_t li, char *out,
    size_t n);
/*
 * The answer to <prefix>/<path>?<qs> into <path>/<form>.json (EMIT_*
 * flags); in a partial pass, kept as it is unless render. 0, or 1 when
 * there is nothing to serve there or the bounds are reached.
 */
int mat_emit(struct mat *m, const char *path, const char *qs, const char *form,
    int flags, int render);
/* A single type, or a collection's list pages, in each locale. */
void mat_emit_lists(struct mat *m, const struct collection *c);

/* materialize_set.c: the names of one answer's file, as mat_emit takes them */
struct mat_form {
	char path[512]; /* <path>: the URL's after the prefix, the file's dir */
	char qs[640];   /* the query string */
	char form[512]; /* <form>: the file's name before .json */
};
/*
 * The first page filtered by field = value (a slug's, a category's), in
 * the locale whose suffix is sfx (mat_locale_suffix): <plural>?filters
 * [field][$eq]=value<sfx>, file <plural>/<field>=<value><sfx>.json.
 */
void mat_form_eq(struct mat_form *f, const struct collection *c,
    const char *field, const char *value, const char *sfx);
/*
 * One entry's own answer: <plural>[/<sub>]/<value>, by documentId (sub
 * NULL) or by slug (sub "slug"), in locale index li (suffix sfx): file
 * <path>/index.json, or <path>/locale=L.json.
 */
void mat_form_own(struct mat_form *f, const struct collection *c,
    const char *sub, const char *value, long li, const char *sfx);
/* mat_emit of f. */
int mat_emit_form(struct mat *m, const struct mat_form *f, int flags,
    int render);
/* The fast pass: f's file is no answer any more (mat_manifest_drop). */
void mat_drop_form(struct mat *m, const struct mat_form *f);

/* materialize_manifest.c */
/*
 * Loads the manifest of the pass at done into m->files and sets
 * m->fast; 0, or -1 when there is none to go by (a full pass then).
 */
int mat_manifest_load(struct mat *m, uint64_t done);
/* Removes the manifest: before a pass changes any file. */
void mat_manifest_remove(struct mat *m);
/* Writes the manifest of m->files at seq (after a complete pass). */
void mat_manifest_write(struct mat *m, uint64_t seq);
/* The answer rel of size bytes is in the set (flags: EMIT_*). */
void mat_manifest_note(struct mat *m, const char *rel, uint64_t size,
    int flags);
/* Fast: rel is no longer in the set; its file (and .gz) removed. */
void mat_manifest_drop(struct mat *m, const char *rel);
/* Removes the file rel, its .gz, and its folder when now empty. */
void mat_remove_file(struct mat *m, const char *rel);
/* static-verify: reports a manifest that does not name the set. */
void mat_manifest_check(struct mat *m, uint64_t cur);
/*
 * The set's files and bytes into m->stats (capped as the manifest's
 * pass was); 1 when the set is to be walked: over the bounds, or a file
 * came or went while the manifest's pass had reached static_max_files.
 */
int mat_manifest_totals(struct mat *m);
void mat_manifest_clear(struct mat *m);

/* materialize_fast.c */
/* A fast pass: the answers the commits touched, from the manifest. */
void mat_fast(struct mat *m);

/* materialize_touch.c */
/*
 * The keys of the changes after done up to cur, into m->touch: 0, 1 when
 * one is no longer in the log (a pass then renders everything), -1 when
 * the store failed.
 */
int mat_touch_load(struct mat *m, uint64_t done, uint64_t cur);
/* 1 when a commit touched c: its lists and categories are rendered. */
int mat_touch_lists(const struct mat *m, const struct collection *c);
/* 1 when a commit touched the entry, or its slug (slug may be NULL). */
int mat_touch_entry(const struct mat *m, const struct collection *c,
    const char *doc, const char *locale, const char *slug);
/*
 * Calls fn with the parts of each distinct touched key of kind: 'E'
 * (collection, documentId, locale), 'S' (collection, locale, slug), 'C'
 * (collection, locale, category), 'L' (collection, NULL, NULL).
 */
void mat_touch_each(struct mat *m, char kind,
    void (*fn)(struct mat *, const char *, const char *, const char *));
void mat_touch_clear(struct mat *m);

#endif
