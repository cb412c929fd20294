/* chat_term.h: a connection drawn as a chat in the terminal: client bubbles on the
 * left, server bubbles on the right. */
#ifndef CHATTCP_CHAT_TERM_H
#define CHATTCP_CHAT_TERM_H

#include "../base/strbuf.h"
#include "../decode/pkt.h"
#include "../model/appmsg.h"
#include "../model/conn.h"
#include "../session/session.h"

#include <stdio.h>

struct chat_style {
	int width;        /* terminal columns */
	int unicode;      /* box-drawing characters instead of ASCII */
	int color;
	int absolute;     /* seq/ack/SACK as sent (default: relative, as Wireshark) */
	int time;         /* enum fmt_time (out/fmt.h): how the bubble's time reads */
	int64_t prev_shown_ts; /* -t dd: the time of the bubble shown before (INT64_MIN: none) */
	int show_state;
	int show_notes;
	int commentary;
	size_t fold;      /* payload bytes shown per packet, 0 = all */
	int payload_mode; /* enum chat_payload */
	int tag_conn;     /* several connections interleave (live): name the connection in each header */
	int live;         /* the connection is still going: its totals go in the footer */
	/* Buffers chat_bubble builds its lines in, owned by the caller (chat_scratch_fini)
	 * and kept from bubble to bubble, so a bubble costs no malloc; NULL: its own each
	 * time. One per thread: a style with one is not shared. */
	struct chat_scratch *scratch;
};

struct chat_scratch {
	struct strbuf h, when;
};
void chat_scratch_fini(struct chat_scratch *sc);

/* --payload: structure (decoded messages, raw bytes when none: the default), simple
 * (only the application payload), raw (the bytes as captured). */
enum chat_payload { CHAT_PAYLOAD_STRUCTURE, CHAT_PAYLOAD_SIMPLE, CHAT_PAYLOAD_RAW };

/* The title block of one connection; stack names its decoders ("http > websocket", or
 * "" / NULL when none or not known yet). */
void chat_conn_header(struct strbuf *b, const struct chat_style *st, const struct conn *c, const char *stack);
/* One packet bubble, with the messages the session placed under it. */
void chat_bubble(struct strbuf *b, const struct chat_style *st, const struct sess_packet *p);
/* The messages completed only at the end of the capture, after the last bubble. */
void chat_tail(struct strbuf *b, const struct chat_style *st, const struct sess_tail *t);
/* The closing summary of one connection. */
void chat_conn_footer(struct strbuf *b, const struct chat_style *st, const struct conn *c);
/* The same for a connection a live view lets go before the end (sess_tail.evicted):
 * "ended and is no longer followed", or "went quiet". */
void chat_conn_gone(struct strbuf *b, const struct chat_style *st, const struct conn *c);
/* Short description of the options of a TCP packet ("mss 1460, wscale 7, sack_perm, ts 1/0").
 * sk (NULL: the raw edges of o) gives the SACK blocks as the session numbered them,
 * shown relative or as sent (absolute); a D-SACK block says so. */
void chat_tcp_options(struct strbuf *b, const struct tcp_opts *o, const struct sess_sacks *sk, int absolute);
/* The window as a view shows it: "64512 (63x1024)", "64240", "501 (scale unknown)"
 * (the handshake was not captured, so the field may be scaled). */
void chat_window(struct strbuf *b, uint16_t raw, const struct sess_win *w);

#endif
