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
	uint16_t l3_off;       /* offset of the (outermost) IP header in rec.data */
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
	/* Last, and not cleared per packet (decode_packet clears what comes before it):
	 * only written when there is something to say. */
	char why_buf[PKT_WHY_MAX];
};

struct ipfrag;

/* Decodes rec into pk. frag holds IP fragments across calls (NULL: fragments are
 * reported as PK_FRAGMENT and not rebuilt). Returns pk->kind. */
int decode_packet(const struct cap_rec *rec, uint32_t frame, struct pkt *pk, struct ipfrag *frag);

/* 1 when decode_packet() reads this LINKTYPE_ value (the cases of decode_link()). */
int decode_linktype_supported(uint16_t linktype);

/* Formats an address ("10.0.0.1", "2001:db8::1") into buf (at least 46 bytes). */
const char *ipaddr_str(const struct ipaddr *a, char *buf, size_t n);
int ipaddr_cmp(const struct ipaddr *x, const struct ipaddr *y);

struct ipfrag *ipfrag_new(void);
void ipfrag_free(struct ipfrag *f);

#endif
