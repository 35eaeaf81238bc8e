/* materialize_changes.c: the change log as pages under static_dir */
#include "config.h"

#include <sys/stat.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/log.h"
#include "api/materialize.h"
#include "api/materialize_int.h"
#include "api/sse.h"

/*
 * Change pages (docs/static.md): page N, at <api_prefix>/_live/changes/N
 * (the file _live/changes/N/index.json), holds the changes of the seqs
 * N*size+1 to (N+1)*size, each exactly the JSON the SSE streams send as
 * an event's data:
 *
 *   {"data":[{"seq":101,"op":"upsert",...},...],
 *    "meta":{"page":1,"size":100,"first":101,"last":144}}
 *
 * A pass writes the pages its seqs fall in (the newest one grows until it
 * is full) before the head, so that a client that reads seq N in the
 * head finds the changes up to N in the pages; complete pages never
 * change again. The newest static_change_pages pages are kept: the sweep
 * removes the others, and a client that asks for one gets 404 (from
 * query.fcgi) and refetches what it shows. A page whose changes the
 * store's retention trimmed is not written.
 */

struct cpage {
	const struct conf *conf;
	struct buf *out;
	uint64_t end;         /* last seq of the page (or of the pass) */
	uint64_t first, last; /* seqs written */
};

static int
cpage_change(void *arg, const struct store_change *ch)
{
	struct cpage *cp = arg;
	const struct collection *co;

	if (ch->seq > cp->end)
		return 1;
	co = conf_collection_by_name(cp->conf, ch->collection);
	if (cp->first != 0)
		buf_addc(cp->out, ',');
	else
		cp->first = ch->seq;
	cp->last = ch->seq;
	sse_change_json(cp->out, ch, co != NULL ? co->plural : NULL);
	return 0;
}

/*
 * Renders page p (seqs up to cur) into out. 0, 1 when the store holds
 * none of its changes, -1 when the store failed.
 */
static int
render_page(struct mat *m, uint64_t p, uint64_t size, uint64_t cur,
    struct buf *out)
{
	struct cpage cp;

	memset(&cp, 0, sizeof(cp));
	cp.conf = m->conf;
	cp.out = out;
	cp.end = (p + 1) * size < cur ? (p + 1) * size : cur;
	buf_reset(out);
	buf_adds(out, "{\"data\":[");
	if (store_changes_since(m->st, p * size, (size_t)size, cpage_change,
	        &cp) == -1)
		return -1;
	if (cp.first == 0)
		return 1;
	buf_printf(out,
	    "],\"meta\":{\"page\":%" PRIu64 ",\"size\":%" PRIu64
	    ",\"first\":%" PRIu64 ",\"last\":%" PRIu64 "}}",
	    p, size, cp.first, cp.last);
	return 0;
}

/*
 * The pages of a pass at seq cur, the last one having been at done:
 * the kept ones added to the set, those with changes after done (or
 * missing, or all of them when forced) written; compared when verifying.
 * Sets m->change_first to the oldest page kept (the head names it).
 */
void
mat_changes(struct mat *m, uint64_t done, uint64_t cur, int force)
{
	uint64_t size =
	    (uint64_t)conf_int(m->conf, CFG_STATIC_CHANGE_PAGE_SIZE);
	uint64_t keep = (uint64_t)conf_int(m->conf, CFG_STATIC_CHANGE_PAGES);
	uint64_t p, last, lo, old;
	struct stat sb;
	struct buf body;
	int r, w, save = m->compare;

	m->change_first = 0;
	if (keep == 0 || cur == 0)
		return;
	last = (cur - 1) / size;
	lo = last + 1 > keep ? last + 1 - keep : 0;
	m->change_first = lo;
	/* a fast pass sweeps nothing: the pages kept at done, now older */
	if (m->fast && done > 0) {
		old = (done - 1) / size + 1;
		for (p = old > keep ? old - keep : 0; p < lo; p++) {
			buf_reset(&m->rel);
			buf_printf(&m->rel,
			    CHANGES_REL "/%" PRIu64 "/index.json", p);
			mat_remove_file(m, buf_cstr(&m->rel));
		}
	}
	buf_init(&body);
	m->compare = 1; /* an unchanged page keeps its validators */
	for (p = lo; p <= last && !m->failed; p++) {
		buf_reset(&m->rel);
		buf_printf(&m->rel, CHANGES_REL "/%" PRIu64 "/index.json", p);
		mat_set_add(m, buf_cstr(&m->rel));
		buf_reset(&m->full);
		buf_printf(&m->full, "%s/%s", m->dir, buf_cstr(&m->rel));
		/* complete at the last pass, and there: nothing new */
		if (m->mode == MODE_WRITE && !force && (p + 1) * size <= done &&
		    stat(buf_cstr(&m->full), &sb) == 0)
			continue;
		if ((r = render_page(m, p, size, cur, &body)) == -1) {
			m->failed = 1;
			break;
		}
		if (r == 1) {
			if (p == m->change_first)
				m->change_first = p + 1; /* trimmed */
			continue;
		}
		mat_gz(m, buf_cstr(&m->full), buf_cstr(&m->rel), body.data,
		    body.len);
		if (m->mode == MODE_WRITE) {
			w = mat_write_atomic(m, buf_cstr(&m->full), body.data,
			    body.len);
			if (w == -1)
				m->failed = 1;
			continue;
		}
		w = mat_read_file(buf_cstr(&m->full), &m->old);
		if (w == 1)
			mat_stale(m, buf_cstr(&m->rel), "missing");
		else if (w == -1 || m->old.len != body.len ||
		    memcmp(m->old.data, body.data, body.len) != 0)
			mat_stale(m, buf_cstr(&m->rel),
			    "differs from the store's change log");
	}
	m->compare = save;
	buf_clear(&body);
}
