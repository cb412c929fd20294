/* width.h: the one width model of every terminal renderer (issue 12, "The terminal").
 *
 * A renderer draws for a number of columns picked once per command (width_pick): --width
 * when given, else the terminal's own width when standard output is a terminal, else
 * $COLUMNS, else WIDTH_DEFAULT (a pipe into `less -R` or a file: bash does not export
 * COLUMNS, so a pipe gets 80, which every pager and terminal shows unwrapped).
 *
 * Widths are display columns of text already in its terminal form (out/term_text.h): a
 * code point is one column, an East Asian wide or fullwidth one two, a combining mark
 * none (width_table.h, from the Unicode character database); our own colour escapes
 * (ESC [ ... m) take none. Cutting and wrapping never split a code point, a colour
 * escape or one of term_text's escapes (\xHH, \uXXXX, \\, \r...), so what is cut still
 * reads as what it was, and a cut shows an ellipsis. */
#ifndef CHATTCP_WIDTH_H
#define CHATTCP_WIDTH_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* The narrowest layout: a chat bubble holds "seq 4294967295  ack 4294967295" and a
 * table its ids and one column of text at 40 columns; below, nothing reads. --width
 * below it is refused (exit 1, "--width takes 40 to 1000 columns"); a terminal or
 * $COLUMNS below it is drawn at 40 (the terminal wraps). */
#define WIDTH_MIN 40
/* The widest: more is no use to a reader and would let an attacker-sized header line
 * grow a layout buffer; a terminal or $COLUMNS above it is drawn at 1000. */
#define WIDTH_MAX 1000
/* Output that is not a terminal and has no $COLUMNS: the classic terminal width. */
#define WIDTH_DEFAULT 80

/* How a renderer draws: columns, box-drawing characters and "…" (unicode) or ASCII and
 * "...", colour escapes or none. Filled once by the command line (cli/opts.c). */
struct layout {
	int width;
	int unicode;
	int color;
};

/* The width to draw for: requested (--width; 0 = not given), else the terminal's
 * (TIOCGWINSZ on standard output when it is a terminal), else $COLUMNS, else
 * WIDTH_DEFAULT; clamped to WIDTH_MIN..WIDTH_MAX. */
int width_pick(int requested);

/* Columns of one code point: 0 (combining), 1 or 2 (East Asian wide/fullwidth). */
int width_cp(uint32_t cp);
/* Display columns of s[0..n) (terminal form; colour escapes count 0). */
size_t width_cols(const char *s, size_t n);
size_t width_str(const char *s);
/* Bytes of the longest prefix of s[0..n) that fits in max columns, never splitting a
 * code point, a colour escape or a term_text escape; a following zero-width mark goes
 * with its base. */
size_t width_prefix(const char *s, size_t n, size_t max);
/* Appends s[0..n) cut to at most max columns: when it does not fit, the longest prefix
 * that leaves room for an ellipsis, then the ellipsis. Returns the columns appended. */
size_t width_fit(struct strbuf *b, const char *s, size_t n, size_t max, int unicode);
/* The same but the cut is in the middle, keeping the end (an endpoint keeps its port:
 * "[2001:db8:…]:443"). */
size_t width_fit_mid(struct strbuf *b, const char *s, size_t n, size_t max, int unicode);
/* n spaces. */
void width_pad(struct strbuf *b, size_t n);
/* Appends s[0..n) (one line, no '\n') word-wrapped so no line is wider than width,
 * counting `used` columns already on the first line; each further line starts with
 * cont (spaces, counted). Breaks at the last double space in the line (a row of fields
 * keeps each field whole), else at the last space, else cuts a word that alone is too
 * long. Every line ends with '\n'. */
void width_wrap(struct strbuf *b, const char *s, size_t n, size_t width, size_t used, const char *cont);
/* The next line of s[0..n) (one line, no '\n') wrapped at room columns, as width_wrap
 * breaks it: returns its bytes, and in *skip the spaces after it that no line shows. */
size_t width_line(const char *s, size_t n, size_t room, size_t *skip);
/* Appends text, each of its lines wrapped at width (width_wrap), continuation lines
 * indented by the line's own leading spaces plus extra (a list item's text lines up). */
void width_wrap_lines(struct strbuf *b, const char *s, size_t n, size_t width, size_t extra);

#endif
