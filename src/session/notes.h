/* notes.h: the plain-words note under each packet ("second handshake",
 * "retransmission of seq 1:1449", ...), its kind from a closed table, and the longer
 * --commentary for learners. Notes are made when asked for, from the packet record and
 * a small running state per connection, so the index stays small; the session makes
 * them (every client shows the same words). */
#ifndef CHATTCP_NOTES_H
#define CHATTCP_NOTES_H

#include "../base/strbuf.h"
#include "../model/conn.h"
#include "../model/events.h"
#include "session.h"

/* Data segments remembered per side to name the frame that first carried the bytes of
 * a spurious retransmission (the state is per connection in a session: 4 keeps it at
 * ~100 bytes; an older original is named by the ACK that covered it instead). */
#define NOTE_RECENT 4

/* Running state while walking one connection's packets in order. */
struct note_ctx {
	uint32_t high_ack[2];   /* highest ACK each side has sent (raw) */
	uint32_t high_rack[2];  /* the same, relative (as it was when sent) */
	uint8_t ack_known[2];
	/* Handshake and teardown history, for "3rd time, 4.0 s after the first":
	 * [0] SYN, [1] SYN+ACK, [2] third handshake, [3] client FIN, [4] server FIN. */
	uint32_t sent_n[5];
	int64_t sent_first_ts[5];
	/* the last window each side advertised was 0: its peer's "keep-alive" is a
	 * zero-window probe (Linux probes with SND.UNA-1, the keep-alive shape) */
	uint8_t zero_win[2];
	uint8_t zw_probe_now;      /* the packet just told is such a probe (or its answer) */
	uint32_t high_ack_frame[2];/* the frame of each side's highest ACK */
	struct { uint32_t rseq, end, frame; } recent[2][NOTE_RECENT];
	uint8_t recent_next[2];
	uint8_t absolute;       /* numbers as sent, not relative (the view's numbering) */
};

/* A fresh state; absolute: the notes name sequence numbers as sent (else relative). */
void note_begin(struct note_ctx *n, int absolute);
/* The connection's client and server changed places (conn_swap_sides). */
void note_swap_sides(struct note_ctx *n);
/* Appends the note for r (a packet of c) to out; advances n. */
void note_text(struct note_ctx *n, const struct conn *c, const struct pktrec *r, struct strbuf *out);
/* Appends what r's SACK blocks say when it is news (a D-SACK: "D-SACK 1:1449: the
 * receiver got these bytes twice"), numbered as n says; call after note_text. */
void note_sack(const struct note_ctx *n, const struct pktrec *r, const struct sess_sacks *sk, struct strbuf *out);
/* The learners' sentence for the same (a D-SACK); appended to the commentary. */
void note_sack_commentary(const struct sess_sacks *sk, struct strbuf *out);
/* Appends a few sentences that explain r to a learner, one for what happens (handshake,
 * close) and one for each analysis label; empty when nothing to add. n is the state
 * note_text left after telling r (NULL: told without context). */
void note_commentary(const struct note_ctx *n, const struct conn *c, const struct pktrec *r, struct strbuf *out);
/* What the note is mainly about: the entry of note_kinds for r. n is the state
 * note_text left after telling r (NULL: without context): a Linux zero-window probe
 * carries the keep-alive label (Wireshark's rule: SND.UNA - 1, no data) and is known
 * for what it is only from the peer's closed window. */
const struct app_event *note_kind(const struct note_ctx *n, const struct conn *c, const struct pktrec *r);
/* The kinds of notes (names "tcp.syn", ...), ending in a NULL name. */
extern const struct app_event note_kinds[];

#endif
