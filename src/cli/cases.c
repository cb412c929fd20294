/* cases.c: `chattcp cases` (the list), `cases --extract`, and `chattcp case NAME`
 * (the lesson, then the annotated chat). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"
#include "../cases/cases.h"
#include "../out/cases_json.h"
#include "../out/json.h"
#include "../out/lesson.h"
#include "../out/table.h"
#include "../out/term_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct table_col list_cols[] = {
	{ .min = 12 },
	{ .wrap = 1, .min = 20 },
};

/* The list's two rows of a case, in terminal form, into c[0..3): "N. name", title, summary
 * (N: its place in the suggested order). */
static void list_cells(const struct case_blob *cb, size_t num, struct strbuf *c)
{
	const char *t = "", *s = "";
	size_t tn = 0, sn = 0;
	case_front(cb, "title", &t, &tn);
	case_front(cb, "summary", &s, &sn);
	for (int i = 0; i < 3; i++)
		sb_reset(&c[i]);
	sb_printf(&c[0], "%2zu. ", num);
	term_text_str(&c[0], cb->name);
	term_text(&c[1], t, tn);
	term_text(&c[2], s, sn);
}

static int list(const struct cli_common *co)
{
	struct strbuf b;
	sb_init(&b);
	const struct case_blob **order = xmalloc((case_blob_count + 1) * sizeof *order);
	size_t n_cases = case_order(order);
	if (co->json) {
		for (size_t i = 0; i < n_cases; i++)
			case_json(&b, order[i], 0);
		cli_flush(&b);
		sb_fini(&b);
		xfree(order);
		return cli_out_check(EXIT_OK);
	}
	struct layout ly;
	cli_layout(co, &ly);
	sb_puts(&b, "chattcp: reading packets is as easy as reading a chat.\n\n");
	static const char intro[] = "Classic cases (real captures with lessons); open one with 'chattcp case NAME', "
				    "or use case:NAME wherever a capture file goes, e.g. 'chattcp chat case:handshake':";
	width_wrap(&b, intro, sizeof intro - 1, (size_t)ly.width, 0, "");
	static const char path[] = "Grouped by topic; new to TCP? Follow the numbers, they are a suggested order. "
				   "'chattcp learn NAME' steps through a case a packet at a time; 'chattcp quiz NAME' "
				   "asks you what comes next.";
	width_wrap(&b, path, sizeof path - 1, (size_t)ly.width, 0, "");
	sb_putc(&b, '\n');
	struct table t;
	table_init(&t, list_cols, 2, &ly);
	struct strbuf c[4];
	for (int i = 0; i < 4; i++)
		sb_init(&c[i]);
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			table_layout(&t);
		const char *topic = NULL;
		size_t topic_n = 0;
		for (size_t i = 0; i < n_cases; i++) {
			list_cells(order[i], i + 1, c);
			const char *r1[2] = { c[0].s, c[1].s }, *r2[2] = { "", c[2].s };
			if (!pass) {
				table_measure(&t, r1);
				table_measure(&t, r2);
				continue;
			}
			const char *g = "Other cases";
			size_t gn = strlen(g);
			case_front(order[i], "topic", &g, &gn);
			if (!topic || gn != topic_n || memcmp(g, topic, gn) != 0) {
				sb_reset(&c[3]);
				term_text(&c[3], g, gn);
				sb_putc(&c[3], ':');
				width_wrap(&b, c[3].s, c[3].len, (size_t)ly.width, 0, "");
				topic = g;
				topic_n = gn;
			}
			table_row(&t, &b, r1);
			table_row(&t, &b, r2);
			sb_putc(&b, '\n');
		}
	}
	for (int i = 0; i < 4; i++)
		sb_fini(&c[i]);
	xfree(order);
	sb_puts(&b, "More: 'chattcp help'.\n");
	cli_flush(&b);
	sb_fini(&b);
	return cli_out_check(EXIT_OK);
}

static int no_case(const char *name)
{
	struct strbuf m;
	sb_init(&m);
	sb_puts(&m, "chattcp: no built-in case '");
	term_text_str(&m, name);
	sb_puts(&m, "' (see 'chattcp cases')\n");
	fputs(m.s, stderr);
	sb_fini(&m);
	return EXIT_BADINPUT; /* as for case:NAME: the input is missing */
}

/* Writes the capture of case name to out ('-': standard output). */
static int extract(const char *name, const char *out)
{
	const struct case_blob *cb = case_find(name);
	if (!cb)
		return no_case(name);
	if (strcmp(out, "-") == 0) {
		cli_write(cb->capture, cb->capture_len);
		return cli_out_check(EXIT_OK);
	}
	FILE *f = fopen(out, "wb");
	if (!f) {
		fprintf(stderr, "chattcp: %s: cannot create: %s\n", out, strerror(errno));
		return EXIT_SYSTEM;
	}
	size_t w = fwrite(cb->capture, 1, cb->capture_len, f);
	if (fclose(f) != 0 || w != cb->capture_len) {
		fprintf(stderr, "chattcp: %s: write error\n", out);
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

/* case NAME: the lesson, then (chat_main goes on) the chat of case:NAME. */
static int lesson(const char *name, const struct layout *ly, int json, const char **spec)
{
	static char case_spec[128];
	if (strncmp(name, "case:", 5) == 0) /* 'case case:tour' means the same */
		name += 5;
	const struct case_blob *cb = case_find(name);
	if (!cb)
		return no_case(name);
	snprintf(case_spec, sizeof case_spec, "case:%s", cb->name);
	*spec = case_spec;
	struct strbuf b;
	sb_init(&b);
	const char *md = case_lesson_body(cb);
	size_t md_n = cb->lesson_len - (size_t)(md - cb->lesson);
	if (json) {
		/* One object first: the lesson (its Markdown as written), then the packets. */
		case_json(&b, cb, 1);
	} else {
		const char *t;
		size_t tn;
		if (case_front(cb, "title", &t, &tn)) {
			struct strbuf h;
			sb_init(&h);
			sb_puts(&h, "# ");
			sb_add(&h, t, tn);
			sb_putc(&h, '\n');
			lesson_render(&b, h.s, h.len, ly);
			sb_fini(&h);
			sb_putc(&b, '\n');
		}
		lesson_render(&b, md, md_n, ly);
		char rule[192];
		snprintf(rule, sizeof rule, "----- The capture as a chat (chattcp chat %s) -----", case_spec);
		sb_putc(&b, '\n');
		width_wrap(&b, rule, strlen(rule), (size_t)ly->width, 0, "");
		sb_putc(&b, '\n');
	}
	cli_flush(&b);
	sb_fini(&b);
	return -1;
}

int cmd_cases(int argc, char **argv)
{
	if (strcmp(argv[0], "case") == 0)
		return chat_main(argc, argv, "case", lesson);
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON);
	int do_extract = 0;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "cases");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--extract") == 0)
			do_extract = 1;
		else
			return cli_unknown("cases", o);
	}
	if (do_extract) {
		if (a.n_positional != 2)
			return usage_error("cases", "--extract takes a case name and an output file ('-': standard output)");
		return extract(a.positional[0], a.positional[1]);
	}
	if (a.n_positional)
		return usage_error("cases", "unexpected argument %s (a case is opened with 'chattcp case NAME')",
				   a.positional[0]);
	return list(&co);
}
