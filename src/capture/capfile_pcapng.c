/* capfile_pcapng.c: the pcapng format (draft-ietf-opsawg-pcapng): a file is one or
 * more sections, each a Section Header Block followed by Interface Description Blocks
 * and packet blocks. Several interfaces with different link types and timestamp
 * resolutions are read; blocks we have no use for are skipped by their length. Each
 * call parses one block out of a window (see the contract in capfile_int.h) through
 * the bounded reader; options are read through a sub-reader bounded to their block.
 *
 * The section and interface tables serve capfile_read_at, which needs the byte order
 * and interfaces of the section a packet block belongs to. They hold only what read
 * back can still need: a section without a packet is replaced by the next one, and a
 * stream that cannot read back (a pipe without a spool) keeps only its current
 * section, so repeating SHBs cannot make them grow without bound. After a rewind the
 * blocks already in the tables are read again without adding to them. */
#include "capfile_int.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <string.h>

enum {
	BT_SHB = 0x0a0d0d0a, BT_IDB = 1, BT_PB = 2, BT_SPB = 3, BT_EPB = 6,
	BT_DSB = 10, /* Decryption Secrets Block (pcapng draft, §4.7) */
};

/* Interfaces in the table (a file's, or on a stream that cannot read back, its current
 * section's): each costs a table entry; real files have a handful. */
#define PCAPNG_MAX_IFACES 65536
/* The fixed parts: a block is type, length, trailing length; an SHB adds byte-order
 * magic, version and section length. */
#define PCAPNG_BLOCK_MIN 12
#define PCAPNG_SHB_MIN 28
/* frame() found a well-formed block: go on with its body. */
#define FRAME_OK 100

static void tsresol(struct cap_iface *ifc, uint8_t v)
{
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
		return;
	}
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

/* Walks the options in o (a reader bounded to a block's option area, which starts at
 * stream offset opts_off) and checks each stays inside it. Fills the interface options
 * we need into ifc (NULL: none wanted). Returns 0, or CAP_STEP_BAD (e set). */
static int walk_options(const struct capfile *cf, struct rd *o, uint64_t opts_off, int swapped,
			struct cap_iface *ifc, struct err *e)
{
	while (rd_left(o)) {
		size_t at = o->off;
		if (rd_left(o) < 4)
			return cap_bad(cf, e, opts_off + at,
				       "option header runs past the end of its block; the file is corrupt");
		uint16_t code = cap_rd16(o, swapped);
		uint16_t len = cap_rd16(o, swapped);
		if (code == 0)
			break; /* opt_endofopt */
		size_t padded = ((size_t)len + 3) & ~(size_t)3;
		struct rd v = rd_sub(o, padded);
		if (!rd_ok(o)) {
			char msg[160];
			snprintf(msg, sizeof msg,
				 "option %u length %u runs past the end of its block; the file is corrupt", code, len);
			return cap_bad(cf, e, opts_off + at, msg);
		}
		if (ifc && code == 9 && len >= 1) { /* if_tsresol */
			tsresol(ifc, rd_u8(&v));
		} else if (ifc && code == 14 && len >= 8) { /* if_tsoffset, seconds */
			uint64_t secs = swapped ? rd_be64(&v) : rd_le64(&v);
			/* A signed count of seconds; one too large for nanoseconds in 64 bits
			 * (over 292 years) is nonsense and ignored rather than overflowed. */
			int64_t ns;
			if (__builtin_mul_overflow((int64_t)secs, (int64_t)1000000000, &ns))
				ns = 0;
			ifc->ts_offset_ns = ns;
		}
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

/* 1 when the tables may have to serve capfile_read_at, or a rewind, for any offset
 * read so far. */
static int keeps_history(const struct capfile *cf)
{
	return !cf->st || capstream_rewinds(cf);
}

/* Blocks before parsed_end are in the tables already (we are reading again after a
 * rewind): they are parsed and checked as before but add nothing. */
static int replaying(const struct capfile *cf, uint64_t off)
{
	return cf->n_sections > 0 && off < cf->parsed_end;
}

static const struct cap_section *section_at(const struct capfile *cf, uint64_t off)
{
	if (cf->n_sections == 0 || cf->sections[0].off > off)
		return NULL;
	size_t lo = 0, hi = cf->n_sections;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (cf->sections[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &cf->sections[lo];
}

/* A new section starts at off: it becomes cur, and the tables drop what read back can
 * no longer need. */
static void new_section(struct capfile *cf, uint64_t off, int swapped)
{
	if (!keeps_history(cf)) {
		cf->n_sections = 0;
		cf->if_base = cf->n_ifaces;
	} else if (cf->n_sections && !cf->sections[cf->n_sections - 1].has_pkts) {
		cf->n_sections--; /* no packet of it can be asked for */
	}
	xgrow(&cf->sections, &cf->cap_sections, cf->n_sections + 1, sizeof *cf->sections);
	struct cap_section *s = &cf->sections[cf->n_sections++];
	memset(s, 0, sizeof *s);
	s->off = off;
	s->swapped = swapped;
	s->first_if = (uint32_t)cf->n_ifaces;
	cf->cur = *s;
}

/* Reads a Section Header Block at w (the first one, or one met later). */
static int shb(struct capfile *cf, const struct cap_win *w, size_t *n, struct err *e)
{
	const char *cut = "truncated Section Header Block; the file was cut short";
	struct rd r = rd_make(w->p, w->avail);
	if (!rd_need(&r, PCAPNG_SHB_MIN))
		return cap_short(cf, w, &r, n, e, w->off, cut);
	rd_skip(&r, 4); /* the type, the same in both byte orders */
	uint32_t blen_le = rd_le32(&r);
	uint32_t bom = rd_le32(&r);
	int swapped;
	if (bom == 0x1a2b3c4d)
		swapped = 0;
	else if (bom == 0x4d3c2b1a)
		swapped = 1;
	else
		return cap_bad(cf, e, w->off + 8, "bad byte-order magic in Section Header Block; not a pcapng file");
	uint32_t blen = swapped ? __builtin_bswap32(blen_le) : blen_le;
	if (blen < PCAPNG_SHB_MIN || blen % 4)
		return cap_bad(cf, e, w->off + 4, "Section Header Block length is invalid; the file is corrupt");
	if (blen > CAP_MAX_BLOCK) {
		char msg[112];
		snprintf(msg, sizeof msg, "Section Header Block length %u is larger than the maximum %u; the file is corrupt",
			 blen, CAP_MAX_BLOCK);
		return cap_bad(cf, e, w->off + 4, msg);
	}
	if (!rd_need(&r, blen - r.off))
		return cap_short(cf, w, &r, n, e, w->off, cut);
	struct rd b = rd_make_claimed(w->p, w->avail, blen);
	rd_skip(&b, 12);
	uint16_t major = cap_rd16(&b, swapped), minor = cap_rd16(&b, swapped);
	if (major != 1 || (minor != 0 && minor != 2)) {
		char msg[128];
		snprintf(msg, sizeof msg, "pcapng version %u.%u is not supported (expected 1.0)", major, minor);
		return cap_bad(cf, e, w->off + 12, msg);
	}
	rd_skip(&b, 8); /* section length: -1 or a hint, never trusted */
	struct rd opts = rd_sub(&b, blen - PCAPNG_SHB_MIN);
	if (cap_rd32(&b, swapped) != blen)
		return cap_bad(cf, e, w->off + blen - 4,
			       "Section Header Block trailing length does not match; the file is corrupt");
	if (walk_options(cf, &opts, w->off + 24, swapped, NULL, e) < 0)
		return CAP_STEP_BAD;
	if (replaying(cf, w->off)) {
		const struct cap_section *s = section_at(cf, w->off);
		if (s && s->off == w->off) {
			cf->cur = *s;
		} else { /* a section without packets, not kept: only its byte order matters */
			memset(&cf->cur, 0, sizeof cf->cur);
			cf->cur.off = w->off;
			cf->cur.first_if = (uint32_t)cf->n_ifaces;
		}
		cf->cur.swapped = swapped;
		cf->cur.n_if = 0; /* counts this section's interfaces as they are met again */
	} else {
		new_section(cf, w->off, swapped);
		cf->parsed_end = w->off + blen;
	}
	cf->swapped = swapped;
	*n = blen;
	return CAP_STEP_META;
}

int capfile_pcapng_header(struct capfile *cf, const struct cap_win *w, size_t *n, struct err *e)
{
	cf->format = CAP_PCAPNG;
	return shb(cf, w, n, e);
}

static int idb(struct capfile *cf, const struct cap_win *w, struct rd *body, int replay, struct err *e)
{
	if (rd_left(body) < 8)
		return cap_bad(cf, e, w->off, "Interface Description Block too short; the file is corrupt");
	if (!replay && cf->n_ifaces - cf->if_base >= PCAPNG_MAX_IFACES)
		return cap_bad(cf, e, w->off, "more than 65536 interfaces; the file is corrupt");
	struct cap_iface ifc;
	memset(&ifc, 0, sizeof ifc);
	int sw = cf->cur.swapped;
	ifc.linktype = cap_rd16(body, sw);
	rd_skip(body, 2); /* reserved */
	ifc.snaplen = cap_rd32(body, sw);
	ifc.ts_mul = 1000; /* default resolution: microseconds */
	ifc.ts_div = 1;
	ifc.ts_digits = 6;
	struct rd opts = rd_sub(body, rd_left(body));
	if (walk_options(cf, &opts, w->off + 16, sw, &ifc, e) < 0)
		return CAP_STEP_BAD;
	cf->cur.n_if++;
	if (replay)
		return 0;
	size_t k = cf->n_ifaces - cf->if_base;
	xgrow(&cf->ifaces, &cf->cap_ifaces, k + 1, sizeof *cf->ifaces);
	cf->ifaces[k] = ifc;
	cf->n_ifaces++;
	cf->sections[cf->n_sections - 1].n_if++;
	return 0;
}

/* Reads the packet block (type, body) at w of section s, of which n_if interfaces are
 * declared before it, into rec. */
static int packet(const struct capfile *cf, const struct cap_section *s, uint32_t n_if, const struct cap_win *w,
		  uint32_t type, struct rd *body, struct cap_rec *rec, struct err *e)
{
	uint32_t ifid, caplen, wirelen;
	uint64_t ticks = 0;
	const uint8_t *data;
	int sw = s->swapped;
	if (type == BT_EPB || type == BT_PB) {
		if (rd_left(body) < 20)
			return cap_bad(cf, e, w->off, "packet block too short; the file is corrupt");
		if (type == BT_EPB) {
			ifid = cap_rd32(body, sw);
		} else {
			ifid = cap_rd16(body, sw);
			rd_skip(body, 2); /* drops count */
		}
		uint64_t hi = cap_rd32(body, sw), lo = cap_rd32(body, sw);
		ticks = hi << 32 | lo;
		caplen = cap_rd32(body, sw);
		wirelen = cap_rd32(body, sw);
		data = rd_bytes(body, caplen);
		if (!data)
			return cap_bad(cf, e, w->off,
				       "packet block captured length runs past the end of the block; the file is corrupt");
	} else { /* Simple Packet Block: interface 0, no timestamp, caplen implied */
		if (rd_left(body) < 4)
			return cap_bad(cf, e, w->off, "Simple Packet Block too short; the file is corrupt");
		ifid = 0;
		wirelen = cap_rd32(body, sw);
		size_t room = rd_left(body);
		caplen = wirelen < room ? wirelen : (uint32_t)room;
		data = rd_here(body);
	}
	if (ifid >= n_if) {
		char msg[128];
		snprintf(msg, sizeof msg, "packet block names interface %u, but the section declares %u; the file is corrupt",
			 ifid, n_if);
		return cap_bad(cf, e, w->off, msg);
	}
	size_t k = (size_t)s->first_if + ifid;
	if (k < cf->if_base || k - cf->if_base >= cf->n_ifaces - cf->if_base)
		return cap_bad(cf, e, w->off, "packet block of a section that is no longer kept");
	const struct cap_iface *ifc = &cf->ifaces[k - cf->if_base];
	if (type == BT_SPB && ifc->snaplen && caplen > ifc->snaplen)
		caplen = ifc->snaplen;
	/* The block's length already keeps caplen under CAP_MAX_BLOCK; the snaplen rule is
	 * the one pcap records follow (capfile_int.h). */
	uint32_t max = cap_max_caplen(ifc->snaplen, PCAPNG_BLOCK_MIN + (type == BT_SPB ? 4 : 20));
	if (caplen > max) {
		char msg[128];
		snprintf(msg, sizeof msg, "packet block captured length %u is larger than the maximum %u; the file is corrupt",
			 caplen, max);
		return cap_bad(cf, e, w->off, msg);
	}
	rec->data = data;
	rec->caplen = caplen;
	rec->wirelen = wirelen < caplen ? caplen : wirelen;
	rec->ts_ns = type == BT_SPB ? 0 : ticks_to_ns(ifc, ticks);
	rec->off = w->off;
	rec->linktype = ifc->linktype;
	rec->ts_digits = ifc->ts_digits;
	rec->ifindex = (uint32_t)k;
	return CAP_STEP_REC;
}

/* Checks the generic block frame at w; sets *type and *blen. Returns FRAME_OK (an SHB
 * is framed by shb(), its length being in its own byte order), or the step answer. */
static int frame(const struct capfile *cf, const struct cap_win *w, int swapped, uint32_t *type, uint32_t *blen,
		 size_t *n, struct err *e)
{
	struct rd r = rd_make(w->p, w->avail);
	if (!rd_need(&r, PCAPNG_BLOCK_MIN))
		return cap_short(cf, w, &r, n, e, w->off, "truncated block header; the file was cut short");
	*type = cap_rd32(&r, swapped);
	if (*type == BT_SHB)
		return FRAME_OK;
	*blen = cap_rd32(&r, swapped);
	if (*blen < PCAPNG_BLOCK_MIN || *blen % 4) {
		char msg[96];
		snprintf(msg, sizeof msg, "block length %u is invalid (minimum 12, multiple of 4); the file is corrupt", *blen);
		return cap_bad(cf, e, w->off + 4, msg);
	}
	if (*blen > CAP_MAX_BLOCK) {
		char msg[96];
		snprintf(msg, sizeof msg, "block length %u is larger than the maximum %u; the file is corrupt", *blen,
			 CAP_MAX_BLOCK);
		return cap_bad(cf, e, w->off + 4, msg);
	}
	if (!rd_need(&r, *blen - r.off)) {
		char msg[128];
		snprintf(msg, sizeof msg, "truncated block: %u bytes announced, only %zu left; the file was cut short",
			 *blen, w->avail);
		return cap_short(cf, w, &r, n, e, w->off, msg);
	}
	rd_skip(&r, *blen - PCAPNG_BLOCK_MIN);
	if (cap_rd32(&r, swapped) != *blen)
		return cap_bad(cf, e, w->off + *blen - 4, "block trailing length does not match its header; the file is corrupt");
	return FRAME_OK;
}

/* A reader over the body of the framed block at w (between length and trailer). */
static struct rd block_body(const struct cap_win *w, uint32_t blen)
{
	struct rd b = rd_make_claimed(w->p, w->avail, blen);
	rd_skip(&b, 8);
	return rd_sub(&b, blen - PCAPNG_BLOCK_MIN);
}

int capfile_pcapng_block(struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n,
			 struct err *e)
{
	if (w->avail == 0 && w->final)
		return CAP_STEP_END;
	int replay = replaying(cf, w->off);
	uint32_t type, blen = 0;
	int rc = frame(cf, w, cf->cur.swapped, &type, &blen, n, e);
	if (rc != FRAME_OK)
		return rc;
	if (type == BT_SHB)
		return shb(cf, w, n, e);
	struct rd body = block_body(w, blen);
	int out = CAP_STEP_META;
	if (type == BT_IDB) {
		if (idb(cf, w, &body, replay, e) < 0)
			return CAP_STEP_BAD;
	} else if (type == BT_DSB && !replay && cf->on_secrets) {
		/* secrets type, length, the secrets (padded to 32 bits), options */
		uint32_t st = cap_rd32(&body, cf->cur.swapped);
		uint32_t sl = cap_rd32(&body, cf->cur.swapped);
		const uint8_t *sp = rd_bytes(&body, sl);
		if (sp)
			cf->on_secrets(cf->secrets_ctx, st, sp, sl);
		/* a DSB whose length runs past its block is ignored: its secrets are not
		 * trusted, and the packets are still read */
	} else if (type == BT_EPB || type == BT_PB || type == BT_SPB) {
		out = packet(cf, &cf->cur, cf->cur.n_if, w, type, &body, rec, e);
		if (out != CAP_STEP_REC)
			return out;
		if (!replay)
			cf->sections[cf->n_sections - 1].has_pkts = 1;
	}
	if (!replay)
		cf->parsed_end = w->off + blen;
	*n = blen;
	return out;
}

int capfile_pcapng_packet_at(const struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n,
			     struct err *e)
{
	const struct cap_section *s = section_at(cf, w->off);
	if (!s)
		return cap_bad(cf, e, w->off, "no Section Header Block is known before it");
	uint32_t type, blen = 0;
	int rc = frame(cf, w, s->swapped, &type, &blen, n, e);
	if (rc != FRAME_OK)
		return rc;
	if (type != BT_EPB && type != BT_PB && type != BT_SPB)
		return cap_bad(cf, e, w->off, "not a packet block");
	struct rd body = block_body(w, blen);
	rc = packet(cf, s, s->n_if, w, type, &body, rec, e);
	*n = blen;
	return rc;
}
