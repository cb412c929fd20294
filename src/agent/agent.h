/* agent.h: the capture agent (`chattcp agent`): an HTTP server on the machine to be
 * watched that streams what its interfaces capture (docs/live.md "The capture agent",
 * the threat model in docs/security.md "The capture agent").
 *
 *   GET /api/interfaces   the interfaces one can capture on (JSON)
 *   GET /api/status       captures running and the limit (JSON)
 *   GET /api/capture?...  one capture, streamed as long as the client reads: Server-Sent
 *                         Events (packet, stats, error, close) or, with format=pcapng,
 *                         a raw pcapng stream (what `chattcp live --remote` reads)
 *
 * Every request needs the token (Authorization: Bearer TOKEN, or ?token= for an
 * EventSource, which cannot set headers), compared in constant time; without it the
 * answer is 401 and nothing is opened. Each capture is one connection and one thread
 * (libmicrohttpd's thread per connection) reading the kernel's capture ring only as
 * fast as the client takes the bytes: the kernel's ring (--buffer) is the bounded
 * buffer, and what overflows it the kernel drops and counts; the counts go to the
 * client every second (a `stats` event, or an Interface Statistics Block). That
 * once-a-second write, and a poll for the client's hang-up, are how a capture notices
 * its client went away and stops.
 *
 * Ownership: agent_start returns a running agent that agent_stop stops (every capture
 * ends with a `close` event first) and frees. Errors go to err, one line. */
#ifndef CHATTCP_AGENT_H
#define CHATTCP_AGENT_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* Captures at once, by default and at most: each holds a kernel ring (8 MiB by
 * default) and a thread; a handful of people watch one server. */
#define AGENT_CAPTURES_DEFAULT 4
#define AGENT_CAPTURES_MAX 64
/* Connections served at once (captures and the short JSON requests): past it the
 * kernel's backlog holds them. */
#define AGENT_CONN_MAX (AGENT_CAPTURES_MAX + 16)
/* Seconds a connection may stay without progress (a request that never ends, a
 * client that stopped reading for that long) before the library closes it. */
#define AGENT_CONN_TIMEOUT_S 60
/* Bytes the library may use per connection for the request line and headers. */
#define AGENT_REQUEST_MEM_MAX ((size_t)32 << 10)
/* The bytes a capture holds for its client beyond the kernel's ring: it stops taking
 * packets from the ring once this much is waiting to be sent (one packet may pass
 * it: a block is never split). */
#define AGENT_QUEUE_BYTES ((size_t)256 << 10)
/* How often a capture sends its counters (and so notices a client that is gone). */
#define AGENT_STATS_NS ((int64_t)1000 * 1000 * 1000)
/* The longest a capture waits in poll before it looks at the clock and the stop flag. */
#define AGENT_POLL_MS 100
/* The longest certificate chain or key file taken (PEM): a chain of a few certificates
 * is a few KiB. */
#define AGENT_TLS_FILE_MAX ((size_t)256 << 10)
/* The TLS versions and ciphers offered (GnuTLS priority string): TLS 1.2 and 1.3,
 * GnuTLS's secure defaults within them. */
#define AGENT_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* The token: at least this long (a shorter secret is guessable), at most 256 bytes. */
#define AGENT_TOKEN_MIN 16
#define AGENT_TOKEN_MAX 256

/* --buffer: the kernel buffer of each capture, at most this many MiB (the local live
 * capture's limit, LIVE_BUFFER_MAX: it is locked kernel memory). */
#define AGENT_BUFFER_MAX_MB 1024

struct agent_opts {
	const char *addr;       /* the address to listen on ("127.0.0.1", "::", ...) */
	uint16_t port;
	const char *token;      /* NULL: no token (only allowed on loopback, checked by the caller) */
	unsigned max_captures;  /* 1..AGENT_CAPTURES_MAX */
	size_t buffer;          /* kernel buffer of each capture, 0: LIVE_BUFFER_DEFAULT */
	int log;                /* one line on stderr per capture started and ended */
	const char *user;       /* once listening, become this user keeping only the capture
				   capabilities (privs.h); NULL: stay as started */
	/* HTTPS: the certificate (chain) and its private key, PEM text read before the
	 * privileges go; both NULL: plain HTTP. agent_start checks that they parse and
	 * belong together (the caller's copies may be wiped once it returns). */
	const char *tls_cert_pem;
	const char *tls_key_pem;
};

struct agent;

/* Listens and serves in the library's threads (over TLS when tls_cert_pem is set).
 * Returns the agent, or NULL with err set. */
struct agent *agent_start(const struct agent_opts *o, struct strbuf *err);
/* The port it listens on (the one asked, or the one the kernel gave for 0). */
uint16_t agent_port(const struct agent *a);
/* Ends every capture (a `close` event), stops serving and frees the agent. */
void agent_stop(struct agent *a);

#endif
