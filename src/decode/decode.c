/* decode.c: one record: the link layer, then the chain of encap.c (IP, tunnels, TCP/UDP). */
#include "decode_int.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void decode_cut(struct pkt *pk, const char *what)
{
	pk->truncated = 1;
	if (pk->why)
		return;
	snprintf(pk->why_buf, sizeof pk->why_buf, "%s cut by the snap length", what);
	pk->why = pk->why_buf;
}

void decode_bad(struct pkt *pk, size_t off, const char *fmt, ...)
{
	if (pk->malformed)
		return; /* the first contradiction is the one to tell: later ones may follow from it */
	pk->malformed = 1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(pk->why_buf, sizeof pk->why_buf, fmt, ap);
	va_end(ap);
	size_t used = n < 0 ? 0 : (size_t)n < sizeof pk->why_buf ? (size_t)n : sizeof pk->why_buf - 1;
	if (pk->reassembled)
		snprintf(pk->why_buf + used, sizeof pk->why_buf - used, " (at byte %zu of the datagram rebuilt from fragments)",
			 off);
	else
		snprintf(pk->why_buf + used, sizeof pk->why_buf - used, " (at frame offset %zu)", off);
	pk->why = pk->why_buf;
}

int decode_packet(const struct cap_rec *rec, uint32_t frame, struct pkt *pk, struct ipfrag *frag)
{
	memset(pk, 0, offsetof(struct pkt, why_buf));
	pk->rec = *rec;
	pk->frame = frame;
	pk->opt.wscale = -1;
	/* The frame claims its wire length and holds what was captured of it. The capture
	 * reader keeps wirelen >= caplen; a record made by hand that does not is read as
	 * the capture reader would (all captured bytes are the frame). */
	uint32_t wire = rec->wirelen < rec->caplen ? rec->caplen : rec->wirelen;
	if (rec->caplen < wire)
		pk->truncated = 1;
	struct rd r = rd_make_claimed(rec->data, rec->caplen, wire);
	if (decode_link(pk, &r) < 0) {
		if (!pk->kind)
			pk->kind = rd_ok(&r) ? PK_OTHER : PK_BAD;
		return pk->kind;
	}
	struct dctx cx;
	cx.frag = frag;
	cx.base = rec->data;
	cx.ns = NX_ETHERTYPE;
	cx.type = pk->ethertype;
	cx.r = r;
	cx.carrier.set = 0;
	return decode_chain(pk, &cx);
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
