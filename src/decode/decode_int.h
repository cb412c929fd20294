/* decode_int.h: what the decode/ files share. */
#ifndef CHATTCP_DECODE_INT_H
#define CHATTCP_DECODE_INT_H

#include "pkt.h"

#include "../base/rd.h"

enum { ETH_IPV4 = 0x0800, ETH_ARP = 0x0806, ETH_IPV6 = 0x86dd };

/* Each reads its header from r (positioned at it) and fills pk; 0 to go on, -1 when
 * the packet ends here (pk->kind / pk->other say why). */
int decode_link(struct pkt *pk, struct rd *r);
int decode_ipv4(struct pkt *pk, struct rd *r, struct ipfrag *frag);
int decode_ipv6(struct pkt *pk, struct rd *r, struct ipfrag *frag);
/* r covers exactly the transport header + payload the IP layer claims to carry
 * (captured part); claimed is the IP layer's length for it. */
int decode_transport(struct pkt *pk, struct rd *r, uint32_t claimed);
void decode_tcp_options(struct tcp_opts *o, const uint8_t *p, size_t n);

/* Fragment reassembly: offers one fragment; returns 1 when the datagram is complete,
 * with *out and *out_len its transport bytes (valid until the next call). */
struct frag_key {
	struct ipaddr src, dst;
	uint32_t id;
	uint8_t proto;
};
int ipfrag_add(struct ipfrag *f, const struct frag_key *k, uint32_t frame, uint32_t off, int more,
	       const uint8_t *data, uint32_t len, const uint8_t **out, uint32_t *out_len);

#endif
