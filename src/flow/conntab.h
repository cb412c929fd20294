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

struct conntab {
	struct conn **conns;  /* by idx, creation order */
	size_t n, cap;
	uint32_t n_tcp, n_udp;
	uint32_t *slots;      /* open addressing: conn idx + 1, 0 empty */
	size_t n_slots;       /* power of two */
	struct siphash_key key; /* drawn at init, again if a probe passes CONNTAB_PROBE_MAX */
	uint32_t n_rekeys;
	/* Connections lately returned, by their port pair: a packet of one of them is matched
	 * without hashing. Only a shortcut: a miss (or a crafted conflict) costs one compare
	 * and then the keyed table answers, so it cannot be made slower than the table. */
	struct conn *recent[CONNTAB_RECENT];
	struct conn_block *blocks; /* conns are carved from blocks: no malloc per connection */
};

void conntab_init(struct conntab *t);
void conntab_fini(struct conntab *t);

/* Finds the connection pk belongs to, creating it when new; *dir is set to 0 when pk
 * goes client -> server, 1 otherwise. *reused is set when a SYN with a new initial
 * sequence number on a known 4-tuple starts a new connection, or when a SYN+ACK's
 * sequence number differs from where its side started (tshark's rules). */
struct conn *conntab_lookup(struct conntab *t, const struct pkt *pk, int *dir, int *reused);

#endif
