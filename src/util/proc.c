/* proc.c: small reads of the kernel's /proc files */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/proc.h"

ssize_t
proc_read(char *buf, size_t len, const char *path, ...)
{
	char full[128];
	va_list ap;
	ssize_t n;
	int fd, w;

	buf[0] = '\0';
	memcpy(full, "/proc/", 6);
	va_start(ap, path);
	w = vsnprintf(full + 6, sizeof(full) - 6, path, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(full) - 6)
		return -1;
	if ((fd = open(full, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}
