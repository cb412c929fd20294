/* anon.h: rewriting a captured frame so it can be shared as a lesson (chattcp lesson):
 * IP addresses, ports and MAC addresses replaced consistently (the same original always
 * gets the same replacement, in order of first appearance), payload bytes optionally
 * blanked (same length), and the IPv4 header, TCP and UDP checksums made right again.
 *
 * Replacements: IPv4 -> 10.0.0.1, 10.0.0.2, ... (private, RFC 1918); IPv6 ->
 * 2001:db8::1, ... (documentation, RFC 3849); MACs -> 02:00:00:00:00:01, ... (locally
 * administered); broadcast and multicast MACs are kept. Ports: those in keep_port[] (a
 * service's port, which tells a decoder what it is, and says nothing about who) stay;
 * every other port -> 40001, 40002, ...
 *
 * What is not rewritten: addresses written as text inside payloads (an HTTP Host header)
 * stay unless payloads are blanked; frames inside tunnels and IP fragments are refused
 * (anon_frame returns -1 with why), as their inner headers would need the same care. */
#ifndef CHATTCP_ANON_H
#define CHATTCP_ANON_H

#include "../decode/pkt.h"

#include <stddef.h>
#include <stdint.h>

/* Distinct addresses (or ports, or MACs) one lesson may hold: one connection has two of
 * each; a capture past this is not a lesson. Past it anon_frame fails with why. */
#define ANON_MAX 256

struct anon {
	int blank;                 /* blank payloads */
	uint16_t keep_port[4];     /* ports kept as they are (0: none) */
	struct ipaddr from[ANON_MAX];
	uint16_t ord[ANON_MAX];    /* from[i] becomes the ord[i]-th address of its family */
	size_t n_addr, n_v4, n_v6;
	uint16_t port_from[ANON_MAX], port_to[ANON_MAX];
	size_t n_port;
	uint8_t mac_from[ANON_MAX][6];
	size_t n_mac;
};

void anon_init(struct anon *a, int blank);
/* Rewrites frame buf[0..caplen) in place; pk is the same frame decoded (its offsets
 * say where the headers are). 0, or -1 with why (a sentence) when the frame cannot be
 * rewritten safely. */
int anon_frame(struct anon *a, const struct pkt *pk, uint8_t *buf, uint32_t caplen, char *why, size_t why_n);
/* The replacement of an address / port as anon_frame makes it (made now when new). */
int anon_addr(struct anon *a, const struct ipaddr *in, struct ipaddr *out);
uint16_t anon_port(struct anon *a, uint16_t port);

#endif
