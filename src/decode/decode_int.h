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

/* What names the next header once a header is read: the decoding chain (encap.c)
 * looks the pair (space, type) up in its table of decoders. */
enum nx_space {
	NX_END = 0,    /* nothing follows that we decode */
	NX_ETHERTYPE,  /* an ethertype (Ethernet, GRE, Geneve, PPPoE via PPP, 802.11 SNAP) */
	NX_IPPROTO,    /* an IP protocol number (IPv4 protocol, IPv6 next header) */
	NX_UDPPORT,    /* a UDP port (the tunnels registered on one) */
};

/* The state of the decoding chain for one packet. Offsets in r count from base: the
 * frame, or a datagram rebuilt from fragments (then frag is NULL: a fragment inside it
 * is not offered, since the rebuilt bytes must outlive the rest of the decoding). */
struct dctx {
	struct ipfrag *frag;
	const uint8_t *base;
	uint8_t ns;        /* enum nx_space of the next header */
	uint16_t type;     /* its ethertype, IP protocol or UDP port */
	struct rd r;       /* positioned at the next header */
	/* The innermost UDP datagram that carries a tunnel, as pk described it before the
	 * tunnel was read (decode_transport saves it): the packet falls back to it when
	 * what the tunnel carries is not TCP or UDP. */
	struct udp_carrier {
		uint8_t set;
		uint8_t n_layer;   /* pk->n_layer before its IP and UDP layers were pushed */
		uint8_t ipver, ipproto, ttl, tos, reassembled;
		uint16_t ip_id, sport, dport, l3_off, l4_off;
		struct ipaddr src, dst;
		const uint8_t *l4, *payload;
		uint32_t l4_caplen, len, caplen;
	} carrier;
};

/* Hands the chain the next header: named (ns, type), at offset off from cx->base, with
 * `have` bytes there of the `claim` bytes its container says it has. */
void decode_next(struct dctx *cx, uint8_t ns, uint16_t type, size_t off, size_t have, size_t claim);
/* 1 when the chain has a decoder for (ns, type). */
int decode_has(uint8_t ns, uint16_t type);
/* Records an encapsulation layer (zeroed, kind and off set); NULL when PKT_LAYER_MAX are
 * already there (pk->layer_overflow is set: the caller stops). */
struct pkt_layer *decode_push(struct pkt *pk, uint8_t kind, size_t off);

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

/* Each reads its header from r (positioned at it; r's offsets are frame offsets, or
 * offsets in cx->base) and fills pk; 0 when the packet ends at TCP/UDP, 1 when a tunnel
 * follows (decode_next() was called), -1 when the packet ends here (pk->kind /
 * pk->other say why). decode_link() sets pk->ethertype (or, for 802.11 and PPP links,
 * the ethertype of what they carry) and returns 0 or -1. */
int decode_link(struct pkt *pk, struct rd *r);
int decode_ipv4(struct pkt *pk, struct rd *r, struct dctx *cx);
int decode_ipv6(struct pkt *pk, struct rd *r, struct dctx *cx);
/* r claims exactly the transport header + payload the IP layer says it carries and
 * holds what was captured of them (Ethernet padding is not in it). */
int decode_transport(struct pkt *pk, struct rd *r, const struct l3_claim *l3, struct dctx *cx);
/* An Ethernet header with its VLAN tags: *type is what it carries. inner: inside a
 * tunnel (recorded as a PL_ETHERNET layer) rather than the frame's link header. */
int decode_ether(struct pkt *pk, struct rd *r, uint16_t *type, int inner);
/* The link types PPP (hdlc 0) and PPP_HDLC (hdlc 1), in encap.c; same contract. */
int decode_ppp_link(struct pkt *pk, struct rd *r, int hdlc);
/* Link types of wifi.c: 802.11 with or without radiotap; same contract as decode_link. */
int decode_80211(struct pkt *pk, struct rd *r, int radiotap);
/* The chain from the first network header on (encap.c): returns pk->kind. */
int decode_chain(struct pkt *pk, struct dctx *cx);

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
