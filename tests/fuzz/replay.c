/*
 * replay.c: runs a fuzz driver's LLVMFuzzerTestOneInput over files, so
 * the seed corpus and every input that once crashed a fuzzer stay rows of
 * make check in ordinary builds. With no arguments, replay_<name> reads
 * $top_srcdir/tests/fuzz/corpus/<name>/. TAP: one row per file.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "tap.h"

static void
one(const char *path)
{
	FILE *f;
	unsigned char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		ok(0, "%s: cannot open", path);
		return;
	}
	buf = malloc(4 << 20);
	n = fread(buf, 1, 4 << 20, f);
	fclose(f);
	ok(LLVMFuzzerTestOneInput(buf, n) == 0, "%s", path);
	free(buf);
}

int
main(int argc, char *argv[])
{
	const char *top = getenv("top_srcdir"), *name;
	char dir[4096], path[8192];
	struct dirent *de;
	DIR *d;
	int i;

	for (i = 1; i < argc; i++)
		one(argv[i]);
	if (argc > 1)
		return tap_done();
	name = strrchr(argv[0], '_');
	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
	    top != NULL ? top : ".", name != NULL ? name + 1 : "");
	if ((d = opendir(dir)) == NULL) {
		printf("1..0 # SKIP no corpus in %s\n", dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		one(path);
	}
	closedir(d);
	return tap_done();
}
