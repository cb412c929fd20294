/* dns.c: DNS messages (RFC 1035 §4.1) over UDP (one message per datagram) and over
 * TCP (each message after a two-byte length, RFC 1035 §4.2.2, RFC 7766 §8): header,
 * questions, and answer/authority/additional records with A, AAAA, CNAME, NS, PTR,
 * MX, TXT, SOA data decoded.
 *
 * Trust model: untrusted input read through struct rd; names follow compression
 * pointers (§4.1.4) only backwards-bounded by a hop cap and a 255-byte name cap, so a
 * pointer loop ends; record counts are capped per section. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/strbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* RFC 1035 §2.3.4: names are at most 255 bytes. */
#define DNS_NAME_MAX 255
/* Compression pointers followed for one name: a real name needs at most one per label
 * (127); more means a loop. */
#define DNS_MAX_HOPS 128
/* Records shown per section: enough for any real answer (a 64 kB TCP message holds a
 * few thousand tiny records at most); past it they are counted. */
#define DNS_MAX_RR 256

struct dns_state {
	uint64_t n[2];
};

struct tok {
	int v;
	const char *s;
};

static const struct tok types[] = {
	{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" }, { 15, "MX" }, { 16, "TXT" },
	{ 28, "AAAA" }, { 33, "SRV" }, { 41, "OPT" }, { 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 252, "AXFR" }, { 255, "ANY" }, { 257, "CAA" }, { 0, NULL },
};
static const struct tok rcodes[] = {
	{ 0, "NOERROR" }, { 1, "FORMERR" }, { 2, "SERVFAIL" }, { 3, "NXDOMAIN" }, { 4, "NOTIMP" }, { 5, "REFUSED" },
	{ 0, NULL },
};

static const char *tok2str(const struct tok *t, int v, char *buf, size_t n, const char *prefix)
{
	for (; t->s; t++)
		if (t->v == v)
			return t->s;
	snprintf(buf, n, "%s%d", prefix, v);
	return buf;
}

/* Moves r to off, which must lie inside it: a name in RDATA may not run past the
 * record (the reader's end). Returns 0 (status set) when it would. */
static int set_off(struct rd *r, size_t off)
{
	if (off > r->len) {
		rd_fail(r, RD_BAD);
		r->off = r->len;
		return 0;
	}
	r->off = off;
	return 1;
}

/* Reads a (possibly compressed) name at r's offset into out; advances r past the
 * name as it sits in place. msg is the whole message (pointers are offsets into it).
 * Returns 0, or -1 (r status set to RD_BAD) on a loop, bad pointer or long name. */
static int read_name(struct rd *r, const uint8_t *msg, size_t msg_len, struct strbuf *out)
{
	/* r may be a sub-reader (RDATA) inside msg: positions are msg offsets. */
	size_t base = (size_t)(r->p - msg);
	size_t pos = base + r->off;
	int jumped = 0, hops = 0;
	size_t start_len = out->len;
	size_t name_len = 0;
	for (;;) {
		if (pos >= msg_len) {
			rd_fail(r, RD_TRUNC);
			return -1;
		}
		uint8_t l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= msg_len) {
				rd_fail(r, RD_TRUNC);
				return -1;
			}
			size_t to = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (!jumped && !set_off(r, pos + 2 - base))
				return -1;
			jumped = 1;
			if (++hops > DNS_MAX_HOPS || to >= msg_len) {
				rd_fail(r, RD_BAD);
				return -1;
			}
			pos = to;
			continue;
		}
		if (l & 0xc0) { /* 0x40/0x80: extended label types, obsolete (RFC 6891 §5) */
			rd_fail(r, RD_BAD);
			return -1;
		}
		if (l == 0) {
			if (!jumped && !set_off(r, pos + 1 - base))
				return -1;
			if (out->len == start_len)
				sb_putc(out, '.');
			return 0;
		}
		if (pos + 1 + l > msg_len) {
			rd_fail(r, RD_TRUNC);
			return -1;
		}
		name_len += l + 1;
		if (name_len > DNS_NAME_MAX) {
			rd_fail(r, RD_BAD);
			return -1;
		}
		if (out->len > start_len && out->s[out->len - 1] != ' ')
			sb_putc(out, '.');
		for (size_t i = 0; i < l; i++) {
			uint8_t c = msg[pos + 1 + i];
			if (c > 0x20 && c < 0x7f && c != '.')
				sb_putc(out, (char)c);
			else
				sb_printf(out, "\\%03u", c);
		}
		pos += 1 + l;
	}
}

static void rdata(struct strbuf *b, int type, struct rd *rr, const uint8_t *msg, size_t msg_len)
{
	char a[64];
	size_t n = rd_left(rr);
	if (type == 1 && n == 4) {
		const uint8_t *q = rd_bytes(rr, 4);
		sb_printf(b, "%u.%u.%u.%u", q[0], q[1], q[2], q[3]);
	} else if (type == 28 && n == 16) {
		struct ipaddr ip;
		ip.family = 6;
		memcpy(ip.a, rd_bytes(rr, 16), 16);
		sb_puts(b, ipaddr_str(&ip, a, sizeof a));
	} else if (type == 2 || type == 5 || type == 12) {
		read_name(rr, msg, msg_len, b);
	} else if (type == 15) {
		unsigned pref = rd_be16(rr);
		sb_printf(b, "%u ", pref);
		read_name(rr, msg, msg_len, b);
	} else if (type == 16) {
		while (rd_left(rr)) {
			uint8_t l = rd_u8(rr);
			const uint8_t *q = rd_bytes(rr, l);
			if (!q)
				break;
			sb_putc(b, '"');
			for (size_t i = 0; i < l; i++)
				sb_putc(b, q[i] >= 0x20 && q[i] < 0x7f ? (char)q[i] : '.');
			sb_puts(b, "\" ");
		}
	} else if (type == 6) {
		read_name(rr, msg, msg_len, b);
		sb_putc(b, ' ');
		read_name(rr, msg, msg_len, b);
		uint32_t serial = rd_be32(rr);
		sb_printf(b, " serial %" PRIu32, serial);
	} else {
		sb_printf(b, "(%zu bytes)", n);
	}
}

enum { DE_SHORT, DE_MANY_RECORDS, DE_TRAILING, DE_BAD_RECORD, DE_TRUNCATED, DE_COUNT };

static const struct app_event dns_events[DE_COUNT + 1] = {
	[DE_SHORT] = { "dns.short", SEV_ERROR, "a message shorter than the 12-byte DNS header" },
	[DE_MANY_RECORDS] = { "dns.many_records", SEV_NOTE, "more records in a section than chattcp lists" },
	[DE_TRAILING] = { "dns.trailing", SEV_NOTE, "bytes after the last record of a message" },
	[DE_BAD_RECORD] = { "dns.bad_record", SEV_ERROR, "a record that runs past the message or has a bad name" },
	[DE_TRUNCATED] = { "dns.truncated", SEV_NOTE, "a DNS-over-TCP message cut short (its length prefix says more)" },
	[DE_COUNT] = { NULL, 0, NULL },
};

#define EV(x) (&dns_events[DE_##x])

/* Decodes one DNS message msg[0..n) into m. Returns 0, or -1 when it is not a
 * well-formed DNS message (a note says where). */
static int decode_msg(struct appmsg *m, const uint8_t *msg, size_t n, uint64_t base)
{
	struct rd r = rd_make(msg, n);
	uint16_t id = rd_be16(&r), fl = rd_be16(&r);
	uint16_t cnt[4];
	for (int i = 0; i < 4; i++)
		cnt[i] = rd_be16(&r);
	if (!rd_ok(&r)) {
		appmsg_note(m, EV(SHORT), base, "%zu bytes: shorter than the 12-byte DNS header", n);
		appmsg_set_summary(m, "not DNS (too short)", 19);
		return -1;
	}
	int qr = fl >> 15, opcode = (fl >> 11) & 15, rcode = fl & 15;
	m->kind = qr ? "answer" : "query";
	char buf[32], v[64];
	snprintf(v, sizeof v, "0x%04x", id);
	appmsg_kv(m, "id", v, strlen(v));
	snprintf(v, sizeof v, "%s%s%s%s%s opcode %d", qr ? "response" : "query", fl & 0x400 ? " aa" : "",
		 fl & 0x200 ? " tc" : "", fl & 0x100 ? " rd" : "", fl & 0x80 ? " ra" : "", opcode);
	appmsg_kv(m, "flags", v, strlen(v));
	if (qr) {
		const char *rc = tok2str(rcodes, rcode, buf, sizeof buf, "rcode ");
		appmsg_kv(m, "rcode", rc, strlen(rc));
	}
	struct strbuf sum, t;
	sb_init(&sum);
	sb_init(&t);
	sb_printf(&sum, "%s 0x%04x", qr ? "answer" : "query", id);
	if (qr)
		sb_printf(&sum, " %s", tok2str(rcodes, rcode, buf, sizeof buf, "rcode "));
	static const char *const sec[4] = { "question", "answer", "authority", "additional" };
	int shown_answers = 0;
	for (int s = 0; s < 4; s++) {
		for (unsigned i = 0; i < cnt[s]; i++) {
			size_t at = r.off;
			sb_reset(&t);
			if (read_name(&r, msg, n, &t) < 0)
				goto bad;
			int type = rd_be16(&r), cls = rd_be16(&r);
			const char *tn = tok2str(types, type, buf, sizeof buf, "TYPE");
			if (s == 0) {
				if (!rd_ok(&r))
					goto bad;
				if (i < DNS_MAX_RR) {
					sb_printf(&t, " %s%s", tn, cls == 1 ? "" : " (class not IN)");
					appmsg_kv(m, sec[s], t.s, t.len);
				}
				if (i == 0)
					sb_printf(&sum, " %s %.*s", tn, (int)strcspn(t.s, " "), t.s);
				continue;
			}
			uint32_t ttl = rd_be32(&r);
			uint16_t rdl = rd_be16(&r);
			struct rd rr = rd_sub(&r, rdl);
			if (!rd_ok(&r))
				goto bad;
			if (type == 41) { /* EDNS OPT pseudo-record (RFC 6891) */
				sb_reset(&t);
				sb_printf(&t, "EDNS udp payload %d", cls);
				if (i < DNS_MAX_RR)
					appmsg_kv(m, sec[s], t.s, t.len);
				continue;
			}
			sb_printf(&t, " %s ttl %" PRIu32 " ", tn, ttl);
			size_t before = t.len;
			rdata(&t, type, &rr, msg, n);
			if (i < DNS_MAX_RR)
				appmsg_kv(m, sec[s], t.s, t.len);
			if (s == 1 && shown_answers < 3) {
				sb_printf(&sum, "%s%.*s", shown_answers ? ", " : " -> ", (int)(t.len - before), t.s + before);
				shown_answers++;
			}
			(void)at;
		}
		if (cnt[s] > DNS_MAX_RR)
			appmsg_note(m, EV(MANY_RECORDS), base, "%u %s records: the first %d are listed", cnt[s],
				    sec[s], DNS_MAX_RR);
	}
	if (rd_left(&r))
		appmsg_note(m, EV(TRAILING), base + r.off, "%zu bytes after the last record", rd_left(&r));
	appmsg_set_summary(m, sum.s, sum.len);
	sb_fini(&sum);
	sb_fini(&t);
	return 0;
bad:
	appmsg_note(m, EV(BAD_RECORD), base + r.off, "record %s at byte %" PRIu64 " of the stream",
		    r.status == RD_TRUNC ? "runs past the end of the message" : "has a bad name (pointer loop or too long)",
		    base + r.off);
	appmsg_set_summary(m, sum.s, sum.len);
	sb_fini(&sum);
	sb_fini(&t);
	return -1;
}

/* A plausible DNS header: counts small, opcode known, QR matching the side. */
static int header_ok(const uint8_t *p, size_t n, int dir)
{
	if (n < 12)
		return 0;
	int qr = p[2] >> 7, opcode = (p[2] >> 3) & 15;
	unsigned qd = (unsigned)p[4] << 8 | p[5];
	if (opcode > 6 || qd > 4)
		return 0;
	if (dir == 0 && qr)
		return 0;
	if (dir == 1 && !qr)
		return 0;
	return qd >= 1 || qr;
}

static int dns_probe(const uint8_t *p, size_t n, int dir)
{
	/* TCP: length + header (UDP datagrams come here whole, and never start with a
	 * length that matches the rest exactly; the UDP test follows). */
	if (n >= 14) {
		size_t l = (size_t)p[0] << 8 | p[1];
		if (l >= 12 && header_ok(p + 2, n - 2, dir))
			return l == n - 2 ? PROBE_YES : PROBE_MAYBE;
	}
	if (header_ok(p, n, dir)) {
		/* a datagram: the question must parse to the end of its fixed part */
		struct rd r = rd_make(p, n);
		rd_skip(&r, 12);
		struct strbuf t;
		sb_init(&t);
		int ok = read_name(&r, p, n, &t) == 0;
		rd_skip(&r, 4);
		sb_fini(&t);
		return ok && rd_ok(&r) ? PROBE_YES : PROBE_NO;
	}
	return n < 14 ? PROBE_MAYBE : PROBE_NO;
}

static struct feed_res dns_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				int flags)
{
	struct dns_state *st = vst;
	if (flags & FEED_DGRAM) {
		struct appmsg *m = app_msg_begin(L, dir, dir ? "answer" : "query", off);
		decode_msg(m, p, n, off);
		app_msg_end(L, m, off + n);
		app_msg_done(L, m);
		st->n[dir]++;
		return feed_took(n);
	}
	/* RFC 7766 §8: over TCP each message has a two-byte length prefix. */
	struct rd r = rd_make(p, n);
	size_t l = rd_be16(&r);
	if (!rd_ok(&r) || l > rd_left(&r)) {
		if (n && (flags & (FEED_EOF | FEED_GAP))) {
			struct appmsg *m = app_msg_begin(L, dir, "partial", off);
			m->flags |= AM_INCOMPLETE;
			appmsg_set_summary(m, "message cut short", 17);
			appmsg_note(m, EV(TRUNCATED), off, "length prefix says %zu bytes, %zu arrived", l, n >= 2 ? n - 2 : 0);
			app_msg_end(L, m, off + n);
			app_msg_done(L, m);
			return feed_took(n);
		}
		return feed_need(0, rd_ok(&r) ? 2 + l : 2);
	}
	struct appmsg *m = app_msg_begin(L, dir, dir ? "answer" : "query", off);
	decode_msg(m, p + 2, l, off + 2);
	app_msg_end(L, m, off + 2 + l);
	app_msg_done(L, m);
	st->n[dir]++;
	return feed_took(2 + l);
}

const struct proto_desc proto_dns = {
	.name = "dns",
	.what = "DNS over UDP and TCP (RFC 1035, RFC 7766)",
	.role = PROTO_STREAM,
	.transport = 0,
	.ports = { 53, 5353, 0 },
	.events = dns_events,
	.probe = dns_probe,
	.state_size = sizeof(struct dns_state),
	.feed = dns_feed,
};
