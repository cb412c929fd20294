/* fuzz_decode.c: fuzz target for one packet through src/decode/ (link layer, VLAN,
 * IPv4/IPv6 with extension headers, TCP with options, UDP). The first input byte picks
 * the link type, the second how much of the wire length was captured; the rest is the
 * frame. The frame is decoded alone (fragments not rebuilt); then the same bytes are
 * read as a sequence of frames, each a 2-byte length (11 bits used) and that many
 * bytes, through one fragment table, so fragment reassembly sees many packets. Each
 * input is independent (fresh table), so a saved crasher replays alone. Every slice
 * the decoder hands back is touched so ASan sees an over-read, and the verdict must
 * agree with the lengths (check()).
 * Seeds: fuzz/corpus/fuzz_decode/. */
#include "capture/capfile.h"
#include "decode/pkt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const uint16_t linktypes[] = {
	LT_ETHERNET, LT_LINUX_SLL, LT_LINUX_SLL2, LT_NULL, LT_LOOP, LT_RAW, LT_IPV4, LT_IPV6, 12, 14, 147,
};

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
	/* Truncated means the snap length cut something: never when all was captured.
	 * A why is told exactly when the packet is malformed or truncated by a header cut,
	 * and it fits its buffer whole. */
	if (pk->truncated && pk->rec.caplen >= pk->rec.wirelen)
		abort();
	if (pk->malformed && !pk->why)
		abort();
	if (pk->why && !pk->malformed && !pk->truncated)
		abort();
	if (pk->why && strlen(pk->why) >= PKT_WHY_MAX - 1)
		abort();
	if (pk->kind == PK_TCP || pk->kind == PK_UDP) {
		if (pk->l4)
			touch(pk->l4, pk->l4_caplen);
		if (pk->payload)
			touch(pk->payload, pk->caplen);
		if (pk->caplen > pk->len)
			abort(); /* captured payload never exceeds what the packet claims */
	}
	char buf[64];
	ipaddr_str(&pk->src, buf, sizeof buf);
	ipaddr_str(&pk->dst, buf, sizeof buf);
}

/* Decodes one frame from an exact-size copy: an over-read of the frame is caught even
 * when the fuzzer's buffer has bytes after it. */
static void one(uint16_t linktype, uint8_t cut, const uint8_t *p, size_t n, uint32_t frame, struct ipfrag *frag)
{
	struct cap_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.linktype = linktype;
	uint8_t *copy = malloc(n ? n : 1);
	if (n)
		memcpy(copy, p, n);
	rec.data = copy;
	rec.caplen = (uint32_t)n;
	/* cut: high bit clear = whole frame captured; set = the wire had more. */
	rec.wirelen = (uint32_t)n + (cut & 0x80 ? (uint32_t)(cut & 0x7f) * 97 : 0);
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
	uint16_t lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
	uint8_t cut = data[1];
	data += 2;
	size -= 2;
	one(lt, cut, data, size, 1, NULL);

	struct ipfrag *frag = ipfrag_new();
	uint32_t frame = 1;
	size_t i = 0;
	while (size - i >= 2) {
		size_t n = ((size_t)data[i] << 8 | data[i + 1]) & 0x7ff;
		i += 2;
		if (n > size - i)
			n = size - i;
		one(lt, cut, data + i, n, ++frame, frag);
		i += n;
	}
	ipfrag_free(frag);
	return 0;
}
