/* h2diag.c: the diagnosis of a connection's HTTP/2 layer, read from the messages the
 * HTTP/2 decoder made (their kinds, summaries and notes: nothing of proto/): streams
 * that waited on a zero flow-control window, and streams or connections ended with an
 * error code. The rules are in docs/diagnosis.md ("HTTP/2"). */
#include "session_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Streams named in one finding's words before "and N more". */
#define H2DIAG_NAMED 8

static int has_note(const struct appmsg *m, const char *ev, const char **text)
{
	for (unsigned i = 0; i < m->n_notes; i++)
		if (m->notes[i].ev && m->notes[i].ev->name && strcmp(m->notes[i].ev->name, ev) == 0) {
			*text = m->notes[i].text ? m->notes[i].text : "";
			return 1;
		}
	return 0;
}

/* "stream 5: REFUSED_STREAM (...)" -> 5 and the code's name, or 0 */
static int rst_of(const char *sum, uint32_t *sid, const char **code, size_t *code_len)
{
	char *e;
	if (strncmp(sum, "stream ", 7) != 0)
		return 0;
	unsigned long v = strtoul(sum + 7, &e, 10);
	if (e == sum + 7 || strncmp(e, ": ", 2) != 0)
		return 0;
	*sid = (uint32_t)v;
	*code = e + 2;
	*code_len = strcspn(*code, " ");
	return 1;
}

void sess_h2_findings(struct session *s, const struct conn *c, struct diag_findings *out)
{
	size_t n;
	const struct appmsg *const *ms = sess_msgs(s, c, &n);
	size_t stalled = 0, resets = 0;
	struct strbuf *st = NULL, *rs = NULL;
	for (size_t i = 0; ms && i < n; i++) {
		const struct appmsg *m = ms[i];
		if (!m->proto || strcmp(m->proto, "http2") != 0 || m->cleared || !m->kind)
			continue;
		const char *text;
		if ((strcmp(m->kind, "request") == 0 || strcmp(m->kind, "response") == 0) &&
		    has_note(m, "http2.zero_window", &text)) {
			if (!st) {
				st = diag_finding_add(out, DIAG_H2_STALLED);
				if (!st)
					continue;
			}
			if (stalled < H2DIAG_NAMED) {
				/* the last zero_window note says how often, when more than once */
				const char *last = text;
				for (unsigned k = 0; k < m->n_notes; k++)
					if (m->notes[k].ev && strcmp(m->notes[k].ev->name, "http2.zero_window") == 0)
						last = m->notes[k].text ? m->notes[k].text : "";
				sb_printf(st, "%s%s (frame %" PRIu32 ")", stalled ? "; " : "", last, m->first_frame);
			}
			stalled++;
		} else if (strcmp(m->kind, "rst_stream") == 0 || strcmp(m->kind, "goaway") == 0) {
			uint32_t sid = 0;
			const char *code = "";
			size_t cl = 0;
			int goaway = m->kind[0] == 'g';
			const char *sum = m->summary ? m->summary : "";
			if (goaway) {
				const char *p = strstr(sum, ": ");
				if (!p)
					continue;
				code = p + 2;
				cl = strcspn(code, " ");
			} else if (!rst_of(sum, &sid, &code, &cl)) {
				continue;
			}
			/* a graceful close and a client that no longer wants a stream are no trouble */
			if ((cl == 8 && strncmp(code, "NO_ERROR", 8) == 0) || (cl == 6 && strncmp(code, "CANCEL", 6) == 0) ||
			    (!goaway && cl == 13 && strncmp(code, "STREAM_CLOSED", 13) == 0))
				continue;
			if (!rs) {
				rs = diag_finding_add(out, DIAG_H2_RESET);
				if (!rs)
					continue;
			}
			if (resets < H2DIAG_NAMED) {
				if (goaway)
					sb_printf(rs, "%sthe %s closed the connection with %.*s (GOAWAY, frame %" PRIu32 ")",
						  resets ? "; " : "", m->dir ? "server" : "client", (int)cl, code, m->first_frame);
				else
					sb_printf(rs, "%sthe %s reset stream %" PRIu32 " with %.*s (frame %" PRIu32 ")%s",
						  resets ? "; " : "", m->dir ? "server" : "client", sid, (int)cl, code, m->first_frame,
						  cl == 14 && strncmp(code, "REFUSED_STREAM", 14) == 0
							  ? ": refused before any processing (too many streams at once?), safe to retry"
							  : "");
			}
			resets++;
		}
	}
	if (st && stalled > H2DIAG_NAMED)
		sb_printf(st, "; and %zu more streams", stalled - H2DIAG_NAMED);
	if (rs && resets > H2DIAG_NAMED)
		sb_printf(rs, "; and %zu more", resets - H2DIAG_NAMED);
}
