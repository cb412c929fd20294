/* payload.c: see payload.h. */
#include "payload.h"

#include <string.h>

static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	size_t need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
	if (!need || c > 0xf4 || n < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need;
}

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
		size_t l = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
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

static void text_render(struct strbuf *b, const uint8_t *p, size_t n)
{
	size_t line_start = b->len;
	for (size_t i = 0; i < n;) {
		uint8_t c = p[i];
		if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			sb_puts(b, "\\r\\n\n");
			i += 2;
			line_start = b->len;
			continue;
		}
		if (c == '\n') {
			sb_puts(b, "\\n\n");
			i++;
			line_start = b->len;
			continue;
		}
		if (c == '\r') {
			sb_puts(b, "\\r");
			i++;
			continue;
		}
		if (c == '\t') {
			sb_puts(b, "\\t");
			i++;
			continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			sb_putc(b, (char)c);
			i++;
			continue;
		}
		size_t l = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
		if (l) {
			sb_add(b, (const char *)p + i, l);
			i += l;
			continue;
		}
		sb_printf(b, "\\x%02x", c);
		i++;
	}
	if (b->len > line_start)
		sb_putc(b, '\n');
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

void payload_hexdump(struct strbuf *b, const uint8_t *p, size_t n, const char *indent)
{
	hex_lines(b, p, n, indent, 16);
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
		hex_lines(b, p, show, "", width >= 74 ? 16 : 8);
	if (show < n)
		sb_printf(b, "... %zu more bytes folded (--fold 0 shows all)\n", n - show);
	if (n < wire_len)
		sb_printf(b, "... %zu bytes not captured (cut by the snap length)\n", wire_len - n);
}
