/* packet.c: `chattcp packet FILE FRAME [--hex]`: one packet in full. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../model/labels.h"
#include "../out/chat_term.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/notes.h"
#include "../out/payload.h"
#include "../out/tcp_diagram.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct want {
	uint32_t frame;
	int found;
	struct pktrec rec;
	uint32_t conn_idx;
};

static void catch_frame(void *ctx, const struct pkt *pk, struct conn *c, const struct pktrec *r)
{
	struct want *w = ctx;
	if (pk->frame == w->frame) {
		w->found = 1;
		w->rec = *r;
		w->conn_idx = c->idx;
	}
}

static int keep_none(void *ctx, const struct conn *c) { return 0; }

/* Keeps the records of the wanted frame's connection so the note can be told in context. */
static int keep_conn_of(void *ctx, const struct conn *c)
{
	const struct want *w = ctx;
	return w->found && c->idx == w->conn_idx;
	/* found is set by the first pass; the second sees the same numbering */
}

static const char *link_name(uint16_t lt)
{
	switch (lt) {
	case LT_ETHERNET: return "Ethernet";
	case LT_NULL: return "BSD loopback (NULL)";
	case LT_LOOP: return "BSD loopback (LOOP)";
	case LT_RAW: case 12: case 14: case LT_IPV4: case LT_IPV6: return "raw IP";
	case LT_LINUX_SLL: return "Linux cooked capture (SLL)";
	case LT_LINUX_SLL2: return "Linux cooked capture v2 (SLL2)";
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

int cmd_packet(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int hex = 0, json = 0;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--hex") == 0)
			hex = 1;
		else if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "packet", NULL };
			return cmd_help(2, hv);
		} else
			return usage_error("packet", "unknown option %s", o);
	}
	if (a.n_positional != 2)
		return usage_error("packet", "expected a capture file and a frame number");
	char *end;
	unsigned long frame = strtoul(a.positional[1], &end, 10);
	if (*end || frame == 0 || frame > 0xffffffffu)
		return usage_error("packet", "the frame number counts from 1");
	struct engine en;
	struct want w;
	memset(&w, 0, sizeof w);
	w.frame = (uint32_t)frame;
	/* First pass: which connection the frame belongs to. Second pass: that
	 * connection's packets, so its note is told with what came before. */
	if (cli_open(&en, a.positional[0]) < 0)
		return EXIT_BADINPUT;
	engine_add_sink(&en, (struct engine_sink){ .ctx = &w, .packet = catch_frame });
	en.keep = keep_none;
	engine_run(&en);
	engine_close(&en);
	if (cli_open(&en, a.positional[0]) < 0)
		return EXIT_BADINPUT;
	engine_add_sink(&en, (struct engine_sink){ .ctx = &w, .packet = catch_frame });
	en.keep = keep_conn_of;
	en.keep_ctx = &w;
	cli_run(&en);
	if (frame > en.n_frames) {
		fprintf(stderr, "chattcp: %s: no frame %lu (the capture has %llu)\n", en.cf.name, frame,
			(unsigned long long)en.n_frames);
		return cli_finish(&en, en.damaged ? EXIT_BADINPUT : EXIT_USAGE);
	}
	/* Find the record of the frame, even when it is not TCP/UDP. */
	struct cap_rec rec;
	struct err e;
	err_clear(&e);
	struct capfile *cf = &en.cf;
	struct strbuf b;
	sb_init(&b);
	struct pkt pk;
	int have = 0;
	if (w.found) {
		have = engine_reread(&en, &w.rec, &pk) == 0;
	} else {
		/* Walk again to the frame: it was not TCP/UDP, so nothing recorded its offset. */
		cf->pos = cf->format == CAP_PCAP ? 24 : 0;
		if (cf->format == CAP_PCAPNG) {
			cf->n_ifaces = 0;
			cf->n_sections = 0;
		}
		for (uint32_t i = 1; i <= frame; i++) {
			if (capfile_next(cf, &rec, &e) != 1)
				break;
			if (i == frame) {
				decode_packet(&rec, i, &pk, NULL);
				have = 1;
			}
		}
	}
	if (!have) {
		fprintf(stderr, "chattcp: %s: frame %lu cannot be read back\n", en.cf.name, frame);
		sb_fini(&b);
		return cli_finish(&en, EXIT_BADINPUT);
	}
	const struct conn *c = w.found ? en.ct.conns[w.conn_idx] : NULL;
	struct strbuf note;
	sb_init(&note);
	if (c) {
		/* Replay the connection's notes up to this frame so the note has its context. */
		struct note_ctx nc;
		note_begin(&nc);
		for (size_t i = 0; i < en.n_recs; i++) {
			sb_reset(&note);
			note_text(&nc, c, &en.recs[i], &note);
			if (en.recs[i].frame == w.frame)
				break;
		}
	}
	if (json) {
		if (c)
			json_packet(&b, c, &w.rec, note.s, &pk, 1);
		else
			sb_printf(&b, "{\"frame\":%lu,\"proto\":\"%s\"}\n", frame, pk.other ? pk.other : "other");
		sb_write(&b, stdout);
		sb_fini(&b);
		sb_fini(&note);
		return cli_finish(&en, EXIT_OK);
	}
	sb_printf(&b, "Frame %lu: %u bytes on the wire, %u captured%s, at ", frame, pk.rec.wirelen, pk.rec.caplen,
		  pk.rec.caplen < pk.rec.wirelen ? " (cut by the snap length)" : "");
	fmt_datetime(&b, pk.rec.ts_ns, pk.rec.ts_digits);
	sb_printf(&b, ", file offset %" PRIu64 "\n", pk.rec.off);
	describe_link(&b, &pk);
	describe_ip(&b, &pk);
	if (pk.kind == PK_TCP) {
		sb_printf(&b, "TCP: port %u -> %u, header %u bytes, payload %u bytes", pk.sport, pk.dport, pk.tcp_hlen,
			  pk.len);
		if (c)
			sb_printf(&b, ", connection %u (%s), sender's state after: %s", c->id,
				  w.rec.dir == 0 ? "client -> server" : "server -> client", tcp_state_name(w.rec.state));
		sb_puts(&b, "\n\n");
		tcp_diagram(&b, pk.l4, pk.l4_caplen);
		if (pk.tcp_hlen > 20 && pk.l4_caplen > 20) {
			size_t on = pk.tcp_hlen - 20u;
			if (on > pk.l4_caplen - 20u)
				on = pk.l4_caplen - 20u;
			sb_puts(&b, "\nOptions:\n");
			tcp_options_list(&b, pk.l4 + 20, on, "  ");
		}
		if (c) {
			sb_printf(&b, "\nRelative: seq %" PRIu32 ", ack %" PRIu32 "; next seq %" PRIu32 "\n",
				  conn_rel(c, w.rec.dir, pk.seq),
				  (pk.flags & TH_ACK) ? conn_rel(c, 1 - w.rec.dir, pk.ack) : 0,
				  conn_rel(c, w.rec.dir, pk.seq) + pk.len + ((pk.flags & (TH_SYN | TH_FIN)) ? 1 : 0));
			if (w.rec.labels) {
				sb_puts(&b, "Analysis:");
				for (int l = 0; l < LB_COUNT; l++)
					if (w.rec.labels & LB_BIT(l))
						sb_printf(&b, " %s", label_name(l));
				sb_putc(&b, '\n');
			}
			sb_printf(&b, "Note: %s\n", note.s ? note.s : "");
		}
	} else if (pk.kind == PK_UDP) {
		sb_printf(&b, "UDP: port %u -> %u, payload %u bytes", pk.sport, pk.dport, pk.len);
		if (c)
			sb_printf(&b, ", conversation %u", c->id);
		sb_putc(&b, '\n');
	} else {
		sb_printf(&b, "Not TCP or UDP: %s%s%s\n", pk.other ? pk.other : "unknown", pk.why ? ": " : "",
			  pk.why ? pk.why : "");
	}
	if (pk.malformed && pk.why)
		sb_printf(&b, "Malformed: %s\n", pk.why);
	if ((pk.kind == PK_TCP || pk.kind == PK_UDP) && pk.len) {
		sb_printf(&b, "\nPayload (%u bytes%s):\n", pk.len, pk.caplen < pk.len ? ", not all captured" : "");
		struct strbuf pl;
		sb_init(&pl);
		payload_render(&pl, pk.payload, pk.caplen, pk.len, hex ? 0 : 4096, 80);
		const char *p = pl.s;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			sb_puts(&b, "  ");
			sb_add(&b, p, n);
			sb_putc(&b, '\n');
			p += n + (nl ? 1 : 0);
		}
		sb_fini(&pl);
	}
	sb_puts(&b, "\nHex dump of the frame:\n");
	size_t show = pk.rec.caplen;
	if (!hex && show > 256)
		show = 256;
	payload_hexdump(&b, pk.rec.data, show, "  ");
	if (show < pk.rec.caplen)
		sb_printf(&b, "  ... %zu more bytes (--hex shows all)\n", pk.rec.caplen - show);
	sb_write(&b, stdout);
	sb_fini(&b);
	sb_fini(&note);
	return cli_finish(&en, EXIT_OK);
}
