/* fcgi.h: FastCGI / plain CGI transport around a request handler */
#ifndef FCGI_H_STRAPI_LIVE
#define FCGI_H_STRAPI_LIVE

#include <stddef.h>

#include "api/http.h"

typedef http_handler fcgi_handler;

typedef int (*fcgi_idle_fn)(void *);
typedef void (*fcgi_after_fn)(void *);

int fcgi_serve(fcgi_handler, void *arg, size_t max_body);
int fcgi_shutting_down(void);
void fcgi_stop_after_request(void);
void fcgi_set_max_requests(unsigned long long);
int fcgi_limit_reached(void);
void fcgi_recycle_soon(const char *why);
extern const char *fcgi_recycle_why;
void fcgi_recycle(char *argv[]);
void fcgi_set_idle(fcgi_idle_fn, void *arg, int secs);
void fcgi_set_write_timeout(int ms);
int fcgi_is_cgi(void);
int fcgi_cgi_supervise(void);
void fcgi_cgi_ready(void);
void fcgi_cgi_again(const char *why);
void fcgi_set_after(fcgi_after_fn, void *arg);

#endif
