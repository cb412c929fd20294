/* api.c: see api.h. Each route reads its parameters, finds the capture and the
 * connection, and calls the session and the --json renderers into the reply. */
#include "api.h"
#include "api_files.h"
#include "api_filter.h"
#include "api_learn.h"
#include "api_stream.h"

#include "../base/xalloc.h"
#include "../cases/cases.h"
#include "../out/cases_json.h"
#include "../out/chat_term.h"
#include "../out/graph_json.h"
#include "../out/http_json.h"
#include "../out/json.h"
#include "../out/report.h"
#include "../session/session.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

struct web_cap {
	char *name;           /* as the user named it: the path given, "case:NAME", an upload's name */
	struct session *s;
	uint8_t *mem;         /* an upload's bytes (the session borrows them), or NULL */
	size_t mem_len;
	char *error;          /* why reading stopped (damage), or why it failed; NULL when neither */
	int failed;
};

struct web_api {
	struct web_cap caps[UI_CAPTURES_MAX];
	size_t n;
	char *root; /* realpath of --root, or NULL */
	const char *keylog; /* --keylog (borrowed), or NULL */
	size_t upload_max;
	/* The stream window's one-connection session (get_stream), kept for the pages and
	 * downloads of the same connection that follow: NULL, or the session of
	 * stream_cap's connection stream_id. */
	struct session *stream_s;
	const struct conn *stream_conn;
	size_t stream_cap;
	struct sess_id stream_id;
	struct web_files *files; /* the Files view's export (api_files.c) */
};

struct web_api *web_api_new(const char *root, size_t upload_max)
{
	struct web_api *a = xcalloc(1, sizeof *a);
	a->upload_max = upload_max;
	if (root)
		a->root = xstrdup(root);
	a->files = web_files_new();
	return a;
}

void web_api_keylog(struct web_api *a, const char *path) { a->keylog = path; }

void web_api_free(struct web_api *a)
{
	if (!a)
		return;
	session_free(a->stream_s);
	web_files_free(a->files);
	for (size_t i = 0; i < a->n; i++) {
		session_free(a->caps[i].s);
		xfree(a->caps[i].mem);
		xfree(a->caps[i].name);
		xfree(a->caps[i].error);
	}
	xfree(a->root);
	xfree(a);
}

/* Everything every view asks: the per-packet index, the decoders, the diagnosis, the
 * commentary, 4 kB body previews. */
static struct session *new_session(const struct web_api *a)
{
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.keylog = a->keylog;
	o.keep = SESS_KEEP_PACKETS;
	o.app = 1;
	o.diag = 1;
	o.commentary = 1;
	o.body = SESS_BODY_PREVIEW;
	o.mem_limit = UI_SESSION_MEM_MAX;
	return session_new(&o);
}

/* Reads the capture just opened in slot c to its end; remembers damage or failure. */
static void read_capture(struct web_cap *c)
{
	if (session_run(c->s) < 0 && session_error(c->s)->msg[0])
		c->error = xstrdup(session_error(c->s)->msg);
	c->failed = session_failed(c->s);
}

static int find_open(struct web_api *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!a->caps[i].mem && strcmp(a->caps[i].name, name) == 0)
			return (int)i;
	return -1;
}

int web_api_open(struct web_api *a, const char *spec, struct strbuf *err)
{
	int i = find_open(a, spec);
	if (i >= 0)
		return i;
	if (a->n == UI_CAPTURES_MAX) {
		sb_printf(err, "already %d captures open (the most one server holds): restart chattcp ui", UI_CAPTURES_MAX);
		return -1;
	}
	struct web_cap *c = &a->caps[a->n];
	memset(c, 0, sizeof *c);
	c->s = new_session(a);
	if (session_open(c->s, spec) < 0) {
		sb_puts(err, session_error(c->s)->msg);
		session_free(c->s);
		return -1;
	}
	c->name = xstrdup(spec);
	read_capture(c);
	return (int)a->n++;
}

/* An uploaded capture: the bytes move into the capture (p is taken). */
static int open_mem(struct web_api *a, const char *name, uint8_t *p, size_t n, struct strbuf *err)
{
	if (a->n == UI_CAPTURES_MAX) {
		xfree(p);
		sb_printf(err, "already %d captures open (the most one server holds): restart chattcp ui", UI_CAPTURES_MAX);
		return -1;
	}
	struct web_cap *c = &a->caps[a->n];
	memset(c, 0, sizeof *c);
	c->s = new_session(a);
	if (session_open_mem(c->s, name, p, n) < 0) {
		sb_puts(err, session_error(c->s)->msg);
		session_free(c->s);
		xfree(p);
		return -1;
	}
	c->mem = p;
	c->mem_len = n;
	c->name = xstrdup(name);
	read_capture(c);
	return (int)a->n++;
}

/* --- parameters --- */

void web_reply_error(struct web_reply *r, int status, const char *msg)
{
	r->status = status;
	r->type = "application/json";
	sb_reset(&r->body);
	int f = 1;
	sb_putc(&r->body, '{');
	json_str_field(&r->body, &f, "error", msg);
	sb_puts(&r->body, "}\n");
}

long web_num(const char *s, long max)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end || errno || v < 0 || v > max)
		return -1;
	return v;
}

static struct web_cap *cap_arg(struct web_api *a, const struct web_req *q, struct web_reply *r)
{
	long i = web_num(q->arg(q->ctx, "cap"), (long)a->n - 1);
	if (i < 0) {
		web_reply_error(r, 404, "no such capture (cap= takes a number from /api/captures)");
		return NULL;
	}
	if (a->caps[i].failed) {
		web_reply_error(r, 409, a->caps[i].error ? a->caps[i].error : "this capture could not be read");
		return NULL;
	}
	return &a->caps[i];
}

int web_conn_id(const char *v, struct sess_id *id)
{
	id->proto = 6;
	if (v && strncmp(v, "tcp:", 4) == 0)
		v += 4;
	else if (v && strncmp(v, "udp:", 4) == 0)
		v += 4, id->proto = 17;
	else if (v && v[0] == 'u')
		v += 1, id->proto = 17;
	long n = web_num(v, UINT32_MAX);
	id->id = n >= 0 ? (uint32_t)n : 0;
	return n >= 0 ? 0 : -1;
}

/* conn= as typed on the command line: "3" or "tcp:3" (TCP), "u0" or "udp:0" (UDP). */
static const struct conn *conn_arg(struct web_cap *c, const struct web_req *q, struct web_reply *r)
{
	struct sess_id id;
	const struct conn *cn = web_conn_id(q->arg(q->ctx, "conn"), &id) == 0 ? session_conn(c->s, id) : NULL;
	if (!cn)
		web_reply_error(r, 404, "no such connection (conn= takes an id from /api/conns: 3, tcp:3, u0)");
	return cn;
}

static void ndjson(struct web_reply *r)
{
	r->status = 200;
	r->type = "application/x-ndjson; charset=utf-8";
}

struct session *web_api_reopen(struct web_api *a, const struct web_req *q, struct web_reply *r, struct session_opts *o)
{
	struct web_cap *c = cap_arg(a, q, r);
	if (!c)
		return NULL;
	o->keylog = a->keylog;
	o->mem_limit = UI_SESSION_MEM_MAX;
	struct session *s = session_new(o);
	if ((c->mem ? session_open_mem(s, c->name, c->mem, c->mem_len) : session_open(s, c->name)) < 0) {
		session_free(s);
		web_reply_error(r, 409, "the capture could not be read again");
		return NULL;
	}
	return s;
}

/* --- routes --- */

static void get_captures(struct web_api *a, struct web_reply *r)
{
	ndjson(r);
	for (size_t i = 0; i < a->n; i++) {
		const struct web_cap *c = &a->caps[i];
		int f = 1;
		sb_putc(&r->body, '{');
		json_u64_field(&r->body, &f, "cap", i);
		json_str_field(&r->body, &f, "name", c->name);
		json_key(&r->body, &f, "damaged");
		sb_puts(&r->body, session_damaged(c->s) ? "true" : "false");
		json_key(&r->body, &f, "failed");
		sb_puts(&r->body, c->failed ? "true" : "false");
		if (c->error)
			json_str_field(&r->body, &f, "error", c->error);
		sb_puts(&r->body, "}\n");
	}
}

static void get_info(struct web_api *a, struct web_reply *r)
{
	r->status = 200;
	r->type = "application/json";
	int f = 1;
	sb_putc(&r->body, '{');
	json_key(&r->body, &f, "root");
	sb_puts(&r->body, a->root ? "true" : "false");
	json_u64_field(&r->body, &f, "upload_max", a->upload_max);
	json_u64_field(&r->body, &f, "captures_max", UI_CAPTURES_MAX);
	json_u64_field(&r->body, &f, "zip_max", UI_FILES_ZIP_MAX);
	sb_puts(&r->body, "}\n");
}

static void get_cases(struct web_reply *r)
{
	ndjson(r);
	/* in the suggested order, as 'cases --json' */
	const struct case_blob **order = xmalloc((case_blob_count + 1) * sizeof *order);
	case_order(order);
	for (size_t i = 0; i < case_blob_count; i++)
		case_json(&r->body, order[i], 0);
	xfree(order);
}

static void get_lesson(const struct web_req *q, struct web_reply *r)
{
	const char *name = q->arg(q->ctx, "name");
	const struct case_blob *cb = name ? case_find(name) : NULL;
	if (!cb) {
		web_reply_error(r, 404, "no such case (see /api/cases)");
		return;
	}
	r->status = 200;
	r->type = "text/plain; charset=utf-8"; /* markdown, rendered as text by the front end */
	const char *t;
	size_t tn;
	if (case_front(cb, "title", &t, &tn)) {
		sb_puts(&r->body, "# ");
		sb_add(&r->body, t, tn);
		sb_puts(&r->body, "\n\n");
	}
	const char *body = case_lesson_body(cb);
	sb_add(&r->body, body, (size_t)(cb->lesson + cb->lesson_len - body));
}

static void get_conns(struct web_cap *c, struct web_reply *r)
{
	ndjson(r);
	size_t n;
	const struct conn *const *all = session_conns(c->s, &n);
	char stack[128];
	for (size_t i = 0; i < n; i++) {
		session_conn_stack(c->s, all[i], stack, sizeof stack);
		json_conn_app(&r->body, all[i], stack);
	}
}

static void get_stats(struct web_cap *c, struct web_reply *r)
{
	struct sess_stats st;
	struct sess_counts k;
	session_stats(c->s, &st);
	session_counts(c->s, &k);
	r->status = 200;
	r->type = "application/json";
	report_stats(&r->body, &st, &k, 1);
}

/* A page of the chat: packets [from, from + per), per = n= or UI_CHAT_PAGE_PKTS, cut
 * early past UI_CHAT_PAGE_BYTES; the tail (messages complete only at the end) with the
 * last page. The front end asks a small first page so the first screen comes early. */
struct chat_page {
	struct strbuf *b;
	long i, from, next, per;
	int numbering; /* 0, or JSON_PKT_ABSOLUTE */
};

static void page_packet(void *ctx, const struct sess_packet *p)
{
	struct chat_page *x = ctx;
	long i = x->i++;
	if (i < x->from || x->next >= 0)
		return;
	if (i - x->from >= x->per || x->b->len >= UI_CHAT_PAGE_BYTES) {
		x->next = i;
		return;
	}
	json_packet(x->b, p, JSON_PKT_NOTE | JSON_PKT_PAYLOAD | JSON_PKT_APP | JSON_PKT_COMMENTARY | x->numbering);
}

static void page_tail(void *ctx, const struct sess_tail *t)
{
	struct chat_page *x = ctx;
	if (x->next < 0)
		json_tail(x->b, t);
}

static void get_chat(struct web_cap *c, const struct conn *cn, const struct web_req *q, struct web_reply *r)
{
	const char *f = q->arg(q->ctx, "from");
	const char *per = q->arg(q->ctx, "n");
	struct chat_page x = { &r->body, 0, f ? web_num(f, LONG_MAX) : 0, -1, per ? web_num(per, UI_CHAT_PAGE_PKTS) : UI_CHAT_PAGE_PKTS, 0 };
	if (x.from < 0) {
		web_reply_error(r, 400, "from= takes the index of a packet in the connection (0 is the first)");
		return;
	}
	if (x.per < 1) {
		web_reply_error(r, 400, "n= takes a number of packets from 1 to " STR(UI_CHAT_PAGE_PKTS));
		return;
	}
	/* numbers=absolute: notes and SACK blocks as sent (the fields carry both anyway) */
	const char *numbers = q->arg(q->ctx, "numbers");
	if (numbers && strcmp(numbers, "absolute") && strcmp(numbers, "relative")) {
		web_reply_error(r, 400, "numbers= takes relative (the default) or absolute");
		return;
	}
	x.numbering = numbers && !strcmp(numbers, "absolute") ? JSON_PKT_ABSOLUTE : 0;
	session_set_absolute(c->s, x.numbering != 0);
	ndjson(r);
	long n = session_walk(c->s, cn, page_packet, page_tail, &x);
	if (n < 0) {
		web_reply_error(r, 500, session_error(c->s)->msg);
		return;
	}
	if (x.next >= 0)
		snprintf(r->next, sizeof r->next, "%ld", x.next);
	snprintf(r->total, sizeof r->total, "%ld", n);
}

/* --- graphs: every packet's point, the graph --json lines (out/graph_json.h) --- */

static void graph_cb(void *ctx, const struct sess_graph_pt *pt) { graph_json_point(ctx, pt); }

static void get_graph(struct web_cap *c, const struct conn *cn, struct web_reply *r)
{
	ndjson(r);
	graph_json_header(&r->body, cn);
	long n = session_graph(c->s, cn, graph_cb, &r->body);
	if (n < 0) {
		sb_reset(&r->body);
		web_reply_error(r, 500, session_error(c->s)->msg);
		return;
	}
	graph_json_footer(&r->body, n);
	snprintf(r->total, sizeof r->total, "%ld", n);
}

/* --- one packet: the --json object, then where each header field lies in the frame --- */

struct field {
	const char *layer, *name;
	uint32_t off, len;  /* bytes in the frame */
	int bit, bits;      /* TCP only: position in the header as RFC 9293 draws it; -1 otherwise */
};

static void field_obj(struct strbuf *b, int *first, const struct field *fd, uint32_t caplen, const char *value)
{
	if (fd->off + fd->len > caplen || !fd->len)
		return; /* not captured: nothing to point at */
	if (!*first)
		sb_putc(b, ',');
	*first = 0;
	int f = 1;
	sb_putc(b, '{');
	json_str_field(b, &f, "layer", fd->layer);
	json_str_field(b, &f, "name", fd->name);
	json_u64_field(b, &f, "off", fd->off);
	json_u64_field(b, &f, "len", fd->len);
	if (fd->bit >= 0) {
		json_u64_field(b, &f, "bit", (uint64_t)fd->bit);
		json_u64_field(b, &f, "bits", (uint64_t)fd->bits);
	}
	if (value)
		json_str_field(b, &f, "value", value);
	sb_putc(b, '}');
}

static void eth_fields(struct strbuf *b, int *first, const struct pkt *pk)
{
	const uint8_t *d = pk->rec.data;
	uint32_t n = pk->rec.caplen;
	char v[32];
	static const char *const names[] = { "Destination", "Source" };
	for (int i = 0; i < 2; i++) {
		struct field fd = { "eth", names[i], (uint32_t)i * 6, 6, -1, 0 };
		if (n >= fd.off + 6)
			snprintf(v, sizeof v, "%02x:%02x:%02x:%02x:%02x:%02x", d[fd.off], d[fd.off + 1], d[fd.off + 2],
				 d[fd.off + 3], d[fd.off + 4], d[fd.off + 5]);
		field_obj(b, first, &fd, n, v);
	}
	if (!pk->n_vlan) {
		snprintf(v, sizeof v, "0x%04x", pk->ethertype);
		field_obj(b, first, &(struct field){ "eth", "Type", 12, 2, -1, 0 }, n, v);
	}
}

static void ip_fields(struct strbuf *b, int *first, const struct pkt *pk)
{
	uint32_t l3 = pk->l3_off, n = pk->rec.caplen;
	char v[64];
	if (pk->ipver == 4) {
		field_obj(b, first, &(struct field){ "ip", "Version", l3, 1, -1, 0 }, n, "4");
		snprintf(v, sizeof v, "0x%04x", pk->ip_id);
		field_obj(b, first, &(struct field){ "ip", "Identification", l3 + 4, 2, -1, 0 }, n, v);
		snprintf(v, sizeof v, "%u", pk->ttl);
		field_obj(b, first, &(struct field){ "ip", "Time to Live", l3 + 8, 1, -1, 0 }, n, v);
		snprintf(v, sizeof v, "%u", pk->ipproto);
		field_obj(b, first, &(struct field){ "ip", "Protocol", l3 + 9, 1, -1, 0 }, n, v);
		field_obj(b, first, &(struct field){ "ip", "Source Address", l3 + 12, 4, -1, 0 }, n, ipaddr_str(&pk->src, v, sizeof v));
		field_obj(b, first, &(struct field){ "ip", "Destination Address", l3 + 16, 4, -1, 0 }, n,
			  ipaddr_str(&pk->dst, v, sizeof v));
	} else if (pk->ipver == 6) {
		field_obj(b, first, &(struct field){ "ip", "Version", l3, 1, -1, 0 }, n, "6");
		snprintf(v, sizeof v, "%u", pk->ttl);
		field_obj(b, first, &(struct field){ "ip", "Hop Limit", l3 + 7, 1, -1, 0 }, n, v);
		field_obj(b, first, &(struct field){ "ip", "Source Address", l3 + 8, 16, -1, 0 }, n, ipaddr_str(&pk->src, v, sizeof v));
		field_obj(b, first, &(struct field){ "ip", "Destination Address", l3 + 24, 16, -1, 0 }, n,
			  ipaddr_str(&pk->dst, v, sizeof v));
	}
}

/* The TCP header's fields, as RFC 9293 section 3.1 draws them (bit positions from the
 * header's start), with the decoded values. */
static void tcp_fields(struct strbuf *b, int *first, const struct pkt *pk)
{
	uint32_t l4 = pk->l4_off, n = pk->rec.caplen;
	char v[512];
	static const struct { const char *name; uint16_t flag; } flags[] = {
		{ "CWR", TH_CWR }, { "ECE", TH_ECE }, { "URG", TH_URG }, { "ACK", TH_ACK },
		{ "PSH", TH_PSH }, { "RST", TH_RST }, { "SYN", TH_SYN }, { "FIN", TH_FIN },
	};
#define TCPF(name, bit, bits, fmt, val)                                                                     \
	do {                                                                                                \
		snprintf(v, sizeof v, fmt, val);                                                            \
		field_obj(b, first, &(struct field){ "tcp", name, l4 + (bit) / 8, ((bit) % 8 + (bits) + 7) / 8, bit, bits }, n, v); \
	} while (0)
	TCPF("Source Port", 0, 16, "%u", pk->sport);
	TCPF("Destination Port", 16, 16, "%u", pk->dport);
	TCPF("Sequence Number", 32, 32, "%" PRIu32, pk->seq);
	TCPF("Acknowledgment Number", 64, 32, "%" PRIu32, pk->ack);
	TCPF("Data Offset", 96, 4, "%u", pk->tcp_hlen / 4u);
	TCPF("Reserved", 100, 4, "%u", (pk->flags & TH_NS) ? 1u : 0u);
	for (int i = 0; i < 8; i++)
		TCPF(flags[i].name, 104 + i, 1, "%d", (pk->flags & flags[i].flag) ? 1 : 0);
	TCPF("Window", 112, 16, "%u", pk->win);
	TCPF("Checksum", 128, 16, "0x%04x", pk->tcp_csum);
	TCPF("Urgent Pointer", 144, 16, "%u", pk->urp);
#undef TCPF
	if (pk->tcp_hlen > 20) {
		struct strbuf o;
		sb_init(&o);
		chat_tcp_options(&o, &pk->opt, NULL, 1); /* the header as sent */
		field_obj(b, first, &(struct field){ "tcp", "Options", l4 + 20, pk->tcp_hlen - 20u, 160, (pk->tcp_hlen - 20) * 8 }, n,
			  o.s ? o.s : "");
		sb_fini(&o);
	}
}

/* {"frame", "linktype", "caplen", "wirelen", "bytes_hex", "fields": [...]}: the bytes of
 * the frame and where each field of its headers lies, for the diagram and the hex dump
 * (web only: `packet` prints the same as text). */
static void frame_obj(struct strbuf *b, const struct pkt *pk)
{
	int f = 1;
	sb_putc(b, '{');
	json_u64_field(b, &f, "frame", pk->frame);
	json_u64_field(b, &f, "linktype", pk->rec.linktype);
	json_u64_field(b, &f, "caplen", pk->rec.caplen);
	json_u64_field(b, &f, "wirelen", pk->rec.wirelen);
	json_key(b, &f, "bytes_hex");
	sb_putc(b, '"');
	for (uint32_t i = 0; i < pk->rec.caplen; i++)
		sb_printf(b, "%02x", pk->rec.data[i]);
	sb_putc(b, '"');
	json_key(b, &f, "fields");
	sb_putc(b, '[');
	int ff = 1;
	/* A frame rebuilt from IP fragments is not the record's bytes: no offsets then. */
	if (!pk->reassembled) {
		if (pk->rec.linktype == 1)
			eth_fields(b, &ff, pk);
		ip_fields(b, &ff, pk);
		if (pk->kind == PK_TCP)
			tcp_fields(b, &ff, pk);
		if (pk->payload && pk->caplen)
			field_obj(b, &ff, &(struct field){ pk->kind == PK_TCP ? "tcp" : "udp", "Payload",
							   (uint32_t)(pk->payload - pk->rec.data), pk->caplen, -1, 0 },
				  pk->rec.caplen, NULL);
	}
	sb_puts(b, "]}\n");
}

struct find_packet {
	struct strbuf *b;
	uint32_t frame;
	int found;
};

static void find_packet_cb(void *ctx, const struct sess_packet *p)
{
	struct find_packet *x = ctx;
	if (x->found || p->r->frame != x->frame)
		return;
	x->found = 1;
	json_packet(x->b, p, JSON_PKT_NOTE | JSON_PKT_PAYLOAD | JSON_PKT_APP | JSON_PKT_COMMENTARY);
	if (p->pk)
		frame_obj(x->b, p->pk);
}

static void get_packet(struct web_cap *c, const struct conn *cn, const struct web_req *q, struct web_reply *r)
{
	long fr = web_num(q->arg(q->ctx, "frame"), UINT32_MAX);
	struct find_packet x = { &r->body, (uint32_t)fr, 0 };
	ndjson(r);
	if (fr < 1 || fr < (long)cn->first_frame || fr > (long)cn->last_frame ||
	    session_walk(c->s, cn, find_packet_cb, NULL, &x) < 0 || !x.found)
		web_reply_error(r, 404, "no such frame in this connection");
}

/* Which connection frame= belongs to: {"frame", "conn", "proto"} (lesson links). */
static void get_where(struct web_cap *c, const struct web_req *q, struct web_reply *r)
{
	long fr = web_num(q->arg(q->ctx, "frame"), UINT32_MAX);
	size_t n;
	const struct conn *const *all = session_conns(c->s, &n);
	for (size_t i = 0; fr > 0 && i < n; i++) {
		if (fr < (long)all[i]->first_frame || fr > (long)all[i]->last_frame)
			continue;
		struct strbuf tmp;
		sb_init(&tmp);
		struct find_packet x = { &tmp, (uint32_t)fr, 0 };
		session_walk(c->s, all[i], find_packet_cb, NULL, &x);
		sb_fini(&tmp);
		if (!x.found)
			continue;
		r->status = 200;
		r->type = "application/json";
		int f = 1;
		sb_putc(&r->body, '{');
		json_u64_field(&r->body, &f, "frame", (uint64_t)fr);
		json_u64_field(&r->body, &f, "conn", all[i]->id);
		json_str_field(&r->body, &f, "proto", all[i]->proto == 6 ? "tcp" : "udp");
		sb_puts(&r->body, "}\n");
		return;
	}
	web_reply_error(r, 404, "no TCP or UDP packet has that frame number");
}

static void http_cb(void *ctx, const struct sess_http *x) { http_exchange_json(ctx, x); }

/* POST /api/open?spec=case:NAME, or ?path=REL (a file under --root). */
static void post_open(struct web_api *a, const struct web_req *q, struct web_reply *r)
{
	const char *spec = q->arg(q->ctx, "spec"), *path = q->arg(q->ctx, "path");
	struct strbuf err;
	sb_init(&err);
	char full[PATH_MAX], realbuf[PATH_MAX], *real = NULL;
	int i = -1;
	if (spec && strncmp(spec, "case:", 5) == 0) {
		i = web_api_open(a, spec, &err);
	} else if (path && a->root) {
		if (snprintf(full, sizeof full, "%s/%s", a->root, path) < (int)sizeof full)
			real = realpath(full, realbuf);
		size_t rl = strlen(a->root);
		if (!real || strncmp(real, a->root, rl) != 0 || real[rl] != '/')
			sb_puts(&err, "no such capture under the folder given with --root");
		else
			i = web_api_open(a, real, &err);
	} else {
		sb_puts(&err, a->root ? "open takes spec=case:NAME or path=FILE" : "open takes spec=case:NAME (start chattcp ui with --root DIR to open files by path)");
	}
	if (i < 0) {
		web_reply_error(r, 400, err.s ? err.s : "cannot open");
	} else {
		r->status = 200;
		r->type = "application/json";
		int f = 1;
		sb_putc(&r->body, '{');
		json_u64_field(&r->body, &f, "cap", (uint64_t)i);
		sb_puts(&r->body, "}\n");
	}
	sb_fini(&err);
}

static void post_upload(struct web_api *a, const struct web_req *q, struct web_reply *r)
{
	const char *name = q->arg(q->ctx, "name");
	if (!q->body_len) {
		web_reply_error(r, 400, "the upload is empty");
		return;
	}
	uint8_t *p = xmalloc(q->body_len);
	memcpy(p, q->body, q->body_len);
	struct strbuf err;
	sb_init(&err);
	char label[96];
	snprintf(label, sizeof label, "upload:%.80s", name && *name ? name : "capture");
	int i = open_mem(a, label, p, q->body_len, &err);
	if (i < 0) {
		web_reply_error(r, 400, err.s ? err.s : "cannot read the upload");
	} else {
		r->status = 200;
		r->type = "application/json";
		int f = 1;
		sb_putc(&r->body, '{');
		json_u64_field(&r->body, &f, "cap", (uint64_t)i);
		sb_puts(&r->body, "}\n");
	}
	sb_fini(&err);
}

/* The stream window's bytes (api_stream.c) come from a session of its own that reads
 * the capture again for that one connection: the capture's session keeping every
 * connection's raw bytes would hold all the payload of a large capture (up to
 * SESS_RAW_MAX a connection) for the one stream a user may open. The last one is
 * kept for the pages and downloads of the same connection that follow (read once,
 * not once a page); asking another connection frees it. So at most one connection's
 * bytes, bounded by SESS_RAW_MAX, are held besides the captures' sessions. */
static void get_stream(struct web_api *a, const struct web_cap *c, const struct conn *cn,
		       const struct web_req *q, struct web_reply *r, int raw)
{
	struct sess_id id = { cn->proto, cn->id };
	size_t ci = (size_t)(c - a->caps);
	if (!a->stream_s || a->stream_cap != ci || a->stream_id.proto != id.proto || a->stream_id.id != id.id) {
		session_free(a->stream_s);
		a->stream_s = NULL;
		struct session_opts o;
		memset(&o, 0, sizeof o);
		o.keylog = a->keylog;
		o.app = 1;
		o.raw = 1;
		o.mem_limit = UI_SESSION_MEM_MAX;
		struct session *s = session_new(&o);
		session_select(s, id);
		int rc = c->mem ? session_open_mem(s, c->name, c->mem, c->mem_len) : session_open(s, c->name);
		const struct conn *one = NULL;
		if (rc == 0) {
			session_run(s); /* damage was told when the capture was opened; what was read is shown */
			one = session_conn(s, id);
		}
		if (!one) {
			session_free(s);
			return web_reply_error(r, 409, "the capture could not be read again for its stream");
		}
		a->stream_s = s;
		a->stream_conn = one;
		a->stream_cap = ci;
		a->stream_id = id;
	}
	api_stream(a->stream_s, a->stream_conn, q, r, raw);
}

void web_api_handle(struct web_api *a, const char *method, const char *path, const struct web_req *q,
		    struct web_reply *r)
{
	const char *p = path + 4; /* after "/api" */
	if (strcmp(method, "POST") == 0) {
		if (strcmp(p, "/open") == 0)
			post_open(a, q, r);
		else if (strcmp(p, "/upload") == 0)
			post_upload(a, q, r);
		else
			web_reply_error(r, 404, "no such route");
		return;
	}
	if (strcmp(p, "/captures") == 0)
		return get_captures(a, r);
	if (strcmp(p, "/info") == 0)
		return get_info(a, r);
	if (strcmp(p, "/cases") == 0)
		return get_cases(r);
	if (strcmp(p, "/lesson") == 0)
		return get_lesson(q, r);
	if (strcmp(p, "/learn") == 0) /* api_learn.c: case stepping */
		return api_learn(q, r);
	if (strcmp(p, "/filter") == 0 || strcmp(p, "/filter/pcap") == 0) /* api_filter.c: display filters */
		return api_filter(a, q, r, p[7] == '/');
	if (strcmp(p, "/search") == 0) /* api_filter.c: the search form */
		return api_search_expr(q, r);
	static const char *const per_cap[] = { "/conns", "/stats", "/where", "/chat", "/packet", "/diag", "/http",
					       "/stream", "/stream/raw", "/graph" };
	int k = -1, fk = api_files_route(p);
	if (fk >= 0) { /* the Files view: /files, /file, /file/preview, /files.zip */
		struct web_cap *c = cap_arg(a, q, r);
		const struct conn *cn = NULL;
		if (!c || (q->arg(q->ctx, "conn") && !(cn = conn_arg(c, q, r))))
			return;
		struct web_files_src src = { (size_t)(c - a->caps), c->name, c->mem, c->mem_len, a->keylog };
		return api_files(a->files, &src, cn, fk, q, r);
	}
	for (int i = 0; i < (int)(sizeof per_cap / sizeof *per_cap); i++)
		if (strcmp(p, per_cap[i]) == 0)
			k = i;
	if (k < 0)
		return web_reply_error(r, 404, "no such route");
	struct web_cap *c = cap_arg(a, q, r);
	if (!c)
		return;
	if (k == 0)
		return get_conns(c, r);
	if (k == 1)
		return get_stats(c, r);
	if (k == 2)
		return get_where(c, q, r);
	const struct conn *cn = conn_arg(c, q, r);
	if (!cn)
		return;
	if (k == 3)
		return get_chat(c, cn, q, r);
	if (k == 4)
		return get_packet(c, cn, q, r);
	if (k == 7 || k == 8)
		return get_stream(a, c, cn, q, r, k == 8);
	if (k == 9)
		return get_graph(c, cn, r);
	ndjson(r);
	if (k == 5)
		report_diag_json(&r->body, c->s, cn);
	else
		session_http(c->s, cn, http_cb, &r->body);
}

void web_frame_json(struct strbuf *b, const struct pkt *pk) { frame_obj(b, pk); }
