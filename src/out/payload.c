/* payload.c: see payload.h. */
#include "payload.h"

#include "term_text.h"

#include <string.h>

int payload_is_text(const uint8_t *p, size_t n)
{
	if (n == 0)
		return 1;
	size_t bad = 0;
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if ((c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t') {
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = c >= 0x80 ? utf8_decode(p + i, n - i, &cp) : 0;
		if (l) {
			i += l;
			continue;
		}
		bad++;
		i++;
	}
	/* A few stray control bytes (a NUL terminator, an escape) still read as text. */
	return bad * 20 <= n && bad <= 16;
}

/* Text as lines: each line break shown (\r\n or \n) and kept, everything else in the
 * line through the terminal escaping (term_text.h), so a payload cannot steer the
 * terminal either. */
static void text_render(struct strbuf *b, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		int crlf = nl && end > i && p[end - 1] == '\r';
		term_text(b, p + i, end - i - (crlf ? 1 : 0));
		if (nl)
			sb_puts(b, crlf ? "\\r\\n\n" : "\\n\n");
		else
			sb_putc(b, '\n');
		i = end + (nl ? 1 : 0);
	}
}

static void hex_lines(struct strbuf *b, const uint8_t *p, size_t n, const char *indent, size_t per)
{
	/* Built by hand, not with sb_printf per byte: a chat of a bulk transfer prints
	 * megabytes of these. */
	static const char hexd[] = "0123456789abcdef";
	char line[160];
	size_t ind = strlen(indent);
	if (ind > 32)
		ind = 32;
	for (size_t off = 0; off < n; off += per) {
		size_t k = 0;
		memcpy(line, indent, ind);
		k += ind;
		for (int sh = 12; sh >= 0; sh -= 4)
			line[k++] = hexd[(off >> sh) & 15];
		line[k++] = ' ';
		line[k++] = ' ';
		for (size_t i = 0; i < per; i++) {
			if (off + i < n) {
				line[k++] = hexd[p[off + i] >> 4];
				line[k++] = hexd[p[off + i] & 15];
			} else {
				line[k++] = ' ';
				line[k++] = ' ';
			}
			line[k++] = ' ';
			if (i == 7 && per == 16)
				line[k++] = ' ';
		}
		line[k++] = ' ';
		for (size_t i = 0; i < per && off + i < n; i++) {
			uint8_t c = p[off + i];
			line[k++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[k++] = '\n';
		sb_add(b, line, k);
	}
}

/* Bytes a hex row shows in width columns: 16 take 72 (offset, hex in two groups, the
 * characters), 8 take 39, 4 take 23 (the narrowest room a caller gives). */
static size_t hex_per_line(int width)
{
	return width >= 72 ? 16 : width >= 39 ? 8 : 4;
}

void payload_hexdump(struct strbuf *b, const uint8_t *p, size_t n, const char *indent, int width)
{
	hex_lines(b, p, n, indent, hex_per_line(width - (int)strlen(indent)));
}

void payload_render(struct strbuf *b, const uint8_t *p, size_t n, size_t wire_len, size_t fold, int width)
{
	size_t show = n;
	if (fold && show > fold)
		show = fold;
	/* Judge by what is shown (at most 4 KiB of it): the rest does not change the look. */
	if (payload_is_text(p, show < 4096 ? show : 4096))
		text_render(b, p, show);
	else
		hex_lines(b, p, show, "", hex_per_line(width));
	if (show < n)
		sb_printf(b, "... %zu more bytes folded (--fold 0 shows all)\n", n - show);
	if (n < wire_len)
		sb_printf(b, "... %zu bytes not captured (cut by the snap length)\n", wire_len - n);
}
