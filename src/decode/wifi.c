/* wifi.c: the 802.11 link types: LINKTYPE_IEEE802_11 (105, the 802.11 header first)
 * and LINKTYPE_IEEE802_11_RADIOTAP (127, a radiotap header, then 802.11). Only data
 * frames carry IP: their header (frame control, duration, three addresses, sequence
 * control, a fourth address when both To DS and From DS are set, QoS control for QoS
 * subtypes, HT control when QoS and the Order bit are set) is followed by LLC/SNAP
 * (AA AA 03, OUI, ethertype). References: IEEE 802.11-2020 clause 9.2-9.3; radiotap.org
 * (header, field alignment, the Flags field: 0x10 the frame ends with its FCS, 0x20
 * padding between the 802.11 header and the payload); RFC 1042 (SNAP). */
#include "decode_int.h"

#include <string.h>

/* Radiotap "present" words one header may chain (bit 31 says another follows): real
 * drivers send 1 to 3 (radiotap and vendor namespaces). The header's own 16-bit length
 * bounds the walk anyway; past 8 words the rest of the chain is not read (the Flags
 * field, when present, is in the first word's fields and was found by then). */
#define RADIOTAP_PRESENT_MAX 8

/* Reads a radiotap header and records it; *fcs is set when the frame ends with its
 * 4-byte FCS, *pad when the 802.11 header is padded to a multiple of 4. */
static int radiotap(struct pkt *pk, struct rd *r, int *fcs, int *pad)
{
	size_t at = r->off;
	uint8_t version = rd_u8(r);
	rd_skip(r, 1);
	uint16_t len = rd_le16(r);
	if (!rd_ok(r)) {
		pk->other = "802.11 radiotap";
		if (r->status == RD_BAD)
			decode_bad(pk, at, "radiotap header runs past the end of the frame");
		else
			decode_cut(pk, "radiotap header");
		return -1;
	}
	if (version != 0 || len < 8) {
		pk->kind = PK_BAD;
		pk->other = "802.11 radiotap";
		if (version != 0)
			decode_bad(pk, at, "radiotap version %u is not 0", version);
		else
			decode_bad(pk, at, "radiotap length %u is below its 8-byte header", len);
		return -1;
	}
	struct rd h = rd_sub(r, len - 4u); /* the present words and the fields */
	if (!rd_ok(r)) {
		pk->kind = PK_BAD;
		pk->other = "802.11 radiotap";
		if (r->status == RD_BAD)
			decode_bad(pk, at, "radiotap length %u runs past the end of the frame", len);
		else
			decode_cut(pk, "radiotap header");
		return -1;
	}
	struct pkt_layer *L = decode_push(pk, PL_RADIOTAP, at);
	if (!L)
		return -1;
	L->v[0] = len;
	uint32_t present = rd_le32(&h);
	uint32_t first = present;
	for (int i = 1; (present & 0x80000000u) && i < RADIOTAP_PRESENT_MAX && rd_ok(&h); i++)
		present = rd_le32(&h);
	/* Fields are aligned to their size from the start of the radiotap header (h starts
	 * 4 bytes in): TSFT (bit 0) is 8 bytes, Flags (bit 1) one byte. */
	if ((first & 2) && rd_ok(&h)) {
		if (first & 1) {
			size_t abs = h.off + 4;
			rd_skip(&h, (8 - abs % 8) % 8);
			rd_skip(&h, 8);
		}
		uint8_t flags = rd_u8(&h);
		if (rd_ok(&h)) {
			L->v[1] = flags + 1u;
			*fcs = (flags & 0x10) != 0;
			*pad = (flags & 0x20) != 0;
		}
	}
	return 0;
}

int decode_80211(struct pkt *pk, struct rd *r, int with_radiotap)
{
	int fcs = 0, pad = 0;
	if (with_radiotap && radiotap(pk, r, &fcs, &pad) < 0)
		return -1;
	if (fcs) {
		/* The last 4 bytes are the FCS, not part of what the frame carries. */
		size_t end = r->claim >= 4 ? r->claim - 4 : 0;
		if (end < r->off)
			end = r->off;
		r->claim = end;
		if (r->len > end)
			r->len = end;
	}
	size_t at = r->off;
	uint16_t fc = rd_le16(r);
	if (!rd_ok(r)) {
		pk->other = "802.11";
		if (r->status == RD_BAD)
			decode_bad(pk, at, "802.11 header runs past the end of the frame");
		else
			decode_cut(pk, "802.11 header");
		return -1;
	}
	unsigned type = (fc >> 2) & 3, subtype = (fc >> 4) & 15, ds = (fc >> 8) & 3;
	if (type == 0) {
		pk->other = "802.11 management";
		return -1;
	}
	if (type == 1) {
		pk->other = "802.11 control";
		return -1;
	}
	if (type != 2) {
		pk->other = "802.11 (reserved type)";
		return -1;
	}
	rd_skip(r, 2); /* duration */
	const uint8_t *a1 = rd_bytes(r, 6), *a2 = rd_bytes(r, 6), *a3 = rd_bytes(r, 6);
	rd_skip(r, 2); /* sequence control */
	const uint8_t *a4 = ds == 3 ? rd_bytes(r, 6) : NULL;
	int qos = (subtype & 8) != 0;
	uint16_t qc = qos ? rd_le16(r) : 0;
	if (qos && (fc & 0x8000))
		rd_skip(r, 4); /* HT control */
	if (!rd_ok(r)) {
		pk->kind = PK_BAD;
		pk->other = "802.11";
		if (r->status == RD_BAD)
			decode_bad(pk, at, "802.11 data header runs past the end of the frame");
		else
			decode_cut(pk, "802.11 data header");
		return -1;
	}
	struct pkt_layer *L = decode_push(pk, PL_80211, at);
	if (!L)
		return -1;
	L->v[0] = fc;
	L->v[1] = qos ? qc + 1u : 0;
	/* BSSID, source, destination by the DS bits (802.11-2020 Table 9-30). */
	const uint8_t *bssid = ds == 0 ? a3 : ds == 1 ? a1 : ds == 2 ? a2 : a1;
	const uint8_t *src = ds == 0 || ds == 1 ? a2 : ds == 2 ? a3 : a4;
	const uint8_t *dst = ds == 0 || ds == 2 ? a1 : a3;
	memcpy(L->a, bssid, 6);
	memcpy(L->a + 6, src, 6);
	memcpy(L->a + 12, dst, 6);
	if (pad) {
		size_t hl = r->off - at;
		rd_skip(r, (4 - hl % 4) % 4);
	}
	if (subtype & 4) {
		pk->other = "802.11 null data";
		return -1;
	}
	if (fc & 0x4000) {
		pk->other = "802.11 (protected)";
		return -1;
	}
	const uint8_t *snap = rd_bytes(r, 6);
	uint16_t et = rd_be16(r);
	if (!rd_ok(r)) {
		if (r->status == RD_TRUNC) {
			pk->kind = PK_BAD;
			pk->other = "802.11";
			decode_cut(pk, "802.11 LLC/SNAP header");
		} else {
			pk->kind = PK_OTHER;
			pk->other = "802.11 (no LLC/SNAP header)";
		}
		return -1;
	}
	if (!(snap[0] == 0xaa && snap[1] == 0xaa && snap[2] == 0x03)) {
		pk->other = "802.11 LLC (not SNAP)";
		return -1;
	}
	L->proto = et;
	pk->ethertype = et;
	return 0;
}
