/* fcgi_const.c: the ceiling: a minimal FastCGI program returning a constant */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

/*
 * Answers every request with a JSON body of BENCH_BODY_SIZE bytes (default
 * 44, the size of a webhook answer), reading and discarding the request
 * body, as the cheapest possible FastCGI program behind the same server.
 */
int
main(void)
{
	FCGX_Request r;
	char *body, chunk[8192];
	const char *s = getenv("BENCH_BODY_SIZE");
	size_t n = s != NULL ? strtoul(s, NULL, 10) : 44, i;

	if (n < 2)
		n = 2;
	if ((body = malloc(n + 1)) == NULL)
		return 1;
	body[0] = '"';
	for (i = 1; i < n - 1; i++)
		body[i] = 'x';
	body[n - 1] = '"';
	body[n] = '\0';
	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&r) >= 0) {
		while (FCGX_GetStr(chunk, sizeof(chunk), r.in) > 0)
			;
		FCGX_FPrintF(r.out, "Status: 200 OK\r\nContent-Type: "
				    "application/json\r\nContent-Length: %zu\r\n\r\n",
		    n);
		FCGX_PutStr(body, (int)n, r.out);
		FCGX_Finish_r(&r);
	}
	free(body);
	return 0;
}
