/* tls_hs.c: TLS handshake messages (RFC 8446 §4, RFC 5246 §7.4, RFC 4492/8422 §5.4,
 * RFC 5077 §3.3, RFC 6066, RFC 7301) into a message's fields: every list by name, and
 * what the connection must remember (versions, randoms, suite, SNI, ALPN, resumption)
 * into struct tls_hs.
 *
 * Trust model: a body is untrusted; it is read through struct rd, every vector through
 * rd_sub, so a length that runs past its container is malformed (tls.bad_handshake with
 * the offset of the field) and what was read before it is kept. Lists are shown whole
 * up to TLS_LIST_SHOW entries. */
#include "tls_hs.h"
#include "tls_names.h"

#include "../base/rd.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Entries of one list shown (cipher suites, groups...): a ClientHello may list 32,767
 * suites; past this the field says how many more there were. */
#define TLS_LIST_SHOW 128

/* RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest. */
static const uint8_t HRR_RANDOM[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static void kv_sb(struct appmsg *m, const char *name, const struct strbuf *b)
{
	appmsg_kv(m, name, b->s ? b->s : "", b->len);
}

static void kv_str(struct appmsg *m, const char *name, const char *s) { appmsg_kv(m, name, s, strlen(s)); }

static void kv_hex(struct appmsg *m, const char *name, const uint8_t *p, size_t n)
{
	struct strbuf b;
	sb_init(&b);
	for (size_t i = 0; i < n; i++)
		sb_printf(&b, "%02x", p[i]);
	kv_sb(m, name, &b);
	sb_fini(&b);
}

static void kv_u64(struct appmsg *m, const char *name, uint64_t v)
{
	char s[24];
	snprintf(s, sizeof s, "%" PRIu64, v);
	kv_str(m, name, s);
}

static void put_version(struct strbuf *b, uint16_t v)
{
	char buf[16];
	if (tls_is_grease(v))
		sb_printf(b, "GREASE 0x%04x", v);
	else
		sb_puts(b, tls_version_name(v, buf, sizeof buf));
}

/* One code point of a list, after ", " when the list has begun: its name, GREASE, or
 * its number when it has no name. */
static void put_code(struct strbuf *b, uint16_t v, const char *name)
{
	if (b->len)
		sb_puts(b, ", ");
	if (tls_is_grease(v))
		sb_printf(b, "GREASE 0x%04x", v);
	else if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "0x%04x", v);
}

/* A list of 16-bit code points as names, with a GREASE or unknown value as its number. */
static void kv_list16(struct appmsg *m, const char *name, const uint8_t *p, size_t n,
		      const char *(*namer)(uint16_t))
{
	struct strbuf b;
	sb_init(&b);
	size_t k = n / 2;
	for (size_t i = 0; i < k && i < TLS_LIST_SHOW; i++) {
		uint16_t v = (uint16_t)(p[2 * i] << 8 | p[2 * i + 1]);
		put_code(&b, v, namer ? namer(v) : NULL);
	}
	if (k > TLS_LIST_SHOW)
		sb_printf(&b, " and %zu more", k - TLS_LIST_SHOW);
	kv_sb(m, name, &b);
	sb_fini(&b);
}

static void bad(struct appmsg *m, uint64_t at, const struct rd *r, const char *what)
{
	appmsg_note(m, TLS_EV(BAD_HANDSHAKE), at + r->fail_off, "%s: a length runs past its container at byte %zu of the message",
		    what, r->fail_off);
}

/* Copies a host name or ALPN name for the connection, cut at max. */
static void keep_name(char *dst, size_t max, const uint8_t *p, size_t n)
{
	if (n > max)
		n = max;
	memcpy(dst, p, n);
	dst[n] = 0;
}

/* Printable form of a name from the wire for a field (raw bytes are stored; the
 * terminal escapes them, security.md). */
static void kv_bytes(struct appmsg *m, const char *name, const uint8_t *p, size_t n)
{
	appmsg_kv(m, name, (const char *)p, n);
}

enum hello_kind { HK_CH, HK_SH, HK_HRR, HK_EE, HK_NST, HK_CR };

/* The extensions block of a hello (or EncryptedExtensions, NewSessionTicket,
 * CertificateRequest in 1.3). lists: the ClientHello's, filled for the fingerprints. */
static void parse_exts(struct tls_hs *hs, struct appmsg *m, int kind, struct rd *ext, uint64_t at,
		       struct tls_ch_lists *lists)
{
	struct strbuf names;
	sb_init(&names);
	size_t cap_exts = 0;
	while (rd_left(ext) && rd_ok(ext)) {
		size_t start = ext->off;
		uint16_t type = rd_be16(ext);
		size_t len = rd_be16(ext);
		struct rd e = rd_sub(ext, len);
		if (!rd_ok(ext)) {
			bad(m, at, ext, "extension");
			break;
		}
		(void)start;
		put_code(&names, type, tls_ext_name(type));
		if (lists) {
			if (lists->n_exts == cap_exts) {
				cap_exts = cap_exts ? 2 * cap_exts : 32;
				lists->exts = xrealloc(lists->exts, cap_exts * sizeof *lists->exts);
			}
			lists->exts[lists->n_exts++] = type;
		}
		struct strbuf b;
		sb_init(&b);
		switch (type) {
		case 0: /* server_name, RFC 6066 §3 */
			if (kind == HK_CH) {
				struct rd l = rd_sub(&e, rd_be16(&e));
				while (rd_left(&l)) {
					uint8_t nt = rd_u8(&l);
					struct rd h = rd_sub(&l, rd_be16(&l));
					if (!rd_ok(&l))
						break;
					if (nt == 0) {
						kv_bytes(m, "sni", rd_here(&h), rd_left(&h));
						if (!hs->sni[0])
							keep_name(hs->sni, TLS_NAME_MAX, rd_here(&h), rd_left(&h));
					}
				}
				if (lists)
					lists->has_sni = 1;
				if (!rd_ok(&l) || !rd_ok(&e))
					bad(m, at, rd_ok(&l) ? &e : &l, "server_name");
			}
			break;
		case 10: { /* supported_groups */
			struct rd l = rd_sub(&e, rd_be16(&e));
			kv_list16(m, "supported_groups", rd_here(&l), rd_left(&l), tls_group_name);
			if (lists) {
				lists->groups = rd_here(&l);
				lists->n_groups = rd_left(&l) / 2;
			}
			break;
		}
		case 11: { /* ec_point_formats */
			struct rd l = rd_sub(&e, rd_u8(&e));
			for (size_t i = 0; i < rd_left(&l); i++)
				sb_printf(&b, "%s%u", i ? ", " : "", rd_here(&l)[i]);
			if (lists) {
				lists->formats = rd_here(&l);
				lists->n_formats = rd_left(&l);
			}
			kv_sb(m, "ec_point_formats", &b);
			break;
		}
		case 13: case 50: { /* signature_algorithms(_cert) */
			struct rd l = rd_sub(&e, rd_be16(&e));
			kv_list16(m, type == 13 ? "signature_algorithms" : "signature_algorithms_cert", rd_here(&l), rd_left(&l),
				  tls_sigalg_name);
			if (lists && type == 13) {
				lists->sigalgs = rd_here(&l);
				lists->n_sigalgs = rd_left(&l) / 2;
			}
			break;
		}
		case 16: { /* ALPN, RFC 7301 §3.1 */
			struct rd l = rd_sub(&e, rd_be16(&e));
			int first = 1;
			while (rd_left(&l)) {
				size_t k = rd_u8(&l);
				const uint8_t *s = rd_bytes(&l, k);
				if (!s)
					break;
				if (!first)
					sb_puts(&b, ", ");
				sb_add(&b, (const char *)s, k);
				if (first) {
					if (kind == HK_CH) {
						keep_name(hs->alpn_offered, TLS_ALPN_MAX, s, k);
						if (lists) {
							lists->alpn0 = s;
							lists->alpn0_len = k;
						}
					} else {
						keep_name(hs->alpn, TLS_ALPN_MAX, s, k);
					}
				}
				first = 0;
			}
			kv_sb(m, "alpn", &b);
			break;
		}
		case 22:
			if (kind == HK_SH)
				hs->etm = 1;
			kv_str(m, "encrypt_then_mac", "yes");
			break;
		case 23:
			if (kind == HK_SH)
				hs->ems = 1;
			kv_str(m, "extended_master_secret", "yes");
			break;
		case 35: /* session_ticket, RFC 5077 */
			if (kind == HK_CH) {
				if (rd_left(&e))
					hs->ticket_offered = 1;
				sb_printf(&b, rd_left(&e) ? "a ticket of %zu bytes" : "empty (asks for one)", rd_left(&e));
			} else {
				sb_puts(&b, "the server will send a ticket");
			}
			kv_sb(m, "session_ticket", &b);
			break;
		case 41: /* pre_shared_key, RFC 8446 §4.2.11 */
			if (kind == HK_CH) {
				struct rd ids = rd_sub(&e, rd_be16(&e));
				size_t k = 0;
				while (rd_left(&ids)) {
					struct rd id = rd_sub(&ids, rd_be16(&ids));
					(void)id;
					rd_skip(&ids, 4);
					if (!rd_ok(&ids))
						break;
					k++;
				}
				hs->psk_offered = 1;
				sb_printf(&b, "%zu identit%s offered", k, k == 1 ? "y" : "ies");
			} else {
				uint16_t sel = rd_be16(&e);
				if (rd_ok(&e) && kind == HK_SH)
					hs->resumed = 1;
				sb_printf(&b, "identity %u accepted", sel);
			}
			kv_sb(m, "pre_shared_key", &b);
			break;
		case 42: /* early_data */
			if (kind == HK_CH)
				hs->early_offered = 1;
			else if (kind == HK_EE)
				hs->early_accepted = 1;
			if (kind == HK_NST)
				sb_printf(&b, "up to %" PRIu32 " bytes", rd_be32(&e));
			else
				sb_puts(&b, kind == HK_CH ? "offered (0-RTT)" : "accepted (0-RTT)");
			kv_sb(m, "early_data", &b);
			break;
		case 43: /* supported_versions */
			if (kind == HK_CH) {
				struct rd l = rd_sub(&e, rd_u8(&e));
				while (rd_left(&l) >= 2) {
					uint16_t v = rd_be16(&l);
					if (b.len)
						sb_puts(&b, ", ");
					put_version(&b, v);
					if (!tls_is_grease(v) && v > hs->ch_max_version && v < 0x7f00)
						hs->ch_max_version = v;
				}
				if (lists)
					lists->max_version = hs->ch_max_version;
			} else {
				uint16_t v = rd_be16(&e);
				if (rd_ok(&e))
					hs->version = v;
				put_version(&b, v);
			}
			kv_sb(m, "supported_versions", &b);
			break;
		case 44: /* cookie */
			sb_printf(&b, "%zu bytes", rd_left(&e));
			kv_sb(m, "cookie", &b);
			break;
		case 45: { /* psk_key_exchange_modes */
			struct rd l = rd_sub(&e, rd_u8(&e));
			while (rd_left(&l)) {
				uint8_t v = rd_u8(&l);
				sb_printf(&b, "%s%s", b.len ? ", " : "", v == 0 ? "psk_ke" : v == 1 ? "psk_dhe_ke" : "?");
			}
			kv_sb(m, "psk_key_exchange_modes", &b);
			break;
		}
		case 51: /* key_share, RFC 8446 §4.2.8 */
			if (kind == HK_CH) {
				struct rd l = rd_sub(&e, rd_be16(&e));
				while (rd_left(&l)) {
					uint16_t g = rd_be16(&l);
					struct rd k = rd_sub(&l, rd_be16(&l));
					if (!rd_ok(&l))
						break;
					put_code(&b, g, tls_group_name(g));
					sb_printf(&b, " (%zu bytes)", rd_left(&k));
				}
			} else {
				uint16_t g = rd_be16(&e);
				const char *gn = tls_group_name(g);
				if (rd_ok(&e))
					hs->group = g;
				if (gn)
					sb_puts(&b, gn);
				else
					sb_printf(&b, "0x%04x", g);
				if (kind == HK_SH) {
					struct rd k = rd_sub(&e, rd_be16(&e));
					sb_printf(&b, " (%zu bytes)", rd_left(&k));
				}
			}
			kv_sb(m, "key_share", &b);
			break;
		case 0xff01:
			kv_str(m, "renegotiation_info", "yes");
			break;
		}
		sb_fini(&b);
	}
	if (!rd_ok(ext))
		bad(m, at, ext, "extensions");
	kv_sb(m, "extensions", &names);
	sb_fini(&names);
}

/* Suites that predate TLS 1.2: no AEAD and no SHA-2 MAC (what "offering only TLS 1.0
 * suites" means in a refusal). */
static int suite_is_old(uint16_t v)
{
	const char *n = tls_suite_name(v);
	if (!n || v == 0x00ff || v == 0x5600)
		return v == 0x00ff || v == 0x5600 ? -1 : 0; /* signalling values do not count */
	return !strstr(n, "GCM") && !strstr(n, "CCM") && !strstr(n, "CHACHA") && !strstr(n, "SHA256") &&
	       !strstr(n, "SHA384");
}

static void client_hello(struct tls_hs *hs, struct appmsg *m, const uint8_t *p, size_t n, uint64_t at)
{
	struct rd r = rd_make_claimed(p, n, n);
	struct tls_ch_lists L;
	memset(&L, 0, sizeof L);
	struct strbuf b, s;
	sb_init(&b);
	sb_init(&s);
	uint16_t ver = rd_be16(&r);
	const uint8_t *rnd = rd_bytes(&r, 32);
	struct rd sid = rd_sub(&r, rd_u8(&r));
	struct rd suites = rd_sub(&r, rd_be16(&r));
	struct rd comp = rd_sub(&r, rd_u8(&r));
	if (!rd_ok(&r)) {
		bad(m, at, &r, "ClientHello");
		goto out;
	}
	hs->seen_ch = 1;
	hs->ch_version = ver;
	hs->ch_ts = m->first_ts;
	memcpy(hs->client_random, rnd, 32);
	hs->sid_len = (uint8_t)(rd_left(&sid) <= 32 ? rd_left(&sid) : 32);
	memcpy(hs->sid, rd_here(&sid), hs->sid_len);
	put_version(&b, ver);
	sb_printf(&b, " (0x%04x)", ver);
	kv_sb(m, "version", &b);
	kv_hex(m, "random", rnd, 32);
	kv_hex(m, "session_id", rd_here(&sid), rd_left(&sid));
	L.version = ver;
	L.suites = rd_here(&suites);
	L.n_suites = rd_left(&suites) / 2;
	hs->ch_suites = (uint16_t)(L.n_suites < 65535 ? L.n_suites : 65535);
	kv_list16(m, "cipher_suites", L.suites, rd_left(&suites), tls_suite_name);
	int old = 1, any = 0;
	for (size_t i = 0; i < L.n_suites; i++) {
		uint16_t v = (uint16_t)(L.suites[2 * i] << 8 | L.suites[2 * i + 1]);
		int o = tls_is_grease(v) ? -1 : suite_is_old(v);
		if (o == 0)
			old = 0;
		if (o >= 0)
			any = 1;
	}
	hs->ch_only_old = (uint8_t)(old && any);
	sb_reset(&b);
	for (size_t i = 0; i < rd_left(&comp); i++)
		sb_printf(&b, "%s%s", i ? ", " : "", rd_here(&comp)[i] == 0 ? "null" : rd_here(&comp)[i] == 1 ? "deflate" : "?");
	kv_sb(m, "compression", &b);
	if (rd_left(&r)) {
		struct rd ext = rd_sub(&r, rd_be16(&r));
		if (!rd_ok(&r))
			bad(m, at, &r, "ClientHello extensions");
		parse_exts(hs, m, HK_CH, &ext, at + (size_t)(rd_here(&ext) - p), &L);
	}
	if (!hs->ch_max_version)
		hs->ch_max_version = ver;
	sb_reset(&b);
	char md5[33];
	tls_ja3(&L, &b, md5);
	kv_sb(m, "ja3", &b);
	kv_str(m, "ja3_hash", md5);
	char ja4[40];
	tls_ja4(&L, ja4);
	kv_str(m, "ja4", ja4);
	/* the summary: who, the best version, how much was offered */
	sb_puts(&s, "ClientHello");
	if (hs->sni[0])
		sb_printf(&s, " %s", hs->sni);
	sb_puts(&s, ", up to ");
	put_version(&s, hs->ch_max_version);
	sb_printf(&s, ", %zu suites", L.n_suites);
	if (hs->alpn_offered[0])
		sb_printf(&s, ", ALPN %s", hs->alpn_offered);
	if (hs->psk_offered || hs->ticket_offered)
		sb_puts(&s, ", resuming");
	if (hs->early_offered) {
		sb_puts(&s, ", 0-RTT");
		appmsg_note(m, TLS_EV(EARLY_DATA), at, "the client sends 0-RTT data with its ClientHello (early_data)");
	}
	appmsg_set_summary(m, s.s, s.len);
out:
	xfree(L.exts);
	sb_fini(&b);
	sb_fini(&s);
}

static void server_hello(struct tls_hs *hs, struct appmsg *m, const uint8_t *p, size_t n, uint64_t at)
{
	struct rd r = rd_make_claimed(p, n, n);
	struct strbuf b, s;
	sb_init(&b);
	sb_init(&s);
	uint16_t ver = rd_be16(&r);
	const uint8_t *rnd = rd_bytes(&r, 32);
	struct rd sid = rd_sub(&r, rd_u8(&r));
	uint16_t suite = rd_be16(&r);
	uint8_t comp = rd_u8(&r);
	if (!rd_ok(&r)) {
		bad(m, at, &r, "ServerHello");
		goto out;
	}
	int hrr = memcmp(rnd, HRR_RANDOM, 32) == 0;
	m->kind = hrr ? "hello_retry_request" : "server_hello";
	put_version(&b, ver);
	sb_printf(&b, " (0x%04x)", ver);
	kv_sb(m, "version", &b);
	kv_hex(m, "random", rnd, 32);
	kv_hex(m, "session_id", rd_here(&sid), rd_left(&sid));
	const char *sn = tls_suite_name(suite);
	sb_reset(&b);
	if (sn)
		sb_printf(&b, "%s (0x%04x)", sn, suite);
	else
		sb_printf(&b, "0x%04x", suite);
	kv_sb(m, "cipher_suite", &b);
	kv_str(m, "compression", comp == 0 ? "null" : comp == 1 ? "deflate" : "?");
	uint16_t before = hs->version;
	hs->version = ver;
	if (rd_left(&r)) {
		struct rd ext = rd_sub(&r, rd_be16(&r));
		if (!rd_ok(&r))
			bad(m, at, &r, "ServerHello extensions");
		parse_exts(hs, m, hrr ? HK_HRR : HK_SH, &ext, at + (size_t)(rd_here(&ext) - p), NULL);
	}
	hs->suite = suite;
	if (hrr) {
		hs->hrr = 1;
		const char *gn = tls_group_name(hs->group);
		appmsg_note(m, TLS_EV(HRR), at,
			    "HelloRetryRequest: the server wants a key share for %s, which the ClientHello did not send; "
			    "the handshake takes one more round trip",
			    gn ? gn : "another group");
		sb_printf(&s, "HelloRetryRequest: send a %s key share", gn ? gn : "different");
		hs->version = before;
		appmsg_set_summary(m, s.s, s.len);
		goto out;
	}
	hs->seen_sh = 1;
	hs->sh_ts = m->first_ts;
	memcpy(hs->server_random, rnd, 32);
	if (hs->version != 0x0304 && rd_left(&sid) && rd_left(&sid) == hs->sid_len &&
	    memcmp(rd_here(&sid), hs->sid, hs->sid_len) == 0)
		hs->resumed = 1;
	sb_puts(&s, "ServerHello ");
	put_version(&s, hs->version);
	sb_printf(&s, ", %s", sn ? sn : "unknown suite");
	if (hs->alpn[0])
		sb_printf(&s, ", ALPN %s", hs->alpn);
	if (hs->resumed)
		sb_puts(&s, ", session resumed");
	appmsg_set_summary(m, s.s, s.len);
	if (hs->version <= 0x0302 && hs->version >= 0x0300) {
		char vb[16];
		appmsg_note(m, TLS_EV(OLD_VERSION), at, "%s negotiated: deprecated (RFC 8996), with known weaknesses",
			    tls_version_name(hs->version, vb, sizeof vb));
	}
out:
	sb_fini(&b);
	sb_fini(&s);
}

static void certificate(struct tls_hs *hs, struct appmsg *m, int dir, const uint8_t *p, size_t n, uint64_t at)
{
	struct rd r = rd_make_claimed(p, n, n);
	if (hs->version == 0x0304) {
		struct rd ctx = rd_sub(&r, rd_u8(&r));
		(void)ctx;
	}
	struct rd list = rd_sub(&r, rd_be24(&r));
	if (!rd_ok(&r)) {
		bad(m, at, &r, "Certificate");
		return;
	}
	unsigned i = 0;
	while (rd_left(&list)) {
		size_t len = rd_be24(&list);
		size_t where = (size_t)(rd_here(&list) - p);
		const uint8_t *der = rd_bytes(&list, len);
		if (!der) {
			bad(m, at, &list, "certificate entry");
			break;
		}
		tls_cert_add(dir == 1 ? hs : NULL, m, i, der, len, m->first_ts, at + where);
		i++;
		if (hs->version == 0x0304) {
			struct rd ext = rd_sub(&list, rd_be16(&list));
			(void)ext;
			if (!rd_ok(&list)) {
				bad(m, at, &list, "certificate entry extensions");
				break;
			}
		}
	}
	struct strbuf s;
	sb_init(&s);
	const struct appkv *subj = appmsg_find(m, "cert1.subject");
	sb_printf(&s, "Certificate: %u certificate%s", i, i == 1 ? "" : "s");
	if (subj)
		sb_printf(&s, ", %.*s", (int)(subj->value_len < 80 ? subj->value_len : 80), subj->value);
	appmsg_set_summary(m, s.s, s.len);
	sb_fini(&s);
}

/* TLS 1.2 ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3). */
static void server_key_exchange(struct tls_hs *hs, struct appmsg *m, const uint8_t *p, size_t n, uint64_t at)
{
	struct rd r = rd_make_claimed(p, n, n);
	struct strbuf s;
	sb_init(&s);
	const char *sn = tls_suite_name(hs->suite);
	if (sn && strstr(sn, "ECDHE")) {
		uint8_t ct = rd_u8(&r);
		uint16_t g = rd_be16(&r);
		struct rd pub = rd_sub(&r, rd_u8(&r));
		if (rd_ok(&r) && ct == 3) {
			const char *gn = tls_group_name(g);
			hs->group = g;
			sb_printf(&s, "ServerKeyExchange: ECDHE %s", gn ? gn : "?");
			kv_str(m, "group", gn ? gn : "?");
			kv_u64(m, "public_key_bytes", rd_left(&pub));
		}
	} else if (sn && strstr(sn, "DHE")) {
		struct rd prime = rd_sub(&r, rd_be16(&r));
		struct rd g = rd_sub(&r, rd_be16(&r));
		struct rd ys = rd_sub(&r, rd_be16(&r));
		(void)g, (void)ys;
		if (rd_ok(&r)) {
			sb_printf(&s, "ServerKeyExchange: DHE %zu-bit group", rd_left(&prime) * 8);
			kv_u64(m, "dh_prime_bits", rd_left(&prime) * 8);
		}
	} else {
		sb_printf(&s, "ServerKeyExchange, %zu bytes", n);
	}
	if (rd_ok(&r) && rd_left(&r) >= 4 && hs->version == 0x0303) {
		uint16_t sa = rd_be16(&r);
		const char *an = tls_sigalg_name(sa);
		kv_str(m, "signature_algorithm", an ? an : "?");
		sb_printf(&s, ", signed %s", an ? an : "?");
	}
	if (!rd_ok(&r))
		bad(m, at, &r, "ServerKeyExchange");
	appmsg_set_summary(m, s.s, s.len);
	sb_fini(&s);
}

static void certificate_request(struct tls_hs *hs, struct appmsg *m, const uint8_t *p, size_t n, uint64_t at)
{
	struct rd r = rd_make_claimed(p, n, n);
	if (hs->version == 0x0304) {
		struct rd ctx = rd_sub(&r, rd_u8(&r));
		(void)ctx;
		struct rd ext = rd_sub(&r, rd_be16(&r));
		if (rd_ok(&r))
			parse_exts(hs, m, HK_CR, &ext, at + (size_t)(rd_here(&ext) - p), NULL);
	} else {
		struct rd types = rd_sub(&r, rd_u8(&r));
		struct strbuf b;
		sb_init(&b);
		for (size_t i = 0; i < rd_left(&types); i++) {
			uint8_t t = rd_here(&types)[i];
			sb_printf(&b, "%s%s", i ? ", " : "", t == 1 ? "rsa_sign" : t == 2 ? "dss_sign" : t == 64 ? "ecdsa_sign" : "?");
		}
		kv_sb(m, "certificate_types", &b);
		sb_fini(&b);
		if (hs->version == 0x0303) {
			struct rd sa = rd_sub(&r, rd_be16(&r));
			kv_list16(m, "signature_algorithms", rd_here(&sa), rd_left(&sa), tls_sigalg_name);
		}
		struct rd cas = rd_sub(&r, rd_be16(&r));
		size_t k = 0;
		while (rd_left(&cas)) {
			struct rd dn = rd_sub(&cas, rd_be16(&cas));
			(void)dn;
			if (!rd_ok(&cas))
				break;
			k++;
		}
		kv_u64(m, "certificate_authorities", k);
	}
	if (!rd_ok(&r))
		bad(m, at, &r, "CertificateRequest");
	appmsg_set_summary(m, "CertificateRequest: the server asks for a client certificate", 61);
}

static void new_session_ticket(struct tls_hs *hs, struct appmsg *m, const uint8_t *p, size_t n, uint64_t at)
{
	struct rd r = rd_make_claimed(p, n, n);
	uint32_t life = rd_be32(&r);
	struct strbuf s;
	sb_init(&s);
	if (hs->version == 0x0304) {
		rd_skip(&r, 4); /* ticket_age_add */
		struct rd nonce = rd_sub(&r, rd_u8(&r));
		(void)nonce;
	}
	struct rd t = rd_sub(&r, rd_be16(&r));
	kv_u64(m, "lifetime_s", life);
	kv_u64(m, "ticket_bytes", rd_left(&t));
	if (hs->version == 0x0304 && rd_ok(&r)) {
		struct rd ext = rd_sub(&r, rd_be16(&r));
		if (rd_ok(&r))
			parse_exts(hs, m, HK_NST, &ext, at + (size_t)(rd_here(&ext) - p), NULL);
	}
	if (!rd_ok(&r))
		bad(m, at, &r, "NewSessionTicket");
	sb_printf(&s, "NewSessionTicket: %zu bytes, valid %" PRIu32 " s", rd_left(&t), life);
	appmsg_set_summary(m, s.s, s.len);
	sb_fini(&s);
}

void tls_hs_parse(struct tls_hs *hs, struct layer *L, struct appmsg *m, int dir, uint8_t type, const uint8_t *p,
		  size_t n, uint64_t at)
{
	(void)L;
	const char *name = tls_hs_name(type);
	m->kind = name ? name : "handshake";
	struct strbuf s;
	sb_init(&s);
	struct rd r = rd_make_claimed(p, n, n);
	switch (type) {
	case 1: client_hello(hs, m, p, n, at); break;
	case 2: server_hello(hs, m, p, n, at); break;
	case 11: certificate(hs, m, dir, p, n, at); break;
	case 12: server_key_exchange(hs, m, p, n, at); break;
	case 13: certificate_request(hs, m, p, n, at); break;
	case 4: new_session_ticket(hs, m, p, n, at); break;
	case 8: {
		struct rd ext = rd_sub(&r, rd_be16(&r));
		if (rd_ok(&r))
			parse_exts(hs, m, HK_EE, &ext, at + 2, NULL);
		else
			bad(m, at, &r, "EncryptedExtensions");
		sb_puts(&s, "EncryptedExtensions");
		if (hs->alpn[0])
			sb_printf(&s, ", ALPN %s", hs->alpn);
		break;
	}
	case 14: sb_puts(&s, "ServerHelloDone"); break;
	case 16:
		sb_printf(&s, "ClientKeyExchange, %zu bytes of key", n);
		break;
	case 15: {
		uint16_t sa = rd_be16(&r);
		const char *an = tls_sigalg_name(sa);
		kv_str(m, "signature_algorithm", an ? an : "?");
		sb_printf(&s, "CertificateVerify, signed %s", an ? an : "?");
		break;
	}
	case 20:
		kv_hex(m, "verify_data", p, n < 64 ? n : 64);
		sb_printf(&s, "Finished (%zu bytes of verify_data)", n);
		break;
	case 24: {
		uint8_t req = rd_u8(&r);
		sb_printf(&s, "KeyUpdate%s", req == 1 ? ", and update yours" : "");
		break;
	}
	case 0: sb_puts(&s, "HelloRequest: the server asks to renegotiate"); break;
	case 5: sb_puts(&s, "EndOfEarlyData"); break;
	default:
		sb_printf(&s, "handshake message %u (%s), %zu bytes", type, name ? name : "unknown", n);
	}
	if (s.len)
		appmsg_set_summary(m, s.s, s.len);
	sb_fini(&s);
}
