/* chat_term.c: see chat_term.h. */
#include "chat_term.h"

#include "../base/ts.h"
#include "../model/labels.h"
#include "fmt.h"
#include "payload.h"
#include "stream_term.h"
#include "term_text.h"

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

/* Display columns of a UTF-8 string (one per code point: good enough for text). */
static size_t cols(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Bytes of the escape (out/term_text.h) starting at s[i], or 1 for any other byte. */
static size_t escape_len(const char *s, size_t n, size_t i)
{
	if (s[i] != '\\' || i + 1 >= n)
		return 1;
	size_t l = s[i + 1] == 'x' ? 4 : s[i + 1] == 'u' ? 6 : 2;
	return i + l <= n ? l : 1;
}

/* Byte length of the prefix of s that fits in w columns. Box text is already in its
 * terminal form: an escape such as \x1b or \u202e is kept whole on one row (a row
 * ending in "\x" and the next starting "1b" would read as something else). */
static size_t fit(const char *s, size_t n, size_t w)
{
	size_t c = 0, i = 0;
	while (i < n) {
		size_t j = i + 1;
		while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
			j++;
		size_t e = escape_len(s, n, i);
		if (e > 1)
			j = i + e;
		size_t cw = e > 1 ? e : 1;
		if (c + cw > w)
			break;
		c += cw;
		i = j;
	}
	return i;
}

static void pad(struct strbuf *b, size_t n)
{
	static const char spaces[] = "                                                                ";
	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		sb_add(b, spaces, k);
		n -= k;
	}
}

static void rule(struct strbuf *b, const struct glyphs *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_puts(b, g->h);
}

struct box {
	const struct chat_style *st;
	const struct glyphs *g;
	size_t indent, inner;
	const char *edge; /* color of the border */
};

/* One text line inside the box, wrapped at the inner width. */
static void box_line(struct strbuf *b, const struct box *x, const char *s, size_t n, const char *tint)
{
	do {
		size_t take = fit(s, n, x->inner);
		if (take == 0 && n)
			take = 1;
		size_t skip = 0;
		if (take < n) {
			/* Break at a space when one is near the end, so words stay whole. */
			size_t sp = take;
			while (sp > take / 2 && s[sp] != ' ')
				sp--;
			if (s[sp] == ' ' && sp > take / 2) {
				take = sp;
				skip = 1;
			}
		}
		size_t used = cols(s, take);
		pad(b, x->indent);
		color(b, x->st, x->edge);
		sb_puts(b, x->g->v);
		color(b, x->st, C_RESET);
		sb_putc(b, ' ');
		if (tint)
			color(b, x->st, tint);
		sb_add(b, s, take);
		if (tint)
			color(b, x->st, C_RESET);
		pad(b, used < x->inner ? x->inner - used : 0);
		sb_putc(b, ' ');
		color(b, x->st, x->edge);
		sb_puts(b, x->g->v);
		color(b, x->st, C_RESET);
		sb_putc(b, '\n');
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

void chat_tcp_options(struct strbuf *b, const struct tcp_opts *o)
{
	size_t start = b->len;
#define SEP() do { if (b->len > start) sb_puts(b, ", "); } while (0)
	if (o->mss) {
		SEP();
		sb_printf(b, "mss %u", o->mss);
	}
	if (o->wscale >= 0) {
		SEP();
		sb_printf(b, "wscale %d (x%u)", o->wscale, 1u << o->wscale);
	}
	if (o->sack_perm) {
		SEP();
		sb_puts(b, "sack_perm");
	}
	for (int i = 0; i < o->n_sack; i++) {
		SEP();
		sb_printf(b, "sack %" PRIu32 "-%" PRIu32, o->sack[i][0], o->sack[i][1]);
	}
	if (o->has_ts) {
		SEP();
		sb_printf(b, "ts %" PRIu32 "/%" PRIu32, o->tsval, o->tsecr);
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

void chat_conn_header(struct strbuf *b, const struct chat_style *st, const struct conn *c, const char *stack)
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

	/* Header: who, state after, when. */
	struct strbuf h;
	sb_init(&h);
	char ep[80];
	fmt_endpoint(&c->ep[r->dir], ep, sizeof ep);
	if (st->tag_conn) {
		char id[16];
		fmt_conn_id(c, id, sizeof id);
		sb_printf(&h, "[%s] ", id);
	}
	sb_printf(&h, "#%" PRIu32 " %s", r->frame, ep);
	if (c->proto == 6 && st->show_state)
		sb_printf(&h, " [%s]", tcp_state_name(r->state));
	sb_puts(&h, "  ");
	fmt_clock(&h, r->ts_ns, pk ? pk->rec.ts_digits : 6);
	if (prev_ts != INT64_MIN) {
		int64_t since = ts_sub(r->ts_ns, prev_ts);
		sb_puts(&h, since < 0 ? " (" : " (+"); /* a clock that went back shows "-" alone */
		fmt_duration(&h, since);
		sb_putc(&h, ')');
	}
	pad(b, x.indent);
	color(b, st, x.edge);
	sb_add(b, h.s, fit(h.s, h.len, bw));
	color(b, st, C_RESET);
	sb_putc(b, '\n');

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
		uint32_t seq = st->relative ? r->rseq : r->seq;
		uint32_t ack = st->relative ? r->rack : r->ack;
		sb_printf(&h, "seq %" PRIu32 "  ack %" PRIu32 "  [", seq, ack);
		fmt_tcp_flags(&h, r->flags, " ");
		sb_printf(&h, "]  win %u", r->win);
		int ws = pktrec_wscale(r);
		if (ws > 0)
			sb_printf(&h, "x%u", 1u << ws);
		sb_printf(&h, "  len %u", r->len);
	} else {
		sb_printf(&h, "UDP  len %u", r->len);
	}
	box_line(b, &x, h.s, h.len, NULL);
	if (pk && pk->kind == PK_TCP) {
		sb_reset(&h);
		chat_tcp_options(&h, &pk->opt);
		if (h.len) {
			struct strbuf o;
			sb_init(&o);
			sb_puts(&o, "options: ");
			sb_add(&o, h.s, h.len);
			box_line(b, &x, o.s, o.len, C_DIM);
			sb_fini(&o);
		}
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
				size_t cw = cols(q, n);
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
	sb_fini(&h);
}

void chat_tail(struct strbuf *b, const struct chat_style *st, const struct sess_tail *t)
{
	if (!t->n_msgs)
		return;
	char id[16];
	fmt_conn_id(t->c, id, sizeof id);
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

void chat_conn_footer(struct strbuf *b, const struct chat_style *st, const struct conn *c)
{
	if (st->live) {
		char id[16];
		sb_printf(b, "%s %s, at the end of the capture:\n", c->proto == 6 ? "Connection" : "Conversation", fmt_conn_id(c, id, sizeof id));
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
