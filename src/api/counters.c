/* counters.c: the store directory's rejection counters (not a database) */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/counters.h"
#include "model/entry.h"
#include "util/log.h"
#include "util/xmalloc.h"

/*
 * The file is COUNTERS_SIZE bytes, allocated once when it is created
 * (posix_fallocate), and mapped shared: every webhook.fcgi process and the
 * sidecar's writer threads add to the same 64-bit slots with atomic
 * operations on the mapping. Counting never allocates a block, never
 * takes a lock of the store's, and never writes a log record. Slot 0 holds
 * the format version; the counters follow.
 */
#define COUNTERS_SIZE    4096
#define COUNTERS_VERSION 1

struct counters {
	uint64_t *slot; /* COUNTERS_SIZE bytes, shared */
};

/*
 * Maps dir/COUNTERS_FILE, creating it (0600, full size) when create is
 * set. Returns NULL after logging once when it cannot: the caller then
 * counts nothing (counters_add(NULL, ...) does nothing).
 */
struct counters *
counters_open(const char *dir, int create)
{
	struct counters *c;
	struct stat sb;
	char path[4096];
	void *p;
	int fd, ret;
	uint64_t zero = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, COUNTERS_FILE) >=
	    sizeof(path))
		return NULL;
	fd = open(path, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		if (create || errno != ENOENT)
			log_warn("counters: %s", path);
		return NULL;
	}
	if (create && (ret = posix_fallocate(fd, 0, COUNTERS_SIZE)) != 0) {
		errno = ret;
		log_warn("counters: allocating %s", path);
		close(fd);
		return NULL;
	}
	if (fstat(fd, &sb) == -1 || sb.st_size < COUNTERS_SIZE) {
		log_warnx("counters: %s is not %d bytes", path, COUNTERS_SIZE);
		close(fd);
		return NULL;
	}
	p = mmap(NULL, COUNTERS_SIZE,
	    create ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		log_warn("counters: mapping %s", path);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->slot = p;
	if (create)
		(void)__atomic_compare_exchange_n(&c->slot[0], &zero,
		    (uint64_t)COUNTERS_VERSION, 0, __ATOMIC_SEQ_CST,
		    __ATOMIC_SEQ_CST);
	return c;
}

/* Unmaps c; counters_close(NULL) does nothing. */
void
counters_close(struct counters *c)
{
	if (c == NULL)
		return;
	munmap(c->slot, COUNTERS_SIZE);
	free(c);
}

/* Adds n to counter id (atomic across processes). c may be NULL. */
void
counters_add(struct counters *c, enum counter_id id, uint64_t n)
{
	if (c == NULL || id >= COUNTER__MAX)
		return;
	__atomic_fetch_add(&c->slot[1 + id], n, __ATOMIC_RELAXED);
}

/* Sets counter id to v (a time). c may be NULL. */
void
counters_set(struct counters *c, enum counter_id id, uint64_t v)
{
	if (c == NULL || id >= COUNTER__MAX)
		return;
	__atomic_store_n(&c->slot[1 + id], v, __ATOMIC_RELAXED);
}

/* The value of counter id; 0 when c is NULL. */
uint64_t
counters_get(const struct counters *c, enum counter_id id)
{
	if (c == NULL || id >= COUNTER__MAX)
		return 0;
	return __atomic_load_n(&c->slot[1 + id], __ATOMIC_RELAXED);
}

/* The JSON/metrics name of counter id. This function can't fail. */
const char *
counters_name(enum counter_id id)
{
	/* clang-format off */
	static const char *const names[COUNTER__MAX] = {
		"noHeader",	/* COUNTER_AUTH_NO_HEADER */
		"noBearer",	/* COUNTER_AUTH_NO_BEARER */
		"badSecret",	/* COUNTER_AUTH_BAD_SECRET */
		"badSignature",	/* COUNTER_AUTH_BAD_SIGNATURE */
		"lastRejectMs",	/* COUNTER_LAST_REJECT_MS */
	};
	/* clang-format on */

	return id < COUNTER__MAX ? names[id] : "unknown";
}

/*
 * Appends dir's refusal counters as a JSON object ({"noHeader":0, ...,
 * "last":null or an ISO time}); all zero when the file does not exist.
 */
void
counters_json(const char *dir, struct buf *b)
{
	struct counters *c = counters_open(dir, 0);
	uint64_t total = 0, last;
	char iso[64];
	int i;

	buf_addc(b, '{');
	for (i = 0; i < COUNTER_LAST_REJECT_MS; i++) {
		buf_printf(b, "\"%s\":%" PRIu64 ",", counters_name(i),
		    counters_get(c, i));
		total += counters_get(c, i);
	}
	buf_printf(b, "\"total\":%" PRIu64, total);
	if ((last = counters_get(c, COUNTER_LAST_REJECT_MS)) == 0)
		buf_adds(b, ",\"last\":null}");
	else {
		entry_format_time((int64_t)last, iso);
		buf_printf(b, ",\"last\":\"%s\"}", iso);
	}
	counters_close(c);
}

/* Appends dir's refusal counters in Prometheus text format. */
void
counters_metrics(const char *dir, struct buf *b)
{
	struct counters *c = counters_open(dir, 0);
	int i;

	buf_adds(b,
	    "# HELP strapi_live_webhook_refused_total Webhook "
	    "deliveries refused before authentication (never stored)."
	    "\n# TYPE strapi_live_webhook_refused_total counter\n");
	for (i = 0; i < COUNTER_LAST_REJECT_MS; i++)
		buf_printf(b,
		    "strapi_live_webhook_refused_total{reason=\"%s\"} "
		    "%" PRIu64 "\n",
		    counters_name(i), counters_get(c, i));
	counters_close(c);
}
