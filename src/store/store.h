/* store.h: the Berkeley DB store API (no <db.h> outside src/store) */
#ifndef STORE_H
#define STORE_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define STORE_MAX_RETRIES  16
#define STORE_DRAFT        INT64_MIN /* published_at of none (a draft) */
#define STORE_MAX_ID       128       /* bytes of a documentId, at most */
#define STORE_MAX_CATEGORY 256       /* bytes of a category, at most */
/*
 * The exit status of a process that leaves because the store needs a
 * fresh one (EX_TEMPFAIL): stuck on a dead process (watchdog.c), or the
 * store could not be opened while it recovered. Plain CGI answers the
 * request again in a new process (src/fcgi/cgi.c).
 */
#define STORE_EXIT_AGAIN 75

struct store;

enum store_open_flags {
	STORE_OPEN_DEFAULT = 0,
	STORE_OPEN_REPL_NODE = 2, /* this host's replication process */
	STORE_OPEN_RDONLY = 4,    /* never writes (replicated readers) */
	STORE_OPEN_THREAD = 8,    /* set by store_open_thread */
	STORE_OPEN_RECOVER = 16,  /* run recovery first: new regions */
};

enum store_result {
	STORE_OK,        /* applied / found */
	STORE_UNCHANGED, /* same version already stored (duplicate) */
	STORE_STALE,     /* older than what is stored or tombstoned */
	STORE_NOTFOUND,
	STORE_ERR, /* logged; the store may be full or read-only */
};

enum store_op {
	STORE_OP_UPSERT, /* store the published version */
	STORE_OP_REMOVE, /* unpublish: remove this published version */
	STORE_OP_DELETE, /* document deleted: remove, nothing older returns */
};

enum store_origin {
	STORE_ORIGIN_WEBHOOK,
	STORE_ORIGIN_SYNC,
	STORE_ORIGIN_REPLAY,
};

/* One record of the event log: a delivery and what came of it. */
struct store_event {
	enum store_origin origin;
	const char *event;       /* "entry.publish", or NULL */
	const char *model;       /* "article", or NULL */
	const char *document_id; /* or NULL */
	int status;              /* HTTP status answered */
	const char *outcome;     /* "upserted", "stale", "rejected", ... */
	const char *detail;      /* why it failed, or NULL */
	const char *raw;         /* raw body, kept for failed deliveries */
	size_t raw_len;
	int64_t time_ms; /* filled by the store when 0 */
};

/*
 * Bounds on the change log and the event log, applied by the writers
 * after their commits (store_set_retention). 0: that bound is off.
 */
struct store_retention {
	uint64_t changes_keep; /* records */
	uint64_t changes_max_bytes;
	int64_t changes_max_age_ms;
	uint64_t events_keep;
	uint64_t events_max_bytes;
	int64_t events_max_age_ms;
};

/* A reference from a document to another, for the referrer index. */
struct store_ref {
	const char *attr;        /* the referring attribute ("author") */
	const char *collection;  /* the target's content type */
	const char *document_id; /* the target's documentId */
	const char *locale;      /* the target's locale, "" when none */
};

/*
 * A version of a document, as the store keeps it: its keys, its version
 * (updatedAt, publishedAt in ms) and its JSON bytes. Borrowed.
 */
struct store_doc {
	const char *collection;      /* the content type's singular name */
	const char *document_id;     /* at most STORE_MAX_ID bytes */
	const char *locale;          /* "" for types without locales */
	const char *slug, *category; /* NULL when none */
	int64_t updated_at;
	int64_t published_at; /* STORE_DRAFT: none */
	const char *json;     /* the whole entry, compact */
	size_t json_len;
	const char *change_json; /* what the change log records; NULL: json */
	size_t change_len;
	const struct store_ref *refs; /* what the entry refers to */
	size_t nrefs;
};

/* A write for store_apply_batch. */
struct store_write {
	enum store_op op;
	const struct store_doc *doc;
	enum store_result result; /* out */
	uint64_t seq;             /* out: change seq when applied */
};

/* A change-log record, as readers see it. Strings are borrowed. */
struct store_change {
	uint64_t seq;
	enum store_op op; /* UPSERT, or REMOVE for both remove and delete */
	int64_t time_ms;
	const char *collection;
	const char *document_id;
	const char *locale;
	const char *old_slug, *old_category; /* NULL when none */
	const char *new_slug, *new_category; /* NULL when none / removed */
	int64_t old_published_at, new_published_at; /* STORE_DRAFT: none */
	const char *json; /* the entry for UPSERT, NULL for REMOVE */
	size_t json_len;
};

/* A stored entry, as list and get readers see it. Borrowed. */
struct store_item {
	const char *document_id;
	const char *locale;
	const char *slug, *category; /* NULL when none */
	int64_t published_at, updated_at;
	uint64_t seq; /* change that wrote it */
	const char *json;
	size_t json_len;
};

/* A position in a list, for cursor paging. */
struct store_pos {
	int64_t published_at; /* the id, in a by_id list */
	char document_id[STORE_MAX_ID + 1];
};

struct store_list_query {
	const char *collection;
	const char *locale;            /* "" for types without locales */
	const char *category;          /* NULL: every entry (by publishedAt) */
	int ascending;                 /* oldest first */
	uint64_t offset;               /* entries to skip (page paging) */
	size_t limit;                  /* entries to return; 0 counts only */
	const struct store_pos *after; /* cursor paging: strictly after */
	int by_id; /* by_id (no category): id ascending unless descending */
	int descending;
};

/* Return non-zero to stop the walk. */
typedef int (*store_item_cb)(void *, const struct store_item *);
typedef int (*store_change_cb)(void *, const struct store_change *);
/* An event-log record: its id, a JSON summary, and the raw body if kept. */
typedef int (*store_event_cb)(void *, uint64_t id, const char *summary,
    size_t summary_len, const char *raw, size_t raw_len);
typedef void (*store_report_cb)(void *, const char *problem);
/* A document that refers to another: its keys and referring attribute. */
typedef int (*store_ref_cb)(void *, const char *collection,
    const char *document_id, const char *locale, const char *attr);

/* Called after a commit that logged changes, with the last one's seq. */
typedef void (*store_commit_cb)(void *, uint64_t seq);

/*
 * The read watch (watchdog.c): a request stuck on a dead process's mutex
 * jumps back to store_read_jump, which the caller set with sigsetjmp
 * before store_read_watch(st, 1).
 */
extern sigjmp_buf store_read_jump;
int store_read_watch(struct store *, int on);
/*
 * The entry's Strapi id, read from its JSON by the layer that knows JSON:
 * 0 and *id, or -1 when it has none. Set before store_open by every
 * program (the store keeps its default-order index, by_id, with it); a
 * process without it opens no by_id and must not write.
 */
typedef int (*store_id_fn)(const char *json, size_t len, int64_t *id);
void store_set_id_reader(store_id_fn);
int store_has_id_reader(void);
int store_has_id_order(struct store *);
/*
 * Attribute indexes: a secondary per (collection, attribute) the
 * configuration names, keyed by what the reader the program sets takes
 * from the JSON (the store never parses it): bytes whose order is the
 * query language's. store_set_attr_indexes opens them (building one
 * that is new from the entries, as by_id is), after store_open; a writer
 * of a standalone store drops the files of those no longer listed. Every
 * writer must list the same, as every writer sets the id reader.
 */
typedef int (*store_attr_fn)(const char *json, size_t len, const char *attr,
    int cls, struct buf *key);
void store_set_attr_reader(store_attr_fn);
struct store_attr_index {
	const char *collection;
	const char *attr;
	int cls; /* the reader's class of the attribute */
};
int store_set_attr_indexes(struct store *, const struct store_attr_index *,
    size_t);
int store_attr_find(struct store *, const char *collection, const char *attr,
    int cls);
const char *store_attr_file(struct store *, int);
/* Keys from lo (inclusive) to hi (exclusive; hi_open: the last). */
struct store_attr_span {
	const void *lo;
	size_t lolen;
	const void *hi;
	size_t hilen;
	int hi_open;
};
int store_attr_count(struct store *, int index, const char *locale,
    const struct store_attr_span *, uint64_t *n);
/* An entry of a walk and its key (the reader's bytes, then documentId). */
typedef int (*store_attr_cb)(void *, const void *key, size_t keylen,
    const struct store_item *);
/* Whether a walk reads the entry of a key (after the locale). */
typedef int (*store_attr_key_fn)(void *, const void *key, size_t keylen);
int store_attr_scan(struct store *, int index, const char *locale,
    store_attr_key_fn, void *, store_attr_cb, void *, uint64_t *seq);
int store_attr_walk(struct store *, int index, const char *locale,
    const struct store_attr_span *, int descending, uint64_t offset,
    size_t limit, store_attr_cb, void *, uint64_t *seq);
void store_set_cache_size(uint64_t bytes);
int store_cache_size(struct store *, uint64_t *bytes);
int store_open(struct store **, const char *dir, int flags);
int store_open_thread(struct store *parent, struct store **);
void store_set_commit_hook(struct store *, store_commit_cb, void *);
void store_close(struct store *);
/* Crash handling for long-lived processes (reg.c, env.c). */
enum store_health {
	STORE_HEALTHY,   /* nothing to do */
	STORE_DEAD_PEER, /* a process died in the environment */
	STORE_ENV_GONE,  /* the environment was recovered or marked dead */
};
enum store_health store_check(struct store *);
int store_clean_dead(struct store *);
int store_needs_recovery(const struct store *);
int store_recover(struct store *);
int store_was_recovered(const struct store *);
void store_abandon(struct store *);
/* The cause of the last failure, for error messages (fail.c). */
const char *store_why(const struct store *);
int store_rolled_back(const struct store *);
int store_reopen(struct store *);
void store_set_durable(struct store *, int);
void store_set_deferred(struct store *, int);
void store_maintain(struct store *);
int store_set_retention(struct store *, const struct store_retention *);
const char *store_dir(const struct store *);

enum store_result store_apply(struct store *, enum store_op,
    const struct store_doc *, const struct store_event *, uint64_t *seq);
int store_apply_batch(struct store *, struct store_write *, size_t,
    const struct store_event *);
int store_log_event(struct store *, const struct store_event *);

int store_last_seq(struct store *, uint64_t *);
int store_peek_seq(struct store *, uint64_t *);
int store_change_bounds(struct store *, uint64_t *first, uint64_t *last);
/* read.c: one snapshot for several reads (a request's) */
int store_read_begin(struct store *);
int store_read_seq(const struct store *, uint64_t *);
void store_read_end(struct store *);
int store_read_begin_kept(struct store *);
void store_read_keep(struct store *);
void store_read_release(struct store *);
enum store_result store_get(struct store *, const char *collection,
    const char *document_id, const char *locale, struct buf *json,
    uint64_t *seq);
enum store_result store_get_by_slug(struct store *, const char *collection,
    const char *locale, const char *slug, struct buf *json, uint64_t *seq);
int store_slug_count(struct store *, const char *collection, const char *locale,
    const char *slug, uint64_t *n);
int store_list(struct store *, const struct store_list_query *, store_item_cb,
    void *, uint64_t *total, uint64_t *seq);
int store_scan(struct store *, const char *collection, const char *locale,
    store_item_cb, void *, uint64_t *seq);
int store_changes_since(struct store *, uint64_t after, size_t max,
    store_change_cb, void *);
int store_changes_between(struct store *, uint64_t after, uint64_t to,
    store_change_cb, void *);
int store_events(struct store *, uint64_t after, int failed_only,
    store_event_cb, void *);
/* cseq.c: the seq of a collection's last change; the last entry got's */
int store_coll_seq(struct store *, const char *collection, uint64_t *);
int store_slug_seq(struct store *, const char *collection, const char *locale,
    const char *slug, uint64_t *);
uint64_t store_got_seq(const struct store *);
int store_iter_entries(struct store *, const char *collection, store_item_cb,
    void *);
/* refs.c: every document referring to (collection, documentId, locale) */
int store_referrers(struct store *, const char *collection,
    const char *document_id, const char *locale, store_ref_cb, void *);
int store_verify(struct store *, store_report_cb, void *, size_t *problems);
int store_trim(struct store *, const struct store_retention *,
    uint64_t *removed_changes, uint64_t *removed_events);
int store_log_bytes(struct store *, uint64_t *changes, uint64_t *events);
int store_meta_get(struct store *, const char *key, int64_t *);
int store_meta_set(struct store *, const char *key, int64_t);
/* blob.c: named blobs in meta.db (the content model pulled from Strapi) */
int store_blob_set(struct store *, const char *const *names,
    const char *const *values, const size_t *lens, size_t n);
int store_blob_get(struct store *, const char *name, struct buf *out);

const char *store_result_name(enum store_result);

/* write.c: sync's dry run; backup.c: hot backup, sizes */
int store_apply_batch_dry(struct store *, struct store_write *, size_t);
int store_backup(struct store *, const char *target);
int store_backup_pack(const char *target);
int store_size(struct store *, uint64_t *bytes);
/*
 * With SL_STORE_TRACE set in the environment (the kill tests set it), a
 * log line "trace: <message>"; nothing otherwise.
 */
void store_trace(const char *, ...) PRINTFLIKE(1, 2);

#endif
