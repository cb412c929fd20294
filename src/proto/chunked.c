/* chunked.c: see chunked.h. RFC 9112 §7.1:
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * A byte-at-a-time state machine for the framing, reading through struct rd; chunk
 * data is passed on in runs. */
#include "chunked.h"

#include "../base/rd.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <string.h>

void chunked_init(struct chunked *ch, struct chunked_cb cb)
{
	memset(ch, 0, sizeof *ch);
	ch->cb = cb;
	ch->state = CH_SIZE;
}

void chunked_fini(struct chunked *ch)
{
	xfree(ch->line);
	ch->line = NULL;
	ch->line_cap = 0;
}

static void note(struct chunked *ch, int kind, uint64_t off, const char *text)
{
	if (ch->cb.note)
		ch->cb.note(ch->cb.ctx, kind, off, text);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t chunked_feed(struct chunked *ch, const uint8_t *p, size_t n, uint64_t off)
{
	struct rd r = rd_make(p, n);
	char msg[160];
	while (rd_left(&r) && ch->state != CH_DONE && ch->state != CH_BAD) {
		size_t i = r.off;
		int c = rd_peek(&r, 0);
		switch (ch->state) {
		case CH_SIZE: {
			int v = hexval(c);
			if (v >= 0) {
				if (ch->digits >= CHUNKED_MAX_DIGITS) {
					note(ch, CHN_SIZE_TOO_LONG, off + i, "chunk size has too many hex digits");
					ch->state = CH_BAD;
					break;
				}
				ch->size = ch->size << 4 | (uint64_t)v;
				ch->digits++;
				rd_skip(&r, 1);
				break;
			}
			if (ch->digits == 0) {
				snprintf(msg, sizeof msg, "chunk size expected, found byte 0x%02x", c);
				note(ch, CHN_SIZE_BAD, off + i, msg);
				ch->state = CH_BAD;
				break;
			}
			ch->state = CH_EXT; /* extension, whitespace or the line end */
			ch->saw_cr = 0;
			break;
		}
		case CH_EXT:
			rd_skip(&r, 1);
			if (c == '\r') {
				ch->saw_cr = 1;
			} else if (c == '\n') {
				if (!ch->saw_cr)
					note(ch, CHN_BARE_LF, off + i, "chunk-size line ends in a bare LF (RFC 9112 §2.2)");
				ch->n_chunks++;
				if (ch->size == 0) {
					ch->state = CH_TRAILER;
					ch->line_len = 0;
					ch->line_off = off + r.off;
				} else {
					ch->remain = ch->size;
					ch->state = CH_DATA;
				}
			} else if (ch->saw_cr) {
				note(ch, CHN_CR_WITHOUT_LF, off + i, "CR not followed by LF after the chunk size");
				ch->saw_cr = 0;
			}
			break;
		case CH_DATA: {
			size_t take = rd_left(&r);
			if (take > ch->remain)
				take = (size_t)ch->remain;
			const uint8_t *q = rd_bytes(&r, take);
			if (ch->cb.data && q)
				ch->cb.data(ch->cb.ctx, q, take, off + i);
			ch->data_total += take;
			ch->remain -= take;
			if (ch->remain == 0) {
				ch->state = CH_DATA_END;
				ch->saw_cr = 0;
			}
			break;
		}
		case CH_DATA_END:
			if (c == '\r' && !ch->saw_cr) {
				ch->saw_cr = 1;
				rd_skip(&r, 1);
			} else if (c == '\n') {
				if (!ch->saw_cr)
					note(ch, CHN_BARE_LF, off + i, "chunk data ends in a bare LF (RFC 9112 §7.1 wants CRLF)");
				rd_skip(&r, 1);
				ch->state = CH_SIZE;
				ch->size = 0;
				ch->digits = 0;
			} else {
				snprintf(msg, sizeof msg,
					 "chunk of %llu bytes is not followed by CRLF (found 0x%02x): the chunk size is wrong",
					 (unsigned long long)ch->size, c);
				note(ch, CHN_MISSING_CRLF, off + i, msg);
				ch->state = CH_BAD;
			}
			break;
		case CH_TRAILER:
			rd_skip(&r, 1);
			if (c == '\n') {
				size_t len = ch->line_len;
				if (len && ch->line[len - 1] == '\r')
					len--;
				else
					note(ch, CHN_TRAILER_BARE_LF, off + i, "trailer line ends in a bare LF");
				if (len == 0) {
					ch->state = CH_DONE;
				} else {
					if (ch->cb.trailer)
						ch->cb.trailer(ch->cb.ctx, ch->line, len, ch->line_off);
					ch->line_len = 0;
					ch->line_off = off + r.off;
				}
			} else if (ch->line_len < CHUNKED_LINE_MAX) {
				if (ch->line_len == ch->line_cap)
					xgrow(&ch->line, &ch->line_cap, ch->line_len + 1, 1);
				ch->line[ch->line_len++] = (char)c;
			} else {
				note(ch, CHN_TRAILER_TOO_LONG, off + i, "trailer line longer than 8192 bytes");
				ch->state = CH_BAD;
			}
			break;
		}
	}
	ch->wire_total += r.off;
	return r.off;
}
