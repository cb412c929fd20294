/* ip.c: IPv4 (RFC 791, options skipped by IHL) and IPv6 (RFC 8200, extension
 * headers walked to the transport header), with fragments handed to ipfrag.c. */
#include "decode_int.h"

#include <string.h>

/* Extension headers one IPv6 packet may chain before we give up: real packets carry
 * a few; a longer chain is crafted to make us loop. */
#define IPV6_MAX_EXT 16

/* Offers a fragment of pk's datagram to the reassembly table; when it completes the
 * datagram, decodes its transport header from the rebuilt bytes. */
static int fragment(struct pkt *pk, struct ipfrag *frag, uint32_t id, uint8_t proto, uint32_t off, int more,
		    const uint8_t *p, uint32_t n, int cut)
{
	if (!frag || cut) {
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
	if (ipfrag_add(frag, &k, pk->frame, off, more, p, n, &whole, &whole_len) != 1) {
		pk->kind = PK_FRAGMENT;
		return -1;
	}
	pk->reassembled = 1;
	struct rd w = rd_make(whole, whole_len);
	return decode_transport(pk, &w, whole_len);
}

int decode_ipv4(struct pkt *pk, struct rd *r, struct ipfrag *frag)
{
	size_t start = r->off;
	uint8_t vihl = rd_u8(r);
	pk->tos = rd_u8(r);
	uint16_t total = rd_be16(r);
	uint16_t id = rd_be16(r);
	uint16_t fo = rd_be16(r);
	uint8_t ttl = rd_u8(r);
	uint8_t proto = rd_u8(r);
	rd_skip(r, 2);
	const uint8_t *src = rd_bytes(r, 4);
	const uint8_t *dst = rd_bytes(r, 4);
	if (!rd_ok(r)) {
		pk->kind = PK_BAD;
		pk->truncated = 1;
		pk->other = "IPv4";
		pk->why = "IPv4 header cut by the snap length";
		return -1;
	}
	unsigned ihl = (vihl & 0x0f) * 4u;
	if ((vihl >> 4) != 4 || ihl < 20) {
		pk->kind = PK_BAD;
		pk->malformed = 1;
		pk->other = "IPv4";
		pk->why = (vihl >> 4) != 4 ? "IP version is not 4" : "IPv4 header length below 20 bytes";
		return -1;
	}
	if (!pk->ipver) {
		pk->l3_off = (uint16_t)start;
		pk->ipver = 4;
	}
	pk->ttl = ttl;
	pk->ip_id = id;
	pk->ipproto = proto;
	pk->src.family = pk->dst.family = 4;
	memset(pk->src.a, 0, 16);
	memset(pk->dst.a, 0, 16);
	memcpy(pk->src.a, src, 4);
	memcpy(pk->dst.a, dst, 4);
	rd_skip(r, ihl - 20); /* options */
	if (!rd_ok(r)) {
		pk->kind = PK_BAD;
		pk->truncated = 1;
		pk->other = "IPv4";
		pk->why = "IPv4 options cut by the snap length";
		return -1;
	}
	uint32_t claimed;
	if (total == 0) {
		/* Segmentation offload: the stack hands the capture a header with length 0. */
		claimed = (uint32_t)(pk->rec.wirelen > start + ihl ? pk->rec.wirelen - start - ihl : 0);
	} else if (total < ihl) {
		pk->kind = PK_BAD;
		pk->malformed = 1;
		pk->other = "IPv4";
		pk->why = "IPv4 total length shorter than its header";
		return -1;
	} else {
		claimed = total - ihl;
	}
	size_t avail = rd_left(r);
	if (claimed > avail && start + ihl + claimed > pk->rec.wirelen && total != 0) {
		/* The IP header claims more than the frame had on the wire: the length lies. */
		pk->malformed = 1;
		pk->why = "IPv4 total length is larger than the frame";
		claimed = (uint32_t)(pk->rec.wirelen > start + ihl ? pk->rec.wirelen - start - ihl : 0);
	}
	struct rd t = rd_sub(r, claimed < avail ? claimed : avail);
	if (claimed > avail)
		pk->truncated = 1;
	int more = (fo & 0x2000) != 0;
	uint32_t foff = (uint32_t)(fo & 0x1fff) * 8;
	if (more || foff)
		return fragment(pk, frag, id, proto, foff, more, t.p, (uint32_t)t.len, claimed > avail);
	pk->l4_off = (uint16_t)(start + ihl);
	return decode_transport(pk, &t, claimed);
}

int decode_ipv6(struct pkt *pk, struct rd *r, struct ipfrag *frag)
{
	size_t start = r->off;
	uint32_t vtf = rd_be32(r);
	uint16_t plen = rd_be16(r);
	uint8_t nh = rd_u8(r);
	uint8_t hlim = rd_u8(r);
	const uint8_t *src = rd_bytes(r, 16);
	const uint8_t *dst = rd_bytes(r, 16);
	if (!rd_ok(r)) {
		pk->kind = PK_BAD;
		pk->truncated = 1;
		pk->other = "IPv6";
		pk->why = "IPv6 header cut by the snap length";
		return -1;
	}
	if ((vtf >> 28) != 6) {
		pk->kind = PK_BAD;
		pk->malformed = 1;
		pk->other = "IPv6";
		pk->why = "IP version is not 6";
		return -1;
	}
	if (!pk->ipver) {
		pk->l3_off = (uint16_t)start;
		pk->ipver = 6;
	}
	pk->tos = (uint8_t)(vtf >> 20);
	pk->ttl = hlim;
	pk->src.family = pk->dst.family = 6;
	memcpy(pk->src.a, src, 16);
	memcpy(pk->dst.a, dst, 16);
	uint32_t claimed = plen;
	if (plen == 0) /* jumbogram or offload: take the frame's word for it */
		claimed = (uint32_t)(pk->rec.wirelen > start + 40 ? pk->rec.wirelen - start - 40 : 0);
	size_t avail = rd_left(r);
	if (claimed > avail && start + 40 + claimed > pk->rec.wirelen) {
		pk->malformed = 1;
		pk->why = "IPv6 payload length is larger than the frame";
		claimed = (uint32_t)(pk->rec.wirelen > start + 40 ? pk->rec.wirelen - start - 40 : 0);
	}
	if (claimed > avail)
		pk->truncated = 1;
	struct rd t = rd_sub(r, claimed < avail ? claimed : avail);
	uint32_t rest = claimed; /* claimed bytes from t's position on */
	int frag_seen = 0, more = 0;
	uint32_t foff = 0, fid = 0;
	for (int n = 0;; n++) {
		if (n > IPV6_MAX_EXT) {
			pk->kind = PK_BAD;
			pk->malformed = 1;
			pk->other = "IPv6";
			pk->why = "more than 16 IPv6 extension headers";
			return -1;
		}
		size_t before = t.off;
		if (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140) {
			/* hop-by-hop, routing, destination options, mobility, HIP, shim6: (len+1)*8 bytes */
			uint8_t next = rd_u8(&t);
			uint8_t len8 = rd_u8(&t);
			rd_skip(&t, (size_t)len8 * 8 + 6);
			nh = next;
		} else if (nh == 51) { /* AH: (len+2)*4 bytes */
			uint8_t next = rd_u8(&t);
			uint8_t len4 = rd_u8(&t);
			rd_skip(&t, (size_t)len4 * 4 + 6);
			nh = next;
		} else if (nh == 44) { /* fragment header, RFC 8200 section 4.5 */
			uint8_t next = rd_u8(&t);
			rd_skip(&t, 1);
			uint16_t offm = rd_be16(&t);
			fid = rd_be32(&t);
			foff = (uint32_t)(offm >> 3) * 8;
			more = offm & 1;
			frag_seen = 1;
			nh = next;
		} else {
			break;
		}
		if (!rd_ok(&t)) {
			pk->kind = PK_BAD;
			pk->truncated = 1;
			pk->other = "IPv6";
			pk->why = "IPv6 extension header cut short";
			return -1;
		}
		uint32_t used = (uint32_t)(t.off - before);
		rest = rest > used ? rest - used : 0;
	}
	pk->ipproto = nh;
	/* An "atomic fragment" (offset 0, no more fragments) is a whole packet. */
	if (frag_seen && (more || foff))
		return fragment(pk, frag, fid, nh, foff, more, rd_here(&t), (uint32_t)rd_left(&t), pk->truncated);
	pk->l4_off = (uint16_t)(start + 40 + t.off);
	struct rd rest_rd = rd_sub(&t, rd_left(&t));
	return decode_transport(pk, &rest_rd, rest);
}

