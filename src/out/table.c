/* table.c: see table.h. */
#include "table.h"

#include <string.h>

void table_init(struct table *t, const struct table_col *col, int n, const struct layout *ly)
{
	memset(t, 0, sizeof *t);
	t->col = col;
	t->n = n > TABLE_COLS_MAX ? TABLE_COLS_MAX : n;
	t->ly = ly;
	t->gap = 2;
	for (int i = 0; i < t->n; i++)
		t->want[i] = width_str(col[i].head);
}

void table_measure(struct table *t, const char *const *cells)
{
	for (int i = 0; i < t->n; i++) {
		size_t w = width_str(cells[i]);
		if (w > t->want[i])
			t->want[i] = w;
		if (t->col[i].wrap && cells[i] && t->word[i] < TABLE_WORD_MAX) {
			for (const char *p = cells[i]; *p;) {
				size_t k = strcspn(p, " ");
				size_t ww = width_cols(p, k);
				if (ww > t->word[i])
					t->word[i] = ww < TABLE_WORD_MAX ? ww : TABLE_WORD_MAX;
				p += k;
				p += strspn(p, " ");
			}
		}
	}
}

static size_t total(const struct table *t)
{
	size_t sum = 0;
	int shown = 0;
	for (int i = 0; i < t->n; i++)
		if (t->w[i]) {
			sum += t->w[i];
			shown++;
		}
	return sum + (shown > 1 ? (size_t)(shown - 1) * t->gap : 0);
}

static size_t min_of(const struct table *t, int i)
{
	size_t m = t->col[i].min ? t->col[i].min : 1;
	if (t->col[i].wrap && t->word[i] > m)
		m = t->word[i];
	return m < t->want[i] ? m : t->want[i];
}

void table_layout(struct table *t)
{
	size_t width = (size_t)t->ly->width;
	for (int i = 0; i < t->n; i++)
		t->w[i] = t->want[i] ? t->want[i] : 1;
	for (;;) {
		while (total(t) > width) {
			/* The widest column still above its minimum gives up one column. */
			int widest = -1;
			for (int i = 0; i < t->n; i++)
				if (t->w[i] > min_of(t, i) && (widest < 0 || t->w[i] > t->w[widest]))
					widest = i;
			if (widest < 0)
				break;
			t->w[widest]--;
		}
		if (total(t) <= width)
			break;
		if (t->gap > 1) { /* closer columns before fewer columns */
			t->gap = 1;
			for (int i = 0; i < t->n; i++)
				if (t->w[i])
					t->w[i] = t->want[i] ? t->want[i] : 1;
			continue;
		}
		/* Everything is at its minimum: drop the next droppable column, give the others
		 * their room back and shrink again. */
		int drop = -1;
		for (int i = 0; i < t->n; i++)
			if (t->w[i] && t->col[i].drop && (drop < 0 || t->col[i].drop > t->col[drop].drop))
				drop = i;
		if (drop < 0) {
			/* Still too wide: a wrapping last column wraps in what is left (at
			 * least one column); other rows are cut at the width by table_row. */
			int last = -1;
			for (int i = 0; i < t->n; i++)
				if (t->w[i])
					last = i;
			size_t over = total(t) - width;
			if (last >= 0 && t->col[last].wrap)
				t->w[last] = t->w[last] > over ? t->w[last] - over : 1;
			break;
		}
		t->w[drop] = 0;
		t->gap = 2;
		for (int i = 0; i < t->n; i++)
			if (t->w[i])
				t->w[i] = t->want[i] ? t->want[i] : 1;
	}
}

/* One line of cells (already the pieces to show) into b, cut at the width. */
static void line(const struct table *t, struct strbuf *b, const char *const *cells, int head)
{
	struct strbuf l;
	sb_init(&l);
	size_t gap_due = 0;
	int last = -1;
	for (int i = 0; i < t->n; i++)
		if (t->w[i])
			last = i;
	for (int i = 0; i <= last; i++) {
		if (!t->w[i])
			continue;
		width_pad(&l, gap_due);
		const char *s = cells[i] ? cells[i] : "";
		size_t n = strlen(s), w = width_cols(s, n), cw = t->w[i];
		if (w > cw) {
			(t->col[i].mid && !head ? width_fit_mid : width_fit)(&l, s, n, cw, t->ly->unicode);
		} else {
			if (t->col[i].right && i != last)
				width_pad(&l, cw - w);
			sb_add(&l, s, n);
			if (!t->col[i].right && i != last)
				width_pad(&l, cw - w);
		}
		gap_due = t->gap;
	}
	while (l.len && l.s[l.len - 1] == ' ')
		l.len--;
	width_fit(b, l.s ? l.s : "", l.len, (size_t)t->ly->width, t->ly->unicode);
	sb_putc(b, '\n');
	sb_fini(&l);
}

void table_head(const struct table *t, struct strbuf *b)
{
	const char *cells[TABLE_COLS_MAX];
	int any = 0;
	for (int i = 0; i < t->n; i++) {
		cells[i] = t->col[i].head;
		any |= cells[i] && *cells[i];
	}
	if (any)
		line(t, b, cells, 1);
}

void table_row(const struct table *t, struct strbuf *b, const char *const *cells)
{
	int last = -1;
	for (int i = 0; i < t->n; i++)
		if (t->w[i])
			last = i;
	if (last < 0 || !t->col[last].wrap || width_str(cells[last]) <= t->w[last]) {
		line(t, b, cells, 0);
		return;
	}
	/* The wrapping column: its text wrapped at its width, the first piece on the row,
	 * the others alone under it. */
	struct strbuf wr;
	sb_init(&wr);
	const char *s = cells[last];
	width_wrap(&wr, s, strlen(s), t->w[last], 0, "");
	const char *row[TABLE_COLS_MAX];
	const char *blank[TABLE_COLS_MAX];
	for (int i = 0; i < t->n; i++) {
		row[i] = cells[i];
		blank[i] = "";
	}
	struct strbuf piece;
	sb_init(&piece);
	int first = 1;
	for (const char *p = wr.s; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t k = nl ? (size_t)(nl - p) : strlen(p);
		sb_reset(&piece);
		sb_add(&piece, p, k);
		if (first) {
			row[last] = piece.s ? piece.s : "";
			line(t, b, row, 0);
		} else {
			blank[last] = piece.s ? piece.s : "";
			line(t, b, blank, 0);
		}
		first = 0;
		p += k + (nl ? 1 : 0);
	}
	sb_fini(&piece);
	sb_fini(&wr);
}
