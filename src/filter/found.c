/* found.c: a search's answer, the frames a filter selected grouped by connection (see
 * filter.h). One model for `chattcp search` and the MCP search tool, so both give the
 * same groups in the same order. */
#include "filter_int.h"

#include "../base/xalloc.h"

#include <stdlib.h>

void filter_found_add(struct filter_found *x, const struct sess_frame_view *f)
{
	xgrow(&x->v, &x->cap, x->n + 1, sizeof *x->v);
	x->v[x->n].conn = f->c ? f->c->idx + 1 : 0;
	x->v[x->n].frame = f->pk->frame;
	x->n++;
	x->sorted = 0;
}

void filter_found_fini(struct filter_found *x)
{
	xfree(x->v);
	*x = (struct filter_found){ 0 };
}

static int by_conn(const void *a, const void *b)
{
	const struct filter_hit *x = a, *y = b;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

size_t filter_found_groups(struct filter_found *x, struct session *s, int selected_only, filter_group_fn *fn, void *ctx)
{
	if (!x->sorted && x->n > 1)
		qsort(x->v, x->n, sizeof *x->v, by_conn);
	x->sorted = 1;
	size_t nconns;
	const struct conn *const *all = session_conns(s, &nconns);
	/* conn idx -> conn: session_conns is in id order, idx is creation order */
	size_t n_idx = 1;
	for (size_t i = 0; i < nconns; i++)
		if (all[i]->idx + (size_t)1 > n_idx)
			n_idx = all[i]->idx + (size_t)1;
	const struct conn **by_idx = xcalloc(n_idx, sizeof *by_idx);
	for (size_t i = 0; i < nconns; i++)
		by_idx[all[i]->idx] = all[i];
	size_t groups = 0;
	for (size_t i = 0; i < x->n;) {
		size_t j = i;
		while (j < x->n && x->v[j].conn == x->v[i].conn)
			j++;
		const struct conn *c = x->v[i].conn && x->v[i].conn - 1 < n_idx ? by_idx[x->v[i].conn - 1] : NULL;
		if (!selected_only || (c && session_selected(s, c))) {
			fn(ctx, c, x->v + i, j - i);
			groups++;
		}
		i = j;
	}
	xfree(by_idx);
	return groups;
}
