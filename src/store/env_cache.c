/* env_cache.c: the size of the environment's buffer pool (cache_size) */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>

#include <db.h>

#include "util/log.h"
#include "store/store_int.h"

/*
 * The buffer pool's size (store_set_cache_size). Berkeley DB fixes it when
 * it creates the environment's regions: joining an environment keeps the
 * size it was created with, whatever this process asks for. The regions
 * are created with the store, and again by recovery (store_open with
 * STORE_OPEN_RECOVER: `strapi-live recover`).
 */
#define CACHE_PART (2ULL * 1024 * 1024 * 1024) /* a region's most, < 4 GB */

static uint64_t cache_bytes = 64 * 1024 * 1024;

/* Sets the cache size of the environments this process creates. */
void
store_set_cache_size(uint64_t bytes)
{
	cache_bytes = bytes;
}

int
store_env_set_cache(DB_ENV *env)
{
	int ret;

	ret = env->set_cachesize(env, (u_int32_t)(cache_bytes >> 30),
	    (u_int32_t)(cache_bytes & ((1U << 30) - 1)),
	    (int)((cache_bytes + CACHE_PART - 1) / CACHE_PART));
	if (ret != 0)
		log_warnx("store: set_cachesize %" PRIu64 ": %s", cache_bytes,
		    db_strerror(ret));
	return ret == 0 ? 0 : -1;
}

/* The cache size of the environment st joined, in bytes: 0 or -1. */
int
store_cache_size(struct store *st, uint64_t *bytes)
{
	u_int32_t gb, b;
	int ncache, ret;

	if (st->env == NULL)
		return -1;
	if ((ret = st->env->get_cachesize(st->env, &gb, &b, &ncache)) != 0) {
		log_warnx("store: get_cachesize: %s", db_strerror(ret));
		return -1;
	}
	*bytes = ((uint64_t)gb << 30) + b;
	return 0;
}

/*
 * After an open: says once per process when the environment st joined has
 * another cache size than this process asked for. Berkeley DB adds to a
 * size under 500 MB a quarter and a page for its own bookkeeping.
 */
void
store_cache_check(struct store *st)
{
	static int said;
	uint64_t have;

	if (said || store_cache_size(st, &have) == -1)
		return;
	if (have >= cache_bytes &&
	    have <= cache_bytes + cache_bytes / 4 + 65536)
		return;
	said = 1;
	log_warnx("store: the environment's cache is %" PRIu64 " bytes, "
	          "cache_size asks for %" PRIu64 ": it takes effect when "
	          "the environment is created again (strapi-live recover)",
	    have, cache_bytes);
}
