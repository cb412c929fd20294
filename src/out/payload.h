/* payload.h: showing payload bytes to a person: text with \r\n made visible (as
 * ChatTCP does), or a hex + ASCII dump for binary, folded past a limit. */
#ifndef CHATTCP_PAYLOAD_H
#define CHATTCP_PAYLOAD_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* 1 when the bytes read as text (printable ASCII/UTF-8, CR, LF, TAB). */
int payload_is_text(const uint8_t *p, size_t n);
/* Appends lines (each ending in '\n') showing p[0..n); wire_len is the length the
 * packet really had (more than n when the capture cut it); fold > 0 shows at most
 * fold bytes. width is the room for one line (hex dumps use 16 bytes a line when it
 * fits, else 8, else 4). */
void payload_render(struct strbuf *b, const uint8_t *p, size_t n, size_t wire_len, size_t fold, int width);
/* A hex dump of p[0..n) with offsets, 16 bytes a line, or 8 (or 4) when indent and 16
 * bytes do not fit in width. */
void payload_hexdump(struct strbuf *b, const uint8_t *p, size_t n, const char *indent, int width);

#endif
