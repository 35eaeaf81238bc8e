/* fcgi_int.h: what fcgi.c and cgi.c share (plain CGI's request child) */
#ifndef FCGI_INT_H_STRAPI_LIVE
#define FCGI_INT_H_STRAPI_LIVE

/*
 * Plain CGI's parent and its request children share this page (NULL when
 * the request is served without a parent, as under FastCGI).
 */
struct cgi_share {
	int wrote;      /* a byte of the answer went to stdout */
	int body_saved; /* the body read from stdin is in cgi_body_fd */
	int ready;      /* the child opened the store (fcgi_cgi_ready) */
};
extern volatile struct cgi_share *cgi_share;
extern int cgi_body_fd; /* a memfd the first child saves the body in */

struct http_resp;
void fcgi_cgi_write(struct http_resp *);

#endif
