/* conns.c: `chattcp conns FILE`: the connection list. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../out/fmt.h"
#include "../out/json.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

/* Every word of the filter must appear in the row's text, its letters in order
 * (fuzzy, like fzf); case does not matter. */
static int fuzzy_word(const char *hay, const char *w, size_t wn)
{
	/* A plain substring match is preferred, the subsequence match is the fallback. */
	size_t hn = strlen(hay);
	for (size_t i = 0; i + wn <= hn; i++)
		if (strncasecmp(hay + i, w, wn) == 0)
			return 1;
	/* Numbers and addresses must match as typed: "1.0.0.1" is not fuzzily inside
	 * "127.0.0.1:8000". Words of letters (tags, protocols) may be abbreviated. */
	for (size_t i = 0; i < wn; i++)
		if (!isalpha((unsigned char)w[i]) && w[i] != '-' && w[i] != ' ')
			return 0;
	size_t j = 0;
	for (size_t i = 0; i < hn && j < wn; i++)
		if (tolower((unsigned char)hay[i]) == tolower((unsigned char)w[j]))
			j++;
	return j == wn;
}

int conns_filter_match(const struct conn *c, const char *filter);
int conns_filter_match(const struct conn *c, const char *filter)
{
	if (!filter || !*filter)
		return 1;
	struct strbuf row;
	sb_init(&row);
	char a[80], z[80];
	sb_printf(&row, "%s %s %s ", c->proto == 6 ? "tcp" : "udp", fmt_endpoint(&c->ep[0], a, sizeof a),
		  fmt_endpoint(&c->ep[1], z, sizeof z));
	fmt_tags(&row, c->tags, " ", 0);
	int ok = 1;
	const char *p = filter;
	while (*p && ok) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p)
			ok = fuzzy_word(row.s, p, (size_t)(e - p));
		p = e;
	}
	sb_fini(&row);
	return ok;
}

void conns_summary(struct strbuf *b, const struct engine *en);
void conns_summary(struct strbuf *b, const struct engine *en)
{
	sb_printf(b, "%" PRIu64 " packets: %" PRIu64 " TCP in %" PRIu32 " connection%s, %" PRIu64 " UDP in %" PRIu32
		  " conversation%s",
		  en->n_frames, en->n_tcp, en->ct.n_tcp, en->ct.n_tcp == 1 ? "" : "s", en->n_udp, en->ct.n_udp,
		  en->ct.n_udp == 1 ? "" : "s");
	if (en->n_other || en->n_bad) {
		sb_printf(b, "; %" PRIu64 " other:", en->n_other + en->n_bad);
		for (size_t i = 0; i < en->n_other_kinds; i++)
			sb_printf(b, "%s %s %" PRIu64, i ? "," : "", en->other[i].name, en->other[i].n);
	}
	if (en->n_fragments)
		sb_printf(b, "; %" PRIu64 " IP fragments", en->n_fragments);
	if (en->n_truncated)
		sb_printf(b, "; %" PRIu64 " cut by the snap length", en->n_truncated);
	if (en->n_malformed)
		sb_printf(b, "; %" PRIu64 " malformed", en->n_malformed);
	sb_putc(b, '\n');
}

int cmd_conns(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	int json = 0;
	const char *filter = NULL;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "--filter") == 0 || strcmp(o, "-f") == 0) {
			if (!(filter = args_value(&a, o)))
				return EXIT_USAGE;
		} else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
			char *hv[] = { "help", "conns", NULL };
			return cmd_help(2, hv);
		} else
			return usage_error("conns", "unknown option %s", o);
	}
	if (a.n_positional != 1)
		return usage_error("conns", "expected one capture file");
	struct engine en;
	if (cli_open(&en, a.positional[0]) < 0)
		return EXIT_BADINPUT;
	cli_run(&en);
	struct strbuf b;
	sb_init(&b);
	if (!json) {
		sb_printf(&b, "%4s  %-5s %-44s %-15s %10s  %15s  %19s  %s\n", "ID", "PROTO", "CLIENT -> SERVER", "START",
			  "DURATION", "PACKETS c>s/s>c", "BYTES c>s/s>c", "TAGS");
	}
	/* Connections in id order: TCP (creation order) first, then UDP. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < en.ct.n; i++) {
			const struct conn *c = en.ct.conns[i];
			if ((pass == 0) != (c->proto == 6))
				continue;
			if (!conns_filter_match(c, filter))
				continue;
			if (json) {
				json_conn(&b, c);
			} else {
				char x[80], y[80], cs[180];
				snprintf(cs, sizeof cs, "%s -> %s", fmt_endpoint(&c->ep[0], x, sizeof x),
					 fmt_endpoint(&c->ep[1], y, sizeof y));
				sb_printf(&b, "%4" PRIu32 "  %-5s %-44s ", c->id, c->proto == 6 ? "TCP" : "UDP", cs);
				size_t t0 = b.len;
				fmt_clock(&b, c->first_ts, 6);
				sb_printf(&b, "%*s", (int)(15 - (b.len - t0)) + 1, "");
				struct strbuf d;
				sb_init(&d);
				fmt_duration(&d, c->last_ts - c->first_ts);
				sb_printf(&b, "%10s  ", d.s);
				sb_reset(&d);
				sb_printf(&d, "%" PRIu64 "/%" PRIu64, c->pkts[0], c->pkts[1]);
				sb_printf(&b, "%15s  ", d.s);
				sb_reset(&d);
				fmt_bytes(&d, c->bytes[0]);
				sb_putc(&d, '/');
				fmt_bytes(&d, c->bytes[1]);
				sb_printf(&b, "%19s  ", d.s);
				sb_fini(&d);
				fmt_tags(&b, c->tags, ", ", 0);
				while (b.len && b.s[b.len - 1] == ' ')
					b.len--;
				sb_putc(&b, '\n');
			}
			if (b.len > 1 << 16)
				sb_write(&b, stdout);
		}
	}
	if (!json)
		conns_summary(&b, &en);
	sb_write(&b, stdout);
	sb_fini(&b);
	return cli_finish(&en, EXIT_OK);
}
