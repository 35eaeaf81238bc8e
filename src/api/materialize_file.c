/* materialize_file.c: static_dir's files written atomically and read back */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/gzip.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "api/http.h"
#include "api/materialize.h"
#include "api/materialize_int.h"
#include "api/query.h"

#define LOCK_NAME  ".lock"
#define STATE_NAME ".seq"
#define STATE_OWN  "own" /* .seq's mark: a partial pass may follow */

/* Creates the directories of path (a file's) under m->dir. */
static int
make_parents(const char *path, size_t from)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + from; (s = strchr(s + 1, '/')) != NULL;) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST) {
			log_warn("static: mkdir %s", p);
			rc = -1;
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

/*
 * Reads the file at path into out. Returns 0, 1 when there is none, -1
 * after logging.
 */
int
mat_read_file(const char *path, struct buf *out)
{
	char chunk[16384];
	ssize_t r;
	int fd;

	buf_reset(out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 1;
		log_warn("static: %s", path);
		return -1;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			log_warn("static: %s", path);
			close(fd);
			return -1;
		}
		buf_add(out, chunk, (size_t)r);
	}
	close(fd);
	return 0;
}

/*
 * Writes data to path atomically (a temporary file beside it, renamed
 * over it), mode 0644 for the web server. When m->compare, an identical
 * file is left alone (its validators stay). 1 when written, 0 when
 * unchanged, -1 after logging.
 */
int
mat_write_atomic(struct mat *m, const char *path, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t w;
	int fd;

	if (m->compare && mat_read_file(path, &m->old) == 0 &&
	    m->old.len == len && memcmp(m->old.data, data, len) == 0)
		return 0;
	buf_reset(&m->tmp);
	buf_printf(&m->tmp, "%s.tmp", path);
	fd = open(buf_cstr(&m->tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	/* the directories only when missing (a new entry, a new type) */
	if (fd == -1 && errno == ENOENT &&
	    make_parents(path, strlen(m->dir)) == 0)
		fd = open(buf_cstr(&m->tmp),
		    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_warn("static: %s", buf_cstr(&m->tmp));
		return -1;
	}
	(void)fchmod(fd, 0644); /* whatever the umask */
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			log_warn("static: %s", buf_cstr(&m->tmp));
			close(fd);
			(void)unlink(buf_cstr(&m->tmp));
			return -1;
		}
		off += (size_t)w;
	}
	if (close(fd) == -1)
		goto fail;
	mat_fault_step(m);
	if (rename(buf_cstr(&m->tmp), path) == -1)
		goto fail;
	mat_fault_step(m);
	return 1;
fail:
	log_warn("static: %s", path);
	(void)unlink(buf_cstr(&m->tmp));
	return -1;
}

/*
 * The test suite's hook (docs/static.md), never for production:
 * SL_FAULT_DIE_IN_RENDER=<n> makes a writer kill itself at the n-th step
 * of its pass, a step being a temporary file written, renamed into
 * place, or a file removed.
 */
void
mat_fault_step(struct mat *m)
{
	if (m->die_at != 0 && --m->die_at == 0)
		raise(SIGKILL);
}

void
mat_gz(struct mat *m, const char *path, const char *rel, const char *data,
    size_t len)
{
	int w;

	if (!m->gzip)
		return;
	buf_reset(&m->gzpath);
	buf_printf(&m->gzpath, "%s.gz", path);
	if (m->mode == MODE_WRITE) {
		if (gzip_encode(data, len, &m->gz) == -1) {
			log_warnx("static: %s.gz: zlib failed", rel);
			m->failed = 1;
			return;
		}
		w = mat_write_atomic(m, buf_cstr(&m->gzpath), m->gz.data,
		    m->gz.len);
		if (w == -1)
			m->failed = 1;
		return;
	}
	w = mat_read_file(buf_cstr(&m->gzpath), &m->old);
	if (w == 1)
		mat_stale(m, rel, "its .gz is missing");
	else if (w == -1 ||
	    gzip_decode(m->old.data, m->old.len, &m->gz) == -1 ||
	    m->gz.len != len || memcmp(m->gz.data, data, len) != 0)
		mat_stale(m, rel, "its .gz differs from the store's answer");
}

/* Opens static_dir's lock (creating the directory) and takes it (op). */
int
mat_lock_dir(const char *dir, int op)
{
	struct buf p;
	int fd;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_warn("static: mkdir %s", dir);
		return -1;
	}
	buf_init(&p);
	buf_printf(&p, "%s/" LOCK_NAME, dir);
	fd = open(buf_cstr(&p), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1)
		log_warn("static: %s", buf_cstr(&p));
	buf_clear(&p);
	if (fd == -1)
		return -1;
	while (flock(fd, op) == -1) {
		if (errno == EINTR)
			continue;
		log_warn("static: flock %s", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The seq of the last complete pass (0: none): .seq holds "N", or "N own"
 * when every answer of that pass read only its own entries (m->prev_own).
 */
uint64_t
mat_state_read(struct mat *m)
{
	uint64_t seq = 0;
	char *end;

	m->prev_own = 0;
	buf_reset(&m->full);
	buf_printf(&m->full, "%s/" STATE_NAME, m->dir);
	if (mat_read_file(buf_cstr(&m->full), &m->old) == 0) {
		seq = strtoull(buf_cstr(&m->old), &end, 10);
		m->prev_own = strcmp(end, " " STATE_OWN "\n") == 0;
	}
	return seq;
}

void
mat_state_write(struct mat *m, uint64_t seq)
{
	char text[48];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "%s\n", seq,
	    m->own_only ? " " STATE_OWN : "");

	m->compare = 0;
	buf_reset(&m->rel);
	buf_printf(&m->rel, "%s/" STATE_NAME, m->dir);
	if (mat_write_atomic(m, buf_cstr(&m->rel), text, (size_t)n) == -1)
		m->failed = 1;
}

/*
 * The change head: {"seq":N,"etag":"W/\"N\"","changes":{"size":S,
 * "first":F}} (no "changes" without change pages), the store's seq the pass
 * rendered and the ETag query.fcgi's answers carry at it, written after
 * every answer, so that a client that polls it (a 304 from the web server
 * while nothing changed) and sees N finds the answers at N or later.
 * Written, or compared.
 */
void
mat_head(struct mat *m, uint64_t seq)
{
	char text[192];
	int n = snprintf(text, sizeof(text),
	    "{\"seq\":%" PRIu64 ",\"etag\":\"W/\\\"%" PRIu64 "\\\"\"", seq,
	    seq);
	int r;

	/* the change pages: their size and the oldest kept */
	if (conf_int(m->conf, CFG_STATIC_CHANGE_PAGES) > 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		    ",\"changes\":{\"size\":%lld,\"first\":%" PRIu64 "}",
		    (long long)conf_int(m->conf, CFG_STATIC_CHANGE_PAGE_SIZE),
		    m->change_first);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "}");

	buf_reset(&m->rel);
	buf_printf(&m->rel, "%s/" HEAD_REL, m->dir);
	/* a .gz as every file has (lighttpd's rules count on one) */
	mat_gz(m, buf_cstr(&m->rel), HEAD_REL, text, (size_t)n);
	if (m->mode == MODE_WRITE) {
		if (mat_write_atomic(m, buf_cstr(&m->rel), text, (size_t)n) ==
		    -1)
			m->failed = 1;
		return;
	}
	r = mat_read_file(buf_cstr(&m->rel), &m->old);
	if (r == 1)
		mat_stale(m, HEAD_REL, "missing");
	else if (r == -1 || m->old.len != (size_t)n ||
	    memcmp(m->old.data, text, (size_t)n) != 0)
		mat_stale(m, HEAD_REL, "differs from the store's seq");
}
