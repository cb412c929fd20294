/* chat_term.c: see chat_term.h. */
#include "chat_term.h"

#include "../base/ts.h"
#include "../model/labels.h"
#include "fmt.h"
#include "payload.h"
#include "stream_term.h"
#include "term_text.h"
#include "width.h"

#include <inttypes.h>
#include <string.h>

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"
#define C_CLIENT "\033[36m"
#define C_SERVER "\033[32m"
#define C_NOTE "\033[33m"
#define C_WARN "\033[31m"

struct glyphs {
	const char *tl, *tr, *bl, *br, *h, *v;
};
static const struct glyphs ascii_g = { "+", "+", "+", "+", "-", "|" };
static const struct glyphs uni_g = { "\u256d", "\u256e", "\u2570", "\u256f", "\u2500", "\u2502" };

static void color(struct strbuf *b, const struct chat_style *st, const char *code)
{
	if (st->color)
		sb_puts(b, code);
}

static void pad(struct strbuf *b, size_t n) { width_pad(b, n); }

/* n horizontal glyphs, added 16 at a time (two rules a bubble, each up to 100 wide). */
static void rule(struct strbuf *b, const struct glyphs *g, size_t n)
{
	char run[16 * 4];
	size_t gl = strlen(g->h), k = 0;
	for (; k < 16; k++)
		memcpy(run + k * gl, g->h, gl);
	for (; n >= 16; n -= 16)
		sb_add(b, run, 16 * gl);
	sb_add(b, run, n * gl);
}

struct box {
	const struct chat_style *st;
	const struct glyphs *g;
	size_t indent, inner;
	const char *edge; /* color of the border */
};

/* One row of the box: p[0..k), which takes used columns, at most the inner width. */
static void box_row(struct strbuf *b, const struct box *x, const char *p, size_t k, size_t used, const char *tint)
{
	pad(b, x->indent);
	color(b, x->st, x->edge);
	sb_puts(b, x->g->v);
	color(b, x->st, C_RESET);
	sb_putc(b, ' ');
	if (tint)
		color(b, x->st, tint);
	sb_add(b, p, k);
	if (tint)
		color(b, x->st, C_RESET);
	pad(b, used < x->inner ? x->inner - used : 0);
	sb_putc(b, ' ');
	color(b, x->st, x->edge);
	sb_puts(b, x->g->v);
	color(b, x->st, C_RESET);
	sb_putc(b, '\n');
}

/* One text line inside the box, wrapped at the inner width (out/width.h: at a field
 * boundary, two spaces, when there is one, so "len 0" never parts from its value; box
 * text is in terminal form, and an escape such as \x1b is never split over rows). A
 * line that fits (most of them) is measured once and written as it is. */
static void box_line(struct strbuf *b, const struct box *x, const char *s, size_t n, const char *tint)
{
	size_t cols = width_cols(s, n);
	if (cols <= x->inner) {
		box_row(b, x, s, n, cols, tint);
		return;
	}
	/* Rows straight from the text: no copy of the wrapped lines. */
	do {
		size_t skip, take = width_line(s, n, x->inner, &skip);
		size_t cols_k = width_cols(s, take), show = take;
		if (cols_k > x->inner) { /* a unit wider than the box */
			show = width_prefix(s, take, x->inner);
			cols_k = width_cols(s, show);
		}
		box_row(b, x, s, show, cols_k, tint);
		s += take + skip;
		n -= take + skip;
	} while (n > 0);
}

static void box_text(struct strbuf *b, const struct box *x, const char *text, const char *tint)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		box_line(b, x, p, n, tint);
		p += n + (nl ? 1 : 0);
	}
}

void chat_window(struct strbuf *b, uint16_t raw, const struct sess_win *w)
{
	if (w->scale > 0)
		sb_printf(b, "%" PRIu32 " (%ux%u)", w->scaled, raw, 1u << w->scale);
	else if (w->scale == -1)
		sb_printf(b, "%u (scale unknown)", raw);
	else
		sb_putu(b, raw);
}

void chat_tcp_options(struct strbuf *b, const struct tcp_opts *o, const struct sess_sacks *sk, int absolute)
{
	size_t start = b->len;
#define SEP() do { if (b->len > start) sb_puts(b, ", "); } while (0)
	if (o->mss) {
		SEP();
		sb_puts(b, "mss ");
		sb_putu(b, o->mss);
	}
	if (o->wscale >= 0) {
		SEP();
		sb_printf(b, "wscale %d (x%u)", o->wscale, 1u << o->wscale);
	}
	if (o->sack_perm) {
		SEP();
		sb_puts(b, "sack_perm");
	}
	if (sk && sk->n) {
		for (int i = 0; i < sk->n; i++) {
			SEP();
			const struct sess_sack *x = &sk->b[i];
			sb_printf(b, "sack %" PRIu32 "-%" PRIu32, absolute ? x->le : x->rle, absolute ? x->re : x->rre);
			if (i == 0 && sk->dsack)
				sb_puts(b, " (D-SACK)");
		}
	} else {
		for (int i = 0; i < o->n_sack; i++) {
			SEP();
			sb_printf(b, "sack %" PRIu32 "-%" PRIu32, o->sack[i][0], o->sack[i][1]);
		}
	}
	if (o->has_ts) {
		SEP();
		sb_puts(b, "ts ");
		sb_putu(b, o->tsval);
		sb_putc(b, '/');
		sb_putu(b, o->tsecr);
	}
	if (o->tfo) {
		SEP();
		sb_puts(b, o->tfo == 1 ? "tfo cookie request" : "tfo cookie");
	}
	if (o->bad) {
		SEP();
		sb_puts(b, "malformed option");
	}
#undef SEP
}

/* "14 packets, 136 B client->server, 5007 B server->client, over 211.6 ms" */
static void totals(struct strbuf *b, const struct conn *c)
{
	sb_printf(b, "  %" PRIu64 " packets, ", c->pkts[0] + c->pkts[1]);
	fmt_bytes(b, c->bytes[0]);
	sb_puts(b, " client->server, ");
	fmt_bytes(b, c->bytes[1]);
	sb_puts(b, " server->client, over ");
	fmt_duration(b, ts_sub(c->last_ts, c->first_ts));
	sb_putc(b, '\n');
}

static void conn_header(struct strbuf *b, const struct chat_style *st, const struct conn *c, const char *stack)
{
	char a[80], z[80], id[16];
	fmt_endpoint(&c->ep[0], a, sizeof a);
	fmt_endpoint(&c->ep[1], z, sizeof z);
	fmt_conn_id(c, id, sizeof id);
	color(b, st, C_BOLD);
	sb_printf(b, "%s %s (%s): %s -> %s\n", c->proto == 6 ? "Connection" : "Conversation", id,
		  c->proto == 6 ? "TCP" : "UDP", a, z);
	color(b, st, C_RESET);
	sb_puts(b, "  client (left): ");
	sb_puts(b, a);
	sb_puts(b, "    server (right): ");
	sb_puts(b, z);
	sb_putc(b, '\n');
	if (!st->live)
		totals(b, c);
	if (conn_guess_why(c))
		sb_printf(b, "  (%s)\n", conn_guess_why(c));
	if (stack && *stack)
		sb_printf(b, "  decoded as %s\n", stack);
	if (c->carrier)
		sb_puts(b, "  (a tunnel: datagrams that carry TCP or UDP are shown in the conversation\n"
			   "   inside them, listed by conns; only the others are shown here)\n");
	sb_putc(b, '\n');
}

void chat_bubble(struct strbuf *b, const struct chat_style *st, const struct sess_packet *p)
{
	const struct conn *c = p->c;
	const struct pktrec *r = p->r;
	const struct pkt *pk = p->pk;
	int64_t prev_ts = p->prev_ts;
	const struct glyphs *g = st->unicode ? &uni_g : &ascii_g;
	int w = st->width < 60 ? 60 : st->width;
	size_t bw = (size_t)(w * 4 / 5);
	if (bw < 56)
		bw = 56;
	if (bw > 100)
		bw = 100;
	if (bw > (size_t)w)
		bw = (size_t)w;
	struct box x = { st, g, r->dir == 0 ? 0 : (size_t)w - bw, bw - 4, r->dir == 0 ? C_CLIENT : C_SERVER };

	/* Header: who, state after, when; on two lines when one does not hold it (an IPv6
	 * endpoint), each cut with an ellipsis only when even its own line is too short. */
	struct strbuf h, when;
	if (st->scratch) { /* the caller's, kept from bubble to bubble: no malloc each */
		h = st->scratch->h;
		when = st->scratch->when;
		sb_reset(&h);
		sb_reset(&when);
	} else {
		sb_init(&h);
		sb_init(&when);
	}
	char ep[80];
	fmt_endpoint(&c->ep[r->dir], ep, sizeof ep);
	if (st->tag_conn) {
		char id[16];
		fmt_conn_id(c, id, sizeof id);
		sb_putc(&h, '[');
		sb_puts(&h, id);
		sb_puts(&h, "] ");
	}
	sb_putc(&h, '#');
	sb_putu(&h, r->frame);
	sb_putc(&h, ' ');
	sb_puts(&h, ep);
	if (c->proto == 6 && st->show_state) {
		sb_puts(&h, " [");
		sb_puts(&h, tcp_state_name(r->state));
		sb_putc(&h, ']');
	}
	int digits = pk ? pk->rec.ts_digits : 6;
	if (st->time == FMT_T_DELTA || st->time == FMT_T_DELTA_SHOWN) {
		int64_t base = st->time == FMT_T_DELTA ? prev_ts : st->prev_shown_ts;
		if (base == INT64_MIN || ts_sub(r->ts_ns, base) >= 0)
			sb_putc(&when, '+');
		fmt_time(&when, st->time, r->ts_ns, base, digits);
	} else {
		if (st->time == FMT_T_REL)
			sb_puts(&when, "t=");
		fmt_time(&when, st->time, r->ts_ns, p->first_ts, digits);
		if (prev_ts != INT64_MIN) {
			int64_t since = ts_sub(r->ts_ns, prev_ts);
			sb_puts(&when, since < 0 ? " (" : " (+"); /* a clock that went back shows "-" alone */
			fmt_duration(&when, since);
			sb_putc(&when, ')');
		}
	}
	if (width_cols(h.s, h.len) + 2 + width_cols(when.s, when.len) <= bw) {
		sb_puts(&h, "  ");
		sb_add(&h, when.s, when.len);
		sb_reset(&when);
	}
	for (int line = 0; line < 2; line++) {
		const struct strbuf *t = line ? &when : &h;
		if (!t->len)
			continue;
		pad(b, x.indent);
		color(b, st, x.edge);
		width_fit(b, t->s, t->len, bw, st->unicode);
		color(b, st, C_RESET);
		sb_putc(b, '\n');
	}
	if (st->scratch)
		st->scratch->when = when;
	else
		sb_fini(&when);

	pad(b, x.indent);
	color(b, st, x.edge);
	sb_puts(b, g->tl);
	rule(b, g, bw - 2);
	sb_puts(b, g->tr);
	color(b, st, C_RESET);
	sb_putc(b, '\n');

	/* Numbers. */
	sb_reset(&h);
	if (c->proto == 6) {
		uint32_t seq = st->absolute ? r->seq : r->rseq;
		uint32_t ack = st->absolute ? r->ack : r->rack;
		sb_puts(&h, "seq ");
		sb_putu(&h, seq);
		sb_puts(&h, "  ack ");
		sb_putu(&h, ack);
		sb_puts(&h, "  [");
		fmt_tcp_flags(&h, r->flags, " ");
		sb_puts(&h, "]  win ");
		chat_window(&h, r->win, &p->win);
		sb_puts(&h, "  len ");
		sb_putu(&h, r->len);
	} else {
		sb_puts(&h, "UDP  len ");
		sb_putu(&h, r->len);
	}
	box_line(b, &x, h.s, h.len, NULL);
	if (pk && pk->kind == PK_TCP) {
		sb_reset(&h);
		sb_puts(&h, "options: ");
		size_t head = h.len;
		chat_tcp_options(&h, &pk->opt, &p->sack, st->absolute);
		if (h.len > head)
			box_line(b, &x, h.s, h.len, C_DIM);
	}
	if (r->pflags & PR_MALFORMED && pk && pk->why) {
		sb_reset(&h);
		sb_puts(&h, "malformed: ");
		term_text_str(&h, pk->why);
		box_line(b, &x, h.s, h.len, C_WARN);
	}

	/* Payload: decoded structure first (ChatTCP's "structure priority"), the bytes
	 * when nothing was decoded or --payload raw asks for them. */
	int decoded = st->payload_mode != CHAT_PAYLOAD_RAW && (p->n_msgs || p->n_parts);
	if (r->len && !decoded) {
		sb_reset(&h);
		if (pk && pk->payload)
			payload_render(&h, pk->payload, pk->caplen, r->len, st->fold, (int)x.inner);
		else
			sb_printf(&h, "(%u bytes, not readable from the capture)\n", r->len);
		box_text(b, &x, h.s, NULL);
	}
	if (decoded) {
		for (size_t i = 0; i < p->n_parts; i++) {
			const struct appmsg *m = p->parts[i];
			sb_reset(&h);
			sb_printf(&h, "part of %s %s (from #%" PRIu32 "): ", m->proto, m->kind, m->first_frame);
			if (m->summary)
				term_text_str(&h, m->summary);
			else
				sb_puts(&h, "(in progress)");
			sb_putc(&h, '\n');
			box_text(b, &x, h.s, C_DIM);
		}
		for (size_t i = 0; i < p->n_msgs; i++) {
			const struct appmsg *m = p->msgs[i];
			sb_reset(&h);
			if (m->first_frame != m->last_frame)
				sb_printf(&h, "(from #%" PRIu32 ", %" PRIu64 " bytes)\n", m->first_frame, m->end - m->off);
			if (st->payload_mode == CHAT_PAYLOAD_SIMPLE)
				appmsg_simple(&h, m, (int)x.inner);
			else
				appmsg_lines(&h, m, 1, (int)x.inner);
			box_text(b, &x, h.s, NULL);
		}
	}

	/* Note. */
	if (st->show_notes) {
		sb_reset(&h);
		sb_puts(&h, "> ");
		term_text_str(&h, p->note.text);
		int warn = (r->labels & ~(LB_BIT(LB_WINDOW_UPDATE) | LB_BIT(LB_KEEP_ALIVE) | LB_BIT(LB_KEEP_ALIVE_ACK))) != 0 ||
			   (r->events & EV_RST);
		box_line(b, &x, h.s, h.len, warn ? C_WARN : C_NOTE);
	}
	if (st->commentary) {
		sb_reset(&h);
		sb_puts(&h, p->note.commentary ? p->note.commentary : "");
		if (h.len) {
			/* Word-wrap the commentary rather than cutting words. */
			struct strbuf wr;
			sb_init(&wr);
			size_t col = 0;
			const char *q = h.s;
			while (*q) {
				const char *sp = strchr(q, ' ');
				size_t n = sp ? (size_t)(sp - q) : strlen(q);
				size_t cw = width_cols(q, n);
				if (col && col + 1 + cw > x.inner) {
					sb_putc(&wr, '\n');
					col = 0;
				} else if (col) {
					sb_putc(&wr, ' ');
					col++;
				}
				sb_add(&wr, q, n);
				col += cw;
				q += n + (sp ? 1 : 0);
			}
			box_text(b, &x, wr.s, C_DIM);
			sb_fini(&wr);
		}
	}

	pad(b, x.indent);
	color(b, st, x.edge);
	sb_puts(b, g->bl);
	rule(b, g, bw - 2);
	sb_puts(b, g->br);
	color(b, st, C_RESET);
	sb_puts(b, "\n\n");
	if (st->scratch)
		st->scratch->h = h;
	else
		sb_fini(&h);
}

static void tail(struct strbuf *b, const struct chat_style *st, const struct sess_tail *t)
{
	if (!t->n_msgs)
		return;
	char id[16];
	fmt_conn_id(t->c, id, sizeof id);
	if (t->evicted)
		sb_printf(b, "  when it was let go, %s %s:\n", t->c->proto == 6 ? "connection" : "conversation", id);
	else
		sb_printf(b, "  at the end of the capture, %s %s:\n", t->c->proto == 6 ? "connection" : "conversation", id);
	struct strbuf h;
	sb_init(&h);
	int w = st->width < 60 ? 60 : st->width;
	for (size_t i = 0; i < t->n_msgs; i++) {
		const struct appmsg *m = t->msgs[i];
		char ep[80];
		fmt_endpoint(&t->c->ep[m->dir], ep, sizeof ep);
		sb_reset(&h);
		if (st->payload_mode == CHAT_PAYLOAD_SIMPLE)
			appmsg_simple(&h, m, w - 6);
		else
			appmsg_lines(&h, m, 1, w - 6);
		sb_printf(b, "  %s %s  #%" PRIu32 "-#%" PRIu32 ", %" PRIu64 " bytes\n", m->dir ? "<<" : ">>", ep,
			  m->first_frame, m->last_frame, m->end - m->off);
		for (const char *q = h.s; q && *q;) {
			const char *nl = strchr(q, '\n');
			size_t k = nl ? (size_t)(nl - q) : strlen(q);
			sb_puts(b, "      ");
			sb_add(b, q, k);
			sb_putc(b, '\n');
			q += k + (nl ? 1 : 0);
		}
	}
	sb_putc(b, '\n');
	sb_fini(&h);
}

/* 1 when both sides of c closed, or it was reset (what eviction calls ended). */
static int conn_closed(const struct conn *c)
{
	int d0 = c->state[0] == TS_CLOSED || c->state[0] == TS_TIME_WAIT;
	int d1 = c->state[1] == TS_CLOSED || c->state[1] == TS_TIME_WAIT;
	return c->proto == 6 && (c->close == CLOSE_RST || (d0 && d1));
}

static void conn_footer(struct strbuf *b, const struct chat_style *st, const struct conn *c, int gone)
{
	if (st->live) {
		char id[16];
		const char *what = c->proto == 6 ? "Connection" : "Conversation";
		fmt_conn_id(c, id, sizeof id);
		if (!gone)
			sb_printf(b, "%s %s, at the end of the capture:\n", what, id);
		else if (conn_closed(c))
			sb_printf(b, "%s %s ended and is no longer followed:\n", what, id);
		else
			sb_printf(b, "%s %s went quiet and is no longer followed:\n", what, id);
		totals(b, c);
	}
	if (c->proto != 6) {
		sb_putc(b, '\n');
		return;
	}
	sb_printf(b, "  handshake: %s; close: %s", hs_name(c->handshake), close_name(c->close));
	if (c->rst_by)
		sb_printf(b, " (RST from the %s)", c->rst_by == 1 ? "client" : "server");
	sb_printf(b, "; final states: client %s, server %s\n", tcp_state_name(c->state[0]), tcp_state_name(c->state[1]));
	if (c->tags) {
		sb_puts(b, "  tags: ");
		fmt_tags(b, c->tags, ", ", 0);
		sb_putc(b, '\n');
	}
	sb_putc(b, '\n');
}

/* The lines around the bubbles are written whole, then wrapped at the width (their
 * continuation lines indented two more). */
static void wrapped(struct strbuf *b, const struct chat_style *st, const struct strbuf *t)
{
	width_wrap_lines(b, t->s ? t->s : "", t->len, (size_t)(st->width < 40 ? 40 : st->width), 2);
}

void chat_scratch_fini(struct chat_scratch *sc)
{
	sb_fini(&sc->h);
	sb_fini(&sc->when);
}

void chat_conn_header(struct strbuf *b, const struct chat_style *st, const struct conn *c, const char *stack)
{
	struct strbuf t;
	sb_init(&t);
	conn_header(&t, st, c, stack);
	wrapped(b, st, &t);
	sb_fini(&t);
}

void chat_tail(struct strbuf *b, const struct chat_style *st, const struct sess_tail *t)
{
	struct strbuf x;
	sb_init(&x);
	tail(&x, st, t);
	wrapped(b, st, &x);
	sb_fini(&x);
}

void chat_conn_footer(struct strbuf *b, const struct chat_style *st, const struct conn *c)
{
	struct strbuf t;
	sb_init(&t);
	conn_footer(&t, st, c, 0);
	wrapped(b, st, &t);
	sb_fini(&t);
}

void chat_conn_gone(struct strbuf *b, const struct chat_style *st, const struct conn *c)
{
	struct strbuf t;
	sb_init(&t);
	conn_footer(&t, st, c, 1);
	wrapped(b, st, &t);
	sb_fini(&t);
}
