/* table.h: a text table that fits the width (out/width.h): conns, events, cases.
 *
 * Two passes, so a table of a million connections needs no memory per row: every row is
 * first measured (table_measure), then the columns are laid out once (table_layout),
 * then every row is rendered again and written (table_row). Cells are text in terminal
 * form (out/term_text.h), made by the caller both times.
 *
 * Layout: each column gets its widest cell; while the table is too wide, the widest
 * column that can still shrink loses a column (so a long tag list or an IPv6 address
 * gives up room before a short number does); then the gaps between columns narrow from
 * two spaces to one; a column at its minimum that still does
 * not fit is dropped when it may be (drop order, highest first). A cell wider than its
 * column is cut with an ellipsis (at its end, or in its middle to keep an endpoint's
 * port), except in a wrapping column, the last, whose text continues on further lines
 * under itself. */
#ifndef CHATTCP_TABLE_H
#define CHATTCP_TABLE_H

#include "../base/strbuf.h"
#include "width.h"

#include <stddef.h>

/* Columns a table can have: the widest, conns, has 10. */
#define TABLE_COLS_MAX 12
/* A wrapping column shrinks no narrower than its longest word ("retransmissions,"), so
 * it wraps between words, never inside one; a longer word (an attacker's tag or name)
 * counts as this many columns and is cut where the column ends. */
#define TABLE_WORD_MAX 24

struct table_col {
	const char *head; /* NULL or "" for a table without a header row */
	unsigned char right;  /* right-aligned (numbers) */
	unsigned char mid;    /* cut in the middle, keeping the end */
	unsigned char wrap;   /* the last column: wraps instead of being cut */
	unsigned char drop;   /* 0: never dropped; else dropped (highest first) when mins do not fit */
	unsigned char min;    /* columns it keeps when shrinking (255: never shrinks); a header
				 * wider than its column is cut */
};

struct table {
	const struct table_col *col;
	int n;
	const struct layout *ly;
	size_t gap;                   /* spaces between columns */
	size_t want[TABLE_COLS_MAX];  /* the widest cell (and header) of each column */
	size_t word[TABLE_COLS_MAX];  /* a wrapping column: its longest word (at most
				       * TABLE_WORD_MAX), the narrowest it wraps to */
	size_t w[TABLE_COLS_MAX];     /* laid out; 0 = dropped */
};

void table_init(struct table *t, const struct table_col *col, int n, const struct layout *ly);
/* Counts one row of n cells (NULL = empty) for the layout. */
void table_measure(struct table *t, const char *const *cells);
/* Fixes the column widths for ly->width (after every row was measured). */
void table_layout(struct table *t);
/* The header row (nothing when the columns have no heads). */
void table_head(const struct table *t, struct strbuf *b);
/* One row, laid out: one line, or more when its wrapping column wraps. */
void table_row(const struct table *t, struct strbuf *b, const char *const *cells);

#endif
