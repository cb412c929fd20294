/* lessonmake.c: `chattcp lesson FILE -c ID -o DIR [--blank-payloads] [--force]`: one
 * connection of the user's own capture turned into a case skeleton that can be shared:
 * DIR/capture.pcap (that connection's frames only, anonymised by out/anon.h) and
 * DIR/lesson.md (front matter as the built-in cases have, and one paragraph per notable
 * packet drafted from chattcp's notes and diagnosis of the anonymised capture, so the
 * frame numbers and addresses it names are the new file's). `case:DIR` opens it.
 *
 * Writes only DIR/capture.pcap and DIR/lesson.md (DIR is made when missing; its parent
 * must exist); refuses to replace either without --force, and never writes through a
 * symbolic link. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../base/strbuf.h"
#include "../cases/cases.h"
#include "../out/anon.h"
#include "../out/capwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Paragraphs the draft holds at most: a lesson is read packet by packet; a connection of
 * thousands of packets gets its first notable ones and a line saying the rest were left. */
#define LESSON_DRAFT_MAX 60

struct lessonmake {
	struct cli_common co;
	const char *dir;
	int blank, force;
	struct anon an;
	struct capwrite *w;
	struct err e;
	uint8_t *buf;
	size_t cap;
	int failed;
	char why[256];
	/* the draft */
	struct strbuf body;
	size_t n_para, n_left;
	const struct app_event *seen[2][64]; /* note kinds told already, per direction */
	size_t n_seen[2];
	struct session *s;
};

static void on_frame(void *ctx, const struct sess_frame_view *f)
{
	struct lessonmake *x = ctx;
	if (x->failed || !f->c || f->c->proto != x->co.ids[0].proto || f->c->id != x->co.ids[0].id)
		return;
	if (!x->an.keep_port[0])
		x->an.keep_port[0] = f->c->ep[1].port; /* the service's port: what it is, not who */
	if (f->rec->caplen > x->cap)
		xgrow(&x->buf, &x->cap, f->rec->caplen, 1);
	memcpy(x->buf, f->rec->data, f->rec->caplen);
	if (anon_frame(&x->an, f->pk, x->buf, f->rec->caplen, x->why, sizeof x->why) < 0) {
		x->failed = 1;
		return;
	}
	struct cap_rec r = *f->rec;
	r.data = x->buf;
	if (capwrite_rec(x->w, &r, &x->e) < 0) {
		snprintf(x->why, sizeof x->why, "%s", x->e.msg);
		x->failed = 1;
	}
}

static const char *flag_words(uint16_t fl, char *b, size_t n)
{
	static const struct { uint16_t bit; const char *name; } t[] = {
		{ TH_SYN, "SYN" }, { TH_FIN, "FIN" }, { TH_RST, "RST" }, { TH_PSH, "PSH" }, { TH_ACK, "ACK" },
		{ TH_URG, "URG" }, { TH_ECE, "ECE" }, { TH_CWR, "CWR" },
	};
	size_t at = 0;
	b[0] = 0;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (fl & t[i].bit) {
			int k = snprintf(b + at, n - at, "%s%s", at ? "+" : "", t[i].name);
			if (k > 0 && (size_t)k < n - at)
				at += (size_t)k;
		}
	return b;
}

/* 1 the first time a note of this kind comes from this side (then remembered). */
static int first_of_kind(struct lessonmake *x, int dir, const struct app_event *k)
{
	for (size_t i = 0; i < x->n_seen[dir]; i++)
		if (x->seen[dir][i] == k)
			return 0;
	if (x->n_seen[dir] < sizeof x->seen[dir] / sizeof x->seen[dir][0])
		x->seen[dir][x->n_seen[dir]++] = k;
	return 1;
}

/* A packet worth a paragraph: it opens or closes, its note is more than the normal flow,
 * or it is the first of its kind from its side (the first data, the first ACK). */
static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct lessonmake *x = ctx;
	int dir = p->r->dir ? 1 : 0;
	int notable = (p->c->proto == 6 && (p->r->flags & (TH_SYN | TH_FIN | TH_RST))) ||
		      (p->note.kind && p->note.kind->severity >= SEV_NOTE);
	if (p->note.kind && first_of_kind(x, dir, p->note.kind))
		notable = 1;
	if (!notable || !p->note.text || !*p->note.text)
		return;
	if (x->n_para == LESSON_DRAFT_MAX) {
		x->n_left++;
		return;
	}
	x->n_para++;
	char fl[64];
	sb_printf(&x->body, "- **Frame %u** (%s", p->r->frame, p->r->dir ? "server -> client" : "client -> server");
	if (p->c->proto == 6)
		sb_printf(&x->body, ", %s", flag_words(p->r->flags, fl, sizeof fl));
	if (p->r->len)
		sb_printf(&x->body, ", %u bytes", p->r->len);
	sb_printf(&x->body, "): chattcp says \"%s\".", p->note.text);
	if (p->note.commentary && *p->note.commentary)
		sb_printf(&x->body, " %s", p->note.commentary);
	sb_puts(&x->body, " (Say in your own words what happens here and why.)\n");
}

/* Opens DIR/NAME for writing: never through a link, never over a file without --force. */
static int open_out(const struct lessonmake *x, const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%s", x->dir, name);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
			fprintf(stderr, "chattcp lesson: %s is not a regular file: not written\n", path);
			return -1;
		}
		if (!x->force) {
			fprintf(stderr, "chattcp lesson: %s exists (--force replaces it)\n", path);
			return -1;
		}
	}
	return 0;
}

static int write_lesson(struct lessonmake *x, const char *path, const char *src_name)
{
	size_t nc;
	const struct conn *const *all = session_conns(x->s, &nc);
	if (!nc) {
		fprintf(stderr, "chattcp lesson: the anonymised capture holds no connection\n");
		return -1;
	}
	const struct conn *c = all[0];
	char a0[64], a1[64], stack[128];
	ipaddr_str(&c->ep[0].addr, a0, sizeof a0);
	ipaddr_str(&c->ep[1].addr, a1, sizeof a1);
	session_conn_stack(x->s, c, stack, sizeof stack);
	session_walk(x->s, c, on_packet, NULL, x);
	struct diag_findings df;
	memset(&df, 0, sizeof df);
	int nf = c->proto == 6 ? session_findings(x->s, c, &df) : 0;
	struct strbuf m;
	sb_init(&m);
	const char *proto = *stack ? stack : c->proto == 6 ? "TCP" : "UDP";
	sb_printf(&m, "---\ntitle: %s conversation between %s and %s (edit this title)\n", proto, a0, a1);
	sb_printf(&m, "summary: %s", nf > 0 ? df.f[0].text.s : "What this capture shows, in one sentence (edit).");
	sb_puts(&m, "\ntopics: ");
	for (int i = 0; i < nf; i++)
		sb_printf(&m, "%s%s", i ? ", " : "", diag_rule_name(df.f[i].rule));
	if (nf <= 0)
		sb_puts(&m, c->proto == 6 ? "tcp" : "udp");
	sb_puts(&m, "\ntopic: Your own captures\n---\n");
	sb_printf(&m, "## What to look at\nA client (%s, port %u) talks to a server (%s, port %u): %llu packets, "
		      "%llu and %llu bytes of payload each way. ",
		  a0, c->ep[0].port, a1, c->ep[1].port, (unsigned long long)(c->pkts[0] + c->pkts[1]),
		  (unsigned long long)c->bytes[0], (unsigned long long)c->bytes[1]);
	sb_printf(&m, "Made with 'chattcp lesson' from connection %s%u of %s; addresses, ports and MACs are "
		      "replaced%s.\n\n",
		  x->co.ids[0].proto == 6 ? "" : "u", x->co.ids[0].id, src_name,
		  x->blank ? " and payloads blanked" : "");
	if (nf > 0) {
		sb_puts(&m, "chattcp's diagnosis:\n\n");
		for (int i = 0; i < nf; i++)
			sb_printf(&m, "- %s\n", df.f[i].text.s);
		sb_puts(&m, "\n");
	}
	if (nf >= 0)
		diag_findings_fini(&df);
	sb_puts(&m, "## Packet by packet\n");
	sb_add(&m, x->body.s, x->body.len);
	if (x->n_left)
		sb_printf(&m, "\n(%zu more notable packets were left out: a draft holds %d paragraphs.)\n", x->n_left,
			  LESSON_DRAFT_MAX);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	int rc = -1;
	if (fd < 0)
		fprintf(stderr, "chattcp lesson: %s: %s\n", path, strerror(errno));
	else if (write(fd, m.s, m.len) != (ssize_t)m.len || close(fd) < 0)
		fprintf(stderr, "chattcp lesson: %s: %s\n", path, strerror(errno));
	else
		rc = 0;
	sb_fini(&m);
	return rc;
}

/* The options; -1 to go on (*spec set), or the exit status. */
static int lesson_args(int argc, char **argv, struct lessonmake *x, const char **spec)
{
	struct args a;
	args_init(&a, argc, argv);
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &x->co, "lesson");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
			if (!(x->dir = args_value(&a, "lesson", o)))
				return EXIT_USAGE;
		} else if (!strcmp(o, "--blank-payloads")) {
			x->blank = 1;
		} else if (!strcmp(o, "--force")) {
			x->force = 1;
		} else {
			return cli_unknown("lesson", o);
		}
	}
	if (a.n_positional != 1)
		return usage_error("lesson", "expected one capture file");
	if (x->co.n_ids != 1)
		return usage_error("lesson", "-c ID names the one connection to make a lesson of");
	if (!x->dir)
		return usage_error("lesson", "-o DIR (the case's directory) is required");
	*spec = a.positional[0];
	return -1;
}

int cmd_lesson(int argc, char **argv)
{
	struct lessonmake x;
	memset(&x, 0, sizeof x);
	cli_common_init(&x.co, CLI_CONN);
	err_clear(&x.e);
	sb_init(&x.body);
	const char *spec = NULL;
	int rc = lesson_args(argc, argv, &x, &spec);
	if (rc >= 0)
		goto out;
	anon_init(&x.an, x.blank);
	if (mkdir(x.dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "chattcp lesson: %s: %s\n", x.dir, strerror(errno));
		rc = EXIT_SYSTEM;
		goto out;
	}
	struct stat st;
	if (lstat(x.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "chattcp lesson: %s is not a directory\n", x.dir);
		rc = EXIT_USAGE;
		goto out;
	}
	char cap_path[4096], md_path[4096];
	if (open_out(&x, CASE_DIR_CAPTURE, cap_path, sizeof cap_path) < 0 ||
	    open_out(&x, CASE_DIR_LESSON, md_path, sizeof md_path) < 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	unlink(cap_path); /* capwrite_open would follow a link made since: start from none */
	if (!(x.w = capwrite_open(cap_path, 0, &x.e))) {
		fprintf(stderr, "chattcp lesson: %s\n", x.e.msg);
		rc = EXIT_SYSTEM;
		goto out;
	}
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.on_frame = on_frame;
	so.frame_ctx = &x;
	struct session *s = cli_session(&so, spec, x.co.ids, x.co.n_ids, &rc);
	if (!s) {
		capwrite_close(x.w, &x.e);
		unlink(cap_path);
		goto out;
	}
	cli_run(s);
	int ok = cli_check_ids(s, x.co.ids, x.co.n_ids);
	rc = cli_finish(s, ok ? EXIT_OK : EXIT_USAGE);
	if (capwrite_close(x.w, &x.e) < 0 && !x.failed) {
		snprintf(x.why, sizeof x.why, "%s", x.e.msg);
		x.failed = 1;
	}
	if (x.failed || rc != EXIT_OK) {
		if (x.failed)
			fprintf(stderr, "chattcp lesson: %s: %s\n", spec, x.why);
		unlink(cap_path);
		rc = rc != EXIT_OK ? rc : EXIT_BADINPUT;
		goto out;
	}
	/* the draft is told from the anonymised capture itself: its frames, its addresses */
	memset(&so, 0, sizeof so);
	so.keep = SESS_KEEP_PACKETS;
	so.app = 1;
	so.diag = 1;
	x.s = cli_session(&so, cap_path, NULL, 0, &rc);
	if (!x.s)
		goto out;
	cli_run(x.s);
	const char *base = strrchr(spec, '/');
	int wr = write_lesson(&x, md_path, base ? base + 1 : spec);
	rc = cli_finish(x.s, wr < 0 ? EXIT_SYSTEM : EXIT_OK);
	if (rc == EXIT_OK)
		fprintf(stderr, "chattcp lesson: wrote %s and %s (edit the lesson; open it with 'chattcp learn case:%s')\n",
			cap_path, md_path, x.dir);
out:
	xfree(x.buf);
	sb_fini(&x.body);
	cli_common_fini(&x.co);
	return rc;
}
