/* pkt.h: one packet decoded from link layer to TCP/UDP, as slices into the captured
 * bytes. Filled by decode_packet(); nothing in it is allocated. */
#ifndef CHATTCP_PKT_H
#define CHATTCP_PKT_H

#include "../capture/capfile.h"

#include <stdint.h>

struct ipaddr {
	uint8_t family; /* 4 or 6; 0 when unknown */
	uint8_t a[16];  /* IPv4 in the first 4 bytes */
};

enum tcp_flag {
	TH_FIN = 0x001, TH_SYN = 0x002, TH_RST = 0x004, TH_PSH = 0x008, TH_ACK = 0x010,
	TH_URG = 0x020, TH_ECE = 0x040, TH_CWR = 0x080, TH_NS = 0x100,
};

#define TCP_MAX_SACK 4

struct tcp_opts {
	int8_t wscale;     /* -1: option absent */
	uint8_t sack_perm;
	uint8_t has_ts;
	uint8_t n_sack;
	uint8_t tfo;       /* 0 none, 1 cookie request (empty), 2 cookie present */
	uint8_t bad;       /* an option's length was impossible */
	uint16_t mss;      /* 0: option absent */
	uint32_t tsval, tsecr;
	uint32_t sack[TCP_MAX_SACK][2]; /* left, right edges */
};

enum pkt_kind {
	PK_OTHER = 0, /* not TCP/UDP over IP: counted by pkt.other */
	PK_TCP,
	PK_UDP,
	PK_FRAGMENT,  /* an IP fragment held for reassembly */
	PK_BAD,       /* unreadable (headers cut or contradictory): counted, shown in `packet` */
};

#define PKT_MAX_VLAN 8
/* Encapsulation headers (outer IP and UDP headers that carry a tunnel, tunnel headers,
 * inner link headers) one packet may pass through before its innermost IP header: the
 * nesting limit. A real packet has a few (VXLAN over IPv6 over MPLS over PPPoE is 7:
 * PPPoE, PPP, MPLS, IPv6, UDP, VXLAN, Ethernet); more is crafted to make us recurse.
 * Past it the packet is counted as "tunnels nested more than 12 headers deep" (not TCP
 * or UDP) and `packet N` lists the 12 headers read. */
#define PKT_LAYER_MAX 12

/* What one encapsulation header was (pkt_layer_describe() tells it in words). */
enum pkt_layer_kind {
	PL_IPV4 = 1,  /* an IPv4 header that carries a tunnel: a[0..3] source, a[16..19] destination */
	PL_IPV6,      /* the same for IPv6: a[0..15], a[16..31] */
	PL_UDP,       /* a UDP header that carries a tunnel: v[0] source port, v[1] destination, v[2] length */
	PL_ETHERNET,  /* an Ethernet frame inside a tunnel: a[0..5] destination, a[6..11] source, v[0] VLAN + 1 (0: none) */
	PL_VXLAN,     /* v[0] VNI, v[1] flags */
	PL_GENEVE,    /* v[0] VNI, v[1] options bytes, v[2] flags (O, C bits) */
	PL_GRE,       /* v[0] flags and version, v[1] key, v[2] sequence, v[3] checksum (PPTP: call ID, ack) */
	PL_ERSPAN,    /* n: type (1, 2, 3), v[0] session ID, v[1] VLAN, v[2] index (II) / timestamp (III), v[3] hardware ID */
	PL_MPLS,      /* n: labels in the stack, v[0..3] the first four label stack entries as sent */
	PL_PPPOE,     /* v[0] session ID, v[1] length */
	PL_PPP,       /* v[0] framing (enum in encap.c), v[1] address byte (HDLC) */
	PL_GTPU,      /* v[0] TEID, v[1] message type, v[2] sequence + 1 (0: none), n: extension headers */
	PL_RADIOTAP,  /* v[0] header length, v[1] flags field + 1 (0: absent) */
	PL_80211,     /* v[0] frame control, v[1] QoS control + 1 (0: none); a: BSSID, source, destination (6 bytes each) */
};

struct pkt_layer {
	uint8_t kind;   /* enum pkt_layer_kind */
	uint8_t n;
	uint16_t proto; /* what the header says follows: an ethertype, IP protocol or PPP protocol; 0: unknown */
	uint32_t off;   /* offset of the header in the frame (in the rebuilt datagram once pk->reassembled) */
	uint32_t v[4];  /* key fields, by kind (above) */
	uint8_t a[32];  /* addresses, by kind (above) */
};
/* Room for one why: the longest sentence the decoder writes is about 170 bytes. */
#define PKT_WHY_MAX 224

struct pkt {
	struct cap_rec rec;    /* the record as read; data may be replaced by a reassembly buffer */
	uint32_t frame;        /* 1-based position in the file, tshark's frame.number */
	uint8_t kind;          /* enum pkt_kind */
	uint8_t truncated;     /* something was cut by the snap length */
	uint8_t malformed;     /* lengths contradict each other: see why */
	uint8_t reassembled;   /* IP datagram rebuilt from fragments; data is not the record's */
	/* Plain words for malformed (the first contradiction found: the field, its value,
	 * what it contradicts, "(at frame offset N)") or, when nothing is malformed, for
	 * the first header cut by the snap length ("TCP header cut by the snap length");
	 * NULL when neither. Points into why_buf: valid as long as this struct. */
	const char *why;
	const char *other;     /* for PK_OTHER/PK_BAD: what it is ("ARP", "ICMPv6", ...) */
	uint16_t n_vlan;
	uint16_t vlan[PKT_MAX_VLAN];
	uint16_t ethertype;
	uint16_t l3_off;       /* offset of the innermost IP header in rec.data (the one the TCP/UDP is in) */
	uint16_t l4_off;       /* offset of the TCP/UDP header in rec.data (0 when reassembled) */
	const uint8_t *l4;     /* the TCP/UDP header (in rec.data, or a reassembly buffer) */
	uint32_t l4_caplen;    /* captured bytes from l4 on */
	uint8_t ipver;
	uint8_t ipproto;
	uint8_t ttl;
	uint8_t tos;
	uint16_t ip_id;
	struct ipaddr src, dst;
	uint16_t sport, dport;
	/* TCP */
	uint32_t seq, ack;
	uint16_t flags;
	uint16_t win;
	uint16_t urp;
	uint16_t tcp_csum;
	uint8_t tcp_hlen;
	struct tcp_opts opt;
	/* TCP/UDP payload */
	const uint8_t *payload;
	uint32_t len;      /* payload bytes the packet had on the wire (tshark tcp.len / udp length) */
	uint32_t caplen;   /* payload bytes captured (< len when cut by the snap length) */
	/* ICMP errors: the UDP 5-tuple the error quotes (proto 17), or proto 0. */
	struct {
		uint8_t proto;
		struct ipaddr src, dst;
		uint16_t sport, dport;
	} quote;
	uint8_t n_layer;       /* entries of layer[] used: the encapsulations, outermost first */
	uint8_t layer_overflow;/* more than PKT_LAYER_MAX were nested: decoding stopped */
	uint8_t limit_hit;     /* a named limit stopped decoding (PKT_LAYER_MAX, PKT_MAX_VLAN,
				* MPLS_LABELS_MAX, GTPU_EXT_MAX): other names it; the packet stays
				* PK_OTHER, so the limit shows in the counts, even inside a tunnel */
	/* The last n_inside layers are inside the packet's own UDP payload rather than
	 * before its IP header: a UDP tunnel (VXLAN...) whose content is not TCP or UDP
	 * (ARP, ICMPv6, ...) leaves the packet the datagram that carried it, as Wireshark
	 * gives such a frame the tunnel's udp.stream; other then says what it carries.
	 * 0 for every other packet. */
	uint8_t n_inside;
	/* Last, and not cleared per packet (decode_packet clears what comes before it):
	 * only written when there is something to say. */
	char why_buf[PKT_WHY_MAX];
	struct pkt_layer layer[PKT_LAYER_MAX]; /* valid up to n_layer */
};

struct ipfrag;

/* Decodes rec into pk. frag holds IP fragments across calls (NULL: fragments are
 * reported as PK_FRAGMENT and not rebuilt). Returns pk->kind. */
int decode_packet(const struct cap_rec *rec, uint32_t frame, struct pkt *pk, struct ipfrag *frag);

/* 1 when decode_packet() reads this LINKTYPE_ value (the cases of decode_link()). */
int decode_linktype_supported(uint16_t linktype);

/* One line for layer L of a packet ("VXLAN: VNI 42"), without a line break, into buf
 * (cut to n - 1 bytes). Every field is plain ASCII: safe to print as it is. */
void pkt_layer_describe(const struct pkt_layer *L, char *buf, size_t n);

/* Formats an address ("10.0.0.1", "2001:db8::1") into buf (at least 46 bytes). */
const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t n);
int ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y);

struct ipfrag *ipfrag_new(void);
void ipfrag_free(struct ipfrag *f);

#endif
