/* read_log.c: the change log (its bounds, changes since) and event log */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "store/store_int.h"
#include "util/xmalloc.h"

/*
 * The oldest change still in the log and the last one. With an empty
 * (or fully trimmed) log, *first is *last + 1. Returns 0, or -1.
 */
int
store_change_bounds(struct store *st, uint64_t *first, uint64_t *last)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	int ret;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	if ((ret = store_meta_read(st, txn, "seq", 0, last)) != 0)
		goto out;
	if ((ret = st->changes->cursor(st->changes, txn, &c, 0)) != 0)
		goto out;
	store_dbt_out(&k);
	memset(&v, 0, sizeof(v));
	v.flags = DB_DBT_PARTIAL | DB_DBT_USERMEM;
	ret = c->get(c, &k, &v, DB_FIRST);
	if (ret == 0 && k.size == 8)
		*first = store_be64_get(k.data);
	else if (ret == DB_NOTFOUND) {
		*first = *last + 1;
		ret = 0;
	}
	free(k.data);
out:
	if (c != NULL)
		c->close(c);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "change bounds", ret);
		return -1;
	}
	return 0;
}

static int
take_str(const unsigned char **p, const unsigned char *end, struct buf *b,
    size_t *off, int *present)
{
	uint32_t n;

	if (end - *p < 4)
		return -1;
	n = ((uint32_t)(*p)[0] << 24) | ((uint32_t)(*p)[1] << 16) |
	    ((uint32_t)(*p)[2] << 8) | (*p)[3];
	*p += 4;
	*off = b->len;
	if (n == 0xffffffffU) {
		*present = 0;
		buf_addc(b, '\0');
		return 0;
	}
	if ((size_t)(end - *p) < n)
		return -1;
	*present = 1;
	buf_add(b, *p, n);
	buf_addc(b, '\0');
	*p += n;
	return 0;
}

/* Decodes a change record into ch, strings copied into b. 0, or -1. */
static int
decode_change(const void *data, size_t size, uint64_t seq,
    struct store_change *ch, struct buf *b)
{
	const unsigned char *p = data, *end = p + size;
	size_t off[8];
	int present[8], i;

	if (size < 26 || p[0] != 1)
		return -1;
	memset(ch, 0, sizeof(*ch));
	ch->seq = seq;
	ch->op = p[1] == STORE_OP_UPSERT ? STORE_OP_UPSERT : STORE_OP_REMOVE;
	ch->time_ms = (int64_t)store_be64_get(p + 2);
	ch->old_published_at = (int64_t)store_be64_get(p + 10);
	ch->new_published_at = (int64_t)store_be64_get(p + 18);
	p += 26;
	buf_reset(b);
	for (i = 0; i < 8; i++)
		if (take_str(&p, end, b, &off[i], &present[i]) == -1)
			return -1;
	ch->collection = b->data + off[0];
	ch->document_id = b->data + off[1];
	ch->locale = b->data + off[2];
	ch->old_slug = present[3] ? b->data + off[3] : NULL;
	ch->old_category = present[4] ? b->data + off[4] : NULL;
	ch->new_slug = present[5] ? b->data + off[5] : NULL;
	ch->new_category = present[6] ? b->data + off[6] : NULL;
	ch->json = present[7] ? b->data + off[7] : NULL;
	ch->json_len = present[7] ? strlen(ch->json) : 0;
	return 0;
}

/*
 * Calls cb for each change with seq > after, in order, at most max of
 * them (0: no limit), until cb returns non-zero. Returns the number
 * delivered, or -1 after logging.
 */
int
store_changes_since(struct store *st, uint64_t after, size_t max,
    store_change_cb cb, void *arg)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	unsigned char kb[8];
	struct buf b;
	struct store_change ch;
	int ret, n = 0;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	buf_init(&b);
	store_dbt_out(&k);
	store_dbt_out(&v);
	if ((ret = st->changes->cursor(st->changes, txn, &c, 0)) != 0)
		goto out;
	store_be64_put(kb, after + 1);
	k.data = xmalloc(8);
	memcpy(k.data, kb, 8);
	k.size = 8;
	for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0;
	     ret = c->get(c, &k, &v, DB_NEXT)) {
		if (k.size != 8 ||
		    decode_change(v.data, v.size, store_be64_get(k.data), &ch,
		        &b) == -1) {
			log_warnx("store: malformed change record skipped");
			continue;
		}
		n++;
		if (cb(arg, &ch) != 0 || (max != 0 && (size_t)n >= max))
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(v.data);
	buf_clear(&b);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "reading changes", ret);
		return -1;
	}
	return n;
}

/* store_changes_between's walk: the change expected next, the last. */
struct between {
	store_change_cb cb;
	void *arg;
	uint64_t next, to;
	int stopped;
};

static int
between_one(void *arg, const struct store_change *ch)
{
	struct between *w = arg;

	if (ch->seq != w->next) /* trimmed away */
		return 1;
	if (w->cb(w->arg, ch) != 0) {
		w->stopped = 1;
		return 1;
	}
	w->next++;
	return w->next > w->to;
}

/*
 * Calls cb for every change after `after` up to `to`, in order, until cb
 * returns non-zero (what a cache kept as of `after` needs to be brought
 * to `to`). Returns 0 when cb took them all, 1 when one of them is no
 * longer in the log (trimmed) or cb stopped, -1 after logging.
 */
int
store_changes_between(struct store *st, uint64_t after, uint64_t to,
    store_change_cb cb, void *arg)
{
	struct between w;

	if (to <= after)
		return 0;
	w.cb = cb;
	w.arg = arg;
	w.next = after + 1;
	w.to = to;
	w.stopped = 0;
	if (store_changes_since(st, after, (size_t)(to - after), between_one,
	        &w) == -1)
		return -1;
	return w.stopped || w.next <= to;
}

static int
event_failed(const char *summary, size_t len)
{
	const char *p;
	char tmp[16];
	size_t i;

	p = memmem(summary, len, "\"status\":", 9);
	if (p == NULL)
		return 0;
	p += 9;
	for (i = 0; i + 1 < sizeof(tmp) && p + i < summary + len &&
	     p[i] >= '0' && p[i] <= '9';
	     i++)
		tmp[i] = p[i];
	tmp[i] = '\0';
	return atoi(tmp) >= 400;
}

/*
 * Calls cb for each event-log record with id > after (failed_only: those
 * answered with a status >= 400). Returns the count, or -1 after logging.
 */
int
store_events(struct store *st, uint64_t after, int failed_only,
    store_event_cb cb, void *arg)
{
	DB_TXN *txn;
	DBC *c = NULL;
	DBT k, v;
	int ret, n = 0;
	const unsigned char *p;
	uint32_t jl;

	if (store_rtxn(st, &txn) == -1)
		return -1;
	store_dbt_out(&k);
	store_dbt_out(&v);
	if ((ret = st->events->cursor(st->events, txn, &c, 0)) != 0)
		goto out;
	k.data = xcalloc(1, 8);
	store_be64_put(k.data, after + 1);
	k.size = 8;
	for (ret = c->get(c, &k, &v, DB_SET_RANGE); ret == 0;
	     ret = c->get(c, &k, &v, DB_NEXT)) {
		p = v.data;
		if (v.size < 4 || k.size != 8)
			continue;
		jl = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		    ((uint32_t)p[2] << 8) | p[3];
		if (jl > v.size - 4)
			continue;
		if (failed_only && !event_failed((const char *)p + 4, jl))
			continue;
		n++;
		if (cb(arg, store_be64_get(k.data), (const char *)p + 4, jl,
		        v.size - 4 - jl > 0 ? (const char *)p + 4 + jl : NULL,
		        v.size - 4 - jl) != 0)
			break;
	}
	if (ret == DB_NOTFOUND)
		ret = 0;
out:
	if (c != NULL)
		c->close(c);
	free(k.data);
	free(v.data);
	txn->commit(txn, 0);
	if (ret != 0) {
		store_fail(st, "reading events", ret);
		return -1;
	}
	return n;
}
