/* width.c: see width.h. */
#include "width.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct width_range {
	uint32_t lo, hi;
};
#include "width_table.h"

static int clamp(long v)
{
	return v < WIDTH_MIN ? WIDTH_MIN : v > WIDTH_MAX ? WIDTH_MAX : (int)v;
}

int width_pick(int requested)
{
	if (requested > 0)
		return clamp(requested);
	struct winsize ws;
	if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return clamp(ws.ws_col);
	const char *cols = getenv("COLUMNS");
	if (cols && *cols) {
		char *end;
		long v = strtol(cols, &end, 10);
		if (*end == '\0' && v > 0)
			return clamp(v);
	}
	return WIDTH_DEFAULT;
}

static int in_ranges(const struct width_range *r, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp > r[mid].hi)
			lo = mid + 1;
		else if (cp < r[mid].lo)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

int width_cp(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (in_ranges(width_zero, sizeof width_zero / sizeof width_zero[0], cp))
		return 0;
	if (in_ranges(width_wide, sizeof width_wide / sizeof width_wide[0], cp))
		return 2;
	return 1;
}

/* The unit at s[i]: its bytes and columns. Units are a colour escape (ESC [ digits/; m),
 * a term_text escape (a backslash and what follows it), or one code point (a byte that
 * is not valid UTF-8 counts as one column: terminal form never has one, our own text
 * neither, but a count must not loop). */
static size_t unit(const char *s, size_t n, size_t i, size_t *cols)
{
	/* (Callers run their own loop over plain bytes, see plain(), and come here for the
	 * rest.) */
	const unsigned char *p = (const unsigned char *)s;
	if (p[i] == 0x1b && i + 1 < n && p[i + 1] == '[') {
		size_t j = i + 2;
		while (j < n && ((p[j] >= '0' && p[j] <= '9') || p[j] == ';'))
			j++;
		if (j < n && p[j] == 'm') {
			*cols = 0;
			return j + 1 - i;
		}
	}
	if (p[i] == '\\' && i + 1 < n) {
		size_t l = p[i + 1] == 'x' ? 4 : p[i + 1] == 'u' ? 6 : 2;
		if (i + l > n)
			l = 2;
		*cols = l;
		return l;
	}
	if (p[i] < 0x80) {
		*cols = 1;
		return 1;
	}
	uint32_t cp;
	size_t l = utf8_decode(p + i, n - i, &cp);
	if (l == 0) {
		*cols = 1;
		return 1;
	}
	*cols = (size_t)width_cp(cp);
	return l;
}

/* A byte that is a unit of its own, one column wide: printable ASCII other than the
 * backslash (a term_text escape starts with it). Nearly every byte of every line is one,
 * so the loops below step over them without calling unit(): the chat of 200,000
 * connections measures each of its 4 million lines at least once. */
static inline int plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '\\'; }

size_t width_cols(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t c = 0;
	for (size_t i = 0; i < n;) {
		if (plain(p[i])) {
			c++;
			i++;
			continue;
		}
		size_t uc;
		i += unit(s, n, i, &uc);
		c += uc;
	}
	return c;
}

size_t width_str(const char *s) { return s ? width_cols(s, strlen(s)) : 0; }

size_t width_prefix(const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t c = 0, i = 0;
	while (i < n) {
		if (plain(p[i])) {
			if (c + 1 > max)
				break;
			c++;
			i++;
			continue;
		}
		size_t uc, l = unit(s, n, i, &uc);
		if (c + uc > max)
			break;
		c += uc;
		i += l;
	}
	return i;
}

static const char *ellipsis(int unicode, size_t *cols)
{
	*cols = unicode ? 1 : 3;
	return unicode ? "\u2026" : "...";
}

size_t width_fit(struct strbuf *b, const char *s, size_t n, size_t max, int unicode)
{
	size_t w = width_cols(s, n);
	if (w <= max) {
		sb_add(b, s, n);
		return w;
	}
	size_t ec;
	const char *e = ellipsis(unicode, &ec);
	if (max < ec) {
		size_t k = width_prefix(s, n, max);
		sb_add(b, s, k);
		return width_cols(s, k);
	}
	size_t k = width_prefix(s, n, max - ec);
	sb_add(b, s, k);
	sb_puts(b, e);
	return width_cols(s, k) + ec;
}

size_t width_fit_mid(struct strbuf *b, const char *s, size_t n, size_t max, int unicode)
{
	size_t w = width_cols(s, n);
	size_t ec;
	const char *e = ellipsis(unicode, &ec);
	if (w <= max || max < ec + 2)
		return width_fit(b, s, n, max, unicode);
	/* Keep the end: the tail gets half the room, the head the rest. */
	size_t tail_room = (max - ec) / 2, head_room = max - ec - tail_room;
	/* The tail: the longest suffix that fits tail_room, found walking units from the
	 * start (so none is split) while the columns left shrink. */
	size_t start = n, tail_cols = 0, left = w;
	for (size_t i = 0; i < n;) {
		if (left <= tail_room) {
			start = i;
			tail_cols = left;
			break;
		}
		size_t uc;
		i += unit(s, n, i, &uc);
		left -= uc;
	}
	size_t k = width_prefix(s, n, head_room);
	sb_add(b, s, k);
	sb_puts(b, e);
	sb_add(b, s + start, n - start);
	return width_cols(s, k) + ec + tail_cols;
}

void width_pad(struct strbuf *b, size_t n)
{
	static const char spaces[] = "                                ";
	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		sb_add(b, spaces, k);
		n -= k;
	}
}

/* Where to break s[0..n), which does not fit in room columns: at the end of a word
 * (a space follows it) within what fits and past its first third (a break earlier
 * would leave a line mostly empty). A word followed by two spaces ends a field and is
 * preferred unless it is much earlier than the last word end; then a word ending in a
 * comma (the end of a "name value, name value" item, so "next header 6" stays whole).
 * fits is width_prefix(s, n, room). Returns the length of the line (the spaces after it
 * are dropped by the caller); 0 = no such place. */
static size_t break_at(const char *s, size_t n, size_t fits, size_t room)
{
	size_t low = fits / 3, dbl = 0, comma = 0, one = 0, one_out = 0;
	int depth = 0; /* inside "(...)": "(server -> client)" is kept whole when it can be */
	for (size_t p = 0; p <= fits && p < n; p++) {
		if (p > 0 && (s[p - 1] == '(' || s[p - 1] == ')'))
			depth += s[p - 1] == '(' ? 1 : depth > 0 ? -1 : 0;
		if (p <= low || s[p] != ' ' || s[p - 1] == ' ')
			continue;
		one = p;
		if (depth == 0)
			one_out = p;
		if (p + 1 < n && s[p + 1] == ' ')
			dbl = p;
		if (s[p - 1] == ',' && depth == 0)
			comma = p;
	}
	if (one != one_out && one_out)
		one = one_out;
	if (dbl && dbl + room / 4 >= one)
		return dbl;
	/* A comma this close to the last word end (a sixth of the line, at least 12
	 * columns: one tag or "name value" item) is the better break. */
	size_t near = room / 6 > 12 ? room / 6 : 12;
	if (comma && comma + near >= one)
		return comma;
	return one;
}

size_t width_line(const char *s, size_t n, size_t room, size_t *skip)
{
	/* One pass over at most a line's worth: what fits is all of it or not. No unit
	 * takes more columns than bytes, so n bytes in n columns fit unseen. */
	size_t take = n, fits = n <= room ? n : width_prefix(s, n, room);
	*skip = 0;
	if (fits < n) {
		size_t at = break_at(s, n, fits, room);
		if (at) {
			take = at;
			while (take + *skip < n && s[take + *skip] == ' ')
				(*skip)++;
		} else {
			take = fits;
			if (take == 0) /* one unit wider than the room: show it anyway */
				take = width_prefix(s, n, 2) ? width_prefix(s, n, 2) : 1;
		}
	}
	return take;
}

void width_wrap(struct strbuf *b, const char *s, size_t n, size_t width, size_t used, const char *cont)
{
	size_t cont_cols = width_str(cont);
	int first = 1;
	do {
		size_t room = first ? (width > used ? width - used : 1) : (width > cont_cols ? width - cont_cols : 1);
		if (!first)
			sb_puts(b, cont ? cont : "");
		size_t skip, take = width_line(s, n, room, &skip);
		sb_add(b, s, take);
		sb_putc(b, '\n');
		s += take + skip;
		n -= take + skip;
		first = 0;
	} while (n > 0);
}

void width_wrap_lines(struct strbuf *b, const char *s, size_t n, size_t width, size_t extra)
{
	char cont[128];
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) : n;
		size_t lead = 0;
		while (lead < len && s[lead] == ' ')
			lead++;
		size_t ind = lead + extra;
		if (ind > width / 2)
			ind = width / 2;
		if (ind > sizeof cont - 1)
			ind = sizeof cont - 1;
		memset(cont, ' ', ind);
		cont[ind] = '\0';
		if (len == 0)
			sb_putc(b, '\n');
		else
			width_wrap(b, s, len, width, 0, cont);
		s += len + (nl ? 1 : 0);
		n -= len + (nl ? 1 : 0);
	}
}
