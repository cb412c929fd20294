/* capfile_int.h: what capfile.c shares with the two format parsers and the stream
 * source (capfile_stream.c).
 *
 * The parser contract (Suricata's consumed/needed): a format parser is handed a window
 * of bytes [p, p+avail) that sits at logical stream offset `off` and parses the next
 * record or block out of it. It answers
 *   CAP_STEP_REC   a packet record: *rec filled, *n = bytes consumed;
 *   CAP_STEP_META  a block that is not a packet (file header, SHB, IDB, ...): *n bytes
 *                  consumed, nothing to hand out;
 *   CAP_STEP_NEED  the window ends inside the record: *n = bytes needed from `off`
 *                  (always within the named limits below, so a window that grows to
 *                  it stays bounded);
 *   CAP_STEP_END   the window is empty and final: a clean end;
 *   CAP_STEP_BAD   the bytes are damaged: e set (message and offset).
 * When `final` is set the window is everything there will ever be, and the parser turns
 * "need more" into its "truncated ...; the file was cut short" error itself, because only
 * it knows what was cut. A parser never keeps a pointer into the window. */
#ifndef CHATTCP_CAPFILE_INT_H
#define CHATTCP_CAPFILE_INT_H

#include "capfile.h"

#include "../base/rd.h"

/* Captured length of one packet, the same rule in both formats: 256 KiB (libpcap's and
 * tshark's limit for ordinary link types), or more when the file declares a larger
 * snaplen (the pcap file header's, the pcapng interface's), never more than what fits in
 * CAP_MAX_BLOCK. A longer packet is corruption: the user sees "... larger than the
 * maximum N; the file is corrupt" with its offset, after every packet before it. */
#define CAP_MAX_RECORD ((uint32_t)262144)
/* The one hard limit on a unit of either format: a pcap record (header and data) and a
 * pcapng block of any type (framing, packet, options) are at most 16 MiB. libpcap stops
 * at 16 MiB too (pcapng blocks); real records are a packet plus a few options. It is
 * also what bounds a stream's window: no record or block the parsers accept is longer,
 * so a window never grows past it (plus the few bytes a parser peeks ahead). */
#define CAP_MAX_BLOCK ((uint32_t)16 << 20)

/* The largest captured length a packet of a file with this snaplen may have (0: none
 * declared), given `framing` bytes of its record or block around the data. */
static inline uint32_t cap_max_caplen(uint32_t snaplen, uint32_t framing)
{
	uint32_t hard = CAP_MAX_BLOCK - framing;
	if (snaplen > CAP_MAX_RECORD)
		return snaplen < hard ? snaplen : hard;
	return CAP_MAX_RECORD;
}

enum cap_step {
	CAP_STEP_BAD = -1,
	CAP_STEP_END = 0,
	CAP_STEP_REC = 1,
	CAP_STEP_NEED = 2,
	CAP_STEP_META = 3,
};

/* Where the parsers are in the stream: telling the format, its file header, then
 * records. A rewind goes back to CAP_STAGE_DETECT. */
enum cap_stage { CAP_STAGE_DETECT = 0, CAP_STAGE_HDR = 1, CAP_STAGE_BODY = 2 };

struct cap_win {
	const uint8_t *p;
	size_t avail;
	uint64_t off;  /* logical offset of p[0] */
	int final;     /* no byte will follow p[avail-1] */
};

/* A 32-bit field of bytes already bounded (rd_bytes), in the file's byte order. */
static inline uint32_t cap_u32(const uint8_t *p, int swapped)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return swapped ? __builtin_bswap32(v) : v;
}

/* Reads a 16/32-bit field in the byte order of the file (swapped: big-endian). */
static inline uint32_t cap_rd32(struct rd *r, int swapped)
{
	return swapped ? rd_be32(r) : rd_le32(r);
}

static inline uint16_t cap_rd16(struct rd *r, int swapped)
{
	return swapped ? rd_be16(r) : rd_le16(r);
}

/* The answer for a window that ends inside what a parser needs (r failed RD_TRUNC):
 * CAP_STEP_NEED with *n = r->needed, or, on a final window, the error `msg` (already
 * formatted, without the "NAME: offset N: " prefix) at err_off. */
int cap_short(const struct capfile *cf, const struct cap_win *w, const struct rd *r, size_t *n, struct err *e,
	      uint64_t err_off, const char *msg);
/* Sets e to "NAME: offset OFF: msg" (damaged input) and returns CAP_STEP_BAD. */
int cap_bad(const struct capfile *cf, struct err *e, uint64_t off, const char *msg);

/* pcap: the 24-byte file header (stage HDR), then one record. */
int capfile_pcap_header(struct capfile *cf, const struct cap_win *w, size_t *n, struct err *e);
int capfile_pcap_record(const struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n,
			struct err *e);
/* pcapng: the first Section Header Block (stage HDR), then one block of any kind; a
 * packet block read back by offset (capfile_read_at) with the section it belongs to. */
int capfile_pcapng_header(struct capfile *cf, const struct cap_win *w, size_t *n, struct err *e);
int capfile_pcapng_block(struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n,
			 struct err *e);
int capfile_pcapng_packet_at(const struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n,
			     struct err *e);
/* Runs the parser of the current stage on w (detect, header or record). */
int capfile_step(struct capfile *cf, const struct cap_win *w, struct cap_rec *rec, size_t *n, struct err *e);

/* The stream source (capfile_stream.c): a window buffer filled from a pipe, a followed
 * file, or pushed bytes, optionally through gzip and into a spool. */
enum cap_fill { CAP_FILL_OK = 0, CAP_FILL_EOF = 1, CAP_FILL_AGAIN = 2, CAP_FILL_STOP = 3, CAP_FILL_ERR = -1 };

enum cap_src_flags {
	CAP_SRC_OWN_FD = 1,     /* capfile_close closes fd */
	CAP_SRC_FILE = 2,       /* a regular file read from its start: pread at the raw offset */
	CAP_SRC_REGULAR = 4,    /* a regular file (follow waits at its end) */
	CAP_SRC_PUSH = 8,       /* bytes come from capfile_push; fd is -1 */
};

/* Makes cf a stream reading fd (flags: enum cap_src_flags). Returns 0, or -1 with e set
 * (the spool file cannot be made; fd is then not closed). */
int capstream_new(struct capfile *cf, int fd, int flags, const struct cap_stream_opts *o, struct err *e);
void capstream_free(struct capfile *cf);
/* The window as the parsers see it. */
void capstream_window(const struct capfile *cf, struct cap_win *w);
void capstream_consume(struct capfile *cf, size_t n);
/* Makes the window hold at least `need` bytes from its start, reading or inflating as
 * needed; returns enum cap_fill. */
int capstream_fill(struct capfile *cf, size_t need, struct err *e);
/* Marks the window final (the source ended, or a prime gives up waiting). */
void capstream_set_final(struct capfile *cf);
/* Bytes left in the window (a partial record when a followed source stops). */
size_t capstream_left(const struct capfile *cf);
/* 1 when bytes already read can be read again (read_at, rewind): a followed plain file
 * (pread on it) or a spool that is still complete. */
int capstream_keeps(const struct capfile *cf);
/* 1 when the stream can be read again from its start (capfile_rewind): what keeps, and
 * a followed gzip'd file (inflated again). */
int capstream_rewinds(const struct capfile *cf);
/* Moves the reading position to logical offset pos (< what was read); -1 when the
 * source cannot go back. */
int capstream_seek(struct capfile *cf, uint64_t pos);
/* Logical offset of the window's first byte. */
uint64_t capstream_pos(const struct capfile *cf);
/* Bytes of the logical stream read so far (the most, across rewinds). */
uint64_t capstream_seen(const struct capfile *cf);
/* Reads logical bytes [off, off+n) of what was kept into cf's read-back buffer; returns
 * the bytes read (fewer at the end of what was kept) or -1 with e set. *p points to
 * them until the next call. */
long capstream_pread(struct capfile *cf, uint64_t off, size_t n, const uint8_t **p, struct err *e);
/* Why bytes are not kept, for the read_at error ("reading from a pipe without a spool"). */
const char *capstream_why_not_kept(const struct capfile *cf);
int capstream_push(struct capfile *cf, const void *p, size_t n, struct err *e);
void capstream_push_end(struct capfile *cf);

#endif
