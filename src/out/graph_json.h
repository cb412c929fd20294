/* graph_json.h: the graph points of a connection as compact NDJSON (graph --json and
 * GET /api/graph): a header object naming the fields, then one array per packet in
 * capture order, then {"packets": N}. Arrays, not objects, so 100,000 packets stay a
 * few MB. Documented in docs/json.md. */
#ifndef CHATTCP_GRAPH_JSON_H
#define CHATTCP_GRAPH_JSON_H

#include "../base/strbuf.h"
#include "../session/session.h"

/* {"conn": ID, "proto": "tcp", "fields": [...]} */
void graph_json_header(struct strbuf *b, const struct conn *c);
/* [frame, t_us, dir, seq, end, ack, win, inflight, rtt_us, retx, labels, sack] */
void graph_json_point(struct strbuf *b, const struct sess_graph_pt *pt);
void graph_json_footer(struct strbuf *b, long packets);

#endif
