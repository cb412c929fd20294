#!/bin/sh
# gen-man.sh CHATTCP: writes chattcp(1) in roff to standard output, made from the text of
# `chattcp help` and `chattcp help COMMAND` (one text: the man page says what help says).
# A line "usage: ..." or a top-level "word:" line starts a section; an indented line
# "  NAME  description" is a tagged paragraph; the rest is text. Checked by
# tests/suite/cli-docs with `man -l` when groff is there.
set -eu
bin=${1:-build/chattcp}
help() { "$bin" help --width 1000 "$@"; }
# roff needs backslashes doubled, and a line must not start with . or '.
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'; }
section() { # section TITLE: the text on stdin as roff
	printf '.SH %s\n' "$1"
	esc | awk '
	/^$/ { print ".PP"; next }
	/^[a-z][a-z ]*:$/ { sub(/:$/, ""); print ".SS " $0; next }
	/^  +[^ ].*   / {
		line = $0; sub(/^ +/, "", line)
		tag = line; sub(/  .*/, "", tag)
		desc = line; sub(/^[^ ]+( [^ ]+)*  +/, "", desc)
		if (desc == line) { print line; next }
		print ".TP"; print "\\fB" tag "\\fR"; print desc; next }
	/^  +/ { line = $0; sub(/^ +/, "", line); print line; next }
	{ print }'
}
printf '.TH CHATTCP 1 "%s" "chattcp 0.1" "User Commands"\n' "$(date -u +%Y-%m-%d -d @"${SOURCE_DATE_EPOCH:-0}" 2>/dev/null || echo 1970-01-01)"
printf '.SH NAME\nchattcp \\- read packets like a chat\n'
help | section DESCRIPTION
"$bin" help --commands | cut -f1 | while read -r cmd; do
	[ "$cmd" = help ] && continue
	[ "$cmd" = case ] && continue # the same page as cases
	help "$cmd" | section "$(echo "chattcp $cmd" | tr a-z A-Z)"
done
printf '.SH SEE ALSO\ntshark(1), tcpdump(8)\n'
