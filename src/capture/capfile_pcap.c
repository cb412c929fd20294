/* capfile_pcap.c: the classic pcap format (draft-ietf-opsawg-pcap): a 24-byte file
 * header, then records of a 16-byte header plus the captured bytes. Both byte orders,
 * micro- and nanosecond timestamps, and Kuznetsov's "modified" variant (24-byte record
 * headers, magic 0xa1b2cd34) are read. */
#include "capfile_int.h"

#include "../base/exitcodes.h"

#define PCAP_FILE_HDR 24

int capfile_pcap_open(struct capfile *cf, struct err *e)
{
	if (cf->size < PCAP_FILE_HDR) {
		err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: pcap file header needs 24 bytes, the file has %zu",
			cf->name, cf->size);
		return -1;
	}
	const uint8_t *p = cf->base;
	uint32_t magic = cap_u32(p, 0);
	cf->format = CAP_PCAP;
	cf->ts_digits = 6;
	switch (magic) {
	case 0xa1b2c3d4: break;
	case 0xd4c3b2a1: cf->swapped = 1; break;
	case 0xa1b23c4d: cf->ts_digits = 9; break;
	case 0x4d3cb2a1: cf->swapped = 1; cf->ts_digits = 9; break;
	case 0xa1b2cd34: cf->modified = 1; break;
	case 0x34cdb2a1: cf->swapped = 1; cf->modified = 1; break;
	default:
		err_set(e, EXIT_BADINPUT, 0, "%s: offset 0: bad pcap magic 0x%08x", cf->name, magic);
		return -1;
	}
	uint16_t major = cap_u16(p + 4, cf->swapped);
	if (major != 2) {
		uint16_t minor = cap_u16(p + 6, cf->swapped);
		err_set(e, EXIT_BADINPUT, 4, "%s: offset 4: pcap version %u.%u is not supported (expected 2.4)",
			cf->name, major, minor);
		return -1;
	}
	cf->snaplen = cap_u32(p + 16, cf->swapped);
	/* The upper bits of the link type field carry FCS information (draft section 4). */
	cf->linktype = (uint16_t)(cap_u32(p + 20, cf->swapped) & 0xffff);
	cf->pos = PCAP_FILE_HDR;
	return 0;
}

static uint32_t max_record(const struct capfile *cf)
{
	if (cf->snaplen > CAP_MAX_RECORD && cf->snaplen <= CAP_MAX_RECORD_HARD)
		return cf->snaplen;
	return CAP_MAX_RECORD;
}

static int parse_record(struct capfile *cf, size_t off, struct cap_rec *rec, size_t *next, struct err *e)
{
	size_t hdr = cf->modified ? 24 : 16;
	size_t left = cf->size - off;
	if (left < hdr) {
		err_set(e, EXIT_BADINPUT, (int64_t)off,
			"%s: offset %zu: truncated record header (%zu of %zu bytes); the file was cut short",
			cf->name, off, left, hdr);
		return -1;
	}
	const uint8_t *p = cf->base + off;
	uint32_t sec = cap_u32(p, cf->swapped);
	uint32_t frac = cap_u32(p + 4, cf->swapped);
	uint32_t caplen = cap_u32(p + 8, cf->swapped);
	uint32_t wirelen = cap_u32(p + 12, cf->swapped);
	uint32_t max = max_record(cf);
	if (caplen > max) {
		err_set(e, EXIT_BADINPUT, (int64_t)off,
			"%s: offset %zu: record captured length %u is larger than the maximum %u; the file is corrupt",
			cf->name, off, caplen, max);
		return -1;
	}
	if (caplen > left - hdr) {
		err_set(e, EXIT_BADINPUT, (int64_t)off,
			"%s: offset %zu: truncated record: %u captured bytes announced, only %zu left; the file was cut short",
			cf->name, off, caplen, left - hdr);
		return -1;
	}
	rec->data = p + hdr;
	rec->caplen = caplen;
	rec->wirelen = wirelen < caplen ? caplen : wirelen;
	int64_t ns = cf->ts_digits == 9 ? (int64_t)frac : (int64_t)frac * 1000;
	rec->ts_ns = (int64_t)sec * 1000000000 + ns;
	rec->off = off;
	rec->linktype = cf->linktype;
	rec->ts_digits = cf->ts_digits;
	rec->ifindex = 0;
	*next = off + hdr + caplen;
	return 1;
}

int capfile_pcap_next(struct capfile *cf, struct cap_rec *rec, struct err *e)
{
	if (cf->pos >= cf->size)
		return 0;
	size_t next;
	int rc = parse_record(cf, cf->pos, rec, &next, e);
	if (rc == 1)
		cf->pos = next;
	else
		cf->pos = cf->size; /* a damaged record ends the walk: nothing after it can be trusted */
	return rc;
}

int capfile_pcap_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e)
{
	size_t next;
	return parse_record(cf, (size_t)off, rec, &next, e);
}
