/* notify.c: best-effort "seq" datagrams on a unix socket in the store dir */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "util/notify.h"

static int notify_fd = -1;

/*
 * The address of the unix socket name in the store directory dir (the
 * wake-ups' push.sock, the write relay's write.sock). 0, or -1 when the
 * path is too long for a socket.
 */
int
notify_sockaddr(struct sockaddr_un *sun, const char *dir, const char *name)
{
	int n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", dir, name);
	return n > 0 && (size_t)n < sizeof(sun->sun_path) ? 0 : -1;
}

/*
 * Tells the sidecar that changes up to seq are committed. Never blocks and
 * never fails the caller: no listener, a full queue or a long path only
 * mean the sidecar finds the change by its poll instead.
 */
void
notify_send(const char *dir, uint64_t seq)
{
	struct sockaddr_un sun;
	char msg[32];
	int n;

	if (notify_sockaddr(&sun, dir, NOTIFY_SOCKET_NAME) == -1)
		return;
	if (notify_fd == -1) {
		notify_fd = socket(AF_UNIX,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (notify_fd == -1)
			return;
	}
	n = snprintf(msg, sizeof(msg), "%" PRIu64, seq);
	(void)sendto(notify_fd, msg, (size_t)n, MSG_DONTWAIT,
	    (struct sockaddr *)&sun, sizeof(sun));
}

/*
 * Binds the receiving socket (replacing a stale one). Returns a
 * non-blocking fd, or -1 after logging.
 */
int
notify_bind(const char *dir)
{
	struct sockaddr_un sun;
	int fd;

	if (notify_sockaddr(&sun, dir, NOTIFY_SOCKET_NAME) == -1) {
		log_warnx("notify: socket path under %s is too long", dir);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("notify: socket");
		return -1;
	}
	/* Anyone who may write to it can wake the sidecar at will. */
	if (notify_bind_private(fd, &sun) == -1) {
		log_warn("notify: bind %s", sun.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Binds fd to sun's path (replacing a stale socket), mode 0600 whatever
 * the umask: the umask covers the moment between bind and chmod, chmod a
 * umask changed by another thread. Returns 0, or -1 with errno set.
 */
int
notify_bind_private(int fd, const struct sockaddr_un *sun)
{
	mode_t old;
	int rc;

	(void)unlink(sun->sun_path);
	old = umask(0177);
	rc = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	(void)umask(old);
	if (rc == -1 || chmod(sun->sun_path, 0600) == -1)
		return -1;
	return 0;
}

/*
 * Reads every queued datagram. Returns the number read (0 when none) and
 * the highest seq seen in *max_seq (unchanged when none).
 */
int
notify_drain(int fd, uint64_t *max_seq)
{
	char msg[32];
	ssize_t n;
	int count = 0;
	uint64_t v;

	for (;;) {
		n = recv(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);
		if (n <= 0)
			break;
		msg[n] = '\0';
		v = strtoull(msg, NULL, 10);
		if (v > *max_seq)
			*max_seq = v;
		count++;
	}
	return count;
}
