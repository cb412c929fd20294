/* chat_term.h: a connection drawn as a chat in the terminal: client bubbles on the
 * left, server bubbles on the right. */
#ifndef CHATTCP_CHAT_TERM_H
#define CHATTCP_CHAT_TERM_H

#include "../base/strbuf.h"
#include "../decode/pkt.h"
#include "../model/appmsg.h"
#include "../model/conn.h"
#include "notes.h"

#include <stdio.h>

struct chat_style {
	int width;        /* terminal columns */
	int unicode;      /* box-drawing characters instead of ASCII */
	int color;
	int relative;     /* relative seq/ack */
	int show_state;
	int show_notes;
	int commentary;
	size_t fold;      /* payload bytes shown per packet, 0 = all */
	int payload_mode; /* enum chat_payload */
	/* Decoded application messages for the bubble being drawn (set per packet by
	 * the caller): those that end in this packet, and those it carries a part of. */
	const struct appmsg *const *msgs;
	size_t n_msgs;
	const struct appmsg *const *cont;
	size_t n_cont;
};

/* --payload: structure (decoded messages, raw bytes when none: the default), simple
 * (only the application payload), raw (the bytes as captured). */
enum chat_payload { CHAT_PAYLOAD_STRUCTURE, CHAT_PAYLOAD_SIMPLE, CHAT_PAYLOAD_RAW };

/* The title block of one connection. */
void chat_conn_header(struct strbuf *b, const struct chat_style *st, const struct conn *c);
/* One packet bubble. pk is the packet decoded again (for payload and options), or
 * NULL when it could not be read back. prev_ts is the previous packet's time in this
 * connection (for the delta), or INT64_MIN. */
void chat_bubble(struct strbuf *b, const struct chat_style *st, struct note_ctx *nc, const struct conn *c,
		 const struct pktrec *r, const struct pkt *pk, int64_t prev_ts);
/* The closing summary of one connection. */
void chat_conn_footer(struct strbuf *b, const struct chat_style *st, const struct conn *c);
/* Short description of the options of a TCP packet ("mss 1460, wscale 7, sack_perm, ts 1/0"). */
void chat_tcp_options(struct strbuf *b, const struct tcp_opts *o);

#endif
