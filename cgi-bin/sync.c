/* sync.c: sync.fcgi, runs a sync from Strapi on an authenticated POST */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "fcgi.h"
#include "log.h"
#include "store.h"
#include "sync.h"

int
main(int argc UNUSED, char *argv[])
{
	struct conf *conf;
	struct sync_ctx ctx;
	char *cause;
	enum log_level lv = LOG_LEVEL_INFO;

	log_init(argv[0], LOG_LEVEL_INFO);
	if (conf_load(&conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	(void)log_level_parse(conf_str(conf, CFG_LOG_LEVEL), &lv);
	log_set_level(lv);
	if (conf_file_is_exposed(conf))
		log_warnx("%s holds secrets and is readable by other users",
		    conf_path(conf));
	ctx.conf = conf;
	if (store_open(&ctx.store, conf_str(conf, CFG_STORE_DIR), 0) == -1)
		fatalx("cannot open the store");
	store_set_durable(ctx.store, conf_bool(conf, CFG_DURABLE));
	/* A sync request has no body worth reading. */
	fcgi_serve(sync_handle, &ctx, 4096);
	store_close(ctx.store);
	conf_free(conf);
	return 0;
}
