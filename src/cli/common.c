/* common.c: see cli.h. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../out/term_text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_num(const char **s, unsigned long *v)
{
	char *end;
	errno = 0;
	if (**s < '0' || **s > '9')
		return -1;
	*v = strtoul(*s, &end, 10);
	if (errno || *v > 0xffffffffu)
		return -1;
	*s = end;
	return 0;
}

int cli_parse_conns(const char *s, struct sess_id **ids, size_t *n, size_t *cap)
{
	while (*s) {
		uint8_t proto = 6;
		if (strncmp(s, "tcp:", 4) == 0)
			s += 4;
		else if (strncmp(s, "udp:", 4) == 0)
			proto = 17, s += 4;
		else if (*s == 't')
			s++;
		else if (*s == 'u')
			proto = 17, s++;
		unsigned long a, z;
		if (parse_num(&s, &a) < 0)
			return -1;
		z = a;
		if (*s == '-') {
			s++;
			if ((*s == 'u' && proto == 17) || (*s == 't' && proto == 6))
				s++;
			if (parse_num(&s, &z) < 0 || z < a || z - a > 1000000)
				return -1;
		}
		for (unsigned long v = a; v <= z; v++) {
			xgrow(ids, cap, *n + 1, sizeof **ids);
			(*ids)[(*n)++] = (struct sess_id){ proto, (uint32_t)v };
		}
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

struct session *cli_session(const struct session_opts *o, const char *spec, const struct sess_id *sel,
			    size_t n_sel, int *rc)
{
	struct session *s = session_new(o);
	for (size_t i = 0; i < n_sel; i++)
		session_select(s, sel[i]);
	if (session_open(s, spec) < 0) {
		const struct err *e = session_error(s);
		term_text_line(stderr, "chattcp: ", e->msg);
		*rc = e->code ? e->code : EXIT_BADINPUT;
		session_free(s);
		return NULL;
	}
	*rc = EXIT_OK;
	return s;
}

void cli_run(struct session *s) { session_run(s); }

int cli_finish(struct session *s, int rc)
{
	rc = cli_out_check(rc);
	if (s && (session_damaged(s) || session_failed(s))) {
		/* One line: what and where, and that what came before was used. */
		struct sess_counts k;
		session_counts(s, &k);
		const struct err *e = session_error(s);
		/* The message may quote the capture: it goes out escaped (out/term_text.h). */
		if (session_failed(s)) {
			term_text_line(stderr, "chattcp: ", e->msg);
		} else {
			struct strbuf m;
			sb_init(&m);
			sb_puts(&m, "chattcp: ");
			term_text_str(&m, e->msg);
			sb_printf(&m, " (read %llu packets before it)\n", (unsigned long long)k.frames);
			fputs(m.s, stderr);
			sb_fini(&m);
		}
		if (rc == EXIT_OK)
			rc = session_failed(s) ? EXIT_SYSTEM : EXIT_BADINPUT;
	}
	session_free(s);
	return rc;
}

int cli_check_ids(struct session *s, const struct sess_id *ids, size_t n)
{
	struct sess_counts k;
	session_counts(s, &k);
	for (size_t i = 0; i < n; i++) {
		if (session_conn(s, ids[i]))
			continue;
		uint32_t have = ids[i].proto == 6 ? k.tcp_conns : k.udp_conns;
		const char *what = ids[i].proto == 6 ? "TCP connection" : "UDP conversation";
		const char *pre = ids[i].proto == 6 ? "" : "u";
		if (have)
			fprintf(stderr, "chattcp: %s: no %s %s%u (the capture has %u: %s0 to %s%u)\n", session_name(s), what,
				pre, ids[i].id, have, pre, pre, have - 1);
		else
			fprintf(stderr, "chattcp: %s: no %s %s%u (the capture has none)\n", session_name(s), what, pre,
				ids[i].id);
		return 0;
	}
	return 1;
}

int cli_is_stream(const char *spec, int follow)
{
	if (follow)
		return 1;
	if (strncmp(spec, "case:", 5) == 0)
		return 0;
	struct stat st;
	int rc = strcmp(spec, "-") == 0 ? fstat(0, &st) : stat(spec, &st);
	return rc == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Set by SIGINT while a stream is read: the capture ends there, cleanly. A signal
 * handler can only reach a flag of this kind. */
static volatile sig_atomic_t cli_stopped;

static void on_sigint(int sig)
{
	(void)sig;
	cli_stopped = 1;
}

const volatile sig_atomic_t *cli_stop_flag(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	return &cli_stopped;
}

int cli_color(const char *mode)
{
	if (!mode || strcmp(mode, "auto") == 0) {
		const char *term = getenv("TERM");
		if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
			return 0;
		return isatty(1) && term && strcmp(term, "dumb") != 0;
	}
	return strcmp(mode, "always") == 0;
}

int cli_unicode(void)
{
	const char *lang = getenv("LC_ALL");
	if (!lang || !*lang)
		lang = getenv("LC_CTYPE");
	if (!lang || !*lang)
		lang = getenv("LANG");
	return lang && (strstr(lang, "UTF-8") || strstr(lang, "utf8") || strstr(lang, "UTF8"));
}

/* The token: the file's first line, trailing CR/LF and blanks taken off. Returns 0, or
 * -1 after one line on stderr. */
int cli_read_token(const char *cmd, const char *path, char *tok, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "chattcp %s: %s: %s\n", cmd, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 0077)) {
		fprintf(stderr, "chattcp %s: %s: %s\n", cmd, path,
			S_ISREG(st.st_mode) ? "the token file may be read by others: chmod 600 it" : "not a file");
		close(fd);
		return -1;
	}
	ssize_t got = read(fd, tok, n - 1);
	close(fd);
	if (got < 0) {
		fprintf(stderr, "chattcp %s: %s: %s\n", cmd, path, strerror(errno));
		return -1;
	}
	tok[got] = 0;
	char *nl = strpbrk(tok, "\r\n");
	if (nl)
		*nl = 0;
	size_t len = strlen(tok);
	while (len && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
		tok[--len] = 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)tok[i] <= 0x20 || (unsigned char)tok[i] > 0x7e) {
			fprintf(stderr, "chattcp %s: %s: the token has a blank, control or non-ASCII byte\n", cmd, path);
			return -1;
		}
	if (len < CLI_TOKEN_MIN || len > CLI_TOKEN_MAX) {
		fprintf(stderr, "chattcp %s: %s: the token must be %d to %d bytes (openssl rand -hex 32 > FILE)\n",
			cmd, path, CLI_TOKEN_MIN, CLI_TOKEN_MAX);
		return -1;
	}
	return 0;
}
