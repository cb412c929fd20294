/* link.c: link-layer headers: Ethernet (+ 802.1Q/802.1ad VLAN tags; also an Ethernet
 * frame inside a tunnel), Linux cooked capture v1 and v2, BSD loopback (NULL, LOOP),
 * raw IP, PPP (encap.c) and 802.11 (wifi.c). Each hands the network layer an ethertype
 * and an offset. References: IEEE 802.3/802.1Q; tcpdump.org link-layer header types
 * (LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL, LINKTYPE_PPP, LINKTYPE_PPP_HDLC,
 * LINKTYPE_IEEE802_11, LINKTYPE_IEEE802_11_RADIOTAP). */
#include "decode_int.h"

#include "../base/rd.h"

#include <string.h>

static uint16_t family_to_ethertype(uint32_t fam)
{
	switch (fam) {
	case 2: return ETH_IPV4;                           /* AF_INET everywhere */
	case 10: case 24: case 28: case 30: return ETH_IPV6; /* AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, Darwin */
	default: return 0;
	}
}

int decode_linktype_supported(uint16_t linktype)
{
	switch (linktype) {
	case LT_ETHERNET: case LT_LINUX_SLL: case LT_LINUX_SLL2: case LT_NULL: case LT_LOOP:
	case LT_RAW: case 12: case 14: case LT_IPV4: case LT_IPV6:
	case LT_PPP: case LT_PPP_HDLC: case LT_IEEE802_11: case LT_IEEE802_11_RADIOTAP:
		return 1;
	default:
		return 0;
	}
}

/* A link-layer header (what) that is not all here: cut by the snap length (r failed
 * RD_TRUNC), or longer than the frame's wire length (RD_BAD: the frame contradicts
 * its own length). The packet is counted as `name` and goes no further. */
static int link_short(struct pkt *pk, const struct rd *r, const char *name, const char *what, size_t at)
{
	pk->other = name;
	if (r->status == RD_BAD)
		decode_bad(pk, at, "%s runs past the end of the %zu-byte frame", what, r->claim);
	else
		decode_cut(pk, what);
	return -1;
}

int decode_ether(struct pkt *pk, struct rd *r, uint16_t *type_out, int inner)
{
	size_t at = r->off;
	const char *name = inner ? "Ethernet in a tunnel" : "Ethernet";
	const uint8_t *macs = rd_bytes(r, 12); /* destination, source */
	uint16_t type = rd_be16(r);
	if (!rd_ok(r)) {
		link_short(pk, r, name, "Ethernet header", at);
		if (inner)
			pk->kind = PK_BAD;
		return -1;
	}
	struct pkt_layer *L = NULL;
	if (inner) {
		L = decode_push(pk, PL_ETHERNET, at);
		if (!L)
			return -1;
		memcpy(L->a, macs, 12);
	}
	unsigned n_vlan = 0;
	while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
		size_t vat = r->off;
		uint16_t tci = rd_be16(r);
		type = rd_be16(r);
		if (!rd_ok(r)) {
			link_short(pk, r, name, "VLAN tag", vat);
			if (inner)
				pk->kind = PK_BAD;
			return -1;
		}
		if (!inner && pk->n_vlan < PKT_MAX_VLAN)
			pk->vlan[pk->n_vlan] = tci & 0x0fff;
		if (inner && n_vlan == 0)
			L->v[0] = (tci & 0x0fffu) + 1;
		n_vlan++;
		if (!inner)
			pk->n_vlan++;
		if (n_vlan > PKT_MAX_VLAN) {
			/* Nesting deeper than any real network: stop rather than loop on crafted input. */
			pk->kind = PK_OTHER;
			pk->other = "VLAN (too many tags)";
			pk->limit_hit = 1;
			return -1;
		}
	}
	if (type < 0x0600) {
		pk->kind = PK_OTHER;
		pk->other = "802.3 LLC";
		return -1;
	}
	if (L)
		L->proto = type;
	*type_out = type;
	return 0;
}

int decode_link(struct pkt *pk, struct rd *r)
{
	switch (pk->rec.linktype) {
	case LT_ETHERNET:
		return decode_ether(pk, r, &pk->ethertype, 0);
	case LT_PPP:
	case LT_PPP_HDLC:
		return decode_ppp_link(pk, r, pk->rec.linktype == LT_PPP_HDLC);
	case LT_IEEE802_11:
	case LT_IEEE802_11_RADIOTAP:
		return decode_80211(pk, r, pk->rec.linktype == LT_IEEE802_11_RADIOTAP);
	case LT_LINUX_SLL: {
		rd_skip(r, 14); /* packet type, ARPHRD, address length, address */
		pk->ethertype = rd_be16(r);
		if (!rd_ok(r))
			return link_short(pk, r, "Linux cooked", "Linux cooked capture header", 0);
		return 0;
	}
	case LT_LINUX_SLL2: {
		pk->ethertype = rd_be16(r);
		rd_skip(r, 18); /* reserved, interface, ARPHRD, packet type, address length, address */
		if (!rd_ok(r))
			return link_short(pk, r, "Linux cooked v2", "Linux cooked capture v2 header", 0);
		return 0;
	}
	case LT_NULL: {
		/* The family is in the byte order of the machine that captured: try both. */
		uint32_t le = rd_le32(r);
		if (!rd_ok(r))
			return link_short(pk, r, "BSD loopback", "BSD loopback header", 0);
		uint32_t be = __builtin_bswap32(le);
		pk->ethertype = family_to_ethertype(le < 256 ? le : be);
		return pk->ethertype ? 0 : (pk->other = "BSD loopback (unknown family)", -1);
	}
	case LT_LOOP: {
		pk->ethertype = family_to_ethertype(rd_be32(r));
		if (!rd_ok(r))
			return link_short(pk, r, "BSD loopback", "BSD loopback header", 0);
		if (!pk->ethertype) {
			pk->other = "BSD loopback";
			return -1;
		}
		return 0;
	}
	case LT_RAW: case 12: case 14: case LT_IPV4: case LT_IPV6: {
		/* Raw IP: the version nibble says which. 12 and 14 are DLT_RAW on some BSDs. */
		int b = rd_peek(r, 0); /* the IP layer reads it again */
		if (b < 0) {
			rd_need(r, 1); /* sets why it is not here */
			return link_short(pk, r, "raw IP", "IP header", 0);
		}
		pk->ethertype = b >> 4 == 4 ? ETH_IPV4 : b >> 4 == 6 ? ETH_IPV6 : 0;
		return pk->ethertype ? 0 : (pk->other = "raw IP (bad version)", -1);
	}
	default:
		pk->other = "unsupported link type";
		return -1;
	}
}
