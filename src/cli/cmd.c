/* cmd.c: what the commands share: option parsing, usage and errors */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

/*
 * 1 when a command's arguments (argv[0] is its name) ask for --help or -h
 * before a "--". Asked before anything else, so that help needs neither a
 * store nor its owner.
 */
int
cmd_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/*
 * getopt_long, stopping at the first operand, with what is wrong said on
 * stderr after "who: ". Returns the option's character, -1 after the last
 * option (optind is then the first operand), or '?' for an unknown option
 * or one without its value.
 */
int
cmd_getopt_as(const char *who, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	const char *last;
	char spec[64];
	int ch;

	opterr = 0;
	(void)snprintf(spec, sizeof(spec), "+:%s", shortopts);
	ch = getopt_long(argc, argv, spec, longopts, NULL);
	if (ch != '?' && ch != ':')
		return ch;
	/* A long option's whole word is argv[optind - 1]; a short one's not. */
	last = argv[optind - 1];
	if (ch == ':')
		fprintf(stderr, "%s: option '%s' needs a value\n", who, last);
	else if (optopt == 0)
		fprintf(stderr, "%s: unknown option '%s'\n", who, last);
	else if (strncmp(last, "--", 2) == 0 && strchr(last, '=') != NULL)
		fprintf(stderr, "%s: option '%s' takes no value\n", who, last);
	else
		fprintf(stderr, "%s: unknown option '-%c'\n", who, optopt);
	return '?';
}

/*
 * cmd_getopt_as over a command's arguments (argv[0] is its name), errors
 * naming the command; main resets getopt before the command runs.
 */
int
cmd_getopt(const struct cmd_ctx *ctx, int argc, char **argv,
    const char *shortopts, const struct option *longopts)
{
	char who[64];

	(void)snprintf(who, sizeof(who), "strapi-live %s", ctx->cmd->name);
	return cmd_getopt_as(who, argc, argv, shortopts, longopts);
}

/*
 * For a command without options: the number of its operands, or -1 after
 * saying on stderr which option it does not know.
 */
int
cmd_operands(const struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	if (cmd_getopt(ctx, argc, argv, "", none) != -1)
		return -1;
	return argc - optind;
}

/*
 * Parses the options of a command whose only option is --collection NAME
 * (dump, import): *coll is set to that collection, or left alone. Returns
 * the number of operands, or -1 after saying what is wrong on stderr
 * (with the usage line when the option is unknown).
 */
int
cmd_collection_opt(const struct cmd_ctx *ctx, int argc, char **argv,
    const struct collection **coll)
{
	static const struct option opts[] = {
		{ "collection", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const struct collection *c;
	int ch;

	while ((ch = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		if (ch != 'c') {
			(void)cmd_usage(ctx);
			return -1;
		}
		if ((c = conf_collection_by_name(ctx->conf, optarg)) == NULL) {
			(void)cmd_fail(ctx, CMD_EXIT_USAGE,
			    "no collection '%s'", optarg);
			return -1;
		}
		*coll = c;
	}
	return argc - optind;
}

/* Prints the command's usage line on stderr; returns CMD_EXIT_USAGE. */
int
cmd_usage(const struct cmd_ctx *ctx)
{
	fprintf(stderr, "usage: strapi-live %s%s%s\n", ctx->cmd->name,
	    ctx->cmd->usage[0] != '\0' ? " " : "", ctx->cmd->usage);
	return CMD_EXIT_USAGE;
}

/*
 * Prints "strapi-live COMMAND: message" on stderr; returns code, so that a
 * command fails with `return cmd_fail(ctx, CMD_EXIT_STORE, ...)`.
 */
int
cmd_fail(const struct cmd_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "strapi-live %s: ", ctx->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}
