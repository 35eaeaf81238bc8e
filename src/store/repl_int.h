/* repl_int.h: what the replication files (repl*.c) share, inside the store */
#ifndef REPL_INT_H
#define REPL_INT_H

#include <stddef.h>
#include <stdint.h>

#include <db.h>

#include "store/store_int.h"
#include "store/store_repl.h"

struct repl_site {
	char *host;
	unsigned port;
};

/* repl_group.c: the process-wide configuration (store_repl_configure). */
struct repl_config {
	int on;
	struct repl_site local;
	struct repl_site *sites;
	size_t nsites;
	int priority;
	u_int32_t ack_policy;
	int ack_timeout_ms, election_timeout_ms, election_retry_ms;
	int heartbeat_ms, creator, start_timeout_s;
};
extern struct repl_config repl_rc;

int repl_parse_addr(const char *, struct repl_site *);
int repl_configured(const char *host, unsigned port);
int repl_fail(const char *what, int ret);
void repl_msleep(int ms);
int repl_ack_wait_ms(void);

/* The replication state of one store (repl.c). */
struct store_repl {
	int node;          /* the replication process (opened REPL_NODE) */
	int started;       /* repmgr_start has succeeded in this process */
	int opened_client; /* not master when this process opened the store */
	int refused;       /* became master since: said once, refusing */
};

/*
 * `strapi-live repl-sites remove`: libdb removes a site only from a
 * process that runs the Replication Manager, so the command leaves the
 * address in REPL_REMOVE_FILE (in the store directory, "__db" so that it
 * is never copied to a replica) and the watchdog of the replication
 * process acts on it.
 */
#define REPL_REMOVE_FILE "__db.strapi-repl-remove"

/* repl_watch.c: the membership watchdog of the replication process. */
void repl_watch_kick(void);
void repl_watch_start(struct store *);
void repl_watch_stop(struct store *);
void repl_watch_counts(uint64_t *noticed, uint64_t *removed);
int repl_remove_member(DB_ENV *, const char *host, unsigned port);

#endif
