/* repl.c: replication status for people and monitors (JSON, lag file) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "node/lag.h"
#include "store/store_repl.h"
#include "util/xmalloc.h"

/*
 * The replication process measures the lag of each change it sees applied
 * (now minus the master's commit time carried in the change record, so
 * clocks must be synchronized, as NTP does) and publishes the figures in
 * <store_dir>/repl.status, one JSON object, replaced atomically. The CLI
 * and monitors read it; role and master come from BDB's shared region.
 */

#define LAG_WINDOW 1024

static int64_t window[LAG_WINDOW];
static size_t wn, wpos;

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
repl_lag_add(struct repl_lag *l, int64_t lag_ms)
{
	int64_t sorted[LAG_WINDOW];

	if (lag_ms < 0)
		lag_ms = 0;
	window[wpos] = lag_ms;
	wpos = (wpos + 1) % LAG_WINDOW;
	if (wn < LAG_WINDOW)
		wn++;
	memcpy(sorted, window, wn * sizeof(sorted[0]));
	qsort(sorted, wn, sizeof(sorted[0]), cmp64);
	l->last_ms = lag_ms;
	l->p50_ms = sorted[wn / 2];
	l->p99_ms = sorted[(wn * 99) / 100 < wn ? (wn * 99) / 100 : wn - 1];
	l->samples++;
}

/* Returns 0, or -1 after logging; readers never see a partial file. */
int
repl_lag_write(const char *dir, const struct repl_lag *l, const char *role,
    const char *master)
{
	char *tmp, *path;
	FILE *f;
	int rc = 0;

	xasprintf(&tmp, "%s/%s.tmp", dir, REPL_LAG_FILE);
	xasprintf(&path, "%s/%s", dir, REPL_LAG_FILE);
	if ((f = fopen(tmp, "w")) == NULL) {
		log_warn("replication: %s", tmp);
		rc = -1;
		goto out;
	}
	fprintf(f,
	    "{\"role\":\"%s\",\"master\":\"%s\",\"lastSeq\":%" PRIu64
	    ",\"lagMs\":%" PRId64 ",\"lagP50Ms\":%" PRId64
	    ",\"lagP99Ms\":%" PRId64 ",\"samples\":%" PRIu64
	    ",\"updated\":%" PRId64 "}\n",
	    role, master, l->last_seq, l->last_ms, l->p50_ms, l->p99_ms,
	    l->samples, l->updated_ms);
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		log_warn("replication: writing %s", path);
		rc = -1;
	}
out:
	free(tmp);
	free(path);
	return rc;
}

/*
 * Appends {"role":..,"self":..,"master":..,...,"node":{lag file}} to b.
 * Never fails: what cannot be read is left out.
 */
void
repl_status_json(struct store *st, struct buf *b)
{
	struct store_repl_status s;
	char *path, line[1024];
	FILE *f;
	size_t n;

	if (store_repl_status(st, &s) == -1) {
		buf_adds(b, "{\"role\":\"error\"}");
		return;
	}
	buf_printf(b, "{\"role\":\"%s\"", store_repl_role_name(s.role));
	if (s.role == STORE_REPL_OFF) {
		buf_addc(b, '}');
		return;
	}
	buf_adds(b, ",\"self\":");
	buf_add_json_string(b, s.self, strlen(s.self));
	buf_adds(b, ",\"master\":");
	if (s.master[0] != '\0')
		buf_add_json_string(b, s.master, strlen(s.master));
	else
		buf_adds(b, "null");
	buf_printf(b,
	    ",\"startupDone\":%s,\"sites\":%u,\"connected\":%u,"
	    "\"strangers\":%u,\"strangersNoticed\":%" PRIu64
	    ",\"strangersRemoved\":%" PRIu64 ","
	    "\"generation\":%" PRIu64 ",\"elections\":%" PRIu64
	    ",\"permFailed\":%" PRIu64 ",\"logQueued\":%" PRIu64
	    ",\"lsn\":\"%" PRIu64 "/%" PRIu64 "\"",
	    s.startup_done ? "true" : "false", s.members, s.connected,
	    s.strangers, s.strangers_noticed, s.strangers_removed, s.generation,
	    s.elections, s.perm_failed, s.log_queued, s.lsn_file, s.lsn_offset);
	xasprintf(&path, "%s/%s", store_dir(st), REPL_LAG_FILE);
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(line, 1, sizeof(line) - 1, f);
		fclose(f);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
			n--;
		if (n > 1 && line[0] == '{' && line[n - 1] == '}') {
			buf_adds(b, ",\"node\":");
			buf_add(b, line, n);
		}
	}
	free(path);
	buf_addc(b, '}');
}
