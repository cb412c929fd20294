/* term_text.h: the one way text from a capture reaches a terminal.
 *
 * A capture is the attacker's input: a URI, a reason phrase, a header, a WebSocket text,
 * a DNS name or a note that quotes one of them can hold ESC, CSI, OSC (window title,
 * clipboard), BEL, CR, BS, C1 bytes or bidi overrides. Every terminal renderer in out/
 * writes such bytes only through these functions, which keep valid printable UTF-8 as it
 * is and show everything else as a visible escape, one that cannot be mistaken for
 * another (docs/security.md, "What reaches the terminal"):
 *
 *   \\                a backslash (so input cannot forge one of the escapes below)
 *   \r \n \t          CR, LF, TAB
 *   \xHH              any other byte 0x00-0x1f, DEL 0x7f, and every byte that is not part
 *                     of valid UTF-8 (raw C1 0x80-0x9f, stray, overlong, surrogate, cut)
 *   \uXXXX            a valid UTF-8 code point a terminal acts on or that hides text: C1
 *                     U+0080-U+009F (U+009B is a CSI for some terminals), line and
 *                     paragraph separators, bidi embeddings, overrides, isolates and marks,
 *                     zero-width space, word joiner and invisible operators, BOM
 *
 * The output holds no byte below 0x20 and no DEL: line breaks are the caller's (the
 * payload view adds one after each \n it shows). JSON output does not come here: it
 * keeps the raw value, escaped as JSON (base/strbuf.h sb_json_str). */
#ifndef CHATTCP_TERM_TEXT_H
#define CHATTCP_TERM_TEXT_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdio.h>

/* Appends the terminal form of s[0..n). */
void term_text(struct strbuf *b, const void *s, size_t n);
/* The same for a NUL-terminated string; NULL appends nothing. */
void term_text_str(struct strbuf *b, const char *s);
/* Appends the terminal form of the longest prefix of s[0..n) that takes at most max_cols
 * columns (a kept code point takes its display width, out/width.h; an escape one per
 * character), never cutting
 * a character or an escape in two; returns the bytes of s it showed (n: all of it). */
size_t term_text_fit(struct strbuf *b, const void *s, size_t n, size_t max_cols);
/* Columns the terminal form of s[0..n) takes. */
size_t term_text_cols(const void *s, size_t n);
/* term_text_str padded with spaces to at least width columns (printf's "%-*s"). */
void term_text_pad(struct strbuf *b, const char *s, size_t width);
/* Writes prefix (ours, as is), the terminal form of s and a newline to f: for messages
 * that may quote input (an export file name, a capture's error) on standard error. */
void term_text_line(FILE *f, const char *prefix, const char *s);

#endif
