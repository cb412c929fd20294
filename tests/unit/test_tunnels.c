/* test_tunnels.c: unit tests for the encapsulation chain (src/decode/encap.c, wifi.c,
 * the PPP and 802.11 link types). Frames are built here, header by header, from the
 * formats' RFCs; each must decode to its inner TCP connection with the layers (and their
 * key fields) it passed through. Then every frame is decoded cut at every length and
 * with every length field it has raised past the frame: it must not read past what
 * was captured (the frame sits at the end of a page followed by an unreadable one), and
 * the verdict must agree with the cut (truncated exactly when something was cut; a why
 * only with truncated or malformed). Last the limits: nesting past PKT_LAYER_MAX, MPLS
 * stacks past 16 labels, GTP-U extension chains past 16, and tunnels whose header is not
 * what the UDP port says (the packet stays the UDP datagram). Prints "ok NAME" /
 * "FAIL NAME: why". */
#include "capture/capfile.h"
#include "decode/pkt.h"
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* ------------------------------------------------------------------ building */

struct fr {
	uint8_t b[2048];
	size_t n;
	uint16_t lt;
};

static void put(struct fr *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}
static void put8(struct fr *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static void put16(struct fr *f, unsigned v) { put8(f, v >> 8), put8(f, v & 0xff); }
static void put32(struct fr *f, uint32_t v) { put16(f, v >> 16), put16(f, v & 0xffff); }
static void set16(struct fr *f, size_t at, unsigned v) { f->b[at] = (uint8_t)(v >> 8), f->b[at + 1] = (uint8_t)v; }

static const uint8_t MAC_A[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x01 }, MAC_B[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x02 };

static void ether(struct fr *f, unsigned type)
{
	put(f, MAC_B, 6);
	put(f, MAC_A, 6);
	put16(f, type);
}

/* An IPv4 header whose total length is patched by ip_end(); returns its offset. */
static size_t ip4(struct fr *f, unsigned proto, uint8_t last)
{
	size_t at = f->n;
	put32(f, 0x45000000);
	put32(f, 0x00004000);
	put8(f, 64), put8(f, proto), put16(f, 0);
	put32(f, 0x0a000001), put32(f, 0x0a000000u | last);
	return at;
}
static void ip4_end(struct fr *f, size_t at) { set16(f, at + 2, (unsigned)(f->n - at)); }

static size_t ip6(struct fr *f, unsigned nh, uint8_t last)
{
	size_t at = f->n;
	put32(f, 0x60000000);
	put16(f, 0), put8(f, nh), put8(f, 64);
	uint8_t a[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	put(f, a, 16);
	a[15] = last;
	put(f, a, 16);
	return at;
}
static void ip6_end(struct fr *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at - 40)); }

static size_t udp(struct fr *f, unsigned sport, unsigned dport)
{
	size_t at = f->n;
	put16(f, sport), put16(f, dport), put16(f, 0), put16(f, 0);
	return at;
}
static void udp_end(struct fr *f, size_t at) { set16(f, at + 4, (unsigned)(f->n - at)); }

/* The inner packet every case carries: IPv4 10.0.0.1:40000 -> 10.0.0.2:80, a SYN
 * with 4 bytes of payload, so the payload length checks the claims on the way. */
static void inner_tcp(struct fr *f)
{
	size_t ip = ip4(f, 6, 2);
	put16(f, 40000), put16(f, 80), put32(f, 1234), put32(f, 0);
	put16(f, 0x5002), put16(f, 1000), put16(f, 0), put16(f, 0);
	put(f, "ping", 4);
	ip4_end(f, ip);
}

/* ------------------------------------------------------------------ the cases */

enum { C_VXLAN, C_GENEVE, C_GRE, C_GRETAP, C_ERSPAN1, C_ERSPAN2, C_ERSPAN3, C_MPLS, C_MPLS_PW, C_PPPOE, C_IPIP, C_6IN4,
       C_4IN6, C_GTPU, C_PPTP, C_RADIOTAP, C_WDS, C_PPP, C_CHDLC, C_NEST, C_COUNT };

struct want {
	const char *name;
	const char *layers; /* the kinds in order, one letter each (see kind_letter) */
	const char *line;   /* a piece of one layer's description */
};

static const struct want wants[C_COUNT] = {
	[C_VXLAN] = { "vxlan", "4uVe", "VXLAN: VNI 42," },
	[C_GENEVE] = { "geneve", "6uNe", "Geneve: VNI 77, protocol 0x6558, options 8 bytes" },
	[C_GRE] = { "gre", "4G", "GRE: protocol 0x0800, key 4660 (0x00001234), sequence 7, checksum 0x" },
	[C_GRETAP] = { "gretap", "4Ge", "Ethernet (inner): 00:1b:21:00:00:01 -> 00:1b:21:00:00:02, VLAN 300, ethertype 0x0800" },
	[C_ERSPAN1] = { "erspan1", "4GRe", "ERSPAN type I" },
	[C_ERSPAN2] = { "erspan2", "4GRe", "ERSPAN type II: session 5, VLAN 0, index 17" },
	[C_ERSPAN3] = { "erspan3", "4GRe", "ERSPAN type III: session 6, VLAN 0, hardware ID 9, timestamp 123456" },
	[C_MPLS] = { "mpls", "M", "MPLS: 2 labels: 1000 (TC 0, TTL 64), 2000 (TC 0, TTL 64, bottom); IPv4 follows" },
	[C_MPLS_PW] = { "mpls-pw", "Me", "Ethernet pseudowire (control word) follows" },
	[C_PPPOE] = { "pppoe", "OP", "PPPoE session: session ID 0x0011" },
	[C_IPIP] = { "ipip", "4", "IPv4 (outer): 10.0.0.1 -> 10.0.0.9, protocol 4 (IPv4)" },
	[C_6IN4] = { "6in4", "46", "IPv6 (outer): fd00::1 -> fd00::9, protocol 4 (IPv4)" },
	[C_4IN6] = { "4in6", "6", "IPv6 (outer): fd00::1 -> fd00::9, protocol 4 (IPv4), hop limit 64" },
	[C_GTPU] = { "gtpu", "4uT", "GTP-U: TEID 0x0a0b0c0d, message type 255 (G-PDU), sequence 3, 1 extension header" },
	[C_PPTP] = { "pptp", "4GP", "GRE (PPTP, version 1): protocol 0x880b, call ID 9, payload length" },
	[C_RADIOTAP] = { "radiotap", "rw", "802.11 data (to DS, QoS TID 5): 02:00:00:00:00:0b -> 02:00:00:00:00:0c, BSSID 02:00:00:00:00:0a" },
	[C_WDS] = { "wds", "w", "802.11 data (WDS): 02:00:00:00:00:04 -> 02:00:00:00:00:03" },
	[C_PPP] = { "ppp-link", "P", "PPP (HDLC-like framing): protocol 0x0021" },
	[C_CHDLC] = { "cisco-hdlc", "P", "Cisco HDLC: address 0x0f, protocol 0x0800" },
	[C_NEST] = { "nest", "M4G4uVe", "VXLAN: VNI 9" },
};

static char kind_letter(uint8_t k)
{
	switch (k) {
	case PL_IPV4: return '4';
	case PL_IPV6: return '6';
	case PL_UDP: return 'u';
	case PL_ETHERNET: return 'e';
	case PL_VXLAN: return 'V';
	case PL_GENEVE: return 'N';
	case PL_GRE: return 'G';
	case PL_ERSPAN: return 'R';
	case PL_MPLS: return 'M';
	case PL_PPPOE: return 'O';
	case PL_PPP: return 'P';
	case PL_GTPU: return 'T';
	case PL_RADIOTAP: return 'r';
	case PL_80211: return 'w';
	default: return '?';
	}
}

static void vxlan_in_udp(struct fr *f, unsigned vni)
{
	size_t ip = ip4(f, 17, 9);
	size_t u = udp(f, 50000, 4789);
	put32(f, 0x08000000), put32(f, vni << 8);
	ether(f, 0x0800);
	inner_tcp(f);
	udp_end(f, u);
	ip4_end(f, ip);
}

static void build(struct fr *f, int c)
{
	memset(f, 0, sizeof *f);
	f->lt = LT_ETHERNET;
	size_t ip, u;
	switch (c) {
	case C_VXLAN:
		ether(f, 0x0800);
		vxlan_in_udp(f, 42);
		break;
	case C_GENEVE:
		ether(f, 0x86dd);
		ip = ip6(f, 17, 9);
		u = udp(f, 50001, 6081);
		put8(f, 2), put8(f, 0), put16(f, 0x6558), put32(f, 77u << 8);
		put32(f, 0x01020301), put32(f, 7); /* one option, 4 bytes of data */
		ether(f, 0x0800);
		inner_tcp(f);
		udp_end(f, u);
		ip6_end(f, ip);
		break;
	case C_GRE: {
		ether(f, 0x0800);
		ip = ip4(f, 47, 9);
		size_t g = f->n;
		put16(f, 0xb000), put16(f, 0x0800), put32(f, 0), put32(f, 0x1234), put32(f, 7);
		inner_tcp(f);
		set16(f, g + 4, 0xbeef);
		ip4_end(f, ip);
		break;
	}
	case C_GRETAP:
		ether(f, 0x0800);
		ip = ip4(f, 47, 9);
		put16(f, 0x0000), put16(f, 0x6558);
		put(f, MAC_B, 6), put(f, MAC_A, 6), put16(f, 0x8100), put16(f, 300), put16(f, 0x0800);
		inner_tcp(f);
		ip4_end(f, ip);
		break;
	case C_ERSPAN1:
	case C_ERSPAN2:
	case C_ERSPAN3:
		ether(f, 0x0800);
		ip = ip4(f, 47, 9);
		put16(f, c == C_ERSPAN1 ? 0x0000 : 0x1000), put16(f, c == C_ERSPAN3 ? 0x22eb : 0x88be);
		if (c != C_ERSPAN1)
			put32(f, 1);
		if (c == C_ERSPAN2)
			put32(f, 0x10000005), put32(f, 17);
		if (c == C_ERSPAN3)
			put32(f, 0x20000006), put32(f, 123456), put32(f, (9u << 4) | 1), put32(f, 0), put32(f, 0);
		ether(f, 0x0800);
		inner_tcp(f);
		ip4_end(f, ip);
		break;
	case C_MPLS:
		ether(f, 0x8847);
		put32(f, (1000u << 12) | 64), put32(f, (2000u << 12) | 0x100 | 64);
		inner_tcp(f);
		break;
	case C_MPLS_PW:
		ether(f, 0x8847);
		put32(f, (3000u << 12) | 0x100 | 64), put32(f, 0x00000001);
		ether(f, 0x0800);
		inner_tcp(f);
		break;
	case C_PPPOE: {
		ether(f, 0x8864);
		size_t p = f->n;
		put8(f, 0x11), put8(f, 0), put16(f, 0x11), put16(f, 0), put16(f, 0x0021);
		inner_tcp(f);
		set16(f, p + 4, (unsigned)(f->n - p - 6));
		break;
	}
	case C_IPIP:
		ether(f, 0x0800);
		ip = ip4(f, 4, 9);
		inner_tcp(f);
		ip4_end(f, ip);
		break;
	case C_6IN4: {
		ether(f, 0x0800);
		ip = ip4(f, 41, 9);
		size_t i6 = ip6(f, 4, 9);
		inner_tcp(f);
		ip6_end(f, i6);
		ip4_end(f, ip);
		break;
	}
	case C_4IN6:
		ether(f, 0x86dd);
		ip = ip6(f, 4, 9);
		inner_tcp(f);
		ip6_end(f, ip);
		break;
	case C_GTPU: {
		ether(f, 0x0800);
		ip = ip4(f, 17, 9);
		u = udp(f, 2152, 2152);
		size_t g = f->n;
		put8(f, 0x36), put8(f, 255), put16(f, 0), put32(f, 0x0a0b0c0d);
		put16(f, 3), put8(f, 0), put8(f, 0x85);  /* sequence, N-PDU, next: PDU session container */
		put8(f, 1), put8(f, 0), put8(f, 9), put8(f, 0); /* 4 bytes, last one: no next */
		inner_tcp(f);
		set16(f, g + 2, (unsigned)(f->n - g - 8));
		udp_end(f, u);
		ip4_end(f, ip);
		break;
	}
	case C_PPTP: {
		ether(f, 0x0800);
		ip = ip4(f, 47, 9);
		size_t g = f->n;
		put16(f, 0x3081), put16(f, 0x880b), put16(f, 0), put16(f, 9), put32(f, 1), put32(f, 0);
		size_t p = f->n;
		put8(f, 0xff), put8(f, 0x03), put16(f, 0x0021);
		inner_tcp(f);
		set16(f, g + 4, (unsigned)(f->n - p));
		ip4_end(f, ip);
		break;
	}
	case C_RADIOTAP: {
		f->lt = LT_IEEE802_11_RADIOTAP;
		/* version, pad, length 24, present: TSFT, Flags; 4 pad bytes (TSFT aligns to
		 * 8), TSFT, Flags 0x10 (FCS at the end), 3 more bytes to the length */
		put8(f, 0), put8(f, 0), put8(f, 24), put8(f, 0), put8(f, 3), put8(f, 0), put8(f, 0), put8(f, 0);
		put32(f, 0), put32(f, 0x01020304), put32(f, 0x05060708), put8(f, 0x10), put8(f, 0), put16(f, 0);
		/* QoS data, To DS: addresses BSSID, source, destination */
		put8(f, 0x88), put8(f, 0x01), put16(f, 0);
		uint8_t a[6] = { 2, 0, 0, 0, 0, 0x0a };
		put(f, a, 6), a[5] = 0x0b, put(f, a, 6), a[5] = 0x0c, put(f, a, 6);
		put16(f, 0), put8(f, 5), put8(f, 0);
		put8(f, 0xaa), put8(f, 0xaa), put8(f, 3), put8(f, 0), put8(f, 0), put8(f, 0), put16(f, 0x0800);
		inner_tcp(f);
		put32(f, 0xdeadbeef); /* the FCS: not part of the IP datagram */
		break;
	}
	case C_WDS: {
		f->lt = LT_IEEE802_11;
		put8(f, 0x08), put8(f, 0x03), put16(f, 0);
		uint8_t a[6] = { 2, 0, 0, 0, 0, 1 };
		for (int i = 0; i < 3; i++)
			a[5] = (uint8_t)(i + 1), put(f, a, 6);
		put16(f, 0);
		a[5] = 4, put(f, a, 6);
		put8(f, 0xaa), put8(f, 0xaa), put8(f, 3), put8(f, 0), put8(f, 0), put8(f, 0), put16(f, 0x0800);
		inner_tcp(f);
		break;
	}
	case C_PPP:
		f->lt = LT_PPP;
		put8(f, 0xff), put8(f, 0x03), put16(f, 0x0021);
		inner_tcp(f);
		break;
	case C_CHDLC:
		f->lt = LT_PPP_HDLC;
		put8(f, 0x0f), put8(f, 0), put16(f, 0x0800);
		inner_tcp(f);
		break;
	case C_NEST:
		ether(f, 0x8847);
		put32(f, (777u << 12) | 0x100 | 64);
		ip = ip4(f, 47, 9);
		put16(f, 0), put16(f, 0x0800);
		vxlan_in_udp(f, 9);
		ip4_end(f, ip);
		break;
	}
}

/* ------------------------------------------------------------------ decoding */

struct dec {
	struct pkt pk;
	int kind;
	void *map;
	size_t maplen;
};

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	sink = x;
}

static void dec_run(struct dec *d, const struct fr *f, size_t caplen, size_t wirelen)
{
	struct cap_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.data = guarded(f->b, caplen, &d->map, &d->maplen);
	rec.caplen = (uint32_t)caplen;
	rec.wirelen = (uint32_t)wirelen;
	rec.linktype = f->lt;
	rec.ts_digits = 6;
	d->kind = decode_packet(&rec, 1, &d->pk, NULL);
	if (d->pk.l4)
		touch(d->pk.l4, d->pk.l4_caplen);
	if (d->pk.payload)
		touch(d->pk.payload, d->pk.caplen);
	char line[256];
	for (unsigned i = 0; i < d->pk.n_layer; i++)
		pkt_layer_describe(&d->pk.layer[i], line, sizeof line);
}

static void dec_done(struct dec *d) { munmap(d->map, d->maplen); }

static char why[1024];
static int bad_now;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	if (bad_now)
		return;
	bad_now = 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
}

#define EXPECT(cond, ...)                                                                                          \
	do {                                                                                                       \
		if (!(cond))                                                                                       \
			failf(__VA_ARGS__);                                                                        \
	} while (0)

static void begin(void) { bad_now = 0, why[0] = 0; }
static void end(const char *name) { check(!bad_now, name, why); }

/* The inner connection, the layers, and one layer line. */
static void test_whole(int c)
{
	struct fr f;
	build(&f, c);
	struct dec d;
	begin();
	dec_run(&d, &f, f.n, f.n);
	const struct pkt *pk = &d.pk;
	EXPECT(d.kind == PK_TCP, "kind %d, other %s, why %s", d.kind, pk->other ? pk->other : "-", pk->why ? pk->why : "-");
	EXPECT(!pk->malformed && !pk->truncated, "malformed %d truncated %d: %s", pk->malformed, pk->truncated,
	       pk->why ? pk->why : "-");
	EXPECT(pk->src.family == 4 && pk->src.a[3] == 1 && pk->dst.a[3] == 2, "inner addresses not 10.0.0.1 -> 10.0.0.2");
	EXPECT(pk->sport == 40000 && pk->dport == 80 && pk->seq == 1234, "inner ports %u -> %u, seq %u", pk->sport,
	       pk->dport, pk->seq);
	EXPECT(pk->len == 4 && pk->caplen == 4 && pk->payload && !memcmp(pk->payload, "ping", 4),
	       "payload %u/%u bytes, expected the 4 bytes \"ping\"", pk->caplen, pk->len);
	char got[PKT_LAYER_MAX + 1];
	unsigned i;
	for (i = 0; i < pk->n_layer; i++)
		got[i] = kind_letter(pk->layer[i].kind);
	got[i] = 0;
	EXPECT(!strcmp(got, wants[c].layers), "layers \"%s\", expected \"%s\"", got, wants[c].layers);
	int seen = 0;
	char line[256], all[2048] = "";
	for (i = 0; i < pk->n_layer; i++) {
		pkt_layer_describe(&pk->layer[i], line, sizeof line);
		if (strstr(line, wants[c].line))
			seen = 1;
		size_t used = strlen(all);
		snprintf(all + used, sizeof all - used, "%s | ", line);
	}
	EXPECT(seen, "no layer line has \"%s\": %s", wants[c].line, all);
	dec_done(&d);
	char name[64];
	snprintf(name, sizeof name, "tunnel-%s", wants[c].name);
	end(name);
}

/* Cut at every length: never a read past the captured bytes (the guard page), and
 * truncated exactly when bytes were cut (the frame claims all of them); a why only
 * with a verdict. */
static void test_cuts(int c)
{
	struct fr f;
	build(&f, c);
	begin();
	for (size_t cut = 0; cut <= f.n; cut++) {
		struct dec d;
		dec_run(&d, &f, cut, f.n);
		const struct pkt *pk = &d.pk;
		if (cut < f.n)
			EXPECT(pk->truncated, "cut at %zu of %zu: not marked truncated (kind %d, other %s)", cut, f.n, d.kind,
			       pk->other ? pk->other : "-");
		else
			EXPECT(!pk->truncated && d.kind == PK_TCP, "whole frame: truncated %d, kind %d", pk->truncated, d.kind);
		EXPECT(!pk->malformed, "cut at %zu: malformed (%s): a cut is not a contradiction", cut, pk->why ? pk->why : "-");
		EXPECT(!pk->why || pk->truncated || pk->malformed, "cut at %zu: a why without a verdict: %s", cut, pk->why);
		EXPECT(pk->n_layer <= PKT_LAYER_MAX, "cut at %zu: %u layers", cut, pk->n_layer);
		dec_done(&d);
	}
	char name[64];
	snprintf(name, sizeof name, "tunnel-%s-cuts", wants[c].name);
	end(name);
}

/* Every 16-bit field of the frame set to 0xffff in turn, and every byte to 0 and 0xff:
 * lengths that contradict the frame, flags that add optional fields, unknown versions.
 * The decoder must stay inside the frame and give a verdict it can explain. */
static void test_mutations(int c)
{
	struct fr f;
	build(&f, c);
	begin();
	for (size_t at = 0; at < f.n; at++) {
		for (int m = 0; m < 3; m++) {
			struct fr g = f;
			if (m == 0 && at + 1 < f.n)
				set16(&g, at, 0xffff);
			else if (m == 1)
				g.b[at] = 0;
			else
				g.b[at] = 0xff;
			struct dec d;
			dec_run(&d, &g, g.n, g.n);
			const struct pkt *pk = &d.pk;
			EXPECT(!pk->truncated, "byte %zu mutation %d: truncated though all was captured", at, m);
			EXPECT(!pk->malformed || pk->why, "byte %zu mutation %d: malformed without a why", at, m);
			EXPECT(!pk->why || strlen(pk->why) < PKT_WHY_MAX - 1, "byte %zu: why too long", at);
			EXPECT(d.kind != PK_OTHER || pk->other, "byte %zu mutation %d: other without a name", at, m);
			dec_done(&d);
		}
	}
	char name[64];
	snprintf(name, sizeof name, "tunnel-%s-mutations", wants[c].name);
	end(name);
}

/* ------------------------------------------------------------------ limits */

static void test_nesting_limit(void)
{
	begin();
	for (int depth = 10; depth <= 14; depth++) {
		struct fr f;
		memset(&f, 0, sizeof f);
		f.lt = LT_ETHERNET;
		ether(&f, 0x0800);
		size_t at[16];
		for (int i = 0; i < depth; i++)
			at[i] = ip4(&f, 4, 9);
		inner_tcp(&f);
		for (int i = depth - 1; i >= 0; i--)
			ip4_end(&f, at[i]);
		struct dec d;
		dec_run(&d, &f, f.n, f.n);
		if (depth <= PKT_LAYER_MAX) {
			EXPECT(d.kind == PK_TCP && d.pk.n_layer == depth, "%d IP-in-IP layers: kind %d, %u layers", depth, d.kind,
			       d.pk.n_layer);
		} else {
			EXPECT(d.kind == PK_OTHER && d.pk.other && strstr(d.pk.other, "nested more than 12"),
			       "%d layers: kind %d other %s, expected the nesting limit", depth, d.kind,
			       d.pk.other ? d.pk.other : "-");
			EXPECT(d.pk.n_layer == PKT_LAYER_MAX, "%d layers: %u recorded", depth, d.pk.n_layer);
		}
		dec_done(&d);
	}
	end("tunnel-nesting-limit");
}

static void test_mpls_limit(void)
{
	begin();
	for (int n = 15; n <= 17; n++) {
		struct fr f;
		memset(&f, 0, sizeof f);
		f.lt = LT_ETHERNET;
		ether(&f, 0x8847);
		for (int i = 0; i < n; i++)
			put32(&f, (uint32_t)(100 + i) << 12 | (i == n - 1 ? 0x100u : 0) | 64);
		inner_tcp(&f);
		struct dec d;
		dec_run(&d, &f, f.n, f.n);
		if (n <= 16)
			EXPECT(d.kind == PK_TCP && d.pk.layer[0].n == n, "%d labels: kind %d", n, d.kind);
		else
			EXPECT(d.kind == PK_OTHER && d.pk.other && !strcmp(d.pk.other, "MPLS (more than 16 labels)"),
			       "%d labels: kind %d other %s", n, d.kind, d.pk.other ? d.pk.other : "-");
		dec_done(&d);
	}
	end("tunnel-mpls-label-limit");
}

static void test_gtpu_limit(void)
{
	begin();
	for (int n = 16; n <= 17; n++) {
		struct fr f;
		memset(&f, 0, sizeof f);
		f.lt = LT_ETHERNET;
		ether(&f, 0x0800);
		size_t ip = ip4(&f, 17, 9);
		size_t u = udp(&f, 2152, 2152);
		size_t g = f.n;
		put8(&f, 0x34), put8(&f, 255), put16(&f, 0), put32(&f, 1);
		put16(&f, 0), put8(&f, 0), put8(&f, 0x85);
		for (int i = 0; i < n; i++)
			put8(&f, 1), put8(&f, 0), put8(&f, 0), put8(&f, i == n - 1 ? 0 : 0x85);
		inner_tcp(&f);
		set16(&f, g + 2, (unsigned)(f.n - g - 8));
		udp_end(&f, u);
		ip4_end(&f, ip);
		struct dec d;
		dec_run(&d, &f, f.n, f.n);
		if (n <= 16)
			EXPECT(d.kind == PK_TCP, "%d extension headers: kind %d other %s", n, d.kind, d.pk.other ? d.pk.other : "-");
		else
			EXPECT(d.kind == PK_OTHER && d.pk.other && strstr(d.pk.other, "more than 16 extension headers"),
			       "%d extension headers: kind %d other %s", n, d.kind, d.pk.other ? d.pk.other : "-");
		dec_done(&d);
	}
	end("tunnel-gtpu-extension-limit");
}

/* A UDP tunnel whose header is cut, or is not what its port says: the packet is the
 * outer UDP datagram (as Wireshark numbers it), with no layers. */
static void test_udp_fallback(void)
{
	begin();
	struct fr f;
	build(&f, C_VXLAN);
	struct dec d;
	size_t vx = 14 + 20 + 8;
	dec_run(&d, &f, vx + 5, f.n);
	EXPECT(d.kind == PK_UDP && d.pk.n_layer == 0 && d.pk.dport == 4789 && d.pk.truncated,
	       "VXLAN cut after 5 bytes: kind %d, %u layers, port %u, truncated %d", d.kind, d.pk.n_layer, d.pk.dport,
	       d.pk.truncated);
	EXPECT(d.pk.why && strstr(d.pk.why, "VXLAN header"), "why: %s", d.pk.why ? d.pk.why : "-");
	dec_done(&d);
	build(&f, C_GENEVE);
	f.b[14 + 40 + 8] |= 0x40; /* Geneve version 1 */
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.kind == PK_UDP && d.pk.n_layer == 0 && d.pk.dport == 6081, "Geneve version 1: kind %d, %u layers", d.kind,
	       d.pk.n_layer);
	dec_done(&d);
	build(&f, C_GTPU);
	f.b[14 + 20 + 8] = 0x50; /* version 2: GTPv2-C, not GTP-U */
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.kind == PK_UDP && d.pk.n_layer == 0, "GTP version 2: kind %d, %u layers", d.kind, d.pk.n_layer);
	dec_done(&d);
	end("tunnel-udp-fallback");
}

static void layer_letters(const struct pkt *pk, char *got)
{
	unsigned i;
	for (i = 0; i < pk->n_layer && i < PKT_LAYER_MAX; i++)
		got[i] = kind_letter(pk->layer[i].kind);
	got[i] = 0;
}

/* A UDP tunnel whose content is not TCP or UDP: the packet is the innermost datagram
 * that carried it (Wireshark gives the frame that udp.stream), its IP and UDP headers
 * the packet's own, the tunnel's layers after them (n_inside), other naming what it
 * carries. Not over GRE (no UDP), and not when a limit stopped the decoding. */
static void test_udp_carries_other(void)
{
	begin();
	struct fr f;
	struct dec d;
	char got[PKT_LAYER_MAX + 1];
	/* ARP in VXLAN */
	memset(&f, 0, sizeof f);
	f.lt = LT_ETHERNET;
	ether(&f, 0x0800);
	size_t ip = ip4(&f, 17, 9);
	size_t u = udp(&f, 50000, 4789);
	put32(&f, 0x08000000), put32(&f, 42u << 8);
	ether(&f, 0x0806);
	for (int i = 0; i < 28; i++)
		put8(&f, (unsigned)i);
	udp_end(&f, u);
	ip4_end(&f, ip);
	dec_run(&d, &f, f.n, f.n);
	layer_letters(&d.pk, got);
	EXPECT(d.kind == PK_UDP && d.pk.sport == 50000 && d.pk.dport == 4789 && d.pk.dst.a[3] == 9,
	       "ARP in VXLAN: kind %d, ports %u -> %u", d.kind, d.pk.sport, d.pk.dport);
	EXPECT(d.pk.len == 8 + 14 + 28 && d.pk.caplen == d.pk.len && d.pk.payload && d.pk.payload[0] == 0x08,
	       "ARP in VXLAN: payload %u/%u bytes, expected the 50 from the VXLAN header on", d.pk.caplen, d.pk.len);
	EXPECT(!strcmp(got, "Ve") && d.pk.n_inside == 2, "ARP in VXLAN: layers \"%s\", %u inside, expected \"Ve\", 2", got,
	       d.pk.n_inside);
	EXPECT(d.pk.other && !strcmp(d.pk.other, "ARP"), "ARP in VXLAN: other %s", d.pk.other ? d.pk.other : "-");
	EXPECT(!d.pk.truncated && !d.pk.malformed, "ARP in VXLAN: truncated %d, malformed %d", d.pk.truncated,
	       d.pk.malformed);
	dec_done(&d);
	/* ICMPv6 in VXLAN in VXLAN: the inner VXLAN's datagram is the packet */
	memset(&f, 0, sizeof f);
	f.lt = LT_ETHERNET;
	ether(&f, 0x0800);
	size_t ip1 = ip4(&f, 17, 9);
	size_t u1 = udp(&f, 50000, 4789);
	put32(&f, 0x08000000), put32(&f, 42u << 8);
	ether(&f, 0x0800);
	size_t ip2 = ip4(&f, 17, 7);
	size_t u2 = udp(&f, 50002, 4789);
	put32(&f, 0x08000000), put32(&f, 44u << 8);
	ether(&f, 0x86dd);
	size_t i6 = ip6(&f, 58, 2);
	put32(&f, 0x85000000), put32(&f, 0);
	ip6_end(&f, i6);
	udp_end(&f, u2);
	ip4_end(&f, ip2);
	udp_end(&f, u1);
	ip4_end(&f, ip1);
	dec_run(&d, &f, f.n, f.n);
	layer_letters(&d.pk, got);
	EXPECT(d.kind == PK_UDP && d.pk.sport == 50002 && d.pk.dst.a[3] == 7 && d.pk.ipver == 4,
	       "ICMPv6 in VXLAN in VXLAN: kind %d, port %u, ip version %u", d.kind, d.pk.sport, d.pk.ipver);
	EXPECT(!strcmp(got, "4uVeVe") && d.pk.n_inside == 2, "VXLAN in VXLAN: layers \"%s\", %u inside", got,
	       d.pk.n_inside);
	EXPECT(d.pk.l4_off == 14 + 20 + 8 + 8 + 14 + 20, "VXLAN in VXLAN: UDP at %u", d.pk.l4_off);
	EXPECT(d.pk.other && !strcmp(d.pk.other, "ICMPv6"), "VXLAN in VXLAN: other %s", d.pk.other ? d.pk.other : "-");
	dec_done(&d);
	/* ARP over GRE: no UDP carries it */
	memset(&f, 0, sizeof f);
	f.lt = LT_ETHERNET;
	ether(&f, 0x0800);
	ip = ip4(&f, 47, 9);
	put16(&f, 0), put16(&f, 0x0806);
	for (int i = 0; i < 28; i++)
		put8(&f, 0);
	ip4_end(&f, ip);
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.kind == PK_OTHER && d.pk.n_inside == 0 && d.pk.other && !strcmp(d.pk.other, "ARP"),
	       "ARP over GRE: kind %d, %u inside, other %s", d.kind, d.pk.n_inside, d.pk.other ? d.pk.other : "-");
	dec_done(&d);
	/* MPLS past its label limit inside VXLAN: the limit is what the packet is */
	memset(&f, 0, sizeof f);
	f.lt = LT_ETHERNET;
	ether(&f, 0x0800);
	ip = ip4(&f, 17, 9);
	u = udp(&f, 50000, 4789);
	put32(&f, 0x08000000), put32(&f, 42u << 8);
	ether(&f, 0x8847);
	for (int i = 0; i < 17; i++)
		put32(&f, (uint32_t)(100 + i) << 12 | (i == 16 ? 0x100u : 0) | 64);
	inner_tcp(&f);
	udp_end(&f, u);
	ip4_end(&f, ip);
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.kind == PK_OTHER && d.pk.limit_hit && d.pk.other && strstr(d.pk.other, "more than 16 labels"),
	       "17 MPLS labels in VXLAN: kind %d, other %s", d.kind, d.pk.other ? d.pk.other : "-");
	dec_done(&d);
	end("tunnel-udp-carries-other");
}

/* A length field past its container: malformed, with the field named. */
static void test_lengths(void)
{
	begin();
	struct fr f;
	build(&f, C_PPPOE);
	set16(&f, 14 + 4, 2000);
	struct dec d;
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.kind == PK_BAD && d.pk.malformed && d.pk.why && strstr(d.pk.why, "PPPoE length 2000"),
	       "PPPoE length 2000: kind %d malformed %d why %s", d.kind, d.pk.malformed, d.pk.why ? d.pk.why : "-");
	dec_done(&d);
	build(&f, C_PPTP);
	set16(&f, 14 + 20 + 4, 3000);
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.kind == PK_BAD && d.pk.malformed && d.pk.why && strstr(d.pk.why, "PPTP GRE payload length 3000"),
	       "PPTP payload length 3000: kind %d why %s", d.kind, d.pk.why ? d.pk.why : "-");
	dec_done(&d);
	/* the inner IPv4 total length larger than what VXLAN's UDP carries */
	build(&f, C_VXLAN);
	set16(&f, 14 + 20 + 8 + 8 + 14 + 2, 500);
	dec_run(&d, &f, f.n, f.n);
	EXPECT(d.pk.malformed && d.pk.why && strstr(d.pk.why, "IPv4 total length 500"), "inner total length 500: why %s",
	       d.pk.why ? d.pk.why : "-");
	EXPECT(d.pk.n_layer == 4, "inner total length 500: %u layers", d.pk.n_layer);
	dec_done(&d);
	end("tunnel-length-contradictions");
}

int main(void)
{
	for (int c = 0; c < C_COUNT; c++) {
		test_whole(c);
		test_cuts(c);
		test_mutations(c);
	}
	test_nesting_limit();
	test_mpls_limit();
	test_gtpu_limit();
	test_udp_fallback();
	test_udp_carries_other();
	test_lengths();
	return fails ? 1 : 0;
}
