/* metric.h: Prometheus text lines, one by one or from a table */
#ifndef PUSH_METRIC_H
#define PUSH_METRIC_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* A metric read from a struct field of 4 or 8 bytes. */
struct push_metric {
	const char *name;
	const char *type; /* "gauge" or "counter" */
	const char *help;
	size_t off;  /* of the field in the struct */
	size_t size; /* of the field */
};

#define PUSH_METRIC(st, field, name, type, help)       \
	{                                              \
		name, type, help, offsetof(st, field), \
		    sizeof(((st *)0)->field)           \
	}

void push_metric_line(struct buf *, const char *name, const char *type,
    const char *help, uint64_t);
void push_metric_table(struct buf *, const struct push_metric *, size_t,
    const void *base);

#endif
