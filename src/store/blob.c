/* blob.c: named blobs kept in meta.db (the content model pulled from Strapi) */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "store/store_int.h"

/* A blob's key in meta: its name after this prefix (no counter has one). */
#define BLOB_PREFIX "blob:"

static void
blob_key(struct buf *k, const char *name)
{
	buf_reset(k);
	buf_adds(k, BLOB_PREFIX);
	buf_adds(k, name);
}

struct blobs {
	const char *const *names;
	const char *const *values;
	const size_t *lens;
	size_t n;
};

static int
blob_body(struct store *st, DB_TXN *txn, struct store_txn *t)
{
	const struct blobs *b = t->arg;
	DBT k, v;
	size_t i;
	int ret;

	for (i = 0; i < b->n; i++) {
		blob_key(&st->k1, b->names[i]);
		store_dbt_in(&k, st->k1.data, st->k1.len);
		store_dbt_in(&v, b->values[i], b->lens[i]);
		if ((ret = st->meta->put(st->meta, txn, &k, &v, 0)) != 0)
			return ret;
	}
	return 0;
}

/*
 * Writes n named blobs (values[i] of lens[i] bytes under names[i]) in one
 * transaction, replacing what each name held; replicated as every write
 * is (a replica refuses). Returns 0 once committed and flushed, or -1
 * after logging (nothing written).
 */
int
store_blob_set(struct store *st, const char *const *names,
    const char *const *values, const size_t *lens, size_t n)
{
	struct blobs b = { names, values, lens, n };
	struct store_txn t;

	if (st->repl != NULL && store_repl_may_write(st) == -1) {
		st->why = "this site is a replica: not writing";
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.what = "blob set";
	t.body = blob_body;
	t.arg = &b;
	t.flags = STORE_TXN_LOGGED | STORE_TXN_FLUSH;
	return store_txn_run(st, &t);
}

/*
 * Reads the blob called name into out (reset first). Returns 0, 1 when
 * the store holds none of that name, or -1 after logging.
 */
int
store_blob_get(struct store *st, const char *name, struct buf *out)
{
	DB_TXN *txn;
	DBT k, v;
	int ret;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	blob_key(&st->k1, name);
	store_dbt_in(&k, st->k1.data, st->k1.len);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_MALLOC;
	ret = st->meta->get(st->meta, txn, &k, &v, 0);
	txn->commit(txn, 0);
	if (ret == DB_NOTFOUND)
		return 1;
	if (ret != 0) {
		store_fail(st, "blob get", ret);
		return -1;
	}
	buf_reset(out);
	buf_add(out, v.data, v.size);
	free(v.data);
	return 0;
}
