/* env_dbs.c: opening a database file, and the optional indexes */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "util/log.h"
#include "store/store_int.h"
#include "store/store_repl.h"
#include "util/xmalloc.h"

/*
 * Every database's key order: Berkeley DB's default one (bytes compared
 * unsigned, a key before the longer ones it begins), by memcmp. The
 * default compares a byte at a time, and the store's keys share long
 * prefixes (collection, documentId's leading zeros): a fifth of a list's
 * B-tree lookups went to it. The order is the default's, so files written
 * before or by other tools read the same.
 */
static int
key_cmp(DB *db UNUSED, const DBT *a, const DBT *b)
{
	size_t n = a->size < b->size ? a->size : b->size;
	int c = n > 0 ? memcmp(a->data, b->data, n) : 0;

	if (c != 0)
		return c;
	return a->size < b->size ? -1 : a->size > b->size;
}

/*
 * With a comparator of its own, Berkeley DB compresses no internal key
 * unless given a prefix function too: the bytes of b that order it after
 * a (a < b), as the default one counts them.
 */
static size_t
key_prefix(DB *db UNUSED, const DBT *a, const DBT *b)
{
	const unsigned char *p = a->data, *q = b->data;
	size_t i, n = a->size < b->size ? a->size : b->size;

	for (i = 0; i < n; i++)
		if (p[i] != q[i])
			return i + 1;
	if (a->size < b->size)
		return a->size + 1;
	if (b->size < a->size)
		return b->size + 1;
	return b->size;
}

/*
 * Opens file into *dbp. optional: a missing file is no error, and 1 is
 * returned (a read-only opener, or a replica, of a store made before the
 * file existed). Returns 0, 1, or -1 after logging.
 */
int
store_db_open_with(struct store *st, DB **dbp, const char *file,
    u_int32_t dbflags, int optional)
{
	DB *db;
	int ret;

	if ((ret = db_create(&db, st->env, 0)) != 0) {
		st->open_ret = ret; /* DB_RUNRECOVERY: open_handles retries */
		store_fail(st, "db_create", ret);
		return -1;
	}
	/*
	 * Not with replication: the replication process's free-threaded
	 * handles then fail their reads (BDB0630, "DB_THREAD mandates
	 * memory allocation flag on key DBT"). The order is the same.
	 */
	if ((!store_repl_enabled() &&
	        ((ret = db->set_bt_compare(db, key_cmp)) != 0 ||
	            (ret = db->set_bt_prefix(db, key_prefix)) != 0)) ||
	    (dbflags != 0 && (ret = db->set_flags(db, dbflags)) != 0)) {
		st->open_ret = ret;
		store_fail(st, file, ret);
		db->close(db, 0);
		return -1;
	}
	ret = db->open(db, NULL, file, NULL, DB_BTREE,
	    store_repl_open_flags(st) | store_mvcc_flag(st), 0600);
	if (ret != 0) {
		st->open_ret = ret;
		db->close(db, 0);
		if (optional && ret == ENOENT)
			return 1;
		log_warnx("store: opening %s/%s: %s", st->dir, file,
		    db_strerror(ret));
		return -1;
	}
	*dbp = db;
	return 0;
}

int
store_db_open(struct store *st, DB **dbp, const char *file, u_int32_t dbflags)
{
	return store_db_open_with(st, dbp, file, dbflags, 0) == 0 ? 0 : -1;
}

/*
 * Opens by_id, the index of Strapi's default order (index.c), when the
 * program set an id reader: created where st may create, and built from
 * the entries the first time (a store written before it) by DB_CREATE, as
 * the other indexes are. A read-only opener that finds it missing goes on
 * without it (lists scan). Returns 0, or -1 after logging.
 */
/*
 * Associates the index db (its file's name) with st's entries, cb making
 * an entry's keys. With DB_CREATE, Berkeley DB builds an empty index from
 * every entry: needed the first time (an index added to a store that
 * has entries: an upgrade, a new attribute index), but an index no entry
 * has a key in (by_category over entries without a category, an
 * attribute none holds) stays empty, and every open walked every entry
 * again: half a second of each plain-CGI request at 100,000 articles.
 * So meta keeps "built:<file>", the file's unique id (made when the file
 * was), once the index was built, and later opens of that same file
 * associate without DB_CREATE (the library keeps it up to date on every
 * write); a file made again (removed, lost, an index listed again) is
 * built again. Returns 0 or a BDB error.
 */
int
store_associate(struct store *st, DB *db, const char *file,
    int (*cb)(DB *, const DBT *, const DBT *, DBT *))
{
	char key[128];
	u_int8_t id[DB_FILE_ID_LEN], was[DB_FILE_ID_LEN];
	u_int32_t flags = store_repl_assoc_flags(st);
	DB_MPOOLFILE *mpf = db->get_mpf(db);
	DBT k, v;
	int ret, known;

	(void)snprintf(key, sizeof(key), "built:%s", file);
	store_dbt_in(&k, key, strlen(key));
	memset(&v, 0, sizeof(v));
	v.data = was;
	v.ulen = sizeof(was);
	v.flags = DB_DBT_USERMEM;
	known = mpf != NULL && mpf->get_fileid(mpf, id) == 0;
	if ((flags & DB_CREATE) && known &&
	    st->meta->get(st->meta, NULL, &k, &v, 0) == 0 &&
	    v.size == sizeof(id) && memcmp(was, id, sizeof(id)) == 0)
		flags &= ~(u_int32_t)DB_CREATE;
	if ((ret = st->entries->associate(st->entries, NULL, db, cb, flags)) !=
	    0)
		return ret;
	if ((flags & DB_CREATE) && known) {
		store_dbt_in(&v, id, sizeof(id));
		/* not kept: the next open builds (finds) it again */
		if ((ret = st->meta->put(st->meta, NULL, &k, &v,
		         DB_AUTO_COMMIT)) != 0)
			log_info("store: noting index %s built: %s", file,
			    db_strerror(ret));
	}
	return 0;
}

int
store_id_order_open(struct store *st)
{
	int r, ret;

	if (!store_has_id_reader())
		return 0;
	r = store_db_open_with(st, &st->by_id, "by_id.db", DB_RECNUM, 1);
	if (r == 1)
		return 0;
	if (r == -1 ||
	    store_db_open(st, &st->by_id_raw, "by_id.db", DB_RECNUM) == -1)
		return -1;
	if ((ret = store_associate(st, st->by_id, "by_id.db",
	         store_index_id)) != 0) {
		st->open_ret = ret; /* a deadlock: open_handles retries */
		log_warnx("store: associating by_id: %s", db_strerror(ret));
		return -1;
	}
	return 0;
}

/* 1 when st lists Strapi's default order from by_id. */
int
store_has_id_order(struct store *st)
{
	return st->by_id_raw != NULL;
}

/*
 * Opens the referrer index (refs.db and refs_from.db, duplicates sorted;
 * refs.c) when st has not yet: created where st may create (a writer on
 * a standalone store or on the master). A read-only opener, or a replica
 * whose master has not created it yet (libdb ignores DB_CREATE on a
 * replica), finds it missing: st goes on without it (its readers see no
 * referrer) and the next reader or writer tries again. Returns 0 when
 * open, 1 when missing, -1 after logging.
 */
int
store_refs_open(struct store *st)
{
	int r;

	if (st->refs != NULL)
		return 0;
	r = store_db_open_with(st, &st->refs_from, "refs_from.db",
	    DB_DUP | DB_DUPSORT, 1);
	if (r != 0)
		return r;
	r = store_db_open_with(st, &st->refs, "refs.db", DB_DUP | DB_DUPSORT,
	    1);
	if (r != 0) {
		st->refs_from->close(st->refs_from, 0);
		st->refs_from = NULL;
	}
	return r;
}

/*
 * The attribute indexes of st: each opened where it exists or st may
 * create it, associated (DB_CREATE builds a new one from the entries,
 * as by_id). One missing on a read-only opener or a replica (its master
 * has not made it) is left closed: its lists scan. Returns 0 or -1.
 */
int
store_attrs_open(struct store *st)
{
	struct store_attr *a;
	size_t i;
	int r, ret;

	for (i = 0; i < st->nattr; i++) {
		a = &st->attr[i];
		if (a->db != NULL)
			continue;
		r = store_db_open_with(st, &a->db, a->file, DB_RECNUM, 1);
		if (r == 1)
			continue;
		if (r == -1 ||
		    store_db_open(st, &a->raw, a->file, DB_RECNUM) == -1)
			return -1;
		a->db->app_private = a;
		if ((ret = store_associate(st, a->db, a->file,
		         store_index_attr)) != 0) {
			log_warnx("store: associating %s: %s", a->file,
			    db_strerror(ret));
			return -1;
		}
	}
	return 0;
}

/* Replaces the attribute indexes' list of st (closed) by a copy of v. */
void
store_attrs_copy(struct store *st, const struct store_attr_index *v, size_t n)
{
	size_t i;

	for (i = 0; i < st->nattr; i++) {
		free(st->attr[i].collection);
		free(st->attr[i].attr);
		free(st->attr[i].file);
	}
	free(st->attr);
	st->attr = n > 0 ? xcalloc(n, sizeof(*st->attr)) : NULL;
	st->nattr = n;
	for (i = 0; i < n; i++) {
		st->attr[i].collection = xstrdup(v[i].collection);
		st->attr[i].attr = xstrdup(v[i].attr);
		st->attr[i].cls = v[i].cls;
		xasprintf(&st->attr[i].file, "attr.%s.%s.%d.db",
		    v[i].collection, v[i].attr, v[i].cls);
	}
}

/* The attribute indexes of parent, for a thread's store. */
void
store_attrs_inherit(struct store *st, const struct store *parent)
{
	struct store_attr_index *v;
	size_t i;

	v = parent->nattr > 0 ? xcalloc(parent->nattr, sizeof(*v)) : NULL;
	for (i = 0; i < parent->nattr; i++) {
		v[i].collection = parent->attr[i].collection;
		v[i].attr = parent->attr[i].attr;
		v[i].cls = parent->attr[i].cls;
	}
	store_attrs_copy(st, v, parent->nattr);
	free(v);
}

/*
 * Removes the attribute indexes' files of st's directory that st does
 * not list (an index taken out of the configuration, or of an attribute
 * whose type changed): left, it would miss the writes made without it,
 * and be wrong when listed again. A file another process still has
 * open is left, with a warning (it goes at a later open).
 */
static void
drop_stale_attrs(struct store *st)
{
	struct dirent *de;
	DIR *d;
	size_t i, n;
	int ret, listed;

	if ((d = opendir(st->dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (strncmp(de->d_name, "attr.", 5) != 0 || n < 8 ||
		    strcmp(de->d_name + n - 3, ".db") != 0)
			continue;
		for (i = 0, listed = 0; i < st->nattr && !listed; i++)
			listed = strcmp(st->attr[i].file, de->d_name) == 0;
		if (listed)
			continue;
		ret = st->env->dbremove(st->env, NULL, de->d_name, NULL,
		    DB_AUTO_COMMIT);
		if (ret != 0)
			log_warnx("store: index %s, no longer configured, "
			          "not removed: %s",
			    de->d_name, db_strerror(ret));
		else
			log_info("store: index %s, no longer configured, "
			         "removed",
			    de->d_name);
	}
	closedir(d);
}

/*
 * Sets the attribute indexes of st (n of v) and opens them; a writer of
 * a standalone store first removes those of its directory no longer
 * listed. Returns 0, or -1 after logging.
 */
int
store_set_attr_indexes(struct store *st, const struct store_attr_index *v,
    size_t n)
{
	size_t i;

	for (i = 0; i < st->nattr; i++) {
		if (st->attr[i].db != NULL)
			st->attr[i].db->close(st->attr[i].db, 0);
		if (st->attr[i].raw != NULL)
			st->attr[i].raw->close(st->attr[i].raw, 0);
	}
	store_attrs_copy(st, v, n);
	if (!(st->flags & (STORE_OPEN_RDONLY | STORE_OPEN_THREAD)) &&
	    st->repl == NULL)
		drop_stale_attrs(st);
	return store_attrs_open(st);
}

/* The open index of (collection, attr, cls), or -1. */
int
store_attr_find(struct store *st, const char *collection, const char *attr,
    int cls)
{
	size_t i;

	for (i = 0; i < st->nattr; i++)
		if (st->attr[i].raw != NULL && st->attr[i].cls == cls &&
		    strcmp(st->attr[i].collection, collection) == 0 &&
		    strcmp(st->attr[i].attr, attr) == 0)
			return (int)i;
	return -1;
}

/* The file of index i (store_attr_find). */
const char *
store_attr_file(struct store *st, int i)
{
	return i >= 0 && (size_t)i < st->nattr ? st->attr[i].file : "";
}
