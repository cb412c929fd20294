/* test_rd.c: unit tests for the bounded reader (src/base/rd.h). Every accessor at every
 * boundary: exactly enough bytes, one short inside the claim (RD_TRUNC with the right
 * `needed`), one past the claim (RD_BAD with the right fail_off), padding past the
 * claim not read; sticky status; rd_sub in its three cases; rd_find; rd_peek. Each
 * input sits at the end of a page followed by a PROT_NONE page (harness.h), so a read
 * of one byte too many faults. Prints "ok NAME" / "FAIL NAME: why". */
#include "base/rd.h"
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* 01 02 03 ... : every multi-byte value tells its byte order and its offset. */
static uint8_t seq[64];

/* A guarded copy of seq[from .. from + n). */
struct gbuf {
	void *map;
	size_t maplen;
	const uint8_t *p;
};

static struct gbuf gb(size_t from, size_t n)
{
	struct gbuf g;
	g.p = guarded(seq + from, n, &g.map, &g.maplen);
	return g;
}

static void gb_free(struct gbuf *g) { munmap(g->map, g->maplen); }

/* An accessor under test, as one call: returns the value read (bytes: the first byte
 * read, or -1 for NULL). */
struct acc {
	const char *name;
	size_t width;
	uint64_t (*read)(struct rd *r);
	uint64_t (*expect)(const uint8_t *b); /* the value of width bytes at b */
	int to_end; /* a failure leaves the offset at the end of what is here (rd_sub) */
};

static uint64_t r_u8(struct rd *r) { return rd_u8(r); }
static uint64_t r_be16(struct rd *r) { return rd_be16(r); }
static uint64_t r_be24(struct rd *r) { return rd_be24(r); }
static uint64_t r_be32(struct rd *r) { return rd_be32(r); }
static uint64_t r_be64(struct rd *r) { return rd_be64(r); }
static uint64_t r_le16(struct rd *r) { return rd_le16(r); }
static uint64_t r_le24(struct rd *r) { return rd_le24(r); }
static uint64_t r_le32(struct rd *r) { return rd_le32(r); }
static uint64_t r_le64(struct rd *r) { return rd_le64(r); }
static uint64_t r_bytes5(struct rd *r)
{
	const uint8_t *q = rd_bytes(r, 5);
	return q ? (uint64_t)q[0] << 32 | (uint64_t)q[1] << 24 | (uint64_t)q[2] << 16 | (uint64_t)q[3] << 8 | q[4]
		 : (uint64_t)-1;
}
static uint64_t r_skip7(struct rd *r)
{
	rd_skip(r, 7);
	return 0;
}
static uint64_t r_sub6(struct rd *r)
{
	struct rd s = rd_sub(r, 6);
	/* a sub that is all here reads back its bytes */
	return s.len == 6 ? (uint64_t)rd_be32(&s) << 16 | rd_be16(&s) : (uint64_t)-1;
}

static uint64_t be(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}
static uint64_t le(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = n; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}
static uint64_t e_be1(const uint8_t *b) { return be(b, 1); }
static uint64_t e_be2(const uint8_t *b) { return be(b, 2); }
static uint64_t e_be3(const uint8_t *b) { return be(b, 3); }
static uint64_t e_be4(const uint8_t *b) { return be(b, 4); }
static uint64_t e_be5(const uint8_t *b) { return be(b, 5); }
static uint64_t e_be6(const uint8_t *b) { return be(b, 6); }
static uint64_t e_be8(const uint8_t *b) { return be(b, 8); }
static uint64_t e_le2(const uint8_t *b) { return le(b, 2); }
static uint64_t e_le3(const uint8_t *b) { return le(b, 3); }
static uint64_t e_le4(const uint8_t *b) { return le(b, 4); }
static uint64_t e_le8(const uint8_t *b) { return le(b, 8); }
static uint64_t e_zero(const uint8_t *b) { return (void)b, 0; }

static const struct acc accs[] = {
	{ "u8", 1, r_u8, e_be1, 0 },        { "be16", 2, r_be16, e_be2, 0 },   { "be24", 3, r_be24, e_be3, 0 },
	{ "be32", 4, r_be32, e_be4, 0 },    { "be64", 8, r_be64, e_be8, 0 },   { "le16", 2, r_le16, e_le2, 0 },
	{ "le24", 3, r_le24, e_le3, 0 },    { "le32", 4, r_le32, e_le4, 0 },   { "le64", 8, r_le64, e_le8, 0 },
	{ "bytes5", 5, r_bytes5, e_be5, 0 }, { "skip7", 7, r_skip7, e_zero, 0 }, { "sub6", 6, r_sub6, e_be6, 1 },
};
#define N_ACCS (sizeof accs / sizeof accs[0])

static int fails_before;
static char why[512];

/* Starts a group of checks that ends in one ok/FAIL line. */
static void begin(void)
{
	fails_before = 0;
	why[0] = 0;
}

#define EXPECT(cond, ...)                                                                                          \
	do {                                                                                                       \
		if (!(cond) && !fails_before) {                                                                    \
			fails_before = 1;                                                                          \
			snprintf(why, sizeof why, __VA_ARGS__);                                                    \
		}                                                                                                  \
	} while (0)

static void end(const char *name) { check(!fails_before, name, why); }

/* Expected state after one read. */
static void expect_state(const struct rd *r, const char *what, int status, size_t off, size_t fail_off, size_t needed)
{
	EXPECT(r->status == status, "%s: status %d, expected %d", what, r->status, status);
	EXPECT(r->off == off, "%s: off %zu, expected %zu", what, r->off, off);
	if (status != RD_OK)
		EXPECT(r->fail_off == fail_off, "%s: fail_off %zu, expected %zu", what, r->fail_off, fail_off);
	if (status == RD_TRUNC)
		EXPECT(r->needed == needed, "%s: needed %zu, expected %zu", what, r->needed, needed);
}

/* Every accessor after a prefix of k bytes (k = 0..3), at every boundary. */
static void test_accessors(void)
{
	char name[128];
	for (size_t a = 0; a < N_ACCS; a++) {
		const struct acc *x = &accs[a];
		size_t w = x->width;
		for (size_t k = 0; k < 4; k++) {
			begin();
			char what[96];
			/* 1. exactly enough, with and without a claim, claim == len and claim beyond */
			size_t claims[] = { RD_NO_CLAIM, k + w, k + w + 5 };
			for (size_t c = 0; c < 3; c++) {
				struct gbuf g = gb(0, k + w);
				struct rd r = claims[c] == RD_NO_CLAIM ? rd_make(g.p, k + w) : rd_make_claimed(g.p, k + w, claims[c]);
				rd_skip(&r, k);
				uint64_t v = x->read(&r);
				snprintf(what, sizeof what, "exact, claim %zu", c);
				expect_state(&r, what, RD_OK, k + w, 0, 0);
				EXPECT(v == x->expect(seq + k), "%s: value %#llx, expected %#llx", what, (unsigned long long)v,
				       (unsigned long long)x->expect(seq + k));
				EXPECT(rd_left(&r) == 0, "%s: rd_left %zu", what, rd_left(&r));
				size_t want_cl = claims[c] == RD_NO_CLAIM ? RD_NO_CLAIM : claims[c] - k - w;
				EXPECT(rd_claim_left(&r) == want_cl, "%s: rd_claim_left %zu, expected %zu", what, rd_claim_left(&r),
				       want_cl);
				gb_free(&g);
			}
			/* 2. one short inside the claim (no claim, or a claim that covers it): TRUNC,
			 * needed = k + w, fail_off = k, offset unchanged */
			size_t claims2[] = { RD_NO_CLAIM, k + w, k + w + 100 };
			for (size_t c = 0; c < 3; c++) {
				struct gbuf g = gb(0, k + w - 1);
				struct rd r = claims2[c] == RD_NO_CLAIM ? rd_make(g.p, k + w - 1)
									: rd_make_claimed(g.p, k + w - 1, claims2[c]);
				rd_skip(&r, k);
				uint64_t v = x->read(&r);
				snprintf(what, sizeof what, "one short, claim %zu", c);
				expect_state(&r, what, RD_TRUNC, x->to_end ? k + w - 1 : k, k, k + w);
				EXPECT(v == 0 || v == (uint64_t)-1, "%s: a failed read returned %#llx", what, (unsigned long long)v);
				gb_free(&g);
			}
			/* 3. past the claim: BAD at k, whether the bytes are here (padding after the
			 * claim) or not */
			size_t held[] = { k + w - 1, k + w, k + w + 3 };
			for (size_t c = 0; c < 3; c++) {
				struct gbuf g = gb(0, held[c]);
				struct rd r = rd_make_claimed(g.p, held[c], k + w - 1);
				rd_skip(&r, k);
				uint64_t v = x->read(&r);
				snprintf(what, sizeof what, "past the claim, %zu held", held[c]);
				expect_state(&r, what, RD_BAD, x->to_end ? k + w - 1 : k, k, 0);
				EXPECT(v == 0 || v == (uint64_t)-1, "%s: a failed read returned %#llx", what, (unsigned long long)v);
				gb_free(&g);
			}
			/* 4. claim below len: what is past the claim is padding, never read: exactly
			 * the claim reads, one more byte is BAD */
			{
				struct gbuf g = gb(0, k + w + 4);
				struct rd r = rd_make_claimed(g.p, k + w + 4, k + w);
				EXPECT(r.len == k + w, "padding: len %zu, expected %zu", r.len, k + w);
				EXPECT(rd_left(&r) == k + w, "padding: rd_left %zu, expected %zu", rd_left(&r), k + w);
				rd_skip(&r, k);
				uint64_t v = x->read(&r);
				expect_state(&r, "padding: the claimed part", RD_OK, k + w, 0, 0);
				EXPECT(v == x->expect(seq + k), "padding: value %#llx", (unsigned long long)v);
				EXPECT(rd_peek(&r, 0) == -1, "padding: rd_peek past the claim gave %d", rd_peek(&r, 0));
				EXPECT(rd_find(&r, seq[k + w], 4) == -1, "padding: rd_find found a byte past the claim");
				rd_u8(&r);
				expect_state(&r, "padding: one byte past the claim", RD_BAD, k + w, k + w, 0);
				gb_free(&g);
			}
			snprintf(name, sizeof name, "rd %s after %zu bytes: exact, one short (TRUNC), past the claim (BAD), padding", x->name, k);
			end(name);
		}
	}
}

/* After a failure every accessor returns 0 (NULL for rd_bytes), the offset and the
 * first failure's fail_off / needed stay, and rd_left, rd_peek, rd_find see nothing. */
static void test_sticky(void)
{
	for (int st = RD_TRUNC; st <= RD_BAD; st++) {
		begin();
		struct gbuf g = gb(0, 16);
		/* TRUNC: a reader without a claim, 4 bytes short; BAD: a claim of 12 */
		struct rd r = st == RD_TRUNC ? rd_make(g.p, 16) : rd_make_claimed(g.p, 16, 12);
		rd_skip(&r, 10);
		rd_be64(&r); /* needs 18 */
		size_t fo = r.fail_off, nd = r.needed, off = r.off;
		EXPECT(r.status == st, "status %d, expected %d", r.status, st);
		EXPECT(fo == 10, "fail_off %zu, expected 10", fo);
		if (st == RD_TRUNC)
			EXPECT(nd == 18, "needed %zu, expected 18", nd);
		for (size_t a = 0; a < N_ACCS; a++) {
			uint64_t v = accs[a].read(&r);
			EXPECT(v == 0 || v == (uint64_t)-1, "%s after the failure returned %#llx", accs[a].name, (unsigned long long)v);
			EXPECT(r.status == st && r.fail_off == fo && r.needed == nd && r.off == off,
			       "%s after the failure changed the state (status %d fail_off %zu needed %zu off %zu)", accs[a].name,
			       r.status, r.fail_off, r.needed, r.off);
		}
		EXPECT(rd_u8(&r) == 0, "rd_u8 after the failure is not 0");
		EXPECT(rd_bytes(&r, 0) == NULL, "rd_bytes(0) after the failure is not NULL");
		EXPECT(rd_left(&r) == 0, "rd_left %zu after the failure", rd_left(&r));
		EXPECT(rd_peek(&r, 0) == -1, "rd_peek after the failure");
		EXPECT(rd_find(&r, seq[10], 6) == -1, "rd_find after the failure");
		EXPECT(!rd_ok(&r), "rd_ok after the failure");
		/* the other kind of failure does not replace the first */
		rd_fail(&r, st == RD_TRUNC ? RD_BAD : RD_TRUNC);
		EXPECT(r.status == st && r.fail_off == fo, "rd_fail replaced the first failure");
		/* a sub of a failed reader is failed too, empty, at the parent's position */
		struct rd s = rd_sub(&r, 2);
		EXPECT(s.status == st, "sub of a failed reader: status %d", s.status);
		EXPECT(s.len == 0 && rd_left(&s) == 0, "sub of a failed reader holds %zu bytes", s.len);
		EXPECT(rd_here(&s) == rd_here(&r), "sub of a failed reader points elsewhere than its parent (%p vs %p)",
		       (const void *)rd_here(&s), (const void *)rd_here(&r));
		EXPECT(rd_u8(&s) == 0 && s.status == st, "reading a failed sub");
		EXPECT(r.status == st && r.off == off, "a sub of a failed reader changed its parent");
		gb_free(&g);
		end(st == RD_TRUNC ? "rd sticky after TRUNC: every accessor, rd_left, rd_peek, rd_find, rd_sub, rd_fail"
				   : "rd sticky after BAD: every accessor, rd_left, rd_peek, rd_find, rd_sub, rd_fail");
	}
}

/* rd_need(0) at the end, rd_fail, saturation of `needed` when off + n overflows, and
 * the reader over nothing at NULL. */
static void test_edges(void)
{
	begin();
	struct gbuf g = gb(0, 4);
	struct rd r = rd_make(g.p, 4);
	rd_skip(&r, 4);
	EXPECT(rd_need(&r, 0) && rd_ok(&r), "rd_need(0) at the end failed");
	EXPECT(rd_bytes(&r, 0) == g.p + 4, "rd_bytes(0) at the end does not point at the end");
	rd_skip(&r, SIZE_MAX);
	EXPECT(r.status == RD_TRUNC && r.needed == RD_NO_CLAIM && r.fail_off == 4,
	       "rd_skip(SIZE_MAX) without a claim: status %d needed %zu fail_off %zu (expected TRUNC, saturated, 4)", r.status,
	       r.needed, r.fail_off);
	struct rd c = rd_make_claimed(g.p, 4, 10);
	rd_skip(&c, 1);
	rd_skip(&c, SIZE_MAX);
	EXPECT(c.status == RD_BAD && c.fail_off == 1, "rd_skip(SIZE_MAX) with a claim: status %d fail_off %zu", c.status,
	       c.fail_off);
	struct rd f = rd_make(g.p, 4);
	rd_skip(&f, 3);
	rd_fail(&f, RD_TRUNC);
	EXPECT(f.status == RD_TRUNC && f.fail_off == 3 && f.needed == 3, "rd_fail(TRUNC) at 3: status %d fail_off %zu needed %zu",
	       f.status, f.fail_off, f.needed);
	struct rd b = rd_make(g.p, 4);
	rd_skip(&b, 2);
	rd_fail(&b, RD_BAD);
	EXPECT(b.status == RD_BAD && b.fail_off == 2, "rd_fail(BAD) at 2: status %d fail_off %zu", b.status, b.fail_off);
	/* a claim of RD_NO_CLAIM is no claim: reads past the bytes are TRUNC */
	struct rd n = rd_make_claimed(g.p, 4, RD_NO_CLAIM);
	rd_be64(&n);
	EXPECT(n.status == RD_TRUNC && n.needed == 8, "claim RD_NO_CLAIM: status %d needed %zu", n.status, n.needed);
	/* over nothing: no pointer is formed from NULL (NULL + 0 is undefined in C) */
	struct rd z = rd_make(NULL, 0);
	EXPECT(rd_here(&z) == NULL, "rd_here over NULL is not NULL");
	EXPECT(rd_bytes(&z, 0) == NULL && rd_ok(&z), "rd_bytes(0) over NULL");
	struct rd zs = rd_sub(&z, 0);
	EXPECT(zs.len == 0 && rd_ok(&zs) && rd_here(&zs) == NULL, "rd_sub(0) over NULL");
	EXPECT(rd_find(&z, 0, 5) == -1 && rd_peek(&z, 0) == -1, "rd_find / rd_peek over NULL");
	rd_u8(&z);
	EXPECT(z.status == RD_TRUNC && z.needed == 1, "rd_u8 over NULL: status %d needed %zu", z.status, z.needed);
	gb_free(&g);
	end("rd edges: rd_need(0), rd_skip(SIZE_MAX) saturates needed, rd_fail, claim RD_NO_CLAIM, reader over NULL");
}

/* rd_sub's three cases, with and without a claim on the parent. */
static void test_sub(void)
{
	/* 1. all n here: the sub claims and holds n, the parent goes on after them */
	begin();
	{
		struct gbuf g = gb(0, 20);
		struct rd r = rd_make_claimed(g.p, 20, 20);
		rd_skip(&r, 3);
		struct rd s = rd_sub(&r, 10);
		EXPECT(rd_ok(&r) && r.off == 13, "parent: status %d off %zu, expected OK 13", r.status, r.off);
		EXPECT(s.p == g.p + 3 && s.len == 10 && s.claim == 10 && s.off == 0 && rd_ok(&s),
		       "sub: len %zu claim %zu off %zu", s.len, s.claim, s.off);
		rd_skip(&s, 9);
		EXPECT(rd_u8(&s) == seq[12] && rd_ok(&s), "sub: its last byte");
		rd_u8(&s);
		EXPECT(s.status == RD_BAD && s.fail_off == 10, "sub: a read past its n bytes is BAD at 10 (status %d fail_off %zu)",
		       s.status, s.fail_off);
		EXPECT(rd_u8(&r) == seq[13], "parent: the byte after the sub");
		/* n == 0 and n == everything left */
		struct rd e = rd_sub(&r, 0);
		EXPECT(e.len == 0 && rd_ok(&e) && rd_ok(&r) && r.off == 14, "rd_sub(0)");
		struct rd all = rd_sub(&r, 6);
		EXPECT(all.len == 6 && rd_ok(&r) && r.off == 20 && rd_left(&r) == 0, "rd_sub(all that is left)");
		gb_free(&g);
	}
	end("rd_sub all here: the sub claims and holds n, the parent goes on after it; reads past n are BAD");

	/* 2. fewer here but inside the parent's claim (or no claim): the parent is TRUNC at
	 * its offset, needed = off + n, its offset at the end of what is here; the sub
	 * claims n, holds what is here, reads past that are TRUNC, past n BAD */
	size_t pclaims[] = { RD_NO_CLAIM, 30, 40 };
	for (size_t c = 0; c < 3; c++) {
		begin();
		struct gbuf g = gb(0, 12);
		struct rd r = pclaims[c] == RD_NO_CLAIM ? rd_make(g.p, 12) : rd_make_claimed(g.p, 12, pclaims[c]);
		rd_skip(&r, 4);
		struct rd s = rd_sub(&r, 20); /* 8 here of 20; inside the claim */
		EXPECT(r.status == RD_TRUNC && r.fail_off == 4 && r.needed == 24 && r.off == 12,
		       "parent: status %d fail_off %zu needed %zu off %zu (expected TRUNC 4 24 12)", r.status, r.fail_off, r.needed,
		       r.off);
		EXPECT(rd_ok(&s) && s.p == g.p + 4 && s.len == 8 && s.claim == 20, "sub: status %d len %zu claim %zu", s.status,
		       s.len, s.claim);
		EXPECT(rd_be64(&s) == be(seq + 4, 8) && rd_ok(&s), "sub: its 8 bytes read");
		rd_u8(&s);
		EXPECT(s.status == RD_TRUNC && s.fail_off == 8 && s.needed == 9, "sub: a read past what is here: status %d fail_off %zu needed %zu",
		       s.status, s.fail_off, s.needed);
		struct rd s2 = rd_make_claimed(g.p + 4, 8, 20);
		rd_skip(&s2, 21);
		EXPECT(s2.status == RD_BAD && s2.fail_off == 0, "a sub read past its n: status %d", s2.status);
		gb_free(&g);
		char name[128];
		snprintf(name, sizeof name, "rd_sub cut short inside the parent's claim (%s): parent TRUNC, sub claims n, holds what is here",
			 c == 0 ? "no claim" : c == 1 ? "claim 30" : "claim 40");
		end(name);
	}

	/* 3. n runs past the parent's claim: the parent is BAD, the sub claims only what the
	 * parent had left; cases where all n bytes are here (padding) and where they are not */
	size_t held[] = { 12, 16, 40 };
	for (size_t c = 0; c < 3; c++) {
		begin();
		struct gbuf g = gb(0, held[c]);
		struct rd r = rd_make_claimed(g.p, held[c], 16);
		rd_skip(&r, 4);
		struct rd s = rd_sub(&r, 20); /* the parent claims 12 more */
		size_t here = (held[c] < 16 ? held[c] : 16) - 4;
		EXPECT(r.status == RD_BAD && r.fail_off == 4 && r.off == here + 4, "parent: status %d fail_off %zu off %zu (expected BAD 4 %zu)",
		       r.status, r.fail_off, r.off, here + 4);
		EXPECT(rd_ok(&s) && s.p == g.p + 4 && s.len == here && s.claim == 12, "sub: status %d len %zu claim %zu (expected %zu 12)",
		       s.status, s.len, s.claim, here);
		rd_skip(&s, here);
		EXPECT(rd_ok(&s), "sub: what is here reads");
		if (here < 12) {
			struct rd t = s;
			rd_u8(&t);
			EXPECT(t.status == RD_TRUNC, "sub: past what is here but inside its claim is TRUNC (status %d)", t.status);
		}
		rd_skip(&s, 12 - here + 1);
		EXPECT(s.status == RD_BAD && s.fail_off == here, "sub: past its claim is BAD at %zu (status %d fail_off %zu)", here,
		       s.status, s.fail_off);
		gb_free(&g);
		char name[128];
		snprintf(name, sizeof name, "rd_sub past the parent's claim (%zu bytes held): parent BAD, sub claims what was left", held[c]);
		end(name);
	}
}

/* rd_peek: k = 0 .. left - 1 give the bytes, k = left gives -1, no status is ever set. */
static void test_peek(void)
{
	begin();
	for (size_t n = 0; n <= 6; n++) {
		for (size_t k0 = 0; k0 <= n; k0++) {
			struct gbuf g = gb(0, n);
			struct rd r = rd_make_claimed(g.p, n, n + 3);
			rd_skip(&r, k0);
			for (size_t k = 0; k < n - k0; k++)
				EXPECT(rd_peek(&r, k) == seq[k0 + k], "n %zu at %zu: peek %zu gave %d", n, k0, k, rd_peek(&r, k));
			EXPECT(rd_peek(&r, n - k0) == -1, "n %zu at %zu: peek past the bytes gave %d", n, k0, rd_peek(&r, n - k0));
			EXPECT(rd_peek(&r, SIZE_MAX) == -1, "peek SIZE_MAX");
			EXPECT(rd_ok(&r) && r.off == k0, "peeking changed the reader");
			gb_free(&g);
		}
	}
	end("rd_peek: every k inside the bytes, the first past them is -1, nothing consumed, no status set");
}

/* rd_find: the first match inside the first n unread bytes, clamped to what is left. */
static void test_find(void)
{
	begin();
	uint8_t line[] = { 'a', 'b', '\n', 'c', '\n' };
	void *m;
	size_t ml;
	const uint8_t *p = guarded(line, sizeof line, &m, &ml);
	struct rd r = rd_make(p, sizeof line);
	EXPECT(rd_find(&r, 'a', 5) == 0, "match at 0");
	EXPECT(rd_find(&r, '\n', 5) == 2, "first of two matches");
	EXPECT(rd_find(&r, '\n', 2) == -1, "a match at n is outside the first n");
	EXPECT(rd_find(&r, '\n', 3) == 2, "a match at n - 1");
	EXPECT(rd_find(&r, 'x', 5) == -1, "no match");
	EXPECT(rd_find(&r, '\n', 0) == -1, "n = 0");
	EXPECT(rd_find(&r, 'c', SIZE_MAX) == 3, "n past the end is clamped");
	rd_skip(&r, 3);
	EXPECT(rd_find(&r, '\n', 100) == 1, "from the offset: %ld", rd_find(&r, '\n', 100));
	EXPECT(rd_find(&r, 'a', 100) == -1, "bytes before the offset are not searched");
	rd_skip(&r, 2);
	EXPECT(rd_find(&r, '\n', 100) == -1, "at the end");
	EXPECT(rd_ok(&r) && r.off == 5, "finding consumed or failed");
	/* claim below len: the padding is not searched */
	struct rd c = rd_make_claimed(p, sizeof line, 4);
	EXPECT(rd_find(&c, '\n', 100) == 2, "claimed: the match inside the claim");
	rd_skip(&c, 3);
	EXPECT(rd_find(&c, '\n', 100) == -1, "claimed: a match in the padding is not found");
	munmap(m, ml);
	end("rd_find: first match, match at n - 1 and at n, no match, n clamped, from the offset, padding not searched");
}

int main(void)
{
	for (size_t i = 0; i < sizeof seq; i++)
		seq[i] = (uint8_t)(i + 1);
	test_accessors();
	test_sticky();
	test_edges();
	test_sub();
	test_peek();
	test_find();
	return fails ? 1 : 0;
}
