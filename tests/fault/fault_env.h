/* fault_env.h: the fault programs join a store's environment as ours do */
#ifndef FAULT_ENV_H
#define FAULT_ENV_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include <db.h>

#include "compat.h"

static int
fault_isalive(DB_ENV *env UNUSED, pid_t pid, db_threadid_t tid UNUSED,
    u_int32_t flags UNUSED)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/*
 * Joins the environment in dir the way the programs do (DB_REGISTER,
 * DB_FAILCHK). Returns it, or NULL after printing why, prefixed by prog.
 */
static DB_ENV *
fault_env_open(const char *prog, const char *dir)
{
	DB_ENV *env;
	int ret;

	if ((ret = db_env_create(&env, 0)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, db_strerror(ret));
		return NULL;
	}
	env->set_thread_count(env, 4096);
	env->set_isalive(env, fault_isalive);
	ret = env->open(env, dir,
	    DB_INIT_TXN | DB_INIT_LOCK | DB_INIT_LOG | DB_INIT_MPOOL |
	        DB_REGISTER | DB_FAILCHK,
	    0600);
	if (ret != 0) {
		fprintf(stderr, "%s: %s\n", prog, db_strerror(ret));
		env->close(env, 0);
		return NULL;
	}
	return env;
}

#endif
