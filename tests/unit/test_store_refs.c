/* test_store_refs.c: the store's referrer index and the change log's bytes */
#include "config.h"

#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <db.h>

#include "util/log.h"
#include "store/store.h"
#include "tap.h"

static char dir[256];

/* A document at version ua (seconds past a base), published at ua. */
static void
mkdoc(struct store_doc *d, const char *coll, const char *doc,
    const char *locale, int ua, const struct store_ref *refs, size_t nrefs)
{
	static char json[8][256];
	static int next;
	char *j = json[next++ % 8];

	snprintf(j, 256, "{\"documentId\":\"%s\",\"v\":%d}", doc, ua);
	memset(d, 0, sizeof(*d));
	d->collection = coll;
	d->document_id = doc;
	d->locale = locale;
	d->updated_at = 1700000000000LL + ua * 1000LL;
	d->published_at = d->updated_at;
	d->json = j;
	d->json_len = strlen(j);
	d->refs = refs;
	d->nrefs = nrefs;
}

static enum store_result
put(struct store *st, enum store_op op, const char *coll, const char *doc,
    int ua, const struct store_ref *refs, size_t nrefs)
{
	struct store_doc d;
	uint64_t seq;

	mkdoc(&d, coll, doc, "", ua, refs, nrefs);
	return store_apply(st, op, &d, NULL, &seq);
}

/* The referrers of a target as "coll/doc@locale.attr" lines joined by ' '. */
struct walk {
	char out[1024];
	int n, stop_after;
};

static int
walk_cb(void *arg, const char *coll, const char *doc, const char *locale,
    const char *attr)
{
	struct walk *w = arg;
	size_t len = strlen(w->out);

	snprintf(w->out + len, sizeof(w->out) - len, "%s%s/%s@%s.%s",
	    len > 0 ? " " : "", coll, doc, locale, attr);
	w->n++;
	return w->stop_after != 0 && w->n >= w->stop_after;
}

/* The referrers of (coll, doc, locale), or "ERR" when the read failed. */
static const char *
referrers(struct store *st, const char *coll, const char *doc,
    const char *locale)
{
	static struct walk w;

	memset(&w, 0, sizeof(w));
	if (store_referrers(st, coll, doc, locale, walk_cb, &w) != w.n)
		return "ERR";
	return w.out;
}

static void
report(void *arg, const char *problem)
{
	struct walk *w = arg;
	size_t len = strlen(w->out);

	snprintf(w->out + len, sizeof(w->out) - len, "%s%s", len ? "\n" : "",
	    problem);
	w->n++;
	tap_diag("verify: %s", problem);
}

/* verify's problems, joined by newlines ("" when clean, "ERR"). */
static const char *
verify(struct store *st)
{
	static struct walk w;
	size_t problems = 0;

	memset(&w, 0, sizeof(w));
	if (store_verify(st, report, &w, &problems) == -1 ||
	    problems != (size_t)w.n)
		return "ERR";
	return w.out;
}

struct last_change {
	char json[256];
	int op;
};

static int
change_cb(void *arg, const struct store_change *ch)
{
	struct last_change *l = arg;

	snprintf(l->json, sizeof(l->json), "%.*s", (int)ch->json_len,
	    ch->json != NULL ? ch->json : "");
	l->op = ch->op;
	return 0;
}

/* The JSON of the last change in the log. */
static const char *
last_change_json(struct store *st)
{
	static struct last_change l;
	uint64_t first, last;

	memset(&l, 0, sizeof(l));
	if (store_change_bounds(st, &first, &last) == -1 || last == 0 ||
	    store_changes_since(st, last - 1, 1, change_cb, &l) != 1)
		return "ERR";
	return l.json;
}

static const struct store_ref to_au1[] = {
	{ "author", "author", "au1", "" },
	{ "category", "category", "c1", "" },
};
static const struct store_ref to_au2[] = {
	{ "author", "author", "au2", "" },
};
static const struct store_ref to_au3[] = {
	{ "author", "author", "au3", "" },
};

static void
test_write_path(struct store *st)
{
	struct store_doc d;
	struct store_write w[3];
	struct buf b;
	uint64_t seq;
	static const struct store_ref media[] = {
		{ "cover", "upload.file", "3", "" },
		{ "blocks.media", "upload.file", "3", "" },
		{ "blocks.media", "upload.file", "3", "" }, /* repeated */
		{ "localized", "article", "a9", "fr" },
	};

	ok(put(st, STORE_OP_UPSERT, "article", "a1", 10, to_au1, 2) == STORE_OK,
	    "an article referring to an author and a category is stored");
	ok(strcmp(referrers(st, "author", "au1", ""), "article/a1@.author") ==
	        0,
	    "the author's referrers: the article, by its author attribute");
	ok(strcmp(referrers(st, "category", "c1", ""),
	       "article/a1@.category") == 0,
	    "the category's referrers: the article, by its category");
	ok(put(st, STORE_OP_UPSERT, "article", "a2", 10, to_au1, 1) == STORE_OK,
	    "a second article referring to the same author is stored");
	ok(strcmp(referrers(st, "author", "au1", ""),
	       "article/a1@.author article/a2@.author") == 0,
	    "the author's referrers are both articles, in key order");
	ok(strcmp(referrers(st, "author", "au2", ""), "") == 0,
	    "a document nobody refers to has no referrers");
	{
		struct walk one;

		memset(&one, 0, sizeof(one));
		one.stop_after = 1;
		ok(store_referrers(st, "author", "au1", "", walk_cb, &one) ==
		            1 &&
		        strcmp(one.out, "article/a1@.author") == 0,
		    "a callback returning non-zero stops the walk");
	}

	/* The next version replaces the references whole. */
	ok(put(st, STORE_OP_UPSERT, "article", "a1", 20, to_au2, 1) == STORE_OK,
	    "a newer a1 now referring to another author is stored");
	ok(strcmp(referrers(st, "author", "au1", ""), "article/a2@.author") ==
	        0,
	    "the old author is no longer referred to by a1");
	ok(strcmp(referrers(st, "category", "c1", ""), "") == 0,
	    "nor is the category a1 dropped");
	ok(strcmp(referrers(st, "author", "au2", ""), "article/a1@.author") ==
	        0,
	    "the new author is referred to by a1");

	/* An older version is stale and writes no reference. */
	ok(put(st, STORE_OP_UPSERT, "article", "a1", 15, to_au3, 1) ==
	        STORE_STALE,
	    "an older a1 referring to a third author is stale");
	ok(strcmp(referrers(st, "author", "au3", ""), "") == 0 &&
	        strcmp(referrers(st, "author", "au2", ""),
	            "article/a1@.author") == 0,
	    "and its references were not written: a1 still refers to au2");

	/* The same version again keeps (or fills in) the references. */
	ok(put(st, STORE_OP_UPSERT, "article", "a1", 20, to_au2, 1) ==
	        STORE_UNCHANGED,
	    "the same version of a1 again is unchanged");
	ok(strcmp(referrers(st, "author", "au2", ""), "article/a1@.author") ==
	        0,
	    "and a1 still refers to au2");
	ok(put(st, STORE_OP_UPSERT, "article", "a1", 20, NULL, 0) ==
	            STORE_UNCHANGED &&
	        strcmp(referrers(st, "author", "au2", ""),
	            "article/a1@.author") == 0,
	    "the same version without references (a writer that knows none: "
	    "import) keeps them");
	ok(put(st, STORE_OP_UPSERT, "article", "old", 10, NULL, 0) ==
	            STORE_OK &&
	        put(st, STORE_OP_UPSERT, "article", "old", 10, to_au3, 1) ==
	            STORE_UNCHANGED,
	    "an entry stored without references, delivered again with them, "
	    "is unchanged");
	ok(strcmp(referrers(st, "author", "au3", ""), "article/old@.author") ==
	        0,
	    "and its references are filled in (a store older than the index)");

	/* Remove and delete take a referrer's references away. */
	ok(put(st, STORE_OP_REMOVE, "article", "a1", 20, NULL, 0) == STORE_OK,
	    "unpublishing a1 removes it");
	ok(strcmp(referrers(st, "author", "au2", ""), "") == 0,
	    "and its references: au2 has no referrer");
	ok(put(st, STORE_OP_DELETE, "article", "a2", 30, NULL, 0) == STORE_OK,
	    "deleting a2 removes it");
	ok(strcmp(referrers(st, "author", "au1", ""), "") == 0,
	    "and its references: au1 has no referrer");

	/* A batch: an entry and the media rows it carried, one transaction. */
	memset(w, 0, sizeof(w));
	{
		struct store_doc a, m1, m2;

		mkdoc(&a, "article", "a3", "", 40, media, 4);
		mkdoc(&m1, "upload.file", "3", "", 40, NULL, 0);
		mkdoc(&m2, "upload.file", "4", "", 40, NULL, 0);
		w[0].op = STORE_OP_UPSERT;
		w[0].doc = &m1;
		w[1].op = STORE_OP_UPSERT;
		w[1].doc = &a;
		w[2].op = STORE_OP_UPSERT;
		w[2].doc = &m2;
		ok(store_apply_batch(st, w, 3, NULL) == 0 &&
		        w[0].result == STORE_OK && w[1].result == STORE_OK &&
		        w[2].result == STORE_OK,
		    "a batch of an article and two media rows is applied");
	}
	ok(strcmp(referrers(st, "upload.file", "3", ""),
	       "article/a3@.blocks.media article/a3@.cover") == 0,
	    "the media row's referrers: the article by each attribute, a "
	    "repeated reference once");
	ok(strcmp(referrers(st, "article", "a9", "fr"),
	       "article/a3@.localized") == 0 &&
	        strcmp(referrers(st, "article", "a9", ""), "") == 0,
	    "a target's locale is part of it");
	{
		struct store_doc fr;

		mkdoc(&fr, "article", "a3", "fr", 40, to_au2, 1);
		ok(store_apply(st, STORE_OP_UPSERT, &fr, NULL, &seq) ==
		            STORE_OK &&
		        strcmp(referrers(st, "author", "au2", ""),
		            "article/a3@fr.author") == 0,
		    "a referrer's locale is named");
	}

	/* The change log carries change_json when set, json otherwise. */
	mkdoc(&d, "article", "a4", "", 50, NULL, 0);
	d.change_json = "{\"documentId\":\"a4\",\"public\":true}";
	d.change_len = strlen(d.change_json);
	ok(store_apply(st, STORE_OP_UPSERT, &d, NULL, &seq) == STORE_OK &&
	        strcmp(last_change_json(st), d.change_json) == 0,
	    "an upsert with change_json: the change log records change_json");
	buf_init(&b);
	ok(store_get(st, "article", "a4", "", &b, NULL) == STORE_OK &&
	        b.len == d.json_len && memcmp(b.data, d.json, b.len) == 0,
	    "and the entry stored is its json");
	buf_clear(&b);
	mkdoc(&d, "article", "a5", "", 50, NULL, 0);
	ok(store_apply(st, STORE_OP_UPSERT, &d, NULL, &seq) == STORE_OK &&
	        strcmp(last_change_json(st), d.json) == 0,
	    "an upsert without change_json: the change log records json");
	ok(strcmp(verify(st), "") == 0,
	    "verify: the referrer index agrees with every referrer's list");
}

/*
 * Plants a broken record in each of the index's databases, through libdb
 * (the store must be closed): a stray refs.db record (a referrer that
 * does not refer), and a reference a referrer keeps removed from refs.db.
 */
static int
plant(const char *d)
{
	DB_ENV *env;
	DB *refs;
	DB_TXN *txn;
	DBC *c;
	DBT k, v;
	int ret;
	static char tk[] = "author\0au9\0", rd[] = "article\0a7\0\0author";
	static char ck[] = "category\0c1\0", cd[] = "article\0a8\0\0category";

	if (db_env_create(&env, 0) != 0)
		return -1;
	if ((ret = env->open(env, d,
	         DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
	             DB_INIT_MPOOL,
	         0600)) != 0 ||
	    (ret = db_create(&refs, env, 0)) != 0 ||
	    (ret = refs->set_flags(refs, DB_DUP | DB_DUPSORT)) != 0 ||
	    (ret = refs->open(refs, NULL, "refs.db", NULL, DB_BTREE,
	         DB_AUTO_COMMIT, 0)) != 0 ||
	    (ret = env->txn_begin(env, NULL, &txn, 0)) != 0) {
		tap_diag("plant: %s", db_strerror(ret));
		env->close(env, 0);
		return -1;
	}
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = tk;
	k.size = sizeof(tk) - 1;
	v.data = rd;
	v.size = sizeof(rd) - 1;
	ret = refs->put(refs, txn, &k, &v, 0);
	if (ret == 0 && (ret = refs->cursor(refs, txn, &c, 0)) == 0) {
		k.data = ck;
		k.size = sizeof(ck) - 1;
		v.data = cd;
		v.size = sizeof(cd) - 1;
		v.ulen = v.size;
		v.flags = DB_DBT_USERMEM;
		if ((ret = c->get(c, &k, &v, DB_GET_BOTH)) == 0)
			ret = c->del(c, 0);
		c->close(c);
	}
	if (ret == 0)
		ret = txn->commit(txn, 0);
	else
		txn->abort(txn);
	refs->close(refs, 0);
	env->close(env, 0);
	if (ret != 0)
		tap_diag("plant: %s", db_strerror(ret));
	return ret == 0 ? 0 : -1;
}

static void
test_verify(void)
{
	struct store *st;
	char sub[300];
	const char *out;
	static const struct store_ref to_c1[] = {
		{ "category", "category", "c1", "" },
	};

	snprintf(sub, sizeof(sub), "%s/verify", dir);
	if (store_open(&st, sub, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open %s", sub);
	store_set_durable(st, 0);
	ok(put(st, STORE_OP_UPSERT, "article", "a8", 10, to_c1, 1) == STORE_OK,
	    "an article referring to a category is stored");
	ok(strcmp(verify(st), "") == 0, "verify is clean");
	store_close(st);
	ok(plant(sub) == 0,
	    "a stray referrer and a lost reference are planted in refs.db");
	if (store_open(&st, sub, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open %s", sub);
	out = verify(st);
	ok(strstr(out,
	       "refs: missing article/a8 -> category/c1 "
	       "(category)") != NULL,
	    "verify names the reference missing from the index");
	ok(strstr(out,
	       "refs: author/au9 <- article/a7 (author), which "
	       "article/a7 does not refer to") != NULL,
	    "verify names the stray index record");
	store_close(st);
}

/* Backup carries the index; the packed copy opens with it. */
static void
test_backup(struct store *st)
{
	struct store *copy;
	char sub[300];

	snprintf(sub, sizeof(sub), "%s/copy", dir);
	ok(store_backup(st, sub) == 0, "a hot backup is made");
	ok(store_backup_pack(sub) == 0, "and packed to its databases");
	if (store_open(&copy, sub, STORE_OPEN_DEFAULT) == -1) {
		ok(0, "the copy opens");
		return;
	}
	ok(strcmp(referrers(copy, "upload.file", "3", ""),
	       "article/a3@.blocks.media article/a3@.cover") == 0,
	    "the copy answers the same referrers");
	ok(strcmp(verify(copy), "") == 0, "and verifies");
	store_close(copy);
}

/* Removes the index's files from a closed store, the way libdb does. */
static int
drop_index(const char *d)
{
	DB_ENV *env;
	int ret;

	if (db_env_create(&env, 0) != 0)
		return -1;
	ret = env->open(env, d,
	    DB_CREATE | DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG |
	        DB_INIT_MPOOL,
	    0600);
	if (ret == 0)
		ret = env->dbremove(env, NULL, "refs.db", NULL, DB_AUTO_COMMIT);
	if (ret == 0)
		ret = env->dbremove(env, NULL, "refs_from.db", NULL,
		    DB_AUTO_COMMIT);
	env->close(env, 0);
	if (ret != 0)
		tap_diag("drop_index: %s", db_strerror(ret));
	return ret == 0 ? 0 : -1;
}

static int
exists(const char *d, const char *file)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", d, file);
	return access(path, F_OK) == 0;
}

/*
 * A store made before the index (no refs.db): a read-only opener works
 * without it and sees it once a writer made it; a writer creates it.
 */
static void
test_older_store(void)
{
	struct store *st, *ro;
	struct buf b;
	char sub[300], c;
	int to_child[2], to_parent[2], status;
	pid_t pid;

	snprintf(sub, sizeof(sub), "%s/older", dir);
	if (store_open(&st, sub, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open %s", sub);
	store_set_durable(st, 0);
	ok(put(st, STORE_OP_UPSERT, "article", "x", 10, NULL, 0) == STORE_OK,
	    "an entry without references is stored");
	store_close(st);
	ok(drop_index(sub) == 0 && !exists(sub, "refs.db") &&
	        !exists(sub, "refs_from.db"),
	    "the index's databases are removed (a store made before them)");

	if (pipe(to_child) == -1 || pipe(to_parent) == -1)
		fatal("pipe");
	if ((pid = fork()) == 0) {
		/* The reader: exit status 0 when every check held. */
		int bad = 0;

		if (store_open(&ro, sub, STORE_OPEN_RDONLY) == -1)
			_exit(10);
		buf_init(&b);
		if (store_get(ro, "article", "x", "", &b, NULL) != STORE_OK)
			bad |= 1;
		if (strcmp(referrers(ro, "author", "au1", ""), "") != 0)
			bad |= 2;
		if (exists(sub, "refs.db"))
			bad |= 4;
		(void)!write(to_parent[1], "r", 1);
		if (read(to_child[0], &c, 1) != 1)
			_exit(11);
		if (strcmp(referrers(ro, "author", "au1", ""),
		        "article/y@.author") != 0)
			bad |= 8;
		buf_clear(&b);
		store_close(ro);
		_exit(bad);
	}
	if (read(to_parent[0], &c, 1) != 1)
		fatalx("the reader did not open");
	if (store_open(&st, sub, STORE_OPEN_DEFAULT) == -1) {
		ok(0, "a writer opens the older store");
		return;
	}
	ok(exists(sub, "refs.db") && exists(sub, "refs_from.db"),
	    "a writer opening the older store creates the index");
	store_set_durable(st, 0);
	ok(put(st, STORE_OP_UPSERT, "article", "y", 10, to_au1, 1) ==
	            STORE_OK &&
	        strcmp(referrers(st, "author", "au1", ""),
	            "article/y@.author") == 0,
	    "and keeps references in it");
	ok(strcmp(verify(st), "") == 0, "the upgraded store verifies");
	(void)!write(to_child[1], "w", 1);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		status = -1;
	else
		status = WEXITSTATUS(status);
	ok(status == 0 || status >= 8,
	    "a read-only opener of the older store opens it, reads its "
	    "entries and sees no referrer (status %d)",
	    status);
	ok(status == 0,
	    "and sees the referrers once a writer made the index (status %d)",
	    status);
	store_close(st);
}

int
main(void)
{
	struct store *st;

	log_init("test_store_refs", LOG_LEVEL_WARN);
	tap_tmpdir(dir, sizeof(dir), "sl-refs");
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	store_set_durable(st, 0);
	test_write_path(st);
	test_backup(st);
	store_close(st);
	test_verify();
	test_older_store();
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	return tap_done();
}
