/* chunked.h: the HTTP/1.1 chunked transfer coding (RFC 9112 §7.1), decoded
 * incrementally: chunk data goes out through a callback as it arrives, trailer fields
 * (§7.1.2) one line at a time, and deviations (bare LF, bad size, missing CRLF
 * after data) as notes with the stream offset. Part of HTTP's message framing (used by
 * http.c), not a layer of its own: its notes are HTTP events. */
#ifndef CHATTCP_CHUNKED_H
#define CHATTCP_CHUNKED_H

#include <stddef.h>
#include <stdint.h>

/* A chunk-size line or trailer line longer than this is not HTTP: chunk extensions are
 * rare and short; trailer fields are headers (same 8 kB cap servers use per line). */
#define CHUNKED_LINE_MAX 8192
/* Hex digits in a chunk size: 15 digits are 2^60 bytes, past any body; one more could
 * overflow the 64-bit counter. */
#define CHUNKED_MAX_DIGITS 15

/* What a note is about (http.c gives each its event). */
enum chunked_note {
	CHN_SIZE_TOO_LONG,   /* more hex digits than CHUNKED_MAX_DIGITS */
	CHN_SIZE_BAD,        /* no hex digit where a chunk size belongs */
	CHN_BARE_LF,         /* a chunk-size line or chunk data ends in LF alone */
	CHN_CR_WITHOUT_LF,   /* CR not followed by LF after the size */
	CHN_MISSING_CRLF,    /* chunk data not followed by CRLF: the size is wrong */
	CHN_TRAILER_BARE_LF, /* a trailer line ends in LF alone */
	CHN_TRAILER_TOO_LONG /* a trailer line longer than CHUNKED_LINE_MAX */
};

struct chunked_cb {
	void *ctx;
	void (*data)(void *ctx, const uint8_t *p, size_t n, uint64_t off);
	void (*trailer)(void *ctx, const char *line, size_t n, uint64_t off);
	void (*note)(void *ctx, int kind, uint64_t off, const char *text);
};

enum chunked_state { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE, CH_BAD };

struct chunked {
	int state;
	int digits, saw_cr;
	uint64_t size, remain;
	uint64_t n_chunks, data_total, wire_total;
	uint64_t line_off;
	size_t line_len, line_cap;
	char *line;          /* the trailer line so far: grows with it, up to CHUNKED_LINE_MAX */
	struct chunked_cb cb;
};

void chunked_init(struct chunked *ch, struct chunked_cb cb);
void chunked_fini(struct chunked *ch);
/* Decodes from p[0..n) (p[0] is at stream offset off). Returns bytes consumed: all n
 * unless the last chunk and trailers ended inside p (state CH_DONE) or the framing
 * broke (CH_BAD: a note said where; the caller treats the rest as unframed). */
size_t chunked_feed(struct chunked *ch, const uint8_t *p, size_t n, uint64_t off);

#endif
