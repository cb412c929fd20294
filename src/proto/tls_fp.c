/* tls_fp.c: client fingerprints of a ClientHello.
 *
 * JA3 (Salesforce): "version,suites,extensions,groups,point formats", each list its
 * decimal values joined by '-' in wire order, GREASE (RFC 8701) left out; the MD5 of it.
 * tshark 4.0 computes the same string (tls.handshake.ja3_full) and hash (ja3).
 *
 * JA4 (FoxIO, technical_details/JA4.md): t (TCP), the highest version offered (from
 * supported_versions, else legacy_version: 13 12 11 10 s3), d/i (SNI or not), the
 * number of suites and of extensions (2 digits each, at most 99, GREASE left out), the
 * first and last character of the first ALPN name ("00": none; its hex digits when a
 * character is not alphanumeric); then the first 12 hex digits of SHA-256 of the
 * suites as 4-digit hex sorted and joined by ','; then the same of the extensions
 * sorted (without SNI and ALPN) + '_' + the signature algorithms in wire order. */
#include "tls_hs.h"
#include "tls_names.h"

#include "../base/sha.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t be16at(const uint8_t *p, size_t i) { return (uint16_t)(p[2 * i] << 8 | p[2 * i + 1]); }

static void join16(struct strbuf *b, const uint8_t *p, size_t n)
{
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		uint16_t v = be16at(p, i);
		if (tls_is_grease(v))
			continue;
		sb_printf(b, "%s%u", first ? "" : "-", v);
		first = 0;
	}
}

void tls_ja3(const struct tls_ch_lists *c, struct strbuf *b, char md5hex[33])
{
	sb_printf(b, "%u,", c->version);
	join16(b, c->suites, c->n_suites);
	sb_putc(b, ',');
	int first = 1;
	for (size_t i = 0; i < c->n_exts; i++) {
		if (tls_is_grease(c->exts[i]))
			continue;
		sb_printf(b, "%s%u", first ? "" : "-", c->exts[i]);
		first = 0;
	}
	sb_putc(b, ',');
	join16(b, c->groups, c->n_groups);
	sb_putc(b, ',');
	for (size_t i = 0; i < c->n_formats; i++)
		sb_printf(b, "%s%u", i ? "-" : "", c->formats[i]);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	md5hex[0] = 0;
	if (EVP_Digest(b->s ? b->s : "", b->len, d, &dl, EVP_md5(), NULL) != 1 || dl != 16)
		return;
	for (unsigned i = 0; i < 16; i++)
		snprintf(md5hex + 2 * i, 3, "%02x", d[i]);
}

void tls_ja4_hash12(const char *s, size_t n, char out[13])
{
	if (!n) {
		memcpy(out, "000000000000", 13);
		return;
	}
	char hex[65];
	sha256_hex(s, n, hex);
	memcpy(out, hex, 12);
	out[12] = 0;
}

static int cmp16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return x < y ? -1 : x > y;
}

static int alnum(uint8_t ch) { return ch < 128 && isalnum(ch); }

void tls_ja4(const struct tls_ch_lists *c, char out[40])
{
	uint16_t v = c->max_version ? c->max_version : c->version;
	const char *vs = v == 0x0304 ? "13" : v == 0x0303 ? "12" : v == 0x0302 ? "11" : v == 0x0301 ? "10" :
			 v == 0x0300 ? "s3" : "00";
	size_t n = c->n_suites > c->n_exts ? c->n_suites : c->n_exts;
	uint16_t *tmp = xmalloc((n ? n : 1) * sizeof *tmp);
	size_t ns = 0, ne = 0, ne_all = 0;
	for (size_t i = 0; i < c->n_suites; i++)
		if (!tls_is_grease(be16at(c->suites, i)))
			tmp[ns++] = be16at(c->suites, i);
	qsort(tmp, ns, sizeof *tmp, cmp16);
	struct strbuf b;
	sb_init(&b);
	for (size_t i = 0; i < ns; i++)
		sb_printf(&b, "%s%04x", i ? "," : "", tmp[i]);
	char hb[13], hc[13];
	tls_ja4_hash12(b.s, b.len, hb);
	for (size_t i = 0; i < c->n_exts; i++) {
		uint16_t e = c->exts[i];
		if (tls_is_grease(e))
			continue;
		ne_all++;
		if (e != 0x0000 && e != 0x0010)
			tmp[ne++] = e;
	}
	qsort(tmp, ne, sizeof *tmp, cmp16);
	sb_reset(&b);
	for (size_t i = 0; i < ne; i++)
		sb_printf(&b, "%s%04x", i ? "," : "", tmp[i]);
	if (c->n_sigalgs) {
		sb_putc(&b, '_');
		int first = 1;
		for (size_t i = 0; i < c->n_sigalgs; i++) {
			uint16_t s = be16at(c->sigalgs, i);
			if (tls_is_grease(s))
				continue;
			sb_printf(&b, "%s%04x", first ? "" : ",", s);
			first = 0;
		}
	}
	tls_ja4_hash12(ne ? b.s : "", ne ? b.len : 0, hc);
	sb_fini(&b);
	xfree(tmp);
	char alpn[3] = "00";
	if (c->alpn0 && c->alpn0_len) {
		uint8_t f = c->alpn0[0], l = c->alpn0[c->alpn0_len - 1];
		if (alnum(f) && alnum(l)) {
			alpn[0] = (char)f;
			alpn[1] = (char)l;
		} else {
			char hx[5];
			snprintf(hx, sizeof hx, "%02x%02x", f, l);
			alpn[0] = hx[0];
			alpn[1] = hx[3];
		}
	}
	snprintf(out, 40, "t%s%c%02zu%02zu%s_%s_%s", vs, c->has_sni ? 'd' : 'i', ns > 99 ? (size_t)99 : ns,
		 ne_all > 99 ? (size_t)99 : ne_all, alpn, hb, hc);
}
