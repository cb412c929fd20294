/* capfile.h: reading capture files (pcap and pcapng) record by record.
 *
 * The whole file is mapped (or, for a pipe or an embedded case, held) in
 * memory and records are returned as slices into it: no copy, no per-packet
 * allocation. Every record carries its byte offset, so a view can come back
 * to one packet later (capfile_read_at) without reading the file again. */
#ifndef CHATTCP_CAPFILE_H
#define CHATTCP_CAPFILE_H

#include "../base/err.h"

#include <stddef.h>
#include <stdint.h>

enum cap_format { CAP_PCAP = 1, CAP_PCAPNG = 2 };

/* Timestamps are clamped to +-2^62 ns (146 years either side of 1970; pcap's 32-bit
 * seconds end in 2106, inside it), so the difference of any two fits in an int64_t. */
#define CAP_TS_MAX_NS ((int64_t)1 << 62)

struct cap_rec {
	const uint8_t *data;
	uint32_t caplen;   /* bytes captured */
	uint32_t wirelen;  /* bytes the packet had on the wire (>= caplen) */
	int64_t ts_ns;     /* nanoseconds since the epoch, within +-CAP_TS_MAX_NS */
	uint64_t off;      /* offset of the record (pcap) or block (pcapng) header */
	uint16_t linktype; /* LINKTYPE_ value of the interface */
	uint8_t ts_digits; /* fractional digits the file's clock really has (6 or 9) */
	uint32_t ifindex;  /* interface number (pcapng), 0 for pcap */
};

struct cap_iface {
	uint16_t linktype;
	uint32_t snaplen;
	uint8_t ts_digits;
	int64_t ts_mul;    /* ticks -> ns: ns = ticks * ts_mul / ts_div + ts_offset_ns */
	int64_t ts_div;
	int ts_pow2;       /* resolution 2^-ts_pow2 s when > 0 */
	int64_t ts_offset_ns;
};

struct cap_section {
	uint64_t off;      /* where the Section Header Block starts */
	int swapped;
	uint32_t first_if; /* index in capfile.ifaces of this section's interface 0 */
	uint32_t n_if;
};

struct capfile {
	char *name;        /* as given by the user, for messages */
	const uint8_t *base;
	size_t size;
	int owner;         /* 1: base is mmap'd, 2: base is malloc'd, 0: borrowed */
	int format;
	/* pcap */
	int swapped;
	int modified;      /* Kuznetsov's patched pcap: 24-byte record headers */
	uint16_t linktype;
	uint32_t snaplen;
	uint8_t ts_digits;
	/* pcapng */
	struct cap_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	struct cap_section *sections;
	size_t n_sections, cap_sections;
	/* reading position */
	size_t pos;
	size_t released;   /* mapped bytes before this were handed back to the kernel */
	uint32_t n_records;
};

/* Opens path ("-" reads standard input). On failure returns -1 with e set
 * (exit code, message) and leaves cf closed. */
int capfile_open(struct capfile *cf, const char *path, struct err *e);
/* Opens a capture held in memory (a built-in case); the bytes are borrowed. */
int capfile_open_mem(struct capfile *cf, const char *name, const uint8_t *p, size_t n, struct err *e);
/* Next packet record. Returns 1 with *rec filled, 0 at a clean end of file,
 * -1 when the file is damaged at rec->off (e set; everything before was good). */
int capfile_next(struct capfile *cf, struct cap_rec *rec, struct err *e);
/* Reads the packet record that starts at off, as returned earlier by capfile_next. */
int capfile_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e);
void capfile_close(struct capfile *cf);

/* Link types (LINKTYPE_ values from the tcpdump.org registry). */
enum {
	LT_NULL = 0, LT_ETHERNET = 1, LT_RAW = 101, LT_LOOP = 108, LT_LINUX_SLL = 113,
	LT_IPV4 = 228, LT_IPV6 = 229, LT_LINUX_SLL2 = 276,
};

#endif
