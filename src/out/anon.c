/* anon.c: the rewrite of one frame for a shared lesson (see anon.h). Checksums are
 * computed again over the whole segment when it was captured whole; a frame cut by the
 * snap length gets the incremental update of RFC 1624 instead (only the addresses and
 * ports changed, so the old sum, right or wrong, is carried over exactly). */
#include "anon.h"


#include <stdio.h>
#include <string.h>

void anon_init(struct anon *a, int blank)
{
	memset(a, 0, sizeof *a);
	a->blank = blank;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The one's-complement sum of p[0..n) added to sum (not folded). */
static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

int anon_addr(struct anon *a, const struct ipaddr *in, struct ipaddr *out)
{
	size_t i;
	for (i = 0; i < a->n_addr; i++)
		if (!ipaddr_cmp(&a->from[i], in))
			break;
	if (i == a->n_addr) {
		if (i == ANON_MAX)
			return -1;
		a->from[i] = *in;
		a->ord[i] = (uint16_t)(in->family == 6 ? ++a->n_v6 : ++a->n_v4);
		a->n_addr++;
	}
	memset(out, 0, sizeof *out);
	out->family = in->family;
	unsigned n = a->ord[i];
	if (in->family == 6) {
		static const uint8_t doc[4] = { 0x20, 0x01, 0x0d, 0xb8 };
		memcpy(out->a, doc, 4);
		out->a[14] = (uint8_t)(n >> 8);
		out->a[15] = (uint8_t)n;
	} else {
		out->a[0] = 10;
		out->a[2] = (uint8_t)(n >> 8);
		out->a[3] = (uint8_t)n;
	}
	return 0;
}

uint16_t anon_port(struct anon *a, uint16_t port)
{
	if (port == 0)
		return 0;
	for (size_t k = 0; k < sizeof a->keep_port / sizeof a->keep_port[0]; k++)
		if (a->keep_port[k] == port)
			return port;
	for (size_t i = 0; i < a->n_port; i++)
		if (a->port_from[i] == port)
			return a->port_to[i];
	if (a->n_port == ANON_MAX)
		return 0;
	a->port_from[a->n_port] = port;
	a->port_to[a->n_port] = (uint16_t)(40001 + a->n_port);
	return a->port_to[a->n_port++];
}

static int anon_mac(struct anon *a, uint8_t *m)
{
	if (m[0] & 1) /* broadcast, multicast: says nothing about a host */
		return 0;
	size_t i;
	for (i = 0; i < a->n_mac; i++)
		if (!memcmp(a->mac_from[i], m, 6))
			break;
	if (i == a->n_mac) {
		if (i == ANON_MAX)
			return -1;
		memcpy(a->mac_from[i], m, 6);
		a->n_mac++;
	}
	static const uint8_t local[4] = { 0x02, 0, 0, 0 };
	memcpy(m, local, 4);
	m[4] = (uint8_t)((i + 1) >> 8);
	m[5] = (uint8_t)(i + 1);
	return 0;
}

/* The link-layer addresses of the frame: Ethernet's two, Linux cooked capture's one. */
static int anon_link(struct anon *a, const struct pkt *pk, uint8_t *buf, uint32_t caplen)
{
	switch (pk->rec.linktype) {
	case LT_ETHERNET:
		if (caplen >= 12 && (anon_mac(a, buf) < 0 || anon_mac(a, buf + 6) < 0))
			return -1;
		return 0;
	case LT_LINUX_SLL: /* type, ARPHRD, address length, address[8] */
		if (caplen >= 14 && get16(buf + 4) == 6 && anon_mac(a, buf + 6) < 0)
			return -1;
		return 0;
	case LT_LINUX_SLL2: /* protocol, reserved, ifindex, ARPHRD, type, address length, address[8] */
		if (caplen >= 20 && buf[11] == 6 && anon_mac(a, buf + 12) < 0)
			return -1;
		return 0;
	default:
		return 0;
	}
}

static void set_addr(struct anon *a, uint8_t *p, const struct ipaddr *orig, uint32_t *sum_old, uint32_t *sum_new)
{
	struct ipaddr to;
	size_t n = orig->family == 6 ? 16 : 4;
	anon_addr(a, orig, &to);
	*sum_old = sum_bytes(*sum_old, p, n);
	memcpy(p, to.a, n);
	*sum_new = sum_bytes(*sum_new, p, n);
}

int anon_frame(struct anon *a, const struct pkt *pk, uint8_t *buf, uint32_t caplen, char *why, size_t why_n)
{
	if (pk->kind != PK_TCP && pk->kind != PK_UDP) {
		snprintf(why, why_n, "frame %u is not TCP or UDP", pk->frame);
		return -1;
	}
	if (pk->reassembled || pk->n_layer) {
		snprintf(why, why_n, "frame %u is %s, which lesson does not rewrite", pk->frame,
			 pk->reassembled ? "an IP fragment" : "inside a tunnel");
		return -1;
	}
	if (a->n_addr + 2 > ANON_MAX || a->n_port + 2 > ANON_MAX || a->n_mac + 2 > ANON_MAX) {
		snprintf(why, why_n, "more than %d addresses, ports or MACs: not one conversation", ANON_MAX);
		return -1;
	}
	if (anon_link(a, pk, buf, caplen) < 0)
		return -1;
	uint32_t l3 = pk->l3_off, l4 = pk->l4_off;
	uint32_t hl = pk->kind == PK_TCP ? 20 : 8;
	if (l4 < l3 || (uint64_t)l4 + hl > caplen) {
		snprintf(why, why_n, "frame %u: its %s header was not captured whole", pk->frame,
			 pk->kind == PK_TCP ? "TCP" : "UDP");
		return -1;
	}
	uint32_t sum_old = 0, sum_new = 0, l4_len;
	if (pk->ipver == 4) {
		uint32_t ihl = (uint32_t)(buf[l3] & 15) * 4;
		set_addr(a, buf + l3 + 12, &pk->src, &sum_old, &sum_new);
		set_addr(a, buf + l3 + 16, &pk->dst, &sum_old, &sum_new);
		put16(buf + l3 + 10, 0);
		put16(buf + l3 + 10, (uint16_t)~fold(sum_bytes(0, buf + l3, ihl)));
		uint32_t tot = get16(buf + l3 + 2);
		l4_len = tot > l4 - l3 ? tot - (l4 - l3) : 0;
	} else {
		set_addr(a, buf + l3 + 8, &pk->src, &sum_old, &sum_new);
		set_addr(a, buf + l3 + 24, &pk->dst, &sum_old, &sum_new);
		uint32_t plen = get16(buf + l3 + 4) + 40;
		l4_len = plen > l4 - l3 ? plen - (l4 - l3) : 0;
	}
	sum_old = sum_bytes(sum_old, buf + l4, 4);
	put16(buf + l4, anon_port(a, pk->sport));
	put16(buf + l4 + 2, anon_port(a, pk->dport));
	sum_new = sum_bytes(sum_new, buf + l4, 4);
	uint32_t pay = (uint32_t)(pk->payload - pk->rec.data);
	if (a->blank && pk->payload && pay <= caplen)
		memset(buf + pay, 0, caplen - pay);
	uint32_t csum_at = l4 + (pk->kind == PK_TCP ? 16 : 6);
	uint16_t old = get16(buf + csum_at);
	if (pk->kind == PK_UDP && old == 0 && pk->ipver == 4)
		return 0; /* no checksum was sent (allowed for UDP over IPv4 only) */
	uint16_t nsum;
	if (l4_len && (uint64_t)l4 + l4_len <= caplen) {
		/* the whole segment: the pseudo-header (RFC 793 3.1, RFC 8200 8.1), then it */
		uint32_t s = 0;
		size_t an = pk->ipver == 4 ? 4 : 16;
		s = sum_bytes(s, buf + l3 + (pk->ipver == 4 ? 12 : 8), an);
		s = sum_bytes(s, buf + l3 + (pk->ipver == 4 ? 16 : 24), an);
		s += pk->ipproto;
		s += l4_len;
		put16(buf + csum_at, 0);
		s = sum_bytes(s, buf + l4, l4_len);
		nsum = (uint16_t)~fold(s);
		if (pk->kind == PK_UDP && nsum == 0)
			nsum = 0xffff;
	} else {
		/* cut by the snap length: HC' = ~(~HC + ~m + m') (RFC 1624 eqn. 3), per word */
		uint32_t s = (uint16_t)~old;
		s += (uint32_t)fold(sum_old) ^ 0xffff;
		s += fold(sum_new);
		nsum = (uint16_t)~fold(s);
	}
	put16(buf + csum_at, nsum);
	return 0;
}
