/* cases.c: `chattcp cases` (the list), `cases --extract`, and `chattcp case NAME`
 * (the lesson, then the annotated chat). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../cases/cases.h"
#include "../out/cases_json.h"
#include "../out/term_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int list(int json)
{
	struct strbuf b;
	sb_init(&b);
	if (!json) {
		sb_puts(&b, "chattcp: reading packets is as easy as reading a chat.\n\n"
			    "Classic cases (real captures with lessons); open one with 'chattcp case NAME',\n"
			    "or use case:NAME wherever a capture file goes, e.g. 'chattcp chat case:handshake':\n\n");
	}
	for (size_t i = 0; i < case_blob_count; i++) {
		const struct case_blob *cb = &case_blobs[i];
		if (json) {
			case_json(&b, cb);
		} else {
			const char *t = "", *s = "";
			size_t tn = 0, sn = 0;
			case_front(cb, "title", &t, &tn);
			case_front(cb, "summary", &s, &sn);
			sb_puts(&b, "  ");
			term_text_pad(&b, cb->name, 22);
			sb_putc(&b, ' ');
			term_text(&b, t, tn);
			sb_printf(&b, "\n  %-22s ", "");
			term_text(&b, s, sn);
			sb_puts(&b, "\n\n");
		}
	}
	if (!json)
		sb_puts(&b, "More: 'chattcp help'.\n");
	sb_write(&b, stdout);
	sb_fini(&b);
	return EXIT_OK;
}

static int extract(const char *name, const char *out)
{
	const struct case_blob *cb = case_find(name);
	if (!cb) {
		fprintf(stderr, "chattcp: no built-in case '%s' (see 'chattcp cases')\n", name);
		return EXIT_USAGE;
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

int cmd_cases(int argc, char **argv)
{
	int single = strcmp(argv[0], "case") == 0;
	struct args a;
	args_init(&a, argc, argv);
	int json = 0, do_extract = 0;
	const char *o;
	char *chat_argv[16];
	int chat_argc = 0;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--extract") == 0)
			do_extract = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			return cli_help_for("cases"); else if (single && chat_argc < 12) {
			chat_argv[1 + chat_argc++] = (char *)o; /* chat options pass through */
		} else
			return usage_error(single ? "case" : "cases", "unknown option %s", o);
	}
	if (do_extract) {
		if (a.n_positional != 2)
			return usage_error("cases", "--extract takes a case name and an output file");
		return extract(a.positional[0], a.positional[1]);
	}
	if (!single)
		return a.n_positional ? usage_error("cases", "unexpected argument %s", a.positional[0]) : list(json);
	if (a.n_positional != 1)
		return usage_error("case", "expected a case name");
	const struct case_blob *cb = case_find(a.positional[0]);
	if (!cb) {
		fprintf(stderr, "chattcp: no built-in case '%s' (see 'chattcp cases')\n", a.positional[0]);
		return EXIT_USAGE;
	}
	const char *t;
	size_t tn;
	if (case_front(cb, "title", &t, &tn))
		printf("%.*s\n\n", (int)tn, t);
	fputs(case_lesson_body(cb), stdout);
	printf("\n----- The capture as a chat (chattcp chat case:%s) -----\n\n", cb->name);
	fflush(stdout);
	char spec[128];
	snprintf(spec, sizeof spec, "case:%s", cb->name);
	chat_argv[0] = "chat";
	chat_argv[1 + chat_argc] = spec;
	chat_argv[2 + chat_argc] = NULL;
	return cmd_chat(chat_argc + 2, chat_argv);
}
