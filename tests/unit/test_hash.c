/* test_hash.c: unit tests for the keyed hashing of tables filled from captures:
 * SipHash-2-4 (src/base/siphash.c) against the test vector in appendix A of the paper
 * (Aumasson, Bernstein 2012: key 00..0f, message 00..0e, a129ca6149be45e5); keys drawn
 * at run time differ; the word form equals the byte form; the connection table (src/flow/conntab.c), given a known key and
 * 400 tuples that all start at one slot under it, draws a new key once a probe passes
 * CONNTAB_PROBE_MAX and still finds every connection, either way round; the string map
 * keeps 100,000 names. Prints "ok NAME" / "FAIL NAME: why". */
#include "base/siphash.h"
#include "base/strmap.h"
#include "flow/conntab.h"
#include "harness.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void vector(void)
{
	uint8_t kb[16], msg[15];
	for (int i = 0; i < 16; i++)
		kb[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	struct siphash_key k;
	siphash_key_bytes(&k, kb);
	uint64_t h = siphash24(&k, msg, sizeof msg);
	char why[100];
	snprintf(why, sizeof why, "got %016" PRIx64 ", the paper gives a129ca6149be45e5", h);
	check(h == 0xa129ca6149be45e5ull, "siphash24: the paper's test vector", why);
	/* every length from 0 to 64 depends on every byte and on the length */
	uint8_t buf[64] = { 0 };
	int bad = 0;
	for (size_t n = 1; n < sizeof buf && !bad; n++) {
		uint64_t a = siphash24(&k, buf, n);
		buf[n - 1] ^= 1;
		uint64_t b = siphash24(&k, buf, n);
		buf[n - 1] ^= 1;
		if (a == b || a == siphash24(&k, buf, n - 1))
			bad = 1;
	}
	check(!bad, "siphash24: the last byte and the length change the hash", "a change left the hash as it was");
}

static void random_keys(void)
{
	struct siphash_key a, b;
	siphash_key_random(&a);
	siphash_key_random(&b);
	check(!(a.k0 == b.k0 && a.k1 == b.k1) && (a.k0 | a.k1) != 0, "siphash_key_random: two draws differ",
	      "the same key twice, or zero");
}

static void tcp_pkt(struct pkt *pk, const uint8_t src[16], const uint8_t dst[16], uint16_t sport, uint16_t dport,
		    uint16_t flags, uint32_t seq)
{
	memset(pk, 0, sizeof *pk);
	pk->kind = PK_TCP;
	pk->src.family = pk->dst.family = 6;
	memcpy(pk->src.a, src, 16);
	memcpy(pk->dst.a, dst, 16);
	pk->sport = sport;
	pk->dport = dport;
	pk->flags = flags;
	pk->seq = seq;
}

/* The table's hash of a TCP/IPv6 tuple whose client sorts first (the layout of
 * tuple_hash in conntab.c); if the layout drifts, no collisions are found and the
 * check says so. */
static uint64_t table_hash(const struct siphash_key *k, const uint8_t cli[16], uint16_t cp, const uint8_t srv[16],
			   uint16_t sp)
{
	uint64_t w[5];
	memcpy(&w[0], cli, 8);
	memcpy(&w[1], cli + 8, 8);
	memcpy(&w[2], srv, 8);
	memcpy(&w[3], srv + 8, 8);
	w[4] = (uint64_t)cp | (uint64_t)sp << 16 | (uint64_t)6 << 32 | (uint64_t)6 << 40 | (uint64_t)6 << 48;
	return siphash13_words(k, w, 5);
}

/* siphash13_words is siphash13 of the words' little-endian bytes. */
static void words_are_bytes(void)
{
	uint64_t w[5] = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0x1716151413121110ull, 0x1f1e1d1c1b1a1918ull,
			  0x2726252423222120ull };
	uint8_t b[40];
	for (int i = 0; i < 40; i++)
		b[i] = (uint8_t)i;
	struct siphash_key k = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	int ok = 1;
	for (size_t n = 0; n <= 5; n++)
		if (siphash13_words(&k, w, n) != siphash13(&k, b, 8 * n))
			ok = 0;
	check(ok, "siphash13_words: the same as siphash13 of the words' little-endian bytes", "they differ");
}

static void conntab_rekeys(void)
{
	enum { N = 400 };
	static uint8_t cli[N][16];
	uint8_t srv[16] = { 0xfd, 0xff };
	srv[15] = 1;
	struct conntab t;
	conntab_init(&t);
	/* a key known to the "attacker": tuples whose hash starts at slot 0 of 1024 */
	uint8_t kb[16] = "known key 12345";
	siphash_key_bytes(&t.key, kb);
	size_t found = 0;
	for (uint32_t i = 0; found < N && i < 50000000u; i++) {
		uint8_t a[16] = { 0xfd, 0x00 };
		memcpy(a + 8, &i, sizeof i);
		if ((table_hash(&t.key, a, 40000, srv, 80) & 1023) == 0)
			memcpy(cli[found++], a, 16);
	}
	struct pkt pk;
	int dir, reused, bad = 0;
	struct conn *first[N];
	for (size_t i = 0; i < found; i++) {
		tcp_pkt(&pk, cli[i], srv, 40000, 80, TH_SYN, (uint32_t)i);
		first[i] = conntab_lookup(&t, &pk, &dir, &reused);
	}
	for (size_t i = 0; i < found && !bad; i++) {
		tcp_pkt(&pk, srv, cli[i], 80, 40000, TH_SYN | TH_ACK, 7);
		struct conn *c = conntab_lookup(&t, &pk, &dir, &reused);
		if (c != first[i] || dir != 1 || c->idx != i)
			bad = 1;
	}
	char why[200];
	snprintf(why, sizeof why, "%zu colliding tuples found, %" PRIu32 " new keys, %zu connections, lookups %s", found,
		 t.n_rekeys, t.n, bad ? "WRONG" : "right");
	check(found == N && t.n_rekeys >= 1 && t.n == N && !bad,
	      "conntab: a probe past CONNTAB_PROBE_MAX draws a new key; every connection is still found", why);
	conntab_fini(&t);
}

/* The recent-connection shortcut gives what the table gives: packets of connections
 * sharing one port pair (one shortcut entry) alternate, and a SYN with a new initial
 * sequence number on a known tuple (a new connection, tshark's rule) is not answered
 * by the old connection the shortcut remembered. */
static void conntab_recent(void)
{
	struct conntab t;
	conntab_init(&t);
	uint8_t srv[16] = { 0xfd, 1 }, c1[16] = { 0xfd, 2 }, c2[16] = { 0xfd, 3 };
	struct pkt pk;
	int dir, reused, bad = 0;
	tcp_pkt(&pk, c1, srv, 1234, 80, TH_SYN, 100);
	struct conn *a = conntab_lookup(&t, &pk, &dir, &reused);
	tcp_pkt(&pk, c2, srv, 1234, 80, TH_SYN, 200);
	struct conn *b = conntab_lookup(&t, &pk, &dir, &reused);
	for (int i = 0; i < 10; i++) {
		tcp_pkt(&pk, i % 2 ? c2 : c1, srv, 1234, 80, TH_ACK, 101);
		if (conntab_lookup(&t, &pk, &dir, &reused) != (i % 2 ? b : a) || dir != 0 || reused)
			bad = 1;
		tcp_pkt(&pk, srv, i % 2 ? c2 : c1, 80, 1234, TH_ACK, 5);
		if (conntab_lookup(&t, &pk, &dir, &reused) != (i % 2 ? b : a) || dir != 1 || reused)
			bad = 2;
	}
	a->base_set[0] = 1; /* what the engine records of the first SYN */
	a->base_seq[0] = 100;
	tcp_pkt(&pk, c1, srv, 1234, 80, TH_ACK, 101); /* the shortcut holds a now */
	if (conntab_lookup(&t, &pk, &dir, &reused) != a)
		bad = 6;
	tcp_pkt(&pk, c1, srv, 1234, 80, TH_SYN, 900); /* new ISN: a new connection */
	struct conn *a2 = conntab_lookup(&t, &pk, &dir, &reused);
	if (a2 == a || !reused || !a->superseded)
		bad = 3;
	tcp_pkt(&pk, srv, c1, 80, 1234, TH_ACK, 5);
	if (conntab_lookup(&t, &pk, &dir, &reused) != a2 || dir != 1)
		bad = 4;
	tcp_pkt(&pk, c2, srv, 1234, 80, TH_ACK, 5);
	if (conntab_lookup(&t, &pk, &dir, &reused) != b)
		bad = 5;
	char why[80];
	snprintf(why, sizeof why, "step %d went wrong (%zu connections)", bad, t.n);
	check(!bad && t.n == 3, "conntab: the recent-connection shortcut answers what the table does", why);
	conntab_fini(&t);
}

static void strmap_many(void)
{
	struct strmap m;
	strmap_init(&m);
	char name[32];
	enum { N = 100000 };
	for (uint32_t i = 0; i < N; i++) {
		snprintf(name, sizeof name, "file-%" PRIu32 ".bin", i);
		strmap_put(&m, name, i);
	}
	int bad = m.n != N;
	for (uint32_t i = 0; i < N && !bad; i++) {
		snprintf(name, sizeof name, "file-%" PRIu32 ".bin", i);
		const uint32_t *v = strmap_get(&m, name);
		if (!v || *v != i)
			bad = 1;
	}
	if (strmap_get(&m, "file-100000.bin") || strmap_get(&m, ""))
		bad = 1;
	check(!bad, "strmap: 100,000 names, each found with its value, no others", "a lookup went wrong");
	strmap_fini(&m);
}

int main(void)
{
	vector();
	random_keys();
	words_are_bytes();
	conntab_rekeys();
	conntab_recent();
	strmap_many();
	return fails ? 1 : 0;
}
