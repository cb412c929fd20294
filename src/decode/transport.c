/* transport.c: TCP (RFC 9293 section 3.1, options RFC 7323, RFC 2018, RFC 7413) and
 * UDP (RFC 768) headers. The payload length is what the IP layer claims, as tshark's
 * tcp.len: a segment cut by the snap length keeps its real length. The reader claims
 * what IP says it carries: a header that does not fit in that is malformed (it
 * contradicts the IP length), one that fits but was not all captured is truncated. */
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

/* Reads TCP options (RFC 9293 3.2: kind 0 ends the list, kind 1 is one byte, every
 * other option is kind, length (counting both), data) from o, which claims the
 * options area (data offset - 20 bytes) and holds what was captured of it; base is
 * the frame offset of its byte 0. An option the snap length cut ends the walk
 * without a verdict (the packet is truncated); one whose length runs past the header
 * is malformed (o->bad, and pk->malformed with the option and its offset). */
static void tcp_options(struct pkt *pk, struct rd *r, size_t base)
{
	struct tcp_opts *o = &pk->opt;
	while (rd_left(r) > 0) {
		size_t at = r->off;
		uint8_t kind = rd_u8(r);
		if (kind == 0)
			break;             /* end of option list */
		if (kind == 1)
			continue;          /* no-operation */
		uint8_t len = rd_u8(r);
		if (r->status == RD_TRUNC)
			return;            /* the length byte was not captured */
		if (r->status == RD_BAD) {
			o->bad = 1;
			decode_bad(pk, base + at, "TCP option %u has no length byte before the end of the TCP header", kind);
			return;
		}
		if (len < 2) {
			o->bad = 1;
			decode_bad(pk, base + at, "TCP option %u length %u is below 2", kind, len);
			return;
		}
		size_t left = rd_claim_left(r);
		struct rd v = rd_sub(r, len - 2u);
		if (r->status == RD_BAD) {
			o->bad = 1;
			decode_bad(pk, base + at, "TCP option %u length %u runs past the end of the TCP header, which leaves %zu bytes for it",
				   kind, len, left + 2);
			return;
		}
		if (r->status == RD_TRUNC)
			return;            /* the option is not all here: do not guess its value */
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
static int header_cut(struct pkt *pk, const char *proto, const char *what)
{
	pk->kind = PK_BAD;
	pk->other = proto;
	decode_cut(pk, what);
	return -1;
}

/* The IP layer's length leaves fewer bytes than the `need`-byte transport header
 * (what: "TCP header") it carries: says so in the IP field's words. */
static void too_short(struct pkt *pk, const struct l3_claim *l3, size_t have, unsigned need, const char *what)
{
	if (!l3->field)
		decode_bad(pk, 0, "the datagram rebuilt from fragments has %zu bytes, fewer than the %u-byte %s it carries", have,
			   need, what);
	else if (l3->value == 0)
		decode_bad(pk, l3->ip_off, "%s is 0 (taken as the rest of the frame), which leaves %zu bytes after the IP header, fewer than the %u-byte %s it carries",
			   l3->field, have, need, what);
	else if (l3->ipver == 4)
		decode_bad(pk, l3->ip_off, "%s %u is shorter than its %u-byte header plus the %u-byte %s it carries", l3->field,
			   l3->value, l3->hdr, need, what);
	else if (l3->hdr)
		decode_bad(pk, l3->ip_off, "%s %u is shorter than its %u bytes of extension headers plus the %u-byte %s it carries",
			   l3->field, l3->value, l3->hdr, need, what);
	else
		decode_bad(pk, l3->ip_off, "%s %u is shorter than the %u-byte %s it carries", l3->field, l3->value, need, what);
}

/* Big-endian fields of bytes rd_bytes has bounded. */
static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int decode_tcp(struct pkt *pk, struct rd *r, const struct l3_claim *l3)
{
	size_t claimed = rd_claim_left(r);
	/* A tunnel's carrier (a VXLAN's UDP) set the payload fields first: an inner header
	 * that fails below must not leave the carrier's payload under this packet's name. */
	pk->payload = NULL;
	pk->caplen = 0;
	pk->len = 0;
	pk->l4 = rd_here(r);
	pk->l4_caplen = (uint32_t)rd_left(r);
	uint16_t offflags;
	const uint8_t *h = rd_left(r) >= 20 ? rd_bytes(r, 20) : NULL;
	if (h) {
		/* The whole fixed header is here (the common case): one bounds check. */
		pk->sport = be16(h);
		pk->dport = be16(h + 2);
		pk->seq = be32(h + 4);
		pk->ack = be32(h + 8);
		offflags = be16(h + 12);
		pk->win = be16(h + 14);
		pk->tcp_csum = be16(h + 16);
		pk->urp = be16(h + 18);
	} else {
		/* Cut short: read what is here, field by field. */
		pk->sport = rd_be16(r);
		pk->dport = rd_be16(r);
		pk->seq = rd_be32(r);
		pk->ack = rd_be32(r);
		offflags = rd_be16(r);
		pk->win = rd_be16(r);
		pk->tcp_csum = rd_be16(r);
		pk->urp = rd_be16(r);
	}
	if (r->status == RD_BAD) {
		pk->kind = PK_BAD;
		pk->other = "TCP";
		too_short(pk, l3, claimed, 20, "TCP header");
		return -1;
	}
	if (!rd_ok(r))
		return header_cut(pk, "TCP", "TCP header");
	pk->kind = PK_TCP;
	pk->flags = offflags & 0x01ff;
	pk->opt.wscale = -1;
	unsigned hlen = (offflags >> 12) * 4u;
	pk->tcp_hlen = (uint8_t)hlen;
	if (hlen < 20) {
		decode_bad(pk, l3->l4_off, "TCP data offset %u (%u bytes) is below the minimum 5 (20 bytes)", hlen / 4, hlen);
		pk->len = 0;
		return 0;
	}
	if (hlen > claimed) {
		too_short(pk, l3, claimed, hlen, "TCP header");
		pk->len = 0;
		return 0;
	}
	struct rd opts = rd_sub(r, hlen - 20u); /* inside the claim: all here, or cut */
	if (!rd_ok(r))
		decode_cut(pk, "TCP options");
	tcp_options(pk, &opts, l3->l4_off + 20u);
	pk->len = (uint32_t)(claimed - hlen);
	pk->payload = rd_here(r);
	pk->caplen = (uint32_t)rd_left(r); /* the claim bounds it: never more than len */
	if (pk->caplen < pk->len)
		pk->truncated = 1;
	return 0;
}

static int decode_udp(struct pkt *pk, struct rd *r, const struct l3_claim *l3)
{
	size_t claimed = rd_claim_left(r);
	pk->payload = NULL; /* as in decode_tcp: nothing of an outer carrier stays */
	pk->caplen = 0;
	pk->len = 0;
	pk->l4 = rd_here(r);
	pk->l4_caplen = (uint32_t)rd_left(r);
	pk->sport = rd_be16(r);
	pk->dport = rd_be16(r);
	uint16_t ulen = rd_be16(r);
	rd_skip(r, 2); /* checksum */
	if (r->status == RD_BAD) {
		pk->kind = PK_BAD;
		pk->other = "UDP";
		too_short(pk, l3, claimed, 8, "UDP header");
		return -1;
	}
	if (!rd_ok(r))
		return header_cut(pk, "UDP", "UDP header");
	pk->kind = PK_UDP;
	size_t plen = claimed - 8;
	if (ulen >= 8 && ulen <= claimed) {
		plen = ulen - 8u; /* trust the UDP length when it fits inside the IP payload */
	} else if (ulen != 0) { /* 0: a jumbogram's (RFC 2675 4) or offload's: take IP's length */
		if (ulen < 8)
			decode_bad(pk, l3->l4_off, "UDP length %u is shorter than its 8-byte header", ulen);
		else if (!l3->field)
			decode_bad(pk, l3->l4_off, "UDP length %u is larger than the %zu-byte datagram rebuilt from fragments", ulen,
				   claimed);
		else
			decode_bad(pk, l3->l4_off, "UDP length %u is larger than the %zu bytes the %s leaves for it", ulen, claimed,
				   l3->value ? l3->field : "frame");
	}
	struct rd pay = rd_sub(r, plen); /* the bytes after the UDP length are not UDP's */
	pk->len = (uint32_t)plen;
	pk->payload = rd_here(&pay);
	pk->caplen = (uint32_t)rd_left(&pay);
	if (pk->caplen < pk->len)
		pk->truncated = 1;
	return 0;
}

/* An ICMP (RFC 792) or ICMPv6 (RFC 4443 section 3) error quotes the IP header and the
 * first 8 bytes of the datagram that caused it: for UDP, its 5-tuple. Wireshark gives
 * that 5-tuple a udp.stream number when it has none yet, so chattcp counts it too
 * (the engine makes a conversation without packets, which nothing lists). */
static void icmp_quote(struct pkt *pk, struct rd *r, int v6)
{
	int type = rd_peek(r, 0);
	int error = v6 ? (type >= 1 && type <= 4) : (type == 3 || type == 4 || type == 5 || type == 11 || type == 12);
	if (!error)
		return;
	struct rd q = *r;
	rd_skip(&q, 8); /* type, code, checksum, 4 bytes (unused, pointer or MTU) */
	size_t ihl;
	uint8_t proto;
	struct ipaddr src, dst;
	memset(&src, 0, sizeof src);
	memset(&dst, 0, sizeof dst);
	if (!v6) {
		int vihl = rd_peek(&q, 0);
		if (vihl < 0 || (vihl >> 4) != 4 || (vihl & 15) < 5)
			return;
		ihl = (size_t)(vihl & 15) * 4;
		const uint8_t *h = rd_bytes(&q, 20);
		if (!h || ((h[6] & 0x1f) | h[7]))
			return; /* cut, or a fragment after the first: no UDP header */
		proto = h[9];
		src.family = dst.family = 4;
		memcpy(src.a, h + 12, 4);
		memcpy(dst.a, h + 16, 4);
		rd_skip(&q, ihl - 20);
	} else {
		const uint8_t *h = rd_bytes(&q, 40);
		if (!h || (h[0] >> 4) != 6)
			return;
		proto = h[6]; /* extension headers in the quote are not followed */
		src.family = dst.family = 6;
		memcpy(src.a, h + 8, 16);
		memcpy(dst.a, h + 24, 16);
	}
	const uint8_t *u = rd_bytes(&q, 4);
	if (!u || proto != 17)
		return;
	pk->quote.proto = proto;
	pk->quote.src = src;
	pk->quote.dst = dst;
	pk->quote.sport = (uint16_t)(u[0] << 8 | u[1]);
	pk->quote.dport = (uint16_t)(u[2] << 8 | u[3]);
}

/* The IP header pk describes carries a tunnel: it becomes a layer (the inner IP header
 * will be the packet's). */
static int push_ip(struct pkt *pk, const struct l3_claim *l3)
{
	struct pkt_layer *L = decode_push(pk, pk->ipver == 6 ? PL_IPV6 : PL_IPV4, l3->ip_off);
	if (!L)
		return -1;
	L->proto = pk->ipproto;
	memcpy(L->a, pk->src.a, 16);
	memcpy(L->a + 16, pk->dst.a, 16);
	L->v[0] = pk->ttl;
	L->v[1] = l3->value;
	L->v[2] = pk->ip_id;
	return 0;
}

/* Keeps what pk says of the UDP datagram that is about to be read as a tunnel. */
static void save_carrier(const struct pkt *pk, struct dctx *cx)
{
	struct udp_carrier *u = &cx->carrier;
	u->set = 1;
	u->n_layer = pk->n_layer;
	u->ipver = pk->ipver;
	u->ipproto = pk->ipproto;
	u->ttl = pk->ttl;
	u->tos = pk->tos;
	u->reassembled = pk->reassembled;
	u->ip_id = pk->ip_id;
	u->sport = pk->sport;
	u->dport = pk->dport;
	u->l3_off = pk->l3_off;
	u->l4_off = pk->l4_off;
	u->src = pk->src;
	u->dst = pk->dst;
	u->l4 = pk->l4;
	u->payload = pk->payload;
	u->l4_caplen = pk->l4_caplen;
	u->len = pk->len;
	u->caplen = pk->caplen;
}

/* UDP carries a tunnel when one of its ports is a tunnel's: the lower port is tried
 * first, as Wireshark's UDP dissector does (the server's port is usually the lower). */
static int udp_tunnel_port(const struct pkt *pk)
{
	uint16_t lo = pk->sport < pk->dport ? pk->sport : pk->dport;
	uint16_t hi = pk->sport < pk->dport ? pk->dport : pk->sport;
	if (decode_has(NX_UDPPORT, lo))
		return lo;
	if (decode_has(NX_UDPPORT, hi))
		return hi;
	return -1;
}

int decode_transport(struct pkt *pk, struct rd *r, const struct l3_claim *l3, struct dctx *cx)
{
	switch (pk->ipproto) {
	case 6:
		return decode_tcp(pk, r, l3);
	case 17: {
		if (decode_udp(pk, r, l3) < 0)
			return -1;
		int port = udp_tunnel_port(pk);
		if (port < 0)
			return 0;
		save_carrier(pk, cx);
		if (push_ip(pk, l3) < 0)
			return -1;
		struct pkt_layer *U = decode_push(pk, PL_UDP, l3->l4_off);
		if (!U)
			return -1;
		U->proto = (uint16_t)port;
		U->v[0] = pk->sport;
		U->v[1] = pk->dport;
		U->v[2] = pk->len + 8u;
		decode_next(cx, NX_UDPPORT, (uint16_t)port, l3->l4_off + 8u, pk->caplen, pk->len);
		return 1;
	}
	case 1:
	case 58:
		icmp_quote(pk, r, pk->ipproto == 58);
		pk->kind = PK_OTHER;
		pk->other = proto_name(pk->ipproto);
		return -1;
	default:
		if (decode_has(NX_IPPROTO, pk->ipproto)) {
			if (push_ip(pk, l3) < 0)
				return -1;
			decode_next(cx, NX_IPPROTO, pk->ipproto, l3->l4_off, rd_left(r), rd_claim_left(r));
			return 1;
		}
		pk->kind = PK_OTHER;
		pk->other = proto_name(pk->ipproto);
		return -1;
	}
}
