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
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present ($tags)"
	exit 0
fi
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
