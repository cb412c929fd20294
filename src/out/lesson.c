/* lesson.c: see lesson.h. */
#include "lesson.h"

#include "term_text.h"

#include <string.h>
#include <strings.h>

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

/* The marker of a list item at s[0..n) ("- ", "* ", "12. "): its length, or 0. */
static size_t item_marker(const char *s, size_t n)
{
	if (n >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ')
		return 2;
	size_t i = 0;
	while (i < n && i < 3 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i && i + 1 < n && s[i] == '.' && s[i + 1] == ' ')
		return i + 2;
	return 0;
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
		size_t mk = item_marker(s + lead, len - lead);
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

/* ---- The frames a lesson names (lesson mode) ---- */

/* A name of frames found in a block: the frames lo..hi, and where the name began. */
struct frame_ref {
	uint32_t lo, hi;
	size_t at;
};

/* Larger frame numbers than this in a lesson are not frame names (a typo, a port). */
#define LESSON_FRAME_MAX 10000000u

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

/* The number at s[*i..n), or 0 when there is none (frames count from 1). */
static uint32_t number_at(const char *s, size_t n, size_t *i)
{
	uint32_t v = 0;
	size_t j = *i;
	while (j < n && is_digit(s[j]) && v <= LESSON_FRAME_MAX)
		v = v * 10 + (uint32_t)(s[j++] - '0');
	if (j == *i || v > LESSON_FRAME_MAX || (j < n && is_alnum(s[j])))
		return 0;
	*i = j;
	return v;
}

/* The next frame name in s[*pos..n) into r, *pos past it; 0 at the end. The numbers
 * listed after it ("frames 3, 4 and 6") are next_listed's. */
static int next_ref(const char *s, size_t n, size_t *pos, struct frame_ref *r)
{
	for (size_t i = *pos; i < n; i++) {
		size_t j;
		if (s[i] == '#' && (i == 0 || !is_alnum(s[i - 1]))) {
			j = i + 1;
		} else if ((s[i] | 0x20) == 'f' && n - i >= 6 && strncasecmp(s + i, "frame", 5) == 0 &&
			   (i == 0 || !is_alnum(s[i - 1]))) {
			j = i + 5;
			if (j < n && (s[j] | 0x20) == 's')
				j++;
			if (j >= n || s[j] != ' ')
				continue;
			while (j < n && s[j] == ' ')
				j++;
		} else {
			continue;
		}
		uint32_t lo = number_at(s, n, &j);
		if (!lo)
			continue;
		uint32_t hi = lo;
		/* a range: "1-3", "1 - 3", "1–3" (an en dash, as some lessons write it) */
		size_t k = j;
		while (k < n && s[k] == ' ')
			k++;
		size_t dash = k < n && s[k] == '-' ? 1 : n - k >= 3 && memcmp(s + k, "\xe2\x80\x93", 3) == 0 ? 3 : 0;
		if (dash) {
			k += dash;
			while (k < n && s[k] == ' ')
				k++;
			uint32_t h = number_at(s, n, &k);
			if (h >= lo) {
				hi = h;
				j = k;
			}
		}
		r->lo = lo;
		r->hi = hi;
		r->at = i;
		*pos = j;
		return 1;
	}
	*pos = n;
	return 0;
}

/* Frames named right after r in a list ("3, 4 and 6"): *pos past the separator and the
 * next number into r, or 0. */
static int next_listed(const char *s, size_t n, size_t *pos, struct frame_ref *r)
{
	size_t j = *pos;
	if (j < n && s[j] == ',')
		j++;
	while (j < n && s[j] == ' ')
		j++;
	if (n - j >= 4 && (strncmp(s + j, "and ", 4) == 0 || strncmp(s + j, "or ", 3) == 0))
		j += s[j] == 'a' ? 4 : 3;
	else if (j == *pos || s[*pos] != ',')
		return 0;
	while (j < n && s[j] == ' ')
		j++;
	size_t k = j;
	uint32_t lo = number_at(s, n, &k);
	if (!lo)
		return 0;
	r->lo = r->hi = lo;
	r->at = j;
	*pos = k;
	return 1;
}

/* Calls visit for each frame name of s[0..n); stops early when it returns nonzero. */
static int each_ref(const char *s, size_t n, int (*visit)(void *ctx, const struct frame_ref *r), void *ctx)
{
	size_t pos = 0;
	struct frame_ref r;
	while (next_ref(s, n, &pos, &r)) {
		do {
			if (visit(ctx, &r))
				return 1;
		} while (next_listed(s, n, &pos, &r));
	}
	return 0;
}

/* Where a block's own words begin: past list markers, emphasis and brackets. */
static size_t block_lead(const char *s, size_t n)
{
	size_t i = item_marker(s, n);
	while (i < n && (s[i] == ' ' || s[i] == '*' || s[i] == '_' || s[i] == '(' || s[i] == '['))
		i++;
	return i;
}

struct about {
	uint32_t frame;
	size_t lead;
	int opens;    /* the block opens with a frame name */
	int hit;
};

static int visit_about(void *ctx, const struct frame_ref *r)
{
	struct about *a = ctx;
	if (r->at == a->lead) {
		a->opens = 1;
		a->hit = r->lo == a->frame;
		return 1; /* the opening name decides */
	}
	if (r->lo <= a->frame && a->frame <= r->hi)
		a->hit = 1;
	return 0;
}

/* Calls blk for each block of the lesson (paragraphs and list items; not code, not
 * headings), with its Markdown slice. */
static void each_block(const char *md, size_t n, void (*blk)(void *ctx, const char *s, size_t len), void *ctx)
{
	int fenced = 0;
	const char *start = NULL, *end = NULL;
	for (size_t i = 0; i <= n;) {
		const char *s = md + i;
		const char *nl = i < n ? memchr(s, '\n', n - i) : NULL;
		size_t len = i < n ? (nl ? (size_t)(nl - s) : n - i) : 0;
		int at_end = i >= n;
		i += len + (nl ? 1 : 0) + (at_end ? 1 : 0);
		size_t lead = 0;
		while (lead < len && s[lead] == ' ')
			lead++;
		int fence = len - lead >= 3 && strncmp(s + lead, "```", 3) == 0;
		int blank = lead == len;
		int head = !blank && s[lead] == '#' && lead + 1 < len && (s[lead + 1] == '#' || s[lead + 1] == ' ');
		int item = !blank && lead < 4 && item_marker(s + lead, len - lead);
		if (at_end || fenced || fence || blank || head || item) {
			if (start)
				blk(ctx, start, (size_t)(end - start));
			start = NULL;
		}
		if (fence)
			fenced = !fenced;
		if (at_end || fenced || fence || blank || head)
			continue;
		if (!start)
			start = s;
		end = s + len;
	}
}

struct about_walk {
	uint32_t frame;
	void (*fn)(void *ctx, const struct lesson_block *bl);
	void *ctx;
	size_t count;
};

static void about_block(void *ctx, const char *s, size_t len)
{
	struct about_walk *w = ctx;
	struct about a = { .frame = w->frame, .lead = block_lead(s, len) };
	each_ref(s, len, visit_about, &a);
	if (!a.hit)
		return;
	struct lesson_block bl = { s, len };
	w->fn(w->ctx, &bl);
	w->count++;
}

size_t lesson_blocks_about(const char *md, size_t n, uint32_t frame,
			   void (*fn)(void *ctx, const struct lesson_block *bl), void *ctx)
{
	struct about_walk w = { frame, fn, ctx, 0 };
	each_block(md, n, about_block, &w);
	return w.count;
}

static int visit_names(void *ctx, const struct frame_ref *r)
{
	uint32_t f = *(uint32_t *)ctx;
	return r->lo <= f && f <= r->hi;
}

int lesson_names_frame(const char *md, size_t n, uint32_t frame)
{
	return each_ref(md, n, visit_names, &frame);
}
