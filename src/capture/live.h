/* live.h: packets from a network interface, through libpcap (the kernel's TPACKET ring,
 * BPF filters compiled by pcap_compile, the kernel's drop counters).
 *
 * Files are read by our own reader (capfile.h; docs/deps.md says why); an interface is
 * the one source libpcap is the right tool for. A live source hands out packets as
 * (timestamp in ns, captured bytes, wire length); session/livecap.c turns each into a
 * pcapng block (pcapng_write.h) and pushes it into a session, so what is shown live is
 * exactly what a written file shows when read back.
 *
 * Ownership: live_open returns a source live_close frees. Errors fill a struct err
 * (EXIT_BADINPUT: the interface cannot be opened or the filter does not compile, with
 * libpcap's words) and never print. */
#ifndef CHATTCP_LIVE_H
#define CHATTCP_LIVE_H

#include "../base/err.h"

#include <stddef.h>
#include <stdint.h>

/* The largest snapshot length asked of the kernel: libpcap's own default and maximum
 * for ordinary link types, and CAP_MAX_RECORD, the most our reader takes per packet
 * without a larger interface snaplen. A longer packet (a 64 kB GRO aggregate on
 * loopback is the longest real one) is cut there and shown truncated. */
#define LIVE_SNAPLEN_MAX ((uint32_t)262144)
/* The smallest snaplen accepted: an Ethernet, IPv6 and TCP header with options (14 +
 * 40 + 60) still fit, so the TCP analysis works on any packet. */
#define LIVE_SNAPLEN_MIN ((uint32_t)128)
/* The kernel buffer (the TPACKET ring) by default: 8 MiB holds about 5,500 full-size
 * frames, a quarter of a second of a saturated gigabit link, enough to ride out a
 * burst while the analysis of the same loop catches up. Past it the kernel drops and
 * counts (pcap_stats ps_drop), and the status line and the summary say how many. */
#define LIVE_BUFFER_DEFAULT ((size_t)8 << 20)
/* The largest kernel buffer one may ask for (--buffer): it is locked kernel memory. */
#define LIVE_BUFFER_MAX ((size_t)1 << 30)
/* How long the kernel may hold packets before handing them over (pcap_set_timeout: the
 * TPACKET_V3 block timeout). Immediate mode would hand each over at once but makes
 * libpcap fall back to TPACKET_V2, whose ring slots are each a snaplen long: 8 MiB then
 * held 31 packets, and a 3 MB download over loopback lost 111 of its 193 (64 kB GRO)
 * packets. V3 packs packets by their size, so the same buffer holds thousands; the price
 * is this much latency at most, far inside the second a live view may take. */
#define LIVE_TIMEOUT_MS 50
/* Packets handed out by one live_dispatch: the loop looks at its stop flag, its clock
 * and the status line between batches, so even a flood cannot keep it from stopping. */
#define LIVE_BATCH 256

struct live_src; /* opaque */

struct live_opts {
	const char *iface;     /* "eth0", "any" ... */
	const char *filter;    /* BPF expression, NULL or "" for none */
	uint32_t snaplen;      /* LIVE_SNAPLEN_MIN..LIVE_SNAPLEN_MAX; 0: the maximum */
	size_t buffer;         /* kernel buffer bytes; 0: LIVE_BUFFER_DEFAULT */
	int promisc;           /* promiscuous mode (off by default: the host's own traffic) */
};

/* Opens and activates the interface: packets handed over within LIVE_TIMEOUT_MS,
 * nanosecond timestamps, non-blocking (live_dispatch returns 0 when nothing
 * is waiting), the filter compiled and set. Returns the source, or NULL with e set:
 * no such interface, no permission (the message names CAP_NET_RAW), a filter that
 * does not compile (libpcap's message), an interface that is down. */
struct live_src *live_open(const struct live_opts *o, struct err *e);
void live_close(struct live_src *ls);
/* Sets filter on an open source (what live_open does with o->filter), so a caller can
 * tell a filter that does not compile (-1, EXIT_BADINPUT, libpcap's message) from an
 * interface that cannot be opened. Packets the kernel held from before are filtered
 * too (libpcap filters what is already in the ring in user space). */
int live_set_filter(struct live_src *ls, const char *filter, struct err *e);

/* LINKTYPE_ value of the interface (libpcap's DLT mapped to the pcapng registry). */
uint16_t live_linktype(const struct live_src *ls);
uint32_t live_snaplen(const struct live_src *ls);
const char *live_iface(const struct live_src *ls);
/* libpcap's description of a link type ("Ethernet", "Linux cooked v1"), or NULL. */
const char *live_linktype_desc(uint16_t linktype);
/* A descriptor to poll(2) for POLLIN, or -1 when the device has none (then poll with a
 * timeout and call live_dispatch anyway). */
int live_fd(const struct live_src *ls);

/* Called for each packet: bytes valid only during the call. */
typedef void (*live_packet_fn)(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen);
/* Hands out at most max packets that are waiting (never blocks). Returns how many, 0
 * when none was waiting, or -1 with e set (the interface went away or down). */
int live_dispatch(struct live_src *ls, int max, live_packet_fn fn, void *ctx, struct err *e);

struct live_stats {
	uint64_t received;     /* packets the filter passed (ps_recv) */
	uint64_t kernel_drops; /* dropped because the buffer was full (ps_drop) */
	uint64_t if_drops;     /* dropped by the interface or its driver (ps_ifdrop) */
};
/* The kernel's counters since live_open; 0 or -1 when it cannot say. */
int live_get_stats(struct live_src *ls, struct live_stats *st);

/* --- interfaces --- */

enum { LIVE_ADDR_V4 = 4, LIVE_ADDR_V6 = 6 };
struct live_addr {
	int family;            /* LIVE_ADDR_V4 or LIVE_ADDR_V6 */
	char addr[48];         /* text (inet_ntop) */
	int prefix;            /* netmask as a prefix length, -1 when none */
};

struct live_iface {
	char *name;
	char *description;     /* libpcap's, NULL when none */
	int up, running, loopback, wireless;
	/* connected, disconnected or "" when it does not apply or is not known */
	const char *status;
	struct live_addr *addrs;
	size_t n_addrs;
};

/* Every interface libpcap can capture on (pcap_findalldevs order: up and running
 * ones first). Returns the count with *out set (live_ifaces_free it), or -1 with e
 * set. */
long live_ifaces(struct live_iface **out, struct err *e);
void live_ifaces_free(struct live_iface *v, size_t n);

/* Compiles filter as libpcap would for an interface of this link type and snaplen
 * (pcap_open_dead + pcap_compile). Returns 0, or -1 with libpcap's message in e. */
int live_filter_check(uint16_t linktype, uint32_t snaplen, const char *filter, struct err *e);

#endif
