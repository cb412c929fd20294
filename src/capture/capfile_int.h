/* capfile_int.h: what capfile.c shares with the two format parsers. */
#ifndef CHATTCP_CAPFILE_INT_H
#define CHATTCP_CAPFILE_INT_H

#include "capfile.h"

/* Largest packet record we accept. A bigger length is corruption, not a packet:
 * 256 KiB is libpcap's and tshark's limit for ordinary link types; a file may raise
 * it through its snaplen, up to CAP_MAX_RECORD_HARD. */
#define CAP_MAX_RECORD ((uint32_t)262144)
#define CAP_MAX_RECORD_HARD ((uint32_t)16 << 20)

int capfile_pcap_open(struct capfile *cf, struct err *e);
int capfile_pcap_next(struct capfile *cf, struct cap_rec *rec, struct err *e);
int capfile_pcap_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e);
int capfile_pcapng_open(struct capfile *cf, struct err *e);
int capfile_pcapng_next(struct capfile *cf, struct cap_rec *rec, struct err *e);
int capfile_pcapng_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e);

static inline uint32_t cap_u32(const uint8_t *p, int swapped)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return swapped ? __builtin_bswap32(v) : v;
}

static inline uint16_t cap_u16(const uint8_t *p, int swapped)
{
	uint16_t v = (uint16_t)(p[0] | p[1] << 8);
	return swapped ? __builtin_bswap16(v) : v;
}

#endif
