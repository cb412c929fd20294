/* strbuf.c: see strbuf.h. */
#include "strbuf.h"

#include "xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

void sb_init(struct strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void sb_fini(struct strbuf *b)
{
	xfree(b->s);
	sb_init(b);
}

void sb_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

/* (inline the test: a chat bubble appends a hundred pieces, nearly all of which fit) */
static inline void reserve(struct strbuf *b, size_t more)
{
	if (b->len + more + 1 > b->cap)
		xgrow(&b->s, &b->cap, b->len + more + 1, 1);
}

void sb_add(struct strbuf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_puts(struct strbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

void sb_putc(struct strbuf *b, char c)
{
	reserve(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void sb_putu(struct strbuf *b, uint64_t v)
{
	char t[20];
	size_t i = sizeof t;
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_add(b, t + i, sizeof t - i);
}

void sb_putu_pad(struct strbuf *b, uint64_t v, int digits)
{
	char t[20];
	size_t i = sizeof t;
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	while (i > 0 && (int)(sizeof t - i) < digits)
		t[--i] = '0';
	sb_add(b, t + i, sizeof t - i);
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		sb_add(b, tmp, (size_t)n);
		return;
	}
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp_out)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	size_t need;
	uint32_t cp;
	if (c < 0x80) {
		*cp_out = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	*cp_out = cp;
	return need;
}

/* Code points that JSON and the terminal show as \uXXXX although they are valid UTF-8:
 * they make a terminal act
 * (C1), break the line (NEL is C1; LS, PS), reorder what follows (bidi controls), or
 * hide text between characters (zero-width and invisible characters). ZWNJ and ZWJ
 * (U+200C, U+200D) stay: scripts and emoji need them, and they reorder nothing. */
static const struct cp_range {
	uint32_t lo, hi;
} shown_escaped[] = {
	{ 0x0080, 0x009f }, /* C1 controls */
	{ 0x00ad, 0x00ad }, /* soft hyphen: invisible */
	{ 0x061c, 0x061c }, /* Arabic letter mark (bidi) */
	{ 0x200b, 0x200b }, /* zero-width space */
	{ 0x200e, 0x200f }, /* LRM, RLM */
	{ 0x2028, 0x202e }, /* LS, PS, LRE, RLE, PDF, LRO, RLO */
	{ 0x2060, 0x206f }, /* word joiner, invisible operators, LRI..PDI isolates, deprecated */
	{ 0xfeff, 0xfeff }, /* BOM / zero-width no-break space */
	{ 0xfff9, 0xfffb }, /* interlinear annotation */
};

int utf8_cp_steers(uint32_t cp)
{
	if (cp < 0x80 || cp > 0xfffb)
		return 0;
	for (size_t i = 0; i < sizeof shown_escaped / sizeof shown_escaped[0]; i++)
		if (cp >= shown_escaped[i].lo && cp <= shown_escaped[i].hi)
			return 1;
	return 0;
}

void sb_json_str(struct strbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	sb_putc(b, '"');
	for (size_t i = 0; i < n;) {
		/* a run of plain printable ASCII goes in one copy */
		size_t j = i;
		while (j < n && u[j] >= 0x20 && u[j] < 0x7f && u[j] != '"' && u[j] != '\\')
			j++;
		if (j > i) {
			sb_add(b, s + i, j - i);
			i = j;
			continue;
		}
		unsigned char c = u[i];
		switch (c) {
		case '"': sb_add(b, "\\\"", 2); i++; continue;
		case '\\': sb_add(b, "\\\\", 2); i++; continue;
		case '\n': sb_add(b, "\\n", 2); i++; continue;
		case '\r': sb_add(b, "\\r", 2); i++; continue;
		case '\t': sb_add(b, "\\t", 2); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			sb_printf(b, "\\u%04x", c);
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = utf8_decode(u + i, n - i, &cp);
		if (l == 0) {
			sb_printf(b, "\\u%04x", c);
			i++;
			continue;
		}
		/* Valid JSON raw, but NEL, LS and PS end a line for many line-based readers
		 * of NDJSON (and for JavaScript before ES2019), and C1 and bidi controls act on
		 * a terminal that shows the JSON: escaped, the parsed string is the same. */
		if (utf8_cp_steers(cp))
			sb_printf(b, "\\u%04x", (unsigned)cp);
		else
			sb_add(b, s + i, l);
		i += l;
	}
	sb_putc(b, '"');
}

void sb_write(struct strbuf *b, FILE *f)
{
	if (b->len)
		fwrite(b->s, 1, b->len, f);
	sb_reset(b);
}
