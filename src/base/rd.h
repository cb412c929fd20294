/* rd.h: the bounded reader every parser in chattcp reads through.
 *
 * A reader covers untrusted bytes and knows two lengths:
 *   len    the bytes that are here (captured, or received so far);
 *   claim  the bytes the enclosing header says this part has (an IPv4 total length,
 *          a pcap record's original length, a TLV's length field). RD_NO_CLAIM when
 *          nothing claims a length (a byte stream still arriving).
 * Reads never touch memory past min(len, claim). A read that fails sets a sticky
 * status and every later read returns 0, so a decoder can read a whole header and
 * check once:
 *   RD_TRUNC  the bytes exist (they are inside the claim) but are not here: cut by
 *             the snap length, or not yet arrived; `needed` says how many bytes from
 *             the start would have been enough, so a stream decoder can report
 *             consumed/needed without rescanning;
 *   RD_BAD    the read goes past what the header itself claims: the input contradicts
 *             its own lengths (malformed); `fail_off` says where.
 * Lengths are compared with subtraction, never by forming out-of-range pointers (p + n
 * can overflow; tcpdump's ND_BYTES_AVAILABLE_AFTER makes the same point). */
#ifndef CHATTCP_RD_H
#define CHATTCP_RD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum rd_status {
	RD_OK = 0,
	RD_TRUNC = 1, /* the bytes exist on the wire (or will arrive) but are not here */
	RD_BAD = 2,   /* the input's own lengths contradict each other */
};

#define RD_NO_CLAIM ((size_t)-1)

struct rd {
	const uint8_t *p;
	size_t len;      /* bytes available */
	size_t claim;    /* bytes the header claims (RD_NO_CLAIM: unknown) */
	size_t off;      /* next byte to read */
	int status;
	size_t fail_off; /* offset of the read that failed first */
	size_t needed;   /* RD_TRUNC: bytes from the start that the failed read needed */
};

/* A reader over n bytes that nothing claims a length for: a read past n is RD_TRUNC. */
static inline struct rd rd_make(const uint8_t *p, size_t n)
{
	struct rd r = { p, n, RD_NO_CLAIM, 0, RD_OK, 0, 0 };
	return r;
}

/* A reader over the n bytes that are here of a part that claims `claim` bytes: reads
 * past n inside the claim are RD_TRUNC, reads past the claim RD_BAD. When the claim is
 * below n (padding after the part), the bytes past the claim are not part of it. */
static inline struct rd rd_make_claimed(const uint8_t *p, size_t n, size_t claim)
{
	struct rd r = { p, n < claim ? n : claim, claim, 0, RD_OK, 0, 0 };
	return r;
}

/* Bytes that can still be read. */
static inline size_t rd_left(const struct rd *r)
{
	return r->status == RD_OK && r->off <= r->len ? r->len - r->off : 0;
}

/* Bytes the claim still covers from here (RD_NO_CLAIM when unknown), whether or not
 * they are here. */
static inline size_t rd_claim_left(const struct rd *r)
{
	if (r->claim == RD_NO_CLAIM)
		return RD_NO_CLAIM;
	return r->off <= r->claim ? r->claim - r->off : 0;
}

static inline int rd_ok(const struct rd *r) { return r->status == RD_OK; }

/* The unread rest, without consuming it. NULL for a reader over nothing at NULL
 * (rd_make(NULL, 0)): NULL + 0 is undefined in C (clang's UBSan reports it). */
static inline const uint8_t *rd_here(const struct rd *r)
{
	if (!r->p)
		return NULL;
	return r->p + (r->off <= r->len ? r->off : r->len);
}

/* Marks the reader failed at the current offset (the first failure wins). */
static inline void rd_fail(struct rd *r, int status)
{
	if (r->status != RD_OK)
		return;
	r->status = status;
	r->fail_off = r->off;
	if (status == RD_TRUNC && r->needed < r->off)
		r->needed = r->off;
}

/* 1 when n more bytes can be read; otherwise sets the status (TRUNC or BAD) and
 * returns 0. */
static inline int rd_need(struct rd *r, size_t n)
{
	if (r->status != RD_OK)
		return 0;
	if (n <= r->len - r->off)
		return 1;
	r->fail_off = r->off;
	if (r->claim != RD_NO_CLAIM && n > rd_claim_left(r)) {
		r->status = RD_BAD;
	} else {
		r->status = RD_TRUNC;
		r->needed = n > RD_NO_CLAIM - r->off ? RD_NO_CLAIM : r->off + n;
	}
	return 0;
}

static inline uint8_t rd_u8(struct rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return r->p[r->off++];
}

static inline uint16_t rd_be16(struct rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 2;
	return (uint16_t)(q[0] << 8 | q[1]);
}

static inline uint32_t rd_be24(struct rd *r)
{
	if (!rd_need(r, 3))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 3;
	return (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
}

static inline uint32_t rd_be32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static inline uint64_t rd_be64(struct rd *r)
{
	if (!rd_need(r, 8))
		return 0;
	uint64_t hi = rd_be32(r);
	return hi << 32 | rd_be32(r);
}

static inline uint16_t rd_le16(struct rd *r)
{
	if (!rd_need(r, 2))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 2;
	return (uint16_t)(q[1] << 8 | q[0]);
}

static inline uint32_t rd_le24(struct rd *r)
{
	if (!rd_need(r, 3))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 3;
	return (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline uint32_t rd_le32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline uint64_t rd_le64(struct rd *r)
{
	if (!rd_need(r, 8))
		return 0;
	uint64_t lo = rd_le32(r);
	return lo | (uint64_t)rd_le32(r) << 32;
}

/* Returns a pointer to n bytes and advances, or NULL (status set). */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	if (!rd_need(r, n))
		return NULL;
	const uint8_t *q = rd_here(r);
	r->off += n;
	return q;
}

static inline void rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		r->off += n;
}

/* Looks at the byte k places ahead without consuming; -1 when it is not here (no
 * status is set: peeking is how a scanner asks whether it may go on). */
static inline int rd_peek(const struct rd *r, size_t k)
{
	if (r->status != RD_OK || r->off > r->len || k >= r->len - r->off)
		return -1;
	return r->p[r->off + k];
}

/* A reader over the next n bytes (a length-prefixed field); the parent advances past
 * them. The sub-reader claims n bytes and holds what is here of them:
 *   - all n here: the parent goes on after them;
 *   - fewer here but inside the parent's claim: cut short (RD_TRUNC on the parent, its
 *     offset at the end of what is here; reads in the sub past what is here fail TRUNC);
 *   - n runs past the parent's own claim: the field contradicts its container (RD_BAD
 *     on the parent); the sub-reader then claims only what the parent had left. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s = { rd_here(r), 0, 0, 0, RD_OK, 0, 0 };
	if (r->status != RD_OK) {
		s.status = r->status; /* empty, at the parent's position */
		return s;
	}
	size_t here = r->len - r->off;
	size_t claim_left = rd_claim_left(r);
	if (n <= here) {
		s.len = s.claim = n;
		r->off += n;
		return s;
	}
	s.len = here;
	r->fail_off = r->off;
	if (claim_left != RD_NO_CLAIM && n > claim_left) {
		s.claim = claim_left;
		r->status = RD_BAD;
	} else {
		s.claim = n;
		r->status = RD_TRUNC;
		r->needed = n > RD_NO_CLAIM - r->off ? RD_NO_CLAIM : r->off + n;
	}
	r->off = r->len;
	return s;
}

/* The offset of the first unread byte within the first n bytes equal to c, or -1
 * (a bounded memchr for line scanners). */
static inline long rd_find(const struct rd *r, uint8_t c, size_t n)
{
	size_t left = rd_left(r);
	if (n > left)
		n = left;
	const uint8_t *q = n ? memchr(rd_here(r), c, n) : NULL;
	return q ? (long)(q - rd_here(r)) : -1;
}

#endif
