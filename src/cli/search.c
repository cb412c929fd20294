/* search.c: `chattcp search FILE [--ip A] [--port N] [--flags SYN,RST] ...`: search
 * without filter syntax. The options become one display filter (filter/search.c), run
 * like -Y; the frames found are listed grouped by connection, with counts, and the
 * filter is printed so the user can reuse it with -Y. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../filter/filter.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/search_json.h"
#include "../out/term_text.h"

#include <stdlib.h>
#include <string.h>

/* Frame numbers listed per connection in text; the count says how many more. JSON
 * lists them all. */
#define SEARCH_FRAMES_SHOWN 12

struct hit {
	uint32_t conn;   /* conn idx + 1; 0: not TCP/UDP */
	uint32_t frame;
};

struct found {
	struct hit *v;
	size_t n, cap;
};

static void on_match(void *ctx, const struct sess_frame_view *f)
{
	struct found *x = ctx;
	xgrow(&x->v, &x->cap, x->n + 1, sizeof *x->v);
	x->v[x->n].conn = f->c ? f->c->idx + 1 : 0;
	x->v[x->n].frame = f->pk->frame;
	x->n++;
}

static int by_conn(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	if (x->conn != y->conn)
		return x->conn < y->conn ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static void put_group(struct strbuf *b, const struct conn *c, const struct hit *h, size_t n, int json)
{
	char id[16], e0[64], e1[64];
	if (json) {
		search_json_group(b, c, &h[0].frame, sizeof *h / sizeof h[0].frame, n);
		return;
	}
	if (c)
		sb_printf(b, "%-4s %-5s %s -> %s  ", c->proto == 6 ? "tcp" : "udp", fmt_conn_id(c, id, sizeof id),
			  fmt_endpoint(&c->ep[0], e0, sizeof e0), fmt_endpoint(&c->ep[1], e1, sizeof e1));
	else
		sb_printf(b, "other frames (not TCP/UDP)  ");
	sb_printf(b, "%zu match%s: frame%s ", n, n == 1 ? "" : "es", n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < SEARCH_FRAMES_SHOWN; i++)
		sb_printf(b, "%s%u", i ? ", " : "", h[i].frame);
	if (n > SEARCH_FRAMES_SHOWN)
		sb_printf(b, " and %zu more", n - SEARCH_FRAMES_SHOWN);
	sb_add(b, "\n", 1);
}

/* The groups: connections in creation order (the order their first frame came). */
static void search_print(struct session *s, const struct cli_common *co, struct found *x, const char *expr)
{
	if (x->n > 1)
		qsort(x->v, x->n, sizeof *x->v, by_conn);
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
	struct strbuf b;
	sb_init(&b);
	if (!co->json) {
		sb_add(&b, "display filter: ", 16);
		term_text_str(&b, expr);
		sb_add(&b, "\n", 1);
	}
	size_t groups = 0, shown = 0;
	for (size_t i = 0; i < x->n;) {
		size_t j = i;
		while (j < x->n && x->v[j].conn == x->v[i].conn)
			j++;
		const struct conn *c = x->v[i].conn && x->v[i].conn - 1 < n_idx ? by_idx[x->v[i].conn - 1] : NULL;
		if (!co->n_ids || (c && session_selected(s, c))) {
			put_group(&b, c, x->v + i, j - i, co->json);
			groups += c != NULL;
			shown += j - i;
		}
		i = j;
		if (b.len > 1 << 16)
			cli_flush(&b);
	}
	if (!co->json)
		sb_printf(&b, "%zu matching frame%s in %zu connection%s\n", shown, shown == 1 ? "" : "s", groups,
			  groups == 1 ? "" : "s");
	cli_flush(&b);
	sb_fini(&b);
	xfree(by_idx);
}

/* Filters one --filters file may hold: enough for a library of saved filters, few
 * enough that a frame's cost (each filter evaluated) stays small. */
#define SEARCH_FILTERS_MAX 1000

struct many {
	struct filter **f;
	struct found *hits;
	size_t n;
};

static void many_frame(void *ctx, const struct sess_frame_view *f)
{
	struct many *m = ctx;
	for (size_t i = 0; i < m->n; i++)
		if (filter_match(m->f[i], f))
			on_match(&m->hits[i], f);
}

/* --filters LIST: every line of LIST a display filter, all run in one pass; one line
 * of output per filter: its number, then the frames it selects. */
static int search_many(const char *spec, const char *list, int json, const char *keylog)
{
	FILE *in = fopen(list, "r");
	if (!in) {
		fprintf(stderr, "chattcp search: cannot read %s\n", list);
		return EXIT_USAGE;
	}
	struct many m = { 0 };
	size_t cap = 0, cap_h = 0;
	char line[FILTER_EXPR_MAX + 2];
	int rc = EXIT_OK, lineno = 0;
	while (fgets(line, sizeof line, in)) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		struct filter_err e;
		struct filter *f = m.n < SEARCH_FILTERS_MAX ? filter_compile(line, &e) : NULL;
		if (!f) {
			fprintf(stderr, "chattcp search: %s line %d: %s\n", list, lineno,
				m.n < SEARCH_FILTERS_MAX ? e.msg : "more filters than a list may hold (1000)");
			rc = EXIT_USAGE;
			break;
		}
		xgrow(&m.f, &cap, m.n + 1, sizeof *m.f);
		xgrow(&m.hits, &cap_h, m.n + 1, sizeof *m.hits);
		memset(&m.hits[m.n], 0, sizeof m.hits[m.n]);
		m.f[m.n++] = f;
	}
	fclose(in);
	struct session *s = NULL;
	if (rc == EXIT_OK) {
		struct session_opts so;
		memset(&so, 0, sizeof so);
		so.on_frame = many_frame;
		so.frame_ctx = &m;
		so.keylog = keylog;
		for (size_t i = 0; i < m.n; i++)
			so.app |= filter_needs_app(m.f[i]);
		s = cli_session(&so, spec, NULL, 0, &rc);
	}
	if (s) {
		cli_run(s);
		struct strbuf b;
		sb_init(&b);
		for (size_t i = 0; i < m.n; i++) {
			sb_printf(&b, json ? "{\"filter\":%zu,\"frames\":[" : "%zu\t", i + 1);
			for (size_t k = 0; k < m.hits[i].n; k++)
				sb_printf(&b, "%s%u", k ? "," : "", m.hits[i].v[k].frame);
			sb_add(&b, json ? "]}\n" : "\n", json ? 3 : 1);
			cli_flush(&b);
		}
		sb_fini(&b);
	}
	for (size_t i = 0; i < m.n; i++) {
		filter_free(m.f[i]);
		xfree(m.hits[i].v);
	}
	xfree(m.f);
	xfree(m.hits);
	return s ? cli_finish(s, EXIT_OK) : rc;
}

int cmd_search(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON | CLI_CONN | CLI_FILTER);
	struct strbuf expr;
	sb_init(&expr);
	struct found x = { 0 };
	int rc = EXIT_USAGE;
	const char *list = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "search");
		if (c < 0)
			goto out;
		if (c == CLI_DONE) {
			rc = EXIT_OK;
			goto out;
		}
		if (c)
			continue;
		if (!strcmp(o, "--filters")) {
			if (!(list = args_value(&a, "search", o)))
				goto out;
			continue;
		}
		if (strncmp(o, "--", 2) || !filter_search_known(o + 2)) {
			rc = cli_unknown("search", o);
			goto out;
		}
		const char *v = args_value(&a, "search", o);
		if (!v)
			goto out;
		char why[200];
		if (filter_search_add(&expr, o + 2, v, why, sizeof why) < 0) {
			rc = usage_error("search", "%s", why);
			goto out;
		}
	}
	if (a.n_positional != 1) {
		rc = usage_error("search", "expected one capture file");
		goto out;
	}
	if (list) {
		if (expr.len || co.y.f || co.n_ids) {
			rc = usage_error("search", "--filters runs the filters of its file alone (no other search options)");
			goto out;
		}
		rc = search_many(a.positional[0], list, co.json, co.keylog);
		goto out;
	}
	if (co.y.f) {
		if (expr.len)
			sb_add(&expr, " && ", 4);
		sb_printf(&expr, "(%s)", co.y.expr);
		cli_filter_fini(&co.y);
	}
	if (!expr.len) {
		rc = usage_error("search", "nothing to search for: give --ip, --port, --flags, --payload, --http-method, "
					   "--label, -Y EXPR ...");
		goto out;
	}
	if (cli_filter_compile(&co.y, "search", expr.s) < 0)
		goto out;
	co.y.on_match = on_match;
	co.y.match_ctx = &x;
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.keylog = co.keylog;
	cli_filter_hook(&co.y, &so);
	struct session *s = cli_session(&so, a.positional[0], co.ids, co.n_ids, &rc);
	if (!s)
		goto out;
	cli_run(s);
	rc = EXIT_OK;
	if (!cli_check_ids(s, co.ids, co.n_ids)) {
		rc = EXIT_USAGE;
	} else {
		search_print(s, &co, &x, expr.s);
	}
	xfree(x.v);
	sb_fini(&expr);
	cli_common_fini(&co);
	return cli_finish(s, rc);
out:
	xfree(x.v);
	sb_fini(&expr);
	cli_common_fini(&co);
	return rc;
}
