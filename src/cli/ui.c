/* ui.c: `chattcp ui [FILE|case:NAME ...] [--listen ADDR:PORT] [--no-open] [--root DIR]`:
 * opens the captures, serves the window in the browser (src/web/) until Ctrl-C. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../web/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ui_opts {
	char addr[64];
	long port;
	int no_open;
	const char *root;
	/* the live view: a local interface or a capture agent */
	struct web_live_opts live;
	const char *token_file;
	char token[CLI_TOKEN_MAX + 2];
	const char *keylog; /* --keylog FILE: every capture the window opens is decrypted with it */
};

/* "ADDR:PORT", "[V6]:PORT" or "PORT" (on 127.0.0.1). Returns 0 or -1. */
static int parse_listen(const char *v, struct ui_opts *o)
{
	const char *port = v, *a = "127.0.0.1";
	size_t an = strlen(a);
	if (v[0] == '[') {
		const char *e = strchr(v, ']');
		if (!e || e[1] != ':')
			return -1;
		a = v + 1, an = (size_t)(e - v - 1), port = e + 2;
	} else if (strrchr(v, ':')) {
		const char *c = strrchr(v, ':');
		a = v, an = (size_t)(c - v), port = c + 1;
	}
	if (an == 0 || an >= sizeof o->addr)
		return -1;
	memcpy(o->addr, a, an);
	o->addr[an] = 0;
	char *end;
	o->port = strtol(port, &end, 10);
	return *port && !*end && o->port >= 0 && o->port <= 65535 ? 0 : -1;
}

static int is_loopback(const char *addr)
{
	struct in_addr a4;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return strcmp(addr, "::1") == 0;
}

/* xdg-open URL, not waited for (SIGCHLD ignored, so it is reaped). */
static void open_browser(const char *url)
{
	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		return;
	signal(SIGCHLD, SIG_IGN);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = { "xdg-open", (char *)url, NULL };
	extern char **environ;
	pid_t pid;
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) != 0)
		fprintf(stderr, "chattcp: could not start xdg-open; open the address above in a browser\n");
	posix_spawn_file_actions_destroy(&fa);
}

static int ui_args(int argc, char **argv, struct ui_opts *o, struct args *a)
{
	args_init(a, argc, argv);
	const char *k, *v;
	int pr;
	while ((k = args_next(a))) {
		if (!strcmp(k, "--listen")) {
			if (!(v = args_value(a, "ui", k)))
				return EXIT_USAGE;
			if (parse_listen(v, o) < 0)
				return usage_error("ui", "--listen takes ADDR:PORT (127.0.0.1:8080, [::1]:0; port 0 picks a free one)");
		} else if (!strcmp(k, "-i") || !strcmp(k, "--interface") || !strcmp(k, "-f") || !strcmp(k, "--filter") ||
			   !strcmp(k, "--remote") || !strcmp(k, "--token-file")) {
			if (!(v = args_value(a, "ui", k)))
				return EXIT_USAGE;
			if (k[1] == 'i' || k[2] == 'i')
				o->live.iface = v;
			else if (k[1] == 'f' || k[2] == 'f')
				o->live.filter = v;
			else if (k[2] == 'r')
				o->live.remote_url = v;
			else
				o->token_file = v;
		} else if (!strcmp(k, "--ca")) {
			if (!(o->live.remote_ca = args_value(a, "ui", k)))
				return EXIT_USAGE;
		} else if (!strcmp(k, "--insecure")) {
			o->live.remote_insecure = 1;
		} else if (!strcmp(k, "--no-open"))
			o->no_open = 1;
		else if (!strcmp(k, "--root")) {
			if (!(o->root = args_value(a, "ui", k)))
				return EXIT_USAGE;
		} else if (!strcmp(k, "--keylog")) {
			if (!(o->keylog = args_value(a, "ui", k)))
				return EXIT_USAGE;
		} else if ((pr = cli_plugin_opt(a, k, "ui")) != 0) {
			if (pr < 0)
				return EXIT_USAGE;
		} else if (!strcmp(k, "-h") || !strcmp(k, "--help"))
			return cli_help_for("ui");
		else
			return usage_error("ui", "unknown option %s", k);
	}
	if (o->live.remote_url && !o->token_file)
		return usage_error("ui", "--remote needs --token-file FILE (the agent's token)");
	if (o->token_file && !o->live.remote_url)
		return usage_error("ui", "--token-file goes with --remote URL");
	if ((o->live.remote_ca || o->live.remote_insecure) &&
	    (!o->live.remote_url || strncasecmp(o->live.remote_url, "https://", 8) != 0))
		return usage_error("ui", "--ca and --insecure go with --remote https://...");
	if (o->live.filter && !o->live.iface && !o->live.remote_url)
		return usage_error("ui", "-f needs -i IFACE or --remote URL");
	if (o->token_file) {
		if (cli_read_token("ui", o->token_file, o->token, sizeof o->token) < 0)
			return EXIT_USAGE;
		o->live.remote_token = o->token;
	}
	return -1;
}

/* Opens every capture named; the first that cannot be read at all stops here. */
static int open_all(struct web_api *api, const struct args *a)
{
	/* the parser keeps the first ARGS_POSITIONAL_MAX and counts the rest */
	if (a->n_positional > ARGS_POSITIONAL_MAX) {
		fprintf(stderr, "chattcp: ui: at most %d captures on the command line (got %d); open more from the page\n",
			ARGS_POSITIONAL_MAX, a->n_positional);
		return EXIT_USAGE;
	}
	struct strbuf err;
	sb_init(&err);
	for (int i = 0; i < a->n_positional; i++) {
		if (web_api_open(api, a->positional[i], &err) < 0) {
			fprintf(stderr, "chattcp: %s\n", err.s ? err.s : a->positional[i]);
			sb_fini(&err);
			return EXIT_BADINPUT;
		}
	}
	sb_fini(&err);
	return EXIT_OK;
}

int cmd_ui(int argc, char **argv)
{
	struct ui_opts o;
	memset(&o, 0, sizeof o);
	snprintf(o.addr, sizeof o.addr, "127.0.0.1");
	struct args a;
	int rc = ui_args(argc, argv, &o, &a);
	if (rc >= 0)
		return rc;
	char root[PATH_MAX];
	if (o.root && !realpath(o.root, root)) {
		fprintf(stderr, "chattcp: --root %s: no such folder\n", o.root);
		return EXIT_USAGE;
	}
	struct web_api *api = web_api_new(o.root ? root : NULL, UI_UPLOAD_MAX);
	web_api_keylog(api, o.keylog);
	if ((rc = open_all(api, &a)) != EXIT_OK) {
		web_api_free(api);
		return rc;
	}
	if (!is_loopback(o.addr))
		fprintf(stderr, "chattcp: warning: listening on %s, not on loopback: anyone who can reach this "
				"address and learns the token can read these captures\n", o.addr);
	/* Ctrl-C and kill are taken by sigwait below, in this thread; the server's thread
	 * (started next) inherits the mask and never sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN); /* a browser that goes away is not our end */
	struct strbuf err;
	sb_init(&err);
	struct web_server *w = web_server_start(o.addr, (uint16_t)o.port, api, &err);
	if (!w) {
		fprintf(stderr, "chattcp: %s\n", err.s ? err.s : "cannot start the server");
		sb_fini(&err);
		web_api_free(api);
		return EXIT_SYSTEM;
	}
	if (o.live.iface || o.live.remote_url) {
		/* the capture starts at once; the page can stop and start it again */
		struct web_live *l = web_live_new(&o.live);
		memset(o.token, 0, sizeof o.token);
		if (web_live_start(l, &err) < 0) {
			fprintf(stderr, "chattcp: %s\n", err.s ? err.s : "cannot start the capture");
			sb_fini(&err);
			web_live_free(l);
			web_server_stop(w);
			return EXIT_BADINPUT;
		}
		web_server_set_live(w, l);
	}
	sb_fini(&err);
	printf("chattcp: serving on %s%s\n", web_server_url(w), o.live.iface || o.live.remote_url ? "#/live" : "");
	fflush(stdout);
	if (!o.no_open)
		open_browser(web_server_url(w));
	int sig;
	sigwait(&stop, &sig);
	web_server_stop(w);
	return EXIT_OK;
}
