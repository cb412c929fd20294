#!/bin/sh
# install-deps.sh [build|test|fuzz|data|all]...: installs the Debian packages of
# deps/debian.txt with those tags (default: build test). Packages already installed are
# not fetched again, so a machine that has them needs no network.
set -eu
cd "$(dirname "$0")/.."
tags=${*:-build test}
[ "$tags" = all ] && tags="build test fuzz data"
want=""
for t in $tags; do
	want="$want $(awk -v t="$t" '!/^#/ && NF >= 2 && $2 == t { print $1 }' deps/debian.txt)"
done
missing=""
for p in $want; do
	# A nodejs from outside Debian (NodeSource's) carries its own npm and conflicts with
	# Debian's npm package: any working npm will do for `npm ci`.
	if [ "$p" = npm ] && command -v npm > /dev/null; then continue; fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# npm_packages: the test tag's npm part (playwright-core for tests/suite/ui, the MCP SDK for
# tests/suite/mcp-sdk), exactly as
# package-lock.json pins it; skipped when node_modules already matches the lockfile.
npm_packages() {
	case " $tags " in *" test "*) ;; *) return 0 ;; esac
	if node -e 'const l = require("./package-lock.json");
		for (const [p, v] of Object.entries(l.packages)) if (p && require("./" + p + "/package.json").version !== v.version) process.exit(1);' 2>/dev/null; then
		return 0
	fi
	echo "install-deps: npm ci (package-lock.json)"
	npm ci --no-audit --no-fund
}
if [ -z "$missing" ]; then
	echo "install-deps: all packages present ($tags)"
	npm_packages
	exit 0
fi
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
npm_packages
