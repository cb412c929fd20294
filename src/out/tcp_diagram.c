/* tcp_diagram.c: see tcp_diagram.h. Layout from RFC 9293 section 3.1 (figure 1);
 * option kinds from the IANA "TCP Option Kind Numbers" registry. */
#include "tcp_diagram.h"

#include "../base/rd.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define IND "   "
static const char ruler[] = IND "+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+\n";

/* Text centred in a box of w columns. */
static void centred(struct strbuf *b, const char *s, size_t w)
{
	size_t n = strlen(s);
	if (n > w)
		n = w;
	size_t left = (w - n) / 2;
	for (size_t i = 0; i < left; i++)
		sb_putc(b, ' ');
	sb_add(b, s, n);
	for (size_t i = left + n; i < w; i++)
		sb_putc(b, ' ');
}

static void row2(struct strbuf *b, const char *l, const char *r)
{
	sb_puts(b, IND "|");
	centred(b, l, 31);
	sb_putc(b, '|');
	centred(b, r, 31);
	sb_puts(b, "|\n");
}

static void row1(struct strbuf *b, const char *s)
{
	sb_puts(b, IND "|");
	centred(b, s, 63);
	sb_puts(b, "|\n");
}

void tcp_diagram(struct strbuf *b, const uint8_t *hdr, size_t n)
{
	struct rd r = rd_make(hdr, n);
	uint16_t sport = rd_be16(&r), dport = rd_be16(&r);
	uint32_t seq = rd_be32(&r), ack = rd_be32(&r);
	uint16_t offflags = rd_be16(&r), win = rd_be16(&r), csum = rd_be16(&r), urp = rd_be16(&r);
	if (!rd_ok(&r)) {
		sb_puts(b, IND "(TCP header cut by the snap length: cannot draw it)\n");
		return;
	}
	char l[64], rr[64];
	sb_puts(b, IND " 0                   1                   2                   3\n");
	sb_puts(b, IND " 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1\n");
	sb_puts(b, ruler);
	snprintf(l, sizeof l, "Source Port: %u", sport);
	snprintf(rr, sizeof rr, "Destination Port: %u", dport);
	row2(b, l, rr);
	sb_puts(b, ruler);
	snprintf(l, sizeof l, "Sequence Number: %" PRIu32, seq);
	row1(b, l);
	sb_puts(b, ruler);
	snprintf(l, sizeof l, "Acknowledgment Number: %" PRIu32, ack);
	row1(b, l);
	sb_puts(b, ruler);
	unsigned doff = offflags >> 12;
	static const char *const fl[] = { "CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN" };
	char wtxt[32];
	snprintf(wtxt, sizeof wtxt, "Window: %u", win);
	for (int line = 0; line < 4; line++) {
		sb_puts(b, IND "|");
		if (line == 0)
			sb_puts(b, " Data  | Rsrvd |");
		else if (line == 1)
			sb_puts(b, "Offset |       |");
		else if (line == 2)
			sb_printf(b, "%4u   | %u%u%u%u  |", doff, (offflags >> 11) & 1, (offflags >> 10) & 1, (offflags >> 9) & 1,
				  (offflags >> 8) & 1);
		else
			sb_printf(b, "(%2uB)  |       |", doff * 4);
		for (int f = 0; f < 8; f++) {
			if (line < 3)
				sb_putc(b, line == 2 ? (char)('0' + ((offflags >> (7 - f)) & 1)) : fl[f][line]);
			else
				sb_putc(b, ' ');
			sb_putc(b, '|');
		}
		centred(b, line == 1 ? wtxt : "", 31);
		sb_puts(b, "|\n");
	}
	sb_puts(b, ruler);
	snprintf(l, sizeof l, "Checksum: 0x%04x", csum);
	snprintf(rr, sizeof rr, "Urgent Pointer: %u", urp);
	row2(b, l, rr);
	sb_puts(b, ruler);
	if (doff > 5) {
		snprintf(l, sizeof l, "Options: %u bytes (below)", (doff - 5) * 4);
		row1(b, l);
		sb_puts(b, ruler);
	}
	if (doff < 5)
		sb_printf(b, IND "Data offset %u is below the minimum 5: the header is malformed.\n", doff);
}

static const char *option_name(uint8_t kind)
{
	switch (kind) {
	case 0: return "End of Option List";
	case 1: return "No-Operation";
	case 2: return "Maximum Segment Size";
	case 3: return "Window Scale";
	case 4: return "SACK Permitted";
	case 5: return "SACK";
	case 8: return "Timestamps";
	case 19: return "MD5 Signature";
	case 28: return "User Timeout";
	case 29: return "TCP-AO";
	case 30: return "Multipath TCP";
	case 34: return "TCP Fast Open Cookie";
	case 253: case 254: return "Experimental";
	default: return "unknown";
	}
}

void tcp_options_list(struct strbuf *b, const uint8_t *opts, size_t n, const char *indent)
{
	struct rd r = rd_make(opts, n);
	while (rd_left(&r) > 0) {
		size_t at = r.off;
		uint8_t kind = rd_u8(&r);
		if (kind == 0 || kind == 1) {
			sb_printf(b, "%skind %u %s\n", indent, kind, option_name(kind));
			if (kind == 0)
				break;
			continue;
		}
		uint8_t len = rd_u8(&r);
		if (!rd_ok(&r) || len < 2 || len - 2u > rd_left(&r)) {
			sb_printf(b, "%skind %u %s at option byte %zu: length %u impossible (malformed)\n", indent, kind,
				  option_name(kind), at, len);
			return;
		}
		struct rd v = rd_sub(&r, len - 2u);
		sb_printf(b, "%skind %u %s, length %u: ", indent, kind, option_name(kind), len);
		switch (kind) {
		case 2:
			sb_printf(b, "%u bytes per segment at most", rd_be16(&v));
			break;
		case 3: {
			uint8_t s = rd_u8(&v);
			sb_printf(b, "shift %u (windows are multiplied by %u)", s, 1u << (s > 14 ? 14 : s));
			break;
		}
		case 4:
			sb_puts(b, "the sender understands SACK blocks");
			break;
		case 5:
			while (rd_left(&v) >= 8) {
				uint32_t le = rd_be32(&v), re = rd_be32(&v);
				sb_printf(b, "[%" PRIu32 "-%" PRIu32 ") ", le, re);
			}
			sb_puts(b, "received out of order");
			break;
		case 8: {
			uint32_t tv = rd_be32(&v), te = rd_be32(&v);
			sb_printf(b, "TSval %" PRIu32 ", TSecr %" PRIu32, tv, te);
			break;
		}
		case 34:
			if (len == 2)
				sb_puts(b, "cookie request");
			else {
				sb_puts(b, "cookie ");
				while (rd_left(&v))
					sb_printf(b, "%02x", rd_u8(&v));
			}
			break;
		default:
			sb_puts(b, "raw");
			while (rd_left(&v))
				sb_printf(b, " %02x", rd_u8(&v));
			break;
		}
		sb_putc(b, '\n');
	}
}
