/* eval.c: a compiled filter on one frame. Each relation asks the field table's getter
 * for the field's occurrences and compares them with literals converted at compile
 * time: no text is parsed here, and the cost is linear in the AST. */
#include "filter_int.h"

#include <string.h>

/* The slice of v (bytes or string) as bytes; 0 when it falls outside (Wireshark: the
 * relation is then false for that occurrence). */
static int apply_slice(const struct slice *sl, struct fval *v)
{
	int64_t n = (int64_t)v->n;
	int64_t a = sl->start < 0 ? n + sl->start : sl->start;
	if (a < 0 || a > n)
		return 0;
	int64_t len = sl->len < 0 ? n - a : sl->len;
	if (a + len > n)
		return 0;
	v->p += a;
	v->n = (size_t)len;
	v->type = FT_BYTES;
	return 1;
}

static int bytes_cmp(const struct fval *x, const struct fval *y)
{
	size_t n = x->n < y->n ? x->n : y->n;
	int c = n ? memcmp(x->p, y->p, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return x->n < y->n ? -1 : x->n > y->n;
}

/* 1 when address a is inside the literal's network (prefix bits). */
static int ip_in(const struct fval *a, const struct fval *lit)
{
	int bits = lit->prefix;
	for (int i = 0; bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		if ((a->ip.a[i] & mask) != (lit->ip.a[i] & mask))
			return 0;
	}
	return 1;
}

/* -1, 0, 1 (ordering of x against y); for equality of addresses with a prefix, 0 when
 * inside the network. */
static int cmp(const struct fval *x, const struct fval *y)
{
	switch (y->type) {
	case FT_BOOL:
	case FT_UINT:
		return x->u < y->u ? -1 : x->u > y->u;
	case FT_TIME:
		return x->d < y->d ? -1 : x->d > y->d;
	case FT_IPV4:
	case FT_IPV6: {
		if (ip_in(x, y))
			return 0;
		int c = memcmp(x->ip.a, y->ip.a, y->type == FT_IPV4 ? 4 : 16);
		return c < 0 ? -1 : 1;
	}
	case FT_STRING:
	case FT_BYTES:
		return bytes_cmp(x, y);
	}
	return 1;
}

static int rel(int op, int c)
{
	switch (op) {
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	default: return c == 0;
	}
}

static int one_matches(const struct node *n, const struct fval *v)
{
	if (n->op == OP_CONTAINS) {
		const struct fval *lit = &n->lits[0];
		return lit->n == 0 || (v->n >= lit->n && memmem(v->p, v->n, lit->p, lit->n));
	}
	if (n->op == OP_MATCHES) {
		regmatch_t m[1] = { { 0, (regoff_t)v->n } };
		static const char empty[1];
		return regexec(n->re, v->p ? (const char *)v->p : empty, 1, m, REG_STARTEND) == 0;
	}
	return 0;
}

static void values(const struct node *n, const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	o->n = 0;
	o->used = 0;
	fd->get(fd, f, o);
	if (!n->sl.on || fd != n->field)
		return;
	size_t k = 0;
	for (size_t i = 0; i < o->n; i++) {
		struct fval v = o->v[i];
		if (apply_slice(&n->sl, &v))
			o->v[k++] = v;
	}
	o->n = k;
}

static int eval_cmp(const struct node *n, const struct sess_frame_view *f)
{
	struct fvals L, R;
	values(n, n->field, f, &L);
	if (!L.n)
		return 0;
	if (n->op == OP_CONTAINS || n->op == OP_MATCHES) {
		for (size_t i = 0; i < L.n; i++)
			if (one_matches(n, &L.v[i]))
				return 1;
		return 0;
	}
	const struct fval *rv;
	size_t rn;
	if (n->rfield) {
		values(n, n->rfield, f, &R);
		if (!R.n)
			return 0;
		rv = R.v;
		rn = R.n;
	} else {
		rv = n->lits;
		rn = n->n_lits;
	}
	int any_eq = 0, all_eq = 1;
	for (size_t i = 0; i < L.n; i++) {
		for (size_t j = 0; j < rn; j++) {
			int c = cmp(&L.v[i], &rv[j]);
			if (n->op >= OP_LT && n->op <= OP_GE) {
				if (rel(n->op, c))
					return 1;
				continue;
			}
			if (c == 0)
				any_eq = 1;
			else
				all_eq = 0;
		}
	}
	switch (n->op) {
	case OP_EQ: return any_eq;
	case OP_NE: return !any_eq;
	case OP_ALL_EQ: return all_eq;
	case OP_ANY_NE: return !all_eq;
	}
	return 0;
}

static int eval_in(const struct node *n, const struct sess_frame_view *f)
{
	struct fvals L;
	values(n, n->field, f, &L);
	for (size_t i = 0; i < L.n; i++)
		for (size_t j = 0; j < n->n_lits; j++) {
			if (n->is_range[j]) {
				if (cmp(&L.v[i], &n->lits[j]) >= 0 && cmp(&L.v[i], &n->lits[j + 1]) <= 0)
					return 1;
				j++;
			} else if (cmp(&L.v[i], &n->lits[j]) == 0) {
				return 1;
			}
		}
	return 0;
}

int node_eval(const struct node *n, const struct sess_frame_view *f)
{
	switch (n->kind) {
	case N_TRUE: return 1;
	case N_AND: return node_eval(n->a, f) && node_eval(n->b, f);
	case N_OR: return node_eval(n->a, f) || node_eval(n->b, f);
	case N_NOT: return !node_eval(n->a, f);
	case N_EXISTS: {
		struct fvals v;
		values(n, n->field, f, &v);
		return v.n > 0;
	}
	case N_CMP: return eval_cmp(n, f);
	case N_IN: return eval_in(n, f);
	}
	return 0;
}

int filter_match(const struct filter *f, const struct sess_frame_view *v)
{
	return node_eval(f->root, v);
}
