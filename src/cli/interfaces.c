/* interfaces.c: `chattcp interfaces [--json]`: the interfaces one can capture on with
 * `chattcp live -i NAME` (libpcap's pcap_findalldevs, as `tcpdump -D` lists them), with
 * their state and addresses. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/json.h"
#include "../out/table.h"
#include "../out/term_text.h"
#include "../session/livecap.h"

#include <string.h>

const char help_interfaces[] =
	"usage: chattcp interfaces [--json]\n"
	"\n"
	"The interfaces chattcp can capture on ('chattcp live -i NAME'), as libpcap finds them (the\n"
	"same list as 'tcpdump -D'): name, state (up, running, loopback, wireless, connected or\n"
	"disconnected), IPv4 and IPv6 addresses with their prefix length, and libpcap's description\n"
	"(\"any\": all interfaces at once). Listing needs no privileges; capturing does (CAP_NET_RAW).\n"
	"\n"
	"  --json   one object per interface: name, description, up, running, loopback, wireless,\n"
	"           status, addresses [{family, addr, prefix}]\n";

static void state_words(struct strbuf *b, const struct live_iface *f)
{
	size_t at = b->len;
	const char *w[] = { f->up ? "up" : "down", f->running ? "running" : NULL, f->loopback ? "loopback" : NULL,
			    f->wireless ? "wireless" : NULL, *f->status ? f->status : NULL };
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (w[i])
			sb_printf(b, "%s%s", b->len > at ? ", " : "", w[i]);
}

enum { IC_NAME, IC_STATE, IC_MORE, IC_N };

/* Names stay whole (live -i needs them exact); the state is cut at its end; addresses
 * and the description wrap under themselves. */
static const struct table_col iface_cols[IC_N] = {
	[IC_NAME] = { .head = "NAME", .min = 255 },
	[IC_STATE] = { .head = "STATE", .min = 10 },
	[IC_MORE] = { .head = "ADDRESSES", .wrap = 1, .min = 16 },
};

/* The cells of f's row into k[IC_N] (names and descriptions are the system's, not a
 * capture's: escaped all the same). */
static void text_cells(struct strbuf *k, const struct live_iface *f, const char **cells)
{
	for (int i = 0; i < IC_N; i++)
		sb_reset(&k[i]);
	term_text_str(&k[IC_NAME], f->name);
	state_words(&k[IC_STATE], f);
	for (size_t i = 0; i < f->n_addrs; i++) {
		sb_printf(&k[IC_MORE], "%s%s", i ? " " : "", f->addrs[i].addr);
		if (f->addrs[i].prefix >= 0)
			sb_printf(&k[IC_MORE], "/%d", f->addrs[i].prefix);
	}
	if (f->description) {
		sb_puts(&k[IC_MORE], f->n_addrs ? "  (" : "(");
		term_text_str(&k[IC_MORE], f->description);
		sb_putc(&k[IC_MORE], ')');
	}
	for (int i = 0; i < IC_N; i++)
		cells[i] = k[i].s ? k[i].s : "";
}

static void json_line(struct strbuf *b, const struct live_iface *f)
{
	int first = 1;
	sb_putc(b, '{');
	json_str_field(b, &first, "name", f->name);
	json_key(b, &first, "description");
	if (f->description)
		sb_json_str(b, f->description, strlen(f->description));
	else
		sb_puts(b, "null");
	sb_printf(b, ",\"up\":%s,\"running\":%s,\"loopback\":%s,\"wireless\":%s", f->up ? "true" : "false",
		  f->running ? "true" : "false", f->loopback ? "true" : "false", f->wireless ? "true" : "false");
	json_key(b, &first, "status");
	if (*f->status)
		sb_json_str(b, f->status, strlen(f->status));
	else
		sb_puts(b, "null");
	sb_puts(b, ",\"addresses\":[");
	for (size_t i = 0; i < f->n_addrs; i++) {
		int af = 1;
		sb_puts(b, i ? ",{" : "{");
		json_str_field(b, &af, "family", f->addrs[i].family == LIVE_ADDR_V4 ? "ipv4" : "ipv6");
		json_str_field(b, &af, "addr", f->addrs[i].addr);
		json_key(b, &af, "prefix");
		if (f->addrs[i].prefix >= 0)
			sb_printf(b, "%d", f->addrs[i].prefix);
		else
			sb_puts(b, "null");
		sb_putc(b, '}');
	}
	sb_puts(b, "]}\n");
}

int cmd_interfaces(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, CLI_JSON);
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "interfaces");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (!c)
			return cli_unknown("interfaces", o);
	}
	int json = co.json;
	if (a.n_positional)
		return usage_error("interfaces", "takes no file");
	struct live_iface *v;
	struct err e;
	err_clear(&e);
	long n = livecap_ifaces(&v, &e);
	if (n < 0) {
		term_text_line(stderr, "chattcp: ", e.msg);
		return e.code;
	}
	struct strbuf b, k[IC_N];
	sb_init(&b);
	for (int i = 0; i < IC_N; i++)
		sb_init(&k[i]);
	struct layout ly;
	cli_layout(&co, &ly);
	struct table t;
	table_init(&t, iface_cols, IC_N, &ly);
	const char *cells[IC_N];
	for (int pass = json ? 1 : 0; pass < 2; pass++) { /* measure, then draw */
		if (pass == 1 && !json && n) {
			table_layout(&t);
			table_head(&t, &b);
		}
		for (long i = 0; i < n; i++) {
			if (json) {
				json_line(&b, &v[i]);
				continue;
			}
			text_cells(k, &v[i], cells);
			if (pass == 0)
				table_measure(&t, cells);
			else
				table_row(&t, &b, cells);
		}
	}
	for (int i = 0; i < IC_N; i++)
		sb_fini(&k[i]);
	if (!n && !json)
		sb_puts(&b, "no interface to capture on (libpcap found none)\n");
	cli_flush(&b);
	sb_fini(&b);
	livecap_ifaces_free(v, (size_t)n);
	return cli_finish(NULL, EXIT_OK);
}
