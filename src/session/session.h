/* session.h: the model every client asks: the terminal commands, JSON, and later the
 * web UI, the live view and the MCP server. A session reads one capture (a file, a
 * built-in case, a pipe, a file still being written, or bytes pushed by the caller)
 * through the whole pipeline (capture -> decode -> connections -> TCP state and
 * analysis -> application decoders -> diagnosis) and answers questions about it:
 * connections, each connection's packets with their states, notes and labels, the
 * application messages shown under each packet, HTTP exchanges, diagnosis findings,
 * statistics, the raw bytes of a stream.
 *
 * Two ways to read:
 *   - batch: session_run() reads to the end; then ask (session_walk, session_http,
 *     session_findings, ...). The answers are the same whatever the source.
 *   - live: set opts.on_packet (and on_conn_end); session_run() calls it for each
 *     packet of a selected connection as soon as that packet has been processed, with
 *     everything a bubble needs. A message is shown under the same packet in both ways
 *     (see struct sess_packet), so live output and batch output agree.
 *
 * Contract (Redis/picohttpparser style): functions return 0 or a count on success and
 * -1 on failure, with session_error() saying why (struct err: exit code, byte offset,
 * one line). Running out of memory (or past opts.mem_limit) inside any session call is
 * such a failure, never exit(): the session is then "failed", every later call returns
 * -1 at once, and session_free() still frees it. A damaged capture is not a failure:
 * reading stops at the damage, what came before is processed and can be asked about,
 * session_run() returns -1 and session_damaged() is 1.
 *
 * Ownership: everything a query returns points into the session and stays valid until
 * session_free(), except in live sessions (opts.live_release), where the contents of a
 * message are valid only during the callback that delivers it. */
#ifndef CHATTCP_SESSION_H
#define CHATTCP_SESSION_H

#include "../base/err.h"
#include "../base/strbuf.h"
#include "../capture/capfile.h"
#include "../decode/pkt.h"
#include "../model/appmsg.h"
#include "../model/conn.h"
#include "../model/events.h"
#include "../tcp/diag.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct session;

/* A connection is named by its protocol and its id within it, as Wireshark's
 * tcp.stream and udp.stream. */
struct sess_id {
	uint8_t proto; /* 6 TCP, 17 UDP */
	uint32_t id;
};

/* The note under a packet: a kind from a closed table (session/notes.c, listed by
 * `chattcp events`), a severity, and the words. */
struct sess_note {
	const struct app_event *kind;
	const char *text;        /* valid during the callback, or until the next walk step */
	const char *commentary;  /* the longer explanation for learners, when asked for; "" when none */
};

/* The SACK blocks of a packet (RFC 2018), both ways a view may number them: as sent,
 * and relative to the base of the side whose bytes they acknowledge (the sender's
 * peer), as Wireshark's tcp.options.sack_le/sack_re with relative numbers. */
struct sess_sack {
	uint32_t le, re;        /* left and right edge, as on the wire */
	uint32_t rle, rre;      /* the same, relative */
};
struct sess_sacks {
	struct sess_sack b[TCP_MAX_SACK];
	uint8_t n;
	/* 1: the first block reports bytes received twice (a D-SACK, RFC 2883 section 4:
	 * it lies below the cumulative ACK, or inside the second block) */
	uint8_t dsack;
};

/* The window a packet advertised as a view shows it. */
struct sess_win {
	uint32_t scaled;        /* the bytes it means: raw << scale when the scale is known */
	int8_t scale;           /* >= 0: the scale in force; -1: unknown (the handshake was not
				 * captured, so the field may be scaled: Wireshark's -1); -2: not
				 * scaled (a SYN's, or a connection whose SYNs did not agree a scale) */
};

/* Everything one chat bubble shows. */
struct sess_packet {
	const struct conn *c;
	const struct pktrec *r;
	const struct pkt *pk;    /* the packet decoded again (payload, options); NULL when its
				  * bytes are not readable any more */
	int64_t prev_ts;         /* time of the connection's previous packet, INT64_MIN for the first */
	int64_t first_ts;        /* time of the capture's first frame (-t r counts from it) */
	struct sess_note note;   /* its numbers follow opts.absolute */
	struct sess_sacks sack;  /* TCP: its SACK blocks (none when pk is NULL) */
	struct sess_win win;     /* TCP: its window */
	/* The application messages shown under this packet: those it completed (a message
	 * of the other side completed by this packet waits for that side's next packet),
	 * in the order they were made. */
	const struct appmsg *const *msgs;
	size_t n_msgs;
	/* Messages it carries a part of: begun before (or in) it, not yet complete. */
	const struct appmsg *const *parts;
	size_t n_parts;
};

/* The messages shown after a connection's last packet: completed only when the capture
 * ended (a body running until a close that was not captured). */
struct sess_tail {
	const struct conn *c;
	const struct appmsg *const *msgs;
	size_t n_msgs;
	/* 1: the connection is being evicted (opts.evict): this is its end, heard while the
	 * capture goes on; the session still answers everything about c until the callback
	 * returns, and then forgets it (it is no longer in session_conns). */
	int evicted;
};

enum sess_keep {
	SESS_KEEP_NONE = 0,   /* nothing per packet: counts, connections, diagnosis only */
	SESS_KEEP_PACKETS = 1,/* the per-packet index of the selected connections (session_walk) */
};

enum sess_body {
	SESS_BODY_PREVIEW = 0, /* keep the first SESS_PREVIEW_BYTES of each body, hash it all */
	SESS_BODY_WHOLE = 1,   /* keep whole bodies (up to APPLOG_BODY_MAX), not hashed: export */
	SESS_BODY_HASH = 2,    /* keep none, hash it all (listings: http) */
	SESS_BODY_PREVIEW_ONLY = 3, /* the preview, no digest: views that never show one
				     * (the text chat of live; SHA-256 was a tenth of its time) */
};

/* Bytes of a body kept to show: the terminal shows 512, with room for a text body to be
 * recognised; a batch session keeps this for every message, so it stays small. */
#define SESS_PREVIEW_BYTES 4096
/* Keep at most this much decoded body per message: enough for any file in a test
 * corpus and for export, bounded so a 10 GB download cannot exhaust memory. */
#define APPLOG_BODY_MAX ((size_t)256 << 20)

struct sess_http {
	const struct conn *c;
	const struct appmsg *req, *resp;        /* either may be NULL */
	const struct appmsg *const *interim;    /* 1xx answers */
	size_t n_interim;
};

/* Every frame of the capture as a display filter sees it (opts.on_frame), TCP/UDP or
 * not, once the pipeline has processed it. Valid during the callback only. */
struct sess_frame_view {
	const struct cap_rec *rec;   /* the record as read: its bytes, offset, interface */
	const struct pkt *pk;        /* decoded */
	const struct conn *c;        /* its connection, NULL when it is not TCP/UDP */
	const struct pktrec *r;      /* its index record (labels, relative seq/ack), NULL with c */
	int64_t first_ts;            /* time of the capture's first frame */
	int64_t prev_ts;             /* time of the frame before it (its own for the first) */
	/* The application messages this frame completed (either side, any decoder): where
	 * Wireshark shows a reassembled PDU's fields. */
	const struct appmsg *const *msgs;
	size_t n_msgs;
	/* Decoders ("tls") that read the start of a PDU in this frame and wait for the rest
	 * (Wireshark names the protocol on such a frame: a TLS record's first segment). */
	const char *const *begun;
	size_t n_begun;
	/* An ICMP error's quoted UDP conversation (its udp.stream), or NULL. */
	const struct conn *quoted;
};

/* Decoders one frame may list as beginning a PDU: one per layer of a stack is plenty. */
#define SESS_BEGUN_MAX 8

struct session_opts {
	int keep;               /* enum sess_keep */
	int app;                /* run the application decoders on the selected connections */
	int diag;               /* measure the diagnosis (keeps analysis state to the end) */
	int body;               /* enum sess_body */
	int raw;                /* keep the raw stream bytes of the selected connections (session_raw) */
	int commentary;         /* compose the learners' commentary with each note */
	/* The view's numbering: 0 relative (Wireshark's default, and the lessons'), 1 as
	 * sent. Notes and findings that name a sequence number follow it; records, SACK
	 * blocks and JSON carry both. */
	int absolute;
	const char *decode_as;  /* force this decoder on the selected connections (NULL: detect) */
	const char *keylog;     /* TLS key log file (SSLKEYLOGFILE format) to decrypt with, or NULL */
	size_t mem_limit;       /* bytes the session may hold (0: no limit but the system's) */
	uint32_t find_frame;    /* remember this frame (session_frame), 0: none */
	/* Reading a stream: follow a growing file, stop on idle or when *stop is set. */
	struct cap_stream_opts stream;
	/* Live: called for each packet of a selected connection once it is processed, and
	 * for each selected connection at the end with its tail. */
	void (*on_packet)(void *ctx, const struct sess_packet *p);
	void (*on_conn_end)(void *ctx, const struct sess_tail *t);
	/* on_conn_end as soon as a TCP connection is over rather than at the end: it ended
	 * (reset, or both sides closed), its decoders finished, and it has been quiet for
	 * ENGINE_RELEASE_AFTER_NS (120 s of capture time), when the engine lets its analysis
	 * go (a later packet would start a fresh one). Its tags are final then (those the
	 * end gives). What the session kept of it for the live view is freed. A packet of
	 * it after that is still delivered (on_packet), and counted (session_late). */
	int end_early;
	/* Called for each application message of a selected connection once it is complete
	 * (export writes bodies here). */
	void (*on_message)(void *ctx, const struct conn *c, const struct appmsg *m);
	/* Called for each HTTP exchange of a selected connection once its final response
	 * is complete (a request never answered: at the end, with resp NULL; a response
	 * without its request: req NULL). Both messages are whole then, bodies included;
	 * interim holds its 1xx answers, in order. */
	void (*on_http)(void *ctx, const struct sess_http *x);
	/* Called once for each selected connection whose application layer is finished, so
	 * that no message or HTTP exchange of it follows: when it ended (both FINs
	 * delivered; reset and quiet for 120 s of capture time), else at the end of the
	 * capture, in id order. A streaming client prints what it held of c then. */
	void (*on_conn_done)(void *ctx, const struct conn *c);
	/* Called for every frame (filters, extract); the connections' messages are those
	 * of selected connections when opts.app. */
	void (*on_frame)(void *frame_ctx, const struct sess_frame_view *f);
	void *frame_ctx;
	void *ctx;
	/* Reading with session_run: called every SESS_PROGRESS_RECORDS records and once at
	 * the end with the bytes read so far and the source's size (0 when it is not known:
	 * a pipe). A non-zero return stops reading there: what was read is settled as at a
	 * clean end and session_stopped() is 1 (a client gave up on the question). */
	int (*on_progress)(void *progress_ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* Live: free what was delivered (message contents, per-packet state) once the
	 * callbacks returned, so memory does not grow with the capture. Batch queries that
	 * need it (session_walk, session_http) are then not available. */
	int live_release;
	/* With live_release: the messages of these decoders ("tls http2", separated by
	 * spaces) keep their contents to the end, for the queries that read them after
	 * (session_tls, the HTTP/2 findings), or NULL. */
	const char *keep_msgs;
	/* Live, for captures of hours (with live_release): connections that ended and
	 * lingered, or fell quiet, are evicted (engine/engine.c ENGINE_EVICT_*: 120 s after
	 * the close, 300 s quiet for TCP, 60 s for UDP, capture time). Each selected one
	 * that was shown gets its on_conn_end then (sess_tail.evicted), and the session
	 * forgets it: session_conns lists the connections still held, and the counts
	 * (session_counts: conns, evicted) keep the totals. Memory follows the connections
	 * in progress, not the capture. Only with live_release and none of keep, raw,
	 * on_http, find_frame (what they read back would be gone). 0: keep every connection
	 * to the end (batch). */
	int evict;
};

/* A new session (opts copied); NULL only when even that allocation fails. */
struct session *session_new(const struct session_opts *o);
void session_free(struct session *s);

/* Only these connections are decoded and indexed (call before session_open; none
 * means all). */
void session_select(struct session *s, struct sess_id id);

/* Opens FILE, "-" (standard input) or case:NAME. */
int session_open(struct session *s, const char *spec);
/* Opens a capture held in memory (borrowed; name is for messages). */
int session_open_mem(struct session *s, const char *name, const uint8_t *p, size_t n);
/* Reads the capture to its end (or the stop flag, or idle), then settles it: every
 * decoder finished, every message complete. Returns 0, or -1 (damaged: what came
 * before was processed; or failed). */
int session_run(struct session *s);

/* A capture that arrives as bytes the caller has (a remote agent's pcapng stream, a
 * test): open, then push pieces of any size as they come; every record complete in
 * what was pushed is processed before session_push returns (live callbacks run then).
 * session_push_end says no more will come and settles the session as session_run
 * does. Returns of push: the packets processed, or -1 (damaged or failed; later pushes
 * are refused). */
int session_open_push(struct session *s, const char *name);
long session_push(struct session *s, const void *p, size_t n);
int session_push_end(struct session *s);

/* Records between two opts.on_progress calls: a few microseconds of work, so a caller
 * that looks at a clock there sees every few milliseconds, at the cost of one indirect
 * call per thousand records. */
#define SESS_PROGRESS_RECORDS 1024
/* end_early's quiet time in seconds (ENGINE_RELEASE_AFTER_NS), for messages. */
#define SESS_END_QUIET_SEC 120
/* end_early: packets delivered of connections whose end was told already. */
uint64_t session_late(const struct session *s);

const struct err *session_error(const struct session *s);
/* 1 when opts.on_progress stopped session_run before the end. */
int session_stopped(const struct session *s);
int session_damaged(const struct session *s);
int session_failed(const struct session *s);
/* The capture's name as messages give it ("(standard input)" for "-"). */
const char *session_name(const struct session *s);

/* --- what was read --- */

struct sess_counts {
	uint64_t frames, tcp, udp, fragments, bad, other, truncated, malformed;
	uint32_t tcp_conns, udp_conns;
	uint64_t evicted;      /* connections evicted (opts.evict): counted above, no longer listed */
	int64_t first_ts, last_ts;
	const struct { const char *name; uint64_t n; } *other_kinds;
	size_t n_other_kinds;
};
void session_counts(const struct session *s, struct sess_counts *out);

/* --- connections --- */

/* Connections in id order: every TCP connection, then every UDP conversation. */
const struct conn *const *session_conns(struct session *s, size_t *n);
/* The connection with this id, or NULL. */
const struct conn *session_conn(struct session *s, struct sess_id id);
/* 1 when id was selected (or nothing was). */
int session_selected(const struct session *s, const struct conn *c);
/* 1 when the connection matches every term of filter (conns --filter): port:N, ip:ADDR
 * (host:), proto:NAME (tcp, udp or a decoder of its stack), tag:NAME (spaces as dashes),
 * id:N, each also as two words ("port 80"); a bare word must appear in the line's text
 * (protocol, endpoints, decoders, tags), as typed, case aside. */
int session_conn_matches(const struct session *s, const struct conn *c, const char *filter);
/* 0 when filter is well formed; else -1 with why (a keyword without a value, an
 * unknown "key:"). */
int session_filter_check(const char *filter, char *why, size_t why_n);
/* The decoders it was decoded with ("http > websocket"), "" when none. */
void session_conn_stack(const struct session *s, const struct conn *c, char *buf, size_t n);
const char *session_conn_proto(const struct session *s, const struct conn *c);

/* --- packets (batch, opts.keep) --- */

/* Calls fn for each packet of c in capture order, then tail for the messages shown at
 * its end (when there are any). Returns the number of packets, or -1. */
long session_walk(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_packet *p),
		  void (*tail)(void *ctx, const struct sess_tail *t), void *ctx);

/* What the graphs of a connection draw for one packet (session/graph.c): relative
 * numbers, times from the connection's first packet. */
struct sess_graph_pt {
	uint32_t frame;
	int64_t t_ns;            /* since the connection's first packet */
	uint8_t dir;             /* 0 client -> server, 1 back */
	uint8_t has_ack;
	int8_t wscale;           /* as struct sess_win */
	uint32_t seq, end;       /* relative; end counts SYN and FIN as one each */
	uint32_t ack;            /* relative, when has_ack */
	uint32_t len;            /* payload bytes */
	uint32_t win;            /* scaled receive window it advertised */
	uint32_t inflight;       /* its sender's bytes not yet acknowledged, after it */
	int64_t rtt_ns;          /* its ACK first covered a segment sent once: the time
				  * since that segment (Karn's rule); -1 none */
	uint32_t labels;         /* LB_BIT() set */
	struct sess_sacks sack;
};
/* Calls fn for each packet of c in capture order (opts.keep). Returns the count, or -1. */
long session_graph(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_graph_pt *pt),
		   void *ctx);

/* The frame opts.find_frame asked for. */
struct sess_frame {
	int found;               /* 0: the capture has fewer frames */
	struct pkt pk;           /* decoded (data copied into the session) */
	const struct conn *c;    /* NULL when it is not TCP/UDP */
	struct pktrec r;
	char *note;              /* the note told with what came before, or NULL */
	const struct app_event *note_kind;
	int64_t first_ts;        /* time of the capture's first frame */
	struct sess_sacks sack;
	struct sess_win win;
};
const struct sess_frame *session_frame(const struct session *s);

/* --- application --- */

/* The messages of c, in order of their first frame (then in the order made). Returns an
 * array of n pointers valid until session_free. */
const struct appmsg *const *session_msgs(struct session *s, const struct conn *c, size_t *n);

/* Calls fn for every HTTP exchange of c (NULL: of every selected connection, in id
 * order), in order of the request's (or lone response's) first frame. */
int session_http(struct session *s, const struct conn *c, void (*fn)(void *ctx, const struct sess_http *x),
		 void *ctx);

/* A run of raw stream bytes (opts.raw): a gap when p is NULL. */
struct sess_run {
	uint8_t dir;
	uint64_t off;
	size_t len;
	const uint8_t *p;
};
const struct sess_run *session_raw(const struct session *s, const struct conn *c, size_t *n, uint64_t *dropped);

/* --- diagnosis and statistics --- */

/* The measurements of a TCP connection (opts.diag), or NULL. */
const struct diag_conn *session_diag(struct session *s, const struct conn *c);
/* What the TLS layer of c showed, read from its tls messages (session/tlsdiag.c): the
 * messages are the session's (valid until session_free), the strings theirs. Every field
 * 0/NULL when c carried no TLS. */
struct sess_tls {
	const struct appmsg *ch, *sh, *cert, *end; /* ClientHello, ServerHello, Certificate, the
						    * message that ended the client's handshake */
	const struct appmsg *alert;   /* the first fatal alert before the handshake's end */
	const char *alert_name;       /* its description ("protocol_version") */
	const char *sni, *suites;     /* the ClientHello's SNI and offered suites (names) */
	const char *suite;            /* the chosen suite ("TLS_AES_128_GCM_SHA256 (0x1301)") */
	const char *words;            /* the handshake in words (tls.handshake) */
	const char *expired, *not_yet, *sni_mismatch; /* the certificate notes' words */
	const struct appmsg *expired_msg, *not_yet_msg, *sni_msg;
	int64_t handshake_ns;         /* ClientHello -> end */
	uint16_t offered_max, version;/* the client's highest version; the server's choice */
	uint8_t offered_strong;       /* the client offered an AEAD suite with forward secrecy */
	uint8_t suite_strong, hrr, resumed;
	int rtts;                     /* round trips of the handshake (0: it did not end) */
};
void session_tls(struct session *s, const struct conn *c, struct sess_tls *out);
/* The findings of c (opts.diag) into out (diag_findings_fini after). Returns the count. */
int session_findings(struct session *s, const struct conn *c, struct diag_findings *out);
/* The numbering of what is told from now on (notes of session_walk and session_frame,
 * findings' sequence numbers): a batch session tells notes when asked, so one session
 * can serve both views (the web UI's switch). A live session keeps opts.absolute. */
void session_set_absolute(struct session *s, int absolute);
/* A sequence number of side `side` of c, given relative, as the view numbers it
 * (opts.absolute: as sent, from the connection's last base). */
uint32_t session_show_seq(const struct session *s, const struct conn *c, int side, uint32_t rel);
/* The same as sent, whatever the view. */
uint32_t session_seq_as_sent(const struct conn *c, int side, uint32_t rel);
/* "four-packet close, the client closed first" */
void session_end_words(struct session *s, const struct conn *c, struct strbuf *out);

/* Rows in each "top connections" list: enough to find the culprits, short enough to read. */
#define SESS_TOP 5

struct sess_stats {
	uint64_t tcp, udp, hs_incomplete, close_incomplete, retx, rst;
	uint64_t labels[LB_COUNT];
	int64_t duration_ns;
	const struct conn *top_bytes[SESS_TOP];
	size_t n_top_bytes;
	const struct conn *top_retx[SESS_TOP];  /* only connections with retransmissions */
	size_t n_top_retx;
};
void session_stats(struct session *s, struct sess_stats *out);
/* Payload bytes both ways; retransmissions (TCP). */
uint64_t sess_conn_bytes(const struct conn *c);
uint64_t sess_conn_retx(const struct conn *c);

/* --- the closed tables --- */

/* Every application event of every registered decoder, then the note kinds, then the
 * diagnosis rules: fn(ctx, table name ("http", "note", "diag"...), event). */
void session_events(void (*fn)(void *ctx, const char *table, const struct app_event *ev), void *ctx);

/* --plugin (proto/plugin.h, docs/plugins.md): JavaScript decoders every session of the
 * process then uses. Load returns 0 or -1 with e set (EXIT_USAGE); port applies to the
 * plugin loaded last. */
int session_plugin_load(const char *file, struct err *e);
void session_plugin_port(uint16_t port);
int session_plugin_any(void);
uint64_t session_plugin_errors(void);

#endif
