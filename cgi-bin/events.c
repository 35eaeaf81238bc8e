/* events.c: events.fcgi, the change stream for hosts without a daemon */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "events.h"
#include "fcgi.h"
#include "log.h"
#include "store.h"

int
main(int argc UNUSED, char *argv[])
{
	struct conf *conf;
	struct events_ctx ctx;
	char *cause;
	enum log_level lv = LOG_LEVEL_INFO;

	log_init(argv[0], LOG_LEVEL_INFO);
	if (conf_load(&conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	(void)log_level_parse(conf_str(conf, CFG_LOG_LEVEL), &lv);
	log_set_level(lv);
	ctx.conf = conf;
	ctx.stopping = fcgi_shutting_down;
	if (store_open(&ctx.store, conf_str(conf, CFG_STORE_DIR),
	    STORE_OPEN_NO_NOTIFY) == -1)
		fatalx("cannot open the store");
	fcgi_serve(events_handle, &ctx, 0);
	store_close(ctx.store);
	conf_free(conf);
	return 0;
}
