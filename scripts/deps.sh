# deps.sh: install the Debian packages strapi-live needs (sourced by scripts/*)
#
# Build: compiler, autotools, the five libraries (and lws's libuv event-loop
# plugin, which the push sidecar uses when present). Tests: lighttpd, curl,
# python3, clang (ASan+UBSan pass), Apache/nginx/spawn-fcgi/multiwatch (deployment
# tests), chromium (browser tests), iproute2 (replication partition test in
# network namespaces). Only what is missing is installed.

SL_BUILD_PKGS="build-essential autoconf automake pkg-config libfcgi-dev \
libdb5.3-dev libjson-c-dev libwebsockets-dev libwebsockets-evlib-uv \
libcurl4-openssl-dev libssl-dev zlib1g-dev"
SL_TEST_PKGS="lighttpd curl python3 clang spawn-fcgi apache2 \
libapache2-mod-fcgid nginx libnginx-mod-nchan chromium wrk procps psmisc valgrind \
iproute2 stunnel4 multiwatch"

sl_missing() {
	local p missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		    missing="$missing $p"
	done
	echo "$missing"
}

sl_install() { # sl_install PKG...: apt-get install what is missing
	local missing
	missing=$(sl_missing "$@")
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "strapi-live: missing Debian packages:$missing" >&2
		echo "strapi-live: run as root, or: apt-get install$missing" >&2
		return 1
	fi
	echo "strapi-live: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || apt-get update
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
	    apt-get install -y --no-install-recommends $missing
}
