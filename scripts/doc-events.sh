#!/bin/sh
# doc-events.sh [BINARY]: prints the events section of docs/json.md from the closed
# tables the binary carries (`chattcp events --json`). tests/suite/events checks that the
# page holds exactly this; after adding an event, paste this in place of the old section.
set -eu
B=${1:-build/chattcp}
echo '## Event names: `chattcp events --json`'
echo
echo 'Every name a note, a message note or a finding can carry, from the closed tables of'
echo 'the decoders (an application event starts with its decoder'"'"'s name), the packet notes'
echo '(`note`) and the diagnosis rules (`diag`). A name is API: it may be added, never'
echo 'renamed or given another meaning. Severities are Wireshark'"'"'s expert levels.'
echo
echo '$ chattcp events --json'
echo '```json'
"$B" events --json | head -1
echo '```'
echo
echo '| table | name | severity | meaning |'
echo '| --- | --- | --- | --- |'
"$B" events --json | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print("| %s | `%s` | %s | %s |" % (o["table"], o["name"], o["severity"], o["meaning"].replace("|", "\\|")))
'
