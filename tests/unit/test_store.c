/* test_store.c: the store: write rules, indexes, logs, concurrency */
#include "config.h"

#include <sys/wait.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/entry_doc.h"
#include "conf/conf.h"
#include "model/entry.h"
#include "util/log.h"
#include "store/store.h"
#include "tap.h"

static struct collection article, page;
static char dir[256];

static void
setup_collections(void)
{
	article.name = (char *)"article";
	article.plural = (char *)"articles";
	article.uid = (char *)"api::article.article";
	article.slug_field = (char *)"slug";
	article.category_field = (char *)"category";
	page.name = (char *)"page";
	page.plural = (char *)"pages";
	page.uid = (char *)"api::page.page";
	page.slug_field = (char *)"path";
	page.category_field = (char *)"";
}

/* Builds an entry: times are seconds past a base, pub < 0 means draft. */
static void
mk(struct entry *e, const struct collection *c, const char *doc, int ua,
    int pub, const char *slug, const char *cat)
{
	char json[1024], ubuf[64], pbuf[64], sbuf[128], cbuf[128];
	struct json_object *o;
	const char *why;

	entry_format_time(1700000000000LL + ua * 1000LL, ubuf);
	entry_format_time(1700000000000LL + pub * 1000LL, pbuf);
	snprintf(sbuf, sizeof(sbuf), slug ? "\"%s\"" : "null",
	    slug ? slug : "");
	snprintf(cbuf, sizeof(cbuf), cat ? "\"%s\"" : "null", cat ? cat : "");
	snprintf(json, sizeof(json),
	    "{\"id\":1,\"documentId\":\"%s\",\"title\":\"T %s %d\","
	    "\"%s\":%s,\"category\":%s,\"createdAt\":\"%s\","
	    "\"updatedAt\":\"%s\",\"publishedAt\":%s%s%s}",
	    doc, doc, ua, c->slug_field, sbuf, cbuf, ubuf, ubuf,
	    pub < 0 ? "" : "\"", pub < 0 ? "null" : pbuf, pub < 0 ? "" : "\"");
	o = entry_parse_json(json, strlen(json), &why);
	entry_init(e);
	if (o == NULL || entry_from_json(e, c, o, &why) == -1)
		fatalx("bad test entry: %s: %s", json, why);
	json_object_put(o);
}

/* store_apply of an entry (the store takes a struct store_doc). */
static enum store_result
apply_entry(struct store *st, enum store_op op, const struct entry *e,
    const struct store_event *ev, uint64_t *seq)
{
	struct store_doc d;

	entry_doc(&d, e);
	return store_apply(st, op, &d, ev, seq);
}

static enum store_result
apply(struct store *st, enum store_op op, const struct collection *c,
    const char *doc, int ua, int pub, const char *slug, const char *cat)
{
	struct entry e;
	enum store_result r;
	uint64_t seq;

	mk(&e, c, doc, ua, pub, slug, cat);
	r = apply_entry(st, op, &e, NULL, &seq);
	entry_clear(&e);
	return r;
}

static int
present(struct store *st, const char *doc, int *ua)
{
	struct buf b;
	enum store_result r;
	char *p;

	buf_init(&b);
	r = store_get(st, "article", doc, "", &b, NULL);
	if (r == STORE_OK && ua != NULL) {
		p = strstr(b.data, "\"title\":\"T ");
		*ua = p != NULL ? atoi(strchr(p + 11, ' ') + 1) : -1;
	}
	buf_clear(&b);
	return r == STORE_OK;
}

struct listed {
	char docs[64][32];
	size_t n;
};

static int
list_cb(void *arg, const struct store_item *it)
{
	struct listed *l = arg;

	if (l->n < 64)
		snprintf(l->docs[l->n++], 32, "%s", it->document_id);
	return 0;
}

static uint64_t
list(struct store *st, const char *coll, const char *cat, int asc, uint64_t off,
    size_t lim, const struct store_pos *after, struct listed *l)
{
	struct store_list_query q;
	uint64_t total = 0, seq;

	memset(&q, 0, sizeof(q));
	memset(l, 0, sizeof(*l));
	q.collection = coll;
	q.locale = "";
	q.category = cat;
	q.ascending = asc;
	q.offset = off;
	q.limit = lim;
	q.after = after;
	if (store_list(st, &q, list_cb, l, &total, &seq) == -1)
		return (uint64_t)-1;
	return total;
}

static void
report(void *arg, const char *problem)
{
	(*(int *)arg)++;
	tap_diag("verify: %s", problem);
}

static int
verify_clean(struct store *st)
{
	size_t problems = 99;
	int n = 0;

	return store_verify(st, report, &n, &problems) == 0 && problems == 0;
}

struct seqs {
	uint64_t seq[256];
	int op[256];
	size_t n;
};

static int
change_cb(void *arg, const struct store_change *ch)
{
	struct seqs *s = arg;

	if (s->n < 256) {
		s->seq[s->n] = ch->seq;
		s->op[s->n] = ch->op;
		s->n++;
	}
	return 0;
}

/* The ops of one document, applied in every order: same final state. */
static void
test_orders(struct store *st)
{
	/* publish v1, unpublish v1, publish v2 (edited), republish v2 */
	static const struct {
		enum store_op op;
		int ua, pub;
	} ops[4] = {
		{ STORE_OP_UPSERT, 10, 11 },
		{ STORE_OP_REMOVE, 10, 11 },
		{ STORE_OP_UPSERT, 20, 21 },
		{ STORE_OP_UPSERT, 20, 30 },
	};
	int perm[4], i, j, k, l, bad = 0, count = 0, ua;
	char doc[32];

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			for (k = 0; k < 4; k++)
				for (l = 0; l < 4; l++) {
					if (i == j || i == k || i == l ||
					    j == k || j == l || k == l)
						continue;
					perm[0] = i;
					perm[1] = j;
					perm[2] = k;
					perm[3] = l;
					snprintf(doc, sizeof(doc),
					    "perm%d%d%d%d", i, j, k, l);
					for (int m = 0; m < 4; m++) {
						apply(st, ops[perm[m]].op,
						    &article, doc,
						    ops[perm[m]].ua,
						    ops[perm[m]].pub, doc, "x");
						/* and a duplicate of each */
						apply(st, ops[perm[m]].op,
						    &article, doc,
						    ops[perm[m]].ua,
						    ops[perm[m]].pub, doc, "x");
					}
					count++;
					if (!present(st, doc, &ua) || ua != 20)
						bad++;
				}
	ok(count == 24 && bad == 0,
	    "all 24 orders (each op duplicated) end "
	    "with the republished v2 stored");

	/* Same document then deleted (both rows): every order ends removed. */
	bad = 0;
	for (i = 0; i < 6; i++) {
		/* rows: publish(10,11), delete draft(12), delete pub(10,11) */
		static const int order[6][3] = { { 0, 1, 2 }, { 0, 2, 1 },
			{ 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };

		snprintf(doc, sizeof(doc), "del%d", i);
		for (j = 0; j < 3; j++) {
			switch (order[i][j]) {
			case 0:
				apply(st, STORE_OP_UPSERT, &article, doc, 10,
				    11, NULL, NULL);
				break;
			case 1:
				apply(st, STORE_OP_DELETE, &article, doc, 12,
				    -1, NULL, NULL);
				break;
			default:
				apply(st, STORE_OP_DELETE, &article, doc, 10,
				    11, NULL, NULL);
			}
		}
		if (present(st, doc, NULL))
			bad++;
	}
	ok(bad == 0, "publish + delete of both rows: removed in every order");
}

/*
 * store_read_begin: the reads until store_read_end share one snapshot, so
 * a request's list and the entries it populates are of one state, and a
 * write meanwhile shows only after it.
 */
static void
test_read_held(struct store *st)
{
	struct listed l;
	uint64_t before, during;

	before = list(st, "article", NULL, 0, 0, 100, NULL, &l);
	ok(store_read_begin(st) == 0, "a read snapshot can be held");
	ok(apply(st, STORE_OP_UPSERT, &article, "held1", 1, 900, "held-1",
	       NULL) == STORE_OK,
	    "a write is not blocked by it");
	during = list(st, "article", NULL, 0, 0, 100, NULL, &l);
	ok(during == before && !present(st, "held1", NULL),
	    "reads while it is held see the state it began with");
	store_read_end(st);
	ok(list(st, "article", NULL, 0, 0, 100, NULL, &l) == before + 1 &&
	        present(st, "held1", NULL),
	    "after store_read_end the write is seen");
}

static void
test_concurrent(struct store *st_parent)
{
	pid_t pids[4];
	int i, status, allok = 1, missing = 0, ua;
	char doc[32];
	struct store *st;
	uint64_t first, last;

	(void)st_parent;
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			int n, failures = 0;

			if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1)
				_exit(2);
			store_set_durable(st, 0);
			for (n = 0; n < 150; n++) {
				/* overlapping documents: 40 shared ones */
				snprintf(doc, sizeof(doc), "c%d", n % 40);
				if (apply(st, STORE_OP_UPSERT, &article, doc,
				        1000 + n * 4 + i, 2000 + n * 4 + i, doc,
				        (n % 2) ? "tech" : "ops") == STORE_ERR)
					failures++;
			}
			store_close(st);
			_exit(failures == 0 ? 0 : 1);
		}
	}
	for (i = 0; i < 4; i++) {
		if (waitpid(pids[i], &status, 0) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			allok = 0;
	}
	ok(allok,
	    "4 processes writing overlapping documents: no failed write "
	    "(deadlocks retried)");
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1) {
		ok(0, "store reopens after concurrent writers");
		return;
	}
	for (i = 0; i < 40; i++) {
		/* doc cI's newest version is written at the last n = I mod 40 */
		int maxn = i + 120 <= 149 ? i + 120 : i + 80;

		snprintf(doc, sizeof(doc), "c%d", i);
		if (!present(st, doc, &ua) || ua < 1000 + maxn * 4)
			missing++;
	}
	ok(missing == 0, "every document holds its newest version");
	ok(verify_clean(st), "indexes agree with entries after concurrency");
	ok(store_change_bounds(st, &first, &last) == 0 && last >= 40,
	    "change log continues across processes (last seq %llu)",
	    (unsigned long long)last);
	store_close(st);
}

/*
 * The store's format mark: a new store gets the current one, an unmarked
 * (older) store is opened and marked, a newer format is refused.
 */
/*
 * Named blobs (the pulled content model): written together, read back
 * byte for byte, replaced by name, kept across a reopen, and no change
 * record of their own.
 */
static void
test_blob(void)
{
	static const char *const names[] = { "t.a", "t.b" };
	static const char *const vals[] = { "{\"a\":1}", "b\0b" };
	static const size_t lens[] = { 7, 3 };
	static const char *const again[] = { "{}" };
	static const size_t len2[] = { 2 };
	struct store *st;
	struct buf b;
	uint64_t s0 = 0, s1 = 1;

	buf_init(&b);
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1) {
		ok(0, "store reopens for the blob checks");
		return;
	}
	ok(store_blob_get(st, "t.a", &b) == 1, "a blob never set is absent");
	(void)store_last_seq(st, &s0);
	ok(store_blob_set(st, names, vals, lens, 2) == 0, "two blobs are set");
	ok(store_blob_get(st, "t.a", &b) == 0 && b.len == 7 &&
	        memcmp(b.data, vals[0], 7) == 0,
	    "the first reads back");
	ok(store_blob_get(st, "t.b", &b) == 0 && b.len == 3 &&
	        memcmp(b.data, "b\0b", 3) == 0,
	    "the second reads back byte for byte");
	ok(store_blob_set(st, names, again, len2, 1) == 0 &&
	        store_blob_get(st, "t.a", &b) == 0 && b.len == 2 &&
	        memcmp(b.data, "{}", 2) == 0,
	    "a blob set again is replaced");
	(void)store_last_seq(st, &s1);
	ok(s0 == s1, "blobs make no change record");
	store_close(st);
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1) {
		ok(0, "store reopens after the blobs");
		buf_clear(&b);
		return;
	}
	ok(store_blob_get(st, "t.b", &b) == 0 && b.len == 3,
	    "blobs are kept across a reopen");
	store_close(st);
	buf_clear(&b);
}

static void
test_format(void)
{
	struct store *st;
	int64_t f = -1;

	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1) {
		ok(0, "store reopens for the format checks");
		return;
	}
	ok(store_meta_get(st, "format", &f) == 0 && f == 1,
	    "an opened store is marked with format 1");
	ok(store_meta_set(st, "format", 0) == 0, "the mark is removed");
	store_close(st);
	ok(store_open(&st, dir, STORE_OPEN_DEFAULT) == 0,
	    "a store from before the format mark opens");
	f = -1;
	ok(store_meta_get(st, "format", &f) == 0 && f == 1,
	    "and is marked with format 1");
	ok(store_meta_set(st, "format", 2) == 0,
	    "the store is marked with a newer format, 2");
	store_close(st);
	ok(store_open(&st, dir, STORE_OPEN_DEFAULT) == -1,
	    "a store of a newer format is refused");
}

/*
 * The writers keep both logs within their byte bounds by themselves, and
 * the age bound trims old records, with no trim call.
 */
/* Publishes article doc as a webhook delivery would (with its event). */
static enum store_result
publish(struct store *st, const char *doc)
{
	struct store_event ev;
	struct entry e;
	enum store_result r;
	uint64_t seq;

	memset(&ev, 0, sizeof(ev));
	ev.origin = STORE_ORIGIN_WEBHOOK;
	ev.event = "entry.publish";
	mk(&e, &article, doc, 10, 11, doc, "tech");
	r = apply_entry(st, STORE_OP_UPSERT, &e, &ev, &seq);
	entry_clear(&e);
	return r;
}

static void
test_retention(void)
{
	struct store *st;
	struct store_retention r;
	char sub[300], doc[32];
	uint64_t cb, eb, first = 0, last = 0, over = 0;
	int i, bounds;

	snprintf(sub, sizeof(sub), "%s/retention", dir);
	if (store_open(&st, sub, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open %s", sub);
	store_set_durable(st, 0);
	memset(&r, 0, sizeof(r));
	r.changes_max_bytes = 40000;
	r.events_max_bytes = 20000;
	ok(store_set_retention(st, &r) == 0, "retention bounds are set");
	for (i = 0; i < 1500; i++) {
		snprintf(doc, sizeof(doc), "r%d", i);
		if (publish(st, doc) != STORE_OK)
			over++;
		if (store_log_bytes(st, &cb, &eb) == -1 || cb > 40000 ||
		    eb > 20000)
			over++;
	}
	ok(over == 0,
	    "after every one of 1500 writes both logs are within "
	    "their byte bounds (%" PRIu64 " misses)",
	    over);
	bounds = store_change_bounds(st, &first, &last);
	ok(bounds == 0 && last == 1500 && first > 1000,
	    "the oldest changes went (first %" PRIu64 ")", first);
	ok(verify_clean(st), "verify is clean after automatic trimming");

	/*
	 * Age: 300 writes, a pause longer than the bound, then more writes
	 * than a pass waits for (256 commits): that pass finds every record
	 * up to 1800 older than 1 ms. (When a pass runs among the first 300
	 * depends on the commits since the last byte pass; a bound of
	 * first > 1700 after them alone failed on a loaded machine.)
	 */
	memset(&r, 0, sizeof(r));
	r.changes_max_age_ms = 1;
	r.events_max_age_ms = 1;
	store_set_retention(st, &r);
	for (i = 0; i < 300 + 257; i++) {
		if (i == 300)
			usleep(5000);
		snprintf(doc, sizeof(doc), "age%d", i);
		(void)publish(st, doc);
	}
	bounds = store_change_bounds(st, &first, &last);
	ok(bounds == 0 && last == 1500 + 557 && first > 1500 + 300,
	    "records past changes_max_age are trimmed by the writer (first "
	    "%" PRIu64 " of %" PRIu64 ")",
	    first, last);
	store_close(st);
}

static struct store *reopened; /* test_recovered_elsewhere's, kept */

/* Another process recovers the environment of the store in sub. 0 or -1. */
static int
recover_elsewhere(const char *sub)
{
	struct store *o;
	pid_t pid;
	int status = -1;

	if ((pid = fork()) == 0) {
		if (store_open(&o, sub, STORE_OPEN_RECOVER) == -1)
			_exit(1);
		store_close(o);
		_exit(0);
	}
	if (pid == -1 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * A store whose environment another process recovered (strapi-live
 * recover, or a process killed in it): this process's next write
 * transactions reopen it in place and go on, those of the logs'
 * retention too. Sizing the logs (store_set_retention) ran outside the
 * retry loop and failed; a trim retried on the database handle of the
 * environment left behind, failing each time until its retries ran out.
 */
static void
test_recovered_elsewhere(void)
{
	struct store *st;
	struct store_retention r;
	char sub[300], doc[32];
	uint64_t rc = 0, re = 0, first = 0, last = 0;
	int i;

	snprintf(sub, sizeof(sub), "%s/elsewhere", dir);
	if (store_open(&st, sub, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open %s", sub);
	for (i = 0; i < 40; i++) {
		snprintf(doc, sizeof(doc), "x%d", i);
		(void)publish(st, doc);
	}
	ok(recover_elsewhere(sub) == 0,
	    "another process recovers the environment");
	memset(&r, 0, sizeof(r));
	r.changes_keep = r.events_keep = 1000;
	ok(store_set_retention(st, &r) == 0,
	    "sizing the logs then reopens the store and succeeds");
	ok(recover_elsewhere(sub) == 0, "another recovery");
	r.changes_keep = r.events_keep = 10;
	i = store_trim(st, &r, &rc, &re);
	ok(i == 0 && rc == 30 && re == 30,
	    "a trim then reopens the store and removes the oldest 30 "
	    "(%" PRIu64 " changes, %" PRIu64 " events)",
	    rc, re);
	i = store_change_bounds(st, &first, &last);
	ok(i == 0 && first == 31 && last == 40,
	    "the newest 10 changes are left (%" PRIu64 "..%" PRIu64 ")", first,
	    last);
	ok(store_was_recovered(st) && verify_clean(st),
	    "the store was reopened in place, and verify is clean");
	/*
	 * Not closed: a store reopened in place keeps the handles of the
	 * environments it left until the process ends (store_abandon), and
	 * closing it would free only their list (a leak to ASan).
	 */
	reopened = st;
}

/* An article with a Strapi id (none when id is 0), as the store takes it. */
static enum store_result
put_id(struct store *st, enum store_op op, const char *doc, int64_t id, int ua)
{
	char json[256];
	struct store_doc d;
	uint64_t seq;

	if (id != 0)
		snprintf(json, sizeof(json),
		    "{\"id\":%" PRId64 ",\"documentId\":\"%s\"}", id, doc);
	else
		snprintf(json, sizeof(json), "{\"documentId\":\"%s\"}", doc);
	memset(&d, 0, sizeof(d));
	d.collection = "article";
	d.document_id = doc;
	d.locale = "";
	d.updated_at = 1700000000000LL + ua * 1000LL;
	d.published_at = op == STORE_OP_DELETE ? STORE_DRAFT : d.updated_at + 7;
	d.json = json;
	d.json_len = strlen(json);
	return store_apply(st, op, &d, NULL, &seq);
}

/* The by_id list: "a b c" in l, the total returned. */
static uint64_t
list_id(struct store *st, int desc, uint64_t off, size_t lim,
    const struct store_pos *after, char *out, size_t outlen)
{
	struct store_list_query q;
	struct listed l;
	uint64_t total = 0, seq;
	size_t i, n = 0;

	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	q.collection = "article";
	q.locale = "";
	q.by_id = 1;
	q.descending = desc;
	q.offset = off;
	q.limit = lim;
	q.after = after;
	out[0] = '\0';
	if (store_list(st, &q, list_cb, &l, &total, &seq) == -1)
		return (uint64_t)-1;
	for (i = 0; i < l.n; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%s%s",
		    i > 0 ? " " : "", l.docs[i]);
	return total;
}

/*
 * by_id, the index of Strapi's default order: built at open from a store
 * written without it, kept by writes that change an id or delete.
 */
static void
test_id_order(void)
{
	struct store *st;
	struct store_pos pos;
	char d2[256], path[300], got[256];

	tap_tmpdir(d2, sizeof(d2), "sl-store-id");
	store_set_id_reader(NULL);
	if (store_open(&st, d2, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	put_id(st, STORE_OP_UPSERT, "c", 30, 1);
	put_id(st, STORE_OP_UPSERT, "a", 10, 1);
	put_id(st, STORE_OP_UPSERT, "b", 20, 1);
	ok(!store_has_id_order(st),
	    "a process without an id reader has no by_id");
	store_close(st);
	snprintf(path, sizeof(path), "%s/by_id.db", d2);
	ok(access(path, F_OK) == -1, "the store is written without by_id.db");

	store_set_id_reader(entry_id_of);
	if (store_open(&st, d2, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	ok(store_has_id_order(st) && access(path, F_OK) == 0,
	    "a program with the reader opens it and makes by_id");
	ok(list_id(st, 0, 0, 10, NULL, got, sizeof(got)) == 3 &&
	        strcmp(got, "a b c") == 0,
	    "built from the entries: id ascending (%s)", got);
	ok(list_id(st, 1, 0, 10, NULL, got, sizeof(got)) == 3 &&
	        strcmp(got, "c b a") == 0,
	    "descending (%s)", got);
	ok(list_id(st, 0, 1, 1, NULL, got, sizeof(got)) == 3 &&
	        strcmp(got, "b") == 0,
	    "an offset skips by record number (%s)", got);
	memset(&pos, 0, sizeof(pos));
	pos.published_at = 20;
	snprintf(pos.document_id, sizeof(pos.document_id), "b");
	ok(list_id(st, 0, 0, 10, &pos, got, sizeof(got)) == 3 &&
	        strcmp(got, "c") == 0,
	    "after a position, ascending (%s)", got);
	ok(list_id(st, 1, 0, 10, &pos, got, sizeof(got)) == 3 &&
	        strcmp(got, "a") == 0,
	    "after a position, descending (%s)", got);
	ok(put_id(st, STORE_OP_UPSERT, "a", 40, 2) == STORE_OK &&
	        list_id(st, 0, 0, 10, NULL, got, sizeof(got)) == 3 &&
	        strcmp(got, "b c a") == 0,
	    "a new id moves the entry (%s)", got);
	ok(put_id(st, STORE_OP_DELETE, "b", 20, 3) == STORE_OK &&
	        list_id(st, 0, 0, 10, NULL, got, sizeof(got)) == 2 &&
	        strcmp(got, "c a") == 0,
	    "a delete removes it (%s)", got);
	ok(put_id(st, STORE_OP_UPSERT, "z", 0, 1) == STORE_OK &&
	        list_id(st, 0, 0, 10, NULL, got, sizeof(got)) == 3 &&
	        strcmp(got, "z c a") == 0,
	    "an entry without an id comes first, as SQL's null (%s)", got);
	ok(verify_clean(st), "verify is clean");
	store_close(st);
	store_set_id_reader(NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", d2);
	if (system(path) != 0)
		tap_diag("could not remove %s", d2);
}

/* An attribute reader that finds the attribute in no entry, or in every
 * one (attr_has), counting its calls. */
static int attr_reads, attr_has;

static int
count_attr(const char *json UNUSED, size_t len UNUSED, const char *attr UNUSED,
    int cls UNUSED, struct buf *key)
{
	attr_reads++;
	if (!attr_has)
		return -1;
	buf_add(key, "k", 1);
	return 0;
}

/*
 * An index no entry has a key in stays empty, and Berkeley DB's
 * associate with DB_CREATE walked every entry to build it at every open
 * (half a second of each plain-CGI request at 100,000 articles): now it is
 * built once, and again only after it was removed.
 */
static void
test_index_built(void)
{
	struct store *st;
	struct store_attr_index ix = { "article", "price", 0 };
	struct store_attr_span all;
	char d2[256], doc[32], cmd[300];
	uint64_t n = 0;
	int i;

	tap_tmpdir(d2, sizeof(d2), "sl-store-built");
	store_set_attr_reader(count_attr);
	attr_has = 0;
	if (store_open(&st, d2, STORE_OPEN_DEFAULT) == -1 ||
	    store_set_attr_indexes(st, &ix, 1) == -1)
		fatalx("store_open");
	for (i = 0; i < 20; i++) {
		snprintf(doc, sizeof(doc), "d%d", i);
		put_id(st, STORE_OP_UPSERT, doc, i + 1, 1);
	}
	store_close(st);
	attr_reads = 0;
	if (store_open(&st, d2, STORE_OPEN_DEFAULT) == -1 ||
	    store_set_attr_indexes(st, &ix, 1) == -1)
		fatalx("store_open");
	ok(attr_reads == 0,
	    "opening again does not walk the 20 entries to build an index "
	    "none of them has a key in (%d read)",
	    attr_reads);
	/* dropped from the configuration: removed; listed again: built */
	if (store_set_attr_indexes(st, NULL, 0) == -1)
		fatalx("store_set_attr_indexes");
	store_close(st);
	attr_has = 1;
	attr_reads = 0;
	if (store_open(&st, d2, STORE_OPEN_DEFAULT) == -1 ||
	    store_set_attr_indexes(st, &ix, 1) == -1)
		fatalx("store_open");
	memset(&all, 0, sizeof(all));
	all.hi_open = 1;
	if (store_attr_count(st, store_attr_find(st, "article", "price", 0), "",
	        &all, &n) != 0)
		n = 0;
	ok(attr_reads == 20 && n == 20,
	    "an index removed and listed again is built from the entries "
	    "(%d read, %llu keys)",
	    attr_reads, (unsigned long long)n);
	store_close(st);
	store_set_attr_reader(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d2);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", d2);
}

int
main(void)
{
	struct store *st;
	struct listed l;
	struct store_pos pos;
	struct buf b;
	struct seqs s;
	uint64_t total, first, last, rc, re, n;
	enum store_result r;
	int ua;

	log_init("test_store", LOG_LEVEL_WARN);
	setup_collections();
	tap_tmpdir(dir, sizeof(dir), "sl-store");
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	store_set_durable(st, 0);
	buf_init(&b);

	ok(store_last_seq(st, &last) == 0 && last == 0,
	    "a new store is at sequence 0");
	ok(list(st, "article", NULL, 0, 0, 10, NULL, &l) == 0 && l.n == 0,
	    "an empty collection lists nothing");
	r = apply(st, STORE_OP_UPSERT, &article, "a", 10, 11, "alpha", "tech");
	ok(r == STORE_OK, "a published entry is stored");
	ok(present(st, "a", &ua) && ua == 10, "it can be read back");
	ok(apply(st, STORE_OP_UPSERT, &article, "a", 10, 11, "alpha", "tech") ==
	        STORE_UNCHANGED,
	    "the same delivery twice is unchanged");
	ok(apply(st, STORE_OP_UPSERT, &article, "a", 5, 6, "alpha", "tech") ==
	        STORE_STALE,
	    "an older version is stale");
	ok(present(st, "a", &ua) && ua == 10, "a stale update changes nothing");
	ok(apply(st, STORE_OP_UPSERT, &article, "a", 10, 15, "alpha", "tech") ==
	        STORE_OK,
	    "a republish without edit (same updatedAt, later publishedAt) "
	    "applies");
	ok(store_get_by_slug(st, "article", "", "alpha", &b, NULL) ==
	            STORE_OK &&
	        strstr(b.data, "\"documentId\":\"a\"") != NULL,
	    "by-slug finds the entry");
	ok(apply(st, STORE_OP_REMOVE, &article, "a", 10, 11, NULL, NULL) ==
	        STORE_STALE,
	    "unpublish of an older publication is stale");
	ok(apply(st, STORE_OP_REMOVE, &article, "a", 10, 15, NULL, NULL) ==
	        STORE_OK,
	    "unpublish of the stored version removes it");
	ok(!present(st, "a", NULL), "removed entries are gone");
	ok(store_get_by_slug(st, "article", "", "alpha", &b, NULL) ==
	        STORE_NOTFOUND,
	    "and gone from the slug index");
	ok(apply(st, STORE_OP_UPSERT, &article, "a", 10, 15, "alpha", "tech") ==
	        STORE_STALE,
	    "a late duplicate of the removed version does not resurrect it");
	ok(apply(st, STORE_OP_UPSERT, &article, "a", 10, 20, "alpha", "tech") ==
	        STORE_OK,
	    "a later publish after unpublish applies");
	ok(apply(st, STORE_OP_DELETE, &article, "a", 12, -1, NULL, NULL) ==
	        STORE_OK,
	    "a delete (draft row) removes the document");
	ok(apply(st, STORE_OP_UPSERT, &article, "a", 10, 99, "alpha", "tech") ==
	        STORE_STALE,
	    "nothing older than a delete comes back, whatever its publishedAt");
	ok(apply(st, STORE_OP_DELETE, &article, "a", 10, 20, NULL, NULL) ==
	        STORE_UNCHANGED,
	    "the delete of the other row is a no-op");

	/* Entries without slug or category are stored, not indexed there. */
	ok(apply(st, STORE_OP_UPSERT, &article, "noslug", 1, 2, NULL, NULL) ==
	        STORE_OK,
	    "an entry with slug null and no category is stored");
	ok(present(st, "noslug", NULL), "and readable by documentId");

	/* Two documents claiming one slug (out-of-order hand-over). */
	apply(st, STORE_OP_UPSERT, &article, "old", 1, 100, "shared", "ops");
	apply(st, STORE_OP_UPSERT, &article, "new", 1, 200, "shared", "ops");
	ok(store_get_by_slug(st, "article", "", "shared", &b, NULL) ==
	            STORE_OK &&
	        strstr(b.data, "\"documentId\":\"new\"") != NULL,
	    "a slug held by two documents answers the most recently "
	    "published");
	ok(store_slug_count(st, "article", "", "shared", &n) == 0 && n == 2,
	    "and counts its two holders");
	apply(st, STORE_OP_UPSERT, &article, "new", 2, 201, "renamed", "ops");
	ok(store_get_by_slug(st, "article", "", "shared", &b, NULL) ==
	            STORE_OK &&
	        strstr(b.data, "\"documentId\":\"old\"") != NULL,
	    "when the newer holder moves away, the other one answers");
	ok(store_slug_count(st, "article", "", "shared", &n) == 0 && n == 1,
	    "one holder left");
	ok(store_slug_count(st, "article", "", "alpha", &n) == 0 && n == 0,
	    "a slug no entry holds: none");

	/* Lists. */
	apply(st, STORE_OP_UPSERT, &article, "t1", 1, 300, "t1", "tech");
	apply(st, STORE_OP_UPSERT, &article, "t2", 1, 400, "t2", "tech");
	apply(st, STORE_OP_UPSERT, &article, "t3", 1, 500, "t3", "tech");
	apply(st, STORE_OP_UPSERT, &article, "d1", 1, 450, "d1", "design");
	total = list(st, "article", "tech", 0, 0, 10, NULL, &l);
	ok(total == 3 && l.n == 3 && strcmp(l.docs[0], "t3") == 0 &&
	        strcmp(l.docs[2], "t1") == 0,
	    "a category lists its entries newest first");
	total = list(st, "article", "tech", 1, 0, 10, NULL, &l);
	ok(total == 3 && strcmp(l.docs[0], "t1") == 0, "and oldest first");
	total = list(st, "article", NULL, 0, 0, 100, NULL, &l);
	ok(total == 7 && l.n == 7 && strcmp(l.docs[0], "t3") == 0 &&
	        strcmp(l.docs[1], "d1") == 0,
	    "the whole collection lists newest first with its total");
	total = list(st, "article", NULL, 0, 2, 2, NULL, &l);
	ok(total == 7 && l.n == 2 && strcmp(l.docs[0], "t2") == 0,
	    "an offset skips by record number");
	total = list(st, "article", NULL, 0, 7, 2, NULL, &l);
	ok(total == 7 && l.n == 0, "an offset past the end lists nothing");
	pos.published_at = 1700000000000LL + 400 * 1000LL;
	snprintf(pos.document_id, sizeof(pos.document_id), "t2");
	total = list(st, "article", "tech", 0, 0, 10, &pos, &l);
	ok(l.n == 1 && strcmp(l.docs[0], "t1") == 0,
	    "a cursor continues strictly after its position");
	apply(st, STORE_OP_REMOVE, &article, "t2", 1, 400, NULL, NULL);
	list(st, "article", "tech", 0, 0, 10, &pos, &l);
	ok(l.n == 1 && strcmp(l.docs[0], "t1") == 0,
	    "the cursor still works after its own entry was removed");
	apply(st, STORE_OP_UPSERT, &article, "t3", 2, 501, "t3", "ops");
	total = list(st, "article", "tech", 0, 0, 10, NULL, &l);
	ok(total == 1 && strcmp(l.docs[0], "t1") == 0,
	    "an entry moving category leaves the old category's list");
	total = list(st, "article", "ops", 0, 0, 10, NULL, &l);
	ok(l.n >= 1 && strcmp(l.docs[0], "t3") == 0,
	    "and appears in the new one");

	/* A second collection works by configuration alone. */
	ok(apply(st, STORE_OP_UPSERT, &page, "p1", 1, 2, "about", NULL) ==
	        STORE_OK,
	    "a second collection stores entries");
	ok(list(st, "page", NULL, 0, 0, 10, NULL, &l) == 1 &&
	        strcmp(l.docs[0], "p1") == 0 &&
	        list(st, "article", NULL, 0, 0, 100, NULL, &l) == 6,
	    "collections do not mix in lists");
	ok(store_get_by_slug(st, "page", "", "about", &b, NULL) == STORE_OK,
	    "its own slug field (path) is indexed");

	/* The change log. */
	memset(&s, 0, sizeof(s));
	ok(store_changes_since(st, 0, 0, change_cb, &s) > 0 &&
	        store_last_seq(st, &last) == 0 && s.seq[s.n - 1] == last,
	    "the change log ends at the last sequence");
	{
		size_t i;
		int gaps = 0;

		for (i = 1; i < s.n; i++)
			if (s.seq[i] != s.seq[i - 1] + 1)
				gaps++;
		ok(gaps == 0 && s.seq[0] == 1, "sequence numbers have no gap");
	}
	memset(&s, 0, sizeof(s));
	store_changes_since(st, last - 2, 0, change_cb, &s);
	ok(s.n == 2 && s.seq[0] == last - 1,
	    "reading since N returns exactly the later changes");
	test_orders(st);
	test_read_held(st);
	ok(verify_clean(st), "verify finds nothing wrong");
	{
		struct store_retention keep20;

		memset(&keep20, 0, sizeof(keep20));
		keep20.changes_keep = keep20.events_keep = 20;
		rc = store_trim(st, &keep20, &rc, &re) == 0 ? rc : 0;
	}
	ok(rc > 0 && store_change_bounds(st, &first, &last) == 0 &&
	        last - first + 1 == 20 && rc > 0,
	    "trim keeps the newest 20 changes");
	ok(verify_clean(st), "verify is clean after trimming");
	store_close(st);

	test_concurrent(NULL);
	test_blob();
	test_format();
	test_retention();
	test_id_order();
	test_index_built();
	test_recovered_elsewhere();
	buf_clear(&b);
	{
		char cmd[512];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	return tap_done();
}
