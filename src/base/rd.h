/* rd.h: the bounded reader every parser in chattcp reads through.
 *
 * A reader covers `len` captured bytes of untrusted input. Reads never touch
 * memory past `len`; the first failed read sets a sticky status and every
 * later read returns 0, so a decoder can read a whole header and check once.
 * Lengths are compared with rd_left(), never by forming out-of-range pointers
 * (p + n can overflow). */
#ifndef CHATTCP_RD_H
#define CHATTCP_RD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum rd_status {
	RD_OK = 0,
	RD_TRUNC = 1, /* the bytes existed on the wire but were not captured */
	RD_BAD = 2,   /* the input's own lengths contradict each other */
};

struct rd {
	const uint8_t *p;
	size_t len; /* captured bytes available */
	size_t off; /* next byte to read */
	int status;
};

static inline struct rd rd_make(const uint8_t *p, size_t len)
{
	struct rd r = { p, len, 0, RD_OK };
	return r;
}

static inline size_t rd_left(const struct rd *r)
{
	return r->status == RD_OK && r->off <= r->len ? r->len - r->off : 0;
}

static inline int rd_ok(const struct rd *r) { return r->status == RD_OK; }

static inline int rd_need(struct rd *r, size_t n)
{
	if (r->status != RD_OK)
		return 0;
	if (n > r->len - r->off) {
		r->status = RD_TRUNC;
		return 0;
	}
	return 1;
}

static inline void rd_fail(struct rd *r, int status)
{
	if (r->status == RD_OK)
		r->status = status;
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

static inline uint32_t rd_le32(struct rd *r)
{
	if (!rd_need(r, 4))
		return 0;
	const uint8_t *q = r->p + r->off;
	r->off += 4;
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

/* Returns a pointer to n bytes and advances, or NULL (status set). */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	if (!rd_need(r, n))
		return NULL;
	const uint8_t *q = r->p + r->off;
	r->off += n;
	return q;
}

static inline void rd_skip(struct rd *r, size_t n)
{
	if (rd_need(r, n))
		r->off += n;
}

/* A reader over the next n bytes; the parent advances past them. When fewer
 * than n are left the sub-reader gets what there is and the parent is marked
 * truncated, so the caller can still look at the captured part. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s = { NULL, 0, 0, RD_OK };
	if (r->status != RD_OK) {
		s.status = r->status;
		return s;
	}
	size_t left = r->len - r->off;
	s.p = r->p + r->off;
	if (n > left) {
		s.len = left;
		r->off = r->len;
		r->status = RD_TRUNC;
	} else {
		s.len = n;
		r->off += n;
	}
	return s;
}

/* The unread rest, without consuming it. */
static inline const uint8_t *rd_here(const struct rd *r)
{
	return r->p + (r->off <= r->len ? r->off : r->len);
}

#endif
