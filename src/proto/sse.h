/* sse.h: Server-Sent Events (WHATWG HTML §9.2 "Server-sent events", the
 * text/event-stream format) parsed from an HTTP response body as it is decoded: each
 * event (event, data, id, retry fields, dispatched at a blank line) becomes its own
 * message with the frames it came in. Called by http.c for text/event-stream bodies. */
#ifndef CHATTCP_SSE_H
#define CHATTCP_SSE_H

#include "proto.h"

/* A line longer than this is cut (and said so): events are small; a stream that
 * never sends a newline must not grow memory. */
#define SSE_LINE_MAX 65536
/* Bytes of data kept per event (fields beyond are counted, not stored). */
#define SSE_EVENT_MAX (1 << 20)

struct sse {
	int compressed;      /* the body has a Content-Encoding: events may be held back */
	uint32_t cur;        /* message index of the event being built, UINT32_MAX when none */
	uint64_t n_events;
	char *line;
	size_t line_len;
	int line_cut, after_cr, bom_checked;
	char *data;          /* the data field(s), joined by LF */
	size_t data_len;
	uint64_t data_total;
	int have_data;
};

void sse_init(struct sse *s, int compressed);
void sse_fini(struct sse *s);
/* Decoded body bytes p[0..n) that came out while the wire bytes [wire_lo, wire_hi)
 * of side dir were being decoded. */
void sse_feed(struct sse *s, struct app_out *o, int dir, const uint8_t *p, size_t n, uint64_t wire_lo,
	      uint64_t wire_hi);
/* The body ended at wire offset end: an unterminated event is incomplete. */
void sse_finish(struct sse *s, struct app_out *o, int dir, uint64_t end);

#endif
