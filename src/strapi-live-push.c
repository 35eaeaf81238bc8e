/* strapi-live-push.c: the push sidecar's main */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "push.h"
#include "store.h"

static struct push *the_push;

static void
on_term(int sig UNUSED)
{

	push_stop(the_push);
}

int
main(int argc UNUSED, char *argv[])
{
	struct sigaction sa;
	struct conf *conf;
	struct store *st;
	char *cause;
	enum log_level lv = LOG_LEVEL_INFO;

	log_init(argv[0], LOG_LEVEL_INFO);
	if (conf_load(&conf, &cause) == -1)
		fatalx("configuration: %s", cause);
	(void)log_level_parse(conf_str(conf, CFG_LOG_LEVEL), &lv);
	log_set_level(lv);
	if (store_open(&st, conf_str(conf, CFG_STORE_DIR),
	    STORE_OPEN_NO_NOTIFY) == -1)
		fatalx("cannot open the store");
	signal(SIGPIPE, SIG_IGN);
	the_push = push_new(conf, st);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	push_run(the_push);
	log_info("shutting down");
	push_free(the_push);
	store_close(st);
	conf_free(conf);
	return 0;
}
