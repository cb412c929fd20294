/* agent.c: `chattcp agent [--listen ADDR:PORT] --token-file FILE`: runs the capture agent
 * (src/agent/) until Ctrl-C or SIGTERM. This file parses options and reads the token. */
#include "cli.h"

#include "../agent/agent.h"
#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char help_agent[] =
	"usage: chattcp agent [--listen ADDR:PORT] --token-file FILE [--max-clients N] [--buffer MB]\n"
	"                     [--user NAME] [--insecure-no-token] [--quiet] [--tls-cert FILE --tls-key FILE]\n"
	"\n"
	"Runs the capture agent on the machine to be watched: an HTTP API that lists its interfaces\n"
	"and streams what they capture, as Server-Sent Events (one JSON object per packet) or as\n"
	"pcapng, to 'chattcp live --remote' and 'chattcp ui --remote' elsewhere. Every request needs\n"
	"the token (Authorization: Bearer TOKEN). It listens on 127.0.0.1: reach it through an SSH\n"
	"tunnel (ssh -L 7380:127.0.0.1:7380 server). Ctrl-C or SIGTERM stops it. See docs/live.md.\n"
	"\n"
	"  --listen ADDR:PORT   where to listen (default 127.0.0.1:7380; [::1]:PORT for IPv6)\n"
	"  --token-file FILE    the token: the file's first line, 16 to 256 printable bytes; the\n"
	"                       file must not be readable by others (chmod 600)\n"
	"  --insecure-no-token  no token (only on a loopback address)\n"
	"  --max-clients N      captures at once (default 4, at most 64); more get 503\n"
	"  --buffer MB          the kernel's buffer of each capture (default 8, at most 1024)\n"
	"  --user NAME          once listening, run as NAME with only CAP_NET_RAW and CAP_NET_ADMIN\n"
	"                       (default when started as root: nobody; --user root keeps root)\n"
	"  --quiet              no line per capture on stderr\n"
	"  --tls-cert FILE      serve HTTPS with this PEM certificate (chain); clients use https://\n"
	"                       and verify it (live --remote https://... --ca FILE)\n"
	"  --tls-key FILE       its PEM private key, unencrypted; the file must be chmod 600\n"
	"\n"
	"GET /api/interfaces; GET /api/status; GET /api/capture?i=IFACE [&tcp=true|&udp=true]\n"
	"[&h=IP|&h.src=IP&h.dst=IP] [&p=PORT|&p.src=PORT&p.dst=PORT] [&bpf=EXPR] [&format=pcapng]\n"
	"[&snaplen=N] [&duration=S] [&count=N] [&exclude_self=false]. The agent's own traffic (its\n"
	"port, and the SSH connection it was started from) is left out unless exclude_self=false.\n";

/* The port when --listen gives none: unassigned by IANA, easy to type in ssh -L. */
#define AGENT_PORT_DEFAULT 7380

static volatile sig_atomic_t agent_stopped;

static void on_stop(int sig)
{
	(void)sig;
	agent_stopped = 1;
}

/* "ADDR:PORT", "[V6]:PORT", "ADDR" or "PORT". Returns 0 or -1. */
static int parse_listen(const char *v, char *addr, size_t an_max, long *port)
{
	const char *p = NULL, *a = v;
	size_t an = strlen(v);
	if (v[0] == '[') {
		const char *e = strchr(v, ']');
		if (!e || (e[1] && e[1] != ':'))
			return -1;
		a = v + 1, an = (size_t)(e - v - 1), p = e[1] ? e + 2 : NULL;
	} else if (strchr(v, ':') && strchr(v, ':') == strrchr(v, ':')) {
		const char *c = strrchr(v, ':');
		an = (size_t)(c - v), p = c + 1;
	} else if (strspn(v, "0123456789") == an) {
		a = "127.0.0.1", an = 9, p = v;
	}
	if (an == 0 || an >= an_max)
		return -1;
	memcpy(addr, a, an);
	addr[an] = 0;
	*port = AGENT_PORT_DEFAULT;
	if (p && cli_number(p, 0, 65535, port) < 0)
		return -1;
	return 0;
}

static int is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

struct agent_cli {
	const char *token_file, *user, *tls_cert, *tls_key;
	char addr[64];
	long port;
	int no_token, quiet;
	struct agent_opts o;
};

/* Returns -1 to go on, or the exit status. */
static int agent_args(int argc, char **argv, struct agent_cli *x)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *k, *v;
	long n;
	while ((k = args_next(&a))) {
		if (!strcmp(k, "-h") || !strcmp(k, "--help"))
			return cli_help_for("agent");
		if (!strcmp(k, "--insecure-no-token")) {
			x->no_token = 1;
			continue;
		}
		if (!strcmp(k, "--quiet")) {
			x->quiet = 1;
			continue;
		}
		if (strcmp(k, "--listen") && strcmp(k, "--token-file") && strcmp(k, "--max-clients") &&
		    strcmp(k, "--buffer") && strcmp(k, "--user") && strcmp(k, "--tls-cert") && strcmp(k, "--tls-key"))
			return usage_error("agent", "unknown option %s", k);
		if (!(v = args_value(&a, "agent", k)))
			return EXIT_USAGE;
		if (!strcmp(k, "--listen")) {
			if (parse_listen(v, x->addr, sizeof x->addr, &x->port) < 0)
				return usage_error("agent", "--listen takes ADDR:PORT, [V6ADDR]:PORT, ADDR or PORT");
		} else if (!strcmp(k, "--token-file")) {
			x->token_file = v;
		} else if (!strcmp(k, "--tls-cert")) {
			x->tls_cert = v;
		} else if (!strcmp(k, "--tls-key")) {
			x->tls_key = v;
		} else if (!strcmp(k, "--max-clients")) {
			if (cli_number(v, 1, AGENT_CAPTURES_MAX, &n) < 0)
				return usage_error("agent", "--max-clients takes 1 to %d", AGENT_CAPTURES_MAX);
			x->o.max_captures = (unsigned)n;
		} else if (!strcmp(k, "--buffer")) {
			if (cli_number(v, 1, AGENT_BUFFER_MAX_MB, &n) < 0)
				return usage_error("agent", "--buffer takes 1 to %d MiB", AGENT_BUFFER_MAX_MB);
			x->o.buffer = (size_t)n << 20;
		} else {
			x->user = v;
		}
	}
	if (a.n_positional)
		return usage_error("agent", "takes no file");
	if (!x->token_file && !x->no_token)
		return usage_error("agent", "needs --token-file FILE (or --insecure-no-token, on loopback only)");
	if (x->token_file && x->no_token)
		return usage_error("agent", "--token-file or --insecure-no-token, not both");
	if (!x->tls_cert != !x->tls_key)
		return usage_error("agent", "--tls-cert FILE and --tls-key FILE go together");
	if (x->no_token && !is_loopback(x->addr))
		return usage_error("agent", "--insecure-no-token only on a loopback address (127.0.0.1, ::1)");
	if (!x->user && geteuid() == 0)
		x->user = "nobody";
	if (x->user && !strcmp(x->user, "root"))
		x->user = NULL;
	return -1;
}

/* Serves until SIGINT or SIGTERM. */
static int agent_run(struct agent_cli *x, const char *token)
{
	x->o.addr = x->addr;
	x->o.port = (uint16_t)x->port;
	x->o.token = token;
	x->o.log = !x->quiet;
	x->o.user = x->user;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* the threads the server makes must not take the stop signals: the main thread
	 * waits for them in sigsuspend */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	struct strbuf err;
	sb_init(&err);
	struct agent *ag = agent_start(&x->o, &err);
	if (!ag) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "chattcp agent: %s\n", err.s ? err.s : "cannot start");
		sb_fini(&err);
		return EXIT_SYSTEM;
	}
	int v6 = strchr(x->addr, ':') != NULL;
	fprintf(stderr, "chattcp agent: listening on http%s://%s%s%s:%u/%s%s%s\n", x->o.tls_cert_pem ? "s" : "",
		v6 ? "[" : "", x->addr, v6 ? "]" : "", agent_port(ag), x->no_token ? " (no token)" : "",
		x->user ? ", running as " : "", x->user ? x->user : "");
	if (!is_loopback(x->addr) && !x->o.tls_cert_pem)
		fprintf(stderr, "chattcp agent: warning: %s is not loopback: plain HTTP; prefer 127.0.0.1 and ssh -L\n",
			x->addr);
	fflush(stderr);
	sigset_t wait_set = old;
	sigdelset(&wait_set, SIGINT);
	sigdelset(&wait_set, SIGTERM);
	while (!agent_stopped)
		sigsuspend(&wait_set);
	agent_stop(ag);
	sigprocmask(SIG_SETMASK, &old, NULL);
	fprintf(stderr, "chattcp agent: stopped\n");
	sb_fini(&err);
	return EXIT_OK;
}

/* Reads a PEM file whole (at most AGENT_TLS_FILE_MAX bytes) into a new string. A
 * private key must be a regular file no one else may read, as the token. Returns the
 * text, or NULL after printing why. */
static char *read_pem(const char *path, int secret)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "chattcp agent: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	const char *why = !S_ISREG(st.st_mode)			? "not a file"
			  : secret && (st.st_mode & 0077)		? "the private key may be read by others: chmod 600 it"
			  : (size_t)st.st_size > AGENT_TLS_FILE_MAX ? "longer than 256 KiB: not a PEM certificate or key"
								  : NULL;
	if (why) {
		fprintf(stderr, "chattcp agent: %s: %s\n", path, why);
		close(fd);
		return NULL;
	}
	char *s = xmalloc((size_t)st.st_size + 1);
	size_t n = 0;
	while (n < (size_t)st.st_size) {
		ssize_t got = read(fd, s + n, (size_t)st.st_size - n);
		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			break;
		}
		n += (size_t)got;
	}
	close(fd);
	s[n] = 0;
	if (n != (size_t)st.st_size || strlen(s) != n) {
		fprintf(stderr, "chattcp agent: %s: %s\n", path, n != (size_t)st.st_size ? "could not be read whole" : "a NUL byte: not PEM text");
		memset(s, 0, n);
		xfree(s);
		return NULL;
	}
	return s;
}

int cmd_agent(int argc, char **argv)
{
	struct agent_cli x;
	memset(&x, 0, sizeof x);
	snprintf(x.addr, sizeof x.addr, "127.0.0.1");
	x.port = AGENT_PORT_DEFAULT;
	x.o.max_captures = AGENT_CAPTURES_DEFAULT;
	int rc = agent_args(argc, argv, &x);
	if (rc >= 0)
		return rc;
	char token[AGENT_TOKEN_MAX + 2];
	if (x.token_file && cli_read_token("agent", x.token_file, token, sizeof token) < 0)
		return EXIT_USAGE;
	char *cert = NULL, *key = NULL;
	if (x.tls_cert && (!(cert = read_pem(x.tls_cert, 0)) || !(key = read_pem(x.tls_key, 1)))) {
		xfree(cert);
		memset(token, 0, sizeof token);
		return EXIT_USAGE;
	}
	x.o.tls_cert_pem = cert;
	x.o.tls_key_pem = key;
	rc = agent_run(&x, x.token_file ? token : NULL);
	memset(token, 0, sizeof token);
	if (key)
		memset(key, 0, strlen(key));
	xfree(cert);
	xfree(key);
	return rc;
}
