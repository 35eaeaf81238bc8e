/* tap.c: TAP output: plan, ok/not ok with file:line, diagnostics; temp dirs */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tap_n, tap_failed, tap_planned = -1;

void
tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

int
tap_ok_at(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("# failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void
tap_skip(const char *why, const char *name)
{
	printf("ok %d - %s # SKIP %s\n", ++tap_n, name, why);
}

/* Prints the plan when none was given; returns the exit status. */
int
tap_done(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed != 0 || (tap_planned >= 0 && tap_planned != tap_n);
}

/*
 * Makes a fresh directory TMPDIR/name.XXXXXX (/tmp without TMPDIR) into
 * dir; exits the test when it cannot.
 */
void
tap_tmpdir(char *dir, size_t size, const char *name)
{
	const char *t = getenv("TMPDIR");

	snprintf(dir, size, "%s/%s.XXXXXX", t != NULL ? t : "/tmp", name);
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", dir, strerror(errno));
		exit(1);
	}
}

/* Writes text to dir/rel, making the folders; bails out when it cannot. */
void
tap_write(const char *dir, const char *rel, const char *text)
{
	char path[1024], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (p = strchr(path + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		(void)mkdir(path, 0700);
		*p = '/';
	}
	if ((f = fopen(path, "w")) == NULL) {
		printf("Bail out! cannot write %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static int
rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes dir and all under it (a tap_tmpdir when the test is done). */
void
tap_rmtree(const char *dir)
{
	(void)nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS);
}
