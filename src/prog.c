/* prog.c: configuration, logging and store opening for the server programs */
#include "config.h"

#include <stdlib.h>

#include "log.h"
#include "prog.h"
#include "store_repl.h"

/*
 * Loads the configuration once per process (file, then environment), sets
 * the log level, applies the replication settings, warns when a file with
 * secrets is readable by others, and opens the store (writers with the
 * configured durability; readers send no wake-ups). Every failure here is
 * fatal: it happens at start-up, before any request.
 */
void
prog_start(struct prog *p, const char *argv0, enum prog_role role)
{
	char *cause;
	enum log_level lv = LOG_LEVEL_INFO;
	int flags;

	log_init(argv0, LOG_LEVEL_INFO);
	if (conf_load(&p->conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	(void)log_level_parse(conf_str(p->conf, CFG_LOG_LEVEL), &lv);
	log_set_level(lv);
	if (store_repl_configure(p->conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	if (conf_file_is_exposed(p->conf))
		log_warnx("%s holds secrets and is readable by other users",
		    conf_path(p->conf));
	p->store = NULL;
	/*
	 * Replicated (issue 9), webhook.fcgi hands each delivery to the
	 * host's replication process (relay.c, push_writer.c) and opens
	 * nothing itself.
	 */
	if (role == PROG_WEBHOOK && store_repl_enabled())
		return;
	if (role == PROG_WEBHOOK)
		role = PROG_WRITER;
	flags = role == PROG_WRITER ? 0 : STORE_OPEN_NO_NOTIFY;
	/*
	 * Replicated (issue 9): the sidecar is the host's replication process
	 * (it starts the Replication Manager's threads at open and waits to
	 * join the group); readers open read-only, so they never start
	 * repmgr threads of their own.
	 */
	if (store_repl_enabled() && role == PROG_PUSH)
		flags |= STORE_OPEN_REPL_NODE;
	else if (store_repl_enabled() && role == PROG_READER)
		flags |= STORE_OPEN_RDONLY;
	if (store_open(&p->store, conf_str(p->conf, CFG_STORE_DIR), flags) ==
	    -1)
		fatalx("cannot open the store");
	if (role == PROG_WRITER)
		store_set_durable(p->store, conf_bool(p->conf, CFG_DURABLE));
}

/* Closes the store and frees the configuration. */
void
prog_finish(struct prog *p)
{
	store_close(p->store);
	conf_free(p->conf);
	p->store = NULL;
	p->conf = NULL;
}
