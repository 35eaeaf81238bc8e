/* gzip.h: gzip members in and out of buffers (zlib), for static answers */
#ifndef GZIP_H
#define GZIP_H

#include <stddef.h>

#include "util/buf.h"

/* 1 when this build compresses (configured with zlib), else 0. */
int gzip_available(void);
/*
 * Replaces out with data as one gzip member (no name, no time: the same
 * bytes give the same member). Returns 0, or -1 (no zlib, or zlib's
 * error).
 */
int gzip_encode(const void *data, size_t len, struct buf *out);
/* Replaces out with what the gzip member gz holds. 0, or -1. */
int gzip_decode(const void *gz, size_t len, struct buf *out);

#endif
