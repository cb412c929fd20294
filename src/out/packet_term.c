/* packet_term.c: see packet_term.h. */
#include "packet_term.h"

#include "../model/labels.h"
#include "chat_term.h"
#include "fmt.h"
#include "payload.h"
#include "tcp_diagram.h"
#include "term_text.h"

#include <inttypes.h>
#include <string.h>

static const char *link_name(uint16_t lt)
{
	switch (lt) {
	case LT_ETHERNET: return "Ethernet";
	case LT_NULL: return "BSD loopback (NULL)";
	case LT_LOOP: return "BSD loopback (LOOP)";
	case LT_RAW: case 12: case 14: case LT_IPV4: case LT_IPV6: return "raw IP";
	case LT_LINUX_SLL: return "Linux cooked capture (SLL)";
	case LT_LINUX_SLL2: return "Linux cooked capture v2 (SLL2)";
	case LT_PPP: return "PPP";
	case LT_PPP_HDLC: return "PPP in HDLC-like framing";
	case LT_IEEE802_11: return "IEEE 802.11";
	case LT_IEEE802_11_RADIOTAP: return "IEEE 802.11 with radiotap";
	default: return "unsupported link type";
	}
}

static void describe_link(struct strbuf *b, const struct pkt *pk)
{
	const uint8_t *d = pk->rec.data;
	sb_printf(b, "Link: %s (link type %u)", link_name(pk->rec.linktype), pk->rec.linktype);
	if (pk->rec.linktype == LT_ETHERNET && pk->rec.caplen >= 14)
		sb_printf(b, ", %02x:%02x:%02x:%02x:%02x:%02x -> %02x:%02x:%02x:%02x:%02x:%02x", d[6], d[7], d[8], d[9],
			  d[10], d[11], d[0], d[1], d[2], d[3], d[4], d[5]);
	for (int i = 0; i < pk->n_vlan && i < PKT_MAX_VLAN; i++)
		sb_printf(b, ", VLAN %u", pk->vlan[i]);
	if (pk->ethertype)
		sb_printf(b, ", ethertype 0x%04x", pk->ethertype);
	sb_putc(b, '\n');
}

static void describe_ip(struct strbuf *b, const struct pkt *pk)
{
	char s[64], d[64];
	if (!pk->ipver)
		return;
	ipaddr_str(&pk->src, s, sizeof s);
	ipaddr_str(&pk->dst, d, sizeof d);
	if (pk->ipver == 4) {
		const uint8_t *ip = pk->rec.data + pk->l3_off;
		unsigned ihl = pk->rec.caplen > pk->l3_off ? (ip[0] & 15) * 4u : 0;
		unsigned total = pk->rec.caplen >= pk->l3_off + 4u ? (unsigned)(ip[2] << 8 | ip[3]) : 0;
		unsigned fo = pk->rec.caplen >= pk->l3_off + 8u ? (unsigned)(ip[6] << 8 | ip[7]) : 0;
		sb_printf(b, "IPv4: %s -> %s, header %u bytes%s, total length %u, TTL %u, ID 0x%04x, DSCP %u ECN %u%s%s\n", s,
			  d, ihl, ihl > 20 ? " (with options)" : "", total, pk->ttl, pk->ip_id, pk->tos >> 2, pk->tos & 3,
			  (fo & 0x4000) ? ", don't fragment" : "", pk->reassembled ? ", rebuilt from fragments" : "");
	} else {
		sb_printf(b, "IPv6: %s -> %s, hop limit %u, traffic class %u, next header %u%s\n", s, d, pk->ttl, pk->tos,
			  pk->ipproto, pk->reassembled ? ", rebuilt from fragments" : "");
	}
}

/* One line per layer; a long one (MPLS with four labels, 802.11's three addresses) is
 * wrapped by the caller at the width like every line of the packet view (out/width.h:
 * after a ", " when it can, continuation lines indented by two). */
static void describe_layer(struct strbuf *b, const struct pkt_layer *L)
{
	char line[256]; /* the longest layer line (MPLS, four labels and more) is about 200 bytes */
	pkt_layer_describe(L, line, sizeof line);
	sb_printf(b, "%s\n", line);
}

void packet_term(struct strbuf *b, const struct sess_frame *f, int hex, int width, int time, int absolute)
{
	const struct pkt *pk = &f->pk;
	const struct conn *c = f->c;
	const struct pktrec *r = &f->r;
	sb_printf(b, "Frame %lu: %u bytes on the wire, %u captured%s, at ", (unsigned long)pk->frame, pk->rec.wirelen, pk->rec.caplen,
		  pk->rec.caplen < pk->rec.wirelen ? " (cut by the snap length)" : "");
	if (time == FMT_T_REL)
		sb_puts(b, "t=");
	fmt_time(b, time, pk->rec.ts_ns, time == FMT_T_REL ? f->first_ts : INT64_MIN, pk->rec.ts_digits);
	if (time == FMT_T_REL)
		sb_puts(b, " s (since the capture's first frame)");
	sb_printf(b, ", file offset %" PRIu64 "\n", pk->rec.off);
	describe_link(b, pk);
	unsigned n_layer = pk->n_layer < PKT_LAYER_MAX ? pk->n_layer : PKT_LAYER_MAX;
	unsigned outer = n_layer > pk->n_inside ? n_layer - pk->n_inside : 0u; /* the rest are in the UDP payload */
	for (unsigned i = 0; i < outer; i++)
		describe_layer(b, &pk->layer[i]);
	describe_ip(b, pk);
	if (pk->kind == PK_TCP) {
		sb_printf(b, "TCP: port %u -> %u, header %u bytes, payload %u bytes", pk->sport, pk->dport, pk->tcp_hlen,
			  pk->len);
		if (c)
			sb_printf(b, ", connection %u (%s), sender's state after: %s", c->id,
				  r->dir == 0 ? "client -> server" : "server -> client", tcp_state_name(r->state));
		sb_puts(b, "\n\n");
		tcp_diagram(b, pk->l4, pk->l4_caplen);
		if (pk->tcp_hlen > 20 && pk->l4_caplen > 20) {
			size_t on = pk->tcp_hlen - 20u;
			if (on > pk->l4_caplen - 20u)
				on = pk->l4_caplen - 20u;
			sb_puts(b, "\nOptions:\n");
			tcp_options_list(b, pk->l4 + 20, on, "  ");
		}
		if (c) {
			uint32_t step = pk->len + ((pk->flags & (TH_SYN | TH_FIN)) ? 1 : 0);
			if (absolute)
				sb_printf(b, "\nSeq %" PRIu32 ", ack %" PRIu32 "; next seq %" PRIu32 " (relative: seq %" PRIu32
					     ", ack %" PRIu32 ")\n", r->seq, r->ack, r->seq + step, r->rseq, r->rack);
			else
				sb_printf(b, "\nRelative: seq %" PRIu32 ", ack %" PRIu32 "; next seq %" PRIu32 "\n",
					  r->rseq, r->rack, r->rseq + step);
			struct strbuf w;
			sb_init(&w);
			chat_window(&w, r->win, &f->win);
			sb_printf(b, "Window: %s\n", w.s);
			sb_reset(&w);
			if (f->sack.n) {
				sb_printf(b, "SACK blocks%s:", absolute ? "" : " (relative)");
				for (int i = 0; i < f->sack.n; i++) {
					const struct sess_sack *x = &f->sack.b[i];
					sb_printf(b, " %" PRIu32 "-%" PRIu32, absolute ? x->le : x->rle, absolute ? x->re : x->rre);
					if (i == 0 && f->sack.dsack)
						sb_puts(b, " (D-SACK: bytes received twice)");
				}
				sb_putc(b, '\n');
			}
			sb_fini(&w);
			if (r->labels) {
				sb_puts(b, "Analysis:");
				for (int l = 0; l < LB_COUNT; l++)
					if (r->labels & LB_BIT(l))
						sb_printf(b, " %s", label_name(l));
				sb_putc(b, '\n');
			}
			sb_puts(b, "Note: ");
			term_text_str(b, f->note);
			sb_putc(b, '\n');
		}
	} else if (pk->kind == PK_UDP) {
		sb_printf(b, "UDP: port %u -> %u, payload %u bytes", pk->sport, pk->dport, pk->len);
		if (c)
			sb_printf(b, ", conversation %u", c->id);
		sb_putc(b, '\n');
		if (outer < n_layer) {
			/* a tunnel whose content is not TCP or UDP: the datagram is the packet */
			for (unsigned i = outer; i < n_layer; i++)
				describe_layer(b, &pk->layer[i]);
			sb_puts(b, "Carries: ");
			term_text_str(b, pk->other ? pk->other : "unknown");
			sb_puts(b, " (not TCP or UDP)\n");
		}
	} else {
		sb_puts(b, "Not TCP or UDP: ");
		term_text_str(b, pk->other ? pk->other : "unknown");
		if (pk->why) {
			sb_puts(b, ": ");
			term_text_str(b, pk->why);
		}
		sb_putc(b, '\n');
	}
	if (pk->malformed && pk->why) {
		sb_puts(b, "Malformed: ");
		term_text_str(b, pk->why);
		sb_putc(b, '\n');
	}
	if ((pk->kind == PK_TCP || pk->kind == PK_UDP) && pk->len) {
		sb_printf(b, "\nPayload (%u bytes%s):\n", pk->len, pk->caplen < pk->len ? ", not all captured" : "");
		struct strbuf pl;
		sb_init(&pl);
		payload_render(&pl, pk->payload, pk->caplen, pk->len, hex ? 0 : 4096, width - 2);
		const char *p = pl.s;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			sb_puts(b, "  ");
			sb_add(b, p, n);
			sb_putc(b, '\n');
			p += n + (nl ? 1 : 0);
		}
		sb_fini(&pl);
	}
	sb_puts(b, "\nHex dump of the frame:\n");
	size_t show = pk->rec.caplen;
	if (!hex && show > 256)
		show = 256;
	payload_hexdump(b, pk->rec.data, show, "  ", width);
	if (show < pk->rec.caplen)
		sb_printf(b, "  ... %zu more bytes (--hex shows all)\n", pk->rec.caplen - show);
}
