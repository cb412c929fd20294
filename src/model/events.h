/* events.h: what a diagnosis is made of, whatever found it: a stable name from a
 * closed table, a severity, and one line of meaning. Application events come from the
 * table of the protocol that raises them (proto/<name>.c, reached through the registry);
 * TCP analysis labels (labels.h), packet notes (session/notes.c) and diagnosis rules
 * (tcp/diag.c) have tables of the same shape.
 *
 * Names are API (JSON "event", "rule"): a name may be added, never renamed or given
 * another meaning. An application event's name starts with its protocol's name and a
 * dot ("http.bare_lf"); tests/suite/events checks that, and that docs/json.md lists
 * every event of every table with the same severity and meaning. */
#ifndef CHATTCP_EVENTS_H
#define CHATTCP_EVENTS_H

#include <stdint.h>

/* Wireshark's expert-info levels, so its users read them the same way. */
enum severity {
	SEV_CHAT = 0, /* the normal flow, worth a mention ("handshake check passed") */
	SEV_NOTE = 1, /* unusual but legal ("HTTP/0.9 request", "tunnel opened") */
	SEV_WARN = 2, /* a deviation peers tolerate, or a likely problem ("bare LF") */
	SEV_ERROR = 3, /* the bytes break the protocol: framing lost, message rejected */
	SEV_COUNT
};

/* "chat", "note", "warning", "error" (JSON "severity"). */
const char *severity_name(int sev);

struct app_event {
	const char *name;    /* "http.bare_lf"; NULL ends a table */
	uint8_t severity;    /* enum severity */
	const char *meaning; /* one line, for docs and help: what it says about the bytes */
};

#endif
