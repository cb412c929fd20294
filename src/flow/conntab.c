/* conntab.c: see conntab.h.
 *
 * A TCP 4-tuple maps to its latest connection. A new connection on a known tuple
 * starts only with a SYN (no ACK) whose sequence number differs from the first
 * sequence number seen in that direction: that is how Wireshark's TCP dissector
 * decides (a SYN with the same number is a retransmission), and matching it is what
 * keeps our ids equal to tcp.stream. No timeout splits a connection, for the same
 * reason.
 *
 * The tuple is hashed with SipHash-1-3 under a key drawn per table (base/siphash.h): the
 * tuples are the capture's, and an unkeyed hash let 40,000 tuples computed offline
 * share one probe chain (9.2 s for `conns`). Connections are numbered and listed in
 * creation order, so the key changes no output. */
#include "conntab.h"

#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void conntab_init(struct conntab *t)
{
	memset(t, 0, sizeof *t);
	t->n_slots = 1024;
	t->slots = xcalloc(t->n_slots, sizeof *t->slots);
	siphash_key_random(&t->key);
}

void conntab_fini(struct conntab *t)
{
	for (size_t i = 0; i < t->cap_blocks && t->blocks[i]; i++)
		xfree(t->blocks[i]);
	xfree(t->blocks);
	xfree(t->slots);
	xfree(t->free_idx);
	memset(t, 0, sizeof *t);
}

/* A new connection, zeroed, with idx t->n (t->n is advanced). */
static struct conn *conn_alloc(struct conntab *t)
{
	if (t->n_free) {
		uint32_t idx = t->free_idx[--t->n_free];
		struct conn *r = conntab_conn(t, idx);
		memset(r, 0, sizeof *r);
		r->idx = idx;
		return r;
	}
	size_t b = t->n >> CONNTAB_BLOCK_SHIFT;
	if ((t->n & (CONNTAB_BLOCK - 1)) == 0) {
		size_t old = t->cap_blocks;
		xgrow(&t->blocks, &t->cap_blocks, b + 1, sizeof *t->blocks);
		memset(t->blocks + old, 0, (t->cap_blocks - old) * sizeof *t->blocks);
		t->blocks[b] = xmalloc(CONNTAB_BLOCK * sizeof *t->blocks[b]);
	}
	struct conn *c = &t->blocks[b][t->n & (CONNTAB_BLOCK - 1)];
	memset(c, 0, sizeof *c);
	c->idx = (uint32_t)t->n++;
	return c;
}

static uint64_t addr_word(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* The hash does not depend on direction: both directions land in one slot chain (the
 * endpoints go in a fixed order: any total order of (address, port) will do). The
 * tuple is laid out as 64-bit words: an IPv4 one in two (both addresses; both ports,
 * protocol and family), an IPv6 one in five: six or nine SipRounds. */
static uint64_t tuple_hash(const struct conntab *t, uint8_t proto, const struct ipaddr *a, uint16_t pa,
			   const struct ipaddr *b, uint16_t pb)
{
	uint64_t w[5];
	if (a->family == 4 && b->family == 4) {
		uint32_t x, y;
		memcpy(&x, a->a, 4);
		memcpy(&y, b->a, 4);
		uint64_t ea = (uint64_t)x << 16 | pa, eb = (uint64_t)y << 16 | pb;
		if (ea > eb) {
			uint64_t te = ea;
			ea = eb;
			eb = te;
		}
		w[0] = ea | eb << 48;
		w[1] = eb >> 16 | (uint64_t)proto << 32 | (uint64_t)4 << 40;
		return siphash13_words(&t->key, w, 2);
	}
	int c = a->family != b->family ? (a->family < b->family ? -1 : 1) : memcmp(a->a, b->a, sizeof a->a);
	if (c > 0 || (c == 0 && pa > pb)) {
		const struct ipaddr *ta = a;
		uint16_t tp = pa;
		a = b;
		pa = pb;
		b = ta;
		pb = tp;
	}
	w[0] = addr_word(a->a);
	w[1] = addr_word(a->a + 8);
	w[2] = addr_word(b->a);
	w[3] = addr_word(b->a + 8);
	w[4] = (uint64_t)pa | (uint64_t)pb << 16 | (uint64_t)proto << 32 | (uint64_t)a->family << 40 |
	       (uint64_t)b->family << 48;
	return siphash13_words(&t->key, w, 5);
}

/* 0: pk goes ep[0] -> ep[1]; 1: the other way; -1: not this connection's tuple. */
static int match(const struct conn *c, const struct pkt *pk, uint8_t proto)
{
	if (c->proto != proto)
		return -1;
	if (c->ep[0].port == pk->sport && c->ep[1].port == pk->dport && ipaddr_cmp(&c->ep[0].addr, &pk->src) == 0 &&
	    ipaddr_cmp(&c->ep[1].addr, &pk->dst) == 0)
		return 0;
	if (c->ep[1].port == pk->sport && c->ep[0].port == pk->dport && ipaddr_cmp(&c->ep[1].addr, &pk->src) == 0 &&
	    ipaddr_cmp(&c->ep[0].addr, &pk->dst) == 0)
		return 1;
	return -1;
}

/* Puts idx in the first free slot from h on; returns how many slots it walked. */
static size_t slot_put(struct conntab *t, uint64_t h, uint32_t idx)
{
	size_t mask = t->n_slots - 1;
	size_t walked = 0;
	for (size_t i = h & mask;; i = (i + 1) & mask, walked++) {
		if (t->slots[i] == 0) {
			t->slots[i] = idx + 1;
			return walked;
		}
	}
}

static uint64_t conn_hash(const struct conntab *t, const struct conn *c)
{
	return tuple_hash(t, c->proto, &c->ep[0].addr, c->ep[0].port, &c->ep[1].addr, c->ep[1].port);
}

/* Rebuilds the slots at n_slots (after a change of size or key). */
static void rebuild_slots(struct conntab *t)
{
	xfree(t->slots);
	t->slots = xcalloc(t->n_slots, sizeof *t->slots);
	/* Only the latest connection of each tuple needs a slot; older ones were replaced. */
	for (size_t i = 0; i < t->n; i++) {
		const struct conn *c = conntab_conn(t, i);
		if (!c->superseded && c->proto)
			slot_put(t, conn_hash(t, c), (uint32_t)i);
	}
}

/* Empties slot i and puts the rest of its probe chain back, so lookups past it still
 * find theirs. */
static void slot_remove(struct conntab *t, size_t i)
{
	size_t mask = t->n_slots - 1;
	t->slots[i] = 0;
	for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		uint32_t v = t->slots[j];
		t->slots[j] = 0;
		slot_put(t, conn_hash(t, conntab_conn(t, v - 1)), v - 1);
	}
}

static void grow_slots(struct conntab *t)
{
	t->n_slots *= 2;
	rebuild_slots(t);
}

/* Ports that name a service: a connection seen without its SYN treats the side that
 * uses one as the server. */
static int service_port(uint16_t p)
{
	static const uint16_t known[] = { 53, 80, 443, 1883, 3000, 3306, 5000, 5353, 5432, 5672, 6379, 8000,
					  8080, 8443, 8888, 9000, 9092, 9200, 11211, 27017 };
	if (p < 1024)
		return 1;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i] == p)
			return 1;
	return 0;
}

const char *conn_guess_why(const struct conn *c)
{
	switch (c->client_guessed) {
	case GUESS_TCP_SERVICE_PORT:
		return "no SYN seen: the side on the well-known service port is taken as the server";
	case GUESS_UDP_SERVICE_PORT:
		return "the side on the well-known service port is taken as the server";
	case GUESS_TCP_LOWER_PORT:
		return "no SYN seen: the side on the lower port is taken as the server";
	case GUESS_TCP_CONTENT:
		return "no SYN seen: the side whose first bytes read as a request is taken as the client";
	}
	return NULL;
}

/* Swaps the two n-byte objects at x and y (n at most that of an endpoint). */
static void swap_mem(void *x, void *y, size_t n)
{
	unsigned char t[sizeof(struct endpoint)];
	memcpy(t, x, n);
	memcpy(x, y, n);
	memcpy(y, t, n);
}
#define SWAP2(a) swap_mem(&(a)[0], &(a)[1], sizeof(a)[0])
_Static_assert(sizeof(struct endpoint) >= sizeof(uint64_t), "swap_mem's buffer holds every per-side field");

/* 1 <-> 2 in a "0 none, 1 client, 2 server" field. */
static uint8_t swap_by(uint8_t by) { return by == 1 ? 2 : by == 2 ? 1 : by; }

void conn_swap_sides(struct conn *c)
{
	SWAP2(c->pkts);
	SWAP2(c->bytes);
	SWAP2(c->wire);
	SWAP2(c->ep);
	SWAP2(c->base_seq);
	SWAP2(c->base_set);
	SWAP2(c->wscale);
	SWAP2(c->state);
	c->rst_by = swap_by(c->rst_by);
	c->fin_first_by = swap_by(c->fin_first_by);
	struct tcp_track *t = &c->trk;
	SWAP2(t->iss);
	SWAP2(t->fin_seq);
	SWAP2(t->syn_seen);
	SWAP2(t->fin_sent);
	SWAP2(t->fin_acked);
	SWAP2(t->confirmed);
	SWAP2(t->iss_known);
	uint8_t h0 = (t->waves & TRK_FIN_HEARD(0)) != 0, h1 = (t->waves & TRK_FIN_HEARD(1)) != 0;
	t->waves = (uint8_t)((t->waves & ~(TRK_FIN_HEARD(0) | TRK_FIN_HEARD(1))) | (h1 ? TRK_FIN_HEARD(0) : 0) |
			     (h0 ? TRK_FIN_HEARD(1) : 0));
}

/* Decides who is the client of a new connection from its first packet; returns 1
 * when the sender is the client. *why is an enum conn_guess. */
static int sender_is_client(const struct pkt *pk, uint8_t proto, uint8_t *why)
{
	*why = GUESS_NONE;
	if (proto == 6 && (pk->flags & (TH_SYN | TH_ACK)) == TH_SYN)
		return 1;
	if (proto == 6 && (pk->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		return 0;
	int s = service_port(pk->sport), d = service_port(pk->dport);
	if (s != d) {
		*why = proto == 6 ? GUESS_TCP_SERVICE_PORT : GUESS_UDP_SERVICE_PORT;
		return d;
	}
	if (proto == 17)
		return 1; /* UDP has no handshake: the first sender is the client */
	*why = GUESS_TCP_LOWER_PORT;
	return pk->dport < pk->sport ? 1 : (pk->dport > pk->sport ? 0 : 1);
}

struct conn *conntab_lookup(struct conntab *t, const struct pkt *pk, int *dir, int *reused)
{
	uint8_t proto = pk->kind == PK_TCP ? 6 : 17;
	/* A recent connection again: without a SYN nothing but the tuple decides, and the
	 * tuple is compared whole, so this is what the table would say. */
	struct conn **recent = &t->recent[(pk->sport ^ pk->dport) & (CONNTAB_RECENT - 1)];
	if (*recent && (proto == 17 || !(pk->flags & TH_SYN)) && !(*recent)->superseded) {
		int d = match(*recent, pk, proto);
		if (d >= 0) {
			*dir = d;
			*reused = 0;
			return *recent;
		}
	}
	uint64_t h = tuple_hash(t, proto, &pk->src, pk->sport, &pk->dst, pk->dport);
	size_t mask = t->n_slots - 1;
	size_t i = h & mask;
	struct conn *found = NULL;
	size_t found_slot = 0;
	for (;; i = (i + 1) & mask) {
		uint32_t v = t->slots[i];
		if (!v)
			break;
		struct conn *c = conntab_conn(t, v - 1);
		int d = match(c, pk, proto);
		if (d >= 0) {
			found = c;
			found_slot = i;
			*dir = d;
			break;
		}
	}
	*reused = 0;
	if (found && proto == 6 && (pk->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		int d = *dir;
		if (found->base_set[d] && pk->seq != found->base_seq[d]) {
			*reused = 1;
			found->superseded = 1; /* no longer owns a slot */
			slot_remove(t, found_slot);
			found = NULL;
		}
	}
	/* A SYN+ACK whose sequence number is not where this side started (Wireshark
	 * counts from there) answers some other connection attempt on these ports: tshark
	 * labels it reused_ports but keeps the connection. */
	if (found && proto == 6 && (pk->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
	    found->base_set[*dir] && pk->seq != found->base_seq[*dir])
		*reused = 1;
	if (found) {
		*recent = found;
		return found;
	}

	struct conn *c = conn_alloc(t);
	c->proto = proto;
	c->id = proto == 6 ? t->n_tcp++ : t->n_udp++; /* final at once: tcp.stream / udp.stream */
	uint8_t why;
	int cli = sender_is_client(pk, proto, &why);
	c->client_guessed = why;
	struct endpoint s = { pk->src, pk->sport }, d = { pk->dst, pk->dport };
	c->ep[0] = cli ? s : d;
	c->ep[1] = cli ? d : s;
	*dir = cli ? 0 : 1;
	c->wscale[0] = c->wscale[1] = -1;
	c->state[0] = TS_CLOSED;
	c->state[1] = TS_LISTEN;
	size_t walked = slot_put(t, h, c->idx);
	if (t->n * 2 > t->n_slots) {
		grow_slots(t);
	} else if (walked > CONNTAB_PROBE_MAX) {
		siphash_key_random(&t->key);
		t->n_rekeys++;
		rebuild_slots(t);
	}
	*recent = c;
	return c;
}

void conntab_free_conn(struct conntab *t, struct conn *c)
{
	if (!c->superseded && c->proto) {
		size_t mask = t->n_slots - 1;
		for (size_t i = conn_hash(t, c) & mask; t->slots[i]; i = (i + 1) & mask)
			if (t->slots[i] == c->idx + 1) {
				slot_remove(t, i);
				break;
			}
	}
	struct conn **recent = &t->recent[(c->ep[0].port ^ c->ep[1].port) & (CONNTAB_RECENT - 1)];
	if (*recent == c)
		*recent = NULL;
	uint32_t idx = c->idx;
	memset(c, 0, sizeof *c);
	c->idx = idx;
	xgrow(&t->free_idx, &t->cap_free, t->n_free + 1, sizeof *t->free_idx);
	t->free_idx[t->n_free++] = idx;
	t->n_freed++;
}
