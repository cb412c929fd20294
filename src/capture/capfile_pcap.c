/* capfile_pcap.c: the classic pcap format (draft-ietf-opsawg-pcap): a 24-byte file
 * header, then records of a 16-byte header plus the captured bytes. Both byte orders,
 * micro- and nanosecond timestamps, and Kuznetsov's "modified" variant (24-byte record
 * headers, magic 0xa1b2cd34) are read. Each call parses one thing out of a window (see
 * the contract in capfile_int.h) through the bounded reader. */
#include "capfile_int.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"

#include <stdio.h>

#define PCAP_FILE_HDR 24
#define PCAP_REC_HDR 16
/* Kuznetsov's records add ifindex (4), protocol (2), pkt_type (1) and a pad byte. */
#define PCAP_REC_HDR_MODIFIED 24

/* Old libpcap versions (file version 2.2 and below) wrote a record's original length
 * where the captured length belongs and the other way round; some 2.3 writers did too.
 * libpcap (sf-pcap.c) and Wireshark swap them back: always below 2.3, and for 2.3 only
 * when the captured length is larger than the original one, which cannot be right. */
enum cap_len_swap { CAP_LEN_AS_IS = 0, CAP_LEN_SWAPPED = 1, CAP_LEN_MAYBE = 2 };

int capfile_pcap_header(struct capfile *cf, const struct cap_win *w, size_t *n, struct err *e)
{
	struct rd r = rd_make(w->p, w->avail);
	if (!rd_need(&r, PCAP_FILE_HDR)) {
		char msg[96];
		snprintf(msg, sizeof msg, "pcap file header needs 24 bytes, the file has %zu", w->avail);
		return cap_short(cf, w, &r, n, e, w->off, msg);
	}
	uint32_t magic = rd_le32(&r);
	int swapped = 0, modified = 0;
	uint8_t digits = 6;
	switch (magic) {
	case 0xa1b2c3d4: break;
	case 0xd4c3b2a1: swapped = 1; break;
	case 0xa1b23c4d: digits = 9; break;
	case 0x4d3cb2a1: swapped = 1; digits = 9; break;
	case 0xa1b2cd34: modified = 1; break;
	case 0x34cdb2a1: swapped = 1; modified = 1; break;
	default: {
		char msg[64];
		snprintf(msg, sizeof msg, "bad pcap magic 0x%08x", magic);
		return cap_bad(cf, e, w->off, msg);
	}
	}
	cf->format = CAP_PCAP;
	cf->swapped = swapped;
	cf->modified = modified;
	cf->ts_digits = digits;
	uint16_t major = cap_rd16(&r, swapped);
	uint16_t minor = cap_rd16(&r, swapped);
	if (major != 2) {
		char msg[96];
		snprintf(msg, sizeof msg, "pcap version %u.%u is not supported (expected 2.4)", major, minor);
		return cap_bad(cf, e, w->off + 4, msg);
	}
	cf->lengths_swapped = minor < 3 ? CAP_LEN_SWAPPED : minor == 3 ? CAP_LEN_MAYBE : CAP_LEN_AS_IS;
	rd_skip(&r, 8); /* thiszone, sigfigs: always 0 in practice, unused */
	cf->snaplen = cap_rd32(&r, swapped);
	/* The upper bits of the link type field carry FCS information (draft section 4). */
	cf->linktype = (uint16_t)(cap_rd32(&r, swapped) & 0xffff);
	*n = r.off;
	return CAP_STEP_META;
}

int capfile_pcap_record(const struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n,
			struct err *e)
{
	if (w->avail == 0 && w->final)
		return CAP_STEP_END;
	size_t hdr = cf->modified ? PCAP_REC_HDR_MODIFIED : PCAP_REC_HDR;
	struct rd r = rd_make(w->p, w->avail);
	if (!rd_need(&r, hdr)) {
		char msg[128];
		snprintf(msg, sizeof msg, "truncated record header (%zu of %zu bytes); the file was cut short", w->avail,
			 hdr);
		return cap_short(cf, w, &r, n, e, w->off, msg);
	}
	const uint8_t *h = rd_bytes(&r, hdr); /* rd_need above: all here */
	uint32_t sec = cap_u32(h, cf->swapped);
	uint32_t frac = cap_u32(h + 4, cf->swapped);
	uint32_t caplen = cap_u32(h + 8, cf->swapped);
	uint32_t wirelen = cap_u32(h + 12, cf->swapped);
	if (cf->lengths_swapped == CAP_LEN_SWAPPED || (cf->lengths_swapped == CAP_LEN_MAYBE && caplen > wirelen)) {
		uint32_t t = caplen;
		caplen = wirelen;
		wirelen = t;
	}
	uint32_t max = cap_max_caplen(cf->snaplen, (uint32_t)hdr);
	if (caplen > max) {
		char msg[128];
		snprintf(msg, sizeof msg, "record captured length %u is larger than the maximum %u; the file is corrupt",
			 caplen, max);
		return cap_bad(cf, e, w->off, msg);
	}
	const uint8_t *data = rd_bytes(&r, caplen);
	if (!data) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "truncated record: %u captured bytes announced, only %zu left; the file was cut short", caplen,
			 w->avail - hdr);
		return cap_short(cf, w, &r, n, e, w->off, msg);
	}
	rec->data = data;
	rec->caplen = caplen;
	rec->wirelen = wirelen < caplen ? caplen : wirelen;
	int64_t ns = cf->ts_digits == 9 ? (int64_t)frac : (int64_t)frac * 1000;
	/* 32-bit seconds and fraction: at most 2^32 s + 2^32 us, inside +-CAP_TS_MAX_NS. */
	rec->ts_ns = ts_add(ts_from_sec(sec), ns);
	rec->off = w->off;
	rec->linktype = cf->linktype;
	rec->ts_digits = cf->ts_digits;
	rec->ifindex = 0;
	*n = r.off;
	return CAP_STEP_REC;
}
