/* log.c: leveled logging, one escaped, time-stamped line per call on stderr */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "strapi-live";
static enum log_level log_lvl = LOG_LEVEL_INFO;
static unsigned long log_req;

void
log_init(const char *progname, enum log_level level)
{
	const char *p;

	if ((p = strrchr(progname, '/')) != NULL)
		progname = p + 1;
	log_prog = progname;
	log_lvl = level;
}

void
log_set_level(enum log_level level)
{
	log_lvl = level;
}

/* Parses "error|warn|info|debug". Returns 0, or -1 for an unknown name. */
int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Sets the request number shown as req=<n> (0: none). */
void
log_set_request(unsigned long n)
{
	log_req = n;
}

/*
 * Writes one line. Control characters, backslashes and bytes >= 0x7f are
 * escaped so that request data can never forge or split a log line.
 */
static void vlog(enum log_level, const char *, int, const char *, va_list)
    __attribute__((__format__(__printf__, 4, 0)));

static void
vlog(enum log_level level, const char *lname, int errnum, const char *fmt,
    va_list ap)
{
	char msg[2048], out[8192], ts[32];
	size_t o = 0;
	const unsigned char *s;
	struct timespec now;
	struct tm tm;
	int n;

	if (level > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* ISO 8601 UTC, so that a line says when (a process's death too). */
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	if (strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		ts[0] = '\0';
	n = snprintf(out, sizeof(out), "%s.%03ldZ %s[%ld]: %s ", ts,
	    now.tv_nsec / 1000000, log_prog, (long)getpid(), lname);
	if (n > 0)
		o = (size_t)n;
	if (log_req != 0) {
		n = snprintf(out + o, sizeof(out) - o, "req=%lu ", log_req);
		if (n > 0)
			o += (size_t)n;
	}
	for (s = (const unsigned char *)msg; *s != '\0' && o + 8 < sizeof(out);
	    s++) {
		if (*s < 0x20 || *s >= 0x7f || *s == '\\') {
			n = snprintf(out + o, sizeof(out) - o, "\\x%02x", *s);
			o += (size_t)n;
		} else
			out[o++] = (char)*s;
	}
	if (errnum != 0 && o + 256 < sizeof(out)) {
		n = snprintf(out + o, 256, ": %s", strerror(errnum));
		if (n > 0)
			o += (size_t)n < 255 ? (size_t)n : 255;
	}
	out[o++] = '\n';
	(void)!write(STDERR_FILENO, out, o);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, "debug", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, "info", 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, "warn", e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, "warn", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, "fatal", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, "fatal", 0, fmt, ap);
	va_end(ap);
	exit(1);
}
