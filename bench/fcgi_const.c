/* fcgi_const.c: benchmark ceiling: a bare libfcgi program, constant body */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

/*
 * Reads any request body, then answers with a JSON body of FCGI_CONST_SIZE bytes (env,
 * default 1024) and the headers query.fcgi sends: what the cheapest
 * FastCGI program can do through the same server. Not installed; the
 * fence on <fcgiapp.h> is for src/, and this is the baseline.
 */
int
main(void)
{
	FCGX_Request fr;
	const char *e = getenv("FCGI_CONST_SIZE");
	size_t size = e != NULL ? (size_t)strtoul(e, NULL, 10) : 1024, i;
	char *body, chunk[8192];

	if (size < 2)
		size = 2;
	if ((body = malloc(size)) == NULL)
		return 1;
	body[0] = '[';
	for (i = 1; i + 1 < size; i++)
		body[i] = ' ';
	body[size - 1] = ']';
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&fr) >= 0) {
		/* Read a request body as a real handler would (webhook POSTs). */
		while (FCGX_GetStr(chunk, sizeof(chunk), fr.in) > 0)
			;
		FCGX_FPrintF(fr.out, "Status: 200 OK\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n"
		    "ETag: W/\"1\"\r\nX-Strapi-Live-Seq: 1\r\n"
		    "Cache-Control: public, max-age=0, must-revalidate\r\n"
		    "Content-Length: %lu\r\n\r\n", (unsigned long)size);
		FCGX_PutStr(body, (int)size, fr.out);
		FCGX_Finish_r(&fr);
	}
	free(body);
	return 0;
}
