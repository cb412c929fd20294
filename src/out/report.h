/* report.h: reports made of what the session measured, as text or JSON lines: the
 * connection table (conns), the statistics (stats) and a connection's diagnosis (diag).
 * Each reads the session's model and writes into b; nothing here computes it. */
#ifndef CHATTCP_REPORT_H
#define CHATTCP_REPORT_H

#include "../base/strbuf.h"
#include "../session/session.h"

/* The table's title line, and one line per connection. */
void report_conns_head(struct strbuf *b);
void report_conns_line(struct strbuf *b, const struct conn *c);
/* "N packets: ... TCP in ... connections, ..." */
void report_conns_summary(struct strbuf *b, const struct sess_counts *k);
/* The whole statistics report (text, or one JSON object). */
void report_stats(struct strbuf *b, const struct sess_stats *st, const struct sess_counts *k, int json);
/* One connection's diagnosis (the session was run with opts.diag). */
void report_diag_text(struct strbuf *b, struct session *s, const struct conn *c);
void report_diag_json(struct strbuf *b, struct session *s, const struct conn *c);

#endif
