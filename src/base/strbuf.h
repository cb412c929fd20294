/* strbuf.h: a growable text buffer for building output lines. */
#ifndef CHATTCP_STRBUF_H
#define CHATTCP_STRBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct strbuf {
	char *s;
	size_t len, cap;
};

void sb_init(struct strbuf *b);
void sb_fini(struct strbuf *b);
void sb_reset(struct strbuf *b);
void sb_add(struct strbuf *b, const char *s, size_t n);
void sb_puts(struct strbuf *b, const char *s);
void sb_putc(struct strbuf *b, char c);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v in decimal (what sb_printf "%llu" writes, without parsing a format: the chat's
 * numbers, millions a second); _pad: at least digits digits, zeros in front ("%0*llu"). */
void sb_putu(struct strbuf *b, uint64_t v);
void sb_putu_pad(struct strbuf *b, uint64_t v, int digits);
/* Length (1..4) of the valid UTF-8 sequence at s[0..n) with its code point in *cp, or 0
 * when s does not start with one (a stray byte, overlong, surrogate, past U+10FFFF, cut). */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* 1 when the code point acts instead of showing (C1, line and paragraph separators,
 * bidi controls, invisible characters): JSON and the terminal write it as \uXXXX. */
int utf8_cp_steers(uint32_t cp);
/* Appends s as a JSON string literal (quotes included), escaping as RFC 8259 requires;
 * bytes that are not valid UTF-8 are written as \u00XX of the byte value; U+0085, U+2028
 * and U+2029 are escaped too, so that an NDJSON line never breaks for a line reader. */
void sb_json_str(struct strbuf *b, const char *s, size_t n);
void sb_write(struct strbuf *b, FILE *f);

#endif
