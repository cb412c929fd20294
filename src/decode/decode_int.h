/* decode_int.h: what the decode/ files share.
 *
 * Every layer reads through a struct rd that knows two lengths (base/rd.h): the bytes
 * captured and the bytes the enclosing header claims. The frame claims its wire
 * length; an IP header claims its total (payload) length; the transport layer gets a
 * sub-reader claiming exactly what IP says it carries; an option claims its length.
 * A read that fails RD_TRUNC is a header cut by the snap length (pk->truncated); one
 * that fails RD_BAD contradicts a length of the packet itself (pk->malformed, with a
 * why naming the field and where in the frame it is). */
#ifndef CHATTCP_DECODE_INT_H
#define CHATTCP_DECODE_INT_H

#include "pkt.h"

#include "../base/rd.h"

enum { ETH_IPV4 = 0x0800, ETH_ARP = 0x0806, ETH_IPV6 = 0x86dd };

/* What the IP layer said about the transport bytes it carries, so a transport header
 * that does not fit can name the IP field it contradicts. */
struct l3_claim {
	const char *field; /* "IPv4 total length", "IPv6 payload length"; NULL: a datagram
			    * rebuilt from fragments (its length is what the fragments made) */
	uint32_t value;    /* the field's value; 0: the frame's length was taken instead
			    * (segmentation offload, IPv6 jumbogram) */
	uint32_t hdr;      /* bytes the field counts before the transport header: the
			    * IPv4 header (ipver 4), IPv6 extension headers (ipver 6) */
	uint8_t ipver;
	uint32_t ip_off;   /* frame offset of the IP header (the field's header) */
	uint32_t l4_off;   /* frame offset of the transport header (0 when rebuilt) */
};

/* Each reads its header from r (positioned at it; r's offsets are frame offsets) and
 * fills pk; 0 to go on, -1 when the packet ends here (pk->kind / pk->other say why). */
int decode_link(struct pkt *pk, struct rd *r);
int decode_ipv4(struct pkt *pk, struct rd *r, struct ipfrag *frag);
int decode_ipv6(struct pkt *pk, struct rd *r, struct ipfrag *frag);
/* r claims exactly the transport header + payload the IP layer says it carries and
 * holds what was captured of them (Ethernet padding is not in it). */
int decode_transport(struct pkt *pk, struct rd *r, const struct l3_claim *l3);

/* A header (what: "TCP header") cut by the snap length: marks pk truncated; the why
 * is kept only when none is set yet. */
void decode_cut(struct pkt *pk, const char *what);
/* A length that contradicts another: marks pk malformed and tells why, followed by
 * "(at frame offset OFF)" (in a rebuilt datagram: "(at byte OFF of the datagram
 * rebuilt from fragments)"). Only the first contradiction is told. */
void decode_bad(struct pkt *pk, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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
