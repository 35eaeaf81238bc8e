/* admin.c: verification of the indexes and logs (retention: retain.c) */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/store_int.h"
#include "util/xmalloc.h"

struct verify {
	struct store *st;
	DB_TXN *txn;
	store_report_cb report;
	void *arg;
	size_t problems;
	uint64_t entries, with_slug, with_category;
	uint64_t *in_attr; /* entries each attribute index should hold */
};

static void problem(struct verify *v, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
problem(struct verify *v, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->problems++;
	if (v->report != NULL)
		v->report(v->arg, msg);
}

static int
has_pair(DB *raw, DB_TXN *txn, const struct buf *key, const DBT *pkey)
{
	DBT k, d;
	int ret;

	memset(&k, 0, sizeof(k));
	k.data = key->data;
	k.size = (u_int32_t)key->len;
	memset(&d, 0, sizeof(d));
	d.data = pkey->data;
	d.size = pkey->size;
	ret = raw->get(raw, txn, &k, &d, 0);
	if (ret != 0)
		return 0;
	return 1;
}

static int
has_dup(DB *sec, DB_TXN *txn, const struct buf *key, const DBT *pkey)
{
	DBC *c;
	DBT k, pk, d;
	int ret, found = 0;

	if (sec->cursor(sec, txn, &c, 0) != 0)
		return 0;
	memset(&k, 0, sizeof(k));
	k.data = key->data;
	k.size = (u_int32_t)key->len;
	memset(&pk, 0, sizeof(pk));
	pk.data = pkey->data;
	pk.size = pkey->size;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = c->pget(c, &k, &pk, &d, DB_GET_BOTH);
	if (ret == 0)
		found = 1;
	c->close(c);
	return found;
}

/* The entry in each attribute index, at the key its value gives now. */
static void
check_attrs(struct verify *v, const DBT *k, const DBT *d, const char *coll,
    const char *doc)
{
	struct store_attr *a;
	struct buf key;
	DBT sk;
	size_t i;

	buf_init(&key);
	for (i = 0; i < v->st->nattr; i++) {
		a = &v->st->attr[i];
		if (a->raw == NULL || store_index_attr_of(a, k, d, &sk) != 0)
			continue;
		v->in_attr[i]++;
		buf_reset(&key);
		buf_add(&key, sk.data, sk.size);
		free(sk.data);
		if (!has_pair(a->raw, v->txn, &key, k))
			problem(v, "%s: missing %s/%s at its value", a->file,
			    coll, doc);
	}
	buf_clear(&key);
}

static void
check_entry(struct verify *v, const DBT *k, const DBT *d)
{
	struct store_pkey pk;
	struct store_val val;
	struct buf key;
	char coll[128], loc[64], doc[STORE_MAX_ID + 1], tmp[1024];

	if (store_key_parse_primary(k->data, k->size, &pk) == -1 ||
	    store_val_decode(d->data, d->size, &val) == -1 ||
	    pk.coll_len >= sizeof(coll) || pk.locale_len >= sizeof(loc) ||
	    pk.doc_len >= sizeof(doc)) {
		problem(v, "entries: malformed record");
		return;
	}
	v->entries++;
	snprintf(coll, sizeof(coll), "%.*s", (int)pk.coll_len, pk.coll);
	snprintf(loc, sizeof(loc), "%.*s", (int)pk.locale_len, pk.locale);
	snprintf(doc, sizeof(doc), "%.*s", (int)pk.doc_len, pk.doc);
	buf_init(&key);
	store_key_list_pos(&key, coll, loc, NULL, val.published_at, doc);
	if (!has_pair(v->st->by_time_raw, v->txn, &key, k))
		problem(v, "by_time: missing %s/%s", coll, doc);
	if (val.category != NULL) {
		v->with_category++;
		snprintf(tmp, sizeof(tmp), "%.*s", (int)val.category_len,
		    val.category);
		store_key_list_pos(&key, coll, loc, tmp, val.published_at, doc);
		if (!has_pair(v->st->by_category_raw, v->txn, &key, k))
			problem(v, "by_category: missing %s/%s", coll, doc);
	}
	if (val.slug != NULL) {
		v->with_slug++;
		snprintf(tmp, sizeof(tmp), "%.*s", (int)val.slug_len, val.slug);
		store_key_slug(&key, coll, loc, tmp);
		if (!has_dup(v->st->by_slug, v->txn, &key, k))
			problem(v, "by_slug: missing %s/%s", coll, doc);
	}
	if (v->st->by_id_raw != NULL) {
		DBT sk;

		/* the key the entry's id gives now (the index's extractor) */
		if (store_index_id(NULL, k, d, &sk) != 0)
			problem(v, "by_id: no key for %s/%s", coll, doc);
		else {
			buf_reset(&key);
			buf_add(&key, sk.data, sk.size);
			free(sk.data);
			if (!has_pair(v->st->by_id_raw, v->txn, &key, k))
				problem(v, "by_id: missing %s/%s at its id",
				    coll, doc);
		}
	}
	check_attrs(v, k, d, coll, doc);
	buf_clear(&key);
}

/* 1 when the pair (key, data) is in db (a duplicates database). */
static int
has_both(DB *db, DB_TXN *txn, void *key, size_t klen, void *data, size_t dlen)
{
	DBT k, d;

	store_dbt_in(&k, key, klen);
	store_dbt_in(&d, data, dlen);
	d.ulen = d.size;
	d.flags = DB_DBT_USERMEM;
	return db->get(db, txn, &k, &d, DB_GET_BOTH) == 0;
}

/* "collection/documentId" and "@locale" when it has one, of a key. */
static void
name_key(char *out, size_t outsz, const void *k, size_t n)
{
	struct store_pkey pk;

	if (store_key_parse_primary(k, n, &pk) == -1)
		snprintf(out, outsz, "(malformed key)");
	else
		snprintf(out, outsz, "%.*s/%.*s%s%.*s", (int)pk.coll_len,
		    pk.coll, (int)pk.doc_len, pk.doc, pk.locale_len ? "@" : "",
		    (int)pk.locale_len, pk.locale);
}

/*
 * The referrer index (refs.c): each reference a referrer keeps
 * (refs_from) is in refs and its referrer is stored; each record of refs
 * is one a referrer keeps. Returns 0, or a BDB error.
 */
static int
check_refs(struct verify *v, DB *refs, DB *from)
{
	DBC *c = NULL;
	DBT k, d;
	struct buf other;
	const char *attr;
	size_t pklen, alen;
	char a[256], b[256];
	int ret, pass;

	buf_init(&other);
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	/* pass 0: refs_from against refs and entries; 1: refs against it. */
	for (pass = 0; pass < 2; pass++) {
		DB *db = pass == 0 ? from : refs;

		if ((ret = db->cursor(db, v->txn, &c, 0)) != 0)
			goto out;
		while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
			if (store_key_parse_ref(d.data, d.size, &pklen, &attr,
			        &alen) == -1) {
				problem(v, "%s: malformed record",
				    pass == 0 ? "refs_from" : "refs");
				continue;
			}
			name_key(a, sizeof(a), k.data, k.size);
			name_key(b, sizeof(b), d.data, pklen);
			/* The same pair, seen from the other database. */
			store_key_ref(&other, k.data, k.size, attr, alen);
			if (pass == 0 &&
			    !has_both(refs, v->txn, d.data, pklen, other.data,
			        other.len))
				problem(v, "refs: missing %s -> %s (%.*s)", a,
				    b, (int)alen, attr);
			if (pass == 0 &&
			    v->st->entries->exists(v->st->entries, v->txn, &k,
			        0) != 0)
				problem(v,
				    "refs_from: %s refers to %s (%.*s) but is "
				    "not stored",
				    a, b, (int)alen, attr);
			if (pass == 1 &&
			    !has_both(from, v->txn, d.data, pklen, other.data,
			        other.len))
				problem(v,
				    "refs: %s <- %s (%.*s), which %s does not "
				    "refer to",
				    a, b, (int)alen, attr, b);
		}
		c->close(c);
		c = NULL;
		if (ret != DB_NOTFOUND)
			goto out;
	}
	ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(d.data);
	buf_clear(&other);
	return ret;
}

static uint64_t
count_and_check(struct verify *v, DB *db, const char *name)
{
	DBC *c;
	DBT k, d, pv;
	uint64_t n = 0;
	int ret;

	if (db->cursor(db, v->txn, &c, 0) != 0) {
		problem(v, "%s: cannot open cursor", name);
		return 0;
	}
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	memset(&pv, 0, sizeof(pv));
	pv.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
		n++;
		if (v->st->entries->get(v->st->entries, v->txn, &d, &pv, 0) !=
		    0)
			problem(v, "%s: record points to a missing entry",
			    name);
	}
	c->close(c);
	free(k.data);
	free(d.data);
	return n;
}

/*
 * Checks that every index agrees with the entries (each entry indexed,
 * no index record without its entry), that the referrer index agrees
 * with the references each referrer keeps (check_refs), and that the
 * change log has no gap and ends at the last sequence. Calls report for each problem. Returns
 * 0 with *problems, or -1 when the store could not be read.
 */
int
store_verify(struct store *st, store_report_cb report, void *arg,
    size_t *problems)
{
	struct verify v;
	DBC *c = NULL;
	DBT k, d;
	int ret;
	size_t i;
	uint64_t n, prev = 0, first = 0, last, seq = 0;
	unsigned char sb[8];

	memset(&v, 0, sizeof(v));
	v.st = st;
	v.report = report;
	v.arg = arg;
	/* The referrer index, when made since st was opened without it. */
	if (store_refs_open(st) == -1)
		return -1;
	if ((ret = st->env->txn_begin(st->env, NULL, &v.txn,
	         store_snapshot_flag(st))) != 0) {
		store_fail(st, "verify", ret);
		return -1;
	}
	v.in_attr = xcalloc(st->nattr + 1, sizeof(*v.in_attr));
	memset(&k, 0, sizeof(k));
	k.flags = DB_DBT_REALLOC;
	memset(&d, 0, sizeof(d));
	d.flags = DB_DBT_REALLOC;
	if ((ret = st->entries->cursor(st->entries, v.txn, &c, 0)) != 0)
		goto fail;
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0)
		check_entry(&v, &k, &d);
	c->close(c);
	c = NULL;
	if (ret != DB_NOTFOUND)
		goto fail;
	if ((n = count_and_check(&v, st->by_time_raw, "by_time")) != v.entries)
		problem(&v,
		    "by_time: %" PRIu64 " records for %" PRIu64 " entries", n,
		    v.entries);
	if (st->by_id_raw != NULL &&
	    (n = count_and_check(&v, st->by_id_raw, "by_id")) != v.entries)
		problem(&v,
		    "by_id: %" PRIu64 " records for %" PRIu64 " entries", n,
		    v.entries);
	for (i = 0; i < st->nattr; i++)
		if (st->attr[i].raw != NULL &&
		    (n = count_and_check(&v, st->attr[i].raw,
		         st->attr[i].file)) != v.in_attr[i])
			problem(&v,
			    "%s: %" PRIu64 " records for %" PRIu64
			    " entries of %s",
			    st->attr[i].file, n, v.in_attr[i],
			    st->attr[i].collection);
	if ((n = count_and_check(&v, st->by_category_raw, "by_category")) !=
	    v.with_category)
		problem(&v,
		    "by_category: %" PRIu64 " records for %" PRIu64
		    " entries with a category",
		    n, v.with_category);
	{
		DB *raw;

		if (db_create(&raw, st->env, 0) == 0 &&
		    raw->set_flags(raw, DB_DUP | DB_DUPSORT) == 0 &&
		    raw->open(raw, NULL, "by_slug.db", NULL, DB_BTREE,
		        DB_AUTO_COMMIT | store_mvcc_flag(st), 0) == 0) {
			if ((n = count_and_check(&v, raw, "by_slug")) !=
			    v.with_slug)
				problem(&v,
				    "by_slug: %" PRIu64 " records for "
				    "%" PRIu64 " entries with a slug",
				    n, v.with_slug);
			raw->close(raw, 0);
		} else
			problem(&v, "by_slug: cannot open");
	}
	if (st->refs != NULL &&
	    (ret = check_refs(&v, st->refs, st->refs_from)) != 0)
		goto fail;
	if ((ret = st->changes->cursor(st->changes, v.txn, &c, 0)) != 0)
		goto fail;
	while ((ret = c->get(c, &k, &d, DB_NEXT)) == 0) {
		if (k.size != 8) {
			problem(&v, "changes: malformed key");
			continue;
		}
		n = store_be64_get(k.data);
		if (first == 0)
			first = n;
		else if (n != prev + 1)
			problem(&v,
			    "changes: gap between %" PRIu64 " and %" PRIu64,
			    prev, n);
		prev = n;
	}
	c->close(c);
	c = NULL;
	if (ret != DB_NOTFOUND)
		goto fail;
	last = prev;
	free(d.data);
	d.data = NULL;
	{
		DBT mk, mv;

		memset(&mk, 0, sizeof(mk));
		mk.data = (void *)(uintptr_t) "seq";
		mk.size = 3;
		memset(&mv, 0, sizeof(mv));
		mv.data = sb;
		mv.ulen = sizeof(sb);
		mv.flags = DB_DBT_USERMEM;
		if (st->meta->get(st->meta, v.txn, &mk, &mv, 0) == 0 &&
		    mv.size == 8)
			seq = store_be64_get(sb);
	}
	if (first != 0 && last != seq)
		problem(&v,
		    "changes: log ends at %" PRIu64 " but the sequence "
		    "is %" PRIu64,
		    last, seq);
	free(k.data);
	free(v.in_attr);
	v.txn->commit(v.txn, 0);
	*problems = v.problems;
	return 0;
fail:
	if (c != NULL)
		c->close(c);
	free(v.in_attr);
	free(k.data);
	free(d.data);
	v.txn->abort(v.txn);
	store_fail(st, "verify", ret);
	return -1;
}
