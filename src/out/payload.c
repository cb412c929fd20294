/* payload.c: see payload.h. */
#include "payload.h"

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
	for (size_t off = 0; off < n; off += per) {
		sb_printf(b, "%s%04zx  ", indent, off);
		for (size_t i = 0; i < per; i++) {
			if (off + i < n)
				sb_printf(b, "%02x ", p[off + i]);
			else
				sb_puts(b, "   ");
			if (i == 7 && per == 16)
				sb_putc(b, ' ');
		}
		sb_putc(b, ' ');
		for (size_t i = 0; i < per && off + i < n; i++) {
			uint8_t c = p[off + i];
			sb_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '.');
		}
		sb_putc(b, '\n');
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
	if (payload_is_text(p, n))
		text_render(b, p, show);
	else
		hex_lines(b, p, show, "", width >= 74 ? 16 : 8);
	if (show < n)
		sb_printf(b, "... %zu more bytes folded (--fold 0 shows all)\n", n - show);
	if (n < wire_len)
		sb_printf(b, "... %zu bytes not captured (cut by the snap length)\n", wire_len - n);
}
