/* decode.c: the decoding chain for one record: link layer, then IP, then TCP/UDP. */
#include "decode_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int decode_packet(const struct cap_rec *rec, uint32_t frame, struct pkt *pk, struct ipfrag *frag)
{
	memset(pk, 0, sizeof *pk);
	pk->rec = *rec;
	pk->frame = frame;
	pk->opt.wscale = -1;
	if (rec->caplen < rec->wirelen)
		pk->truncated = 1;
	struct rd r = rd_make(rec->data, rec->caplen);
	if (decode_link(pk, &r) < 0) {
		pk->kind = PK_OTHER;
		if (!rd_ok(&r)) {
			pk->kind = PK_BAD;
			pk->why = "link-layer header cut short";
		}
		return pk->kind;
	}
	switch (pk->ethertype) {
	case ETH_IPV4:
		decode_ipv4(pk, &r, frag);
		break;
	case ETH_IPV6:
		decode_ipv6(pk, &r, frag);
		break;
	case ETH_ARP:
		pk->kind = PK_OTHER;
		pk->other = "ARP";
		break;
	case 0x8863: case 0x8864:
		pk->kind = PK_OTHER;
		pk->other = "PPPoE";
		break;
	case 0x88cc:
		pk->kind = PK_OTHER;
		pk->other = "LLDP";
		break;
	default:
		pk->kind = PK_OTHER;
		pk->other = "other ethertype";
		break;
	}
	return pk->kind;
}

const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t n)
{
	if (a->family == 4)
		inet_ntop(AF_INET, a->a, buf, (socklen_t)n);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->a, buf, (socklen_t)n);
	else
		snprintf(buf, n, "?");
	return buf;
}

int ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, x->family == 4 ? 4 : 16);
}
