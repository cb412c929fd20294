/* ip.c: IPv4 (RFC 791: header, options walked by their lengths) and IPv6 (RFC 8200:
 * extension headers walked to the transport header, hop-by-hop and destination
 * options by their lengths), with fragments handed to ipfrag.c.
 *
 * The datagram is read through a sub-reader that claims the IP length field (IPv4
 * total length, IPv6 40 + payload length) and holds what was captured of it, so a
 * header cut by the snap length (truncated) is told apart from a length field that
 * its own packet contradicts (malformed); bytes past the claim (Ethernet padding) are
 * not part of the datagram. See tests/unit/test_decode.c for each case. */
#include "decode_int.h"

#include <string.h>

/* Extension headers one IPv6 packet may chain before we give up: real packets carry
 * a few; a longer chain is crafted to make us loop. */
#define IPV6_MAX_EXT 16

/* The fixed part of an IP header (what) that is not all here: cut by the snap length,
 * or the frame ends inside it. */
static int ip_short(struct pkt *pk, const struct rd *f, const char *name, const char *what, size_t start)
{
	pk->kind = PK_BAD;
	pk->other = name;
	if (f->status == RD_BAD)
		decode_bad(pk, start, "%s runs past the end of the %zu-byte frame", what, f->claim);
	else
		decode_cut(pk, what);
	return -1;
}

/* Offers a fragment of pk's datagram (t: its transport bytes) to the reassembly table;
 * when it completes the datagram, decodes its transport header from the rebuilt bytes.
 * A fragment not all captured is not offered (the rebuilt datagram would have a hole). */
static int fragment(struct pkt *pk, struct dctx *cx, uint32_t id, uint8_t proto, uint32_t off, int more,
		    struct rd *t)
{
	size_t n = rd_left(t);
	struct ipfrag *frag = cx->frag;
	if (!frag || n < rd_claim_left(t) || n > UINT32_MAX) {
		pk->kind = PK_FRAGMENT;
		return -1;
	}
	struct frag_key k;
	memset(&k, 0, sizeof k);
	k.src = pk->src;
	k.dst = pk->dst;
	k.id = id;
	k.proto = proto;
	const uint8_t *whole;
	uint32_t whole_len;
	if (ipfrag_add(frag, &k, pk->frame, off, more, rd_bytes(t, n), (uint32_t)n, &whole, &whole_len) != 1) {
		pk->kind = PK_FRAGMENT;
		return -1;
	}
	pk->reassembled = 1;
	/* A tunnel inside goes on in the rebuilt bytes, which live until the next
	 * ipfrag_add(): no fragment inside them is offered. */
	cx->base = whole;
	cx->frag = NULL;
	/* All of it is here: a header that does not fit contradicts the fragments' lengths. */
	struct rd w = rd_make_claimed(whole, whole_len, whole_len);
	struct l3_claim l3 = { NULL, whole_len, 0, 0, 0, 0 };
	return decode_transport(pk, &w, &l3, cx);
}

/* Walks IPv4 options (RFC 791 section 3.1: kind 0 ends the list, kind 1 is one byte,
 * every other option is kind, length (counting both), data) in o, which covers exactly
 * the options area and is all here. An option that runs past the header is malformed;
 * the header length still says where the transport header starts, so decoding goes on. */
static void ipv4_options(struct pkt *pk, struct rd *o, size_t base)
{
	while (rd_left(o) > 0) {
		size_t at = o->off;
		uint8_t kind = rd_u8(o);
		if (kind == 0)
			return;
		if (kind == 1)
			continue;
		uint8_t len = rd_u8(o);
		if (!rd_ok(o)) {
			decode_bad(pk, base + at, "IPv4 option %u has no length byte before the end of the IPv4 header", kind);
			return;
		}
		if (len < 2) {
			decode_bad(pk, base + at, "IPv4 option %u length %u is below 2", kind, len);
			return;
		}
		size_t left = rd_claim_left(o);
		rd_sub(o, len - 2u);
		if (!rd_ok(o)) {
			decode_bad(pk, base + at, "IPv4 option %u length %u runs past the end of the IPv4 header, which leaves %zu bytes for it",
				   kind, len, left + 2);
			return;
		}
	}
}

int decode_ipv4(struct pkt *pk, struct rd *f, struct dctx *cx)
{
	size_t start = f->off;
	struct rd at = *f; /* the datagram starts here */
	/* The fixed header with one bounds check (a cut one fails as a whole, as before:
	 * nothing of it is used then). */
	const uint8_t *h = rd_bytes(f, 20);
	if (!h)
		return ip_short(pk, f, "IPv4", "IPv4 header", start);
	uint8_t vihl = h[0];
	pk->tos = h[1];
	uint16_t total = (uint16_t)(h[2] << 8 | h[3]);
	uint16_t id = (uint16_t)(h[4] << 8 | h[5]);
	uint16_t fo = (uint16_t)(h[6] << 8 | h[7]);
	uint8_t ttl = h[8];
	uint8_t proto = h[9];
	const uint8_t *src = h + 12, *dst = h + 16;
	unsigned ihl = (vihl & 0x0f) * 4u;
	if ((vihl >> 4) != 4 || ihl < 20) {
		pk->kind = PK_BAD;
		pk->other = "IPv4";
		if ((vihl >> 4) != 4)
			decode_bad(pk, start, "IP version %u is not 4", vihl >> 4);
		else
			decode_bad(pk, start, "IPv4 header length %u is below 20 bytes", ihl);
		return -1;
	}
	/* The innermost IP header is the packet's (an outer one is a layer by now). */
	pk->l3_off = (uint16_t)(cx->base == pk->rec.data ? start : 0);
	pk->ipver = 4;
	pk->ttl = ttl;
	pk->ip_id = id;
	pk->ipproto = proto;
	pk->src.family = pk->dst.family = 4;
	memset(pk->src.a, 0, 16);
	memset(pk->dst.a, 0, 16);
	memcpy(pk->src.a, src, 4);
	memcpy(pk->dst.a, dst, 4);
	if (total != 0 && total < ihl) {
		pk->kind = PK_BAD;
		pk->other = "IPv4";
		decode_bad(pk, start, "IPv4 total length %u is shorter than its %u-byte header", total, ihl);
		return -1;
	}
	/* Total length 0: segmentation offload hands the capture a header with length 0;
	 * the datagram is the rest of the frame. */
	size_t frame_left = rd_claim_left(&at);
	struct rd dg = rd_sub(&at, total ? total : frame_left);
	if (at.status == RD_BAD) /* go on with what the frame has */
		decode_bad(pk, start, "IPv4 total length %u is larger than the %zu bytes the frame has from the IPv4 header on",
			   total, frame_left);
	rd_skip(&dg, 20); /* read above */
	struct rd opts = rd_sub(&dg, ihl - 20);
	if (dg.status == RD_BAD) {
		/* Only when the frame is shorter than the header (the total length was checked). */
		pk->kind = PK_BAD;
		pk->other = "IPv4";
		decode_bad(pk, start, "IPv4 header length %u runs past the end of the frame, which has %zu bytes from the IPv4 header on",
			   ihl, frame_left);
		return -1;
	}
	if (dg.status == RD_TRUNC) {
		pk->kind = PK_BAD;
		pk->other = "IPv4";
		decode_cut(pk, "IPv4 options");
		return -1;
	}
	ipv4_options(pk, &opts, start + 20);
	struct rd t = rd_sub(&dg, rd_claim_left(&dg)); /* what IPv4 carries; dg may be cut short */
	int more = (fo & 0x2000) != 0;
	uint32_t foff = (uint32_t)(fo & 0x1fff) * 8;
	if (more || foff)
		return fragment(pk, cx, id, proto, foff, more, &t);
	pk->l4_off = (uint16_t)(start + ihl);
	struct l3_claim l3 = { "IPv4 total length", total, ihl, 4, (uint32_t)start, (uint32_t)(start + ihl) };
	return decode_transport(pk, &t, &l3, cx);
}

static const char *ext_name(uint8_t nh)
{
	switch (nh) {
	case 0: return "hop-by-hop options";
	case 43: return "routing";
	case 44: return "fragment";
	case 51: return "authentication";
	case 60: return "destination options";
	case 135: return "mobility";
	case 139: return "HIP";
	case 140: return "shim6";
	default: return "extension";
	}
}

/* Walks the options of a hop-by-hop or destination options header (RFC 8200 section
 * 4.2: type 0 is one byte of padding, every other option is type, data length, data)
 * in o, which covers the header's option bytes and is all here. An option that runs
 * past its header is malformed; the header length still says where the next header
 * starts, so decoding goes on. */
static void ipv6_options(struct pkt *pk, struct rd *o, uint8_t nh, size_t base)
{
	const char *kind = nh == 0 ? "hop-by-hop" : "destination";
	while (rd_left(o) > 0) {
		size_t at = o->off;
		uint8_t type = rd_u8(o);
		if (type == 0)
			continue;
		uint8_t len = rd_u8(o);
		if (!rd_ok(o)) {
			decode_bad(pk, base + at, "IPv6 %s option %u has no length byte before the end of its header", kind, type);
			return;
		}
		size_t left = rd_claim_left(o);
		rd_sub(o, len);
		if (!rd_ok(o)) {
			decode_bad(pk, base + at, "IPv6 %s option %u length %u runs past the end of its header, which leaves %zu bytes for it",
				   kind, type, len, left);
			return;
		}
	}
}

int decode_ipv6(struct pkt *pk, struct rd *f, struct dctx *cx)
{
	size_t start = f->off;
	uint32_t vtf = rd_be32(f);
	uint16_t plen = rd_be16(f);
	uint8_t nh = rd_u8(f);
	uint8_t hlim = rd_u8(f);
	const uint8_t *src = rd_bytes(f, 16);
	const uint8_t *dst = rd_bytes(f, 16);
	if (!rd_ok(f))
		return ip_short(pk, f, "IPv6", "IPv6 header", start);
	if ((vtf >> 28) != 6) {
		pk->kind = PK_BAD;
		pk->other = "IPv6";
		decode_bad(pk, start, "IP version %u is not 6", vtf >> 28);
		return -1;
	}
	pk->l3_off = (uint16_t)(cx->base == pk->rec.data ? start : 0);
	pk->ipver = 6;
	pk->tos = (uint8_t)(vtf >> 20);
	pk->ttl = hlim;
	pk->src.family = pk->dst.family = 6;
	memcpy(pk->src.a, src, 16);
	memcpy(pk->dst.a, dst, 16);
	/* Payload length 0: a jumbogram (RFC 2675) or segmentation offload; take the
	 * frame's word for it. */
	size_t frame_left = rd_claim_left(f);
	struct rd pl = rd_sub(f, plen ? plen : frame_left);
	if (f->status == RD_BAD) /* go on with what the frame has */
		decode_bad(pk, start, "IPv6 payload length %u is larger than the %zu bytes the frame has after the IPv6 header",
			   plen, frame_left);
	const char *left_by = plen ? "the IPv6 payload length leaves" : "the frame leaves";
	size_t base = start + 40; /* frame offset of pl's byte 0 */
	int frag_seen = 0, more = 0;
	uint32_t foff = 0, fid = 0;
	for (int n = 0;; n++) {
		if (n > IPV6_MAX_EXT) {
			pk->kind = PK_BAD;
			pk->other = "IPv6";
			decode_bad(pk, base + pl.off, "more than %d IPv6 extension headers", IPV6_MAX_EXT);
			return -1;
		}
		if (!(nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60 || nh == 135 || nh == 139 || nh == 140))
			break;
		/* Every extension header starts with next header and a length byte; its size:
		 * fragment 8 bytes (RFC 8200 4.5), AH (len + 2) * 4 (RFC 4302), the others
		 * (hop-by-hop, routing, destination options, mobility, HIP, shim6) (len + 1) * 8. */
		size_t at = pl.off;
		size_t left = rd_claim_left(&pl);
		uint8_t next = rd_u8(&pl);
		uint8_t len = rd_u8(&pl);
		size_t size = nh == 44 ? 8 : nh == 51 ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
		struct rd e = rd_sub(&pl, size - 2);
		if (pl.status == RD_BAD) {
			pk->kind = PK_BAD;
			pk->other = "IPv6";
			if (nh != 44 && left >= 2)
				decode_bad(pk, base + at, "IPv6 %s header length %u (%zu bytes) runs past the %zu bytes %s for it",
					   ext_name(nh), len, size, left, left_by);
			else
				decode_bad(pk, base + at, "IPv6 %s header runs past the %zu bytes %s for it", ext_name(nh), left,
					   left_by);
			return -1;
		}
		if (pl.status == RD_TRUNC) {
			pk->kind = PK_BAD;
			pk->other = "IPv6";
			decode_cut(pk, "IPv6 extension header");
			return -1;
		}
		if (nh == 0 || nh == 60) {
			ipv6_options(pk, &e, nh, base + at + 2);
		} else if (nh == 44) {
			uint16_t offm = rd_be16(&e);
			fid = rd_be32(&e);
			foff = (uint32_t)(offm >> 3) * 8;
			more = offm & 1;
			frag_seen = 1;
		}
		nh = next;
	}
	pk->ipproto = nh;
	size_t ext = pl.off;
	struct rd t = rd_sub(&pl, rd_claim_left(&pl)); /* what IPv6 carries; pl may be cut short */
	/* An "atomic fragment" (offset 0, no more fragments) is a whole packet. */
	if (frag_seen && (more || foff))
		return fragment(pk, cx, fid, nh, foff, more, &t);
	pk->l4_off = (uint16_t)(base + ext);
	struct l3_claim l3 = { "IPv6 payload length", plen, (uint32_t)ext, 6, (uint32_t)start, (uint32_t)(base + ext) };
	return decode_transport(pk, &t, &l3, cx);
}
