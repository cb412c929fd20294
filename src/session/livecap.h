/* livecap.h: a session fed by a network interface (`chattcp live`), and the interface
 * questions the command line asks (the list, whether a filter compiles).
 *
 * The capture runs in the caller's thread, in one loop: libpcap hands out what the
 * kernel holds, each packet becomes a pcapng block (capture/pcapng_write.h) that is
 * written to the file or ring (--write) and pushed into the session
 * (session_open_push / session_push: the push path of docs/architecture.md), whose live
 * callbacks show it at once. Analysis and output run in the same loop as the capture,
 * so nothing queues between them: when chattcp cannot keep up, the kernel's buffer
 * fills and the kernel drops and counts (livecap_counts.kernel_drops); memory does not
 * grow with the backlog.
 *
 * Ownership: livecap_open borrows the session (made with session_new and the client's
 * options, selections made, not opened) and opens it; livecap_free frees the capture,
 * never the session. Errors fill a struct err; nothing here prints. */
#ifndef CHATTCP_LIVECAP_H
#define CHATTCP_LIVECAP_H

#include "session.h"

#include "../capture/live.h"
#include "../capture/pcapng_write.h"
#include "../capture/remote.h"

#include <signal.h>
#include <stdint.h>

/* How often the loop wakes without packets to look at its stop flag and clock: a
 * tenth of a second is faster than a person notices after Ctrl-C, and costs nothing. */
#define LIVECAP_POLL_NS ((int64_t)100 * 1000 * 1000)

struct livecap_counts {
	uint64_t packets;        /* handed to chattcp by the kernel */
	uint64_t wire_bytes;     /* their length on the wire */
	uint64_t kernel_drops;   /* the kernel's buffer was full (pcap_stats ps_drop) */
	uint64_t if_drops;       /* the interface or its driver dropped (ps_ifdrop) */
	uint64_t chattcp_drops;  /* handed to chattcp but not analysed: the session had
				    stopped (out of memory, or damaged) */
	uint64_t conns;          /* TCP connections and UDP conversations seen */
	uint64_t evicted;        /* of them, ended or quiet and no longer held (session opts.evict) */
	uint64_t written;        /* bytes written to the file or ring */
	uint64_t files;          /* files made (a ring: how many were started) */
	int64_t elapsed_ns;      /* since the capture started */
};

struct livecap_opts {
	struct live_opts cap;    /* interface, filter, snaplen, kernel buffer */
	/* A capture agent instead of a local interface (capture/remote.h): cap.iface,
	 * cap.filter and cap.snaplen are asked of the agent; its drops are reported as
	 * kernel_drops and if_drops. NULL: the local interface. */
	const char *remote_url;
	const char *remote_token;
	const char *remote_ca;   /* https:// only: --ca FILE (NULL: the system's store) */
	int remote_insecure;     /* https:// only: --insecure, no verification */
	const char *write_path;  /* --write FILE (pcapng), NULL: none */
	unsigned ring_files;     /* --ring N: a ring of N files (PCAPNG_RING_FILES_MAX) */
	uint64_t ring_bytes;     /* --ring-size: each at most this many bytes */
	int64_t duration_ns;     /* stop after this long; 0: only when stopped */
	const volatile sig_atomic_t *stop; /* set by a signal handler: stop cleanly */
	/* Called about every tick_ns while capturing, with the counts: the status line.
	 * NULL: none (livecap_counts after livecap_run has the final ones). */
	void (*on_tick)(void *ctx, const struct livecap_counts *k);
	int64_t tick_ns;
	/* Called after each batch of packets the kernel (or the agent) handed over was
	 * processed: a client that buffers its output writes it then (one write a batch,
	 * not one a packet; a batch ends within LIVE_TIMEOUT_MS of its first packet).
	 * NULL: none. */
	void (*on_batch)(void *ctx);
	void *ctx;
};

struct livecap;

/* Opens the interface (filter set) or connects to the agent, checks its link type is one chattcp decodes,
 * opens the output file, and opens s as a push session named after the interface
 * with the pcapng section and interface pushed. Returns the capture, or NULL with e
 * set (EXIT_BADINPUT: the interface, its permission, the filter or its link type;
 * EXIT_SYSTEM: the file). */
struct livecap *livecap_open(struct session *s, const struct livecap_opts *o, struct err *e);
/* Captures until *stop is set, the duration passed or the interface failed; then
 * ends the session (session_push_end: decoders finished, on_conn_end called for every
 * connection shown) and flushes and closes the file. Returns 0, or -1 with e set (the
 * interface failed: EXIT_BADINPUT; a write failed: EXIT_SYSTEM). A session that
 * failed is the session's to say (session_error); its packets count as chattcp's
 * drops and still go to the file. */
int livecap_run(struct livecap *lc, struct err *e);
void livecap_counts(struct livecap *lc, struct livecap_counts *k);
const char *livecap_iface(const struct livecap *lc);
/* 1 when the capture stopped because the agent ended its stream (its duration, or it
 * is stopping). */
int livecap_remote_ended(const struct livecap *lc);
void livecap_free(struct livecap *lc);

/* The interfaces one can capture on (capture/live.h live_ifaces). */
long livecap_ifaces(struct live_iface **out, struct err *e);
void livecap_ifaces_free(struct live_iface *v, size_t n);
/* Whether filter compiles for an interface of this link type (live_filter_check). */
int livecap_filter_check(uint16_t linktype, uint32_t snaplen, const char *filter, struct err *e);

#endif
