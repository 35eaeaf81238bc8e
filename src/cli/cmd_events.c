/* cmd_events.c: strapi-live events: the event log as JSON lines */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "model/entry.h"

struct events_out {
	int raw;
	uint64_t limit, n;
	struct buf line, tmp;
};

/*
 * One JSON line per record: its id, the stored summary with its time as
 * ISO 8601 (stored as epoch ms), the size of the kept body and, with
 * --raw, the body. Everything outside printable ASCII is escaped (JSON
 * \u escapes), so no stored byte reaches the terminal as it is.
 */
static int
print_event(void *arg, uint64_t id, const char *summary, size_t len,
    const char *raw, size_t raw_len)
{
	struct events_out *o = arg;
	char iso[64], *end;
	long long ms;

	if (len < 2 || summary[0] != '{' || summary[len - 1] != '}')
		return 0;
	buf_reset(&o->line);
	buf_reset(&o->tmp);
	buf_printf(&o->tmp, "{\"id\":%" PRIu64 ",", id);
	if (len > 9 && strncmp(summary, "{\"time\":", 8) == 0 &&
	    (ms = strtoll(summary + 8, &end, 10)) > 0 && end < summary + len &&
	    *end == ',') {
		entry_format_time(ms, iso);
		buf_printf(&o->tmp, "\"time\":\"%s\"", iso);
		buf_add(&o->tmp, end, (size_t)(summary + len - 1 - end));
	} else
		buf_add(&o->tmp, summary + 1, len - 2);
	buf_printf(&o->tmp, ",\"rawBytes\":%zu", raw != NULL ? raw_len : 0);
	if (o->raw) {
		buf_adds(&o->tmp, ",\"raw\":");
		if (raw != NULL)
			buf_add_json_string(&o->tmp, raw, raw_len);
		else
			buf_adds(&o->tmp, "null");
	}
	buf_addc(&o->tmp, '}');
	buf_add_json_ascii(&o->line, o->tmp.data, o->tmp.len);
	buf_addc(&o->line, '\n');
	fwrite(o->line.data, 1, o->line.len, stdout);
	return o->limit != 0 && ++o->n >= o->limit;
}

int
cmd_events(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "after", required_argument, NULL, 'a' },
		{ "failed", no_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct events_out o;
	const char *errstr = NULL;
	uint64_t after = 0;
	int ch, failed = 0, rc;

	memset(&o, 0, sizeof(o));
	while ((ch = cmd_getopt(ctx, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case 'a':
			after =
			    (uint64_t)strtonum(optarg, 0, INT64_MAX, &errstr);
			break;
		case 'f':
			failed = 1;
			break;
		case 'l':
			o.limit =
			    (uint64_t)strtonum(optarg, 1, INT64_MAX, &errstr);
			break;
		case 'r':
			o.raw = 1;
			break;
		default:
			return cmd_usage(ctx);
		}
		if (errstr != NULL)
			return cmd_usage(ctx);
	}
	if (optind != argc)
		return cmd_usage(ctx);
	buf_init(&o.line);
	buf_init(&o.tmp);
	rc = store_events(ctx->store, after, failed, print_event, &o);
	buf_clear(&o.line);
	buf_clear(&o.tmp);
	return rc == -1 ? CMD_EXIT_STORE : CMD_EXIT_OK;
}
