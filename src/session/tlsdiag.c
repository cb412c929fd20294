/* tlsdiag.c: the diagnosis of a connection's TLS layer. The facts are read from the
 * messages the TLS decoder made (model/appmsg.h: kinds, fields, notes), so the diagnosis
 * needs nothing of proto/: what a ClientHello offered, what the ServerHello chose, the
 * first fatal alert and where the handshake ended. The rules are in docs/diagnosis.md
 * ("TLS"). */
#include "session_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *field(const struct appmsg *m, const char *name)
{
	const struct appkv *kv = appmsg_find(m, name);
	return kv && kv->value ? kv->value : NULL;
}

static int note_of(const struct appmsg *m, const char *ev, const char **text)
{
	for (unsigned i = 0; i < m->n_notes; i++)
		if (m->notes[i].ev && m->notes[i].ev->name && strcmp(m->notes[i].ev->name, ev) == 0) {
			if (text)
				*text = m->notes[i].text ? m->notes[i].text : "";
			return 1;
		}
	return 0;
}

/* A version named as the decoder names them ("TLS 1.2", "SSL 3.0"), as its wire value;
 * 0 when the words are not one. */
static uint16_t version_of_name(const char *s)
{
	if (strncmp(s, "SSL 3.0", 7) == 0)
		return 0x0300;
	if (strncmp(s, "TLS 1.", 6) == 0 && s[6] >= '0' && s[6] <= '3')
		return (uint16_t)(0x0301 + (s[6] - '0'));
	return 0;
}

/* The highest version in a list of names ("TLS 1.3, TLS 1.2"), or in "TLS 1.2 (0x0303)". */
static uint16_t version_max(const char *s)
{
	uint16_t best = 0;
	for (const char *p = s; p && *p; p++)
		if (p == s || p[-1] == ' ') {
			uint16_t v = version_of_name(p);
			if (v > best)
				best = v;
		}
	return best;
}

/* A suite that is strong today: an AEAD cipher with forward secrecy (ECDHE or DHE, or
 * any TLS 1.3 suite). Weak: without forward secrecy (RSA key exchange), CBC with its
 * padding-oracle history, RC4, 3DES, NULL or EXPORT (RFC 7525, RFC 9325 section 4.2). */
static int suite_strong(const char *s, size_t n)
{
	char b[96];
	if (n >= sizeof b)
		n = sizeof b - 1;
	memcpy(b, s, n);
	b[n] = 0;
	if (strncmp(b, "TLS_AES_", 8) == 0 || strncmp(b, "TLS_CHACHA20_", 13) == 0)
		return 1;
	int pfs = strstr(b, "_ECDHE_") || strstr(b, "_DHE_");
	int aead = strstr(b, "_GCM_") || strstr(b, "_CHACHA20_POLY1305") || strstr(b, "_CCM");
	return pfs && aead && !strstr(b, "_anon_") && !strstr(b, "EXPORT");
}

/* Does the list of suite names offer a strong one? */
static int list_has_strong(const char *list)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (suite_strong(p, n))
			return 1;
		if (!e)
			break;
		p = e + 1;
		while (*p == ' ')
			p++;
	}
	return 0;
}

void sess_tls_facts(struct session *s, const struct conn *c, struct sess_tls *t)
{
	memset(t, 0, sizeof *t);
	size_t n;
	const struct appmsg *const *ms = sess_msgs(s, c, &n);
	for (size_t i = 0; ms && i < n; i++) {
		const struct appmsg *m = ms[i];
		if (!m->proto || strcmp(m->proto, "tls") != 0 || m->cleared)
			continue;
		const char *kind = m->kind ? m->kind : "";
		const char *v, *text;
		if (strcmp(kind, "client_hello") == 0 && !t->ch) {
			t->ch = m;
			v = field(m, "supported_versions");
			t->offered_max = version_max(v ? v : field(m, "version"));
			t->suites = field(m, "cipher_suites");
			t->offered_strong = list_has_strong(t->suites);
			t->sni = field(m, "sni");
		} else if (strcmp(kind, "server_hello") == 0 && !t->sh) {
			t->sh = m;
			v = field(m, "supported_versions");
			t->version = version_max(v ? v : field(m, "version"));
			t->suite = field(m, "cipher_suite");
			if (t->suite) {
				const char *sp = strchr(t->suite, ' ');
				t->suite_strong = suite_strong(t->suite, sp ? (size_t)(sp - t->suite) : strlen(t->suite));
				/* weak only when named: an unknown suite is not judged */
				if (strncmp(t->suite, "TLS_", 4) != 0 && strncmp(t->suite, "SSL_", 4) != 0)
					t->suite_strong = 1;
			}
			if (t->version == 0x0304) /* every TLS 1.3 suite is AEAD with (EC)DHE or PSK */
				t->suite_strong = 1;
		} else if (strcmp(kind, "hello_retry_request") == 0) {
			t->hrr = 1;
		} else if (strcmp(kind, "certificate") == 0 && !t->cert) {
			t->cert = m;
		} else if (strcmp(kind, "alert") == 0 && !t->alert && !t->end) {
			v = field(m, "level");
			if (v && strcmp(v, "2") == 0) {
				t->alert = m;
				t->alert_name = field(m, "description");
			}
		}
		if (!t->end && note_of(m, "tls.handshake", &text)) {
			t->end = m;
			t->words = text;
		}
		if (note_of(m, "tls.resumed", NULL))
			t->resumed = 1;
		if (!t->expired && note_of(m, "tls.cert_expired", &text))
			t->expired = text, t->expired_msg = m;
		if (!t->not_yet && note_of(m, "tls.cert_not_yet_valid", &text))
			t->not_yet = text, t->not_yet_msg = m;
		if (!t->sni_mismatch && note_of(m, "tls.sni_mismatch", &text))
			t->sni_mismatch = text, t->sni_msg = m;
	}
	if (t->end && t->ch) {
		t->handshake_ns = ts_sub(t->end->first_ts, t->ch->first_ts);
		if (t->handshake_ns < 0) /* time stepped back in the capture */
			t->handshake_ns = 0;
		t->rtts = t->version == 0x0304 || t->resumed ? 1 : 2;
		t->rtts += t->hrr;
	}
}

/* What a certificate field says, "" when absent. */
static const char *cert_field(const struct appmsg *m, const char *name)
{
	const char *v = m ? field(m, name) : NULL;
	return v ? v : "";
}

static void dur(struct strbuf *b, int64_t ns)
{
	if (ns >= 10 * (int64_t)1000000000)
		sb_printf(b, "%.0f s", (double)ns / 1e9);
	else if (ns >= 1000000000)
		sb_printf(b, "%.1f s", (double)ns / 1e9);
	else if (ns >= 10000000)
		sb_printf(b, "%.0f ms", (double)ns / 1e6);
	else if (ns >= 1000000)
		sb_printf(b, "%.2f ms", (double)ns / 1e6);
	else
		sb_printf(b, "%.0f us", (double)ns / 1e3);
}

static void vname(struct strbuf *b, uint16_t v)
{
	if (v == 0x0300)
		sb_puts(b, "SSL 3.0");
	else if (v >= 0x0301 && v <= 0x0304)
		sb_printf(b, "TLS 1.%d", v - 0x0301);
	else
		sb_printf(b, "0x%04x", v);
}

/* The alert's likely cause, in words, from what the client offered. */
static void failure_cause(struct strbuf *b, const struct sess_tls *t, int from_server)
{
	const char *a = t->alert_name ? t->alert_name : "";
	if (strcmp(a, "protocol_version") == 0) {
		sb_puts(b, "no version both sides accept: the client offered up to ");
		vname(b, t->offered_max);
		const char *sv = t->ch ? field(t->ch, "supported_versions") : NULL;
		if (sv)
			sb_printf(b, " (supported_versions: %s)", sv);
		sb_puts(b, from_server && !t->sh ? " and the server chose none of them" : "");
		if (t->sh) {
			sb_puts(b, ", the server chose ");
			vname(b, t->version);
		}
		sb_puts(b, "; allow a common version on one side");
	} else if (strcmp(a, "handshake_failure") == 0 || strcmp(a, "insufficient_security") == 0) {
		size_t k = 0;
		for (const char *p = t->suites; p && *p; p++)
			k += *p == ',';
		sb_printf(b, "no cipher suite (or group) both sides accept: the client offered %zu suite%s%s", t->suites ? k + 1 : 0,
			  t->suites && !k ? "" : "s", t->offered_strong ? "" : ", none of them an AEAD suite with forward secrecy");
	} else if (strncmp(a, "certificate_", 12) == 0 || strcmp(a, "bad_certificate") == 0 ||
		   strcmp(a, "unknown_ca") == 0 || strcmp(a, "unsupported_certificate") == 0 ||
		   strcmp(a, "bad_certificate_status_response") == 0) {
		if (strcmp(a, "certificate_required") == 0) {
			sb_puts(b, "the server wants a client certificate and the client sent none");
			return;
		}
		sb_printf(b, "the %s rejected the %s certificate", from_server ? "server" : "client",
			  from_server ? "client's" : "server's");
		if (!from_server && t->cert) {
			const char *sub = cert_field(t->cert, "cert1.subject"), *iss = cert_field(t->cert, "cert1.issuer");
			if (*sub)
				sb_printf(b, " (%s, issued by %s)", sub, *iss ? iss : "?");
			if (t->expired)
				sb_printf(b, ": %s", t->expired);
			else if (t->not_yet)
				sb_printf(b, ": %s", t->not_yet);
			else if (t->sni_mismatch)
				sb_printf(b, ": %s", t->sni_mismatch);
			else if (*sub && strcmp(sub, iss) == 0)
				sb_puts(b, ": it is self-signed, so no trusted authority vouches for it");
			else if (strcmp(a, "unknown_ca") == 0)
				sb_puts(b, ": its issuer is not in the client's trust store");
		}
	} else if (strcmp(a, "unrecognized_name") == 0) {
		sb_printf(b, "the server does not serve %s (SNI)", t->sni ? t->sni : "the name asked for");
	} else if (strcmp(a, "no_application_protocol") == 0) {
		const char *al = t->ch ? field(t->ch, "alpn") : NULL;
		sb_printf(b, "no application protocol both sides speak (ALPN%s%s)", al ? " offered: " : "", al ? al : "");
	} else if (strcmp(a, "decrypt_error") == 0 || strcmp(a, "bad_record_mac") == 0) {
		sb_puts(b, "a signature, Finished or record did not verify: a broken middlebox, mismatched keys or damaged bytes");
	} else {
		sb_printf(b, "the %s gave up on what it was sent", from_server ? "server" : "client");
	}
}

void sess_tls_findings(struct session *s, const struct conn *c, struct diag_findings *out)
{
	struct sess_tls t;
	sess_tls_facts(s, c, &t);
	if (!t.ch && !t.sh)
		return;
	const struct diag_conn *dc = session_diag(s, c);
	int64_t tcp_rtt = dc && dc->syn_n && dc->synack_n && dc->hs3_n ? ts_add(dc->e.leg_syn_ns, dc->e.leg_synack_ns) : 0;
	struct strbuf *b;
	if (t.end && t.ch) {
		b = diag_finding_add(out, DIAG_TLS_HANDSHAKE);
		vname(b, t.version);
		sb_puts(b, " handshake");
		if (t.sni)
			sb_printf(b, " with %s", t.sni);
		if (t.suite)
			sb_printf(b, " (%s)", t.suite);
		sb_printf(b, ": ClientHello (frame %" PRIu32 ") to the end of the client's handshake (frame %" PRIu32 ") in ",
			  t.ch->first_frame, t.end->first_frame);
		dur(b, t.handshake_ns);
		sb_printf(b, ", %d round trip%s", t.rtts, t.rtts == 1 ? "" : "s");
		if (t.resumed)
			sb_puts(b, " (session resumed)");
		if (t.hrr)
			sb_puts(b, " (one for a HelloRetryRequest)");
		sb_puts(b, ", ");
		dur(b, t.handshake_ns / t.rtts);
		sb_puts(b, " each");
		if (t.sh && t.sh->first_ts >= t.ch->first_ts && t.end->first_ts >= t.sh->first_ts) {
			sb_puts(b, "; the server answered the ClientHello in ");
			dur(b, ts_sub(t.sh->first_ts, t.ch->first_ts));
			sb_printf(b, " (ServerHello, frame %" PRIu32 "), the client ended its handshake ", t.sh->first_frame);
			dur(b, ts_sub(t.end->first_ts, t.sh->first_ts));
			sb_puts(b, " after it");
		}
		if (tcp_rtt > 0) {
			sb_puts(b, "; the TCP round trip is ");
			dur(b, tcp_rtt);
			int64_t extra = t.handshake_ns - (int64_t)t.rtts * tcp_rtt;
			if (extra > 0) {
				sb_puts(b, ", so ");
				dur(b, extra);
				sb_puts(b, " more than the round trips: the hosts' own work (key exchange, certificates), or a server "
					   "flight larger than one congestion window");
			}
		}
	}
	if (t.alert && !t.end) {
		int from_server = t.alert->dir == 1;
		b = diag_finding_add(out, DIAG_TLS_FAILED);
		sb_printf(b, "the TLS handshake failed: the %s sent a fatal %s alert (frame %" PRIu32 ")", from_server ? "server" : "client",
			  t.alert_name ? t.alert_name : "unknown", t.alert->first_frame);
		if (t.ch && !t.sh && from_server)
			sb_printf(b, " right after the ClientHello (frame %" PRIu32 ")", t.ch->first_frame);
		else if (t.sh)
			sb_printf(b, " after the ServerHello (frame %" PRIu32 ")", t.sh->first_frame);
		sb_puts(b, "; likely cause: ");
		failure_cause(b, &t, from_server);
	}
	if (t.sh && t.version && ((t.version <= 0x0302 && t.offered_max > t.version) ||
				  (t.suite && !t.suite_strong && t.offered_strong))) {
		b = diag_finding_add(out, DIAG_TLS_DOWNGRADE);
		sb_printf(b, "the server (frame %" PRIu32 ") chose ", t.sh->first_frame);
		vname(b, t.version);
		sb_printf(b, " with %s", t.suite ? t.suite : "an unknown suite");
		sb_printf(b, " although the client (frame %" PRIu32 ") offered up to ", t.ch ? t.ch->first_frame : 0);
		vname(b, t.offered_max);
		if (t.suite && !t.suite_strong && t.offered_strong)
			sb_puts(b, " and AEAD suites with forward secrecy");
		sb_puts(b, ": ");
		if (t.version <= 0x0302 && t.offered_max > t.version)
			sb_puts(b, "TLS 1.1 and older are deprecated (RFC 8996); ");
		if (t.suite && !t.suite_strong)
			sb_puts(b, "the suite is weak (no forward secrecy, or CBC, RC4, 3DES; RFC 9325); ");
		sb_puts(b, "the server's configuration prefers old settings, or something on the path rewrote the ClientHello");
	}
	if (t.sni_mismatch) {
		b = diag_finding_add(out, DIAG_TLS_SNI_MISMATCH);
		const char *san = cert_field(t.sni_msg, "cert1.san");
		sb_printf(b, "%s (frame %" PRIu32 "): the certificate names %s; a client that checks names refuses it, or the "
			  "server sent its default certificate", t.sni_mismatch, t.sni_msg->first_frame,
			  *san ? san : cert_field(t.sni_msg, "cert1.subject"));
	}
	if (t.expired) {
		b = diag_finding_add(out, DIAG_TLS_CERT_EXPIRED);
		sb_printf(b, "%s (frame %" PRIu32 ", %s, valid %s to %s): a client that checks it refuses the connection", t.expired,
			  t.expired_msg->first_frame, cert_field(t.expired_msg, "cert1.subject"),
			  cert_field(t.expired_msg, "cert1.not_before"), cert_field(t.expired_msg, "cert1.not_after"));
	}
	if (t.not_yet) {
		b = diag_finding_add(out, DIAG_TLS_CERT_NOT_YET);
		sb_printf(b, "%s (frame %" PRIu32 ", %s, valid %s to %s): the server's or the capturing host's clock is wrong, or the "
			  "certificate was issued for later", t.not_yet, t.not_yet_msg->first_frame,
			  cert_field(t.not_yet_msg, "cert1.subject"), cert_field(t.not_yet_msg, "cert1.not_before"),
			  cert_field(t.not_yet_msg, "cert1.not_after"));
	}
}
