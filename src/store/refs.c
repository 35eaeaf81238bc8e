/* refs.c: the referrer index: which documents refer to a document */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "store/store_int.h"
#include "util/xmalloc.h"

/*
 * Two databases of sorted duplicates, written by the write path (write.c)
 * in the transaction of the entry whose references they hold (key.c has
 * the layouts):
 *
 *   refs.db       a target -> each (referrer, attribute) referring to it
 *   refs_from.db  a referrer -> each (target, attribute) it refers to
 *
 * refs.db answers store_referrers. refs_from.db is the referrer's own
 * list: an upsert or a removal finds there the references to take out of
 * refs.db, without the entry's JSON (which the store does not parse). It
 * is a database of its own rather than a list in the entries' value
 * header, so the entries' layout (and every extractor, reader and older
 * binary that decodes it) stays as it was, and a document without
 * references costs one lookup that finds nothing.
 *
 * An upsert replaces the referrer's references whole, and writes nothing
 * when they did not change: so the same version delivered again (an
 * unchanged upsert; a sync) fills in the references of an entry stored
 * before the index existed, at the price of one read when they are there.
 */

/* A DBT for input that libdb may write back (the same bytes) into. */
static void
dbt_user(DBT *d, void *p, size_t n)
{
	store_dbt_in(d, p, n);
	d->ulen = d->size;
	d->flags = DB_DBT_USERMEM;
}

/* Deletes the pair (key, data) of a duplicates database, if there. */
static int
del_pair(DB *db, DB_TXN *txn, void *key, size_t klen, void *data, size_t dlen)
{
	DBC *c;
	DBT k, d;
	int ret, cret;

	if ((ret = db->cursor(db, txn, &c, 0)) != 0)
		return ret;
	dbt_user(&k, key, klen);
	dbt_user(&d, data, dlen);
	ret = c->get(c, &k, &d, DB_GET_BOTH | DB_RMW);
	if (ret == 0)
		ret = c->del(c, 0);
	else if (ret == DB_NOTFOUND)
		ret = 0;
	if ((cret = c->close(c)) != 0 && ret == 0)
		ret = cret;
	return ret;
}

/*
 * Removes every reference of the referrer whose primary key is pk, from
 * both databases, inside txn. Returns 0, or a BDB error.
 */
int
store_refs_drop(struct store *st, DB_TXN *txn, const struct buf *pk)
{
	DBC *c = NULL;
	DBT k, d;
	struct buf rd;
	const char *attr;
	size_t tlen, alen;
	int ret, cret;

	if (st->refs == NULL)
		return 0;
	buf_init(&rd);
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	dbt_user(&k, pk->data, pk->len);
	if ((ret = st->refs_from->cursor(st->refs_from, txn, &c, 0)) != 0)
		goto out;
	for (ret = c->get(c, &k, &d, DB_SET | DB_RMW); ret == 0;
	     ret = c->get(c, &k, &d, DB_NEXT_DUP | DB_RMW)) {
		if (store_key_parse_ref(d.data, d.size, &tlen, &attr, &alen) ==
		    0) {
			store_key_ref(&rd, pk->data, pk->len, attr, alen);
			if ((ret = del_pair(st->refs, txn, d.data, tlen,
			         rd.data, rd.len)) != 0)
				break;
		}
		if ((ret = c->del(c, 0)) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL && (cret = c->close(c)) != 0 && ret == 0)
		ret = cret;
	free(d.data);
	buf_clear(&rd);
	return ret;
}

/* One reference item of a referrer (target primary key \0 attribute). */
struct item {
	const char *p;
	size_t n, target_len;
};

/* libdb's default order of btree keys and sorted duplicates. */
static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c;

	c = memcmp(x->p, y->p, x->n < y->n ? x->n : y->n);
	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

/*
 * The items of e's references, sorted and without repeats, into *out
 * (borrowing from b, which holds their bytes). Returns their count.
 */
static size_t
new_items(const struct store_doc *e, struct buf *b, struct item **out)
{
	struct item *it;
	struct buf tk, one;
	size_t i, n = 0, *off;

	buf_init(&tk);
	buf_init(&one);
	off = xreallocarray(NULL, e->nrefs + 1, sizeof(*off));
	it = xreallocarray(NULL, e->nrefs + 1, sizeof(*it));
	buf_reset(b);
	for (i = 0; i < e->nrefs; i++) {
		const struct store_ref *r = &e->refs[i];

		store_key_primary(&tk, r->collection, r->document_id,
		    r->locale != NULL ? r->locale : "");
		it[i].target_len = tk.len;
		store_key_ref(&one, tk.data, tk.len, r->attr, strlen(r->attr));
		off[i] = b->len;
		it[i].n = one.len;
		buf_add(b, one.data, one.len);
	}
	for (i = 0; i < e->nrefs; i++)
		it[i].p = b->data + off[i];
	qsort(it, e->nrefs, sizeof(*it), item_cmp);
	for (i = 0; i < e->nrefs; i++)
		if (n == 0 || item_cmp(&it[n - 1], &it[i]) != 0)
			it[n++] = it[i];
	free(off);
	buf_clear(&tk);
	buf_clear(&one);
	*out = it;
	return n;
}

/*
 * Sets *same to 1 when the referrer pk holds exactly the n items it
 * (sorted) in refs_from, else 0. Returns 0, or a BDB error.
 */
static int
same_items(struct store *st, DB_TXN *txn, const struct buf *pk,
    const struct item *it, size_t n, int *same)
{
	DBC *c = NULL;
	DBT k, d;
	size_t i = 0;
	int ret, cret;

	*same = 0;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	dbt_user(&k, pk->data, pk->len);
	if ((ret = st->refs_from->cursor(st->refs_from, txn, &c, 0)) != 0)
		return ret;
	for (ret = c->get(c, &k, &d, DB_SET | DB_RMW); ret == 0;
	     ret = c->get(c, &k, &d, DB_NEXT_DUP | DB_RMW)) {
		if (i == n || d.size != it[i].n ||
		    memcmp(d.data, it[i].p, it[i].n) != 0)
			break;
		i++;
	}
	if (ret == DB_NOTFOUND) {
		ret = 0;
		*same = i == n;
	} else if (ret == 0)
		*same = 0; /* stopped at a difference */
	if ((cret = c->close(c)) != 0 && ret == 0)
		ret = cret;
	free(d.data);
	return ret;
}

/*
 * Makes e's references (e->refs) those of the referrer whose primary key
 * is pk, in both databases, inside txn: nothing is written when they are
 * already. Returns 0, or a BDB error.
 */
int
store_refs_set(struct store *st, DB_TXN *txn, const struct buf *pk,
    const struct store_doc *e)
{
	struct buf b, rd;
	struct item *it = NULL;
	size_t n, i;
	DBT k, d;
	int ret, same;

	if (st->refs == NULL)
		return 0;
	buf_init(&b);
	buf_init(&rd);
	n = new_items(e, &b, &it);
	if ((ret = same_items(st, txn, pk, it, n, &same)) != 0 || same)
		goto out;
	if ((ret = store_refs_drop(st, txn, pk)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		store_dbt_in(&k, pk->data, pk->len);
		store_dbt_in(&d, it[i].p, it[i].n);
		ret = st->refs_from->put(st->refs_from, txn, &k, &d,
		    DB_NODUPDATA);
		if (ret != 0 && ret != DB_KEYEXIST)
			goto out;
		store_key_ref(&rd, pk->data, pk->len,
		    it[i].p + it[i].target_len + 1,
		    it[i].n - it[i].target_len - 1);
		store_dbt_in(&k, it[i].p, it[i].target_len);
		store_dbt_in(&d, rd.data, rd.len);
		ret = st->refs->put(st->refs, txn, &k, &d, DB_NODUPDATA);
		if (ret != 0 && ret != DB_KEYEXIST)
			goto out;
		ret = 0;
	}
out:
	free(it);
	buf_clear(&b);
	buf_clear(&rd);
	return ret;
}

/*
 * Calls cb for each document (collection, documentId, locale, attribute)
 * that refers to the target (collection, document_id, locale), in key
 * order, until cb returns non-zero; in the request's snapshot when one
 * is held (store_read_begin), else in one of its own.
 * A store without the index (read-only, made before it) has none.
 * Returns the number delivered, or -1 after logging.
 */
int
store_referrers(struct store *st, const char *coll, const char *doc,
    const char *locale, store_ref_cb cb, void *arg)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, d;
	struct buf key, s;
	const char *attr, *rc, *rdoc, *rloc;
	size_t pklen, alen;
	int ret, n = 0;

	if ((ret = store_refs_open(st)) != 0)
		return ret == 1 ? 0 : -1;
	if (store_read_txn(st, &txn) == -1)
		return -1;
	buf_init(&key);
	buf_init(&s);
	store_key_primary(&key, coll, doc, locale);
	dbt_user(&k, key.data, key.len);
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	if ((ret = st->refs->cursor(st->refs, txn, &c, 0)) != 0)
		goto out;
	for (ret = c->get(c, &k, &d, DB_SET); ret == 0;
	     ret = c->get(c, &k, &d, DB_NEXT_DUP)) {
		if (store_key_parse_ref(d.data, d.size, &pklen, &attr, &alen) ==
		    -1)
			continue;
		/* coll \0 doc \0 locale \0 attr \0, each a C string */
		buf_reset(&s);
		buf_add(&s, d.data, d.size);
		buf_addc(&s, '\0');
		rc = s.data;
		rdoc = rc + strlen(rc) + 1;
		rloc = rdoc + strlen(rdoc) + 1;
		n++;
		if (cb(arg, rc, rdoc, rloc, s.data + pklen + 1) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(d.data);
	buf_clear(&key);
	buf_clear(&s);
	store_read_done(st, txn);
	if (ret != 0) {
		store_fail(st, "reading referrers", ret);
		return -1;
	}
	return n;
}
