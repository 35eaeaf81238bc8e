/* buf.h: growable, length-tracked byte buffer */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

#include "compat.h"

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *);
void buf_clear(struct buf *);
void buf_reset(struct buf *);
void buf_reserve(struct buf *, size_t);
void buf_add(struct buf *, const void *, size_t);
void buf_adds(struct buf *, const char *);
void buf_addc(struct buf *, char);
void buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void buf_add_json_string(struct buf *, const char *, size_t);
void buf_add_json_ascii(struct buf *, const char *, size_t);
void buf_add_qs_encoded(struct buf *, const char *);
void buf_add_base64url(struct buf *, const char *, size_t);
int buf_add_unbase64url(struct buf *, const char *, size_t);
const char *buf_cstr(struct buf *);
char *buf_take(struct buf *);

#endif
