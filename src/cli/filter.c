/* filter.c: -Y EXPR for every command that takes it: the filter compiled once, told
 * every frame by the session (opts.on_frame), and what matched kept as a bit per frame
 * and a count per connection, which the command then asks while it renders. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../filter/filter.h"
#include "../out/term_text.h"

#include <string.h>

int cli_filter_compile(struct cli_yfilter *y, const char *cmd, const char *expr)
{
	struct filter_err e;
	y->f = filter_compile(expr, &e);
	if (!y->f) {
		/* the message quotes what was typed: through the one escaping rule */
		char pre[64];
		snprintf(pre, sizeof pre, "chattcp %s: -Y: ", cmd);
		term_text_line(stderr, pre, e.msg);
		return -1;
	}
	y->expr = expr;
	return 0;
}

static void on_frame(void *ctx, const struct sess_frame_view *f)
{
	struct cli_yfilter *y = ctx;
	if (!filter_match(y->f, f))
		return;
	uint32_t fr = f->pk->frame;
	if ((size_t)fr / 8 >= y->cap_bits) {
		size_t old = y->cap_bits;
		xgrow(&y->bits, &y->cap_bits, (size_t)fr / 8 + 1, 1);
		memset(y->bits + old, 0, y->cap_bits - old);
	}
	y->bits[fr / 8] |= (uint8_t)(1u << (fr % 8));
	y->n_match++;
	if (f->c) {
		if (f->c->idx >= y->cap_hits) {
			size_t old = y->cap_hits;
			xgrow(&y->conn_hits, &y->cap_hits, (size_t)f->c->idx + 1, sizeof *y->conn_hits);
			memset(y->conn_hits + old, 0, (y->cap_hits - old) * sizeof *y->conn_hits);
		}
		y->conn_hits[f->c->idx]++;
	}
	if (y->on_match)
		y->on_match(y->match_ctx, f);
}

void cli_filter_hook(struct cli_yfilter *y, struct session_opts *so)
{
	if (!y->f)
		return;
	so->on_frame = on_frame;
	so->frame_ctx = y;
	if (filter_needs_app(y->f))
		so->app = 1;
}

int cli_filter_frame(const struct cli_yfilter *y, uint32_t frame)
{
	if (!y->f)
		return 1;
	return (size_t)frame / 8 < y->cap_bits && (y->bits[frame / 8] >> (frame % 8) & 1);
}

uint32_t cli_filter_conn(const struct cli_yfilter *y, const struct conn *c)
{
	return c->idx < y->cap_hits ? y->conn_hits[c->idx] : 0;
}

void cli_filter_fini(struct cli_yfilter *y)
{
	filter_free(y->f);
	xfree(y->bits);
	xfree(y->conn_hits);
	memset(y, 0, sizeof *y);
}
