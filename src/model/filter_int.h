/* filter_int.h: what filter.c, filter_val.c and filter_sort.c share */
#ifndef MODEL_FILTER_INT_H
#define MODEL_FILTER_INT_H

#include <stdint.h>

struct buf;
struct json_object;

/* An entry parsed once (filter_doc_parse). */
struct filter_doc {
	struct json_object *o;
};

/* An ISO 8601 date-time (or epoch milliseconds) as milliseconds; -1: neither. */
int filter_parse_instant(const char *, int64_t *);
/* A decimal number, sign and exponent optional; -1: not one. */
int filter_parse_number(const char *, long double *);

#endif
