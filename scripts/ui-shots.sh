#!/bin/sh
# ui-shots.sh: runs the browser test (tests/suite/ui) with its screenshots kept, and
# copies them to docs/ui/ (every view at 1280x800, light and dark; docs/ui.md says
# what each shows). Needs what the test needs: chromium, node, npm ci.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
UI_SHOTS=$tmp tests/run.sh ui
mkdir -p docs/ui
n=0
for f in "$tmp"/*.png; do
	cp "$f" docs/ui/
	n=$((n + 1))
done
echo "ui-shots: $n screenshots in docs/ui/"
