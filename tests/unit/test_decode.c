/* test_decode.c: unit tests for src/decode/ on frames built here, byte by byte.
 *
 *   - one frame per supported link type (Ethernet with 0-2 VLAN tags, Linux cooked v1
 *     and v2, BSD loopback in both byte orders, raw IP under each of its link types),
 *     IPv4 with options, IPv6 with a chain of extension headers, TCP with every option
 *     kind, UDP: every decoded field is checked;
 *   - each of those frames cut at every byte by the snap length: truncated, never
 *     malformed, the why names the header that was cut, and nothing is read past the
 *     cut (the captured bytes end at a PROT_NONE page, and every slice the decoder
 *     hands back is read whole);
 *   - each frame ending inside its link header: malformed;
 *   - each length field made too short and too long: malformed with the exact why
 *     (field, value, frame offset), or truncated when the longer claim is on the wire
 *     but was not captured;
 *   - fragments rebuilt (IPv4, IPv6), a fragment cut short, a rebuilt datagram too short
 *     for its header.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "capture/capfile.h"
#include "decode/pkt.h"
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* ------------------------------------------------------------------ frame builder */

struct fr {
	uint8_t b[2048];
	size_t n;
	uint16_t lt;
	int n_vlan;
	uint16_t vlan[2];
	size_t l3, l4, pay;  /* offsets of the IP header, the transport header, the payload */
	int ipver;
	uint8_t proto;
	size_t ihl;          /* IPv4 header length; IPv6: 40 + extension headers */
	size_t hlen;         /* TCP header length, 8 for UDP */
	size_t len_off;      /* offset of the IPv4 total length / IPv6 payload length */
	size_t mss_end, ts_end, sack_end, ws_end; /* TCP options: where each ends (0: absent) */
	const char *link;    /* the link header's name in a why */
	size_t link_end;     /* where the link header proper ends (before VLAN tags) */
};

static void put(struct fr *f, const void *p, size_t n)
{
	if (n) /* p may be NULL for nothing */
		memcpy(f->b + f->n, p, n);
	f->n += n;
}
static void put8(struct fr *f, uint8_t v) { f->b[f->n++] = v; }
static void put16(struct fr *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}
static void put32(struct fr *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}
static void set8(struct fr *f, size_t off, uint8_t v) { f->b[off] = v; }
static void set16(struct fr *f, size_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

/* The link header for lt carrying IP version ipver; vlan tags for Ethernet. */
static void link_hdr(struct fr *f, uint16_t lt, int ipver, int n_vlan, int null_be)
{
	memset(f, 0, sizeof *f);
	f->lt = lt;
	uint16_t et = ipver == 4 ? 0x0800 : 0x86dd;
	switch (lt) {
	case LT_ETHERNET:
		put(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
		f->link = "Ethernet header";
		f->link_end = 14;
		for (int i = 0; i < n_vlan; i++) {
			f->vlan[i] = (uint16_t)(100 * (i + 1));
			put16(f, i == 0 && n_vlan == 2 ? 0x88a8 : 0x8100);
			put16(f, (uint16_t)(0x2000 | f->vlan[i])); /* priority 1 */
		}
		f->n_vlan = n_vlan;
		put16(f, et);
		break;
	case LT_LINUX_SLL:
		put16(f, 0);      /* to us */
		put16(f, 1);      /* ARPHRD_ETHER */
		put16(f, 6);
		put(f, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
		put16(f, et);
		f->link = "Linux cooked capture header";
		f->link_end = 16;
		break;
	case LT_LINUX_SLL2:
		put16(f, et);
		put16(f, 0);
		put32(f, 3);      /* interface index */
		put16(f, 1);
		put8(f, 0);
		put8(f, 6);
		put(f, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
		f->link = "Linux cooked capture v2 header";
		f->link_end = 20;
		break;
	case LT_NULL: {
		/* host byte order of the capturing machine: little-endian AF_INET 2, or
		 * big-endian AF_INET6 as NetBSD/OpenBSD (24) number it */
		uint32_t fam = ipver == 4 ? 2 : 24;
		if (null_be)
			put32(f, fam);
		else
			put(f, (uint8_t[]){ (uint8_t)fam, 0, 0, 0 }, 4);
		f->link = "BSD loopback header";
		f->link_end = 4;
		break;
	}
	case LT_LOOP:
		put32(f, ipver == 4 ? 2 : 28); /* network order; FreeBSD's AF_INET6 */
		f->link = "BSD loopback header";
		f->link_end = 4;
		break;
	default: /* raw IP: LT_RAW, 12, 14, LT_IPV4, LT_IPV6 */
		f->link = "IP header";
		f->link_end = 0;
		break;
	}
}

/* IPv4 options used below: router alert (RFC 2113) and NOPs, ending in EOL: 8 bytes. */
static const uint8_t ip4_opts[8] = { 148, 4, 0, 0, 1, 1, 1, 0 };

static void ipv4(struct fr *f, uint8_t proto, const uint8_t *opts, size_t optlen)
{
	f->l3 = f->n;
	f->ipver = 4;
	f->proto = proto;
	f->ihl = 20 + optlen;
	put8(f, (uint8_t)(0x40 | f->ihl / 4));
	put8(f, 0x28);        /* DSCP 10 */
	f->len_off = f->n;
	put16(f, 0);          /* total length: finish() */
	put16(f, 0x1234);
	put16(f, 0x4000);     /* don't fragment */
	put8(f, 61);
	put8(f, proto);
	put16(f, 0);
	put(f, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	put(f, opts, optlen);
	f->l4 = f->n;
}

/* An IPv6 extension header chain, first next-header value 0: hop-by-hop (router
 * alert + PadN, 8 bytes), routing (type 4, 24 bytes), fragment (atomic: offset 0, no
 * more, 8 bytes), AH (24 bytes), destination options (PadN, 8 bytes) = 72 bytes. */
static const uint8_t ip6_ext[72] = {
	43, 0, 5, 2, 0, 0, 1, 0,                                  /* hop-by-hop -> routing */
	44, 2, 4, 0, 0, 0, 0, 0,                                  /* routing -> fragment */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, /* its address */
	51, 0, 0, 0, 0, 0, 0, 9,                                  /* fragment -> AH; offset 0, M 0 */
	60, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,                      /* AH -> dest options; SPI, seq */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                       /* ICV */
	0xff, 0, 1, 4, 0, 0, 0, 0,                                /* dest options -> (set) ; PadN */
};

static void ipv6(struct fr *f, uint8_t proto, int with_ext)
{
	f->l3 = f->n;
	f->ipver = 6;
	f->proto = proto;
	put32(f, 0x60000000u | 0x28u << 20 | 0x12345);
	f->len_off = f->n;
	put16(f, 0);
	put8(f, with_ext ? 0 : proto);
	put8(f, 61);
	put(f, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	put(f, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	f->ihl = 40;
	if (with_ext) {
		size_t at = f->n;
		put(f, ip6_ext, sizeof ip6_ext);
		f->b[at + 64] = proto;
		f->ihl += sizeof ip6_ext;
	}
	f->l4 = f->n;
}

/* TCP option sets: a SYN's (every kind a SYN carries, plus an unknown one) and a data
 * segment's (timestamps, two SACK blocks, a TFO cookie). */
static const uint8_t syn_opts[28] = {
	2, 4, 0x05, 0xb4,              /* MSS 1460 */
	1, 3, 3, 7,                    /* NOP, window scale 7 */
	4, 2,                          /* SACK permitted */
	8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, /* timestamps */
	34, 2,                         /* TFO cookie request */
	30, 4, 0x01, 0x02,             /* kind 30 (MPTCP), not decoded, skipped by its length */
	0, 0,                          /* end of list, padding */
};
static const uint8_t ack_opts[36] = {
	1, 1, 8, 10, 0, 0, 0, 9, 0x11, 0x22, 0x33, 0x44, /* NOP NOP timestamps */
	5, 18, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x40, 0, /* SACK 2 blocks */
	34, 6, 0xca, 0xfe, 0xba, 0xbe, /* TFO cookie */
};

static void tcp(struct fr *f, const uint8_t *opts, size_t optlen, uint16_t flags, const char *payload)
{
	f->l4 = f->n;
	f->hlen = 20 + optlen;
	put16(f, 40000);
	put16(f, 80);
	put32(f, 0x01020304);
	put32(f, 0x05060708);
	put16(f, (uint16_t)((f->hlen / 4) << 12 | flags));
	put16(f, 0x7fff);
	put16(f, 0xbeef);
	put16(f, 7);
	put(f, opts, optlen);
	if (opts == syn_opts) {
		f->mss_end = f->l4 + 24;
		f->ws_end = f->l4 + 28;
		f->ts_end = f->l4 + 40;
	} else if (opts == ack_opts) {
		f->ts_end = f->l4 + 32;
		f->sack_end = f->l4 + 50;
	}
	f->pay = f->n;
	put(f, payload, strlen(payload));
}

static void udp(struct fr *f, const char *payload)
{
	f->l4 = f->n;
	f->hlen = 8;
	put16(f, 5353);
	put16(f, 53);
	put16(f, 0);
	put16(f, 0);
	f->pay = f->n;
	put(f, payload, strlen(payload));
}

/* Sets the IP and UDP lengths to what was built. */
static void finish(struct fr *f)
{
	if (f->ipver == 4)
		set16(f, f->len_off, (uint16_t)(f->n - f->l3));
	else
		set16(f, f->len_off, (uint16_t)(f->n - f->l3 - 40));
	if (f->proto == 17)
		set16(f, f->l4 + 4, (uint16_t)(f->n - f->l4));
}

/* ------------------------------------------------------------------ decoding */

struct dec {
	struct pkt pk;
	void *map;
	size_t maplen;
	int kind;
};

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	uint8_t x = 0;
	for (size_t i = 0; i < n; i++)
		x ^= p[i];
	sink = x;
}

/* Decodes the first caplen bytes of b (on a guard page) as a record of wirelen bytes,
 * then reads every slice the decoder handed back. */
static void dec_run(struct dec *d, const uint8_t *b, size_t caplen, size_t wirelen, uint16_t lt, struct ipfrag *frag,
		    uint32_t frame)
{
	struct cap_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.data = guarded(b, caplen, &d->map, &d->maplen);
	rec.caplen = (uint32_t)caplen;
	rec.wirelen = (uint32_t)wirelen;
	rec.linktype = lt;
	rec.ts_digits = 6;
	d->kind = decode_packet(&rec, frame, &d->pk, frag);
	if (d->pk.l4)
		touch(d->pk.l4, d->pk.l4_caplen);
	if (d->pk.payload)
		touch(d->pk.payload, d->pk.caplen);
}

static void dec_done(struct dec *d) { munmap(d->map, d->maplen); }

static void dec_frame(struct dec *d, const struct fr *f, size_t caplen, size_t wirelen)
{
	dec_run(d, f->b, caplen, wirelen, f->lt, NULL, 1);
}

/* ------------------------------------------------------------------ checking */

static int bad_now;
static char why[1024];

static void begin(void)
{
	bad_now = 0;
	why[0] = 0;
}

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

static void end(const char *name) { check(!bad_now, name, why); }

static const char *why_of(const struct pkt *pk) { return pk->why ? pk->why : "(none)"; }

/* kind, truncated, malformed and the exact why (NULL: none). */
static void expect_verdict(const char *ctx, const struct dec *d, int kind, int truncated, int malformed, const char *w)
{
	const struct pkt *pk = &d->pk;
	EXPECT(d->kind == kind && pk->kind == kind, "%s: kind %d, expected %d (why: %s)", ctx, pk->kind, kind, why_of(pk));
	EXPECT(pk->truncated == truncated, "%s: truncated %d, expected %d (why: %s)", ctx, pk->truncated, truncated,
	       why_of(pk));
	EXPECT(pk->malformed == malformed, "%s: malformed %d, expected %d (why: %s)", ctx, pk->malformed, malformed,
	       why_of(pk));
	if (w)
		EXPECT(pk->why && strcmp(pk->why, w) == 0, "%s: why\n    '%s', expected\n    '%s'", ctx, why_of(pk), w);
	else
		EXPECT(!pk->why, "%s: why '%s', expected none", ctx, pk->why);
}

/* Every field of a frame decoded whole. */
static void expect_fields(const char *ctx, const struct fr *f, const struct dec *d)
{
	const struct pkt *pk = &d->pk;
	int want_kind = f->proto == 6 ? PK_TCP : PK_UDP;
	expect_verdict(ctx, d, want_kind, 0, 0, NULL);
	EXPECT(pk->ipver == f->ipver && pk->ipproto == f->proto, "%s: IP version %u proto %u", ctx, pk->ipver, pk->ipproto);
	EXPECT(pk->ethertype == (f->ipver == 4 ? 0x0800 : 0x86dd), "%s: ethertype %#x", ctx, pk->ethertype);
	EXPECT(pk->n_vlan == f->n_vlan, "%s: %u VLAN tags, expected %d", ctx, pk->n_vlan, f->n_vlan);
	for (int i = 0; i < f->n_vlan; i++)
		EXPECT(pk->vlan[i] == f->vlan[i], "%s: VLAN %d id %u, expected %u", ctx, i, pk->vlan[i], f->vlan[i]);
	EXPECT(pk->l3_off == f->l3 && pk->l4_off == f->l4, "%s: l3_off %u l4_off %u, expected %zu %zu", ctx, pk->l3_off,
	       pk->l4_off, f->l3, f->l4);
	EXPECT(pk->l4 == pk->rec.data + f->l4 && pk->l4_caplen == f->n - f->l4, "%s: l4 slice at %td, %u bytes", ctx,
	       pk->l4 - pk->rec.data, pk->l4_caplen);
	EXPECT(pk->ttl == 61, "%s: TTL %u", ctx, pk->ttl);
	EXPECT(pk->tos == 0x28, "%s: TOS %#x", ctx, pk->tos);
	char s[64], t[64];
	ipaddr_str(&pk->src, s, sizeof s);
	ipaddr_str(&pk->dst, t, sizeof t);
	if (f->ipver == 4) {
		EXPECT(strcmp(s, "10.0.0.1") == 0 && strcmp(t, "10.0.0.2") == 0, "%s: addresses %s %s", ctx, s, t);
		EXPECT(pk->ip_id == 0x1234, "%s: IP ID %#x", ctx, pk->ip_id);
	} else {
		EXPECT(strcmp(s, "2001:db8::1") == 0 && strcmp(t, "2001:db8::2") == 0, "%s: addresses %s %s", ctx, s, t);
	}
	size_t plen = f->n - f->pay;
	EXPECT(pk->len == plen && pk->caplen == plen, "%s: payload len %u caplen %u, expected %zu", ctx, pk->len, pk->caplen,
	       plen);
	EXPECT(pk->payload == pk->rec.data + f->pay && memcmp(pk->payload, f->b + f->pay, plen) == 0,
	       "%s: payload slice at %td", ctx, pk->payload - pk->rec.data);
	if (f->proto == 17) {
		EXPECT(pk->sport == 5353 && pk->dport == 53, "%s: ports %u %u", ctx, pk->sport, pk->dport);
		return;
	}
	EXPECT(pk->sport == 40000 && pk->dport == 80, "%s: ports %u %u", ctx, pk->sport, pk->dport);
	EXPECT(pk->seq == 0x01020304 && pk->ack == 0x05060708, "%s: seq %#x ack %#x", ctx, pk->seq, pk->ack);
	EXPECT(pk->win == 0x7fff && pk->tcp_csum == 0xbeef && pk->urp == 7, "%s: win %u csum %#x urp %u", ctx, pk->win,
	       pk->tcp_csum, pk->urp);
	EXPECT(pk->tcp_hlen == f->hlen, "%s: TCP header %u, expected %zu", ctx, pk->tcp_hlen, f->hlen);
	const struct tcp_opts *o = &pk->opt;
	EXPECT(!o->bad, "%s: options marked bad", ctx);
	if (f->mss_end) { /* the SYN's options */
		EXPECT(pk->flags == (TH_SYN | TH_ECE | TH_CWR), "%s: flags %#x", ctx, pk->flags);
		EXPECT(o->mss == 1460 && o->wscale == 7 && o->sack_perm && o->has_ts && o->tsval == 0x11223344 && !o->tsecr &&
			       o->tfo == 1 && !o->n_sack,
		       "%s: options mss %u ws %d sackp %u ts %u %#x/%#x tfo %u sack %u", ctx, o->mss, o->wscale, o->sack_perm,
		       o->has_ts, o->tsval, o->tsecr, o->tfo, o->n_sack);
	} else if (f->sack_end) { /* the data segment's */
		EXPECT(pk->flags == (TH_ACK | TH_PSH), "%s: flags %#x", ctx, pk->flags);
		EXPECT(!o->mss && o->wscale == -1 && !o->sack_perm && o->has_ts && o->tsval == 9 && o->tsecr == 0x11223344 &&
			       o->tfo == 2 && o->n_sack == 2 && o->sack[0][0] == 0x1000 && o->sack[0][1] == 0x2000 &&
			       o->sack[1][0] == 0x3000 && o->sack[1][1] == 0x4000,
		       "%s: options mss %u ws %d sackp %u ts %u %#x/%#x tfo %u sack %u", ctx, o->mss, o->wscale, o->sack_perm,
		       o->has_ts, o->tsval, o->tsecr, o->tfo, o->n_sack);
	}
}

/* ------------------------------------------------------------------ the frames */

enum { T_SYN, T_DATA, T_PLAIN, T_UDP };

struct spec {
	const char *name;
	uint16_t lt;
	int ipver, n_vlan, null_be, ip_opts, ext, kind;
};

static const struct spec specs[] = {
	{ "Ethernet IPv4 TCP SYN options", LT_ETHERNET, 4, 0, 0, 0, 0, T_SYN },
	{ "Ethernet IPv4 options TCP data options", LT_ETHERNET, 4, 0, 0, 1, 0, T_DATA },
	{ "Ethernet 802.1Q IPv4 UDP", LT_ETHERNET, 4, 1, 0, 0, 0, T_UDP },
	{ "Ethernet 802.1ad+802.1Q IPv6 extension headers TCP data options", LT_ETHERNET, 6, 2, 0, 0, 1, T_DATA },
	{ "Ethernet IPv6 extension headers UDP", LT_ETHERNET, 6, 0, 0, 0, 1, T_UDP },
	{ "Ethernet IPv6 TCP SYN options", LT_ETHERNET, 6, 0, 0, 0, 0, T_SYN },
	{ "Linux cooked IPv4 UDP", LT_LINUX_SLL, 4, 0, 0, 0, 0, T_UDP },
	{ "Linux cooked IPv6 TCP", LT_LINUX_SLL, 6, 0, 0, 0, 0, T_PLAIN },
	{ "Linux cooked v2 IPv6 TCP SYN options", LT_LINUX_SLL2, 6, 0, 0, 0, 0, T_SYN },
	{ "Linux cooked v2 IPv4 options UDP", LT_LINUX_SLL2, 4, 0, 0, 1, 0, T_UDP },
	{ "BSD loopback (little-endian) IPv4 TCP", LT_NULL, 4, 0, 0, 0, 0, T_PLAIN },
	{ "BSD loopback (big-endian) IPv6 UDP", LT_NULL, 6, 0, 1, 0, 0, T_UDP },
	{ "OpenBSD loopback IPv4 TCP data options", LT_LOOP, 4, 0, 0, 0, 0, T_DATA },
	{ "OpenBSD loopback IPv6 UDP", LT_LOOP, 6, 0, 0, 0, 0, T_UDP },
	{ "raw IP (101) IPv4 TCP", LT_RAW, 4, 0, 0, 0, 0, T_PLAIN },
	{ "raw IP (101) IPv6 extension headers TCP SYN", LT_RAW, 6, 0, 0, 0, 1, T_SYN },
	{ "raw IP (12) IPv4 options UDP", 12, 4, 0, 0, 1, 0, T_UDP },
	{ "raw IP (14) IPv6 TCP", 14, 6, 0, 0, 0, 0, T_PLAIN },
	{ "raw IPv4 (228) TCP data options", LT_IPV4, 4, 0, 0, 0, 0, T_DATA },
	{ "raw IPv6 (229) UDP", LT_IPV6, 6, 0, 0, 0, 0, T_UDP },
};
#define N_SPECS (sizeof specs / sizeof specs[0])

static void build(struct fr *f, const struct spec *s)
{
	link_hdr(f, s->lt, s->ipver, s->n_vlan, s->null_be);
	uint8_t proto = s->kind == T_UDP ? 17 : 6;
	if (s->ipver == 4)
		ipv4(f, proto, ip4_opts, s->ip_opts ? sizeof ip4_opts : 0);
	else
		ipv6(f, proto, s->ext);
	switch (s->kind) {
	case T_SYN: tcp(f, syn_opts, sizeof syn_opts, TH_SYN | TH_ECE | TH_CWR, ""); break;
	case T_DATA: tcp(f, ack_opts, sizeof ack_opts, TH_ACK | TH_PSH, "GET / HTTP/1.1\r\n\r\n"); break;
	case T_PLAIN: tcp(f, NULL, 0, TH_ACK, "hello"); break;
	default: udp(f, "a DNS query, more or less"); break;
	}
	finish(f);
}

/* Each frame decoded whole: every field. */
static void test_whole(void)
{
	for (size_t i = 0; i < N_SPECS; i++) {
		struct fr f;
		build(&f, &specs[i]);
		struct dec d;
		begin();
		dec_frame(&d, &f, f.n, f.n);
		expect_fields(specs[i].name, &f, &d);
		dec_done(&d);
		char name[160];
		snprintf(name, sizeof name, "decode %s: every field", specs[i].name);
		end(name);
	}
}

/* The verdict for f cut after c bytes by the snap length. */
static void expect_cut(const struct fr *f, size_t c, const struct dec *d)
{
	char ctx[64];
	snprintf(ctx, sizeof ctx, "cut at %zu of %zu", c, f->n);
	const struct pkt *pk = &d->pk;
	EXPECT(!pk->malformed, "%s: malformed: %s", ctx, why_of(pk));
	EXPECT(pk->truncated, "%s: not truncated", ctx);
	const char *v4v6 = f->ipver == 4 ? "IPv4" : "IPv6";
	const char *l4 = f->proto == 6 ? "TCP" : "UDP";
	char w[96];
	size_t ip_fixed = f->l3 + (f->ipver == 4 ? 20 : 40);
	int kind = PK_BAD;
	if (f->link_end == 0 && c == 0) {
		snprintf(w, sizeof w, "IP header cut by the snap length"); /* raw IP: not even a version */
	} else if (c < f->link_end) {
		snprintf(w, sizeof w, "%s cut by the snap length", f->link);
	} else if (f->lt == LT_ETHERNET && c < f->l3) {
		snprintf(w, sizeof w, "VLAN tag cut by the snap length");
	} else if (c < ip_fixed) {
		snprintf(w, sizeof w, "%s header cut by the snap length", v4v6);
	} else if (c < f->l4) {
		snprintf(w, sizeof w, "%s cut by the snap length", f->ipver == 4 ? "IPv4 options" : "IPv6 extension header");
	} else if (c < f->l4 + (f->proto == 6 ? 20 : 8)) {
		snprintf(w, sizeof w, "%s header cut by the snap length", l4);
	} else if (c < f->pay) {
		kind = PK_TCP;
		snprintf(w, sizeof w, "TCP options cut by the snap length");
	} else {
		kind = f->proto == 6 ? PK_TCP : PK_UDP;
		w[0] = 0;
	}
	expect_verdict(ctx, d, kind, 1, 0, w[0] ? w : NULL);
	if (kind == PK_BAD)
		return;
	/* what was captured is read, nothing else; lengths are what the wire had */
	EXPECT(pk->l4_caplen == c - f->l4, "%s: l4_caplen %u, expected %zu", ctx, pk->l4_caplen, c - f->l4);
	EXPECT(pk->len == f->n - f->pay, "%s: len %u, expected %zu", ctx, pk->len, f->n - f->pay);
	size_t cap = c > f->pay ? c - f->pay : 0;
	EXPECT(pk->caplen == cap, "%s: caplen %u, expected %zu", ctx, pk->caplen, cap);
	if (cap)
		EXPECT(memcmp(pk->payload, f->b + f->pay, cap) == 0, "%s: payload bytes differ", ctx);
	if (kind == PK_TCP) {
		EXPECT(pk->seq == 0x01020304 && pk->sport == 40000, "%s: seq %#x sport %u", ctx, pk->seq, pk->sport);
		const struct tcp_opts *o = &pk->opt;
		EXPECT(!o->bad, "%s: an option cut by the snap length is marked bad", ctx);
		/* an option is decoded exactly when all of it was captured */
		if (f->mss_end)
			EXPECT((o->mss == 1460) == (c >= f->mss_end), "%s: MSS %u", ctx, o->mss);
		if (f->ws_end)
			EXPECT((o->wscale == 7) == (c >= f->ws_end), "%s: window scale %d", ctx, o->wscale);
		if (f->ts_end)
			EXPECT(o->has_ts == (c >= f->ts_end), "%s: timestamps %u", ctx, o->has_ts);
		if (f->sack_end)
			EXPECT((o->n_sack == 2) == (c >= f->sack_end), "%s: %u SACK blocks", ctx, o->n_sack);
	}
}

/* Each frame cut at every byte. */
static void test_cuts(void)
{
	for (size_t i = 0; i < N_SPECS; i++) {
		struct fr f;
		build(&f, &specs[i]);
		begin();
		for (size_t c = 0; c < f.n; c++) {
			struct dec d;
			dec_frame(&d, &f, c, f.n);
			expect_cut(&f, c, &d);
			dec_done(&d);
		}
		char name[160];
		snprintf(name, sizeof name, "decode %s: cut at each of its %zu bytes: truncated, the cut header named, never malformed",
			 specs[i].name, f.n);
		end(name);
	}
}

/* Each frame ending (on the wire, not by the snap length) one byte before its link
 * header does, or with no byte at all for raw IP: malformed, the header named. */
static void test_link_short(void)
{
	for (size_t i = 0; i < N_SPECS; i++) {
		struct fr f;
		build(&f, &specs[i]);
		size_t n = f.link_end ? f.link_end - 1 : 0;
		char w[160];
		snprintf(w, sizeof w, "%s runs past the end of the %zu-byte frame (at frame offset 0)", f.link, n);
		struct dec d;
		begin();
		dec_frame(&d, &f, n, n);
		expect_verdict(specs[i].name, &d, PK_BAD, 0, 1, w);
		dec_done(&d);
		char name[160];
		snprintf(name, sizeof name, "decode %s: a frame shorter than its link header is malformed", specs[i].name);
		end(name);
	}
}

/* ------------------------------------------------------------------ length fields */

/* A length case: a frame, a change to it, how much of it is captured and on the wire
 * (relative to the frame's length), and the verdict. */
struct lcase {
	const char *name;
	int spec;            /* index into lspecs */
	void (*mut)(struct fr *f);
	long cap_delta;      /* caplen = n + cap_delta */
	long wire_delta;     /* wirelen = n + wire_delta */
	int kind, truncated, malformed;
	const char *why;
	long len;            /* expected pk->len (-1: not checked) */
	long caplen;         /* expected pk->caplen (-1: not checked) */
};

/* The frames of the length cases: offsets are in the whys below. */
enum {
	E4,    /* Ethernet IPv4 TCP "hello": IP at 14, TCP at 34, payload at 54, 59 bytes, total length 45 */
	E4O,   /* Ethernet IPv4 TCP with options NOP NOP timestamps (32-byte header), "hello": 71 bytes */
	E4S,   /* Ethernet IPv4 TCP with the SYN's options (48-byte header) at 54..81, no payload: 82 bytes */
	E4IO,  /* Ethernet IPv4 with options (34..41), TCP at 42, "hello": 67 bytes */
	E4E,   /* Ethernet IPv4 TCP, no payload: 54 bytes */
	E4U,   /* Ethernet IPv4 UDP "hello": UDP at 34, payload at 42, 47 bytes, UDP length 13 */
	E6,    /* Ethernet IPv6 TCP "hello": TCP at 54, 79 bytes, payload length 25 */
	E6X,   /* Ethernet IPv6, extension headers at 54..125 (hop-by-hop 54, routing 62, fragment 86,
		* AH 94, destination options 118), TCP at 126, "hello": 151 bytes, payload length 97 */
	E6U,   /* Ethernet IPv6 UDP "hello": UDP at 54, 67 bytes */
};

static void lbuild(struct fr *f, int which)
{
	static const uint8_t ts_opts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	link_hdr(f, LT_ETHERNET, which >= E6 ? 6 : 4, 0, 0);
	switch (which) {
	case E4: ipv4(f, 6, NULL, 0); tcp(f, NULL, 0, TH_ACK, "hello"); break;
	case E4O: ipv4(f, 6, NULL, 0); tcp(f, ts_opts, sizeof ts_opts, TH_ACK, "hello"); break;
	case E4S: ipv4(f, 6, NULL, 0); tcp(f, syn_opts, sizeof syn_opts, TH_SYN, ""); break;
	case E4IO: ipv4(f, 6, ip4_opts, sizeof ip4_opts); tcp(f, NULL, 0, TH_ACK, "hello"); break;
	case E4E: ipv4(f, 6, NULL, 0); tcp(f, NULL, 0, TH_ACK, ""); break;
	case E4U: ipv4(f, 17, NULL, 0); udp(f, "hello"); break;
	case E6: ipv6(f, 6, 0); tcp(f, NULL, 0, TH_ACK, "hello"); break;
	case E6X: ipv6(f, 6, 1); tcp(f, NULL, 0, TH_ACK, "hello"); break;
	case E6U: ipv6(f, 17, 0); udp(f, "hello"); break;
	}
	finish(f);
}

static void v4_total(struct fr *f, uint16_t v) { set16(f, 16, v); }
static void m_total_19(struct fr *f) { v4_total(f, 19); }
static void m_total_30(struct fr *f) { v4_total(f, 30); }
static void m_total_40(struct fr *f) { v4_total(f, 40); }
static void m_total_42(struct fr *f) { v4_total(f, 42); }
static void m_total_100(struct fr *f) { v4_total(f, 100); }
static void m_total_0(struct fr *f) { v4_total(f, 0); }
static void m_total_0_short(struct fr *f) { v4_total(f, 0), f->n = 44; }
static void m_total_24(struct fr *f) { v4_total(f, 24); }
static void m_ihl_4(struct fr *f) { set8(f, 14, 0x44); }
static void m_ihl_15(struct fr *f) { set8(f, 14, 0x4f); }
static void m_ihl_15_total_0(struct fr *f) { set8(f, 14, 0x4f), v4_total(f, 0); }
static void m_ihl_15_total_100(struct fr *f) { set8(f, 14, 0x4f), v4_total(f, 100); }
static void m_version_6(struct fr *f) { set8(f, 14, 0x65); }
static void m_ipopt_len_1(struct fr *f) { set8(f, 35, 1); }
static void m_ipopt_len_12(struct fr *f) { set8(f, 35, 12); }
static void m_ipopt_no_len(struct fr *f) { memset(f->b + 34, 1, 7), set8(f, 41, 148); }
static void m_ipopt_len_0(struct fr *f) { set8(f, 35, 0); }
static void v6_plen(struct fr *f, uint16_t v) { set16(f, 18, v); }
static void m_plen_10(struct fr *f) { v6_plen(f, 10); }
static void m_plen_100(struct fr *f) { v6_plen(f, 100); }
static void m_plen_0(struct fr *f) { v6_plen(f, 0); }
static void m_plen_0_short(struct fr *f) { v6_plen(f, 0), f->n = 64; }
static void m_v6_version_4(struct fr *f) { set8(f, 14, 0x42); }
static void m_plen_30(struct fr *f) { v6_plen(f, 30); }
static void m_plen_80(struct fr *f) { v6_plen(f, 80); }
static void m_plen_36(struct fr *f) { v6_plen(f, 36); }
static void m_routing_200(struct fr *f) { set8(f, 63, 200); }
static void m_routing_200_plen(struct fr *f) { set8(f, 63, 200), v6_plen(f, 8 + 1608 + 20); }
static void m_hbh_opt_10(struct fr *f) { set8(f, 57, 10); }
static void m_dst_opt_no_len(struct fr *f) { memset(f->b + 120, 0, 5), set8(f, 125, 1); }
static void m_ah_len_20(struct fr *f) { set8(f, 95, 20); }
static void m_ext_loop(struct fr *f)
{
	/* 17 destination options headers, each 8 bytes of padding, then TCP */
	uint8_t tcp_hdr[25];
	memcpy(tcp_hdr, f->b + 54, 25);
	set8(f, 20, 60);
	f->n = 54;
	for (int i = 0; i < 17; i++) {
		put8(f, i == 16 ? 6 : 60);
		put8(f, 0);
		put(f, "\x01\x04\0\0\0\0", 6);
	}
	put(f, tcp_hdr, sizeof tcp_hdr);
	v6_plen(f, (uint16_t)(f->n - 54));
}
static void m_doff_4(struct fr *f) { set8(f, 46, 0x40); }
static void m_doff_15(struct fr *f) { set8(f, 46, 0xf0); }
static void m_doff_15_wire(struct fr *f) { set8(f, 46, 0xf0), v4_total(f, 80); }
static void m_udp_len(struct fr *f, uint16_t v) { set16(f, f->l4 + 4, v); }
static void m_ulen_3(struct fr *f) { m_udp_len(f, 3); }
static void m_ulen_100(struct fr *f) { m_udp_len(f, 100); }
static void m_ulen_10(struct fr *f) { m_udp_len(f, 10); }
static void m_ulen_0(struct fr *f) { m_udp_len(f, 0); }
static void m_ulen_100_wire(struct fr *f) { m_udp_len(f, 100), v4_total(f, 120); }
static void m_padding(struct fr *f) { put(f, "\xaa\xbb\xcc\xdd\xee\xff", 6); }
static void m_eth_short(struct fr *f) { f->n = 10; }
static void m_vlan_short(struct fr *f)
{
	f->n = 12;
	put(f, "\x81\x00\x00\x64\x08", 5);
}
static void m_ip4_short(struct fr *f) { f->n = 24; }
static void m_ip6_short(struct fr *f) { f->n = 40; }
static void m_vlan_9(struct fr *f)
{
	uint8_t rest[64];
	size_t n = f->n - 12;
	memcpy(rest, f->b + 12, n);
	f->n = 12;
	for (int i = 0; i < 9; i++)
		put(f, "\x81\x00\x00\x05", 4);
	put(f, rest, n);
}

static const struct lcase lcases[] = {
	/* IPv4 total length */
	{ "IPv4 total length below its header", E4, m_total_19, 0, 0, PK_BAD, 0, 1,
	  "IPv4 total length 19 is shorter than its 20-byte header (at frame offset 14)", -1, -1 },
	{ "IPv4 total length too short for the TCP header (was: 'cut by the snap length')", E4, m_total_30, 0, 0, PK_BAD, 0, 1,
	  "IPv4 total length 30 is shorter than its 20-byte header plus the 20-byte TCP header it carries (at frame offset 14)", -1, -1 },
	{ "IPv4 total length too short for the TCP options", E4O, m_total_40, 0, 0, PK_TCP, 0, 1,
	  "IPv4 total length 40 is shorter than its 20-byte header plus the 32-byte TCP header it carries (at frame offset 14)", 0, 0 },
	{ "IPv4 total length short of the payload: the rest is padding", E4, m_total_42, 0, 0, PK_TCP, 0, 0, NULL, 2, 2 },
	{ "IPv4 total length larger than the frame", E4, m_total_100, 0, 0, PK_TCP, 0, 1,
	  "IPv4 total length 100 is larger than the 45 bytes the frame has from the IPv4 header on (at frame offset 14)", 5, 5 },
	{ "IPv4 total length larger than what was captured, on the wire", E4, m_total_100, 0, 55, PK_TCP, 1, 0, NULL, 60, 5 },
	{ "IPv4 total length 0 (offload): the rest of the frame", E4, m_total_0, 0, 0, PK_TCP, 0, 0, NULL, 5, 5 },
	{ "IPv4 total length 0 and a frame too short for TCP", E4, m_total_0_short, 0, 0, PK_BAD, 0, 1,
	  "IPv4 total length is 0 (taken as the rest of the frame), which leaves 10 bytes after the IP header, fewer than the 20-byte TCP header it carries (at frame offset 14)", -1, -1 },
	{ "IPv4 total length too short for the UDP header", E4U, m_total_24, 0, 0, PK_BAD, 0, 1,
	  "IPv4 total length 24 is shorter than its 20-byte header plus the 8-byte UDP header it carries (at frame offset 14)", -1, -1 },
	{ "Ethernet padding after the IPv4 datagram is not payload", E4E, m_padding, 0, 0, PK_TCP, 0, 0, NULL, 0, 0 },
	{ "Ethernet padding cut by the snap length", E4E, m_padding, -3, 0, PK_TCP, 1, 0, NULL, 0, 0 },
	/* IPv4 header length, version */
	{ "IPv4 header length below 20", E4, m_ihl_4, 0, 0, PK_BAD, 0, 1,
	  "IPv4 header length 16 is below 20 bytes (at frame offset 14)", -1, -1 },
	{ "IPv4 header length past the total length", E4, m_ihl_15, 0, 0, PK_BAD, 0, 1,
	  "IPv4 total length 45 is shorter than its 60-byte header (at frame offset 14)", -1, -1 },
	{ "IPv4 header length past the frame (total length 0)", E4, m_ihl_15_total_0, 0, 0, PK_BAD, 0, 1,
	  "IPv4 header length 60 runs past the end of the frame, which has 45 bytes from the IPv4 header on (at frame offset 14)", -1, -1 },
	{ "IPv4 header length past what was captured, on the wire", E4, m_ihl_15_total_100, 0, 55, PK_BAD, 1, 0,
	  "IPv4 options cut by the snap length", -1, -1 },
	{ "IPv4 version 6", E4, m_version_6, 0, 0, PK_BAD, 0, 1, "IP version 6 is not 4 (at frame offset 14)", -1, -1 },
	/* IPv4 options: malformed, and TCP still decoded (the header length says where it is) */
	{ "IPv4 option length 1", E4IO, m_ipopt_len_1, 0, 0, PK_TCP, 0, 1,
	  "IPv4 option 148 length 1 is below 2 (at frame offset 34)", 5, 5 },
	{ "IPv4 option length 0", E4IO, m_ipopt_len_0, 0, 0, PK_TCP, 0, 1,
	  "IPv4 option 148 length 0 is below 2 (at frame offset 34)", 5, 5 },
	{ "IPv4 option length past the header", E4IO, m_ipopt_len_12, 0, 0, PK_TCP, 0, 1,
	  "IPv4 option 148 length 12 runs past the end of the IPv4 header, which leaves 8 bytes for it (at frame offset 34)", 5, 5 },
	{ "IPv4 option without its length byte", E4IO, m_ipopt_no_len, 0, 0, PK_TCP, 0, 1,
	  "IPv4 option 148 has no length byte before the end of the IPv4 header (at frame offset 41)", 5, 5 },
	/* IPv6 payload length, version */
	{ "IPv6 payload length too short for the TCP header", E6, m_plen_10, 0, 0, PK_BAD, 0, 1,
	  "IPv6 payload length 10 is shorter than the 20-byte TCP header it carries (at frame offset 14)", -1, -1 },
	{ "IPv6 payload length larger than the frame", E6, m_plen_100, 0, 0, PK_TCP, 0, 1,
	  "IPv6 payload length 100 is larger than the 25 bytes the frame has after the IPv6 header (at frame offset 14)", 5, 5 },
	{ "IPv6 payload length larger than what was captured, on the wire", E6, m_plen_100, 0, 75, PK_TCP, 1, 0, NULL, 80, 5 },
	{ "IPv6 payload length 0 (jumbogram, offload): the rest of the frame", E6, m_plen_0, 0, 0, PK_TCP, 0, 0, NULL, 5, 5 },
	{ "IPv6 payload length 0 and a frame too short for TCP", E6, m_plen_0_short, 0, 0, PK_BAD, 0, 1,
	  "IPv6 payload length is 0 (taken as the rest of the frame), which leaves 10 bytes after the IP header, fewer than the 20-byte TCP header it carries (at frame offset 14)", -1, -1 },
	{ "IPv6 version 4", E6, m_v6_version_4, 0, 0, PK_BAD, 0, 1, "IP version 4 is not 6 (at frame offset 14)", -1, -1 },
	/* IPv6 extension headers */
	{ "IPv6 payload length ends inside the extension headers", E6X, m_plen_30, 0, 0, PK_BAD, 0, 1,
	  "IPv6 routing header length 2 (24 bytes) runs past the 22 bytes the IPv6 payload length leaves for it (at frame offset 62)", -1, -1 },
	{ "IPv6 payload length ends inside the fragment header", E6X, m_plen_36, 0, 0, PK_BAD, 0, 1,
	  "IPv6 fragment header runs past the 4 bytes the IPv6 payload length leaves for it (at frame offset 86)", -1, -1 },
	{ "IPv6 payload length too short for TCP after the extension headers", E6X, m_plen_80, 0, 0, PK_BAD, 0, 1,
	  "IPv6 payload length 80 is shorter than its 72 bytes of extension headers plus the 20-byte TCP header it carries (at frame offset 14)", -1, -1 },
	{ "IPv6 routing header length past the payload length", E6X, m_routing_200, 0, 0, PK_BAD, 0, 1,
	  "IPv6 routing header length 200 (1608 bytes) runs past the 89 bytes the IPv6 payload length leaves for it (at frame offset 62)", -1, -1 },
	{ "IPv6 routing header length past what was captured, on the wire", E6X, m_routing_200_plen, 0, 8 + 1608 + 20 - 97, PK_BAD, 1, 0,
	  "IPv6 extension header cut by the snap length", -1, -1 },
	{ "IPv6 AH length past the payload length", E6X, m_ah_len_20, 0, 0, PK_BAD, 0, 1,
	  "IPv6 authentication header length 20 (88 bytes) runs past the 57 bytes the IPv6 payload length leaves for it (at frame offset 94)", -1, -1 },
	{ "IPv6 hop-by-hop option length past its header", E6X, m_hbh_opt_10, 0, 0, PK_TCP, 0, 1,
	  "IPv6 hop-by-hop option 5 length 10 runs past the end of its header, which leaves 4 bytes for it (at frame offset 56)", 5, 5 },
	{ "IPv6 destination option without its length byte", E6X, m_dst_opt_no_len, 0, 0, PK_TCP, 0, 1,
	  "IPv6 destination option 1 has no length byte before the end of its header (at frame offset 125)", 5, 5 },
	{ "more than 16 IPv6 extension headers", E6, m_ext_loop, 0, 0, PK_BAD, 0, 1,
	  "more than 16 IPv6 extension headers (at frame offset 190)", -1, -1 },
	/* TCP data offset */
	{ "TCP data offset below 5", E4, m_doff_4, 0, 0, PK_TCP, 0, 1,
	  "TCP data offset 4 (16 bytes) is below the minimum 5 (20 bytes) (at frame offset 34)", 0, -1 },
	{ "TCP data offset past the IP payload", E4, m_doff_15, 0, 0, PK_TCP, 0, 1,
	  "IPv4 total length 45 is shorter than its 20-byte header plus the 60-byte TCP header it carries (at frame offset 14)", 0, -1 },
	{ "TCP data offset past what was captured, on the wire", E4E, m_doff_15_wire, 0, 40, PK_TCP, 1, 0,
	  "TCP options cut by the snap length", 0, 0 },
	/* UDP length */
	{ "UDP length below 8", E4U, m_ulen_3, 0, 0, PK_UDP, 0, 1,
	  "UDP length 3 is shorter than its 8-byte header (at frame offset 34)", 5, 5 },
	{ "UDP length larger than the IP payload", E4U, m_ulen_100, 0, 0, PK_UDP, 0, 1,
	  "UDP length 100 is larger than the 13 bytes the IPv4 total length leaves for it (at frame offset 34)", 5, 5 },
	{ "UDP length larger than the IPv6 payload", E6U, m_ulen_100, 0, 0, PK_UDP, 0, 1,
	  "UDP length 100 is larger than the 13 bytes the IPv6 payload length leaves for it (at frame offset 54)", 5, 5 },
	{ "UDP length larger than what was captured, on the wire", E4U, m_ulen_100_wire, 0, 87, PK_UDP, 1, 0, NULL, 92, 5 },
	{ "UDP length short of the IP payload: the rest is not UDP's", E4U, m_ulen_10, 0, 0, PK_UDP, 0, 0, NULL, 2, 2 },
	{ "UDP length 0: the IP payload", E4U, m_ulen_0, 0, 0, PK_UDP, 0, 0, NULL, 5, 5 },
	/* link layer */
	{ "Ethernet frame shorter than its header", E4, m_eth_short, 0, 0, PK_BAD, 0, 1,
	  "Ethernet header runs past the end of the 10-byte frame (at frame offset 0)", -1, -1 },
	{ "VLAN tag past the frame", E4, m_vlan_short, 0, 0, PK_BAD, 0, 1,
	  "VLAN tag runs past the end of the 17-byte frame (at frame offset 14)", -1, -1 },
	{ "9 VLAN tags", E4, m_vlan_9, 0, 0, PK_OTHER, 0, 0, NULL, -1, -1 },
	{ "frame ends inside the IPv4 header", E4, m_ip4_short, 0, 0, PK_BAD, 0, 1,
	  "IPv4 header runs past the end of the 24-byte frame (at frame offset 14)", -1, -1 },
	{ "frame ends inside the IPv6 header", E6, m_ip6_short, 0, 0, PK_BAD, 0, 1,
	  "IPv6 header runs past the end of the 40-byte frame (at frame offset 14)", -1, -1 },
};
#define N_LCASES (sizeof lcases / sizeof lcases[0])

static void test_lengths(void)
{
	for (size_t i = 0; i < N_LCASES; i++) {
		const struct lcase *lc = &lcases[i];
		struct fr f;
		lbuild(&f, lc->spec);
		lc->mut(&f);
		size_t caplen = (size_t)((long)f.n + lc->cap_delta);
		size_t wirelen = (size_t)((long)f.n + lc->wire_delta);
		struct dec d;
		begin();
		dec_frame(&d, &f, caplen, wirelen);
		expect_verdict(lc->name, &d, lc->kind, lc->truncated, lc->malformed, lc->why);
		if (lc->len >= 0)
			EXPECT(d.pk.len == (uint32_t)lc->len, "len %u, expected %ld", d.pk.len, lc->len);
		if (lc->caplen >= 0)
			EXPECT(d.pk.caplen == (uint32_t)lc->caplen, "caplen %u, expected %ld", d.pk.caplen, lc->caplen);
		if (lc->kind == PK_TCP || lc->kind == PK_UDP)
			EXPECT(d.pk.sport == (lc->kind == PK_TCP ? 40000 : 5353), "sport %u", d.pk.sport);
		dec_done(&d);
		/* the same frame cut at every byte is never malformed by the cut alone: what a
		 * cut hides cannot contradict anything */
		if (!lc->malformed) {
			for (size_t c = 0; c < caplen; c++) {
				dec_frame(&d, &f, c, wirelen);
				EXPECT(!d.pk.malformed, "cut at %zu: malformed: %s", c, why_of(&d.pk));
				EXPECT(d.pk.truncated, "cut at %zu: not truncated", c);
				dec_done(&d);
			}
		}
		char name[200];
		snprintf(name, sizeof name, "decode length: %s", lc->name);
		end(name);
	}
}

/* ------------------------------------------------------------------ TCP option lengths */

/* For every option kind: length 1 and 0 (below 2), a length past the header, the kind
 * as the header's last byte (no length byte), a length wrong for the kind (bad, not
 * malformed: it fits), and the option cut by the snap length (neither). The option
 * sits after NOPs at the end of a 12-byte options area (frame offsets 54..65). */
static void test_tcp_option_lengths(void)
{
	static const uint8_t kinds[] = { 2, 3, 4, 5, 8, 30, 34 };
	static const uint8_t good_len[] = { 4, 3, 2, 10, 10, 4, 6 };
	for (size_t k = 0; k < sizeof kinds; k++) {
		uint8_t kind = kinds[k];
		begin();
		for (int v = 0; v < 6; v++) {
			uint8_t opts[12];
			memset(opts, 1, sizeof opts);
			size_t at = sizeof opts - good_len[k]; /* the option fills the end of the area */
			opts[at] = kind;
			opts[at + 1] = good_len[k];
			for (size_t i = at + 2; i < sizeof opts; i++)
				opts[i] = (uint8_t)(0x10 + i);
			const char *what = "";
			char w[200] = "";
			long wire_delta = 0, cap_delta = 0;
			int malformed = 1, truncated = 0, bad = 1;
			switch (v) {
			case 0:
				what = "length 1";
				opts[at + 1] = 1;
				snprintf(w, sizeof w, "TCP option %u length 1 is below 2 (at frame offset %zu)", kind, 54 + at);
				break;
			case 1:
				what = "length 0";
				opts[at + 1] = 0;
				snprintf(w, sizeof w, "TCP option %u length 0 is below 2 (at frame offset %zu)", kind, 54 + at);
				break;
			case 2:
				what = "length past the header";
				opts[at + 1] = (uint8_t)(good_len[k] + 1);
				snprintf(w, sizeof w,
					 "TCP option %u length %u runs past the end of the TCP header, which leaves %u bytes for it (at frame offset %zu)",
					 kind, good_len[k] + 1, good_len[k], 54 + at);
				break;
			case 3:
				what = "no length byte";
				memset(opts, 1, sizeof opts);
				at = sizeof opts - 1;
				opts[at] = kind;
				snprintf(w, sizeof w, "TCP option %u has no length byte before the end of the TCP header (at frame offset %zu)",
					 kind, 54 + at);
				break;
			case 4:
				what = "cut by the snap length";
				cap_delta = -1;
				malformed = 0, truncated = 1, bad = 0;
				snprintf(w, sizeof w, "TCP options cut by the snap length");
				break;
			case 5:
				/* a length that fits but is wrong for the kind: the option is bad, the
				 * packet is not malformed (its lengths agree) */
				what = "wrong length for its kind";
				if (kind == 4 || kind == 5 || kind == 30 || kind == 34)
					continue; /* any length is right for these */
				memset(opts, 1, sizeof opts);
				at = sizeof opts - good_len[k] - 1;
				opts[at] = kind;
				opts[at + 1] = (uint8_t)(good_len[k] + 1);
				malformed = 0;
				break;
			}
			struct fr f;
			link_hdr(&f, LT_ETHERNET, 4, 0, 0);
			ipv4(&f, 6, NULL, 0);
			tcp(&f, opts, sizeof opts, TH_ACK, "");
			finish(&f);
			struct dec d;
			dec_frame(&d, &f, (size_t)((long)f.n + cap_delta), (size_t)((long)f.n + wire_delta));
			char ctx[128];
			snprintf(ctx, sizeof ctx, "option %u %s", kind, what);
			expect_verdict(ctx, &d, PK_TCP, truncated, malformed, w[0] ? w : NULL);
			EXPECT(d.pk.opt.bad == bad, "%s: bad %u, expected %d", ctx, d.pk.opt.bad, bad);
			EXPECT(d.pk.tcp_hlen == 32 && d.pk.seq == 0x01020304, "%s: header %u seq %#x", ctx, d.pk.tcp_hlen, d.pk.seq);
			/* what a bad option stands for is not taken */
			EXPECT(!(bad && (d.pk.opt.mss || d.pk.opt.wscale != -1 || d.pk.opt.has_ts)), "%s: a bad option's value was used", ctx);
			dec_done(&d);
		}
		char name[96];
		snprintf(name, sizeof name, "decode TCP option %u: lengths 0, 1, past the header, none, cut, wrong for its kind", kind);
		end(name);
	}
}

/* ------------------------------------------------------------------ fragments */

/* An IPv4 fragment of datagram id carrying bytes [off, off + n) of a UDP datagram. */
static void frag4(struct fr *f, uint16_t id, const uint8_t *dg, size_t off, size_t n, int more)
{
	link_hdr(f, LT_ETHERNET, 4, 0, 0);
	ipv4(f, 17, NULL, 0);
	set16(f, 18, id);
	set16(f, 20, (uint16_t)((more ? 0x2000 : 0) | off / 8));
	put(f, dg + off, n);
	set16(f, 16, (uint16_t)(f->n - 14));
}

static void frag6(struct fr *f, uint32_t id, const uint8_t *dg, size_t off, size_t n, int more)
{
	link_hdr(f, LT_ETHERNET, 6, 0, 0);
	ipv6(f, 44, 0);
	put8(f, 17);
	put8(f, 0);
	put16(f, (uint16_t)(off | (more ? 1 : 0)));
	put32(f, id);
	put(f, dg + off, n);
	set16(f, 18, (uint16_t)(f->n - 54));
}

static void test_fragments(void)
{
	uint8_t dg[64];
	memset(dg, 0, sizeof dg);
	/* a UDP datagram of 40 bytes: header + 32 bytes */
	dg[0] = 0x14, dg[1] = 0xe9, dg[2] = 0, dg[3] = 53, dg[4] = 0, dg[5] = 40;
	for (int i = 8; i < 40; i++)
		dg[i] = (uint8_t)('A' + i);
	for (int v6 = 0; v6 < 2; v6++) {
		begin();
		struct ipfrag *fq = ipfrag_new();
		struct fr a, b;
		if (v6) {
			frag6(&a, 77, dg, 0, 24, 1);
			frag6(&b, 77, dg, 24, 16, 0);
		} else {
			frag4(&a, 77, dg, 0, 24, 1);
			frag4(&b, 77, dg, 24, 16, 0);
		}
		struct dec d;
		dec_run(&d, a.b, a.n, a.n, a.lt, fq, 1);
		expect_verdict("first fragment", &d, PK_FRAGMENT, 0, 0, NULL);
		dec_done(&d);
		dec_run(&d, b.b, b.n, b.n, b.lt, fq, 2);
		expect_verdict("last fragment", &d, PK_UDP, 0, 0, NULL);
		EXPECT(d.pk.reassembled && d.pk.sport == 5353 && d.pk.dport == 53, "rebuilt: reassembled %u ports %u %u",
		       d.pk.reassembled, d.pk.sport, d.pk.dport);
		EXPECT(d.pk.len == 32 && d.pk.caplen == 32 && memcmp(d.pk.payload, dg + 8, 32) == 0, "rebuilt: payload %u/%u",
		       d.pk.len, d.pk.caplen);
		dec_done(&d);
		/* the first fragment cut by the snap length is not offered: the last one then
		 * completes nothing */
		dec_run(&d, a.b, a.n - 1, a.n, a.lt, fq, 3);
		expect_verdict("first fragment cut", &d, PK_FRAGMENT, 1, 0, NULL);
		dec_done(&d);
		dec_run(&d, b.b, b.n, b.n, b.lt, fq, 4);
		expect_verdict("last fragment after a cut first one", &d, PK_FRAGMENT, 0, 0, NULL);
		dec_done(&d);
		/* a rebuilt datagram whose UDP length passes its end */
		uint8_t dg2[64];
		memcpy(dg2, dg, sizeof dg2);
		dg2[5] = 100;
		if (v6) {
			frag6(&a, 78, dg2, 0, 24, 1);
			frag6(&b, 78, dg2, 24, 16, 0);
		} else {
			frag4(&a, 78, dg2, 0, 24, 1);
			frag4(&b, 78, dg2, 24, 16, 0);
		}
		dec_run(&d, a.b, a.n, a.n, a.lt, fq, 5);
		dec_done(&d);
		dec_run(&d, b.b, b.n, b.n, b.lt, fq, 6);
		expect_verdict("rebuilt, UDP length too long", &d, PK_UDP, 0, 1,
			       "UDP length 100 is larger than the 40-byte datagram rebuilt from fragments (at byte 0 of the datagram rebuilt from fragments)");
		dec_done(&d);
		/* a rebuilt TCP segment shorter than a TCP header: 16 bytes in two fragments */
		uint8_t seg[16] = { 0x9c, 0x40, 0, 80, 1, 2, 3, 4, 5, 6, 7, 8, 0x50, 0x10, 0, 0 };
		if (v6) {
			frag6(&a, 79, seg, 0, 8, 1);
			frag6(&b, 79, seg, 8, 8, 0);
			a.b[54] = b.b[54] = 6; /* the fragment header's next header: TCP */
		} else {
			frag4(&a, 79, seg, 0, 8, 1);
			frag4(&b, 79, seg, 8, 8, 0);
			a.b[23] = b.b[23] = 6;
		}
		dec_run(&d, a.b, a.n, a.n, a.lt, fq, 7);
		expect_verdict("TCP first fragment", &d, PK_FRAGMENT, 0, 0, NULL);
		dec_done(&d);
		dec_run(&d, b.b, b.n, b.n, b.lt, fq, 8);
		expect_verdict("rebuilt TCP too short", &d, PK_BAD, 0, 1,
			       "the datagram rebuilt from fragments has 16 bytes, fewer than the 20-byte TCP header it carries (at byte 0 of the datagram rebuilt from fragments)");
		dec_done(&d);
		ipfrag_free(fq);
		end(v6 ? "decode IPv6 fragments: rebuilt, cut, UDP length past the rebuilt datagram, TCP header past it"
		       : "decode IPv4 fragments: rebuilt, cut, UDP length past the rebuilt datagram, TCP header past it");
	}
}

int main(void)
{
	test_whole();
	test_cuts();
	test_link_short();
	test_lengths();
	test_tcp_option_lengths();
	test_fragments();
	return fails ? 1 : 0;
}
