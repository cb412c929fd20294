/* chunked.c: see chunked.h. RFC 9112 §7.1:
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * A byte-at-a-time state machine for the framing; chunk data is passed on in runs. */
#include "chunked.h"

#include <stdio.h>
#include <string.h>

void chunked_init(struct chunked *ch, struct chunked_cb cb)
{
	memset(ch, 0, sizeof *ch);
	ch->cb = cb;
	ch->state = CH_SIZE;
}

static void note(struct chunked *ch, const char *event, uint64_t off, const char *text)
{
	if (ch->cb.note)
		ch->cb.note(ch->cb.ctx, event, off, text);
}

static int hexval(uint8_t c)
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
	size_t i = 0;
	char msg[160];
	while (i < n && ch->state != CH_DONE && ch->state != CH_BAD) {
		uint8_t c = p[i];
		switch (ch->state) {
		case CH_SIZE: {
			int v = hexval(c);
			if (v >= 0) {
				if (ch->digits >= CHUNKED_MAX_DIGITS) {
					note(ch, "http.chunk_size_too_long", off + i, "chunk size has too many hex digits");
					ch->state = CH_BAD;
					break;
				}
				ch->size = ch->size << 4 | (uint64_t)v;
				ch->digits++;
				i++;
				break;
			}
			if (ch->digits == 0) {
				snprintf(msg, sizeof msg, "chunk size expected, found byte 0x%02x", c);
				note(ch, "http.chunk_size_bad", off + i, msg);
				ch->state = CH_BAD;
				break;
			}
			ch->state = CH_EXT; /* extension, whitespace or the line end */
			ch->saw_cr = 0;
			break;
		}
		case CH_EXT:
			i++;
			if (c == '\r') {
				ch->saw_cr = 1;
			} else if (c == '\n') {
				if (!ch->saw_cr)
					note(ch, "http.chunk_bare_lf", off + i - 1, "chunk-size line ends in a bare LF (RFC 9112 §2.2)");
				ch->n_chunks++;
				if (ch->size == 0) {
					ch->state = CH_TRAILER;
					ch->line_len = 0;
					ch->line_off = off + i;
				} else {
					ch->remain = ch->size;
					ch->state = CH_DATA;
				}
			} else if (ch->saw_cr) {
				note(ch, "http.chunk_cr_without_lf", off + i - 1, "CR not followed by LF after the chunk size");
				ch->saw_cr = 0;
			}
			break;
		case CH_DATA: {
			size_t take = n - i;
			if (take > ch->remain)
				take = (size_t)ch->remain;
			if (ch->cb.data)
				ch->cb.data(ch->cb.ctx, p + i, take, off + i);
			ch->data_total += take;
			ch->remain -= take;
			i += take;
			if (ch->remain == 0) {
				ch->state = CH_DATA_END;
				ch->saw_cr = 0;
			}
			break;
		}
		case CH_DATA_END:
			if (c == '\r' && !ch->saw_cr) {
				ch->saw_cr = 1;
				i++;
			} else if (c == '\n') {
				if (!ch->saw_cr)
					note(ch, "http.chunk_bare_lf", off + i, "chunk data ends in a bare LF (RFC 9112 §7.1 wants CRLF)");
				i++;
				ch->state = CH_SIZE;
				ch->size = 0;
				ch->digits = 0;
			} else {
				snprintf(msg, sizeof msg,
					 "chunk of %llu bytes is not followed by CRLF (found 0x%02x): the chunk size is wrong",
					 (unsigned long long)ch->size, c);
				note(ch, "http.chunk_missing_crlf", off + i, msg);
				ch->state = CH_BAD;
			}
			break;
		case CH_TRAILER:
			i++;
			if (c == '\n') {
				size_t len = ch->line_len;
				if (len && ch->line[len - 1] == '\r')
					len--;
				else
					note(ch, "http.trailer_bare_lf", off + i - 1, "trailer line ends in a bare LF");
				if (len == 0) {
					ch->state = CH_DONE;
				} else {
					if (ch->cb.trailer)
						ch->cb.trailer(ch->cb.ctx, ch->line, len, ch->line_off);
					ch->line_len = 0;
					ch->line_off = off + i;
				}
			} else if (ch->line_len < CHUNKED_LINE_MAX) {
				ch->line[ch->line_len++] = (char)c;
			} else {
				note(ch, "http.trailer_too_long", off + i - 1, "trailer line longer than 8192 bytes");
				ch->state = CH_BAD;
			}
			break;
		}
	}
	ch->wire_total += i;
	return i;
}
