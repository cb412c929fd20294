/* cases_json.c: see cases_json.h. */
#include "cases_json.h"

#include "json.h"

#include <string.h>

/* The comma-separated topics as a JSON array of trimmed, non-empty words. */
static void topics(struct strbuf *b, const char *p, size_t n)
{
	const char *e = p + n;
	int first = 1;
	sb_putc(b, '[');
	while (p < e) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *we = c ? c : e;
		while (p < we && *p == ' ')
			p++;
		const char *q = we;
		while (q > p && q[-1] == ' ')
			q--;
		if (q > p) {
			if (!first)
				sb_putc(b, ',');
			sb_json_str(b, p, (size_t)(q - p));
			first = 0;
		}
		p = we + 1;
	}
	sb_putc(b, ']');
}

void case_json(struct strbuf *b, const struct case_blob *cb, int with_lesson)
{
	const char *t = "", *s = "", *tp = "";
	size_t tn = 0, sn = 0, tpn = 0;
	case_front(cb, "title", &t, &tn);
	case_front(cb, "summary", &s, &sn);
	case_front(cb, "topics", &tp, &tpn);
	int f = 1;
	sb_putc(b, '{');
	json_str_field(b, &f, "name", cb->name);
	json_key(b, &f, "title");
	sb_json_str(b, t, tn);
	json_key(b, &f, "summary");
	sb_json_str(b, s, sn);
	json_key(b, &f, "topics");
	topics(b, tp, tpn);
	const char *g;
	size_t gn;
	if (case_front(cb, "topic", &g, &gn)) {
		json_key(b, &f, "topic");
		sb_json_str(b, g, gn);
	}
	long o = case_order_num(cb);
	if (o) {
		json_key(b, &f, "order");
		sb_printf(b, "%ld", o);
	}
	if (with_lesson) {
		const char *md = case_lesson_body(cb);
		json_key(b, &f, "lesson");
		sb_json_str(b, md, cb->lesson_len - (size_t)(md - cb->lesson)); /* the Markdown as written */
	}
	sb_puts(b, "}\n");
}
