/* metric.c: Prometheus text lines, one by one or from a table */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "util/log.h"
#include "push/metric.h"

/* Appends one metric with its HELP and TYPE lines. */
void
push_metric_line(struct buf *b, const char *name, const char *type,
    const char *help, uint64_t v)
{

	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name,
	    help, name, type, name, v);
}

/*
 * Appends a metric line for each row, reading its value from the struct
 * at base: a 4-byte field as unsigned, an 8-byte one as uint64_t (a
 * signed one as its conversion to it). Fatal on another size: a table
 * that names such a field is a programming error.
 */
void
push_metric_table(struct buf *b, const struct push_metric *m, size_t n,
    const void *base)
{
	const char *f;
	uint32_t u32;
	uint64_t v;
	size_t i;

	for (i = 0; i < n; i++) {
		f = (const char *)base + m[i].off;
		if (m[i].size == sizeof(u32)) {
			memcpy(&u32, f, sizeof(u32));
			v = u32;
		} else if (m[i].size == sizeof(v))
			memcpy(&v, f, sizeof(v));
		else
			fatalx("metric %s: a %zu-byte field", m[i].name,
			    m[i].size);
		push_metric_line(b, m[i].name, m[i].type, m[i].help, v);
	}
}
