/* lesson.c: see lesson.h. */
#include "lesson.h"

#include "term_text.h"

#include <string.h>

#define SGR_BOLD "\033[1m"
#define SGR_CODE "\033[36m"
#define SGR_EM "\033[4m"
#define SGR_OFF "\033[0m"

struct lesson {
	struct strbuf *b;
	const struct layout *ly;
	struct strbuf para; /* the paragraph or list item being gathered (markdown) */
	int item;           /* para is a list item: its marker is in marker */
	char marker[8];
	int blank;          /* the last thing written ended with a blank line */
};

/* A lesson's own text in terminal form: our text, not a capture's, so a backslash in it
 * ("hello\n" in a lesson about a line of text) is shown as written, not doubled; the
 * rest still goes through term_text so no byte can steer the terminal. */
static void lesson_text(struct strbuf *out, const char *s, size_t n)
{
	while (n) {
		const char *bs = memchr(s, '\\', n);
		size_t k = bs ? (size_t)(bs - s) : n;
		term_text(out, s, k);
		if (!bs)
			return;
		sb_putc(out, '\\');
		s += k + 1;
		n -= k + 1;
	}
}

/* The inline markup of s[0..n) rendered into out: **bold**, *em*, `code`. A marker that
 * is not closed on the same paragraph is text. */
static void inline_md(struct strbuf *out, const char *s, size_t n, int color)
{
	size_t i = 0, run = 0;
	while (i < n) {
		const char *close = NULL;
		size_t open = 0;
		if (s[i] == '`') {
			close = memchr(s + i + 1, '`', n - i - 1);
			open = 1;
		} else if (s[i] == '*' && i + 1 < n && s[i + 1] == '*') {
			for (size_t j = i + 2; j + 1 < n; j++)
				if (s[j] == '*' && s[j + 1] == '*') {
					close = s + j;
					break;
				}
			open = 2;
		} else if (s[i] == '*' && i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '*') {
			for (size_t j = i + 1; j < n; j++)
				if (s[j] == '*' && s[j - 1] != ' ') {
					close = s + j;
					break;
				}
			open = 1;
		}
		if (!close || close == s + i + open) {
			i++;
			continue;
		}
		lesson_text(out, s + run, i - run);
		const char *sgr = open == 2 ? SGR_BOLD : s[i] == '`' ? SGR_CODE : SGR_EM;
		if (color)
			sb_puts(out, sgr);
		const char *in = s + i + open;
		size_t in_n = (size_t)(close - in);
		if (s[i] == '`')
			lesson_text(out, in, in_n);
		else
			inline_md(out, in, in_n, color);
		if (color)
			sb_puts(out, SGR_OFF);
		i = (size_t)(close - s) + open;
		run = i;
	}
	lesson_text(out, s + run, n - run);
}

static void gap(struct lesson *l)
{
	if (!l->blank && l->b->len)
		sb_putc(l->b, '\n');
	l->blank = 1;
}

/* Writes the gathered paragraph or item, wrapped. */
static void flush(struct lesson *l)
{
	if (!l->para.len && !l->item)
		return;
	struct strbuf r;
	sb_init(&r);
	inline_md(&r, l->para.s ? l->para.s : "", l->para.len, l->ly->color);
	size_t w = (size_t)l->ly->width;
	if (l->item) {
		char cont[sizeof l->marker];
		size_t mw = strlen(l->marker);
		memset(cont, ' ', mw);
		cont[mw] = '\0';
		sb_puts(l->b, l->marker);
		width_wrap(l->b, r.s ? r.s : "", r.len, w, mw, cont);
	} else {
		width_wrap(l->b, r.s ? r.s : "", r.len, w, 0, "");
	}
	sb_fini(&r);
	sb_reset(&l->para);
	l->item = 0;
	l->blank = 0;
}

static void add_text(struct lesson *l, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return;
	if (l->para.len)
		sb_putc(&l->para, ' ');
	sb_add(&l->para, s, n);
}

static void heading(struct lesson *l, const char *s, size_t n, int level)
{
	flush(l);
	gap(l);
	struct strbuf r;
	sb_init(&r);
	inline_md(&r, s, n, 0);
	size_t w = (size_t)l->ly->width;
	if (l->ly->color)
		sb_puts(l->b, SGR_BOLD);
	size_t shown = width_fit(l->b, r.s ? r.s : "", r.len, w, l->ly->unicode);
	if (l->ly->color) {
		sb_puts(l->b, SGR_OFF);
		sb_putc(l->b, '\n');
	} else {
		sb_putc(l->b, '\n');
		for (size_t i = 0; i < shown; i++)
			sb_putc(l->b, level == 1 ? '=' : '-');
		sb_putc(l->b, '\n');
	}
	sb_fini(&r);
	l->blank = 0;
}

void lesson_render(struct strbuf *b, const char *md, size_t n, const struct layout *ly)
{
	struct lesson l;
	memset(&l, 0, sizeof l);
	l.b = b;
	l.ly = ly;
	l.blank = 1;
	sb_init(&l.para);
	int fenced = 0;
	for (size_t i = 0; i < n;) {
		const char *s = md + i;
		const char *nl = memchr(s, '\n', n - i);
		size_t len = nl ? (size_t)(nl - s) : n - i;
		i += len + (nl ? 1 : 0);
		size_t lead = 0;
		while (lead < len && s[lead] == ' ')
			lead++;
		if (len - lead >= 3 && strncmp(s + lead, "```", 3) == 0) {
			flush(&l);
			if (!fenced)
				gap(&l);
			fenced = !fenced;
			if (!fenced) {
				sb_putc(b, '\n');
				l.blank = 1;
			}
			continue;
		}
		if (fenced) {
			/* Code as it is (cut, never re-wrapped: its lines mean something). */
			struct strbuf r;
			sb_init(&r);
			lesson_text(&r, s, len);
			sb_puts(b, "    ");
			if (ly->color)
				sb_puts(b, SGR_CODE);
			width_fit(b, r.s ? r.s : "", r.len, (size_t)ly->width - 4, ly->unicode);
			if (ly->color)
				sb_puts(b, SGR_OFF);
			sb_putc(b, '\n');
			sb_fini(&r);
			l.blank = 0;
			continue;
		}
		if (lead == len) {
			flush(&l);
			gap(&l);
			continue;
		}
		if (s[lead] == '#') {
			size_t h = lead;
			while (h < len && s[h] == '#')
				h++;
			if (h < len && s[h] == ' ') {
				heading(&l, s + h + 1, len - h - 1, (int)(h - lead));
				continue;
			}
		}
		size_t mk = lesson_item_marker(s + lead, len - lead);
		if (mk && lead < 4) {
			flush(&l);
			size_t ml = mk < sizeof l.marker - 1 ? mk : sizeof l.marker - 1;
			memcpy(l.marker, s + lead, ml);
			l.marker[ml] = '\0';
			l.item = 1;
			add_text(&l, s + lead + mk, len - lead - mk);
			continue;
		}
		add_text(&l, s + lead, len - lead);
	}
	flush(&l);
	sb_fini(&l.para);
}
