# tsc_lib.sh: finds a TypeScript compiler for the gen-types tests
#
# tsc_find: sets TSC to $TSC, else the tree's node_modules/.bin/tsc (`npm
# ci`), else the TypeScript that package-lock.json pins, installed by npm
# into $T/npm (npm's cache first, at most TSC_NPM_TIMEOUT seconds, 300 by
# default), else tsc on PATH. When there is none, TSC is empty and
# TSC_WHY says why.
tsc_find() {
	local v
	TSC=${TSC:-}
	TSC_WHY=
	[ -n "$TSC" ] && return 0
	if [ -x "$top_srcdir/node_modules/.bin/tsc" ]; then
		TSC="$top_srcdir/node_modules/.bin/tsc"
		return 0
	fi
	if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
	    v=$(node -e 'const l = require(process.argv[1]);
		console.log(l.packages["node_modules/typescript"].version)' \
	    "$top_srcdir/package-lock.json" 2>/dev/null); then
		mkdir -p "$T/npm"
		if (cd "$T/npm" && timeout "${TSC_NPM_TIMEOUT:-300}" \
		    npm install --prefer-offline --ignore-scripts --no-save \
		    --no-audit --no-fund --no-package-lock "typescript@$v") \
		    >"$T/npm.log" 2>&1 && [ -x "$T/npm/node_modules/.bin/tsc" ]
		then
			TSC="$T/npm/node_modules/.bin/tsc"
			return 0
		fi
		TSC_WHY="npm could not install typescript@$v (is the npm registry reachable?)"
	else
		TSC_WHY="no node_modules/.bin/tsc and no node and npm to install it"
	fi
	TSC=$(command -v tsc 2>/dev/null) && return 0
	TSC=
	return 1
}

# tsc_run FILE...: $TSC --strict on FILEs in $T/app (output in $T/tsc.out).
tsc_run() {
	(cd "$T/app" && "$TSC" --noEmit --strict --target es2020 \
	    --module es2020 --moduleResolution bundler --lib es2020,dom "$@") \
	    >"$T/tsc.out" 2>&1
}

# tsc_accepts NAME FILE...: a row passing when tsc accepts the FILEs (its
# errors as diagnostics when not).
tsc_accepts() {
	local name=$1 rc
	shift
	tsc_run "$@"
	rc=$?
	ok $rc "$name"
	[ $rc -eq 0 ] || sed 's/^/# /' "$T/tsc.out" | head -40
}

# tsc_rejects NAME PATTERN FILE...: a row passing when tsc refuses the
# FILEs with an error matching PATTERN (grep).
tsc_rejects() {
	local name=$1 pat=$2
	shift 2
	tsc_run "$@"
	[ $? -ne 0 ] && grep -q -- "$pat" "$T/tsc.out"
	ok $? "$name"
}

# tsc_need NAME...: tsc_find, or else each NAME a skipped row and the test
# ends there.
tsc_need() {
	local name
	tsc_find && return 0
	for name in "$@"; do
		tap_skip "$TSC_WHY: $name"
	done
	done_testing
	exit
}
