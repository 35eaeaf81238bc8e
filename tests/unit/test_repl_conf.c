/* test_repl_conf.c: replication addresses and forwarding URLs that expose the group */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/repl_conf.h"
#include "tap.h"

static const char *
no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* -1 when the text is refused; *cause then names why (caller frees). */
static int
check(const char *text, char **cause)
{
	struct conf *c = conf_new();
	int rc;

	*cause = NULL;
	if (conf_parse_text(c, text, "t.conf", cause) == -1 ||
	    conf_apply_env(c, no_env, cause) == -1 ||
	    conf_finish(c, cause) == -1)
		rc = -2;
	else
		rc = repl_conf_check(c, cause);
	conf_free(c);
	return rc;
}

static int
refused_naming(const char *text, const char *key, const char *word)
{
	char *cause;
	int r = check(text, &cause) == -1 && cause != NULL &&
	    strstr(cause, key) != NULL && strstr(cause, word) != NULL;

	free(cause);
	return r;
}

static int
accepted(const char *text)
{
	char *cause;
	int r = check(text, &cause) == 0;

	free(cause);
	return r;
}

int
main(void)
{
	ok(repl_net_class("127.0.0.1") == REPL_NET_LOOPBACK &&
	        repl_net_class("127.0.0.5") == REPL_NET_LOOPBACK &&
	        repl_net_class("::1") == REPL_NET_LOOPBACK &&
	        repl_net_class("[::1]") == REPL_NET_LOOPBACK,
	    "127.0.0.0/8 and ::1 are loopback");
	ok(repl_net_class("10.77.3.1") == REPL_NET_PRIVATE &&
	        repl_net_class("172.16.0.1") == REPL_NET_PRIVATE &&
	        repl_net_class("172.31.255.1") == REPL_NET_PRIVATE &&
	        repl_net_class("192.168.1.2") == REPL_NET_PRIVATE &&
	        repl_net_class("169.254.1.1") == REPL_NET_PRIVATE &&
	        repl_net_class("100.64.0.9") == REPL_NET_PRIVATE &&
	        repl_net_class("fd00::1") == REPL_NET_PRIVATE &&
	        repl_net_class("fe80::1") == REPL_NET_PRIVATE &&
	        repl_net_class("::ffff:10.0.0.1") == REPL_NET_PRIVATE,
	    "RFC 1918, CGNAT (tunnel), link-local and ULA are private");
	ok(repl_net_class("0.0.0.0") == REPL_NET_WILDCARD &&
	        repl_net_class("::") == REPL_NET_WILDCARD &&
	        repl_net_class("[::]") == REPL_NET_WILDCARD,
	    "0.0.0.0 and :: are wildcards");
	ok(repl_net_class("172.32.0.1") == REPL_NET_PUBLIC &&
	        repl_net_class("8.8.8.8") == REPL_NET_PUBLIC &&
	        repl_net_class("100.128.0.1") == REPL_NET_PUBLIC &&
	        repl_net_class("2001:db8::1") == REPL_NET_PUBLIC &&
	        repl_net_class("::ffff:8.8.8.8") == REPL_NET_PUBLIC,
	    "other addresses are public");
	ok(repl_net_class("example") == REPL_NET_INVALID,
	    "a name is not a numeric address");

	ok(accepted("repl_local = 127.0.0.1:5001\n"
	            "repl_sites = 10.0.0.2:5001 [fd00::3]:5001\n"
	            "repl_webhook_urls = 127.0.0.1:5001=http://127.0.0.1:80/w "
	            "10.0.0.2:5001=https://b.example/w\n"),
	    "loopback and private sites, https:// and loopback http:// URLs "
	    "pass");
	ok(accepted("repl_local = localhost:5001\n"),
	    "a name that resolves to loopback passes");
	ok(refused_naming("repl_local = 0.0.0.0:5001\n", "repl_local",
	       "repl_insecure_network"),
	    "a wildcard repl_local is refused, naming repl_insecure_network");
	ok(refused_naming("repl_local = [::]:5001\n", "repl_local",
	       "every interface"),
	    "so is ::");
	ok(refused_naming("repl_local = 10.0.0.1:5001\n"
	                  "repl_sites = 10.0.0.2:5001 203.0.113.7:5001\n",
	       "repl_sites", "public"),
	    "a public peer in repl_sites is refused, naming the key");
	ok(accepted("repl_local = 0.0.0.0:5001\n"
	            "repl_sites = 203.0.113.7:5001\n"
	            "repl_insecure_network = yes\n"),
	    "repl_insecure_network = yes allows them");
	ok(refused_naming(
	       "repl_local = 10.0.0.1:5001\n"
	       "repl_webhook_urls = 10.0.0.2:5001=http://10.0.0.2/w\n",
	       "repl_webhook_urls", "https://"),
	    "plain http:// to another host is refused");
	ok(refused_naming("repl_local = 10.0.0.1:5001\n"
	                  "repl_webhook_urls = 10.0.0.2:5001=http://127.0.0.1@"
	                  "evil.example/w\n",
	       "repl_webhook_urls", "https://"),
	    "userinfo does not pass for loopback");
	ok(accepted("repl_local = 10.0.0.1:5001\n"
	            "repl_insecure_network = yes\n"
	            "repl_webhook_urls = 10.0.0.2:5001=http://10.0.0.2/w\n"),
	    "plain http:// to another host with repl_insecure_network");
	ok(refused_naming("repl_local = 127.0.0.1:5001\n"
	                  "repl_webhook_urls = 127.0.0.1:5001\n",
	       "repl_webhook_urls", "host:port=URL"),
	    "an entry without a URL is refused");
	ok(refused_naming("repl_local = 127.0.0.1:5001\n"
	                  "repl_forward = redirect\n",
	       "repl_forward", "forward"),
	    "repl_forward = redirect is refused, naming the alternative");
	return tap_done();
}
