/*
 * fault_once.c: an LD_PRELOAD library that makes a program die of a fault
 * (SIGSEGV) inside a library call, as libdb sometimes does in a process
 * joining a store's environment while another recovers it. Each fault is
 * taken once, by the first process that removes its marker file:
 *   FAULT_DB_CREATE=FILE   in db_create (opening the store's databases,
 *                          the environment already joined)
 *   FAULT_JSON=FILE        in json_tokener_parse_ex (the request's body
 *                          read and being parsed)
 *   FAULT_OPEN_HANG=FILE   no fault: db_env_create never returns (a
 *                          process stuck opening the store)
 *   FAULT_RECOVER=FILE     no fault: every db_create of that process
 *                          fails with DB_RUNRECOVERY (a process that
 *                          cannot open the store while it recovers)
 *   FAULT_SPIN=FILE        no fault: db_env_create loops for ever on the
 *                          CPU (a process spinning inside libdb)
 *   FAULT_JSON_PAUSE=FILE  no fault: json_tokener_parse_ex waits until
 *                          FILE is made again, and removes it (the
 *                          store open, the
 *                          content model's first part read and being
 *                          parsed: another process acts meanwhile)
 * and FAULT_QUERY=TEXT faults in db_create every time QUERY_STRING holds
 * TEXT. Built without the sanitizers, for any build's programs.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct json_tokener;
typedef struct __db DB;
typedef struct __db_env DB_ENV;

#define FAULT_RUNRECOVERY (-30973) /* db.h's DB_RUNRECOVERY (5.3) */

static pid_t recover_pid; /* the process that took FAULT_RECOVER */

static void
fault_once(const char *var)
{
	const char *m = getenv(var);

	if (m != NULL && *m != '\0' && unlink(m) == 0)
		raise(SIGSEGV);
}

int
db_create(DB **dbp, DB_ENV *env, unsigned int flags)
{
	static int (*real)(DB **, DB_ENV *, unsigned int);
	const char *q = getenv("FAULT_QUERY"), *qs = getenv("QUERY_STRING");
	const char *rec = getenv("FAULT_RECOVER");

	fault_once("FAULT_DB_CREATE");
	if (rec != NULL && *rec != '\0' && unlink(rec) == 0)
		recover_pid = getpid();
	if (recover_pid != 0 && recover_pid == getpid())
		return FAULT_RUNRECOVERY;
	if (q != NULL && *q != '\0' && qs != NULL && strstr(qs, q) != NULL)
		raise(SIGSEGV);
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "db_create");
	return real(dbp, env, flags);
}

int
db_env_create(DB_ENV **envp, unsigned int flags)
{
	static int (*real)(DB_ENV **, unsigned int);
	const char *hang = getenv("FAULT_OPEN_HANG");
	const char *spin = getenv("FAULT_SPIN");
	volatile unsigned long n = 0;

	if (hang != NULL && *hang != '\0' && unlink(hang) == 0)
		for (;;)
			pause();
	if (spin != NULL && *spin != '\0' && unlink(spin) == 0)
		for (;;)
			n++;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "db_env_create");
	return real(envp, flags);
}

void *
json_tokener_parse_ex(struct json_tokener *tok, const char *str, int len)
{
	static void *(*real)(struct json_tokener *, const char *, int);

	const char *pause_at = getenv("FAULT_JSON_PAUSE");

	fault_once("FAULT_JSON");
	if (pause_at != NULL && *pause_at != '\0' && unlink(pause_at) == 0) {
		while (unlink(pause_at) != 0) /* back, and taken: once */
			usleep(10000);
	}
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "json_tokener_parse_ex");
	return real(tok, str, len);
}
