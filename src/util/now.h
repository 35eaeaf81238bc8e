/* now.h: the time in milliseconds, by the wall clock or the monotonic one */
#ifndef NOW_H
#define NOW_H

#include <stdint.h>

int64_t now_wall_ms(void);
int64_t now_mono_ms(void);
int64_t now_cpu_ns(void);
/*
 * The fault hooks' pause (tests only set them): sleeps the milliseconds
 * the environment variable name holds, at most a minute; nothing when it
 * is unset.
 */
void now_fault_pause(const char *name);

#endif
