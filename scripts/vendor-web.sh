#!/bin/sh
# vendor-web.sh: copies the front end's third-party files from node_modules (installed by
# `npm ci` at the versions pinned in package-lock.json) into web/vendor/, where they are
# committed: building chattcp needs no node, and running it no network. Run it after
# changing a version in package.json (then `npm install`), and commit web/vendor/.
#   uPlot (MIT): the canvas charts of the Graphs view (web/js/graphs.js, docs/deps.md).
set -eu
cd "$(dirname "$0")/.."
src=node_modules/uplot
[ -f "$src/package.json" ] || { echo "vendor-web: $src missing: run npm ci" >&2; exit 1; }
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$src/package.json" | head -n 1)
mkdir -p web/vendor
cp "$src/dist/uPlot.iife.min.js" "$src/dist/uPlot.min.css" web/vendor/
cp "$src/LICENSE" web/vendor/uPlot.LICENSE
echo "$version" > web/vendor/uPlot.VERSION
echo "vendor-web: uPlot $version in web/vendor/"
