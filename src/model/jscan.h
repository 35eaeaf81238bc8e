/* jscan.h: values of JSON text, by their bytes, without parsing it */
#ifndef MODEL_JSCAN_H
#define MODEL_JSCAN_H

#include <stddef.h>
#include <stdint.h>

/* A value in stored bytes (a key: its bytes between the quotes). */
struct jspan {
	const char *p;
	size_t n;
};

/* Walks the members of an object or the items of an array. */
struct jscan_iter {
	const char *p, *e;
	char close;
	int first;
};

/* Past the white space at p (e: the end). */
const char *jscan_ws(const char *p, const char *e);

/* Past the string opening at p, or NULL. */
const char *jscan_skip_string(const char *p, const char *e);

/* Past the value starting at p, or NULL when there is none. */
const char *jscan_skip_value(const char *p, const char *e);

/* 0, or -1 when v is not an object ('{') or an array ('['). */
int jscan_begin(struct jscan_iter *it, struct jspan v, char open);

/*
 * The next member (key set) or item (key NULL): 1, 0 at the end, -1 when
 * the bytes are not JSON.
 */
int jscan_next(struct jscan_iter *it, struct jspan *key, struct jspan *val);

/* Whether v starts with c ({, [, ", n for null...). */
int jscan_is(struct jspan v, char c);

/* Whether the key k (its bytes between the quotes) is s. */
int jscan_key_is(struct jspan k, const char *s);

/* The value of o's member key (first of its name): 1, or 0 when none. */
int jscan_member(struct jspan o, const char *key, struct jspan *val);

/*
 * The string v holds, decoded into s (cap bytes), or NULL when v is no
 * string or it does not fit.
 */
const char *jscan_str(struct jspan v, char *s, size_t cap);

/* v as an integer (json-c's int: digits, maybe a minus): 1, or 0. */
int jscan_int(struct jspan v, int64_t *out);

#endif
