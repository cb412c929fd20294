/* strbuf.h: a growable text buffer for building output lines. */
#ifndef CHATTCP_STRBUF_H
#define CHATTCP_STRBUF_H

#include <stddef.h>
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
/* Appends s as a JSON string literal (quotes included), escaping as RFC 8259 requires;
 * bytes that are not valid UTF-8 are written as \u00XX of the byte value. */
void sb_json_str(struct strbuf *b, const char *s, size_t n);
void sb_write(struct strbuf *b, FILE *f);

#endif
