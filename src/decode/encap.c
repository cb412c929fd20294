/* encap.c: the decoding chain from the first network header to TCP/UDP, through the
 * tunnels and encapsulations real captures carry. One table (encaps[]) says which
 * decoder reads the header a given ethertype, IP protocol or UDP port names; each
 * decoder reads its header through the bounded reader, records it as a layer
 * (pk->layer[], shown by `packet N`) and names what follows (decode_next()), so adding
 * an encapsulation is one decoder and one table entry. The innermost IP header and its
 * TCP/UDP are the packet's: connections are numbered by the inner 4-tuple, as
 * Wireshark's tcp.stream (outer addresses do not split streams).
 *
 * References: VXLAN RFC 7348; Geneve RFC 8926; GRE RFC 2784 and RFC 2890 (key,
 * sequence), RFC 2637 (PPTP's enhanced GRE); ERSPAN draft-foschiano-erspan (types II and
 * III); MPLS RFC 3032, RFC 4385 (pseudowire control word), RFC 4448 (Ethernet
 * pseudowire); PPPoE RFC 2516; PPP RFC 1661, RFC 1662; IP in IP RFC 2003, IPv6 in IPv4
 * RFC 4213, IP in IPv6 RFC 2473; GTP-U 3GPP TS 29.281 section 5. */
#include "decode_int.h"

#include <stdio.h>
#include <string.h>

/* Labels one MPLS stack may hold before we give up: real stacks have 1 to 4 (VPN,
 * transport, entropy label pairs); a longer one is crafted. Past it the packet is
 * counted as "MPLS (more than 16 labels)". */
#define MPLS_LABELS_MAX 16
/* GTP-U extension headers one packet may chain (TS 29.281 5.2): real packets carry one
 * or two (PDU session container, UDP port); past 16 the packet is counted as "GTP-U
 * (more than 16 extension headers)". */
#define GTPU_EXT_MAX 16

enum { ETH_TEB = 0x6558, ETH_MPLS = 0x8847, ETH_MPLS_MC = 0x8848, ETH_PPPOE_DISC = 0x8863, ETH_PPPOE = 0x8864,
       ETH_PPP = 0x880b, ETH_ERSPAN2 = 0x88be, ETH_ERSPAN3 = 0x22eb };

struct pkt_layer *decode_push(struct pkt *pk, uint8_t kind, size_t off)
{
	if (pk->n_layer >= PKT_LAYER_MAX) {
		pk->layer_overflow = 1;
		pk->limit_hit = 1;
		return NULL;
	}
	struct pkt_layer *L = &pk->layer[pk->n_layer++];
	memset(L, 0, sizeof *L);
	L->kind = kind;
	L->off = off > UINT32_MAX ? UINT32_MAX : (uint32_t)off;
	return L;
}

void decode_next(struct dctx *cx, uint8_t ns, uint16_t type, size_t off, size_t have, size_t claim)
{
	if (claim == RD_NO_CLAIM || claim < have)
		claim = have;
	cx->ns = ns;
	cx->type = type;
	cx->r = rd_make_claimed(cx->base, off + have, off + claim);
	cx->r.off = off;
}

/* A header (what) that is not all here: cut by the snap length, or longer than what
 * its container claims (malformed). The packet is counted as `name`. */
static int encap_short(struct pkt *pk, const struct rd *r, const char *name, const char *what, size_t at)
{
	pk->kind = PK_BAD;
	pk->other = name;
	if (r->status == RD_BAD)
		decode_bad(pk, at, "%s runs past the end of what carries it", what);
	else
		decode_cut(pk, what);
	return -1;
}

/* A UDP-carried tunnel whose header is not all here: the packet stays the outer UDP
 * datagram it is (the chain drops the IP and UDP layers it pushed). */
static int udp_tunnel_short(struct pkt *pk, const struct rd *r, const char *what, size_t at)
{
	if (r->status == RD_BAD)
		decode_bad(pk, at, "%s runs past the end of its UDP datagram", what);
	else
		decode_cut(pk, what);
	return -2;
}

static int stop(struct pkt *pk, const char *what)
{
	pk->kind = PK_OTHER;
	pk->other = what;
	return -1;
}

/* A named limit stops the decoding: what names it. */
static int stop_limit(struct pkt *pk, const char *what)
{
	pk->limit_hit = 1;
	return stop(pk, what);
}

static void next_here(struct dctx *cx, uint8_t ns, uint16_t type, const struct rd *r)
{
	decode_next(cx, ns, type, r->off, rd_left(r), rd_claim_left(r));
}

/* ---------------------------------------------------------------- IP in anything */

static int dec_ipv4(struct pkt *pk, struct rd *r, struct dctx *cx) { return decode_ipv4(pk, r, cx); }
static int dec_ipv6(struct pkt *pk, struct rd *r, struct dctx *cx) { return decode_ipv6(pk, r, cx); }

/* ---------------------------------------------------------------- Ethernet in a tunnel */

static int dec_teb(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	uint16_t type;
	if (decode_ether(pk, r, &type, 1) < 0)
		return -1;
	next_here(cx, NX_ETHERTYPE, type, r);
	return 1;
}

/* ---------------------------------------------------------------- VXLAN (RFC 7348 5) */

/* flags (I bit 0x08: the VNI is valid), 24 reserved bits, VNI (24 bits), 8 reserved;
 * an Ethernet frame follows. */
static int dec_vxlan(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	uint32_t w0 = rd_be32(r);
	uint32_t w1 = rd_be32(r);
	if (!rd_ok(r))
		return udp_tunnel_short(pk, r, "VXLAN header", at);
	struct pkt_layer *L = decode_push(pk, PL_VXLAN, at);
	if (!L)
		return -1;
	L->v[0] = w1 >> 8;
	L->v[1] = w0 >> 24;
	L->proto = ETH_TEB;
	next_here(cx, NX_ETHERTYPE, ETH_TEB, r);
	return 1;
}

/* ---------------------------------------------------------------- Geneve (RFC 8926 3.4) */

/* version (2 bits, 0), options length (6 bits, in 4-byte words), O, C, 6 reserved
 * bits, protocol type (an ethertype), VNI (24 bits), 8 reserved; then the options. */
static int dec_geneve(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	uint8_t b0 = rd_u8(r);
	uint8_t b1 = rd_u8(r);
	uint16_t proto = rd_be16(r);
	uint32_t w = rd_be32(r);
	if (!rd_ok(r))
		return udp_tunnel_short(pk, r, "Geneve header", at);
	if (b0 >> 6 != 0)
		return -2; /* a version we do not know: Wireshark stops there too; the UDP is shown */
	unsigned optlen = (b0 & 0x3fu) * 4u;
	rd_skip(r, optlen);
	if (!rd_ok(r))
		return udp_tunnel_short(pk, r, "Geneve options", at);
	struct pkt_layer *L = decode_push(pk, PL_GENEVE, at);
	if (!L)
		return -1;
	L->proto = proto;
	L->v[0] = w >> 8;
	L->v[1] = optlen;
	L->v[2] = b1 >> 6;
	next_here(cx, NX_ETHERTYPE, proto, r);
	return 1;
}

/* ---------------------------------------------------------------- GTP-U (TS 29.281 5) */

/* flags (version 3 bits = 1, PT, spare, E, S, PN), message type, length (bytes after
 * the first 8), TEID; when E, S or PN is set, sequence (16), N-PDU number (8) and next
 * extension header type (8); each extension header is a length (in 4-byte units,
 * counting itself), contents, and the next type in its last byte. A G-PDU (type 255)
 * carries an IP packet (its version nibble says which). */
static int dec_gtpu(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	uint8_t flags = rd_u8(r);
	uint8_t type = rd_u8(r);
	uint16_t len = rd_be16(r);
	uint32_t teid = rd_be32(r);
	if (!rd_ok(r))
		return udp_tunnel_short(pk, r, "GTP-U header", at);
	if (flags >> 5 != 1 || !(flags & 0x10))
		return -2; /* GTP' or another version: not GTP-U */
	struct rd m = rd_sub(r, len); /* what the length says follows the first 8 bytes */
	if (r->status == RD_BAD) {
		decode_bad(pk, at, "GTP-U length %u runs past the end of its UDP datagram", len);
		return -2;
	}
	struct pkt_layer *L = decode_push(pk, PL_GTPU, at);
	if (!L)
		return -1;
	L->v[0] = teid;
	L->v[1] = type;
	if (flags & 0x07) {
		uint16_t seq = rd_be16(&m);
		rd_skip(&m, 1); /* N-PDU number */
		uint8_t next = rd_u8(&m);
		if (flags & 0x02)
			L->v[2] = seq + 1u;
		while ((flags & 0x04) && next && rd_ok(&m)) {
			if (L->n >= GTPU_EXT_MAX)
				return stop_limit(pk, "GTP-U (more than 16 extension headers)");
			size_t eat = m.off;
			uint8_t units = rd_u8(&m);
			if (rd_ok(&m) && units == 0) {
				pk->kind = PK_BAD;
				pk->other = "GTP-U";
				decode_bad(pk, at + 8 + eat, "GTP-U extension header length 0");
				return -1;
			}
			rd_skip(&m, units * 4u - 2u);
			next = rd_u8(&m);
			L->n++;
		}
	}
	if (!rd_ok(&m))
		return encap_short(pk, &m, "GTP-U", "GTP-U extension header", at);
	if (type != 255)
		return stop(pk, "GTP-U signalling");
	int v = rd_peek(&m, 0);
	if (v < 0) {
		if (rd_claim_left(&m) == 0)
			return stop(pk, "GTP-U (empty)");
		return encap_short(pk, (rd_need(&m, 1), &m), "GTP-U", "GTP-U payload", at);
	}
	uint16_t et = v >> 4 == 4 ? ETH_IPV4 : v >> 4 == 6 ? ETH_IPV6 : 0;
	if (!et)
		return stop(pk, "GTP-U (payload not IP)");
	L->proto = et;
	/* m is a sub-reader: its offsets count from the byte after the 8-byte header. */
	decode_next(cx, NX_ETHERTYPE, et, at + 8 + m.off, rd_left(&m), rd_claim_left(&m));
	return 1;
}

/* ---------------------------------------------------------------- GRE (RFC 2784, 2890, 2637) */

/* C (checksum present), R (routing, RFC 1701), K (key), S (sequence), 4 more bits (s,
 * recursion), A (PPTP: acknowledgment present), 4 flag bits, version (3 bits), then the
 * protocol type (an ethertype). Optional fields follow in order: checksum + reserved (C
 * or R), key (K; for PPTP, version 1: payload length and call ID), sequence (S),
 * acknowledgment (A, version 1). */
static int dec_gre(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	uint16_t fl = rd_be16(r);
	uint16_t proto = rd_be16(r);
	if (!rd_ok(r))
		return encap_short(pk, r, "GRE", "GRE header", at);
	unsigned ver = fl & 7u;
	if (ver > 1)
		return stop(pk, "GRE (unknown version)");
	if (fl & 0x4000)
		return stop(pk, "GRE with source routing (RFC 1701)");
	struct pkt_layer *L = decode_push(pk, PL_GRE, at);
	if (!L)
		return -1;
	L->v[0] = fl;
	L->proto = proto;
	if (fl & 0x8000) {
		L->v[3] = rd_be16(r);
		rd_skip(r, 2);
	}
	uint16_t pptp_len = 0;
	if (fl & 0x2000) {
		L->v[1] = rd_be32(r);
		pptp_len = (uint16_t)(L->v[1] >> 16);
	}
	if (fl & 0x1000)
		L->v[2] = rd_be32(r);
	if (ver == 1 && (fl & 0x0080))
		L->v[3] = rd_be32(r); /* version 1 has no checksum: v[3] holds the acknowledgment */
	if (!rd_ok(r))
		return encap_short(pk, r, "GRE", "GRE header", at);
	if (ver == 1) {
		/* PPTP: the payload length says how much PPP follows (0: an acknowledgment only). */
		if (!(fl & 0x2000) || pptp_len == 0)
			return stop(pk, "GRE (PPTP acknowledgment)");
		size_t poff = r->off;
		struct rd p = rd_sub(r, pptp_len);
		if (r->status == RD_BAD) {
			pk->kind = PK_BAD;
			pk->other = "GRE";
			decode_bad(pk, at, "PPTP GRE payload length %u runs past the end of its IP datagram", pptp_len);
			return -1;
		}
		decode_next(cx, NX_ETHERTYPE, proto, poff, rd_left(&p), rd_claim_left(&p));
		return 1;
	}
	if (proto == ETH_ERSPAN2 && !(fl & 0x1000)) {
		/* ERSPAN type I: no header, the mirrored Ethernet frame follows at once. */
		next_here(cx, NX_ETHERTYPE, ETH_TEB, r);
		struct pkt_layer *E = decode_push(pk, PL_ERSPAN, r->off);
		if (!E)
			return -1;
		E->n = 1;
		E->proto = ETH_TEB;
		return 1;
	}
	next_here(cx, NX_ETHERTYPE, proto, r);
	return 1;
}

/* ERSPAN type II (GRE protocol 0x88be, 8 bytes): version (4, = 1), VLAN (12), COS (3),
 * encapsulation type (2), truncated (1), session ID (10); reserved (12), index (20).
 * Type III (0x22eb, 12 bytes): version (= 2), VLAN, COS, BSO (2), T, session ID;
 * timestamp (32); SGT (16), P, frame type (5: 0 Ethernet), hardware ID (6), D, gra (2),
 * O (an 8-byte platform subheader follows). */
static int dec_erspan(struct pkt *pk, struct rd *r, struct dctx *cx, int type3)
{
	size_t at = r->off;
	uint32_t w0 = rd_be32(r);
	uint32_t w1 = rd_be32(r);
	uint32_t w2 = type3 ? rd_be32(r) : 0;
	if (type3 && (w2 & 1))
		rd_skip(r, 8);
	if (!rd_ok(r))
		return encap_short(pk, r, "ERSPAN", type3 ? "ERSPAN type III header" : "ERSPAN type II header", at);
	struct pkt_layer *L = decode_push(pk, PL_ERSPAN, at);
	if (!L)
		return -1;
	L->n = type3 ? 3 : 2;
	L->v[0] = w0 & 0x3ff;
	L->v[1] = (w0 >> 16) & 0xfff;
	L->v[2] = type3 ? w1 : w1 & 0xfffff;
	L->v[3] = type3 ? (w2 >> 4) & 0x3f : 0;
	if (type3 && ((w2 >> 10) & 0x1f) != 0)
		return stop(pk, "ERSPAN type III (not an Ethernet frame)");
	L->proto = ETH_TEB;
	next_here(cx, NX_ETHERTYPE, ETH_TEB, r);
	return 1;
}

static int dec_erspan2(struct pkt *pk, struct rd *r, struct dctx *cx) { return dec_erspan(pk, r, cx, 0); }
static int dec_erspan3(struct pkt *pk, struct rd *r, struct dctx *cx) { return dec_erspan(pk, r, cx, 1); }

/* ---------------------------------------------------------------- MPLS (RFC 3032 2.1) */

/* Label stack entries of 4 bytes: label (20 bits), traffic class (3), bottom of stack
 * (1), TTL (8), until the one with the bottom bit. The stack does not say what
 * follows; as Wireshark does by default, the first nibble does: 4 IPv4, 6 IPv6, 0 the
 * pseudowire control word (RFC 4385) of an Ethernet pseudowire (RFC 4448). */
static int dec_mpls(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	struct pkt_layer *L = decode_push(pk, PL_MPLS, at);
	if (!L)
		return -1;
	for (;;) {
		if (L->n >= MPLS_LABELS_MAX)
			return stop_limit(pk, "MPLS (more than 16 labels)");
		uint32_t e = rd_be32(r);
		if (!rd_ok(r))
			return encap_short(pk, r, "MPLS", "MPLS label stack", at);
		if (L->n < 4)
			L->v[L->n] = e;
		L->n++;
		if (e & 0x100)
			break;
	}
	int b = rd_peek(r, 0);
	if (b < 0) {
		if (rd_claim_left(r) == 0)
			return stop(pk, "MPLS (no payload)");
		rd_need(r, 1);
		return encap_short(pk, r, "MPLS", "MPLS payload", at);
	}
	switch (b >> 4) {
	case 4: L->proto = ETH_IPV4; break;
	case 6: L->proto = ETH_IPV6; break;
	case 0:
		rd_skip(r, 4); /* the control word: flags, length, sequence */
		if (!rd_ok(r))
			return encap_short(pk, r, "MPLS", "MPLS pseudowire control word", at);
		L->proto = ETH_TEB;
		break;
	default:
		return stop(pk, "MPLS (payload not IP)");
	}
	next_here(cx, NX_ETHERTYPE, L->proto, r);
	return 1;
}

/* ---------------------------------------------------------------- PPP and PPPoE */

/* PPP protocol numbers (RFC 1661, IANA "PPP DLL Protocol Numbers") we go on with, by
 * the ethertype of the same thing; and names for those we stop at. */
static const struct { uint16_t ppp, eth; const char *name; } ppp_protos[] = {
	{ 0x0021, ETH_IPV4, "IPv4" },
	{ 0x0057, ETH_IPV6, "IPv6" },
	{ 0x0281, ETH_MPLS, "MPLS" },
	{ 0x0283, ETH_MPLS_MC, "MPLS multicast" },
	{ 0x00fd, 0, "PPP compressed datagram" },
	{ 0x80fd, 0, "PPP CCP" },
	{ 0x8021, 0, "PPP IPCP" },
	{ 0x8057, 0, "PPP IPV6CP" },
	{ 0xc021, 0, "PPP LCP" },
	{ 0xc023, 0, "PPP PAP" },
	{ 0xc223, 0, "PPP CHAP" },
	{ 0, 0, NULL },
};

/* The PPP protocol field at r (RFC 1661 2: one byte when its low bit is set, protocol
 * field compression; else two), then what it carries: fills L and the next header. */
static int ppp_protocol(struct pkt *pk, struct rd *r, struct dctx *cx, struct pkt_layer *L, size_t at)
{
	int b = rd_peek(r, 0);
	uint16_t proto = (b >= 0 && (b & 1)) ? rd_u8(r) : rd_be16(r);
	if (!rd_ok(r))
		return encap_short(pk, r, "PPP", "PPP header", at);
	L->proto = proto;
	for (int i = 0; ppp_protos[i].name; i++) {
		if (ppp_protos[i].ppp != proto)
			continue;
		if (!ppp_protos[i].eth)
			return stop(pk, ppp_protos[i].name);
		if (cx)
			next_here(cx, NX_ETHERTYPE, ppp_protos[i].eth, r);
		pk->ethertype = pk->ethertype ? pk->ethertype : ppp_protos[i].eth;
		return 1;
	}
	return stop(pk, "PPP (other protocol)");
}

enum ppp_framing { PPP_BARE = 0, PPP_HDLC = 1, PPP_CISCO_HDLC = 2 };

/* PPP as GRE (PPTP) or a link carries it: address 0xff and control 0x03 (RFC 1662
 * HDLC-like framing) when present, then the protocol. */
static int dec_ppp(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	struct pkt_layer *L = decode_push(pk, PL_PPP, at);
	if (!L)
		return -1;
	if (rd_peek(r, 0) == 0xff && rd_peek(r, 1) == 0x03) {
		rd_skip(r, 2);
		L->v[0] = PPP_HDLC;
		L->v[1] = 0xff;
	}
	return ppp_protocol(pk, r, cx, L, at);
}

/* The link types PPP (9) and PPP_HDLC (50): PPP with or without HDLC-like framing, or
 * Cisco HDLC (address 0x0f or 0x8f, control 0, an ethertype). Sets pk->ethertype. */
int decode_ppp_link(struct pkt *pk, struct rd *r, int hdlc)
{
	int a = rd_peek(r, 0);
	if (hdlc && (a == 0x0f || a == 0x8f)) {
		struct pkt_layer *L = decode_push(pk, PL_PPP, 0);
		if (!L)
			return -1;
		L->v[0] = PPP_CISCO_HDLC;
		L->v[1] = (uint32_t)a;
		rd_skip(r, 2);
		uint16_t et = rd_be16(r);
		if (!rd_ok(r)) {
			pk->other = "Cisco HDLC";
			if (r->status == RD_BAD)
				decode_bad(pk, 0, "Cisco HDLC header runs past the end of the %zu-byte frame", r->claim);
			else
				decode_cut(pk, "Cisco HDLC header");
			return -1;
		}
		L->proto = et;
		pk->ethertype = et;
		return 0;
	}
	return dec_ppp(pk, r, NULL) < 0 ? -1 : 0;
}

/* PPPoE session stage (RFC 2516 4): version and type (4 bits each, 1 and 1), code (0),
 * session ID, length (of the PPP payload, protocol field included), then PPP. */
static int dec_pppoe(struct pkt *pk, struct rd *r, struct dctx *cx)
{
	size_t at = r->off;
	uint8_t vt = rd_u8(r);
	uint8_t code = rd_u8(r);
	uint16_t sid = rd_be16(r);
	uint16_t len = rd_be16(r);
	if (!rd_ok(r))
		return encap_short(pk, r, "PPPoE", "PPPoE header", at);
	if (vt != 0x11 || code != 0)
		return stop(pk, "PPPoE (not a session packet)");
	struct pkt_layer *L = decode_push(pk, PL_PPPOE, at);
	if (!L)
		return -1;
	L->v[0] = sid;
	L->v[1] = len;
	size_t start = r->off;
	struct rd p = rd_sub(r, len);
	if (r->status == RD_BAD) {
		pk->kind = PK_BAD;
		pk->other = "PPPoE";
		decode_bad(pk, at, "PPPoE length %u runs past the end of the frame", len);
		return -1;
	}
	struct pkt_layer *P = decode_push(pk, PL_PPP, start);
	if (!P)
		return -1;
	/* p's offsets count from the PPP header: read the protocol there, go on in the frame. */
	int b = rd_peek(&p, 0);
	size_t plen = (b >= 0 && (b & 1)) ? 1 : 2;
	int rc = ppp_protocol(pk, &p, NULL, P, start);
	if (rc != 1)
		return rc;
	uint16_t et = 0;
	for (int i = 0; ppp_protos[i].name; i++)
		if (ppp_protos[i].ppp == P->proto)
			et = ppp_protos[i].eth;
	L->proto = et;
	decode_next(cx, NX_ETHERTYPE, et, start + plen, rd_left(&p), rd_claim_left(&p));
	return 1;
}

/* ---------------------------------------------------------------- the table */

struct encap {
	uint8_t ns;         /* enum nx_space */
	uint16_t type;      /* ethertype, IP protocol, UDP port */
	/* Reads the header at r: 1 when decode_next() names what follows, 0 at TCP/UDP,
	 * -1 when the packet ends here (pk->kind, pk->other say why), -2 (UDP tunnels) when
	 * the header is not what the port says: the packet is the UDP datagram. */
	int (*decode)(struct pkt *pk, struct rd *r, struct dctx *cx);
};

static const struct encap encaps[] = {
	{ NX_ETHERTYPE, ETH_IPV4, dec_ipv4 },
	{ NX_ETHERTYPE, ETH_IPV6, dec_ipv6 },
	{ NX_ETHERTYPE, ETH_TEB, dec_teb },        /* transparent Ethernet bridging: GRE (gretap), Geneve */
	{ NX_ETHERTYPE, ETH_MPLS, dec_mpls },
	{ NX_ETHERTYPE, ETH_MPLS_MC, dec_mpls },
	{ NX_ETHERTYPE, ETH_PPPOE, dec_pppoe },
	{ NX_ETHERTYPE, ETH_PPP, dec_ppp },        /* PPTP's GRE */
	{ NX_ETHERTYPE, ETH_ERSPAN2, dec_erspan2 },
	{ NX_ETHERTYPE, ETH_ERSPAN3, dec_erspan3 },
	{ NX_IPPROTO, 4, dec_ipv4 },               /* IP in IP */
	{ NX_IPPROTO, 41, dec_ipv6 },              /* IPv6 in IP (6in4, sit; ip6tnl) */
	{ NX_IPPROTO, 47, dec_gre },
	{ NX_IPPROTO, 137, dec_mpls },             /* MPLS in IP (RFC 4023) */
	{ NX_UDPPORT, 4789, dec_vxlan },
	{ NX_UDPPORT, 6081, dec_geneve },
	{ NX_UDPPORT, 2152, dec_gtpu },
};

static const struct encap *encap_find(uint8_t ns, uint16_t type)
{
	for (size_t i = 0; i < sizeof encaps / sizeof encaps[0]; i++)
		if (encaps[i].ns == ns && encaps[i].type == type)
			return &encaps[i];
	return NULL;
}

int decode_has(uint8_t ns, uint16_t type) { return encap_find(ns, type) != NULL; }

/* What an ethertype we do not decode is, for the "other" counts. */
static const char *ethertype_name(uint16_t type)
{
	switch (type) {
	case ETH_ARP: return "ARP";
	case ETH_PPPOE_DISC: return "PPPoE discovery";
	case 0x88cc: return "LLDP";
	case 0x8035: return "RARP";
	case 0x88e5: return "MACsec";
	case 0x888e: return "EAPOL";
	default: return "other ethertype";
	}
}

/* The packet is the innermost UDP datagram that carries a tunnel after all: the tunnel
 * is not what its port says (nothing of it was kept), or what it carries is not TCP or
 * UDP (its layers stay, as the datagram's content: pk->n_inside). The datagram's IP and
 * UDP headers are the packet's own again, so they leave the list of layers. */
static int back_to_carrier(struct pkt *pk, const struct udp_carrier *u)
{
	unsigned ip = u->n_layer; /* where the carrier's IP layer is; its UDP layer follows */
	if (!u->set || pk->n_layer < ip + 2u || pk->layer[ip + 1].kind != PL_UDP)
		return pk->kind;
	unsigned rest = pk->n_layer - (ip + 2u);
	memmove(&pk->layer[ip], &pk->layer[ip + 2], rest * sizeof pk->layer[0]);
	pk->n_layer = (uint8_t)(ip + rest);
	pk->n_inside = (uint8_t)rest;
	pk->kind = PK_UDP;
	pk->ipver = u->ipver;
	pk->ipproto = u->ipproto;
	pk->ttl = u->ttl;
	pk->tos = u->tos;
	pk->reassembled = u->reassembled;
	pk->ip_id = u->ip_id;
	pk->sport = u->sport;
	pk->dport = u->dport;
	pk->l3_off = u->l3_off;
	pk->l4_off = u->l4_off;
	pk->src = u->src;
	pk->dst = u->dst;
	pk->l4 = u->l4;
	pk->payload = u->payload;
	pk->l4_caplen = u->l4_caplen;
	pk->len = u->len;
	pk->caplen = u->caplen;
	return pk->kind;
}

int decode_chain(struct pkt *pk, struct dctx *cx)
{
	for (;;) {
		const struct encap *e = encap_find(cx->ns, cx->type);
		if (!e) {
			pk->kind = PK_OTHER;
			pk->other = ethertype_name(cx->type);
			return back_to_carrier(pk, &cx->carrier);
		}
		struct rd r = cx->r;
		cx->ns = NX_END;
		int rc = e->decode(pk, &r, cx);
		if (rc == 1 && !pk->layer_overflow)
			continue;
		if (pk->layer_overflow) {
			/* Counted as what it is, whatever carries it: the limit shows in the counts. */
			pk->kind = PK_OTHER;
			pk->other = "tunnels nested more than 12 headers deep";
		} else if (rc == -2 || (pk->kind == PK_OTHER && !pk->limit_hit)) {
			/* -2: not the tunnel its port says (only UDP tunnels return it). */
			pk->kind = PK_OTHER;
			return back_to_carrier(pk, &cx->carrier);
		}
		return pk->kind;
	}
}

/* ---------------------------------------------------------------- words */

static void mac_str(char *b, size_t n, const uint8_t *m)
{
	snprintf(b, n, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *ip_proto_word(uint16_t p)
{
	switch (p) {
	case 4: return " (IPv4)";
	case 17: return " (UDP)";
	case 41: return " (IPv6)";
	case 47: return " (GRE)";
	case 137: return " (MPLS)";
	default: return "";
	}
}

void pkt_layer_describe(const struct pkt_layer *L, char *buf, size_t n)
{
	char s[64], d[64], x[24];
	struct ipaddr a, b;
	buf[0] = 0;
	switch (L->kind) {
	case PL_IPV4:
	case PL_IPV6:
		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.family = b.family = L->kind == PL_IPV4 ? 4 : 6;
		memcpy(a.a, L->a, 16);
		memcpy(b.a, L->a + 16, 16);
		snprintf(buf, n, "%s (outer): %s -> %s, protocol %u%s, %s %u", L->kind == PL_IPV4 ? "IPv4" : "IPv6",
			 ipaddr_str(&a, s, sizeof s), ipaddr_str(&b, d, sizeof d), L->proto, ip_proto_word(L->proto),
			 L->kind == PL_IPV4 ? "TTL" : "hop limit", L->v[0]);
		break;
	case PL_UDP:
		snprintf(buf, n, "UDP (outer): port %u -> %u, length %u", L->v[0], L->v[1], L->v[2]);
		break;
	case PL_ETHERNET:
		mac_str(s, sizeof s, L->a + 6);
		mac_str(d, sizeof d, L->a);
		if (L->v[0])
			snprintf(x, sizeof x, ", VLAN %u", L->v[0] - 1);
		else
			x[0] = 0;
		snprintf(buf, n, "Ethernet (inner): %s -> %s%s, ethertype 0x%04x", s, d, x, L->proto);
		break;
	case PL_VXLAN:
		snprintf(buf, n, "VXLAN: VNI %u, flags 0x%02x", L->v[0], L->v[1]);
		break;
	case PL_GENEVE:
		snprintf(buf, n, "Geneve: VNI %u, protocol 0x%04x, options %u bytes%s%s", L->v[0], L->proto, L->v[1],
			 (L->v[2] & 2) ? ", OAM" : "", (L->v[2] & 1) ? ", critical options" : "");
		break;
	case PL_GRE: {
		int len = 0;
		if ((L->v[0] & 7) == 1) {
			len = snprintf(buf, n, "GRE (PPTP, version 1): protocol 0x%04x, call ID %u, payload length %u",
				       L->proto, L->v[1] & 0xffff, L->v[1] >> 16);
			if (len >= 0 && (size_t)len < n && (L->v[0] & 0x0080))
				len += snprintf(buf + len, n - (size_t)len, ", acknowledgment %u", L->v[3]);
		} else {
			len = snprintf(buf, n, "GRE: protocol 0x%04x", L->proto);
			if (len >= 0 && (size_t)len < n && (L->v[0] & 0x2000))
				len += snprintf(buf + len, n - (size_t)len, ", key %u (0x%08x)", L->v[1], L->v[1]);
		}
		if (len >= 0 && (size_t)len < n && (L->v[0] & 0x1000))
			len += snprintf(buf + len, n - (size_t)len, ", sequence %u", L->v[2]);
		if (len >= 0 && (size_t)len < n && (L->v[0] & 0x8000) && (L->v[0] & 7) == 0)
			snprintf(buf + len, n - (size_t)len, ", checksum 0x%04x", L->v[3]);
		break;
	}
	case PL_ERSPAN:
		if (L->n == 1)
			snprintf(buf, n, "ERSPAN type I (no header)");
		else if (L->n == 2)
			snprintf(buf, n, "ERSPAN type II: session %u, VLAN %u, index %u", L->v[0], L->v[1], L->v[2]);
		else
			snprintf(buf, n, "ERSPAN type III: session %u, VLAN %u, hardware ID %u, timestamp %u", L->v[0],
				 L->v[1], L->v[3], L->v[2]);
		break;
	case PL_MPLS: {
		int len = snprintf(buf, n, "MPLS: %u label%s", L->n, L->n == 1 ? "" : "s");
		for (unsigned i = 0; i < L->n && i < 4 && len >= 0 && (size_t)len < n; i++)
			len += snprintf(buf + len, n - (size_t)len, "%s %u (TC %u, TTL %u%s)", i ? "," : ":", L->v[i] >> 12,
					(L->v[i] >> 9) & 7, L->v[i] & 0xff, (L->v[i] & 0x100) ? ", bottom" : "");
		if (L->n > 4 && len >= 0 && (size_t)len < n)
			len += snprintf(buf + len, n - (size_t)len, ", ...");
		if (len >= 0 && (size_t)len < n)
			snprintf(buf + len, n - (size_t)len, "%s",
				 L->proto == ETH_IPV4 ? "; IPv4 follows" : L->proto == ETH_IPV6 ? "; IPv6 follows"
				 : L->proto == ETH_TEB ? "; Ethernet pseudowire (control word) follows" : "");
		break;
	}
	case PL_PPPOE:
		snprintf(buf, n, "PPPoE session: session ID 0x%04x, length %u", L->v[0], L->v[1]);
		break;
	case PL_PPP:
		if (L->v[0] == PPP_CISCO_HDLC)
			snprintf(buf, n, "Cisco HDLC: address 0x%02x, protocol 0x%04x", L->v[1], L->proto);
		else
			snprintf(buf, n, "PPP%s: protocol 0x%04x", L->v[0] == PPP_HDLC ? " (HDLC-like framing)" : "", L->proto);
		break;
	case PL_GTPU:
		if (L->v[2])
			snprintf(x, sizeof x, ", sequence %u", L->v[2] - 1);
		else
			x[0] = 0;
		snprintf(buf, n, "GTP-U: TEID 0x%08x, message type %u%s%s, %u extension header%s", L->v[0], L->v[1],
			 L->v[1] == 255 ? " (G-PDU)" : "", x, L->n, L->n == 1 ? "" : "s");
		break;
	case PL_RADIOTAP:
		if (L->v[1])
			snprintf(x, sizeof x, ", flags 0x%02x", L->v[1] - 1);
		else
			x[0] = 0;
		snprintf(buf, n, "Radiotap: %u bytes%s%s", L->v[0], x, (L->v[1] && ((L->v[1] - 1) & 0x10)) ? " (FCS at the end)" : "");
		break;
	case PL_80211: {
		char bs[24];
		mac_str(bs, sizeof bs, L->a);
		mac_str(s, sizeof s, L->a + 6);
		mac_str(d, sizeof d, L->a + 12);
		unsigned ds = (L->v[0] >> 8) & 3;
		static const char *const dsw[4] = { "no DS bits", "to DS", "from DS", "WDS" }; /* WDS: to and from DS, four addresses */
		if (L->v[1])
			snprintf(x, sizeof x, ", QoS TID %u", (L->v[1] - 1) & 15);
		else
			x[0] = 0;
		/* source and destination first: the BSSID goes to the next line at 80 columns */
		if (ds == 3)
			snprintf(buf, n, "802.11 data (%s%s): %s -> %s", dsw[ds], x, s, d);
		else
			snprintf(buf, n, "802.11 data (%s%s): %s -> %s, BSSID %s", dsw[ds], x, s, d, bs);
		break;
	}
	default:
		snprintf(buf, n, "layer %u", L->kind);
		break;
	}
}
