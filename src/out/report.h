/* report.h: reports made of what the session measured, as text or JSON lines: the
 * connection table (conns), the statistics (stats) and a connection's diagnosis (diag).
 * Each reads the session's model and writes into b; nothing here computes it. */
#ifndef CHATTCP_REPORT_H
#define CHATTCP_REPORT_H

#include "../base/strbuf.h"
#include "../session/session.h"
#include "table.h"
#include "width.h"

/* The connection table (out/table.h: two passes). report_conns_measure for every row
 * shown, then report_conns_head (lays the columns out and writes the header), then
 * report_conns_line for the same rows. */
#define CONNS_CELLS 10
struct conns_table {
	struct table t;
	struct strbuf cell[CONNS_CELLS];
	int time;           /* enum fmt_time: how START reads (d, dd: since the row above's start) */
	int64_t first_ts;   /* the capture's first frame, for r */
	int64_t prev_start; /* the row above's start */
};
/* time: enum fmt_time of the START column; first_ts: the capture's first frame. */
void report_conns_init(struct conns_table *ct, const struct layout *ly, int time, int64_t first_ts);
void report_conns_fini(struct conns_table *ct);
void report_conns_measure(struct conns_table *ct, struct session *s, const struct conn *c);
void report_conns_head(struct conns_table *ct, struct strbuf *b);
void report_conns_line(struct conns_table *ct, struct strbuf *b, struct session *s, const struct conn *c);
/* "N packets: ... TCP in ... connections, ..." */
void report_conns_summary(struct strbuf *b, const struct sess_counts *k);
/* The whole statistics report (text, or one JSON object). */
void report_stats(struct strbuf *b, const struct sess_stats *st, const struct sess_counts *k, int json);
/* One connection's diagnosis (the session was run with opts.diag). */
void report_diag_text(struct strbuf *b, struct session *s, const struct conn *c);
/* (Both number sequences as the session's opts.absolute says: session_show_seq; the
 * JSON carries both.) */
void report_diag_json(struct strbuf *b, struct session *s, const struct conn *c);

#endif
