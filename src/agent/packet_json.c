/* packet_json.c: see packet_json.h. */
#include "packet_json.h"

#include "../base/sha.h"
#include "../base/xalloc.h"
#include "../decode/pkt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void put_time(struct strbuf *b, int64_t ts_ns)
{
	int64_t s = ts_ns / 1000000000, ns = ts_ns % 1000000000;
	if (ns < 0)
		s--, ns += 1000000000;
	time_t t = (time_t)s;
	struct tm tm;
	char day[40];
	if (!gmtime_r(&t, &tm) || !strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(day, sizeof day, "1970-01-01T00:00:00");
	sb_printf(b, "\"time\":\"%s.%09lldZ\",\"ts_ns\":%lld", day, (long long)ns, (long long)ts_ns);
}

static void put_flags(struct strbuf *b, uint16_t f)
{
	static const struct { uint16_t bit; const char *name; } names[] = {
		{ TH_SYN, "SYN" }, { TH_ACK, "ACK" }, { TH_FIN, "FIN" }, { TH_RST, "RST" }, { TH_PSH, "PSH" },
		{ TH_URG, "URG" }, { TH_ECE, "ECE" }, { TH_CWR, "CWR" }, { TH_NS, "NS" },
	};
	sb_puts(b, ",\"flags\":[");
	int first = 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (f & names[i].bit) {
			sb_printf(b, "%s\"%s\"", first ? "" : ",", names[i].name);
			first = 0;
		}
	sb_printf(b, "],\"flag_bits\":%u", f);
}

static void put_options(struct strbuf *b, const struct tcp_opts *o)
{
	sb_puts(b, ",\"options\":{");
	int first = 1;
#define SEP() do { if (!first) sb_putc(b, ','); first = 0; } while (0)
	if (o->mss) {
		SEP();
		sb_printf(b, "\"mss\":%u", o->mss);
	}
	if (o->wscale >= 0) {
		SEP();
		sb_printf(b, "\"wscale\":%d", o->wscale);
	}
	if (o->sack_perm) {
		SEP();
		sb_puts(b, "\"sack_perm\":true");
	}
	if (o->has_ts) {
		SEP();
		sb_printf(b, "\"tsval\":%u,\"tsecr\":%u", o->tsval, o->tsecr);
	}
	if (o->n_sack) {
		SEP();
		sb_puts(b, "\"sack\":[");
		for (unsigned i = 0; i < o->n_sack && i < TCP_MAX_SACK; i++)
			sb_printf(b, "%s[%u,%u]", i ? "," : "", o->sack[i][0], o->sack[i][1]);
		sb_putc(b, ']');
	}
	if (o->tfo) {
		SEP();
		sb_printf(b, "\"tfo\":\"%s\"", o->tfo == 1 ? "cookie request" : "cookie");
	}
	if (o->bad) {
		SEP();
		sb_puts(b, "\"bad\":true");
	}
#undef SEP
	sb_putc(b, '}');
}

void agent_packet_json(struct strbuf *b, uint64_t n, uint16_t linktype, int64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t wirelen)
{
	struct cap_rec rec;
	memset(&rec, 0, sizeof rec);
	rec.data = data;
	rec.caplen = caplen;
	rec.wirelen = wirelen;
	rec.ts_ns = ts_ns;
	rec.linktype = linktype;
	rec.ts_digits = 9;
	struct pkt *pk = xmalloc(sizeof *pk);
	decode_packet(&rec, (uint32_t)n, pk, NULL);
	sb_printf(b, "{\"n\":%llu,", (unsigned long long)n);
	put_time(b, ts_ns);
	sb_printf(b, ",\"caplen\":%u,\"len\":%u,\"linktype\":%u", caplen, wirelen, linktype);
	if (pk->ipver == 4 || pk->ipver == 6) {
		char s[64], d[64];
		ipaddr_str(&pk->src, s, sizeof s);
		ipaddr_str(&pk->dst, d, sizeof d);
		sb_printf(b, ",\"ip\":{\"version\":%u,\"src\":\"%s\",\"dst\":\"%s\",\"ttl\":%u,\"tos\":%u", pk->ipver, s,
			  d, pk->ttl, pk->tos);
		if (pk->ipver == 4)
			sb_printf(b, ",\"id\":%u", pk->ip_id);
		sb_printf(b, ",\"proto\":%u}", pk->ipproto);
	}
	if (pk->kind == PK_TCP) {
		sb_printf(b, ",\"tcp\":{\"sport\":%u,\"dport\":%u,\"seq\":%u,\"ack\":%u", pk->sport, pk->dport, pk->seq,
			  pk->ack);
		put_flags(b, pk->flags);
		sb_printf(b, ",\"window\":%u,\"urgent\":%u,\"header_len\":%u,\"checksum\":%u", pk->win, pk->urp,
			  pk->tcp_hlen, pk->tcp_csum);
		put_options(b, &pk->opt);
		sb_putc(b, '}');
	} else if (pk->kind == PK_UDP) {
		sb_printf(b, ",\"udp\":{\"sport\":%u,\"dport\":%u}", pk->sport, pk->dport);
	}
	if (pk->kind == PK_TCP || pk->kind == PK_UDP) {
		sb_printf(b, ",\"payload_len\":%u,\"payload\":\"", pk->len);
		uint32_t m = pk->caplen;
		if (m && pk->payload) {
			char *enc = xmalloc(4 * (((size_t)m + 2) / 3) + 1);
			base64_encode(pk->payload, m, enc);
			sb_puts(b, enc);
			xfree(enc);
		}
		sb_putc(b, '"');
	} else {
		const char *what = pk->kind == PK_FRAGMENT ? "IP fragment" : pk->other ? pk->other : "not TCP or UDP";
		sb_puts(b, ",\"other\":");
		sb_json_str(b, what, strlen(what));
	}
	if (pk->truncated)
		sb_puts(b, ",\"truncated\":true");
	if (pk->malformed || (pk->kind == PK_BAD && pk->why)) {
		sb_puts(b, ",\"malformed\":");
		const char *w = pk->why ? pk->why : "malformed";
		sb_json_str(b, w, strlen(w));
	}
	sb_putc(b, '}');
	xfree(pk);
}
