/* conntab.h: the connection table: 5-tuple -> connection, numbered the way tshark
 * numbers tcp.stream and udp.stream (each from 0, in order of first packet) so users
 * can cross-reference Wireshark. An id is final when the connection is made. */
#ifndef CHATTCP_CONNTAB_H
#define CHATTCP_CONNTAB_H

#include "../base/siphash.h"
#include "../model/conn.h"

#include <stddef.h>

/* Slots a lookup may walk before the table is rebuilt under a new key. With a secret
 * key and at most half the slots used, linear probing walks a few slots on average and
 * a run of 100 in a table of 2^24 slots is already improbable; 256 is never reached
 * by chance, so reaching it means the key is known or guessed, and a new one undoes
 * that. It bounds a lookup to 256 comparisons whatever the capture holds. */
#define CONNTAB_PROBE_MAX 256
/* Entries of the recent-connection shortcut (8 KB): more than the connections a capture
 * usually has open at once, so most packets skip the hash. */
#define CONNTAB_RECENT 1024

/* Connections are carved from blocks of CONNTAB_BLOCK (a power of two): no malloc per
 * connection, no array of pointers to them (8 bytes each, and a doubling copy) and
 * none moves once made. */
#define CONNTAB_BLOCK_SHIFT 10
#define CONNTAB_BLOCK ((size_t)1 << CONNTAB_BLOCK_SHIFT)

struct conntab {
	struct conn **blocks; /* blocks[i] holds connections i * CONNTAB_BLOCK on, by idx */
	size_t n, cap_blocks; /* connections made; entries of blocks */
	uint32_t n_tcp, n_udp;
	uint32_t *slots;      /* open addressing: conn idx + 1, 0 empty */
	size_t n_slots;       /* power of two */
	struct siphash_key key; /* drawn at init, again if a probe passes CONNTAB_PROBE_MAX */
	uint32_t n_rekeys;
	/* Connections lately returned, by their port pair: a packet of one of them is matched
	 * without hashing. Only a shortcut: a miss (or a crafted conflict) costs one compare
	 * and then the keyed table answers, so it cannot be made slower than the table. */
	struct conn *recent[CONNTAB_RECENT];
	/* Slots of connections given back (conntab_free_conn, live sessions only): a new
	 * connection takes one before the blocks grow, so the table holds what is open,
	 * not what was ever seen. Never used by a batch session: there idx is creation
	 * order. */
	uint32_t *free_idx;
	size_t n_free, cap_free;
	uint64_t n_freed;     /* connections given back so far */
};

void conntab_init(struct conntab *t);
void conntab_fini(struct conntab *t);

/* Finds the connection pk belongs to, creating it when new; *dir is set to 0 when pk
 * goes client -> server, 1 otherwise. *reused is set when a SYN with a new initial
 * sequence number on a known 4-tuple starts a new connection, or when a SYN+ACK's
 * sequence number differs from where its side started (tshark's rules). */
struct conn *conntab_lookup(struct conntab *t, const struct pkt *pk, int *dir, int *reused);

/* Gives connection c's slot back: its 4-tuple no longer finds it (a later packet makes
 * a new connection, with a new id), and its struct is reused by the next connection
 * made, which gets its idx. The caller has freed what c points to. A freed slot has
 * proto 0 until reused: loops over 0..t->n skip it. */
void conntab_free_conn(struct conntab *t, struct conn *c);

/* Connection idx (< t->n; creation order unless connections were freed; proto 0: a
 * freed slot). */
static inline struct conn *conntab_conn(const struct conntab *t, size_t idx)
{
	return &t->blocks[idx >> CONNTAB_BLOCK_SHIFT][idx & (CONNTAB_BLOCK - 1)];
}

#endif
