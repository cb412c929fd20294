/* tcpdump_cmd.c: `chattcp tcpdump-cmd [--iface IF] [--host IP|--src IP|--dst IP]
 * [--port N|--sport N|--dport N] [--tcp|--udp] [--write FILE] [--snaplen N]`: prints a
 * tcpdump command line for a capture to run where chattcp is not installed (a server),
 * shell-quoted, its filter first compiled by libpcap (the compiler tcpdump uses), so
 * what is printed is known to be accepted. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/term_text.h"
#include "../session/livecap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char help_tcpdump_cmd[] =
	"usage: chattcp tcpdump-cmd [--iface IF] [--host IP | --src IP | --dst IP]\n"
	"                           [--port N | --sport N | --dport N] [--tcp | --udp]\n"
	"                           [--write FILE] [--snaplen N]\n"
	"\n"
	"Prints a tcpdump command that captures what the options describe, shell-quoted, to run on\n"
	"a machine without chattcp; the filter is compiled by libpcap first, so tcpdump accepts it.\n"
	"Read what it wrote with 'chattcp chat FILE'.\n"
	"\n"
	"  --iface IF        the interface (default: any)\n"
	"  --host IP         packets from or to IP (IPv4 or IPv6); --src IP from it, --dst IP to it\n"
	"  --port N          packets from or to port N; --sport N from it, --dport N to it\n"
	"  --tcp, --udp      only TCP, or only UDP\n"
	"  --write FILE      write the packets to FILE (-w, with -U so each is written whole at once);\n"
	"                    '-' writes to standard output, piped into 'chattcp chat -'\n"
	"  --snaplen N       bytes kept of each packet (-s; default tcpdump's, 262144)\n";

/* A filter stays short: three primitives of at most 46 characters each. */
#define TCPDUMP_FILTER_MAX 256
/* Linux interface names are at most 15 bytes (IFNAMSIZ 16 with the NUL). */
#define TCPDUMP_IFACE_MAX 15

struct tcpdump_opts {
	const char *iface, *host, *host_kind, *write;
	const char *port_kind;
	long port, snaplen;
	const char *proto;
};

/* Appends s as one shell word: as is when every byte is safe, else in single quotes
 * (a quote inside becomes '\''), the POSIX sh rule. */
static void shell_word(struct strbuf *b, const char *s)
{
	static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
	if (*s && strspn(s, safe) == strlen(s)) {
		sb_puts(b, s);
		return;
	}
	sb_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_puts(b, "'\\''");
		else
			sb_putc(b, *s);
	}
	sb_putc(b, '\'');
}

static int set_once(const char **slot, const char *v, const char *what)
{
	if (*slot)
		return usage_error("tcpdump-cmd", "give one of %s", what);
	*slot = v;
	return 0;
}

static int port_arg(struct tcpdump_opts *t, const char *k, const char *v)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < 0 || n > 65535)
		return usage_error("tcpdump-cmd", "%s takes a port number, 0 to 65535", k);
	const char *kind = !strcmp(k, "--port") ? "" : !strcmp(k, "--sport") ? "src " : "dst ";
	if (set_once(&t->port_kind, kind, "--port, --sport, --dport"))
		return EXIT_USAGE;
	t->port = n;
	return 0;
}

static int host_arg(struct tcpdump_opts *t, const char *k, const char *v)
{
	unsigned char a[16];
	if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
		return usage_error("tcpdump-cmd", "%s takes an IPv4 or IPv6 address, not '%s'", k, v);
	const char *kind = !strcmp(k, "--host") ? "" : !strcmp(k, "--src") ? "src " : "dst ";
	if (set_once(&t->host_kind, kind, "--host, --src, --dst"))
		return EXIT_USAGE;
	t->host = v;
	return 0;
}

static int iface_ok(const char *v)
{
	size_t n = strlen(v);
	if (!n || n > TCPDUMP_IFACE_MAX)
		return 0;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '/')
			return 0;
	return 1;
}

/* Returns -1 to go on, or the exit status. */
static int tcpdump_args(int argc, char **argv, struct tcpdump_opts *t)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *k;
	while ((k = args_next(&a))) {
		const char *v = NULL;
		int flag = !strcmp(k, "--tcp") || !strcmp(k, "--udp") || !strcmp(k, "-h") || !strcmp(k, "--help");
		if (!flag && !(v = args_value(&a, k)))
			return EXIT_USAGE;
		int rc = 0;
		if (!strcmp(k, "-h") || !strcmp(k, "--help"))
			return cli_help_for("tcpdump-cmd");
		else if (!strcmp(k, "--tcp") || !strcmp(k, "--udp"))
			rc = set_once(&t->proto, k + 2, "--tcp, --udp") ? EXIT_USAGE : 0;
		else if (!strcmp(k, "--iface") || !strcmp(k, "-i"))
			rc = iface_ok(v) ? (t->iface = v, 0)
					 : usage_error("tcpdump-cmd", "--iface takes an interface name (1 to %d bytes, no spaces)",
						       TCPDUMP_IFACE_MAX);
		else if (!strcmp(k, "--host") || !strcmp(k, "--src") || !strcmp(k, "--dst"))
			rc = host_arg(t, k, v);
		else if (!strcmp(k, "--port") || !strcmp(k, "--sport") || !strcmp(k, "--dport"))
			rc = port_arg(t, k, v);
		else if (!strcmp(k, "--write") || !strcmp(k, "-w"))
			rc = *v ? (t->write = v, 0) : usage_error("tcpdump-cmd", "--write takes a file name");
		else if (!strcmp(k, "--snaplen") || !strcmp(k, "-s")) {
			char *end;
			errno = 0;
			t->snaplen = strtol(v, &end, 10);
			if (errno || *end || end == v || t->snaplen < 1 || t->snaplen > 262144)
				rc = usage_error("tcpdump-cmd", "--snaplen takes 1 to 262144 bytes");
		} else
			rc = usage_error("tcpdump-cmd", "unknown option %s", k);
		if (rc)
			return rc;
	}
	if (a.n_positional)
		return usage_error("tcpdump-cmd", "takes no file");
	return -1;
}

static void build_filter(const struct tcpdump_opts *t, struct strbuf *f)
{
	if (t->proto)
		sb_puts(f, t->proto);
	if (t->host)
		sb_printf(f, "%s%shost %s", f->len ? " and " : "", t->host_kind, t->host);
	if (t->port_kind)
		sb_printf(f, "%s%sport %ld", f->len ? " and " : "", t->port_kind, t->port);
}

/* The filter compiles for the link types the interface may have: Ethernet, and Linux
 * cooked capture for "any". Returns 0, or prints libpcap's words and returns -1. */
static int filter_compiles(const struct tcpdump_opts *t, const char *filter)
{
	uint16_t types[] = { LT_ETHERNET, LT_LINUX_SLL };
	size_t n = strcmp(t->iface, "any") == 0 ? 2 : 1;
	for (size_t i = 0; i < n; i++) {
		struct err e;
		err_clear(&e);
		if (livecap_filter_check(types[i], (uint32_t)(t->snaplen ? t->snaplen : 262144), filter, &e) < 0) {
			term_text_line(stderr, "chattcp tcpdump-cmd: ", e.msg);
			return -1;
		}
	}
	return 0;
}

int cmd_tcpdump_cmd(int argc, char **argv)
{
	struct tcpdump_opts t;
	memset(&t, 0, sizeof t);
	int rc = tcpdump_args(argc, argv, &t);
	if (rc >= 0)
		return rc;
	if (!t.iface)
		t.iface = "any";
	struct strbuf f, b;
	sb_init(&f);
	sb_init(&b);
	build_filter(&t, &f);
	rc = f.len > TCPDUMP_FILTER_MAX || (f.len && filter_compiles(&t, f.s) < 0) ? EXIT_USAGE : EXIT_OK;
	if (rc == EXIT_OK) {
		sb_puts(&b, "tcpdump -i ");
		shell_word(&b, t.iface);
		sb_puts(&b, " -nn");
		if (t.snaplen)
			sb_printf(&b, " -s %ld", t.snaplen);
		if (t.write) {
			sb_puts(&b, " -U -w ");
			shell_word(&b, t.write);
		}
		if (f.len) {
			sb_putc(&b, ' ');
			shell_word(&b, f.s);
		}
		if (t.write && !strcmp(t.write, "-"))
			sb_puts(&b, " | chattcp chat -");
		sb_putc(&b, '\n');
		cli_flush(&b);
	}
	sb_fini(&f);
	sb_fini(&b);
	return cli_finish(NULL, rc);
}
