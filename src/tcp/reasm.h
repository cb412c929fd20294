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

/* What the owner hears, in stream order. Every connection has a struct reasm, so the
 * callbacks are one pointer to a const table; each receives the struct reasm, which the
 * owner embeds in its own state and finds itself from (container_of). */
struct reasm;
struct reasm_ops {
	/* n bytes at stream offset off, sent by side dir */
	void (*data)(struct reasm *r, int dir, const uint8_t *p, size_t n, uint64_t off);
	/* len bytes at off were never captured */
	void (*gap)(struct reasm *r, int dir, uint64_t off, uint64_t len);
	/* the side closed its stream (FIN) after off bytes */
	void (*fin)(struct reasm *r, int dir, uint64_t off);
};

/* Held out-of-order segments of one direction (reasm.c, private): allocated on the first
 * such segment and freed when the last one leaves, since most directions never hold
 * one and 200,000 open connections must not each pay for the bookkeeping. */
struct reasm_held;

struct reasm_mapent {
	uint64_t off;
	uint32_t frame;
	int64_t ts;
};

/* The frame map of one direction: entries sorted by offset, n <= REASM_MAP_MAX (so 32
 * bits count them). Allocated with room for one entry on the first delivered byte
 * (most directions of short connections carry one or two frames), then doubling. */
struct reasm_map {
	uint32_t n, cap;
	struct reasm_mapent e[];
};

/* 32 bytes: every open connection has two (tests/unit/test_reasm.c checks the size). */
struct reasm_dir {
	uint64_t next_off;      /* stream offset of the next byte to deliver */
	uint32_t next_seq;      /* its sequence number */
	uint8_t started;
	uint8_t fin_done;
	uint8_t capping;        /* 1 while a hold cap gives up a hole: the gap callback's reason */
	/* Held segments: an AVL tree ordered by stream offset, and among equal offsets
	 * by arrival (the in-order walk is the order they are delivered in), so holding,
	 * delivering and declaring a hole cost O(log n) each; NULL when none are held. */
	struct reasm_held *held;
	struct reasm_map *map;  /* NULL until a byte (or a datagram) is mapped */
};

struct reasm {
	struct reasm_dir d[2];
	const struct reasm_ops *ops;
};

void reasm_init(struct reasm *r, const struct reasm_ops *ops);
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
/* A datagram of n bytes from side dir, carried by frame (time ts), for datagram
 * protocols, which use the map without the byte stream: offsets count datagram bytes.
 * Returns the datagram's offset (the bytes before it in that direction). */
uint64_t reasm_datagram(struct reasm *r, int dir, size_t n, uint32_t frame, int64_t ts);
/* The consumer no longer asks about offsets below off. */
void reasm_release(struct reasm *r, int dir, uint64_t off);
/* Segments side dir holds out of order, and their captured bytes (0 when none). */
size_t reasm_held_segs(const struct reasm *r, int dir);
size_t reasm_held_bytes(const struct reasm *r, int dir);
/* Height of side dir's tree of held segments (0: none held): at most 1.45 log2(n + 2) for n held,
 * which tests/unit/test_reasm.c checks, since an unbalanced tree is still correct but
 * as slow as the sorted array was. */
int reasm_held_height(const struct reasm *r, int dir);

#endif
