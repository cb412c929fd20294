/* fuzz_tunnels.c: fuzz target for the encapsulation chain (src/decode/encap.c, wifi.c,
 * the PPP and 802.11 link types). Byte 0 picks where the input starts: as a whole frame
 * of one of the link types that carry tunnels (Ethernet, PPP, PPP_HDLC, 802.11,
 * radiotap), or right after a prefix made here that names a tunnel (an Ethernet header
 * with the ethertype of MPLS, PPPoE, transparent Ethernet, ERSPAN; an IPv4 header with
 * protocol 4, 41, 47 or 137; IPv4 + UDP to the VXLAN, Geneve or GTP-U port), its lengths
 * set to the input's, so the fuzzer spends its time inside the tunnel headers. Byte 1
 * says how much of the wire length was captured, as in fuzz_decode.c. Each frame is
 * decoded from an exact-size copy, then the same input is read as a sequence of frames
 * (2-byte length, 11 bits used) through one fragment table, so tunnels around and
 * inside fragments meet. The verdict must agree with the lengths (check()), every layer
 * must describe itself, and every slice handed back is touched (ASan).
 * Seeds: fuzz/corpus/fuzz_tunnels/ (frames of tests/captures/made/tun-*). */
#include "capture/capfile.h"
#include "decode/pkt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	sink = x;
}

static void check(const struct pkt *pk)
{
	if (pk->truncated && pk->rec.caplen >= pk->rec.wirelen)
		abort();
	if (pk->malformed && !pk->why)
		abort();
	if (pk->why && !pk->malformed && !pk->truncated)
		abort();
	if (pk->why && strlen(pk->why) >= PKT_WHY_MAX - 1)
		abort();
	if (pk->n_layer > PKT_LAYER_MAX)
		abort();
	if (pk->n_inside > pk->n_layer || (pk->n_inside && (pk->kind != PK_UDP || !pk->other)))
		abort(); /* layers inside the packet only for a UDP tunnel that says what it carries */
	if (pk->kind == PK_OTHER && !pk->other)
		abort(); /* "other" packets are counted by name */
	if (pk->kind == PK_TCP || pk->kind == PK_UDP) {
		if (pk->l4)
			touch(pk->l4, pk->l4_caplen);
		if (pk->payload)
			touch(pk->payload, pk->caplen);
		if (pk->caplen > pk->len)
			abort();
	}
	char line[256];
	for (unsigned i = 0; i < pk->n_layer; i++) {
		pkt_layer_describe(&pk->layer[i], line, sizeof line);
		if (strlen(line) >= sizeof line - 1)
			abort(); /* a line is never cut: its longest form fits */
	}
}

/* Where an input starts: a link type, and the bytes put before it. */
struct entry {
	uint16_t linktype;
	uint8_t kind; /* 0 none, 1 Ethernet + ethertype, 2 IPv4 + protocol, 3 IPv4 + UDP to port */
	uint16_t value;
};

static const struct entry entries[] = {
	{ LT_ETHERNET, 0, 0 }, { LT_PPP, 0, 0 }, { LT_PPP_HDLC, 0, 0 }, { LT_IEEE802_11, 0, 0 },
	{ LT_IEEE802_11_RADIOTAP, 0, 0 },
	{ LT_ETHERNET, 1, 0x8847 }, { LT_ETHERNET, 1, 0x8864 }, { LT_ETHERNET, 1, 0x6558 },
	{ LT_ETHERNET, 1, 0x88be }, { LT_ETHERNET, 1, 0x22eb }, { LT_ETHERNET, 1, 0x880b },
	{ LT_ETHERNET, 2, 4 }, { LT_ETHERNET, 2, 41 }, { LT_ETHERNET, 2, 47 }, { LT_ETHERNET, 2, 137 },
	{ LT_ETHERNET, 3, 4789 }, { LT_ETHERNET, 3, 6081 }, { LT_ETHERNET, 3, 2152 },
};

static size_t prefix(const struct entry *e, size_t n, uint8_t *out)
{
	size_t k = 0;
	if (e->kind == 0)
		return 0;
	static const uint8_t macs[12] = { 0, 0x1b, 0x21, 0, 0, 2, 0, 0x1b, 0x21, 0, 0, 1 };
	memcpy(out, macs, 12);
	k = 12;
	uint16_t et = e->kind == 1 ? e->value : 0x0800;
	out[k++] = (uint8_t)(et >> 8), out[k++] = (uint8_t)et;
	if (e->kind == 1)
		return k;

	size_t total = 20 + (e->kind == 3 ? 8 : 0) + n;
	if (total > 0xffff)
		total = 0xffff;
	const uint8_t h[20] = { 0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, 0, 1, 0x40, 0, 64,
				(uint8_t)(e->kind == 2 ? e->value : 17), 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
	memcpy(out + k, h, 20);
	k += 20;
	if (e->kind == 3) {
		size_t ul = total - 20;
		const uint8_t u[8] = { 0xc3, 0x50, (uint8_t)(e->value >> 8), (uint8_t)e->value, (uint8_t)(ul >> 8), (uint8_t)ul, 0, 0 };
		memcpy(out + k, u, 8);
		k += 8;
	}

	return k;
}

static void one(const struct entry *e, uint8_t cut, const uint8_t *p, size_t n, uint32_t frame, struct ipfrag *frag)
{
	uint8_t pre[64];
	size_t k = prefix(e, n, pre);
	struct cap_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.linktype = e->linktype;
	uint8_t *copy = malloc(k + n ? k + n : 1);
	memcpy(copy, pre, k);
	if (n)
		memcpy(copy + k, p, n);
	rec.data = copy;
	rec.caplen = (uint32_t)(k + n);
	rec.wirelen = rec.caplen + (cut & 0x80 ? (uint32_t)(cut & 0x7f) * 97 : 0);
	rec.ts_digits = 6;
	struct pkt pk;
	decode_packet(&rec, frame, &pk, frag);
	check(&pk);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const struct entry *e = &entries[data[0] % (sizeof entries / sizeof entries[0])];
	uint8_t cut = data[1];
	data += 2;
	size -= 2;
	one(e, cut, data, size, 1, NULL);
	struct ipfrag *frag = ipfrag_new();
	uint32_t frame = 1;
	size_t i = 0;
	while (size - i >= 2) {
		size_t n = ((size_t)data[i] << 8 | data[i + 1]) & 0x7ff;
		i += 2;
		if (n > size - i)
			n = size - i;
		one(e, cut, data + i, n, ++frame, frag);
		i += n;
	}
	ipfrag_free(frag);
	return 0;
}
