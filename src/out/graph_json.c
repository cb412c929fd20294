/* graph_json.c: see graph_json.h. */
#include "graph_json.h"

#include "../model/labels.h"

#include <inttypes.h>

void graph_json_header(struct strbuf *b, const struct conn *c)
{
	sb_printf(b, "{\"conn\":%" PRIu32 ",\"proto\":\"%s\",\"fields\":[\"frame\",\"t_us\",\"dir\",\"seq\",\"end\",\"ack\","
		  "\"win\",\"inflight\",\"rtt_us\",\"retx\",\"labels\",\"sack\"]}\n",
		  c->id, c->proto == 17 ? "udp" : "tcp");
}

void graph_json_point(struct strbuf *b, const struct sess_graph_pt *pt)
{
	/* retx: 0 first send, 1 retransmission (any kind but spurious), 2 spurious */
	int retx = pt->labels & LB_BIT(LB_SPURIOUS_RETRANSMISSION) ? 2
		   : pt->labels & (LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION)) ? 1 : 0;
	sb_printf(b, "[%" PRIu32 ",%" PRId64 ",%u,%" PRIu32 ",%" PRIu32 ",", pt->frame, pt->t_ns / 1000, pt->dir, pt->seq,
		  pt->end);
	if (pt->has_ack)
		sb_printf(b, "%" PRIu32, pt->ack);
	else
		sb_puts(b, "-1");
	sb_printf(b, ",%" PRIu32 ",%" PRIu32 ",%" PRId64 ",%d,%" PRIu32 ",[", pt->win, pt->inflight,
		  pt->rtt_ns < 0 ? -1 : pt->rtt_ns / 1000, retx, pt->labels);
	for (int i = 0; i < pt->sack.n; i++)
		sb_printf(b, "%s[%" PRIu32 ",%" PRIu32 "]", i ? "," : "", pt->sack.b[i].rle, pt->sack.b[i].rre);
	sb_puts(b, "]]\n");
}

void graph_json_footer(struct strbuf *b, long packets) { sb_printf(b, "{\"packets\":%ld}\n", packets); }
