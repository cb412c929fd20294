/* reasm.h: one TCP direction's payload as an in-order byte stream (RFC 9293 §3.10.7.4:
 * a receiver delivers bytes in sequence order, once).
 *
 * Segments go in as captured; bytes come out through callbacks, each exactly once, in
 * order: retransmitted and overlapping bytes are trimmed (the first copy wins, as a
 * receiver keeps it), out-of-order segments are held (a bounded amount) until the hole
 * fills, and a hole that cannot fill (the peer acknowledged past it, the buffer cap was
 * hit, the connection ended, or the capture cut the segment short) becomes a gap call
 * with its offset and length. A map keeps, for delivered bytes, which frame carried
 * them, so decoders can name a message's first and last frame. */
#ifndef CHATTCP_REASM_H
#define CHATTCP_REASM_H

#include <stddef.h>
#include <stdint.h>

/* Out-of-order bytes held per direction before the oldest hole is declared a gap:
 * a receive window's worth (Linux's default maximum rmem is 6 MB; 4 MB covers what
 * a capture of ordinary traffic holds in flight and bounds memory per connection).
 * When it trips, the hole before the first held segment becomes a gap (the decoder
 * says "N bytes at byte X were not captured") and what follows it is delivered. */
#define REASM_OOO_MAX ((size_t)4 << 20)
/* Out-of-order segments held per direction, whatever their size: segments cut to
 * caplen 0 (or FIN-only ones) hold no bytes, so REASM_OOO_MAX alone would let a capture
 * hold millions of them. A Linux receiver charges each queued segment its buffer's
 * true size (about 1 KB at least) against its receive memory (6 MB at most), so it
 * never holds more than about 8,000; twice that is more than real traffic has in
 * flight and bounds a direction's bookkeeping to about 1.2 MB (72 bytes a segment). Tripping it does what
 * tripping REASM_OOO_MAX does. */
#define REASM_OOO_SEGS_MAX 16384
/* Frame map entries kept per direction; older ones are released by the consumer
 * (reasm_release) as it finishes messages. Past this the oldest are dropped, and
 * frames are then reported from the oldest entry still known. */
#define REASM_MAP_MAX 65536

struct reasm_cb {
	void *ctx;
	/* n bytes at stream offset off, sent by side dir, carried by frame (time ts) */
	void (*data)(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t off);
	/* len bytes at off were never captured */
	void (*gap)(void *ctx, int dir, uint64_t off, uint64_t len);
	/* the side closed its stream (FIN) after off bytes */
	void (*fin)(void *ctx, int dir, uint64_t off);
};

/* A held out-of-order segment: a node of the tree in reasm.c (private). */
struct reasm_seg;

struct reasm_mapent {
	uint64_t off;
	uint32_t frame;
	int64_t ts;
};

struct reasm_dir {
	int started;
	uint32_t next_seq;      /* sequence number of the next byte to deliver */
	uint64_t next_off;      /* its stream offset */
	int fin_done;
	/* Held segments: an AVL tree ordered by stream offset, and among equal offsets
	 * by arrival (the in-order walk is the order they are delivered in), so holding,
	 * delivering and declaring a hole cost O(log n_ooo) each. */
	struct reasm_seg *ooo;
	size_t n_ooo;           /* segments held (<= REASM_OOO_SEGS_MAX between calls) */
	size_t ooo_bytes;       /* their captured bytes (<= REASM_OOO_MAX between calls) */
	struct reasm_mapent *map;
	size_t n_map, cap_map;
	uint64_t gaps, gap_bytes;
	uint8_t capping;        /* 1 while a hold cap gives up a hole: the gap callback's reason */
};

struct reasm {
	struct reasm_dir d[2];
	struct reasm_cb cb;
};

void reasm_init(struct reasm *r, struct reasm_cb cb);
void reasm_fini(struct reasm *r);
/* One TCP segment from side dir: seq, flags (TH_*), captured payload p[0..caplen) of
 * wire length len. */
void reasm_segment(struct reasm *r, int dir, uint32_t seq, uint16_t flags, const uint8_t *p, uint32_t caplen,
		   uint32_t len, uint32_t frame, int64_t ts);
/* Side dir acknowledged ack: bytes of the other side below it that were not seen are
 * gaps now (the receiver had them; the capture did not). */
void reasm_ack(struct reasm *r, int dir, uint32_t ack);
/* End of capture: deliver what is held, with gaps for the holes. */
void reasm_finish(struct reasm *r);
/* Frame and time of the byte at stream offset off of side dir; 0 when unknown. */
uint32_t reasm_frame_at(const struct reasm *r, int dir, uint64_t off, int64_t *ts);
/* Records that frame (time ts) carried the bytes of side dir from off on: for
 * datagram protocols, which use the map without the byte stream. */
void reasm_map_frame(struct reasm *r, int dir, uint64_t off, uint32_t frame, int64_t ts);
/* The consumer no longer asks about offsets below off. */
void reasm_release(struct reasm *r, int dir, uint64_t off);
/* Height of side dir's tree of held segments (0: none held): at most 1.45 log2(n_ooo + 2),
 * which tests/unit/test_reasm.c checks, since an unbalanced tree is still correct but
 * as slow as the sorted array was. */
int reasm_held_height(const struct reasm *r, int dir);

#endif
