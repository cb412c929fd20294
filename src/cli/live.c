/* live.c: `chattcp live -i IFACE [-f BPF] [-c ID] [--write FILE.pcapng] [--ring N
 * --ring-size MB] [--duration S] [--json]`: captures from an interface and shows the chat
 * as packets arrive (the renderer `chat` uses on a pipe), a status line on a terminal's
 * stderr, and on stop the diagnosis of what was seen (as `diag` shows it). The capture
 * itself is the session's (session/livecap.h); this file parses options and renders. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../out/chat_term.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/report.h"
#include "../out/term_text.h"
#include "../session/livecap.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char help_live[] =
	"usage: chattcp live -i IFACE [-f BPF] [-c ID ...] [--write FILE.pcapng [--ring N --ring-size MB]]\n"
	"                    [--duration S] [--json] [chat options]\n"
	"       chattcp live --remote URL --token-file FILE [--ca FILE | --insecure] [-i IFACE] [-f BPF]\n"
	"                    [the same options]\n"
	"\n"
	"Captures from a network interface (libpcap; see 'chattcp interfaces') and shows each packet's\n"
	"bubble as soon as it arrives, connections interleaved, exactly as 'chat' shows a pipe. On a\n"
	"terminal, stderr has a status line: packets, connections, drops by the kernel and by chattcp.\n"
	"Ctrl-C (or SIGTERM, or --duration) stops: the file is flushed, each connection's footer and\n"
	"its diagnosis (as 'diag' gives it) are printed, and one line on stderr sums up the capture.\n"
	"Capturing needs CAP_NET_RAW (root, or setcap cap_net_raw,cap_net_admin=eip on the binary).\n"
	"With --remote, the packets come from a capture agent ('chattcp agent') on another machine,\n"
	"exactly as from a local interface; the agent's drops are its kernel's.\n"
	"\n"
	"  -i, --interface IFACE   the interface ('any': all of them; with --remote, the agent's, default any)\n"
	"  --remote URL            capture on the agent at URL: http://HOST:PORT (loopback, an SSH\n"
	"                          tunnel), or https://HOST:PORT (an agent with --tls-cert)\n"
	"  --token-file FILE       the agent's token (the file the agent was given, chmod 600)\n"
	"  --ca FILE               https: trust this PEM certificate (the agent's, or its CA's);\n"
	"                          default: the system's store. The name in the URL must be the\n"
	"                          certificate's\n"
	"  --insecure              https: encrypt, but verify neither the certificate nor the name\n"
	"  -f, --filter BPF        a capture filter in tcpdump's syntax ('tcp port 80 and host 10.0.0.2')\n"
	"  -c, --conn IDS          only show these connections (ids as they are given, from 0)\n"
	"  -w, --write FILE        also write every packet to FILE, as pcapng (nanosecond timestamps);\n"
	"                          'chattcp chat FILE' shows what was shown live\n"
	"  --ring N                with --write: a ring of N files FILE_00001.pcapng ..., each at most\n"
	"  --ring-size MB          MB mebibytes; the oldest is removed when the N+1th starts\n"
	"  --duration S            stop after S seconds (a decimal: 0.5 is half a second)\n"
	"  -s, --snaplen N         bytes kept of each packet (128 to 262144, default 262144)\n"
	"  --buffer MB             the kernel's capture buffer (default 8, at most 1024)\n"
	"  --promisc               promiscuous mode (default: only this host's own traffic)\n"
	"  --no-diag               no diagnosis at the end (nothing is kept for it per connection)\n"
	"  --json                  one JSON object per packet as chat --json gives them; at the end\n"
	"                          {\"diag\": ...} per connection and one {\"capture\": ...} summary\n"
	"  --absolute, -t FORMAT, --no-state, --no-notes, --commentary, --fold N, --payload MODE,\n"
	"  --decode-as PROTO, --color WHEN, --width N, --ascii: as for chat\n"
	"\n"
	"Exit status 2 when the interface cannot be opened (no such interface, no permission, a\n"
	"filter that does not compile: libpcap's message) or fails during the capture.\n";

/* Output is written when this much is waiting, and after each batch of packets (so a
 * bubble is out within LIVE_TIMEOUT_MS of its packet): one write(2) per batch rather
 * than per packet, which at 100,000 packets a second was most of a core. */
#define LIVE_OUT_BYTES ((size_t)64 << 10)
/* How often the status line is redrawn: often enough to look alive, rarely enough to
 * cost nothing against the packets. */
#define LIVE_STATUS_NS ((int64_t)500 * 1000 * 1000)
/* The longest --duration: a year (the clock arithmetic is saturating anyway). */
#define LIVE_DURATION_MAX_S (86400.0 * 366)

/* In an option parser: print the usage error and say the option was wrong. */
#define USAGE(...)                                      \
	do {                                            \
		usage_error("live", __VA_ARGS__);       \
		return -1;                              \
	} while (0)

struct live_cli {
	struct chat_style st;
	struct sess_id *ids;
	size_t n_ids, cap_ids;
	int json, no_diag, ascii;
	const char *token_file;
	char token[CLI_TOKEN_MAX + 2];
	const char *name;  /* the interface, or the agent's HOST:PORT/IFACE */
	const char *color_mode, *decode_as;
	const char *keylog;
	int width;
	struct livecap_opts lo;
	/* while running */
	struct session *s;
	struct strbuf b;
	struct strbuf one; /* one diagnosis as JSON */
	struct chat_scratch scratch;
	uint8_t *headed;   /* by connection index: its header was printed */
	size_t n_headed;
	int ended_by_agent;
	int status;        /* stderr is a terminal: draw the status line */
	int status_shown;  /* it is on the screen now */
	int out_tty;       /* stdout is a terminal too: clear the status line before output */
};

/* Set by SIGINT and SIGTERM: the capture stops at the next look (a tenth of a second). */
static volatile sig_atomic_t live_stopped;

static void on_stop_signal(int sig)
{
	(void)sig;
	live_stopped = 1;
}

static void install_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* writes to a blocked stdout restart; poll(2) is never restarted and sees EINTR */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a reader that went away (| head) stops the capture cleanly, the file flushed */
	signal(SIGPIPE, SIG_IGN);
}

static int parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = v ? strtol(v, &end, 10) : 0;
	if (!v || errno || *end || end == v || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int parse_seconds(const char *v, int64_t *ns)
{
	char *end;
	errno = 0;
	double d = v ? strtod(v, &end) : 0;
	if (!v || errno || *end || end == v || !(d > 0) || d > LIVE_DURATION_MAX_S)
		return -1;
	*ns = (int64_t)llround(d * 1e9);
	return *ns > 0 ? 0 : -1;
}

/* The capture's own options: returns 1 when k was one of them, 0 when it is not, -1
 * when its value is wrong (the usage error was printed). */
static int capture_arg(struct args *a, const char *k, struct live_cli *x)
{
	const char *v;
	long n;
#define VALUE() do { if (!(v = args_value(a, "live", k))) return -1; } while (0)
	if (!strcmp(k, "-i") || !strcmp(k, "--interface")) {
		VALUE();
		x->lo.cap.iface = v;
	} else if (!strcmp(k, "--remote")) {
		VALUE();
		x->lo.remote_url = v;
	} else if (!strcmp(k, "--token-file")) {
		VALUE();
		x->token_file = v;
	} else if (!strcmp(k, "--ca")) {
		VALUE();
		x->lo.remote_ca = v;
	} else if (!strcmp(k, "--insecure")) {
		x->lo.remote_insecure = 1;
	} else if (!strcmp(k, "-f") || !strcmp(k, "--filter")) {
		VALUE();
		x->lo.cap.filter = v;
	} else if (!strcmp(k, "-w") || !strcmp(k, "--write")) {
		VALUE();
		x->lo.write_path = v;
	} else if (!strcmp(k, "--ring")) {
		VALUE();
		if (parse_long(v, 2, PCAPNG_RING_FILES_MAX - 1, &n) < 0)
			USAGE("--ring takes 2 to %d files", PCAPNG_RING_FILES_MAX - 1);
		x->lo.ring_files = (unsigned)n;
	} else if (!strcmp(k, "--ring-size")) {
		VALUE();
		if (parse_long(v, 1, (long)PCAPNG_RING_MB_MAX, &n) < 0)
			USAGE("--ring-size takes 1 to %llu MiB",
					    (unsigned long long)PCAPNG_RING_MB_MAX);
		x->lo.ring_bytes = (uint64_t)n << 20;
	} else if (!strcmp(k, "--duration")) {
		VALUE();
		if (parse_seconds(v, &x->lo.duration_ns) < 0)
			USAGE("--duration takes seconds (more than 0, at most a year)");
	} else if (!strcmp(k, "-s") || !strcmp(k, "--snaplen")) {
		VALUE();
		if (parse_long(v, LIVE_SNAPLEN_MIN, LIVE_SNAPLEN_MAX, &n) < 0)
			USAGE("--snaplen takes %u to %u bytes", LIVE_SNAPLEN_MIN, LIVE_SNAPLEN_MAX);
		x->lo.cap.snaplen = (uint32_t)n;
	} else if (!strcmp(k, "--buffer")) {
		VALUE();
		if (parse_long(v, 1, (long)(LIVE_BUFFER_MAX >> 20), &n) < 0)
			USAGE("--buffer takes 1 to %zu MiB", LIVE_BUFFER_MAX >> 20);
		x->lo.cap.buffer = (size_t)n << 20;
	} else if (!strcmp(k, "--promisc")) {
		x->lo.cap.promisc = 1;
	} else if (!strcmp(k, "--no-diag")) {
		x->no_diag = 1;
	} else {
		return 0;
	}
	return 1;
#undef VALUE
}

/* The chat's options, as chat takes them; returns as capture_arg does. */
static int chat_arg(struct args *a, const char *k, struct live_cli *x)
{
	const char *v;
	long n;
#define VALUE() do { if (!(v = args_value(a, "live", k))) return -1; } while (0)
	if (!strcmp(k, "-c") || !strcmp(k, "--conn")) {
		VALUE();
		if (cli_parse_conns(v, &x->ids, &x->n_ids, &x->cap_ids) < 0)
			{
			cli_conns_usage("live");
			return -1;
		}
	} else if (!strcmp(k, "--json")) {
		x->json = 1;
	} else if (!strcmp(k, "--relative") || !strcmp(k, "--absolute")) {
		x->st.absolute = k[2] == 'a';
	} else if (!strcmp(k, "-t") || !strcmp(k, "--time")) {
		VALUE();
		int t = fmt_time_parse(v);
		if (t < 0)
			USAGE("-t takes a, ad, u, ud, r, d, dd or e (see 'chattcp help chat')");
		x->st.time = t;
	} else if (!strcmp(k, "--no-state")) {
		x->st.show_state = 0;
	} else if (!strcmp(k, "--no-notes")) {
		x->st.show_notes = 0;
	} else if (!strcmp(k, "--commentary")) {
		x->st.commentary = 1;
	} else if (!strcmp(k, "--ascii")) {
		x->ascii = 1;
	} else if (!strcmp(k, "--fold")) {
		VALUE();
		if (parse_long(v, 0, 1L << 30, &n) < 0)
			USAGE("--fold takes a number of bytes (0 = never fold)");
		x->st.fold = (size_t)n;
	} else if (!strcmp(k, "--width")) {
		VALUE();
		if (parse_long(v, 40, 1000, &n) < 0)
			USAGE("--width takes 40 to 1000 columns");
		x->width = (int)n;
	} else if (!strcmp(k, "--color")) {
		VALUE();
		if (strcmp(v, "auto") && strcmp(v, "always") && strcmp(v, "never"))
			USAGE("--color takes auto, always or never");
		x->color_mode = v;
	} else if (!strcmp(k, "--payload")) {
		VALUE();
		static const char *const modes[] = { "structure", "simple", "raw" };
		int m = -1;
		for (int i = 0; i < 3; i++)
			if (!strcmp(v, modes[i]))
				m = i;
		if (m < 0)
			USAGE("--payload takes structure, simple or raw");
		x->st.payload_mode = m;
	} else if (!strcmp(k, "--decode-as")) {
		VALUE();
		x->decode_as = v;
	} else if (!strcmp(k, "--keylog")) {
		VALUE();
		x->keylog = v;
	} else {
		return 0;
	}
	return 1;
#undef VALUE
}

/* Returns -1 to go on, or the exit status. */
static int live_args(int argc, char **argv, struct live_cli *x)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *k;
	while ((k = args_next(&a))) {
		if (!strcmp(k, "-h") || !strcmp(k, "--help"))
			return cli_help_for("live");
		int r = capture_arg(&a, k, x);
		if (r == 0)
			r = chat_arg(&a, k, x);
		if (r < 0)
			return EXIT_USAGE;
		if (r == 0)
			return usage_error("live", "unknown option %s", k);
	}
	if (a.n_positional)
		return usage_error("live", "takes no file (the capture is the interface: -i IFACE)");
	if (x->lo.remote_url) {
		if (!x->token_file)
			return usage_error("live", "--remote needs --token-file FILE (the agent's token)");
		if (x->lo.cap.buffer || x->lo.cap.promisc)
			return usage_error("live", "--buffer and --promisc are the agent's (chattcp agent --buffer)");
		if (cli_read_token("live", x->token_file, x->token, sizeof x->token) < 0)
			return EXIT_USAGE;
		x->lo.remote_token = x->token;
		if (!x->lo.cap.iface)
			x->lo.cap.iface = "any";
	} else if (x->token_file) {
		return usage_error("live", "--token-file goes with --remote URL");
	}
	if ((x->lo.remote_ca || x->lo.remote_insecure) &&
	    (!x->lo.remote_url || strncasecmp(x->lo.remote_url, "https://", 8) != 0))
		return usage_error("live", "--ca and --insecure go with --remote https://...");
	if (x->lo.remote_ca && x->lo.remote_insecure)
		return usage_error("live", "--ca FILE or --insecure, not both");
	if (!x->lo.cap.iface)
		return usage_error("live", "which interface? -i IFACE (see 'chattcp interfaces')");
	if ((x->lo.ring_files != 0) != (x->lo.ring_bytes != 0))
		return usage_error("live", "--ring N and --ring-size MB go together");
	if (x->lo.ring_files && !x->lo.write_path)
		return usage_error("live", "--ring needs --write FILE (the ring's name)");
	return -1;
}

/* --- the status line --- */

static void status_clear(struct live_cli *x)
{
	if (x->status_shown) {
		fputs("\r\033[K", stderr);
		x->status_shown = 0;
	}
}

static void status_words(struct strbuf *m, const struct livecap_counts *k)
{
	sb_printf(m, "%llu packet%s, %llu connection%s", (unsigned long long)k->packets, k->packets == 1 ? "" : "s",
		  (unsigned long long)k->conns, k->conns == 1 ? "" : "s");
	if (k->evicted)
		sb_printf(m, " (%llu ended earlier, %llu held)", (unsigned long long)k->evicted,
			  (unsigned long long)(k->conns - k->evicted));
	sb_printf(m, ", kernel drops %llu", (unsigned long long)k->kernel_drops);
	if (k->if_drops)
		sb_printf(m, ", interface drops %llu", (unsigned long long)k->if_drops);
	sb_printf(m, ", chattcp drops %llu", (unsigned long long)k->chattcp_drops);
	if (k->written >= 1000000)
		sb_printf(m, ", %.1f MB written", (double)k->written / 1e6);
	else if (k->written)
		sb_printf(m, ", %.1f kB written", (double)k->written / 1e3);
}

/* 1 when standard output is a pipe or socket whose reader went away (| head ended). */
static int reader_gone(void)
{
	struct pollfd pf = { 1, POLLOUT, 0 };
	return poll(&pf, 1, 0) == 1 && (pf.revents & (POLLERR | POLLHUP));
}

static void on_tick(void *ctx, const struct livecap_counts *k)
{
	struct live_cli *x = ctx;
	/* a quiet capture writes nothing that would fail: look, so it ends all the same */
	if (reader_gone())
		live_stopped = 1;
	if (!x->status)
		return;
	struct strbuf m;
	sb_init(&m);
	sb_puts(&m, "\r\033[K");
	term_text_str(&m, x->name);
	sb_printf(&m, " %.1f s: ", ts_to_sec(k->elapsed_ns));
	status_words(&m, k);
	fwrite(m.s, 1, m.len, stderr);
	fflush(stderr);
	sb_fini(&m);
	x->status_shown = 1;
}

/* --- the chat, as chat shows a pipe --- */

static void flush_out(struct live_cli *x)
{
	if (!x->b.len)
		return;
	if (x->out_tty)
		status_clear(x);
	cli_flush(&x->b);
	if (fflush(stdout) != 0)
		live_stopped = 1; /* nobody reads any more: stop, and say so at the end */
}

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct live_cli *x = ctx;
	if (!x->json) {
		if (p->c->idx >= x->n_headed) {
			size_t n = x->n_headed;
			xgrow(&x->headed, &n, (size_t)p->c->idx + 1, 1);
			memset(x->headed + x->n_headed, 0, n - x->n_headed);
			x->n_headed = n;
		}
		if (!x->headed[p->c->idx] || (p->r->pflags & PR_SIDES_DECIDED)) {
			x->headed[p->c->idx] = 1;
			chat_conn_header(&x->b, &x->st, p->c, NULL);
		}
		chat_bubble(&x->b, &x->st, p);
		x->st.prev_shown_ts = p->r->ts_ns;
	} else {
		json_packet(&x->b, p, (x->st.show_notes ? JSON_PKT_NOTE : 0) | JSON_PKT_APP |
				      (x->st.absolute ? JSON_PKT_ABSOLUTE : 0));
	}
	if (x->b.len >= LIVE_OUT_BYTES)
		flush_out(x);
}

static void on_batch(void *ctx) { flush_out(ctx); }

/* The diagnosis of c, as diag gives it. */
static void diag_one(struct live_cli *x, const struct conn *c)
{
	if (x->json) {
		sb_reset(&x->one);
		report_diag_json(&x->one, x->s, c);
		while (x->one.len && x->one.s[x->one.len - 1] == '\n')
			x->one.len--;
		sb_puts(&x->b, "{\"diag\":");
		sb_add(&x->b, x->one.s, x->one.len);
		sb_puts(&x->b, "}\n");
	} else {
		sb_putc(&x->b, '\n');
		report_diag_text(&x->b, x->s, c);
	}
}

static void on_end(void *ctx, const struct sess_tail *t)
{
	struct live_cli *x = ctx;
	if (x->json) {
		if (t->n_msgs)
			json_tail(&x->b, t);
	} else {
		chat_tail(&x->b, &x->st, t);
		if (t->evicted)
			chat_conn_gone(&x->b, &x->st, t->c);
		else
			chat_conn_footer(&x->b, &x->st, t->c);
	}
	if (t->evicted) {
		/* It ended (and lingered) or fell quiet while the capture goes on: its
		 * diagnosis now, while the session still holds it; its idx is the next
		 * connection's, which gets a header of its own. */
		if (!x->no_diag)
			diag_one(x, t->c);
		if (t->c->idx < x->n_headed)
			x->headed[t->c->idx] = 0;
	}
	if (x->b.len >= LIVE_OUT_BYTES)
		flush_out(x);
}

/* The diagnosis of every connection shown and still held (an evicted one had its
 * diagnosis when it went), as diag gives it. */
static void diagnosis(struct live_cli *x)
{
	size_t n;
	const struct conn *const *all = session_conns(x->s, &n);
	for (size_t i = 0; all && i < n; i++) {
		if (!session_selected(x->s, all[i]))
			continue;
		diag_one(x, all[i]);
		if (x->b.len > 1 << 16)
			flush_out(x);
	}
	flush_out(x);
}

/* The summary: a JSON object on stdout with --json, and one line on stderr always. */
static void summary(struct live_cli *x, const struct livecap_counts *k)
{
	const char *file = x->lo.write_path;
	if (x->json) {
		int f = 1;
		sb_puts(&x->b, "{\"capture\":{");
		json_str_field(&x->b, &f, "interface", x->lo.cap.iface);
		if (x->lo.remote_url)
			json_str_field(&x->b, &f, "remote", x->lo.remote_url);
		json_str_field(&x->b, &f, "filter", x->lo.cap.filter ? x->lo.cap.filter : "");
		sb_printf(&x->b, ",\"seconds\":%.3f", ts_to_sec(k->elapsed_ns));
		json_u64_field(&x->b, &f, "packets", k->packets);
		json_u64_field(&x->b, &f, "wire_bytes", k->wire_bytes);
		json_u64_field(&x->b, &f, "connections", k->conns);
		json_u64_field(&x->b, &f, "evicted", k->evicted);
		json_u64_field(&x->b, &f, "kernel_drops", k->kernel_drops);
		json_u64_field(&x->b, &f, "interface_drops", k->if_drops);
		json_u64_field(&x->b, &f, "chattcp_drops", k->chattcp_drops);
		json_u64_field(&x->b, &f, "written_bytes", k->written);
		json_u64_field(&x->b, &f, "files", k->files);
		sb_puts(&x->b, "}}\n");
		flush_out(x);
	}
	status_clear(x);
	struct strbuf m;
	sb_init(&m);
	sb_puts(&m, "chattcp: ");
	term_text_str(&m, x->name);
	sb_printf(&m, ": %.1f s, ", ts_to_sec(k->elapsed_ns));
	status_words(&m, k);
	if (file && k->files > 1)
		sb_printf(&m, " (%llu files of the ring)", (unsigned long long)k->files);
	if (x->ended_by_agent)
		sb_puts(&m, "; the agent ended the capture");
	sb_putc(&m, '\n');
	fwrite(m.s, 1, m.len, stderr);
	sb_fini(&m);
}

static void setup(struct live_cli *x, struct session_opts *so)
{
	memset(so, 0, sizeof *so);
	so->keep = SESS_KEEP_NONE;
	so->app = x->json || x->st.payload_mode != CHAT_PAYLOAD_RAW;
	so->diag = !x->no_diag;
	/* the text chat never shows a body's digest (--json does: body_sha256) */
	so->body = x->json ? SESS_BODY_PREVIEW : SESS_BODY_PREVIEW_ONLY;
	so->decode_as = x->decode_as;
	so->keylog = x->keylog;
	so->commentary = x->st.commentary;
	so->absolute = x->st.absolute;
	so->ctx = x;
	so->on_packet = on_packet;
	so->on_conn_end = on_end;
	so->live_release = 1;
	so->evict = 1; /* a capture of hours holds what is open (docs/live.md, "Memory") */
	x->st.width = width_pick(x->width); /* out/width.h: the one width model */
	x->st.color = !x->json && cli_color(x->color_mode);
	x->st.unicode = !x->ascii && cli_unicode();
	x->st.tag_conn = x->n_ids != 1;
	x->st.live = 1;
	x->st.scratch = &x->scratch;
	x->status = isatty(2);
	x->out_tty = isatty(1);
	x->lo.stop = &live_stopped;
	x->lo.on_tick = on_tick; /* (also when there is no status line: see reader_gone) */
	x->lo.tick_ns = LIVE_STATUS_NS;
	x->lo.on_batch = on_batch;
	x->lo.ctx = x;
}

static int live_run(struct live_cli *x)
{
	struct session_opts so;
	setup(x, &so);
	x->s = session_new(&so);
	for (size_t i = 0; i < x->n_ids; i++)
		session_select(x->s, x->ids[i]);
	struct err e;
	err_clear(&e);
	install_stop();
	struct livecap *lc = livecap_open(x->s, &x->lo, &e);
	if (!lc) {
		term_text_line(stderr, "chattcp: ", e.msg);
		session_free(x->s);
		return e.code ? e.code : EXIT_BADINPUT;
	}
	x->name = livecap_iface(lc);
	sb_init(&x->b);
	sb_init(&x->one);
	int rc = livecap_run(lc, &e);
	flush_out(x); /* the ends told by livecap_run's last push */
	if (!x->no_diag && !session_failed(x->s))
		diagnosis(x);
	struct livecap_counts k;
	livecap_counts(lc, &k);
	x->ended_by_agent = livecap_remote_ended(lc);
	summary(x, &k);
	if (rc < 0)
		term_text_line(stderr, "chattcp: ", e.msg);
	livecap_free(lc);
	sb_fini(&x->b);
	sb_fini(&x->one);
	chat_scratch_fini(&x->scratch);
	xfree(x->headed);
	return cli_finish(x->s, rc < 0 ? (e.code ? e.code : EXIT_BADINPUT) : EXIT_OK);
}

int cmd_live(int argc, char **argv)
{
	struct live_cli x;
	memset(&x, 0, sizeof x);
	x.st.show_state = x.st.show_notes = 1;
	x.st.fold = 1024;
	x.st.prev_shown_ts = INT64_MIN;
	x.color_mode = "auto";
	int rc = live_args(argc, argv, &x);
	if (rc < 0)
		rc = live_run(&x);
	xfree(x.ids);
	memset(x.token, 0, sizeof x.token);
	return rc;
}
