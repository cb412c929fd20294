/* lesson_frames.c: see lesson_frames.h. Moved here from out/lesson.c: which packet a
 * paragraph is about is the lesson's content, asked by the terminal's learn and the web
 * UI's case stepping alike, not a way of drawing it. */
#include "lesson_frames.h"

#include <string.h>
#include <strings.h>

size_t lesson_item_marker(const char *s, size_t n)
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
	size_t i = lesson_item_marker(s, n);
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
		int item = !blank && lead < 4 && lesson_item_marker(s + lead, len - lead);
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
