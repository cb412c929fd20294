/* transport.c: TCP (RFC 9293 section 3.1, options RFC 7323, RFC 2018, RFC 7413) and
 * UDP (RFC 768) headers. The payload length is what the IP layer claims, as tshark's
 * tcp.len: a segment cut by the snap length keeps its real length. */
#include "decode_int.h"

#include <string.h>

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IP in IP";
	case 41: return "IPv6 in IP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 59: return "IPv6 no next header";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 132: return "SCTP";
	default: return "other IP protocol";
	}
}

void decode_tcp_options(struct tcp_opts *o, const uint8_t *p, size_t n)
{
	struct rd r = rd_make(p, n);
	while (rd_left(&r) > 0) {
		uint8_t kind = rd_u8(&r);
		if (kind == 0)
			break;             /* end of option list */
		if (kind == 1)
			continue;          /* no-operation */
		uint8_t len = rd_u8(&r);
		if (!rd_ok(&r) || len < 2 || len - 2u > rd_left(&r)) {
			o->bad = 1;
			return;
		}
		struct rd v = rd_sub(&r, len - 2u);
		switch (kind) {
		case 2:
			if (len == 4)
				o->mss = rd_be16(&v);
			else
				o->bad = 1;
			break;
		case 3:
			if (len == 3) {
				uint8_t shift = rd_u8(&v);
				o->wscale = (int8_t)(shift > 14 ? 14 : shift); /* RFC 7323 2.3: larger is taken as 14 */
			} else {
				o->bad = 1;
			}
			break;
		case 4:
			o->sack_perm = 1;
			break;
		case 5:
			while (rd_left(&v) >= 8 && o->n_sack < TCP_MAX_SACK) {
				o->sack[o->n_sack][0] = rd_be32(&v);
				o->sack[o->n_sack][1] = rd_be32(&v);
				o->n_sack++;
			}
			break;
		case 8:
			if (len == 10) {
				o->has_ts = 1;
				o->tsval = rd_be32(&v);
				o->tsecr = rd_be32(&v);
			} else {
				o->bad = 1;
			}
			break;
		case 34:
			o->tfo = len == 2 ? 1 : 2;
			break;
		default:
			break;
		}
	}
}

/* A transport header the snap length cut: the packet is counted, not analysed. */
static int header_cut(struct pkt *pk, const char *proto, const char *why)
{
	pk->kind = PK_BAD;
	pk->truncated = 1;
	pk->other = proto;
	pk->why = why;
	return -1;
}

static int decode_tcp(struct pkt *pk, struct rd *r, uint32_t claimed)
{
	pk->l4 = rd_here(r);
	pk->l4_caplen = (uint32_t)rd_left(r);
	pk->sport = rd_be16(r);
	pk->dport = rd_be16(r);
	pk->seq = rd_be32(r);
	pk->ack = rd_be32(r);
	uint16_t offflags = rd_be16(r);
	pk->win = rd_be16(r);
	pk->tcp_csum = rd_be16(r);
	pk->urp = rd_be16(r);
	if (!rd_ok(r))
		return header_cut(pk, "TCP", "TCP header cut by the snap length");
	pk->kind = PK_TCP;
	pk->flags = offflags & 0x01ff;
	pk->opt.wscale = -1;
	unsigned hlen = (offflags >> 12) * 4u;
	pk->tcp_hlen = (uint8_t)hlen;
	if (hlen < 20) {
		pk->malformed = 1;
		pk->why = "TCP data offset below 5 (header shorter than 20 bytes)";
		pk->len = 0;
		return 0;
	}
	if (hlen > claimed) {
		pk->malformed = 1;
		pk->why = "TCP header longer than the IP payload";
		pk->len = 0;
		return 0;
	}
	size_t optlen = hlen - 20;
	if (optlen > rd_left(r)) {
		pk->truncated = 1;
		pk->why = "TCP options cut by the snap length";
		decode_tcp_options(&pk->opt, rd_here(r), rd_left(r));
		pk->len = claimed - hlen;
		pk->payload = rd_here(r) + rd_left(r);
		pk->caplen = 0;
		return 0;
	}
	decode_tcp_options(&pk->opt, rd_here(r), optlen);
	rd_skip(r, optlen);
	pk->len = claimed - hlen;
	pk->payload = rd_here(r);
	pk->caplen = (uint32_t)rd_left(r);
	if (pk->caplen > pk->len)
		pk->caplen = pk->len;
	if (pk->caplen < pk->len)
		pk->truncated = 1;
	return 0;
}

static int decode_udp(struct pkt *pk, struct rd *r, uint32_t claimed)
{
	pk->l4 = rd_here(r);
	pk->l4_caplen = (uint32_t)rd_left(r);
	pk->sport = rd_be16(r);
	pk->dport = rd_be16(r);
	uint16_t ulen = rd_be16(r);
	rd_skip(r, 2);
	if (!rd_ok(r))
		return header_cut(pk, "UDP", "UDP header cut by the snap length");
	pk->kind = PK_UDP;
	uint32_t plen = claimed - 8;
	if (ulen >= 8 && ulen <= claimed)
		plen = ulen - 8u; /* trust the UDP length when it fits inside the IP payload */
	else if (ulen != 0) {
		pk->malformed = 1;
		pk->why = ulen < 8 ? "UDP length below 8" : "UDP length larger than the IP payload";
	}
	pk->len = plen;
	pk->payload = rd_here(r);
	pk->caplen = (uint32_t)rd_left(r);
	if (pk->caplen > pk->len)
		pk->caplen = pk->len;
	if (pk->caplen < pk->len)
		pk->truncated = 1;
	return 0;
}

int decode_transport(struct pkt *pk, struct rd *r, uint32_t claimed)
{
	switch (pk->ipproto) {
	case 6:
		return decode_tcp(pk, r, claimed);
	case 17:
		if (claimed < 8) {
			pk->kind = PK_BAD;
			pk->malformed = 1;
			pk->other = "UDP";
			pk->why = "IP payload too short for a UDP header";
			return -1;
		}
		return decode_udp(pk, r, claimed);
	default:
		pk->kind = PK_OTHER;
		pk->other = proto_name(pk->ipproto);
		return -1;
	}
}
