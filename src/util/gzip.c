/* gzip.c: gzip members in and out of buffers (zlib), for static answers */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "util/buf.h"
#include "util/gzip.h"

/*
 * zlib, not a compressor of our own: the files are read by web servers
 * and browsers, whose gzip is zlib's. Level 6 (zlib's default): a list
 * page of 12 KB takes about a tenth of a millisecond.
 */
#define GZ_LEVEL  6
#define GZ_WINDOW (15 + 16) /* 32 KB window, gzip wrapper */

#ifdef HAVE_ZLIB
int
gzip_available(void)
{
	return 1;
}

int
gzip_encode(const void *data, size_t len, struct buf *out)
{
	z_stream z;
	int ret;

	if (len > UINT_MAX)
		return -1;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, GZ_LEVEL, Z_DEFLATED, GZ_WINDOW, 8,
	        Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	buf_reset(out);
	buf_reserve(out, deflateBound(&z, (uLong)len));
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)(out->cap - 1); /* the NUL's byte kept */
	ret = deflate(&z, Z_FINISH);
	if (ret == Z_STREAM_END) {
		out->len = z.total_out;
		out->data[out->len] = '\0';
	}
	deflateEnd(&z);
	return ret == Z_STREAM_END ? 0 : -1;
}

int
gzip_decode(const void *gz, size_t len, struct buf *out)
{
	unsigned char chunk[16384];
	z_stream z;
	int ret;

	if (len > UINT_MAX)
		return -1;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, GZ_WINDOW) != Z_OK)
		return -1;
	buf_reset(out);
	z.next_in = (Bytef *)(uintptr_t)gz;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		ret = inflate(&z, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END)
			break;
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (ret != Z_STREAM_END);
	inflateEnd(&z);
	/* one member, nothing after it */
	return ret == Z_STREAM_END && z.avail_in == 0 ? 0 : -1;
}
#else
int
gzip_available(void)
{
	return 0;
}

int
gzip_encode(const void *data UNUSED, size_t len UNUSED, struct buf *out UNUSED)
{
	return -1;
}

int
gzip_decode(const void *gz UNUSED, size_t len UNUSED, struct buf *out UNUSED)
{
	return -1;
}
#endif
