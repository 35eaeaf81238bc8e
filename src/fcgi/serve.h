/* serve.h: a server program over FastCGI, from start-up to recycling */
#ifndef SERVE_H
#define SERVE_H

#include <stddef.h>

#include "api/prog.h"
#include "fcgi/fcgi.h"

/* Seconds between prog_idle checks in the FastCGI programs. */
#define PROG_IDLE_S 2

/*
 * One FastCGI program, as its main describes it to prog_run: its role,
 * its handler and the handler's context, and the steps of its own.
 */
struct prog_main {
	enum prog_role role;
	fcgi_handler handler;
	void *ctx;       /* the handler's argument */
	size_t max_body; /* bytes of request body read; 0: none */
	/* After the start: fills ctx from p; may change handler/max_body. */
	void (*setup)(struct prog *p, struct prog_main *);
	/* Before the store closes; NULL: nothing to do. */
	void (*finish)(struct prog_main *);
	/*
	 * 1: long streams; under plain CGI served by the process itself,
	 * not by a child (fcgi_cgi_supervise): one process per reader.
	 */
	int streams;
};

int prog_idle(void *);
void prog_after(void *);
int prog_serve(struct prog *, fcgi_handler, void *arg, size_t max_body);
int prog_run(struct prog_main *, char *argv[]);

#endif
