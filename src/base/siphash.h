/* siphash.h: SipHash, a keyed hash for hash tables whose keys come from the capture
 * (J.-P. Aumasson, D. J. Bernstein, "SipHash: a fast short-input PRF", INDOCRYPT 2012).
 *
 * A table hashed by a fixed function can be filled, offline, with keys that all land in
 * one slot chain: 40,000 such connections made `conns` take 9.2 s instead of 0.13 s.
 * With a secret 128-bit key drawn per table at run time nobody can compute collisions in
 * advance. Output never depends on the key: tables are iterated in insertion order, not
 * slot order, so no override for deterministic runs is needed. */
#ifndef CHATTCP_SIPHASH_H
#define CHATTCP_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

/* A fresh random key from getrandom(2); if the kernel cannot give one (no getrandom,
 * seccomp), from /dev/urandom, and failing that from the clock, the process id and
 * addresses (ASLR): weaker, but still not known before the run. */
void siphash_key_random(struct siphash_key *k);
/* The key made of the 16 bytes b[0..16) (k0 = b[0..8), k1 = b[8..16), little-endian, as
 * the paper's test vector uses them). */
void siphash_key_bytes(struct siphash_key *k, const uint8_t b[16]);
/* SipHash-2-4 of p[0..n) under key k: the paper's recommended rounds. */
uint64_t siphash24(const struct siphash_key *k, const void *p, size_t n);
/* SipHash-1-3 (one round per word, three to finish): what the tables use. A table is
 * filled from a capture made before its key existed and never shows its hashes, so the
 * attacker can neither see nor adapt to outputs; 1-3 keeps the connection hash at about
 * 130 instructions a packet (2-4 over bytes took 350: a sixth of `chat` on the loopback
 * corpus capture). Rust's and CPython's hash tables made the same choice. */
uint64_t siphash13(const struct siphash_key *k, const void *p, size_t n);
/* siphash13 of the 8 * nw bytes that are the words w[0..nw) written little-endian, without
 * writing them: for fixed-layout keys (a connection's tuple, once per packet). */
uint64_t siphash13_words(const struct siphash_key *k, const uint64_t *w, size_t nw);

#endif
