/* now.c: the time in milliseconds, by the wall clock or the monotonic one */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "util/now.h"

static int64_t
ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall-clock time: what commit times are stamped with (lag, logs). */
int64_t
now_wall_ms(void)
{
	return ms(CLOCK_REALTIME);
}

/* Monotonic time: for intervals and deadlines. */
int64_t
now_mono_ms(void)
{
	return ms(CLOCK_MONOTONIC);
}

/*
 * The calling thread's CPU time in nanoseconds: what a short piece of
 * work costs, whatever else the machine runs meanwhile.
 */
int64_t
now_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
now_fault_pause(const char *name)
{
	const char *v = getenv(name);
	long ms;

	if (v == NULL)
		return;
	ms = strtol(v, NULL, 10);
	if (ms <= 0)
		return;
	if (ms > 60000)
		ms = 60000;
	(void)nanosleep(&(struct timespec){ ms / 1000, (ms % 1000) * 1000000L },
	    NULL);
}
