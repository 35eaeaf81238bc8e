/* log.c: leveled logging, one escaped, time-stamped line per call on stderr */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

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
 * Writes the current time as "YYYY-MM-DDTHH:MM:SS.mmmZ " (25 bytes, no
 * NUL) into out, from clock_gettime and arithmetic only, so that a signal
 * handler may call it (log_stamp_write). Returns the length, 25.
 */
size_t
log_stamp(char out[LOG_STAMP_LEN])
{
	struct timespec ts;
	int64_t days, secs, z, era, doe, yoe, y, doy, mp, d, m;
	long ms;
	int i;
	char num[8];

	clock_gettime(CLOCK_REALTIME, &ts);
	secs = (int64_t)ts.tv_sec;
	ms = ts.tv_nsec / 1000000;
	days = secs / 86400;
	secs %= 86400;
	/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	num[0] = (char)('0' + y / 1000 % 10);
	num[1] = (char)('0' + y / 100 % 10);
	num[2] = (char)('0' + y / 10 % 10);
	num[3] = (char)('0' + y % 10);
	memcpy(out, num, 4);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 'T';
	for (i = 0; i < 3; i++) {
		int64_t v = i == 0 ? secs / 3600
		    : i == 1       ? secs / 60 % 60
		                   : secs % 60;

		out[11 + 3 * i] = (char)('0' + v / 10);
		out[12 + 3 * i] = (char)('0' + v % 10);
		out[13 + 3 * i] = i < 2 ? ':' : '.';
	}
	out[20] = (char)('0' + ms / 100);
	out[21] = (char)('0' + ms / 10 % 10);
	out[22] = (char)('0' + ms % 10);
	out[23] = 'Z';
	out[24] = ' ';
	return LOG_STAMP_LEN;
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
	char msg[2048], out[8192];
	size_t o;
	const unsigned char *s;
	int n;

	if (level > log_lvl)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* ISO 8601 UTC, so that a line says when (a process's death too). */
	o = log_stamp(out);
	n = snprintf(out + o, sizeof(out) - o, "%s[%ld]: %s ", log_prog,
	    (long)getpid(), lname);
	if (n > 0)
		o += (size_t)n;
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
