/* siphash.c: see siphash.h. Written from section 2 of the paper: the state is four
 * 64-bit words initialised from the key and four constants; each 8-byte little-endian
 * message word m is absorbed as v3 ^= m, c SipRounds, v0 ^= m; the last word holds the
 * remaining 0-7 bytes and, in its top byte, the message length mod 256; finalisation
 * is v2 ^= 0xff, d SipRounds, v0 ^ v1 ^ v2 ^ v3. SipHash-c-d: one core, c and d are
 * constants at each call so the rounds unroll. */
#include "siphash.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static inline uint64_t le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
#else
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
#endif
}

struct sipstate {
	uint64_t v0, v1, v2, v3;
};

static inline void sipround(struct sipstate *s)
{
	s->v0 += s->v1;
	s->v2 += s->v3;
	s->v1 = rotl(s->v1, 13);
	s->v3 = rotl(s->v3, 16);
	s->v1 ^= s->v0;
	s->v3 ^= s->v2;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v1;
	s->v0 += s->v3;
	s->v1 = rotl(s->v1, 17);
	s->v3 = rotl(s->v3, 21);
	s->v1 ^= s->v2;
	s->v3 ^= s->v0;
	s->v2 = rotl(s->v2, 32);
}

static inline void absorb(struct sipstate *s, uint64_t m, int c)
{
	s->v3 ^= m;
	for (int i = 0; i < c; i++)
		sipround(s);
	s->v0 ^= m;
}

static inline uint64_t siphash_cd(const struct siphash_key *k, const void *p, size_t n, int c, int d)
{
	const uint8_t *b = p;
	/* "somepseudorandomlygeneratedbytes", as four big-endian words */
	struct sipstate s = { k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
			      k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull };
	size_t whole = n - n % 8;
	for (size_t i = 0; i < whole; i += 8)
		absorb(&s, le64(b + i), c);
	uint64_t last = (uint64_t)(n & 0xff) << 56;
	for (size_t i = 0; i < n % 8; i++)
		last |= (uint64_t)b[whole + i] << (8 * i);
	absorb(&s, last, c);
	s.v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t siphash24(const struct siphash_key *k, const void *p, size_t n) { return siphash_cd(k, p, n, 2, 4); }

uint64_t siphash13(const struct siphash_key *k, const void *p, size_t n) { return siphash_cd(k, p, n, 1, 3); }

uint64_t siphash13_words(const struct siphash_key *k, const uint64_t *w, size_t nw)
{
	struct sipstate s = { k->k0 ^ 0x736f6d6570736575ull, k->k1 ^ 0x646f72616e646f6dull,
			      k->k0 ^ 0x6c7967656e657261ull, k->k1 ^ 0x7465646279746573ull };
	for (size_t i = 0; i < nw; i++)
		absorb(&s, w[i], 1);
	absorb(&s, (uint64_t)((nw * 8) & 0xff) << 56, 1); /* no bytes left over: the length alone */
	s.v2 ^= 0xff;
	for (int i = 0; i < 3; i++)
		sipround(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void siphash_key_bytes(struct siphash_key *k, const uint8_t b[16])
{
	k->k0 = le64(b);
	k->k1 = le64(b + 8);
}

/* Fills b[0..n) from the kernel's generator; 0 on success. */
static int kernel_random(uint8_t *b, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got == n)
		return 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	got = 0;
	while (got < n) {
		ssize_t r = read(fd, b + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return got == n ? 0 : -1;
}

void siphash_key_random(struct siphash_key *k)
{
	uint8_t b[16];
	if (kernel_random(b, sizeof b) != 0) {
		/* Last resort: what differs between runs and is not in the capture. The
		 * values are hashed under the key so far, so no raw clock reading is the key. */
		struct timespec ts[2];
		clock_gettime(CLOCK_REALTIME, &ts[0]);
		clock_gettime(CLOCK_MONOTONIC, &ts[1]);
		uint64_t mix[5] = { (uint64_t)ts[0].tv_sec, (uint64_t)ts[0].tv_nsec, (uint64_t)ts[1].tv_nsec,
				    (uint64_t)getpid(), (uint64_t)(uintptr_t)&mix ^ (uint64_t)(uintptr_t)k };
		struct siphash_key t = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
		k->k0 = siphash24(&t, mix, sizeof mix);
		mix[0] ^= k->k0;
		k->k1 = siphash24(&t, mix, sizeof mix);
		return;
	}
	siphash_key_bytes(k, b);
}
