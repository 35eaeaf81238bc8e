/* log.h: one escaped line per message to stderr */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#include "compat.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

#define LOG_STAMP_LEN 25 /* "2026-12-03T09:49:39.531Z " */

size_t log_stamp(char out[LOG_STAMP_LEN]);
void log_init(const char *progname, enum log_level);
void log_set_level(enum log_level);
int log_level_parse(const char *, enum log_level *);
void log_set_request(unsigned long);
void log_debug(const char *, ...) PRINTFLIKE(1, 2);
void log_info(const char *, ...) PRINTFLIKE(1, 2);
void log_warn(const char *, ...) PRINTFLIKE(1, 2);
void log_warnx(const char *, ...) PRINTFLIKE(1, 2);
void fatal(const char *, ...) PRINTFLIKE(1, 2) DEAD;
void fatalx(const char *, ...) PRINTFLIKE(1, 2) DEAD;

#endif
