/* interfaces.c: `chattcp interfaces [--json]`: the interfaces one can capture on with
 * `chattcp live -i NAME` (libpcap's pcap_findalldevs, as `tcpdump -D` lists them), with
 * their state and addresses. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/json.h"
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

static void text_line(struct strbuf *b, const struct live_iface *f, size_t name_w)
{
	/* names and descriptions are the system's, not a capture's: escaped all the same */
	term_text_pad(b, f->name, name_w);
	sb_puts(b, "  ");
	struct strbuf st;
	sb_init(&st);
	state_words(&st, f);
	term_text_pad(b, st.s, 34);
	sb_fini(&st);
	for (size_t i = 0; i < f->n_addrs; i++) {
		sb_printf(b, " %s", f->addrs[i].addr);
		if (f->addrs[i].prefix >= 0)
			sb_printf(b, "/%d", f->addrs[i].prefix);
	}
	if (f->description) {
		sb_puts(b, f->n_addrs ? "  (" : " (");
		term_text_str(b, f->description);
		sb_putc(b, ')');
	}
	while (b->len && b->s[b->len - 1] == ' ')
		b->len--;
	sb_putc(b, '\n');
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
	int json = 0;
	const char *o;
	while ((o = args_next(&a))) {
		if (strcmp(o, "--json") == 0)
			json = 1;
		else if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0)
			return cli_help_for("interfaces");
		else
			return usage_error("interfaces", "unknown option %s", o);
	}
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
	size_t name_w = 4;
	for (long i = 0; i < n; i++) {
		size_t w = term_text_cols(v[i].name, strlen(v[i].name));
		if (w > name_w)
			name_w = w;
	}
	struct strbuf b;
	sb_init(&b);
	for (long i = 0; i < n; i++) {
		if (json)
			json_line(&b, &v[i]);
		else
			text_line(&b, &v[i], name_w);
	}
	if (!n && !json)
		sb_puts(&b, "no interface to capture on (libpcap found none)\n");
	cli_flush(&b);
	sb_fini(&b);
	livecap_ifaces_free(v, (size_t)n);
	return cli_finish(NULL, EXIT_OK);
}
