/* filter_int.h: what filter.c, filter_val.c and filter_sort.c share */
#ifndef MODEL_FILTER_INT_H
#define MODEL_FILTER_INT_H

#include <stdint.h>

struct buf;
struct json_object;
struct filter_keyval;

/* An entry parsed once (filter_doc_parse). */
struct filter_doc {
	struct json_object *o;
};

/* An ISO 8601 date-time (or epoch milliseconds) as milliseconds; -1: neither. */
int filter_parse_instant(const char *, int64_t *);
/* A decimal number, sign and exponent optional; -1: not one. */
int filter_parse_number(const char *, long double *);
/* The tags of NULL and of text in an index key (filter_key.c). */
#define KEY_NULL 0x10
#define KEY_TEXT 0x30

/* json parsed, when it is an object, or NULL (filter.c). */
struct json_object *filter_json_object(const char *, size_t);
/* An attribute's sort key as key_cmp compares it (filter.c). */
void filter_key_of(struct json_object *, const char *attr, enum filter_class,
    struct filter_keyval *);

#endif
