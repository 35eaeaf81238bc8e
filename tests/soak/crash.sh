#!/bin/sh
# crash.sh: the long crash run: tests/server/t1500-crash-kill.sh with
# hundreds of random SIGKILLs of webhook.fcgi under load. Not in make check.
#   tests/soak/crash.sh [KILLS]          (default 300; BUILD=dir, default _build)
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
B=$top_srcdir/${BUILD:-_build}
export top_srcdir top_builddir=$B KILLS=${1:-300}
export WEBHOOK_FCGI=$B/cgi-bin/webhook.fcgi STRAPI_LIVE=$B/src/strapi-live
exec sh "$top_srcdir/tests/server/t1500-crash-kill.sh"
