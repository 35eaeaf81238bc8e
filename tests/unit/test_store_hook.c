/* test_store_hook.c: the store's commit hook (the writers' wake-up) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/entry_doc.h"
#include "model/entry.h"
#include "util/log.h"
#include "store/store.h"
#include "tap.h"

static struct collection article;

struct seen {
	int calls;
	uint64_t seq;
};

static void
on_commit(void *arg, uint64_t seq)
{
	struct seen *s = arg;

	s->calls++;
	s->seq = seq;
}

/* An article doc at version ua (seconds past a base), published. */
static void
mk(struct entry *e, const char *doc, int ua)
{
	char json[512], t[64];
	struct json_object *o;
	const char *why;

	entry_format_time(1700000000000LL + ua * 1000LL, t);
	snprintf(json, sizeof(json),
	    "{\"id\":1,\"documentId\":\"%s\",\"title\":\"T\",\"slug\":null,"
	    "\"category\":null,\"createdAt\":\"%s\",\"updatedAt\":\"%s\","
	    "\"publishedAt\":\"%s\"}",
	    doc, t, t, t);
	o = entry_parse_json(json, strlen(json), &why);
	entry_init(e);
	if (o == NULL || entry_from_json(e, &article, o, &why) == -1)
		fatalx("bad test entry: %s", why);
	json_object_put(o);
}

static enum store_result
upsert(struct store *st, const char *doc, int ua, uint64_t *seq)
{
	struct entry e;
	struct store_doc d;
	enum store_result r;

	mk(&e, doc, ua);
	entry_doc(&d, &e);
	r = store_apply(st, STORE_OP_UPSERT, &d, NULL, seq);
	entry_clear(&e);
	return r;
}

int
main(void)
{
	struct store *st, *th;
	struct store_event ev;
	struct store_write w;
	struct entry e;
	struct store_doc d;
	struct seen s;
	char dir[256], cmd[512];
	uint64_t seq = 0;

	log_init("test_store_hook", LOG_LEVEL_WARN);
	article.name = (char *)"article";
	article.plural = (char *)"articles";
	article.uid = (char *)"api::article.article";
	article.slug_field = (char *)"slug";
	article.category_field = (char *)"category";
	tap_tmpdir(dir, sizeof(dir), "sl-hook");
	if (store_open(&st, dir, STORE_OPEN_DEFAULT) == -1)
		fatalx("store_open");
	store_set_durable(st, 0);
	memset(&s, 0, sizeof(s));

	ok(upsert(st, "a", 1, &seq) == STORE_OK && s.calls == 0,
	    "without a hook, a commit calls nothing");
	store_set_commit_hook(st, on_commit, &s);
	ok(upsert(st, "a", 2, &seq) == STORE_OK && s.calls == 1 &&
	        s.seq == seq && seq == 2,
	    "a commit that logged a change calls the hook once with its seq");
	ok(upsert(st, "a", 2, &seq) == STORE_UNCHANGED && s.calls == 1,
	    "a duplicate (nothing logged) does not call it");
	memset(&ev, 0, sizeof(ev));
	ev.outcome = "rejected";
	ev.status = 401;
	ok(store_log_event(st, &ev) == 0 && s.calls == 1,
	    "an event-log record alone does not call it");
	mk(&e, "b", 1);
	w.op = STORE_OP_UPSERT;
	entry_doc(&d, &e);
	w.doc = &d;
	ok(store_apply_batch_dry(st, &w, 1) == 0 && w.result == STORE_OK &&
	        s.calls == 1,
	    "a dry run does not call it");
	entry_clear(&e);
	if (store_open_thread(st, &th) == -1)
		fatalx("store_open_thread");
	ok(upsert(th, "b", 1, &seq) == STORE_OK && s.calls == 2 && s.seq == 3,
	    "a store_open_thread copy calls its parent's hook with its seq");
	store_close(th);
	store_set_commit_hook(st, NULL, NULL);
	ok(upsert(st, "c", 1, &seq) == STORE_OK && s.calls == 2,
	    "a hook set to NULL is off");
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
