/* test_tls.c: the TLS decoder (proto/tls*.c) on the bytes of real captures
 * (tls_vectors.h, from tests/captures/tls): each side whole and split at every byte
 * must decode the same (records split across segments, several per segment); the
 * fields and notes a reader relies on are there; JA4's hashing against the examples
 * its spec publishes; hostile records. Prints "ok NAME" / "FAIL NAME: why". */
#include "base/strbuf.h"
#include "proto/app.h"
#include "proto/keylog.h"
#include "proto/tls_hs.h"
#include "harness.h"
#include "tls_vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void digest(const struct applog *l, struct strbuf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct appmsg *m = applog_get(l, (uint32_t)i);
		sb_printf(b, "%d %s %s [%llu,%llu) %s", m->dir, m->proto, m->kind, (unsigned long long)m->off,
			  (unsigned long long)m->end, m->summary ? m->summary : "");
		for (size_t k = 0; k < m->n_kv; k++)
			sb_printf(b, " |%s=%.*s", m->kv[k].name, (int)m->kv[k].value_len, m->kv[k].value);
		for (size_t k = 0; k < m->n_notes; k++)
			sb_printf(b, " !%s@%llu %s", m->notes[k].ev->name, (unsigned long long)m->notes[k].off, m->notes[k].text);
		sb_putc(b, '\n');
	}
}

/* The key log the next runs decrypt with (NULL: none). */
static struct keylog *keys;

static void run(const char *proto, const uint8_t *const *ch, const size_t *len, const int *dirs, size_t k,
		struct strbuf *out)
{
	struct app a;
	app_init(&a);
	a.keylog = keys;
	app_decode_chunks(&a, proto ? proto_find(proto) : NULL, 6, ch, len, dirs, k);
	digest(&a.log, out);
	app_fini(&a);
}

static void run1(const char *proto, const uint8_t *c, size_t nc, struct strbuf *out)
{
	const uint8_t *ch[1] = { c };
	size_t len[1] = { nc };
	int dirs[1] = { 0 };
	run(proto, ch, len, dirs, 1, out);
}

#define SEG_MAX 64

/* The segments of v decoded whole, then with segment i cut at every byte (the two
 * pieces sent one after the other): every way must decode the same. */
static void splits(const char *name, const struct seg *v, struct strbuf *whole)
{
	const uint8_t *ch[SEG_MAX + 1];
	size_t len[SEG_MAX + 1];
	int dirs[SEG_MAX + 1];
	uint8_t *bytes[SEG_MAX];
	void *maps[SEG_MAX];
	size_t maplens[SEG_MAX];
	size_t n = 0;
	for (; v[n].hex && n < SEG_MAX; n++) {
		size_t l = strlen(v[n].hex) / 2;
		uint8_t *p = malloc(l ? l : 1);
		for (size_t i = 0; i < l; i++) {
			unsigned x;
			sscanf(v[n].hex + 2 * i, "%2x", &x);
			p[i] = (uint8_t)x;
		}
		bytes[n] = guarded(p, l, &maps[n], &maplens[n]);
		free(p);
		len[n] = l;
		dirs[n] = v[n].dir;
		ch[n] = bytes[n];
	}
	sb_reset(whole);
	run(NULL, ch, len, dirs, n, whole); /* detected by content */
	struct strbuf t;
	sb_init(&t);
	int good = 1;
	char why[3000] = "";
	for (size_t s = 0; s < n && good; s++) {
		for (size_t cut = 1; cut < len[s] && good; cut++) {
			const uint8_t *c2[SEG_MAX + 1];
			size_t l2[SEG_MAX + 1];
			int d2[SEG_MAX + 1];
			size_t k = 0;
			for (size_t i = 0; i < n; i++) {
				if (i == s) {
					c2[k] = ch[i], l2[k] = cut, d2[k++] = dirs[i];
					c2[k] = ch[i] + cut, l2[k] = len[i] - cut, d2[k++] = dirs[i];
				} else {
					c2[k] = ch[i], l2[k] = len[i], d2[k++] = dirs[i];
				}
			}
			sb_reset(&t);
			run(NULL, c2, l2, d2, k, &t);
			if (t.len != whole->len || memcmp(t.s, whole->s, t.len)) {
				good = 0;
				snprintf(why, sizeof why, "segment %zu cut at byte %zu decodes differently:\n%.1200s\nvs whole:\n%.1200s", s,
					 cut, t.s ? t.s : "", whole->s ? whole->s : "");
			}
		}
	}
	check(good, name, why);
	sb_fini(&t);
	for (size_t i = 0; i < n; i++)
		munmap(maps[i], maplens[i]);
}

int main(void)
{
	struct strbuf w;
	sb_init(&w);

	/* JA4's own examples (FoxIO technical_details): the b and c parts from the raw lists */
	{
		char h[13];
		const char *suites = "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9";
		tls_ja4_hash12(suites, strlen(suites), h);
		check(strcmp(h, "8daaf6152771") == 0, "ja4-b-spec-example", h);
		const char *ext = "0005,000a,000b,000d,0012,0017,001b,0023,002b,002d,0033,44cd,fe0d,ff01_"
				  "0403,0804,0401,0503,0805,0501,0806,0601";
		tls_ja4_hash12(ext, strlen(ext), h);
		check(strcmp(h, "d8a2da3f94cd") == 0, "ja4-c-spec-example", h);
		tls_ja4_hash12("", 0, h);
		check(strcmp(h, "000000000000") == 0, "ja4-empty", h);
	}

	splits("tls12-expired-cert-splits", tls12_expired_cert, &w);
	has(&w, "0 tls client_hello [0,", "tls12-client-hello-first");
	has(&w, "|sni=old.example.com", "tls12-sni");
	has(&w, "|ja3_hash=87b9bfc7da97115ed2276737b09f8d74", "tls12-ja3-as-tshark");
	has(&w, "|cipher_suite=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 (0xc02c)", "tls12-suite");
	has(&w, "|cert1.subject=CN=old.example.com", "tls12-cert-subject");
	has(&w, "|cert1.key=EC 256 bits", "tls12-cert-key");
	has(&w, "|cert1.not_after=2021-06-01 00:00:00 UTC", "tls12-cert-not-after");
	has(&w, "1 tls server_key_exchange", "tls12-ske");
	has(&w, "1 tls server_hello_done", "tls12-shd");
	has(&w, "0 tls change_cipher_spec", "tls12-ccs");
	has(&w, "0 tls encrypted_handshake", "tls12-client-finished");
	has(&w, "!tls.handshake", "tls12-handshake-words");
	has(&w, "TLS 1.2 handshake with old.example.com", "tls12-handshake-text");
	has(&w, "2 RTT", "tls12-2rtt");
	has(&w, "1 tls application_data", "tls12-appdata");
	has(&w, "encrypted alert, 26 bytes", "tls12-encrypted-alert");

	splits("tls13-hrr-splits", tls13_hrr, &w);
	has(&w, "1 tls hello_retry_request", "tls13-hrr");
	has(&w, "!tls.hello_retry", "tls13-hrr-note");
	has(&w, "change_cipher_spec [", "tls13-ccs");
	has(&w, "ChangeCipherSpec (middlebox compatibility", "tls13-ccs-compat");
	has(&w, "|supported_versions=TLS 1.3", "tls13-version");
	has(&w, "TLS 1.3 handshake with example.com (TLS_AES_256_GCM_SHA384), 2 RTT", "tls13-hrr-2rtt");
	lacks(&w, "tls.bad_record", "tls13-no-bad-record");

	splits("tls-version-mismatch-splits", tls_version_mismatch, &w);
	has(&w, "Alert (fatal): protocol_version", "mismatch-alert");
	has(&w, "!tls.refused", "mismatch-refused");
	has(&w, "the server refused: protocol_version right after a ClientHello offering up to TLS 1.3", "mismatch-words");

	/* with keys: every record decrypted wherever TCP cut it, HTTP read out of it */
	keylog_add_text(&keys, tls13_hrr_keys, sizeof tls13_hrr_keys - 1);
	splits("tls13-hrr-keyed-splits", tls13_hrr, &w);
	has(&w, "0 tls finished", "tls13-keyed-client-finished");
	has(&w, "1 tls encrypted_extensions", "tls13-keyed-ee");
	has(&w, "|cert1.subject=O=chattcp test,CN=example.com", "tls13-keyed-certificate");
	has(&w, "1 tls new_session_ticket", "tls13-keyed-ticket");
	has(&w, "0 http request", "tls13-keyed-http-request");
	has(&w, "1 http response", "tls13-keyed-http-response");
	has(&w, "Alert (warning): close_notify", "tls13-keyed-close-notify");
	lacks(&w, "tls.decrypt_failed", "tls13-keyed-no-failure");
	keylog_free(keys);
	keys = NULL;
	keylog_add_text(&keys, tls12_expired_cert_keys, sizeof tls12_expired_cert_keys - 1);
	splits("tls12-keyed-splits", tls12_expired_cert, &w);
	has(&w, "0 http request", "tls12-keyed-http-request");
	has(&w, "0 tls finished", "tls12-keyed-client-finished");
	lacks(&w, "tls.decrypt_failed", "tls12-keyed-no-failure");
	/* a key log with the wrong secret: the first protected record fails, said so */
	keylog_free(keys);
	keys = NULL;
	{
		char bad[sizeof tls12_expired_cert_keys];
		memcpy(bad, tls12_expired_cert_keys, sizeof bad);
		char *last = bad + sizeof bad - 3; /* the secret's last hex digit */
		*last = *last == '0' ? '1' : '0';
		keylog_add_text(&keys, bad, sizeof bad - 1);
		splits("tls12-wrong-key-splits", tls12_expired_cert, &w);
		has(&w, "!tls.decrypt_failed", "tls12-wrong-key-reported");
		lacks(&w, "0 http request", "tls12-wrong-key-no-plaintext");
	}
	keylog_free(keys);
	keys = NULL;

	/* hostile: a record longer than any TLS allows, after a good ClientHello header */
	{
		static const uint8_t bad[] = { 0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00,
					       0x17, 0x03, 0x03, 0xff, 0xff, 0x00 };
		sb_reset(&w);
		run1("tls", bad, sizeof bad, &w);
		has(&w, "!tls.bad_handshake", "hostile-short-client-hello");
		has(&w, "!tls.bad_record", "hostile-record-too-long");
		/* a 24-bit handshake length far past TLS_HS_MAX: skipped, not buffered */
		static const uint8_t big[] = { 0x16, 0x03, 0x03, 0x00, 0x08, 0x0b, 0xff, 0xff, 0xff, 1, 2, 3, 4 };
		sb_reset(&w);
		run1("tls", big, sizeof big, &w);
		has(&w, "!tls.hs_too_long", "hostile-hs-too-long");
		/* cut inside a record */
		sb_reset(&w);
		run1("tls", big, 7, &w);
		has(&w, "!tls.truncated", "hostile-cut-record");
	}
	/* not TLS: detection is by content, not port */
	{
		static const uint8_t get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
		sb_reset(&w);
		run1(NULL, get, sizeof get - 1, &w);
		lacks(&w, " tls ", "http-not-tls");
	}
	sb_fini(&w);
	return fails ? 1 : 0;
}
