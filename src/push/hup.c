/* hup.c: noticing SSE clients that went away */
#include "config.h"

#include <sys/epoll.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "util/log.h"
#include "push/hup.h"

/*
 * A browser that closes an SSE stream sends a FIN, and libwebsockets 4.1
 * does not read an HTTP connection whose response is still being written:
 * it never notices, and as the socket stays readable a level-triggered
 * loop (poll or epoll) reports it on every turn, so the sidecar spins
 * until a write to it fails, up to a heartbeat later. (Taking the socket
 * out of lws's read interest is no way out: lws then stops servicing its
 * POLLOUT too.) So each SSE socket is also watched for the peer's
 * shutdown (EPOLLRDHUP) in an epoll set of our own, itself one more
 * descriptor in lws's loop, and the client is closed as soon as it goes.
 */

/* Creates the watch set and adds it to the loop; fails soft (logged). */
void
push_hup_open(struct push *p)
{
	lws_sock_file_fd_type u;

	p->hup_fd = epoll_create1(EPOLL_CLOEXEC);
	if (p->hup_fd == -1) {
		log_warn("push: epoll_create1");
		return;
	}
	u.filefd = p->hup_fd;
	p->hup_wsi = lws_adopt_descriptor_vhost(p->vh, LWS_ADOPT_RAW_FILE_DESC,
	    u, "strapi-live", NULL);
	if (p->hup_wsi == NULL) {
		log_warnx("push: cannot watch for closed SSE streams");
		close(p->hup_fd);
		p->hup_fd = -1;
	}
}

/* Starts watching an SSE client's socket for the peer's close. */
void
push_hup_watch(struct push *p, struct push_client *c)
{
	struct epoll_event ev;

	if (p->hup_fd == -1 || c->hup)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(p->hup_fd, EPOLL_CTL_ADD, lws_get_socket_fd(c->wsi),
	        &ev) == -1) {
		log_warn("push: epoll_ctl");
		return;
	}
	c->hup = 1;
}

/* Stops watching; from the CLOSED callback, before lws closes the fd. */
void
push_hup_unwatch(struct push *p, struct push_client *c)
{

	if (!c->hup)
		return;
	c->hup = 0;
	if (epoll_ctl(p->hup_fd, EPOLL_CTL_DEL, lws_get_socket_fd(c->wsi),
	        NULL) == -1 &&
	    errno != EBADF && errno != ENOENT)
		log_warn("push: epoll_ctl");
}

/*
 * The watch set is readable: closes every client whose peer went away
 * (asynchronously: lws calls CLOSED, which unwatches it).
 */
void
push_hup_drain(struct push *p)
{
	struct epoll_event evs[128];
	struct push_client *c;
	int i, n;

	do {
		n = epoll_wait(p->hup_fd, evs, 128, 0);
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			push_hup_unwatch(p, c);
			p->hups_total++;
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK,
			    LWS_TO_KILL_ASYNC);
		}
	} while (n == 128);
}
