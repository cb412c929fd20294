/* params.h: the query of `GET /api/capture`, checked and turned into one BPF filter.
 *
 * Every parameter is validated on its own before anything is built from it: addresses
 * are parsed (inet_pton) and written back in canonical form, ports are decimal numbers
 * in range, tcp/udp are true or false, the free expression (bpf=) is printable ASCII
 * of bounded length and must compile with libpcap by itself. Only then are the pieces
 * joined, each in its own parentheses, so no value can reach outside its piece: a
 * `bpf=tcp) or (udp` does not compile alone and is refused, and a balanced expression
 * in parentheses cannot undo the agent's exclusion of its own traffic that follows it.
 * An unknown or repeated parameter is refused too (a typo must not widen a capture).
 *
 * Nothing here prints; a refusal fills why (one line, the body of the 400). */
#ifndef CHATTCP_AGENT_PARAMS_H
#define CHATTCP_AGENT_PARAMS_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* Parameters one request may carry: the query has 13 names; more is not a client of ours. */
#define AGENT_PARAMS_MAX 32
/* The longest free filter expression (bpf=): far past any hand-written filter, and it
 * bounds libpcap's compile time on hostile input. */
#define AGENT_BPF_MAX 2048
/* The longest value of any other parameter (an IPv6 address is 45 characters). */
#define AGENT_VALUE_MAX 64
/* duration= at most a day: a capture left open longer is better restarted. */
#define AGENT_DURATION_MAX_S 86400

enum agent_format { AGENT_SSE = 0, AGENT_PCAPNG = 1 };

struct agent_kv {
	const char *key, *value; /* value NULL for a key without '=' */
	int nul;                 /* the key or value held a NUL byte (%00): refused */
};

/* What the agent leaves out of every capture unless exclude_self=false: its own
 * listening port, and the SSH connection it was started from (SSH_CONNECTION). */
struct agent_self {
	uint16_t port;         /* the agent's TCP port */
	char addr[48];         /* its listening address, "" when it listens on all of them */
	char ssh[200];         /* "" or a BPF expression matching the SSH connection */
};

struct agent_params {
	char iface[64];        /* i=, "any" when absent */
	enum agent_format format;
	uint32_t snaplen;      /* snaplen=, 0: the maximum */
	int64_t duration_ns;   /* duration= seconds, 0: until the client goes */
	uint64_t count;        /* count= packets, 0: no limit */
	struct strbuf filter;  /* the BPF expression to set ("" for none); sb_fini it */
	struct strbuf user;    /* the filter as asked, without the exclusion (for the log) */
};

/* The SSH_CONNECTION value ("client_ip client_port server_ip server_port") as a BPF
 * expression into self->ssh, when it is one; else self->ssh stays "". */
void agent_self_ssh(struct agent_self *self, const char *ssh_connection);

/* Checks kv[0..n) and fills p (sb_init'd here; agent_params_fini it whatever the
 * return). Returns 0, or -1 with why set. */
int agent_params_parse(const struct agent_kv *kv, size_t n, const struct agent_self *self,
		       struct agent_params *p, char *why, size_t why_n);
void agent_params_fini(struct agent_params *p);

#endif
