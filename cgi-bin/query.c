/* query.c: query.fcgi, serves Strapi-shaped REST reads from the store */
#include "config.h"

#include <stdlib.h>

#include "conf.h"
#include "fcgi.h"
#include "log.h"
#include "query.h"
#include "store.h"
#include "store_repl.h"

int
main(int argc UNUSED, char *argv[])
{
	struct conf *conf;
	struct store *store;
	struct query_ctx ctx;
	char *cause;
	enum log_level lv = LOG_LEVEL_INFO;

	log_init(argv[0], LOG_LEVEL_INFO);
	if (conf_load(&conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	(void)log_level_parse(conf_str(conf, CFG_LOG_LEVEL), &lv);
	log_set_level(lv);
	if (store_repl_configure(conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	/* Opened once per process; every request reads in its own snapshot. */
	if (store_open(&store, conf_str(conf, CFG_STORE_DIR),
	        STORE_OPEN_NO_NOTIFY) == -1)
		fatalx("cannot open the store");
	query_init(&ctx, conf, store);
	fcgi_serve(query_handle, &ctx, 0);
	query_clear(&ctx);
	store_close(store);
	conf_free(conf);
	return 0;
}
