/* capfile_pcapng.c: the pcapng format (draft-ietf-opsawg-pcapng): a file is one or
 * more sections, each a Section Header Block followed by Interface Description Blocks
 * and packet blocks. Several interfaces with different link types and timestamp
 * resolutions are read; blocks we have no use for are skipped by their length. */
#include "capfile_int.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <string.h>

enum {
	BT_SHB = 0x0a0d0d0a, BT_IDB = 1, BT_PB = 2, BT_SPB = 3, BT_EPB = 6,
};

/* A block longer than this is taken as corruption (libpcap stops at 16 MiB;
 * real blocks are a packet plus options). */
#define PCAPNG_MAX_BLOCK ((uint32_t)64 << 20)
/* Interfaces per file: each costs a table entry; real files have a handful. */
#define PCAPNG_MAX_IFACES 65536

static int bad(struct capfile *cf, struct err *e, size_t off, const char *what)
{
	err_set(e, EXIT_BADINPUT, (int64_t)off, "%s: offset %zu: %s", cf->name, off, what);
	cf->pos = cf->size;
	return -1;
}

/* Walks the options of a block body [p, p+n) and checks they stay inside it. Calls
 * back the interface options we need. Returns 0, or -1 (e set) when an option runs
 * past the block. */
static int walk_options(struct capfile *cf, const uint8_t *p, size_t n, size_t file_off, int swapped,
			struct cap_iface *ifc, struct err *e)
{
	size_t i = 0;
	while (i < n) {
		if (n - i < 4)
			return bad(cf, e, file_off + i, "option header runs past the end of its block; the file is corrupt");
		uint16_t code = cap_u16(p + i, swapped);
		uint16_t len = cap_u16(p + i + 2, swapped);
		i += 4;
		if (code == 0)
			break; /* opt_endofopt */
		size_t padded = ((size_t)len + 3) & ~(size_t)3;
		if (padded > n - i) {
			char msg[160];
			snprintf(msg, sizeof msg,
				 "option %u length %u runs past the end of its block; the file is corrupt", code, len);
			return bad(cf, e, file_off + i - 4, msg);
		}
		if (ifc && code == 9 && len >= 1) { /* if_tsresol */
			uint8_t v = p[i];
			if (v & 0x80) {
				int pw = v & 0x7f;
				if (pw > 62)
					pw = 62;
				ifc->ts_pow2 = pw;
				ifc->ts_digits = 9;
				if (pw == 0) { /* 2^-0: whole seconds, taken by the decimal path */
					ifc->ts_mul = 1000000000;
					ifc->ts_div = 1;
					ifc->ts_digits = 6;
				}
			} else {
				int d = v;
				if (d > 18)
					d = 18;
				ifc->ts_mul = 1;
				ifc->ts_div = 1;
				if (d <= 9)
					for (int k = d; k < 9; k++)
						ifc->ts_mul *= 10;
				else
					for (int k = 9; k < d; k++)
						ifc->ts_div *= 10;
				ifc->ts_digits = d >= 9 ? 9 : (d > 6 ? 9 : 6);
			}
		} else if (ifc && code == 14 && len >= 8) { /* if_tsoffset, seconds */
			uint64_t lo = cap_u32(p + i, swapped), hi = cap_u32(p + i + 4, swapped);
			uint64_t v = swapped ? (lo << 32 | hi) : (hi << 32 | lo);
			/* A signed count of seconds; one too large for nanoseconds in 64 bits
			 * (over 292 years) is nonsense and ignored rather than overflowed. */
			int64_t ns;
			if (__builtin_mul_overflow((int64_t)v, (int64_t)1000000000, &ns))
				ns = 0;
			ifc->ts_offset_ns = ns;
		}
		i += padded;
	}
	return 0;
}

/* The 64-bit tick count is the file's word: any value, any resolution, any offset.
 * The sum is done in 128 bits and clamped to +-CAP_TS_MAX_NS (see capfile.h), so
 * later subtractions of two timestamps cannot overflow. */
static int64_t ticks_to_ns(const struct cap_iface *ifc, uint64_t ticks)
{
	__int128 v;
	if (ifc->ts_pow2 > 0)
		v = (__int128)(((unsigned __int128)ticks * 1000000000u) >> ifc->ts_pow2);
	else
		v = (__int128)((unsigned __int128)ticks * (uint64_t)ifc->ts_mul / (uint64_t)ifc->ts_div);
	v += ifc->ts_offset_ns;
	if (v > CAP_TS_MAX_NS)
		return CAP_TS_MAX_NS;
	if (v < -CAP_TS_MAX_NS)
		return -CAP_TS_MAX_NS;
	return (int64_t)v;
}

static int read_shb(struct capfile *cf, size_t off, size_t *blen_out, struct err *e)
{
	size_t left = cf->size - off;
	if (left < 28)
		return bad(cf, e, off, "truncated Section Header Block; the file was cut short");
	const uint8_t *p = cf->base + off;
	uint32_t bom = cap_u32(p + 8, 0);
	int swapped;
	if (bom == 0x1a2b3c4d)
		swapped = 0;
	else if (bom == 0x4d3c2b1a)
		swapped = 1;
	else
		return bad(cf, e, off + 8, "bad byte-order magic in Section Header Block; not a pcapng file");
	uint32_t blen = cap_u32(p + 4, swapped);
	if (blen < 28 || blen % 4)
		return bad(cf, e, off + 4, "Section Header Block length is invalid; the file is corrupt");
	if (blen > PCAPNG_MAX_BLOCK)
		return bad(cf, e, off + 4, "Section Header Block longer than 64 MiB; the file is corrupt");
	if (blen > left)
		return bad(cf, e, off, "truncated Section Header Block; the file was cut short");
	uint16_t major = cap_u16(p + 12, swapped), minor = cap_u16(p + 14, swapped);
	if (major != 1 || (minor != 0 && minor != 2)) {
		char msg[128];
		snprintf(msg, sizeof msg, "pcapng version %u.%u is not supported (expected 1.0)", major, minor);
		return bad(cf, e, off + 12, msg);
	}
	if (cap_u32(p + blen - 4, swapped) != blen)
		return bad(cf, e, off + blen - 4, "Section Header Block trailing length does not match; the file is corrupt");
	if (walk_options(cf, p + 24, blen - 28, off + 24, swapped, NULL, e) < 0)
		return -1;
	xgrow(&cf->sections, &cf->cap_sections, cf->n_sections + 1, sizeof *cf->sections);
	struct cap_section *s = &cf->sections[cf->n_sections++];
	s->off = off;
	s->swapped = swapped;
	s->first_if = (uint32_t)cf->n_ifaces;
	s->n_if = 0;
	cf->swapped = swapped;
	*blen_out = blen;
	return 0;
}

static int read_idb(struct capfile *cf, size_t off, const uint8_t *body, size_t n, struct err *e)
{
	struct cap_section *s = &cf->sections[cf->n_sections - 1];
	if (n < 8)
		return bad(cf, e, off, "Interface Description Block too short; the file is corrupt");
	if (cf->n_ifaces >= PCAPNG_MAX_IFACES)
		return bad(cf, e, off, "more than 65536 interfaces; the file is corrupt");
	struct cap_iface ifc;
	memset(&ifc, 0, sizeof ifc);
	ifc.linktype = cap_u16(body, s->swapped);
	ifc.snaplen = cap_u32(body + 4, s->swapped);
	ifc.ts_mul = 1000; /* default resolution: microseconds */
	ifc.ts_div = 1;
	ifc.ts_digits = 6;
	if (walk_options(cf, body + 8, n - 8, off + 16, s->swapped, &ifc, e) < 0)
		return -1;
	xgrow(&cf->ifaces, &cf->cap_ifaces, cf->n_ifaces + 1, sizeof *cf->ifaces);
	cf->ifaces[cf->n_ifaces++] = ifc;
	s->n_if++;
	return 0;
}

int capfile_pcapng_open(struct capfile *cf, struct err *e)
{
	cf->format = CAP_PCAPNG;
	size_t blen;
	if (read_shb(cf, 0, &blen, e) < 0)
		return -1;
	cf->pos = blen;
	return 0;
}

/* Reads the packet block at off into rec. Returns 1, 0 (not a packet block), -1. */
static int packet_block(struct capfile *cf, const struct cap_section *s, size_t off, uint32_t type,
			const uint8_t *body, size_t n, struct cap_rec *rec, struct err *e)
{
	uint32_t ifid, caplen, wirelen;
	uint64_t ticks = 0;
	const uint8_t *data;
	size_t room;
	if (type == BT_EPB || type == BT_PB) {
		if (n < 20)
			return bad(cf, e, off, "packet block too short; the file is corrupt");
		if (type == BT_EPB)
			ifid = cap_u32(body, s->swapped);
		else
			ifid = cap_u16(body, s->swapped);
		uint64_t hi = cap_u32(body + 4, s->swapped), lo = cap_u32(body + 8, s->swapped);
		ticks = hi << 32 | lo;
		caplen = cap_u32(body + 12, s->swapped);
		wirelen = cap_u32(body + 16, s->swapped);
		data = body + 20;
		room = n - 20;
		if (caplen > room)
			return bad(cf, e, off, "packet block captured length runs past the end of the block; the file is corrupt");
	} else { /* Simple Packet Block: interface 0, no timestamp, caplen implied */
		if (n < 4)
			return bad(cf, e, off, "Simple Packet Block too short; the file is corrupt");
		ifid = 0;
		wirelen = cap_u32(body, s->swapped);
		data = body + 4;
		room = n - 4;
		caplen = wirelen < room ? wirelen : (uint32_t)room;
	}
	if (ifid >= s->n_if) {
		char msg[128];
		snprintf(msg, sizeof msg, "packet block names interface %u, but the section declares %u; the file is corrupt",
			 ifid, s->n_if);
		return bad(cf, e, off, msg);
	}
	const struct cap_iface *ifc = &cf->ifaces[s->first_if + ifid];
	if (type == BT_SPB && ifc->snaplen && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	rec->data = data;
	rec->caplen = caplen;
	rec->wirelen = wirelen < caplen ? caplen : wirelen;
	rec->ts_ns = type == BT_SPB ? 0 : ticks_to_ns(ifc, ticks);
	rec->off = off;
	rec->linktype = ifc->linktype;
	rec->ts_digits = ifc->ts_digits;
	rec->ifindex = s->first_if + ifid;
	return 1;
}

/* Validates the generic block frame at off; sets *type, *blen. */
static int block_frame(struct capfile *cf, size_t off, int swapped, uint32_t *type, uint32_t *blen, struct err *e)
{
	size_t left = cf->size - off;
	if (left < 12)
		return bad(cf, e, off, "truncated block header; the file was cut short");
	const uint8_t *p = cf->base + off;
	*type = cap_u32(p, swapped);
	if (*type == BT_SHB)
		return 0; /* its length is in its own byte order */
	*blen = cap_u32(p + 4, swapped);
	if (*blen < 12 || *blen % 4) {
		char msg[96];
		snprintf(msg, sizeof msg, "block length %u is invalid (minimum 12, multiple of 4); the file is corrupt", *blen);
		return bad(cf, e, off + 4, msg);
	}
	if (*blen > PCAPNG_MAX_BLOCK) {
		char msg[96];
		snprintf(msg, sizeof msg, "block length %u is larger than the maximum %u; the file is corrupt", *blen,
			 PCAPNG_MAX_BLOCK);
		return bad(cf, e, off + 4, msg);
	}
	if (*blen > left) {
		char msg[128];
		snprintf(msg, sizeof msg, "truncated block: %u bytes announced, only %zu left; the file was cut short",
			 *blen, left);
		return bad(cf, e, off, msg);
	}
	if (cap_u32(p + *blen - 4, swapped) != *blen)
		return bad(cf, e, off + *blen - 4, "block trailing length does not match its header; the file is corrupt");
	return 0;
}

int capfile_pcapng_next(struct capfile *cf, struct cap_rec *rec, struct err *e)
{
	while (cf->pos < cf->size) {
		size_t off = cf->pos;
		uint32_t type, blen = 0;
		if (block_frame(cf, off, cf->swapped, &type, &blen, e) < 0)
			return -1;
		if (type == BT_SHB) {
			size_t sl;
			if (read_shb(cf, off, &sl, e) < 0)
				return -1;
			cf->pos = off + sl;
			continue;
		}
		const uint8_t *body = cf->base + off + 8;
		size_t n = blen - 12;
		cf->pos = off + blen;
		if (type == BT_IDB) {
			if (read_idb(cf, off, body, n, e) < 0)
				return -1;
			continue;
		}
		if (type == BT_EPB || type == BT_PB || type == BT_SPB)
			return packet_block(cf, &cf->sections[cf->n_sections - 1], off, type, body, n, rec, e);
	}
	return 0;
}

int capfile_pcapng_read_at(struct capfile *cf, uint64_t off, struct cap_rec *rec, struct err *e)
{
	/* The section that holds off: the last one that starts before it. */
	size_t lo = 0, hi = cf->n_sections;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (cf->sections[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (cf->n_sections == 0)
		return -1;
	const struct cap_section *s = &cf->sections[lo];
	uint32_t type, blen = 0;
	size_t saved = cf->pos;
	int rc = block_frame(cf, (size_t)off, s->swapped, &type, &blen, e);
	cf->pos = saved;
	if (rc < 0)
		return -1;
	if (type != BT_EPB && type != BT_PB && type != BT_SPB)
		return -1;
	rc = packet_block(cf, s, (size_t)off, type, cf->base + off + 8, blen - 12, rec, e);
	cf->pos = saved;
	return rc;
}
