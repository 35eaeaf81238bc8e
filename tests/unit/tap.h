/* tap.h: a tiny TAP emitter for the unit tests */
#ifndef TAP_H
#define TAP_H

#include <stddef.h>

#include "compat.h"

void tap_plan(int);
int tap_ok_at(int, const char *file, int line, const char *fmt, ...)
    PRINTFLIKE(4, 5);
void tap_diag(const char *, ...) PRINTFLIKE(1, 2);
void tap_skip(const char *why, const char *name);
int tap_done(void);
void tap_tmpdir(char *dir, size_t size, const char *name);
void tap_write(const char *dir, const char *rel, const char *text);
void tap_rmtree(const char *dir);

#define ok(cond, ...) tap_ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#endif
