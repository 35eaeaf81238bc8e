/* store_repl.h: Berkeley DB replication (Replication Manager) of the store */
#ifndef STORE_REPL_H
#define STORE_REPL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_REPL_ADDR_MAX 300 /* "host:port" */

enum store_repl_role {
	STORE_REPL_OFF,     /* replication not configured */
	STORE_REPL_MASTER,  /* this site takes writes */
	STORE_REPL_CLIENT,  /* a replica: reads only */
	STORE_REPL_UNKNOWN, /* started, no role yet (joining, electing) */
};

/* What a process sees of the group, from the shared replication region. */
struct store_repl_status {
	enum store_repl_role role;
	char self[STORE_REPL_ADDR_MAX];   /* this site's host:port */
	char master[STORE_REPL_ADDR_MAX]; /* "" when no master is known */
	int replication_process;       /* this process runs repmgr's threads */
	int startup_done;              /* a client has caught up once */
	unsigned nsites;               /* group size, as BDB counts it */
	unsigned members;              /* sites in the member list, self too */
	unsigned strangers;            /* members not in repl_local/_sites */
	uint64_t strangers_noticed;    /* strangers seen join (watchdog) */
	uint64_t strangers_removed;    /* of them, no longer members */
	unsigned connected;            /* sites this host is connected to */
	uint64_t generation;           /* election generation */
	uint64_t elections;            /* elections this site has held */
	uint64_t perm_failed;          /* commits not acknowledged in time */
	uint64_t log_queued;           /* records a client holds out of order */
	uint64_t lsn_file, lsn_offset; /* next log position */
};

/* The replication settings, as the caller read them (prog.c, from conf). */
struct store_repl_opts {
	const char *local;      /* this site's "host:port"; "" or NULL: off */
	const char *sites;      /* other sites' "host:port", comma or space */
	const char *ack_policy; /* "quorum", "all", "one", ... */
	int priority;           /* in elections */
	int ack_timeout_ms, election_timeout_ms, election_retry_ms;
	int heartbeat_ms; /* 0: no heartbeats */
	int group_creator;
	int start_timeout_s; /* for joining the group at open */
};

/*
 * Takes the replication settings for every store this process opens
 * (process-wide, before store_open). Replication stays off while local is
 * empty. Checks the addresses' form and the policy's name only; which
 * networks they may be on is the caller's check. Returns 0, or -1 with
 * *cause set (caller frees).
 */
int store_repl_configure(const struct store_repl_opts *, char **cause);
int store_repl_enabled(void);
const char *store_repl_self(void);

/*
 * Fills *st. Works in every process that has the store open, whether or
 * not it runs the Replication Manager. Returns 0, or -1 after logging.
 */
int store_repl_status(struct store *, struct store_repl_status *);
const char *store_repl_role_name(enum store_repl_role);

/*
 * Where writes go: 0 when this process may write (replication off, or this
 * site is master and this process is a Replication Manager process), 1 when
 * another site is master (*addr is its replication host:port), -1 when no
 * writable master can be reached now (electing, or no replication
 * process on this host), -2 on the master while a site that is not
 * configured is a member of the group (the watchdog is removing it).
 */
int store_repl_write_target(struct store *, char *addr, size_t addrsz);

/* One member of the group (store_repl_sites). */
struct store_repl_site {
	char addr[STORE_REPL_ADDR_MAX]; /* host:port */
	int self, master, connected;
	int configured; /* in repl_local or repl_sites */
};

int store_repl_sites(struct store *,
    void (*)(void *, const struct store_repl_site *), void *);
int store_repl_remove_site(struct store *, const char *addr);

#endif
