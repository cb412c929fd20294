/* remote.h: packets from a capture agent on another machine (`chattcp agent`), read
 * from its raw pcapng stream (GET /api/capture?format=pcapng) over HTTP/1.1, plain
 * (http://: loopback or an SSH tunnel) or over TLS (https://: the agent's --tls-cert).
 *
 * A small client of our own rather than libcurl (docs/deps.md says why): one GET to
 * one agent, a status line, a few headers, a chunked body. TLS is OpenSSL's libssl
 * (TLS 1.2 or later); the agent's certificate is verified against --ca FILE or the
 * system's store, and its name against the URL's host (a name, or an IP address in
 * the certificate's subjectAltName), unless the caller asks for no verification. The body is cut into
 * pcapng blocks (each bounded by REMOTE_BLOCK_MAX); packet blocks are handed out as a
 * local live source hands out packets (live.h live_packet_fn), so the session sees the
 * same pcapng a local capture makes; statistics blocks carry the agent's drop counts.
 *
 * Ownership: remote_open returns a source remote_close frees. Errors fill a struct err
 * (EXIT_BADINPUT: the agent cannot be reached, refuses, or sends what is not its
 * stream; the agent's own one-line answer is quoted) and never print. */
#ifndef CHATTCP_REMOTE_H
#define CHATTCP_REMOTE_H

#include "../base/err.h"
#include "live.h"

#include <stdint.h>

/* The port of an agent URL without one (the agent's default). */
#define REMOTE_PORT_DEFAULT 7380
/* How long connecting, and then the answer's head and first blocks, may take. */
#define REMOTE_CONNECT_MS 5000
#define REMOTE_HEAD_MS 10000
/* The answer's head (status line and headers): the agent's is about 300 bytes. */
#define REMOTE_HEAD_MAX ((size_t)16 << 10)
/* The largest pcapng block taken: a packet of LIVE_SNAPLEN_MAX bytes and its header;
 * a longer block is not from an agent and ends the capture with an error. */
#define REMOTE_BLOCK_MAX ((uint32_t)LIVE_SNAPLEN_MAX + 4096)
/* How long the TLS handshake may take (after the TCP connect). */
#define REMOTE_TLS_MS 10000
/* The longest URL and token taken. */
#define REMOTE_URL_MAX 512

/* remote_dispatch: the agent ended the stream (its close: duration, count, stopping). */
#define REMOTE_END (-2)

struct remote_opts {
	const char *url;      /* "http://HOST[:PORT][/PREFIX]" */
	const char *token;    /* sent as Authorization: Bearer; NULL: none */
	const char *iface;    /* the agent's interface ("any" when NULL) */
	const char *filter;   /* a BPF expression for the agent, NULL for none */
	uint32_t snaplen;     /* 0: the agent's default */
	/* https:// only: the certificates to trust for the agent (a PEM file: the agent's
	 * self-signed certificate, or the CA that signed it); NULL: the system's store */
	const char *ca_file;
	int insecure;         /* https:// only: encrypt but verify neither certificate nor name */
};

struct remote_src;

/* Connects, asks for the capture, and reads the answer's head and the stream's section
 * and interface blocks. Returns the source (non-blocking from then on), or NULL with e
 * set. */
struct remote_src *remote_open(const struct remote_opts *o, struct err *e);
void remote_close(struct remote_src *rs);

uint16_t remote_linktype(const struct remote_src *rs);
uint32_t remote_snaplen(const struct remote_src *rs);
/* "HOST:PORT/IFACE", for the status line and the session's name. */
const char *remote_name(const struct remote_src *rs);
int remote_fd(const struct remote_src *rs);
/* 1 when bytes already received and decrypted wait in the source (TLS): poll(2) on
 * remote_fd would not say so, so the caller dispatches again without waiting. */
int remote_pending(const struct remote_src *rs);
/* Reads what has arrived (never blocks) and hands out every packet block completed.
 * Returns the packets handed out (0: none waiting), REMOTE_END when the agent ended the
 * stream, or -1 with e set (the connection broke, a block that is not the agent's). */
int remote_dispatch(struct remote_src *rs, live_packet_fn fn, void *ctx, struct err *e);
/* The agent's counters, from its latest statistics block (zeros before the first). */
void remote_get_stats(const struct remote_src *rs, struct live_stats *st);

/* The stream's parser without a connection (the fuzz target and tests): a source that
 * takes body bytes as if received (chunked or not), remote_feed hands out the packets
 * completed by n more bytes. Returns as remote_dispatch (never REMOTE_END). */
struct remote_src *remote_parser_new(int chunked);
int remote_feed(struct remote_src *rs, const void *p, size_t n, live_packet_fn fn, void *ctx, struct err *e);

#endif
