/* proc.h: small reads of the kernel's /proc files */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>

/*
 * Reads the start of /proc/<path> (path formatted as printf does, e.g.
 * "%ld/stat") into buf, NUL-terminated: the bytes read, or -1 (buf "")
 * when it cannot be read. Only open, read and close: safe where a
 * process is waited on or cleaned up after (failchk, the watchdogs).
 */
ssize_t proc_read(char *buf, size_t len, const char *path, ...)
    __attribute__((format(printf, 3, 4)));

#endif
