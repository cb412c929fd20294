/* tls_cert.c: one certificate of a Certificate message, read with libcrypto's d2i_X509
 * (docs/deps.md: X.509 is ASN.1 DER whose parsing is a classic source of bugs; OpenSSL's
 * is the most exercised one there is). Fields: subject and issuer (RFC 2253), the DNS
 * names of subjectAltName, validity, key type and size. The server's own certificate
 * (the first) is checked against the capture time and the SNI (RFC 6125 §6.4: a
 * left-most '*' label matches one label). */
#include "tls_hs.h"

#include "../base/strbuf.h"

#include <inttypes.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A certificate bigger than this is not parsed: real ones are 1-4 kB, and DER the size
 * of a handshake message (TLS_HS_MAX) costs libcrypto time for nothing. */
#define TLS_CERT_MAX ((size_t)64 << 10)
/* subjectAltName DNS names shown per certificate (a CDN certificate can carry 100+). */
#define TLS_SAN_SHOW 32

static void kv_name(struct appmsg *m, const char *field, X509_NAME *nm)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b)
		return;
	X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	appmsg_kv(m, field, p ? p : "", n > 0 ? (size_t)n : 0);
	BIO_free(b);
}

static int64_t asn1_secs(const ASN1_TIME *t, int *ok)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	*ok = t && ASN1_TIME_to_tm(t, &tm) == 1;
	return *ok ? (int64_t)timegm(&tm) : 0;
}

/* RFC 6125 §6.4.3: "*.example.com" matches "www.example.com", not "a.b.example.com". */
static int name_matches(const char *pat, size_t pn, const char *host)
{
	size_t hn = strlen(host);
	if (pn == hn && strncasecmp(pat, host, hn) == 0)
		return 1;
	if (pn > 2 && pat[0] == '*' && pat[1] == '.') {
		const char *dot = strchr(host, '.');
		return dot && strlen(dot) == pn - 1 && strncasecmp(dot, pat + 1, pn - 1) == 0;
	}
	return 0;
}

int tls_cert_add(struct tls_hs *hs, struct appmsg *m, unsigned i, const uint8_t *der, size_t n, int64_t ts,
		 uint64_t at)
{
	char f[32];
	unsigned k = i + 1;
	if (n > TLS_CERT_MAX) {
		appmsg_note(m, TLS_EV(CERT_BAD), at, "certificate %u is %zu bytes, more than chattcp parses (%zu)", k, n,
			    TLS_CERT_MAX);
		return -1;
	}
	const unsigned char *q = der;
	X509 *x = d2i_X509(NULL, &q, (long)n);
	if (!x) {
		appmsg_note(m, TLS_EV(CERT_BAD), at, "certificate %u (%zu bytes) is not DER X.509 libcrypto can read", k, n);
		return -1;
	}
	snprintf(f, sizeof f, "cert%u.subject", k);
	kv_name(m, f, X509_get_subject_name(x));
	snprintf(f, sizeof f, "cert%u.issuer", k);
	kv_name(m, f, X509_get_issuer_name(x));
	struct strbuf b;
	sb_init(&b);
	int match = 0, any_dns = 0;
	GENERAL_NAMES *sans = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int nsan = sans ? sk_GENERAL_NAME_num(sans) : 0;
	for (int j = 0; j < nsan; j++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, j);
		if (g->type != GEN_DNS)
			continue;
		const char *s = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
		size_t sl = (size_t)ASN1_STRING_length(g->d.dNSName);
		if (any_dns < TLS_SAN_SHOW) {
			if (b.len)
				sb_puts(&b, ", ");
			sb_add(&b, s, sl);
		}
		any_dns++;
		if (hs && hs->sni[0] && name_matches(s, sl, hs->sni))
			match = 1;
	}
	if (any_dns > TLS_SAN_SHOW)
		sb_printf(&b, " and %d more", any_dns - TLS_SAN_SHOW);
	GENERAL_NAMES_free(sans);
	if (b.len) {
		snprintf(f, sizeof f, "cert%u.san", k);
		appmsg_kv(m, f, b.s, b.len);
	}
	/* No DNS SAN: RFC 6125 lets a client fall back on the subject's CN. */
	if (hs && hs->sni[0] && !any_dns) {
		char cn[256];
		int cl = X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
		if (cl > 0 && name_matches(cn, (size_t)cl, hs->sni))
			match = 1;
	}
	int ok1, ok2;
	int64_t nb = asn1_secs(X509_get0_notBefore(x), &ok1), na = asn1_secs(X509_get0_notAfter(x), &ok2);
	char tb[32];
	struct tm tm;
	time_t tt;
	if (ok1) {
		tt = (time_t)nb;
		gmtime_r(&tt, &tm);
		strftime(tb, sizeof tb, "%Y-%m-%d %H:%M:%S UTC", &tm);
		snprintf(f, sizeof f, "cert%u.not_before", k);
		appmsg_kv(m, f, tb, strlen(tb));
	}
	if (ok2) {
		tt = (time_t)na;
		gmtime_r(&tt, &tm);
		strftime(tb, sizeof tb, "%Y-%m-%d %H:%M:%S UTC", &tm);
		snprintf(f, sizeof f, "cert%u.not_after", k);
		appmsg_kv(m, f, tb, strlen(tb));
	}
	EVP_PKEY *pk = X509_get0_pubkey(x);
	sb_reset(&b);
	if (pk) {
		int id = EVP_PKEY_get_base_id(pk);
		const char *kn = id == EVP_PKEY_RSA ? "RSA" : id == EVP_PKEY_EC ? "EC" : id == EVP_PKEY_ED25519 ? "Ed25519" :
				 id == EVP_PKEY_ED448 ? "Ed448" : id == EVP_PKEY_DSA ? "DSA" : id == EVP_PKEY_RSA_PSS ? "RSA-PSS" : "other";
		sb_printf(&b, "%s %d bits", kn, EVP_PKEY_get_bits(pk));
		snprintf(f, sizeof f, "cert%u.key", k);
		appmsg_kv(m, f, b.s, b.len);
	}
	sb_fini(&b);
	X509_free(x);
	if (hs && i == 0) {
		int64_t now = ts / 1000000000;
		if (ok2 && now > na) {
			int64_t days = (now - na) / 86400;
			appmsg_note(m, TLS_EV(CERT_EXPIRED), at, "the server's certificate expired %" PRId64 " day%s before the capture",
				    days, days == 1 ? "" : "s");
		} else if (ok1 && now < nb) {
			int64_t days = (nb - now) / 86400;
			appmsg_note(m, TLS_EV(CERT_NOT_YET), at,
				    "the server's certificate is not valid until %" PRId64 " day%s after the capture", days,
				    days == 1 ? "" : "s");
		}
		if (hs->sni[0] && !hs->cert_checked) {
			hs->cert_checked = 1;
			if (!match)
				appmsg_note(m, TLS_EV(SNI_MISMATCH), at,
					    "the server's certificate does not name %s, the name the client asked for (SNI)", hs->sni);
		}
	}
	return 0;
}
