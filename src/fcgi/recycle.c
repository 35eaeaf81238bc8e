/* recycle.c: a FastCGI process replaces itself with a fresh image */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "fcgi/fcgi.h"
#include "util/log.h"

/*
 * Called by a main after fcgi_serve returned at max_requests and the store
 * was closed: execs the program again in the same process. The listening
 * socket the FastCGI server handed over (descriptor 0) stays open across
 * exec, so connections already queued on it are served by the new image and
 * none is refused; the server sees the same pid and notices nothing, while
 * every byte of heap starts afresh. The same hands a process over to a
 * fresh image when it must leave the store's environment (prog_idle).
 * Exiting instead would make lighttpd reset the queued connections and
 * refuse the backend for a while. When exec fails the process exits with
 * status 0 and the server restarts it.
 */
void
fcgi_recycle(char *argv[])
{
	char self[PATH_MAX];
	ssize_t n;

	log_info("recycling: %s, starting afresh", fcgi_recycle_why);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		execv(self, argv);
	}
	execv(argv[0], argv);
	log_warn("recycling: exec %s", argv[0]);
	exit(0);
}
