/* json.c: see json.h. */
#include "json.h"

#include "../base/sha.h"
#include "../base/ts.h"
#include "../base/xalloc.h"
#include "../model/labels.h"
#include "chat_term.h"
#include "fmt.h"
#include "http_json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void json_key(struct strbuf *b, int *first, const char *key)
{
	if (!*first)
		sb_putc(b, ',');
	*first = 0;
	sb_json_str(b, key, strlen(key));
	sb_putc(b, ':');
}

void json_str_field(struct strbuf *b, int *first, const char *key, const char *s)
{
	json_key(b, first, key);
	sb_json_str(b, s, strlen(s));
}

void json_u64_field(struct strbuf *b, int *first, const char *key, uint64_t v)
{
	json_key(b, first, key);
	sb_printf(b, "%" PRIu64, v);
}

static void ep_field(struct strbuf *b, int *first, const char *key, const struct endpoint *ep)
{
	char s[80];
	fmt_endpoint(ep, s, sizeof s);
	json_str_field(b, first, key, s);
}

void json_conn(struct strbuf *b, const struct conn *c) { json_conn_app(b, c, NULL); }

void json_conn_app(struct strbuf *b, const struct conn *c, const char *stack)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "id", c->id);
	json_str_field(b, &f, "proto", c->proto == 6 ? "tcp" : "udp");
	ep_field(b, &f, "client", &c->ep[0]);
	ep_field(b, &f, "server", &c->ep[1]);
	json_u64_field(b, &f, "packets", c->pkts[0] + c->pkts[1]);
	json_u64_field(b, &f, "packets_c2s", c->pkts[0]);
	json_u64_field(b, &f, "packets_s2c", c->pkts[1]);
	json_u64_field(b, &f, "bytes_c2s", c->bytes[0]);
	json_u64_field(b, &f, "bytes_s2c", c->bytes[1]);
	json_u64_field(b, &f, "wire_bytes_c2s", c->wire[0]);
	json_u64_field(b, &f, "wire_bytes_s2c", c->wire[1]);
	json_key(b, &f, "first_ts");
	fmt_epoch(b, c->first_ts);
	json_key(b, &f, "last_ts");
	fmt_epoch(b, c->last_ts);
	json_u64_field(b, &f, "first_frame", c->first_frame);
	json_u64_field(b, &f, "last_frame", c->last_frame);
	if (c->proto == 6) {
		json_str_field(b, &f, "handshake", hs_name(c->handshake));
		json_str_field(b, &f, "close", close_name(c->close));
		if (c->rst_by)
			json_str_field(b, &f, "rst_by", c->rst_by == 1 ? "client" : "server");
		json_str_field(b, &f, "client_state", tcp_state_name(c->state[0]));
		json_str_field(b, &f, "server_state", tcp_state_name(c->state[1]));
	} else {
		json_str_field(b, &f, "handshake", "none");
		json_str_field(b, &f, "close", "none");
	}
	if (stack)
		json_str_field(b, &f, "app", stack);
	json_key(b, &f, "client_guessed");
	sb_puts(b, c->client_guessed ? "true" : "false");
	if (c->carrier) {
		json_key(b, &f, "tunnel");
		sb_puts(b, "true"); /* only when true: the common row stays as it was */
	}
	json_key(b, &f, "tags");
	sb_putc(b, '[');
	fmt_tags(b, c->tags, ",", 1);
	sb_putc(b, ']');
	json_key(b, &f, "analysis");
	sb_putc(b, '{');
	int lf = 1;
	for (int l = 0; l < LB_COUNT; l++)
		if (conn_label_count(c, l))
			json_u64_field(b, &lf, label_name(l), conn_label_count(c, l));
	sb_putc(b, '}');
	sb_puts(b, "}\n");
}

void json_appmsg_pos(struct strbuf *b, int *first, const struct appmsg *m)
{
	json_u64_field(b, first, "first_frame", m->first_frame);
	json_u64_field(b, first, "last_frame", m->last_frame);
	json_key(b, first, "ts");
	fmt_epoch(b, m->first_ts);
	json_u64_field(b, first, "offset", m->off);
	json_u64_field(b, first, "length", m->end - m->off);
	json_str_field(b, first, "summary", m->summary ? m->summary : "");
	json_key(b, first, "incomplete");
	sb_puts(b, m->flags & AM_INCOMPLETE ? "true" : "false");
	json_key(b, first, "malformed");
	sb_puts(b, m->flags & AM_MALFORMED ? "true" : "false");
}

struct kv_pos {
	const char *name;
	size_t i;
};

static int kv_order(const void *x, const void *y)
{
	const struct kv_pos *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

/* Which fields of m repeat an earlier name (dup[i] = 1), or NULL when none can: the
 * names sorted with their positions, so a message with 80,000 trailer fields costs
 * n log n comparisons, not n^2. Freed by the caller. */
static uint8_t *kv_dups(const struct appmsg *m)
{
	size_t n = m->n_kv;
	if (n < 2)
		return NULL;
	struct kv_pos *ix = xmalloc(n * sizeof *ix);
	for (size_t i = 0; i < n; i++)
		ix[i] = (struct kv_pos){ m->kv[i].name, i };
	qsort(ix, n, sizeof *ix, kv_order);
	uint8_t *dup = xcalloc(n, 1);
	/* in a run of one name the first position sorts first; the others repeat it */
	for (size_t k = 1; k < n; k++)
		if (strcmp(ix[k - 1].name, ix[k].name) == 0)
			dup[ix[k].i] = 1;
	xfree(ix);
	return dup;
}

void json_appmsg(struct strbuf *b, const struct appmsg *m, const struct conn *c)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "conn", c ? c->id : 0);
	json_str_field(b, &f, "proto", m->proto);
	json_str_field(b, &f, "kind", m->kind);
	json_str_field(b, &f, "dir", m->dir ? "s2c" : "c2s");
	json_appmsg_pos(b, &f, m);
	json_key(b, &f, "fields");
	sb_putc(b, '{');
	int g = 1;
	/* repeated names (HTTP headers) keep the first; http --json has them all */
	uint8_t *dup = kv_dups(m);
	for (size_t i = 0; i < m->n_kv; i++) {
		if (dup && dup[i])
			continue;
		json_key(b, &g, m->kv[i].name);
		sb_json_str(b, m->kv[i].value, m->kv[i].value_len);
	}
	xfree(dup);
	sb_putc(b, '}');
	if (m->http && m->body && m->body->out) {
		json_u64_field(b, &f, "body_size", m->body->out);
		if (m->body->sha256[0] && !m->body->decode_capped) /* a prefix digest would pass for the body's */
			json_str_field(b, &f, "body_sha256", m->body->sha256);
	}
	json_key(b, &f, "notes");
	sb_putc(b, '[');
	int nf = 1;
	json_appnotes(b, &nf, m);
	sb_puts(b, "]}");
}

void json_packet(struct strbuf *b, const struct sess_packet *p, int flags)
{
	const struct conn *c = p->c;
	const struct pktrec *r = p->r;
	const struct pkt *pk = p->pk;
	const char *note = (flags & JSON_PKT_NOTE) ? p->note.text : NULL;
	int with_payload = (flags & JSON_PKT_PAYLOAD) != 0, with_app = (flags & JSON_PKT_APP) != 0;
	int f = 1;
	char a[64];
	sb_putc(b, '{');
	json_u64_field(b, &f, "frame", r->frame);
	json_u64_field(b, &f, "conn", c->id);
	json_str_field(b, &f, "proto", c->proto == 6 ? "tcp" : "udp");
	json_key(b, &f, "ts");
	fmt_epoch(b, r->ts_ns);
	json_key(b, &f, "ts_rel"); /* seconds since the capture's first frame (-t r) */
	fmt_seconds_between(b, r->ts_ns, p->first_ts, 6);
	const struct endpoint *s = &c->ep[r->dir], *d = &c->ep[1 - r->dir];
	json_str_field(b, &f, "src", ipaddr_str(&s->addr, a, sizeof a));
	json_u64_field(b, &f, "sport", s->port);
	json_str_field(b, &f, "dst", ipaddr_str(&d->addr, a, sizeof a));
	json_u64_field(b, &f, "dport", d->port);
	json_str_field(b, &f, "dir", r->dir == 0 ? "c2s" : "s2c");
	if (r->pflags & PR_SIDES_DECIDED)
		json_key(b, &f, "sides_decided"), sb_puts(b, "true");
	if (c->proto == 6) {
		json_u64_field(b, &f, "seq", r->seq);
		json_u64_field(b, &f, "ack", r->ack);
		json_u64_field(b, &f, "rseq", r->rseq);
		json_u64_field(b, &f, "rack", r->rack);
		json_key(b, &f, "flags");
		fmt_tcp_flags_json(b, r->flags);
		json_u64_field(b, &f, "win", r->win);
		if (p->win.scale >= 0) {
			json_u64_field(b, &f, "win_scaled", p->win.scaled);
			json_u64_field(b, &f, "win_scale", (uint64_t)p->win.scale);
		} else if (p->win.scale == -1) {
			json_key(b, &f, "win_scale_unknown");
			sb_puts(b, "true");
		}
		if (p->sack.n) {
			json_key(b, &f, "sack");
			sb_putc(b, '[');
			for (int i = 0; i < p->sack.n; i++) {
				const struct sess_sack *x = &p->sack.b[i];
				sb_printf(b, "%s{\"le\":%" PRIu32 ",\"re\":%" PRIu32 ",\"rle\":%" PRIu32 ",\"rre\":%" PRIu32 "}",
					  i ? "," : "", x->le, x->re, x->rle, x->rre);
			}
			sb_putc(b, ']');
			if (p->sack.dsack) {
				json_key(b, &f, "dsack");
				sb_puts(b, "true");
			}
		}
	}
	json_u64_field(b, &f, "len", r->len);
	if (c->proto == 6) {
		json_str_field(b, &f, "state", tcp_state_name(r->state));
		json_str_field(b, &f, "peer_state", tcp_state_name(r->peer_state));
		json_key(b, &f, "analysis");
		sb_putc(b, '[');
		int af = 1;
		for (int l = 0; l < LB_COUNT; l++) {
			if (!(r->labels & LB_BIT(l)))
				continue;
			if (!af)
				sb_putc(b, ',');
			af = 0;
			sb_printf(b, "\"%s\"", label_name(l));
		}
		sb_putc(b, ']');
		if (r->labels & LB_BIT(LB_DUPLICATE_ACK)) {
			json_u64_field(b, &f, "dup_ack_of", r->ref_frame);
			json_u64_field(b, &f, "dup_ack_num", r->dup_num);
		} else if (r->ref_frame) {
			json_u64_field(b, &f, "retransmission_of", r->ref_frame);
		}
	}
	if (r->pflags & PR_TRUNCATED) {
		json_key(b, &f, "truncated");
		sb_puts(b, "true");
	}
	if (r->pflags & PR_MALFORMED) {
		json_key(b, &f, "malformed");
		sb_puts(b, "true");
		if (pk && pk->why)
			json_str_field(b, &f, "why", pk->why);
	}
	if (pk && pk->kind == PK_TCP) {
		struct strbuf o;
		sb_init(&o);
		chat_tcp_options(&o, &pk->opt, &p->sack, (flags & JSON_PKT_ABSOLUTE) != 0);
		if (o.len)
			json_str_field(b, &f, "options", o.s);
		sb_fini(&o);
	}
	if (with_payload && pk && pk->payload && pk->caplen) {
		json_key(b, &f, "payload_hex");
		sb_putc(b, '"');
		for (uint32_t i = 0; i < pk->caplen; i++)
			sb_printf(b, "%02x", pk->payload[i]);
		sb_putc(b, '"');
	}
	if (note)
		json_str_field(b, &f, "note", note);
	if (note)
		json_str_field(b, &f, "note_kind", p->note.kind->name);
	if (note && (flags & JSON_PKT_COMMENTARY) && p->note.commentary && p->note.commentary[0])
		json_str_field(b, &f, "commentary", p->note.commentary);
	if (with_app) {
		json_key(b, &f, "app");
		sb_putc(b, '[');
		for (size_t i = 0; i < p->n_msgs; i++) {
			if (i)
				sb_putc(b, ',');
			json_appmsg(b, p->msgs[i], c);
		}
		sb_putc(b, ']');
	}
	sb_puts(b, "}\n");
}

void json_tail(struct strbuf *b, const struct sess_tail *t)
{
	if (!t->n_msgs)
		return;
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "conn", t->c->id);
	json_str_field(b, &f, "proto", t->c->proto == 6 ? "tcp" : "udp");
	json_key(b, &f, "at_end");
	sb_puts(b, "true");
	json_key(b, &f, "app");
	sb_putc(b, '[');
	for (size_t i = 0; i < t->n_msgs; i++) {
		if (i)
			sb_putc(b, ',');
		json_appmsg(b, t->msgs[i], t->c);
	}
	sb_puts(b, "]}\n");
}

void json_frame(struct strbuf *b, const struct sess_frame *f, int absolute)
{
	if (!f->c) {
		sb_printf(b, "{\"frame\":%" PRIu32 ",\"proto\":\"%s\"}\n", f->pk.frame, f->pk.other ? f->pk.other : "other");
		return;
	}
	struct sess_packet p;
	memset(&p, 0, sizeof p);
	p.c = f->c;
	p.r = &f->r;
	p.pk = &f->pk;
	p.note.text = f->note ? f->note : "";
	p.note.kind = f->note_kind;
	p.first_ts = f->first_ts;
	p.sack = f->sack;
	p.win = f->win;
	json_packet(b, &p, JSON_PKT_NOTE | JSON_PKT_PAYLOAD | (absolute ? JSON_PKT_ABSOLUTE : 0));
}

void json_raw_run(struct strbuf *b, const struct sess_run *r, const struct conn *c)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "conn", c->id);
	json_str_field(b, &f, "proto", "raw");
	json_str_field(b, &f, "kind", r->p ? "bytes" : "gap");
	json_str_field(b, &f, "dir", r->dir ? "s2c" : "c2s");
	json_u64_field(b, &f, "offset", r->off);
	json_u64_field(b, &f, "length", r->len);
	if (r->p) {
		json_key(b, &f, "data");
		sb_json_str(b, (const char *)r->p, r->len);
	}
	sb_puts(b, "}\n");
}
