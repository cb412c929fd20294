/* link.c: link-layer headers: Ethernet (+ 802.1Q/802.1ad VLAN tags), Linux cooked
 * capture v1 and v2, BSD loopback (NULL, LOOP) and raw IP. Each hands the network
 * layer an ethertype and an offset. References: IEEE 802.3/802.1Q; tcpdump.org
 * link-layer header types (LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_NULL). */
#include "decode_int.h"

#include "../base/rd.h"

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
		return 1;
	default:
		return 0;
	}
}

int decode_link(struct pkt *pk, struct rd *r)
{
	switch (pk->rec.linktype) {
	case LT_ETHERNET: {
		rd_skip(r, 12);
		uint16_t type = rd_be16(r);
		while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && rd_ok(r)) {
			uint16_t tci = rd_be16(r);
			if (pk->n_vlan < PKT_MAX_VLAN)
				pk->vlan[pk->n_vlan] = tci & 0x0fff;
			pk->n_vlan++;
			type = rd_be16(r);
			if (pk->n_vlan > PKT_MAX_VLAN) {
				/* Nesting deeper than any real network: stop rather than loop on crafted input. */
				pk->other = "VLAN (too many tags)";
				return -1;
			}
		}
		if (!rd_ok(r)) {
			pk->other = "Ethernet";
			return -1;
		}
		if (type < 0x0600) {
			pk->other = "802.3 LLC";
			return -1;
		}
		pk->ethertype = type;
		return 0;
	}
	case LT_LINUX_SLL: {
		rd_skip(r, 14);
		pk->ethertype = rd_be16(r);
		if (!rd_ok(r)) {
			pk->other = "Linux cooked";
			return -1;
		}
		return 0;
	}
	case LT_LINUX_SLL2: {
		pk->ethertype = rd_be16(r);
		rd_skip(r, 18);
		if (!rd_ok(r)) {
			pk->other = "Linux cooked v2";
			return -1;
		}
		return 0;
	}
	case LT_NULL: {
		/* The family is in the byte order of the machine that captured: try both. */
		const uint8_t *b = rd_bytes(r, 4);
		if (!b) {
			pk->other = "BSD loopback";
			return -1;
		}
		uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
		uint32_t be = __builtin_bswap32(le);
		pk->ethertype = family_to_ethertype(le < 256 ? le : be);
		return pk->ethertype ? 0 : (pk->other = "BSD loopback (unknown family)", -1);
	}
	case LT_LOOP: {
		pk->ethertype = family_to_ethertype(rd_be32(r));
		if (!rd_ok(r) || !pk->ethertype) {
			pk->other = "BSD loopback";
			return -1;
		}
		return 0;
	}
	case LT_RAW: case 12: case 14: case LT_IPV4: case LT_IPV6: {
		/* Raw IP: the version nibble says which. 12 and 14 are DLT_RAW on some BSDs. */
		if (rd_left(r) < 1) {
			pk->other = "raw IP";
			return -1;
		}
		uint8_t v = rd_here(r)[0] >> 4;
		pk->ethertype = v == 4 ? ETH_IPV4 : v == 6 ? ETH_IPV6 : 0;
		return pk->ethertype ? 0 : (pk->other = "raw IP (bad version)", -1);
	}
	default:
		pk->other = "unsupported link type";
		return -1;
	}
}
