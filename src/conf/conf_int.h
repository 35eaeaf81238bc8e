/* conf_int.h: the settings table and struct conf, shared by conf's files */
#ifndef CONF_INT_H
#define CONF_INT_H

#include "conf/conf.h"

enum conf_type {
	CT_STRING,
	CT_PATH,
	CT_INT,
	CT_SIZE, /* bytes, with an optional k, M or G (powers of 1024) */
	CT_BOOL,
	CT_SECRET,
	CT_LIST,
};

struct conf_row {
	const char *key;
	const char *env;
	enum conf_type type;
	const char *def;
	long long min, max; /* CT_INT and CT_SIZE bounds */
	const char *help;
};

/* table.c */
extern const struct conf_row conf_table[];
enum {
	CONF_NCOLL_ATTRS = 7
};
extern const char *const conf_coll_attrs[CONF_NCOLL_ATTRS];
int conf_table_find(const char *key);
int conf_name_valid(const char *);
char **conf_list_split(const char *, size_t *);
void conf_list_free(char **, size_t);
void conf_coll_env_name(char *, size_t, const char *name, const char *attr);

/* collection.<name>.<attr> values as read, before conf_finish builds them. */
struct coll_raw {
	char *name;
	char *attr[CONF_NCOLL_ATTRS];
};

/* Everything read, then what conf_finish derives from it. */
struct conf {
	char *val[CFG__MAX];
	char *where[CFG__MAX]; /* "file:line" or the variable that set it */
	char *path;            /* config file read, or NULL */
	int exposed;           /* file with secrets is readable by others */
	unsigned int mode;     /* the file's permission bits */
	char **warnings; /* found by conf_load, logged by conf_log_warnings */
	size_t nwarnings;
	struct coll_raw *raw;
	size_t nraw;
	struct collection *colls;
	size_t ncolls;
	int64_t ints[CFG__MAX];
	char **cors;
	size_t ncors;
	struct clientaddr_net *trusted; /* push_trusted_proxies */
	size_t ntrusted;
	uint64_t *page_sizes; /* push_page_sizes, ascending */
	size_t npage_sizes;
};

/* check.c */
void conf_file_warnings(struct conf *);
void conf_env_warnings(struct conf *, char *const *envp);

#endif
