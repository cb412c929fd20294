/* term_text.c: see term_text.h. */
#include "term_text.h"

#include "width.h"

#include <stdint.h>
#include <string.h>

/* The terminal form of the character at p[0..n) (n > 0): into out (at least 8 bytes),
 * its length in *out_len and its columns in *out_cols; returns the input bytes it
 * stands for. */
static size_t one(const uint8_t *p, size_t n, char *out, size_t *out_len, size_t *out_cols)
{
	static const char hexd[] = "0123456789abcdef";
	uint8_t c = p[0];
	if (c >= 0x20 && c < 0x7f) {
		if (c == '\\') {
			out[0] = out[1] = '\\';
			*out_len = *out_cols = 2;
		} else {
			out[0] = (char)c;
			*out_len = *out_cols = 1;
		}
		return 1;
	}
	if (c == '\r' || c == '\n' || c == '\t') {
		out[0] = '\\';
		out[1] = c == '\r' ? 'r' : c == '\n' ? 'n' : 't';
		*out_len = *out_cols = 2;
		return 1;
	}
	uint32_t cp = 0;
	size_t l = c >= 0x80 ? utf8_decode(p, n, &cp) : 0;
	if (l == 0) { /* C0, DEL, or a byte that is not valid UTF-8 */
		out[0] = '\\';
		out[1] = 'x';
		out[2] = hexd[c >> 4];
		out[3] = hexd[c & 15];
		*out_len = *out_cols = 4;
		return 1;
	}
	if (utf8_cp_steers(cp)) {
		out[0] = '\\';
		out[1] = 'u';
		for (int i = 0; i < 4; i++)
			out[2 + i] = hexd[(cp >> (12 - 4 * i)) & 15];
		*out_len = *out_cols = 6;
		return l;
	}
	memcpy(out, p, l);
	*out_len = l;
	*out_cols = (size_t)width_cp(cp);
	return l;
}

size_t term_text_fit(struct strbuf *b, const void *s, size_t n, size_t max_cols)
{
	const uint8_t *p = s;
	size_t i = 0, cols = 0;
	/* Runs of plain ASCII are added at once: payloads pass through here. */
	while (i < n) {
		size_t j = i;
		while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '\\' && (!max_cols || cols + (j - i) < max_cols))
			j++;
		if (j > i) {
			sb_add(b, (const char *)p + i, j - i);
			cols += j - i;
			i = j;
			continue;
		}
		char out[8];
		size_t ol, oc;
		size_t used = one(p + i, n - i, out, &ol, &oc);
		if (max_cols && cols + oc > max_cols)
			break;
		sb_add(b, out, ol);
		cols += oc;
		i += used;
	}
	return i;
}

void term_text(struct strbuf *b, const void *s, size_t n)
{
	term_text_fit(b, s, n, 0);
}

void term_text_str(struct strbuf *b, const char *s)
{
	if (s)
		term_text_fit(b, s, strlen(s), 0);
}

size_t term_text_cols(const void *s, size_t n)
{
	const uint8_t *p = s;
	size_t cols = 0;
	for (size_t i = 0; i < n;) {
		char out[8];
		size_t ol, oc;
		i += one(p + i, n - i, out, &ol, &oc);
		cols += oc;
	}
	return cols;
}

void term_text_pad(struct strbuf *b, const char *s, size_t width)
{
	size_t n = s ? strlen(s) : 0;
	term_text(b, s ? s : "", n);
	for (size_t c = term_text_cols(s ? s : "", n); c < width; c++)
		sb_putc(b, ' ');
}

void term_text_line(FILE *f, const char *prefix, const char *s)
{
	struct strbuf b;
	sb_init(&b);
	sb_puts(&b, prefix ? prefix : "");
	term_text_str(&b, s);
	sb_putc(&b, '\n');
	fwrite(b.s, 1, b.len, f);
	sb_fini(&b);
}
