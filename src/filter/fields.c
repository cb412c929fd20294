/* fields.c: the field table of display filters. One line per field: its Wireshark
 * name, its type, and how the session's frame view gives it (a getter that appends the
 * field's occurrences). Adding a field is one getter (or a reused one with an arg) and
 * one line. */
#include "filter_int.h"

#include "../base/editdist.h"
#include "../model/labels.h"
#include "../base/xalloc.h"
#include "../proto/plugin.h"
#include "../proto/tls_names.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void put(struct fvals *o, struct fval v)
{
	if (o->n < FILTER_VALUES_MAX)
		o->v[o->n++] = v;
}

static void put_u(struct fvals *o, int type, uint64_t u)
{
	struct fval v = { .type = (uint8_t)type, .u = u };
	put(o, v);
}

static void put_d(struct fvals *o, double d)
{
	struct fval v = { .type = FT_TIME, .d = d };
	put(o, v);
}

static void put_b(struct fvals *o, int type, const void *p, size_t n)
{
	struct fval v = { .type = (uint8_t)type, .p = p, .n = n };
	put(o, v);
}

static void put_ip(struct fvals *o, int family, const uint8_t *a)
{
	struct fval v = { .type = family == 4 ? FT_IPV4 : FT_IPV6 };
	v.ip.family = (uint8_t)family;
	memcpy(v.ip.a, a, family == 4 ? 4 : 16);
	v.prefix = family == 4 ? 32 : 128;
	put(o, v);
}

/* --- frame --- */

enum { FR_NUMBER, FR_LEN, FR_CAPLEN, FR_EPOCH, FR_RELATIVE, FR_DELTA, FR_IFACE };

static void g_frame(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	const struct cap_rec *r = f->rec;
	switch (fd->arg) {
	case FR_NUMBER: put_u(o, FT_UINT, f->pk->frame); break;
	case FR_LEN: put_u(o, FT_UINT, r->wirelen); break;
	case FR_CAPLEN: put_u(o, FT_UINT, r->caplen); break;
	case FR_EPOCH: put_d(o, (double)r->ts_ns / 1e9); break;
	case FR_RELATIVE: put_d(o, (double)(r->ts_ns - f->first_ts) / 1e9); break;
	case FR_DELTA: put_d(o, (double)(r->ts_ns - f->prev_ts) / 1e9); break;
	case FR_IFACE: put_u(o, FT_UINT, r->ifindex); break;
	}
}

static void g_frame_bytes(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	put_b(o, FT_BYTES, f->rec->data, f->rec->caplen);
}

/* --- IP: every header of the family, the tunnels' outer ones too, as Wireshark
 * lists ip.src once per IPv4 header --- */

enum { IP_SRC = 1, IP_DST = 2, IP_ADDR = 3, IP_PROTO = 4, IP_TTL = 5, IP_ID = 6, IP_EXISTS = 7 };

static int inner_ip(const struct pkt *pk, int fam)
{
	return pk->ipver == fam && pk->src.family == fam;
}

static void g_ip(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	int fam = fd->type == FT_IPV6 || (fd->name[2] == 'v') ? 6 : 4;
	const struct pkt *pk = f->pk;
	int kind = fam == 4 ? PL_IPV4 : PL_IPV6;
	for (int i = 0; i < pk->n_layer && i < PKT_LAYER_MAX; i++) {
		const struct pkt_layer *L = &pk->layer[i];
		if (L->kind != kind)
			continue;
		if (fd->arg & IP_SRC && fd->arg <= IP_ADDR)
			put_ip(o, fam, L->a);
		if (fd->arg & IP_DST && fd->arg <= IP_ADDR)
			put_ip(o, fam, L->a + 16);
		if (fd->arg == IP_PROTO)
			put_u(o, FT_UINT, L->proto);
		if (fd->arg == IP_EXISTS)
			put_u(o, FT_NONE, 1);
	}
	if (!inner_ip(pk, fam))
		return;
	/* an ICMP error's quoted header: Wireshark dissects it, so its fields count */
	if (pk->quote.proto && pk->quote.src.family == fam) {
		if (fd->arg == IP_SRC || fd->arg == IP_ADDR)
			put_ip(o, fam, pk->quote.src.a);
		if (fd->arg == IP_DST || fd->arg == IP_ADDR)
			put_ip(o, fam, pk->quote.dst.a);
		if (fd->arg == IP_PROTO)
			put_u(o, FT_UINT, pk->quote.proto);
	}
	switch (fd->arg) {
	case IP_SRC: put_ip(o, fam, pk->src.a); break;
	case IP_DST: put_ip(o, fam, pk->dst.a); break;
	case IP_ADDR: put_ip(o, fam, pk->src.a); put_ip(o, fam, pk->dst.a); break;
	case IP_PROTO: put_u(o, FT_UINT, pk->ipproto); break;
	case IP_TTL: put_u(o, FT_UINT, pk->ttl); break;
	case IP_ID: put_u(o, FT_UINT, pk->ip_id); break;
	case IP_EXISTS: put_u(o, FT_NONE, 1); break;
	}
}

/* ICMP and ICMPv6 by the innermost header's protocol. */
static void g_icmp(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	const struct pkt *pk = f->pk;
	if (pk->ipver && pk->ipproto == fd->arg && !pk->reassembled && pk->kind != PK_FRAGMENT)
		put_u(o, FT_NONE, 1);
}

static void g_arp(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	if (f->pk->ethertype == 0x0806)
		put_u(o, FT_NONE, 1);
}

/* --- TCP --- */

enum {
	T_EXISTS, T_SPORT, T_DPORT, T_PORT, T_STREAM, T_SEQ, T_ACK, T_SEQ_RAW, T_ACK_RAW, T_LEN, T_HDR_LEN,
	T_FLAGS, T_WIN_VALUE, T_WIN, T_PAYLOAD, T_MSS, T_WSCALE, T_URG, T_NXTSEQ, T_DUP_NUM, T_DUP_FRAME,
	T_RETX_FRAME, T_ANALYSIS_FLAGS,
};

static int is_tcp(const struct sess_frame_view *f)
{
	return f->pk->kind == PK_TCP && f->c && f->r;
}

static void g_tcp(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	if (!is_tcp(f))
		return;
	const struct pkt *pk = f->pk;
	const struct pktrec *r = f->r;
	switch (fd->arg) {
	case T_EXISTS: put_b(o, FT_BYTES, pk->l4, pk->l4_caplen); break;
	case T_SPORT: put_u(o, FT_UINT, pk->sport); break;
	case T_DPORT: put_u(o, FT_UINT, pk->dport); break;
	case T_PORT: put_u(o, FT_UINT, pk->sport); put_u(o, FT_UINT, pk->dport); break;
	case T_STREAM: put_u(o, FT_UINT, f->c->id); break;
	case T_SEQ: put_u(o, FT_UINT, r->rseq); break;
	case T_ACK: put_u(o, FT_UINT, r->rack); break;
	case T_SEQ_RAW: put_u(o, FT_UINT, pk->seq); break;
	case T_ACK_RAW: put_u(o, FT_UINT, pk->ack); break;
	case T_LEN: put_u(o, FT_UINT, pk->len); break;
	case T_HDR_LEN: put_u(o, FT_UINT, pk->tcp_hlen); break;
	case T_FLAGS: put_u(o, FT_UINT, pk->flags & 0xfff); break;
	case T_WIN_VALUE: put_u(o, FT_UINT, pk->win); break;
	case T_WIN: {
		int ws = pktrec_wscale(r);
		put_u(o, FT_UINT, ws > 0 ? (uint64_t)pk->win << ws : pk->win);
		break;
	}
	case T_PAYLOAD:
		if (pk->len && pk->caplen)
			put_b(o, FT_BYTES, pk->payload, pk->caplen);
		break;
	case T_MSS:
		if (pk->opt.mss)
			put_u(o, FT_UINT, pk->opt.mss);
		break;
	case T_WSCALE:
		if (pk->opt.wscale >= 0)
			put_u(o, FT_UINT, (uint64_t)pk->opt.wscale);
		break;
	case T_URG: put_u(o, FT_UINT, pk->urp); break;
	case T_NXTSEQ:
		if (pk->len || (pk->flags & (TH_SYN | TH_FIN)))
			put_u(o, FT_UINT, (uint32_t)(r->rseq + pk->len + !!(pk->flags & TH_SYN) + !!(pk->flags & TH_FIN)));
		break;
	case T_DUP_NUM:
		if (r->labels & LB_BIT(LB_DUPLICATE_ACK))
			put_u(o, FT_UINT, r->dup_num);
		break;
	case T_DUP_FRAME:
		if (r->labels & LB_BIT(LB_DUPLICATE_ACK) && r->ref_frame)
			put_u(o, FT_UINT, r->ref_frame);
		break;
	case T_ANALYSIS_FLAGS:
		/* Wireshark's tcp.analysis.flags sits over the expert labels; window update
		 * and reused ports stand alone in its tree too, so every label counts. */
		if (r->labels)
			put_u(o, FT_NONE, 1);
		break;
	}
}

static void g_tcp_flag(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	if (is_tcp(f))
		put_u(o, FT_BOOL, (f->pk->flags & fd->arg) != 0);
}

static void g_label(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	if (is_tcp(f) && f->r->labels & LB_BIT(fd->arg))
		put_u(o, FT_NONE, 1);
}

/* tcp.analysis.retransmission: Wireshark sets it on fast and spurious ones too. */
static void g_label_retx(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	uint32_t any = LB_BIT(LB_RETRANSMISSION) | LB_BIT(LB_FAST_RETRANSMISSION) | LB_BIT(LB_SPURIOUS_RETRANSMISSION);
	if (is_tcp(f) && f->r->labels & any)
		put_u(o, FT_NONE, 1);
}

/* --- UDP: the packet's own, and the outer UDP headers that carry a tunnel --- */

enum { U_EXISTS, U_SPORT, U_DPORT, U_PORT, U_LENGTH, U_STREAM, U_PAYLOAD };

static void g_udp(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	const struct pkt *pk = f->pk;
	for (int i = 0; i < pk->n_layer && i < PKT_LAYER_MAX; i++) {
		const struct pkt_layer *L = &pk->layer[i];
		if (L->kind != PL_UDP)
			continue;
		switch (fd->arg) {
		case U_EXISTS: put_u(o, FT_NONE, 1); break;
		case U_SPORT: put_u(o, FT_UINT, L->v[0]); break;
		case U_DPORT: put_u(o, FT_UINT, L->v[1]); break;
		case U_PORT: put_u(o, FT_UINT, L->v[0]); put_u(o, FT_UINT, L->v[1]); break;
		case U_LENGTH: put_u(o, FT_UINT, L->v[2]); break;
		}
	}
	if (pk->quote.proto == 17 && pk->kind != PK_UDP) {
		/* the UDP header an ICMP error quotes (Wireshark dissects it) */
		switch (fd->arg) {
		case U_EXISTS: put_u(o, FT_NONE, 1); break;
		case U_SPORT: put_u(o, FT_UINT, pk->quote.sport); break;
		case U_DPORT: put_u(o, FT_UINT, pk->quote.dport); break;
		case U_PORT: put_u(o, FT_UINT, pk->quote.sport); put_u(o, FT_UINT, pk->quote.dport); break;
		case U_STREAM:
			if (f->quoted)
				put_u(o, FT_UINT, f->quoted->id);
			break;
		}
		return;
	}
	if (pk->kind == PK_BAD && !pk->malformed && pk->other && !strcmp(pk->other, "UDP") && pk->l4) {
		/* a UDP header cut by the snap length: Wireshark shows the fields that were
		 * captured (no udp.stream: it is not a conversation's datagram) */
		const uint8_t *h = pk->l4;
		uint32_t n = pk->l4_caplen;
		switch (fd->arg) {
		case U_EXISTS: put_b(o, FT_BYTES, h, n); break;
		case U_SPORT: if (n >= 2) put_u(o, FT_UINT, (uint64_t)(h[0] << 8 | h[1])); break;
		case U_DPORT: if (n >= 4) put_u(o, FT_UINT, (uint64_t)(h[2] << 8 | h[3])); break;
		case U_PORT:
			if (n >= 2)
				put_u(o, FT_UINT, (uint64_t)(h[0] << 8 | h[1]));
			if (n >= 4)
				put_u(o, FT_UINT, (uint64_t)(h[2] << 8 | h[3]));
			break;
		case U_LENGTH: if (n >= 6) put_u(o, FT_UINT, (uint64_t)(h[4] << 8 | h[5])); break;
		}
		return;
	}
	if (pk->kind != PK_UDP || !f->c)
		return;
	switch (fd->arg) {
	case U_EXISTS: put_b(o, FT_BYTES, pk->l4, pk->l4_caplen); break;
	case U_SPORT: put_u(o, FT_UINT, pk->sport); break;
	case U_DPORT: put_u(o, FT_UINT, pk->dport); break;
	case U_PORT: put_u(o, FT_UINT, pk->sport); put_u(o, FT_UINT, pk->dport); break;
	case U_LENGTH: put_u(o, FT_UINT, (uint64_t)pk->len + 8); break;
	case U_STREAM: put_u(o, FT_UINT, f->c->id); break;
	case U_PAYLOAD:
		if (pk->len && pk->caplen)
			put_b(o, FT_BYTES, pk->payload, pk->caplen);
		break;
	}
}

/* --- application messages completed by this frame --- */

/* Wireshark shows a reassembled PDU's fields only once the PDU is whole: a message the
 * connection's end (or a gap) cut short has none. */
static int msg_is(const struct appmsg *m, const char *proto)
{
	return m->proto && !strcmp(m->proto, proto) && !m->cleared && !(m->flags & AM_INCOMPLETE);
}

static void put_str(struct fvals *o, const char *s)
{
	if (s)
		put_b(o, FT_STRING, s, strlen(s));
}

enum {
	H_EXISTS, H_SSDP, H_REQUEST, H_RESPONSE, H_METHOD, H_URI, H_VERSION, H_CODE, H_PHRASE, H_HEADER, H_HEADER_UINT,
	H_ANY_HEADER, H_BODY,
};

/* "Name: value" of a header, composed in the scratch room of o. */
static void put_header_line(struct fvals *o, const struct appkv *kv)
{
	size_t nn = strlen(kv->name), need = nn + 2 + kv->value_len;
	if (need > sizeof o->scratch - o->used)
		return;
	char *p = o->scratch + o->used;
	memcpy(p, kv->name, nn);
	memcpy(p + nn, ": ", 2);
	memcpy(p + nn + 2, kv->value, kv->value_len);
	o->used += need;
	put_b(o, FT_STRING, p, need);
}

static const char *const http_header_of[] = { "host", "content-type", "user-agent", "server", "content-length",
					      "location", "referer", "cookie", "connection", "content-encoding",
					      "transfer-encoding", "upgrade", "accept", "authorization", "set-cookie" };

static void g_http(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	for (size_t i = 0; i < f->n_msgs; i++) {
		const struct appmsg *m = f->msgs[i];
		const struct app_http *h = m->http;
		if (!msg_is(m, "http") || !h)
			continue;
		switch (fd->arg & 0xff) {
		case H_EXISTS:
			/* over UDP it is SSDP: Wireshark names that protocol ssdp, with http.* fields */
			if (!f->c || f->c->proto != 17)
				put_u(o, FT_NONE, 1);
			break;
		case H_SSDP:
			if (f->c && f->c->proto == 17)
				put_u(o, FT_NONE, 1);
			break;
		case H_REQUEST: if (h->is_request) put_u(o, FT_NONE, 1); break;
		case H_RESPONSE: if (!h->is_request) put_u(o, FT_NONE, 1); break;
		case H_METHOD: if (h->is_request) put_str(o, h->method); break;
		case H_URI: if (h->is_request) put_str(o, h->uri); break;
		case H_VERSION: put_str(o, h->version); break;
		case H_CODE: if (!h->is_request && h->status) put_u(o, FT_UINT, h->status); break;
		case H_PHRASE: if (!h->is_request) put_str(o, h->reason); break;
		case H_ANY_HEADER:
			for (uint32_t k = 0; k < m->n_kv; k++)
				put_header_line(o, &m->kv[k]);
			break;
		case H_BODY:
			if (m->body && m->body->len)
				put_b(o, FT_BYTES, m->body->p, m->body->len);
			break;
		case H_HEADER:
		case H_HEADER_UINT: {
			const char *name = http_header_of[fd->arg >> 8];
			for (uint32_t k = 0; k < m->n_kv; k++) {
				const struct appkv *kv = &m->kv[k];
				if (strcasecmp(kv->name, name))
					continue;
				if ((fd->arg & 0xff) == H_HEADER_UINT)
					put_u(o, FT_UINT, strtoull(kv->value, NULL, 10));
				else
					put_b(o, FT_STRING, kv->value, kv->value_len);
			}
			break;
		}
		}
	}
}

enum { D_EXISTS, D_QRY_NAME, D_RESPONSE, D_ID };

static void g_dns(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	for (size_t i = 0; i < f->n_msgs; i++) {
		const struct appmsg *m = f->msgs[i];
		if (!msg_is(m, "dns"))
			continue;
		switch (fd->arg) {
		case D_EXISTS: put_u(o, FT_NONE, 1); break;
		case D_RESPONSE: {
			/* the QR bit as read: a message too short for flags has none (the
			 * direction it came from is not the bit) */
			const struct appkv *kv = appmsg_find(m, "flags");
			if (kv)
				put_u(o, FT_BOOL, kv->value_len >= 8 && !memcmp(kv->value, "response", 8));
			break;
		}
		case D_ID: {
			const struct appkv *kv = appmsg_find(m, "id");
			if (kv)
				put_u(o, FT_UINT, strtoull(kv->value, NULL, 16));
			break;
		}
		case D_QRY_NAME:
			for (uint32_t k = 0; k < m->n_kv; k++) {
				const struct appkv *kv = &m->kv[k];
				if (strcmp(kv->name, "question"))
					continue;
				/* "example.com A": the name is up to the last space (the
				 * decoder writes the root as "<Root>") */
				const char *sp = memrchr(kv->value, ' ', kv->value_len);
				size_t n = sp ? (size_t)(sp - kv->value) : kv->value_len;
				if (n && kv->value[n - 1] == ' ')
					n--;
				put_b(o, FT_STRING, kv->value, n);
			}
			break;
		}
	}
}

enum { W_EXISTS, W_OPCODE, W_FIN, W_MASK };

static void g_ws(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	static const char *const key[] = { NULL, "opcode", "fin", "mask" };
	for (size_t i = 0; i < f->n_msgs; i++) {
		const struct appmsg *m = f->msgs[i];
		if (!msg_is(m, "websocket") || !m->kind || strcmp(m->kind, "frame"))
			continue;
		if (fd->arg == W_EXISTS) {
			put_u(o, FT_NONE, 1);
			continue;
		}
		const struct appkv *kv = appmsg_find(m, key[fd->arg]);
		if (kv)
			put_u(o, fd->arg == W_OPCODE ? FT_UINT : FT_BOOL, strtoull(kv->value, NULL, 10));
	}
}

/* --- TLS (proto/tls.c, tls_hs.c): one message per handshake message, alert or
 * record, ending in the frame that completes it (where Wireshark shows it). The
 * layer keeps names and "NAME (0xNNNN)" texts; the numbers Wireshark's fields carry
 * are read back from them. Encrypted handshake messages are seen only with a key log. */
enum { TL_EXISTS, TL_HS_TYPE, TL_HS_VERSION, TL_SNI, TL_ALPN, TL_SUITE, TL_ALERT_LEVEL, TL_ALERT_DESC };

/* The number in "TLS 1.2 (0x0303)" or "0x1301" (0 when there is none). */
static int hex_in(const struct appkv *kv, uint64_t *out)
{
	const char *x = kv ? memmem(kv->value, kv->value_len, "0x", 2) : NULL;
	if (!x)
		return 0;
	char *end;
	*out = strtoull(x + 2, &end, 16);
	return end != x + 2;
}

static int code_of(const char *(*name_of)(uint8_t), const char *name, size_t n)
{
	for (int v = 0; v < 256; v++) {
		const char *s = name_of((uint8_t)v);
		if (s && strlen(s) == n && !memcmp(s, name, n))
			return v;
	}
	return -1;
}

/* A ClientHello's offered suites: every one is a value, as in Wireshark. The layer
 * names them (cut at its list limit), but its JA3 text keeps every non-GREASE suite
 * as a decimal number ("771,4865-4866,..."), and the GREASE ones are in the list as
 * "GREASE 0x0a0a". */
static void offered_suites(const struct appmsg *m, struct fvals *o)
{
	const struct appkv *ja3 = appmsg_find(m, "ja3");
	const char *p = ja3 ? memchr(ja3->value, ',', ja3->value_len) : NULL;
	if (p) {
		const char *end = ja3->value + ja3->value_len;
		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			uint64_t v = 0;
			while (p < end && *p >= '0' && *p <= '9')
				v = v * 10 + (uint64_t)(*p++ - '0');
			put_u(o, FT_UINT, v & 0xffff);
			if (p < end && *p == '-')
				p++;
		}
	}
	const struct appkv *kv = appmsg_find(m, "cipher_suites");
	for (const char *g = kv ? kv->value : NULL; g;) {
		size_t left = (size_t)(kv->value + kv->value_len - g);
		g = memmem(g, left, "GREASE 0x", 9);
		if (!g)
			break;
		g += 9;
		put_u(o, FT_UINT, strtoull(g, NULL, 16) & 0xffff);
	}
}

static void g_tls(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	if (fd->arg == TL_EXISTS)
		for (size_t i = 0; i < f->n_begun; i++)
			if (!strcmp(f->begun[i], "tls")) {
				put_u(o, FT_NONE, 1); /* a record's first segment */
				return;
			}
	for (size_t i = 0; i < f->n_msgs; i++) {
		const struct appmsg *m = f->msgs[i];
		if (!msg_is(m, "tls") || !m->kind)
			continue;
		int hs = code_of(tls_hs_name, m->kind, strlen(m->kind));
		if (!strcmp(m->kind, "hello_retry_request"))
			hs = 2; /* a ServerHello with the special random (RFC 8446 4.1.3) */
		uint64_t u;
		switch (fd->arg) {
		case TL_EXISTS:
			if (strcmp(m->kind, "malformed") && strcmp(m->kind, "resync"))
				put_u(o, FT_NONE, 1);
			break;
		case TL_HS_TYPE:
			if (hs >= 0)
				put_u(o, FT_UINT, (uint64_t)hs);
			break;
		case TL_HS_VERSION:
			if ((hs == 1 || hs == 2) && hex_in(appmsg_find(m, "version"), &u))
				put_u(o, FT_UINT, u);
			break;
		case TL_SNI:
			if (hs == 1) {
				const struct appkv *kv = appmsg_find(m, "sni");
				if (kv)
					put_b(o, FT_STRING, kv->value, kv->value_len);
			}
			break;
		case TL_ALPN: {
			const struct appkv *kv = (hs == 1 || hs == 2 || hs == 8) ? appmsg_find(m, "alpn") : NULL;
			/* one value a protocol name: the layer keeps the list as "h2, http/1.1" */
			for (size_t a = 0; kv && a < kv->value_len;) {
				const char *s = kv->value + a;
				const char *c = memmem(s, kv->value_len - a, ", ", 2);
				size_t len = c ? (size_t)(c - s) : kv->value_len - a;
				put_b(o, FT_STRING, s, len);
				a += len + (c ? 2 : 0);
			}
			break;
		}
		case TL_SUITE:
			if (hs == 2 && hex_in(appmsg_find(m, "cipher_suite"), &u))
				put_u(o, FT_UINT, u);
			if (hs == 1)
				offered_suites(m, o);
			break;
		case TL_ALERT_LEVEL:
		case TL_ALERT_DESC: {
			if (strcmp(m->kind, "alert"))
				break;
			const struct appkv *kv = appmsg_find(m, fd->arg == TL_ALERT_LEVEL ? "level" : "description");
			if (!kv)
				break;
			if (fd->arg == TL_ALERT_LEVEL) {
				put_u(o, FT_UINT, strtoull(kv->value, NULL, 10));
			} else {
				int d = code_of(tls_alert_name, kv->value, kv->value_len);
				if (d >= 0)
					put_u(o, FT_UINT, (uint64_t)d);
			}
			break;
		}
		}
	}
}

#define LBL(n, l) { "tcp.analysis." n, FT_NONE, 0, 0, l, g_label, "analysis label: " n }

static const struct field_def fields[] = {
	{ "frame", FT_BYTES, 0, 1, 0, g_frame_bytes, "the whole frame's bytes" },
	{ "frame.number", FT_UINT, 0, 0, FR_NUMBER, g_frame, "frame number, from 1" },
	{ "frame.len", FT_UINT, 0, 0, FR_LEN, g_frame, "bytes on the wire" },
	{ "frame.cap_len", FT_UINT, 0, 0, FR_CAPLEN, g_frame, "bytes captured" },
	{ "frame.time_epoch", FT_TIME, 0, 0, FR_EPOCH, g_frame, "seconds since 1970" },
	{ "frame.time_relative", FT_TIME, 0, 0, FR_RELATIVE, g_frame, "seconds since the first frame" },
	{ "frame.time_delta", FT_TIME, 0, 0, FR_DELTA, g_frame, "seconds since the previous frame" },
	{ "frame.interface_id", FT_UINT, 0, 0, FR_IFACE, g_frame, "pcapng interface number" },
	{ "ip", FT_NONE, 0, 0, IP_EXISTS, g_ip, "an IPv4 header" },
	{ "ip.src", FT_IPV4, 0, 0, IP_SRC, g_ip, "IPv4 source (any header)" },
	{ "ip.dst", FT_IPV4, 0, 0, IP_DST, g_ip, "IPv4 destination (any header)" },
	{ "ip.addr", FT_IPV4, 0, 0, IP_ADDR, g_ip, "IPv4 source or destination" },
	{ "ip.proto", FT_UINT, 0, 0, IP_PROTO, g_ip, "IPv4 protocol number" },
	{ "ip.ttl", FT_UINT, 0, 0, IP_TTL, g_ip, "IPv4 time to live (innermost header)" },
	{ "ip.id", FT_UINT, 0, 0, IP_ID, g_ip, "IPv4 identification (innermost header)" },
	{ "ipv6", FT_NONE, 0, 0, IP_EXISTS, g_ip, "an IPv6 header" },
	{ "ipv6.src", FT_IPV6, 0, 0, IP_SRC, g_ip, "IPv6 source (any header)" },
	{ "ipv6.dst", FT_IPV6, 0, 0, IP_DST, g_ip, "IPv6 destination (any header)" },
	{ "ipv6.addr", FT_IPV6, 0, 0, IP_ADDR, g_ip, "IPv6 source or destination" },
	{ "ipv6.hlim", FT_UINT, 0, 0, IP_TTL, g_ip, "IPv6 hop limit (innermost header)" },
	{ "icmp", FT_NONE, 0, 0, 1, g_icmp, "an ICMP message" },
	{ "icmpv6", FT_NONE, 0, 0, 58, g_icmp, "an ICMPv6 message" },
	{ "arp", FT_NONE, 0, 0, 0, g_arp, "an ARP packet" },
	{ "tcp", FT_BYTES, 0, 1, T_EXISTS, g_tcp, "a TCP segment (header and payload bytes)" },
	{ "tcp.srcport", FT_UINT, 0, 0, T_SPORT, g_tcp, "TCP source port" },
	{ "tcp.dstport", FT_UINT, 0, 0, T_DPORT, g_tcp, "TCP destination port" },
	{ "tcp.port", FT_UINT, 0, 0, T_PORT, g_tcp, "TCP source or destination port" },
	{ "tcp.stream", FT_UINT, 0, 0, T_STREAM, g_tcp, "TCP connection id (as -c)" },
	{ "tcp.seq", FT_UINT, 0, 0, T_SEQ, g_tcp, "relative sequence number" },
	{ "tcp.ack", FT_UINT, 0, 0, T_ACK, g_tcp, "relative acknowledgment number" },
	{ "tcp.seq_raw", FT_UINT, 0, 0, T_SEQ_RAW, g_tcp, "sequence number as sent" },
	{ "tcp.ack_raw", FT_UINT, 0, 0, T_ACK_RAW, g_tcp, "acknowledgment number as sent" },
	{ "tcp.nxtseq", FT_UINT, 0, 0, T_NXTSEQ, g_tcp, "relative sequence number after this segment" },
	{ "tcp.len", FT_UINT, 0, 0, T_LEN, g_tcp, "TCP payload bytes" },
	{ "tcp.hdr_len", FT_UINT, 0, 0, T_HDR_LEN, g_tcp, "TCP header bytes" },
	{ "tcp.flags", FT_UINT, 0, 0, T_FLAGS, g_tcp, "the flag bits (0x012: SYN+ACK)" },
	{ "tcp.flags.fin", FT_BOOL, 0, 0, TH_FIN, g_tcp_flag, "FIN" },
	{ "tcp.flags.syn", FT_BOOL, 0, 0, TH_SYN, g_tcp_flag, "SYN" },
	{ "tcp.flags.reset", FT_BOOL, 0, 0, TH_RST, g_tcp_flag, "RST" },
	{ "tcp.flags.push", FT_BOOL, 0, 0, TH_PSH, g_tcp_flag, "PSH" },
	{ "tcp.flags.ack", FT_BOOL, 0, 0, TH_ACK, g_tcp_flag, "ACK" },
	{ "tcp.flags.urg", FT_BOOL, 0, 0, TH_URG, g_tcp_flag, "URG" },
	{ "tcp.flags.ece", FT_BOOL, 0, 0, TH_ECE, g_tcp_flag, "ECE" },
	{ "tcp.flags.cwr", FT_BOOL, 0, 0, TH_CWR, g_tcp_flag, "CWR" },
	{ "tcp.flags.ns", FT_BOOL, 0, 0, TH_NS, g_tcp_flag, "NS (accurate ECN)" },
	{ "tcp.window_size_value", FT_UINT, 0, 0, T_WIN_VALUE, g_tcp, "window field as sent" },
	{ "tcp.window_size", FT_UINT, 0, 0, T_WIN, g_tcp, "window in bytes (scaled)" },
	{ "tcp.urgent_pointer", FT_UINT, 0, 0, T_URG, g_tcp, "urgent pointer" },
	{ "tcp.payload", FT_BYTES, 0, 1, T_PAYLOAD, g_tcp, "TCP payload bytes (captured)" },
	{ "tcp.options.mss_val", FT_UINT, 0, 0, T_MSS, g_tcp, "MSS option" },
	{ "tcp.options.wscale.shift", FT_UINT, 0, 0, T_WSCALE, g_tcp, "window scale option" },
	{ "tcp.analysis.flags", FT_NONE, 0, 0, T_ANALYSIS_FLAGS, g_tcp, "any analysis label" },
	{ "tcp.analysis.retransmission", FT_NONE, 0, 0, LB_RETRANSMISSION, g_label_retx,
	  "analysis label: retransmission (fast and spurious ones too)" },
	LBL("fast_retransmission", LB_FAST_RETRANSMISSION),
	LBL("spurious_retransmission", LB_SPURIOUS_RETRANSMISSION),
	LBL("out_of_order", LB_OUT_OF_ORDER),
	LBL("lost_segment", LB_LOST_SEGMENT),
	LBL("ack_lost_segment", LB_ACK_LOST_SEGMENT),
	LBL("duplicate_ack", LB_DUPLICATE_ACK),
	LBL("keep_alive", LB_KEEP_ALIVE),
	LBL("keep_alive_ack", LB_KEEP_ALIVE_ACK),
	LBL("zero_window", LB_ZERO_WINDOW),
	LBL("zero_window_probe", LB_ZERO_WINDOW_PROBE),
	LBL("zero_window_probe_ack", LB_ZERO_WINDOW_PROBE_ACK),
	LBL("window_full", LB_WINDOW_FULL),
	LBL("window_update", LB_WINDOW_UPDATE),
	LBL("reused_ports", LB_REUSED_PORTS),
	{ "tcp.analysis.duplicate_ack_num", FT_UINT, 0, 0, T_DUP_NUM, g_tcp, "duplicate ACK count so far" },
	{ "tcp.analysis.duplicate_ack_frame", FT_UINT, 0, 0, T_DUP_FRAME, g_tcp, "the frame it duplicates" },
	{ "udp", FT_BYTES, 0, 1, U_EXISTS, g_udp, "a UDP datagram (header and payload bytes)" },
	{ "udp.srcport", FT_UINT, 0, 0, U_SPORT, g_udp, "UDP source port (any UDP header)" },
	{ "udp.dstport", FT_UINT, 0, 0, U_DPORT, g_udp, "UDP destination port (any UDP header)" },
	{ "udp.port", FT_UINT, 0, 0, U_PORT, g_udp, "UDP source or destination port" },
	{ "udp.length", FT_UINT, 0, 0, U_LENGTH, g_udp, "UDP length field" },
	{ "udp.stream", FT_UINT, 0, 0, U_STREAM, g_udp, "UDP conversation id (as -c uN)" },
	{ "udp.payload", FT_BYTES, 0, 1, U_PAYLOAD, g_udp, "UDP payload bytes (captured)" },
	{ "http", FT_NONE, 1, 0, H_EXISTS, g_http, "an HTTP message ends in this frame (over TCP)" },
	{ "ssdp", FT_NONE, 1, 0, H_SSDP, g_http, "an HTTP message over UDP (SSDP: UPnP discovery), with the http.* fields" },
	{ "http.request", FT_NONE, 1, 0, H_REQUEST, g_http, "an HTTP request" },
	{ "http.response", FT_NONE, 1, 0, H_RESPONSE, g_http, "an HTTP response" },
	{ "http.request.method", FT_STRING, 1, 1, H_METHOD, g_http, "GET, POST, ..." },
	{ "http.request.uri", FT_STRING, 1, 1, H_URI, g_http, "the request target" },
	{ "http.request.version", FT_STRING, 1, 1, H_VERSION, g_http, "HTTP/1.1" },
	{ "http.response.code", FT_UINT, 1, 0, H_CODE, g_http, "status code" },
	{ "http.response.phrase", FT_STRING, 1, 1, H_PHRASE, g_http, "reason phrase" },
	{ "http.host", FT_STRING, 1, 1, H_HEADER | 0 << 8, g_http, "Host header" },
	{ "http.content_type", FT_STRING, 1, 1, H_HEADER | 1 << 8, g_http, "Content-Type header" },
	{ "http.user_agent", FT_STRING, 1, 1, H_HEADER | 2 << 8, g_http, "User-Agent header" },
	{ "http.server", FT_STRING, 1, 1, H_HEADER | 3 << 8, g_http, "Server header" },
	{ "http.content_length", FT_UINT, 1, 0, H_HEADER_UINT | 4 << 8, g_http, "Content-Length header" },
	{ "http.location", FT_STRING, 1, 1, H_HEADER | 5 << 8, g_http, "Location header" },
	{ "http.referer", FT_STRING, 1, 1, H_HEADER | 6 << 8, g_http, "Referer header" },
	{ "http.cookie", FT_STRING, 1, 1, H_HEADER | 7 << 8, g_http, "Cookie header" },
	{ "http.connection", FT_STRING, 1, 1, H_HEADER | 8 << 8, g_http, "Connection header" },
	{ "http.content_encoding", FT_STRING, 1, 1, H_HEADER | 9 << 8, g_http, "Content-Encoding header" },
	{ "http.transfer_encoding", FT_STRING, 1, 1, H_HEADER | 10 << 8, g_http, "Transfer-Encoding header" },
	{ "http.upgrade", FT_STRING, 1, 1, H_HEADER | 11 << 8, g_http, "Upgrade header" },
	{ "http.accept", FT_STRING, 1, 1, H_HEADER | 12 << 8, g_http, "Accept header" },
	{ "http.authorization", FT_STRING, 1, 1, H_HEADER | 13 << 8, g_http, "Authorization header" },
	{ "http.set_cookie", FT_STRING, 1, 1, H_HEADER | 14 << 8, g_http, "Set-Cookie header" },
	{ "http.header", FT_STRING, 1, 1, H_ANY_HEADER, g_http, "any header line, as \"Name: value\" (chattcp's)" },
	{ "http.file_data", FT_BYTES, 1, 1, H_BODY, g_http, "the body, decoded (the first 4 KiB kept)" },
	{ "dns", FT_NONE, 1, 0, D_EXISTS, g_dns, "a DNS message" },
	{ "dns.qry.name", FT_STRING, 1, 1, D_QRY_NAME, g_dns, "a question's name" },
	{ "dns.flags.response", FT_BOOL, 1, 0, D_RESPONSE, g_dns, "1 for an answer" },
	{ "dns.id", FT_UINT, 1, 0, D_ID, g_dns, "transaction id" },
	{ "websocket", FT_NONE, 1, 0, W_EXISTS, g_ws, "a WebSocket frame" },
	{ "websocket.opcode", FT_UINT, 1, 0, W_OPCODE, g_ws, "1 text, 2 binary, 8 close, 9 ping, 10 pong" },
	{ "websocket.fin", FT_BOOL, 1, 0, W_FIN, g_ws, "last frame of a message" },
	{ "websocket.mask", FT_BOOL, 1, 0, W_MASK, g_ws, "masked (client to server)" },
	{ "tls", FT_NONE, 1, 0, TL_EXISTS, g_tls, "a TLS record or handshake message ends in this frame" },
	{ "tls.handshake.type", FT_UINT, 1, 0, TL_HS_TYPE, g_tls, "1 ClientHello, 2 ServerHello, 11 Certificate, ..." },
	{ "tls.handshake.version", FT_UINT, 1, 0, TL_HS_VERSION, g_tls, "a hello's legacy version (0x0303)" },
	{ "tls.handshake.extensions_server_name", FT_STRING, 1, 1, TL_SNI, g_tls, "the server name (SNI) a ClientHello asks for" },
	{ "tls.handshake.extensions_alpn_str", FT_STRING, 1, 1, TL_ALPN, g_tls, "an ALPN protocol name (h2, http/1.1)" },
	{ "tls.handshake.ciphersuite", FT_UINT, 1, 0, TL_SUITE, g_tls, "a suite a ClientHello offers or a ServerHello chose" },
	{ "tls.alert_message.level", FT_UINT, 1, 0, TL_ALERT_LEVEL, g_tls, "1 warning, 2 fatal (alerts in the clear)" },
	{ "tls.alert_message.desc", FT_UINT, 1, 0, TL_ALERT_DESC, g_tls, "the alert's code (40 handshake_failure, ...)" },
};

#define N_FIELDS (sizeof fields / sizeof fields[0])

/* --- a plugin's fields (--plugin: proto/plugin.h): "NAME" (a message of it ends in
 * this frame) and "NAME.key", any key its parse() returned, as text; compared with a
 * number ("mqtt.qos == 1", "lenpref.len > 20") the numeric twin is used, which gives
 * the values that are whole numbers. Made on first use, kept for the process. */

/* Plugin field names a process keeps (each filter names a few). */
#define PLUGIN_FIELDS_MAX 128

/* Process state, as the plugins it names (proto/plugin.c): filters of web UI threads
 * may add to it at once, hence the lock. */
static struct plugin_fields {
	struct field_def d[PLUGIN_FIELDS_MAX][2];
	size_t n;
	pthread_mutex_t mu;
} pf = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void g_plugin(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *o)
{
	const char *dot = strchr(fd->name, '.');
	size_t pn = dot ? (size_t)(dot - fd->name) : strlen(fd->name);
	for (size_t i = 0; i < f->n_msgs; i++) {
		const struct appmsg *m = f->msgs[i];
		if (!m->proto || strlen(m->proto) != pn || memcmp(m->proto, fd->name, pn) || m->cleared ||
		    (m->flags & AM_INCOMPLETE))
			continue;
		if (!dot) {
			put_u(o, FT_NONE, 1);
			continue;
		}
		const struct appkv *kv = appmsg_find(m, dot + 1);
		if (!kv)
			continue;
		if (fd->type == FT_UINT) {
			char *end;
			unsigned long long u = strtoull(kv->value, &end, 10);
			if (kv->value_len && kv->value[0] != '-' && end == kv->value + kv->value_len)
				put_u(o, FT_UINT, u);
		} else {
			put_b(o, FT_STRING, kv->value, kv->value_len);
		}
	}
}

static const struct field_def *plugin_field(const char *name, size_t n)
{
	const char *dot = memchr(name, '.', n);
	if (!plugin_is_name(name, dot ? (size_t)(dot - name) : n))
		return NULL;
	pthread_mutex_lock(&pf.mu);
	for (size_t i = 0; i < pf.n; i++)
		if (strlen(pf.d[i][0].name) == n && !memcmp(pf.d[i][0].name, name, n)) {
			pthread_mutex_unlock(&pf.mu);
			return &pf.d[i][0];
		}
	if (pf.n == PLUGIN_FIELDS_MAX || n > 200) {
		pthread_mutex_unlock(&pf.mu);
		return NULL;
	}
	struct field_def *d = pf.d[pf.n++];
	char *nm = xmalloc(n + 1);
	memcpy(nm, name, n);
	nm[n] = 0;
	d[0] = (struct field_def){ nm, dot ? FT_STRING : FT_NONE, 1, 0, 0, g_plugin, "a plugin's field (as text)" };
	d[1] = (struct field_def){ nm, FT_UINT, 1, 0, 1, g_plugin, "a plugin's field (as a number)" };
	pthread_mutex_unlock(&pf.mu);
	return d;
}

const struct field_def *field_plugin_number(const struct field_def *fd)
{
	if (fd->get != g_plugin || fd->type != FT_STRING)
		return NULL;
	return fd + 1;
}

const struct field_def *field_lookup(const char *name, size_t n)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (strlen(fields[i].name) == n && !memcmp(fields[i].name, name, n))
			return &fields[i];
	return plugin_field(name, n);
}

const char *field_suggest(const char *name, size_t n)
{
	const char *best = NULL;
	size_t best_d = n < 6 ? 2 : 4;
	for (size_t i = 0; i < N_FIELDS; i++) {
		size_t d = edit_distance(name, n, fields[i].name);
		if (d < best_d) {
			best = fields[i].name;
			best_d = d;
		}
	}
	return best;
}

const char *ftype_name(int t)
{
	static const char *const names[] = { "protocol or label", "boolean", "unsigned integer", "time in seconds",
					     "IPv4 address", "IPv6 address", "string", "byte string" };
	return t >= 0 && t <= FT_BYTES ? names[t] : "?";
}

const struct filter_field_info *filter_field(size_t i)
{
	static struct filter_field_info info;
	if (i >= N_FIELDS)
		return NULL;
	info.name = fields[i].name;
	info.type = ftype_name(fields[i].type);
	info.what = fields[i].what;
	return &info;
}
