/* tls.c: TLS (SSL 3.0 to TLS 1.3) over a byte stream: the record layer (RFC 8446 §5,
 * RFC 5246 §6.2) on both sides, handshake messages reassembled across records and
 * several per record (tls_hs.c), ChangeCipherSpec, alerts by name, and encrypted
 * records with their sizes. Detected by content: a handshake record header (0x16 0x03
 * 0x00-0x04, a length a record may have) starting a ClientHello from the client or a
 * ServerHello from the server; other record headers are a maybe that the port (443,
 * 465, 636, 853, 993, 995, 5061, 8443) decides.
 *
 * Messages: each handshake message, CCS, alert and encrypted record is a message under
 * the packet that completes it (one a record, so what is decoded does not depend on
 * how TCP cut the stream). The handshake in words is a note on the
 * message that completes it (the client's Finished or first encrypted record).
 *
 * Trust model: untrusted input, read through struct rd. A record longer than any TLS
 * allows (TLS_RECORD_MAX) or with an unknown type or version is malformed
 * (tls.bad_record with the offset): the side is then not read as TLS any more (its
 * bytes are passed over; record boundaries cannot be trusted). A handshake message
 * longer than TLS_HS_MAX is skipped and said so. After lost bytes the decoder looks
 * for the next plausible record header. Per connection it keeps struct tls_state
 * (about 600 bytes) plus at most TLS_HS_MAX of one handshake message per side while
 * it is being reassembled (freed when it completes). */
#include "proto.h"
#include "keylog.h"
#include "tls_crypto.h"
#include "tls_hs.h"
#include "tls_names.h"

#include "../base/rd.h"
#include "../base/strbuf.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* RFC 5246 §6.2.3: a TLSCiphertext fragment is at most 2^14 + 2048 bytes (TLS 1.3's
 * are smaller, 2^14 + 256). A longer length is not TLS. */
#define TLS_RECORD_MAX (16384 + 2048)
/* One handshake message reassembled across records: a certificate chain is the
 * longest in practice (OpenSSL refuses chains over 100 KiB by default,
 * SSL_MAX_CERT_LIST_DEFAULT); 24-bit lengths could claim 16 MiB. A longer message is
 * skipped (tls.hs_too_long), not kept. */
#define TLS_HS_MAX ((size_t)128 << 10)
/* After lost bytes, how far to look for the next record header before giving up on
 * the side: two records' worth. */
#define TLS_RESYNC_SCAN (2 * (TLS_RECORD_MAX + 5))

const struct app_event tls_events[TE_COUNT + 1] = {
	[TE_HANDSHAKE] = { "tls.handshake", SEV_CHAT, "the handshake in words: version, server name, ALPN, round trips, time" },
	[TE_HRR] = { "tls.hello_retry", SEV_NOTE, "HelloRetryRequest: the client's key share was not acceptable; one more round trip" },
	[TE_RESUMED] = { "tls.resumed", SEV_CHAT, "a session resumed (session id, ticket or PSK): no certificate exchanged" },
	[TE_EARLY_DATA] = { "tls.early_data", SEV_NOTE, "0-RTT data: sent before the handshake completes, replayable (RFC 8446 §8)" },
	[TE_CLOSE_NOTIFY] = { "tls.close_notify", SEV_CHAT, "close_notify: the sender will send no more" },
	[TE_ALERT_WARNING] = { "tls.alert_warning", SEV_NOTE, "a warning-level alert" },
	[TE_ALERT_FATAL] = { "tls.alert_fatal", SEV_NOTE, "a fatal alert: the connection is over" },
	[TE_REFUSED] = { "tls.refused", SEV_NOTE, "the server answered the ClientHello with an alert: the handshake failed" },
	[TE_CERT_EXPIRED] = { "tls.cert_expired", SEV_NOTE, "the server's certificate had expired at the time of the capture" },
	[TE_CERT_NOT_YET] = { "tls.cert_not_yet_valid", SEV_NOTE, "the server's certificate was not yet valid at the time of the capture" },
	[TE_CERT_BAD] = { "tls.cert_unreadable", SEV_WARN, "a certificate libcrypto cannot parse (or too large to parse)" },
	[TE_SNI_MISMATCH] = { "tls.sni_mismatch", SEV_NOTE, "the server's certificate does not name the server the client asked for" },
	[TE_BAD_RECORD] = { "tls.bad_record", SEV_ERROR, "a record header with an unknown type or version, or a length no TLS record has" },
	[TE_BAD_HANDSHAKE] = { "tls.bad_handshake", SEV_ERROR, "a handshake message whose lengths contradict each other" },
	[TE_TRUNCATED] = { "tls.truncated", SEV_NOTE, "the stream ends inside a record" },
	[TE_HS_TOO_LONG] = { "tls.hs_too_long", SEV_NOTE, "a handshake message longer than chattcp reassembles (128 KiB): skipped" },
	[TE_GAP] = { "tls.gap", SEV_NOTE, "bytes were lost: the next record was found again by its header" },
	[TE_OLD_VERSION] = { "tls.old_version", SEV_NOTE, "SSL 3.0, TLS 1.0 or 1.1 negotiated: deprecated (RFC 8996)" },
	[TE_DECRYPTED] = { "tls.decrypted", SEV_CHAT, "records decrypted with keys from the key log" },
	[TE_DECRYPT_FAILED] = { "tls.decrypt_failed", SEV_ERROR, "a record that does not authenticate with the logged key" },
	[TE_NO_KEYS] = { "tls.no_keys", SEV_NOTE, "a key log was given but has no keys for this connection" },
	[TE_COUNT] = { NULL, 0, NULL },
};

struct tls_dir {
	uint8_t *hs;           /* the handshake message being reassembled (malloc'd) */
	size_t hs_len, hs_cap;
	uint64_t hs_off;       /* own-stream offset of hs[0] */
	uint64_t hs_skip;      /* bytes of an over-long handshake message still to pass */
	uint8_t encrypted;     /* this side's records are protected from now on */
	uint8_t dead;          /* not TLS any more: bytes are passed over */
	uint8_t resync;        /* after a gap: look for the next record header */
	uint8_t hs_skip_done;  /* this fragment began with the end of a skipped message */
	uint64_t lost;         /* bytes lost before the resync */
	uint64_t n_enc;        /* encrypted records seen */
};

/* Decryption, for a connection the key log has keys for (made then: others pay
 * only the pointer). */
struct tls_dec {
	struct tls_cipher *c[2];   /* each side's current keys */
	struct tls_cipher *next[2];/* TLS 1.2: keys made at the ServerHello, used from the side's CCS */
	uint8_t on[2];             /* the side's records are decrypted */
	uint8_t failed[2];         /* a record did not authenticate (or bytes were lost): stop */
	uint8_t finished[2];       /* TLS 1.3: the side's Finished was read: traffic keys next */
	uint8_t key_update[2];     /* TLS 1.3: a KeyUpdate was read: next generation next */
	uint8_t said[2];           /* tls.decrypted said for the side */
	uint64_t n_dec[2];
	struct layer *up;          /* the plaintext's decoder (HTTP...), detected by content */
};

struct tls_state {
	struct tls_dir d[2];
	struct tls_hs hs;
	struct tls_dec *dec;
	uint8_t looked;            /* the key log was asked for this connection's keys */
};

/* What every TLS connection costs the decoder, whatever it is sent: a capture of
 * 200,000 open connections (tests/lib/hostile.py many_conns) must fit the memory the
 * session is given (tests/unit/test_connmem.c), so the fixed state has a budget; the
 * SNI (TLS_NAME_MAX) is most of it. Keys and a handshake message being reassembled are
 * allocated only while needed. */
#define TLS_STATE_BUDGET 640
_Static_assert(sizeof(struct tls_state) <= TLS_STATE_BUDGET, "struct tls_state grew past its budget");

static int plausible_header(const uint8_t *p)
{
	unsigned len = (unsigned)p[3] << 8 | p[4];
	return p[0] >= 20 && p[0] <= 24 && p[1] == 3 && p[2] <= 4 && len <= TLS_RECORD_MAX && len > 0;
}

static int tls_probe(const uint8_t *p, size_t n, int dir)
{
	if (n == 0)
		return PROBE_MAYBE;
	if (p[0] < 20 || p[0] > 23)
		return PROBE_NO;
	if (n >= 2 && p[1] != 3)
		return PROBE_NO;
	if (n >= 3 && p[2] > 4)
		return PROBE_NO;
	if (n >= 5) {
		unsigned len = (unsigned)p[3] << 8 | p[4];
		if (len == 0 || len > TLS_RECORD_MAX)
			return PROBE_NO;
	}
	if (p[0] != 22)
		return PROBE_MAYBE; /* a capture that began after the handshake */
	if (n < 6)
		return PROBE_MAYBE;
	if (p[5] == 1)
		return dir == 0 ? PROBE_YES : PROBE_NO;
	if (p[5] == 2)
		return dir == 1 ? PROBE_YES : PROBE_NO;
	return PROBE_MAYBE;
}

static void tls_fini(void *vst)
{
	struct tls_state *st = vst;
	for (int i = 0; i < 2; i++)
		xfree(st->d[i].hs);
	if (st->dec) {
		for (int i = 0; i < 2; i++) {
			tls_cipher_free(st->dec->c[i]);
			tls_cipher_free(st->dec->next[i]);
		}
		xfree(st->dec);
	}
}

/* At the ServerHello: the keys of this connection from the key log, if it has them. */
static void find_keys(struct tls_state *st, struct layer *L, struct appmsg *sh, uint64_t at)
{
	const struct keylog *kl = app_keylog(L);
	struct tls_hs *hs = &st->hs;
	if (!kl || st->looked || !hs->seen_ch)
		return;
	st->looked = 1;
	const char *sn = tls_suite_name(hs->suite);
	if (!tls_suite_decryptable(hs->suite)) {
		appmsg_note(sh, TLS_EV(NO_KEYS), at, "chattcp does not decrypt %s yet: the records stay encrypted",
			    sn ? sn : "this cipher suite");
		return;
	}
	size_t l0 = 0, l1 = 0;
	struct tls_cipher *c0 = NULL, *c1 = NULL;
	if (hs->version == 0x0304) {
		const uint8_t *s0 = keylog_find(kl, KL_CLIENT_HANDSHAKE, hs->client_random, &l0);
		const uint8_t *s1 = keylog_find(kl, KL_SERVER_HANDSHAKE, hs->client_random, &l1);
		if (s0 && s1) {
			c0 = tls_cipher13(hs->suite, s0, l0);
			c1 = tls_cipher13(hs->suite, s1, l1);
		}
	} else {
		const uint8_t *ms = keylog_find(kl, KL_CLIENT_RANDOM, hs->client_random, &l0);
		if (ms)
			tls_cipher12_pair(hs->suite, hs->version, hs->etm, ms, l0, hs->client_random, hs->server_random, &c0, &c1);
	}
	if (!c0 || !c1) {
		tls_cipher_free(c0);
		tls_cipher_free(c1);
		appmsg_note(sh, TLS_EV(NO_KEYS), at,
			    "the key log has no usable keys for this connection (client random %02x%02x%02x%02x...)",
			    hs->client_random[0], hs->client_random[1], hs->client_random[2], hs->client_random[3]);
		return;
	}
	st->dec = xcalloc(1, sizeof *st->dec);
	if (hs->version == 0x0304) {
		st->dec->c[0] = c0, st->dec->c[1] = c1;
		st->dec->on[0] = st->dec->on[1] = 1;
	} else {
		st->dec->next[0] = c0, st->dec->next[1] = c1;
	}
}

/* After a record of side dir: TLS 1.3 key changes its handshake messages asked for. */
static void key_schedule(struct tls_state *st, struct layer *L, int dir)
{
	struct tls_dec *k = st->dec;
	if (!k || !k->c[dir])
		return;
	if (k->finished[dir]) {
		k->finished[dir] = 0;
		size_t l = 0;
		const uint8_t *sec = keylog_find(app_keylog(L), dir ? KL_SERVER_TRAFFIC_0 : KL_CLIENT_TRAFFIC_0,
						 st->hs.client_random, &l);
		struct tls_cipher *c = sec ? tls_cipher13(st->hs.suite, sec, l) : NULL;
		tls_cipher_free(k->c[dir]);
		k->c[dir] = c;
		if (!c)
			k->failed[dir] = 1;
	}
	if (k->key_update[dir]) {
		k->key_update[dir] = 0;
		if (tls_cipher13_update(k->c[dir]) < 0)
			k->failed[dir] = 1;
	}
}

static void hs_drop(struct tls_dir *d)
{
	xfree(d->hs);
	d->hs = NULL;
	d->hs_len = d->hs_cap = 0;
}

static const char *vname(uint16_t v, char *b, size_t n) { return tls_version_name(v, b, n); }

/* The handshake in words, once it is complete (the client's Finished). */
static void say_handshake(struct tls_state *st, struct layer *L, struct appmsg *m, uint64_t at)
{
	struct tls_hs *hs = &st->hs;
	if (hs->said_handshake || !hs->seen_sh)
		return;
	hs->said_handshake = 1;
	char vb[16];
	struct strbuf s;
	sb_init(&s);
	sb_printf(&s, "%s handshake", vname(hs->version, vb, sizeof vb));
	if (hs->sni[0])
		sb_printf(&s, " with %s", hs->sni);
	const char *sn = tls_suite_name(hs->suite);
	if (sn)
		sb_printf(&s, " (%s)", sn);
	if (hs->alpn[0])
		sb_printf(&s, ", %s negotiated", hs->alpn);
	int rtt = hs->version == 0x0304 ? 1 : (hs->resumed ? 1 : 2);
	if (hs->hrr)
		rtt++;
	sb_printf(&s, ", %d RTT", rtt);
	if (hs->resumed)
		sb_puts(&s, ", session resumed");
	if (hs->early_accepted)
		sb_puts(&s, ", 0-RTT data accepted");
	if (hs->hrr)
		sb_puts(&s, " (after a HelloRetryRequest)");
	if (hs->seen_ch && m->first_ts >= hs->ch_ts) {
		int64_t us = (m->first_ts - hs->ch_ts) / 1000;
		if (us < 10000)
			sb_printf(&s, ", %.2f ms", (double)us / 1000);
		else
			sb_printf(&s, ", %.0f ms", (double)us / 1000);
	}
	appmsg_note(m, TLS_EV(HANDSHAKE), at, "%s", s.s);
	if (hs->resumed)
		appmsg_note(m, TLS_EV(RESUMED), at, "session resumed: no certificate was exchanged");
	sb_fini(&s);
	(void)L;
}

/* Complete handshake messages in d->hs; frag_off: own-stream offset of the fragment
 * just appended at index bi. */
static void hs_messages(struct tls_state *st, struct layer *L, int dir, uint64_t frag_off, size_t bi)
{
	struct tls_dir *d = &st->d[dir];
	size_t pos = 0;
	while (d->hs_len - pos >= 4) {
		const uint8_t *h = d->hs + pos;
		uint8_t type = h[0];
		size_t len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
		uint64_t moff = pos == 0 ? d->hs_off : frag_off + (pos - bi);
		if (len > TLS_HS_MAX) {
			const char *nm = tls_hs_name(type);
			struct appmsg *m = app_msg_begin(L, dir, nm ? nm : "handshake", moff);
			char sum[96];
			int k = snprintf(sum, sizeof sum, "%s, %zu bytes (not reassembled)", nm ? nm : "handshake message", len);
			appmsg_set_summary(m, sum, (size_t)k);
			appmsg_note(m, TLS_EV(HS_TOO_LONG), app_conn_off(L, dir, moff),
				    "a handshake message of %zu bytes, more than chattcp reassembles (%zu): skipped", len, TLS_HS_MAX);
			d->hs_skip = len - (d->hs_len - pos - 4);
			app_msg_end(L, m, frag_off + (d->hs_len - bi));
			app_msg_done(L, m);
			pos = d->hs_len;
			break;
		}
		if (d->hs_len - pos - 4 < len)
			break;
		uint64_t mend = frag_off + (pos + 4 + len - bi);
		struct appmsg *m = app_msg_begin(L, dir, "handshake", moff);
		uint64_t at = app_conn_off(L, dir, moff + 4);
		tls_hs_parse(&st->hs, L, m, dir, type, h + 4, len, at);
		if (type == 2 && st->hs.seen_sh)
			find_keys(st, L, m, at);
		if (st->dec && st->hs.version == 0x0304 && type == 20)
			st->dec->finished[dir] = 1;
		if (st->dec && st->hs.version == 0x0304 && type == 24)
			st->dec->key_update[dir] = 1;
		/* TLS 1.3: everything after the ServerHello is protected (RFC 8446 §2) */
		if (type == 2 && st->hs.seen_sh && st->hs.version == 0x0304)
			st->d[0].encrypted = st->d[1].encrypted = 1;
		if (type == 20 && dir == 0)
			say_handshake(st, L, m, at);
		app_msg_end(L, m, mend);
		app_msg_done(L, m);
		pos += 4 + len;
	}
	if (pos) {
		memmove(d->hs, d->hs + pos, d->hs_len - pos);
		d->hs_len -= pos;
		d->hs_off = frag_off + (pos - bi);
	}
	if (!d->hs_len)
		hs_drop(d);
}

static void handshake_fragment(struct tls_state *st, struct layer *L, int dir, const uint8_t *p, size_t n,
			       uint64_t frag_off)
{
	struct tls_dir *d = &st->d[dir];
	if (d->hs_skip) {
		size_t k = n < d->hs_skip ? n : (size_t)d->hs_skip;
		d->hs_skip -= k;
		p += k;
		n -= k;
		frag_off += k;
		d->hs_skip_done = 1;
		if (!n)
			return;
	}
	if (!n)
		return; /* an empty handshake fragment (RFC 8446 §5.1 forbids it): nothing to add */
	size_t bi = d->hs_len;
	if (!bi) /* a message that begins a record begins with the record's header */
		d->hs_off = d->hs_skip_done ? frag_off : frag_off - 5;
	d->hs_skip_done = 0;
	if (d->hs_len + n > d->hs_cap) {
		size_t cap = d->hs_cap ? d->hs_cap : 1024;
		while (cap < d->hs_len + n)
			cap *= 2;
		d->hs = xrealloc(d->hs, cap);
		d->hs_cap = cap;
	}
	memcpy(d->hs + d->hs_len, p, n);
	d->hs_len += n;
	hs_messages(st, L, dir, frag_off, bi);
}

/* The alert in record p (2 bytes, RFC 8446 §6). */
static void alert(struct tls_state *st, struct layer *L, int dir, struct appmsg *m, const uint8_t *p, uint64_t at)
{
	uint8_t level = p[0], desc = p[1];
	const char *dn = tls_alert_name(desc);
	char sum[128];
	int k = snprintf(sum, sizeof sum, "Alert (%s): %s", level == 1 ? "warning" : level == 2 ? "fatal" : "?",
			 dn ? dn : "unknown");
	appmsg_set_summary(m, sum, (size_t)k);
	char v[8];
	snprintf(v, sizeof v, "%u", level);
	appmsg_kv(m, "level", v, strlen(v));
	appmsg_kv(m, "description", dn ? dn : "unknown", strlen(dn ? dn : "unknown"));
	if (desc == 0) {
		appmsg_note(m, TLS_EV(CLOSE_NOTIFY), at, "close_notify: the %s will send no more", dir ? "server" : "client");
		return;
	}
	struct tls_hs *hs = &st->hs;
	if (dir == 1 && hs->seen_ch && !hs->seen_sh) {
		char vb[16];
		struct strbuf s;
		sb_init(&s);
		sb_printf(&s, "the server refused: %s right after a ClientHello ", dn ? dn : "an alert");
		if (hs->ch_only_old)
			sb_puts(&s, "offering only suites older than TLS 1.2");
		else
			sb_printf(&s, "offering up to %s", vname(hs->ch_max_version, vb, sizeof vb));
		if (desc == 70)
			sb_puts(&s, " (no version both sides accept)");
		else if (desc == 40 || desc == 71)
			sb_puts(&s, " (no suite or group both sides accept)");
		else if (desc == 112)
			sb_printf(&s, " (the server does not know %s)", hs->sni[0] ? hs->sni : "the name asked for");
		appmsg_note(m, TLS_EV(REFUSED), at, "%s", s.s);
		sb_fini(&s);
		return;
	}
	if (level == 2)
		appmsg_note(m, TLS_EV(ALERT_FATAL), at, "fatal alert %s from the %s: the connection is over", dn ? dn : "unknown",
			    dir ? "server" : "client");
	else
		appmsg_note(m, TLS_EV(ALERT_WARNING), at, "warning alert %s from the %s", dn ? dn : "unknown",
			    dir ? "server" : "client");
}

/* Encrypted records that arrived together: one message. */
struct enc_run {
	struct appmsg *m;
	unsigned n;
	uint64_t bytes;
	int type;
};

static void run_end(struct tls_state *st, struct layer *L, int dir, struct enc_run *r, uint64_t end)
{
	(void)st;
	if (!r->m)
		return;
	char sum[128];
	int k;
	const char *what = r->type == 23 ? "application data" : r->type == 21 ? "encrypted alert" : "encrypted handshake";
	if (r->n == 1)
		k = snprintf(sum, sizeof sum, "%s, %" PRIu64 " bytes (encrypted)", what, r->bytes);
	else
		k = snprintf(sum, sizeof sum, "%s, %u records, %" PRIu64 " bytes (encrypted)", what, r->n, r->bytes);
	appmsg_set_summary(r->m, sum, (size_t)k);
	char v[24];
	if (r->n > 1) {
		snprintf(v, sizeof v, "%u", r->n);
		appmsg_kv(r->m, "records", v, strlen(v));
	}
	snprintf(v, sizeof v, "%" PRIu64, r->bytes);
	appmsg_kv(r->m, "encrypted_bytes", v, strlen(v));
	app_msg_end(L, r->m, end);
	app_msg_done(L, r->m);
	r->m = NULL;
	r->n = 0;
	r->bytes = 0;
}

/* One protected record of side dir with the key log's keys: its plaintext read as
 * what its content type says, application data handed up. */
static void decrypt_record(struct tls_state *st, struct layer *L, int dir, const uint8_t *h, const uint8_t *body,
			   size_t len, uint64_t roff, uint64_t rend, uint64_t at)
{
	struct tls_dec *k = st->dec;
	uint8_t *out = xmalloc(len ? len : 1);
	uint8_t it = 0;
	long pl = tls_decrypt(k->c[dir], h, body, len, out, &it);
	char sum[128];
	int n;
	if (pl < 0) {
		k->failed[dir] = 1;
		struct appmsg *m = app_msg_begin(L, dir, h[0] == 23 ? "application_data" : h[0] == 21 ? "encrypted_alert" :
							 "encrypted_handshake", roff);
		n = snprintf(sum, sizeof sum, "record of %zu bytes that does not decrypt", len);
		appmsg_set_summary(m, sum, (size_t)n);
		appmsg_note(m, TLS_EV(DECRYPT_FAILED), at,
			    "record %" PRIu64 " of the %s does not authenticate with the key log's key (a wrong or stale key "
			    "log, or damaged bytes): this side is not decrypted from here",
			    k->n_dec[dir] + 1, dir ? "server" : "client");
		app_msg_end(L, m, rend);
		app_msg_done(L, m);
		xfree(out);
		return;
	}
	k->n_dec[dir]++;
	size_t plen = (size_t)pl;
	if (it == 22) {
		handshake_fragment(st, L, dir, out, plen, roff + 5);
	} else if (it == 21 && plen == 2) {
		struct appmsg *m = app_msg_begin(L, dir, "alert", roff);
		alert(st, L, dir, m, out, at);
		app_msg_end(L, m, rend);
		app_msg_done(L, m);
	} else if (it == 23) {
		struct appmsg *m = app_msg_begin(L, dir, "application_data", roff);
		n = snprintf(sum, sizeof sum, "application data, %zu bytes (decrypted)", plen);
		appmsg_set_summary(m, sum, (size_t)n);
		char v[24];
		snprintf(v, sizeof v, "%zu", plen);
		appmsg_kv(m, "plaintext_bytes", v, strlen(v));
		if (!k->said[dir]) {
			k->said[dir] = 1;
			appmsg_note(m, TLS_EV(DECRYPTED), at, "the %s's records are decrypted with the key log from here",
				    dir ? "server" : "client");
		}
		app_msg_end(L, m, rend);
		app_msg_done(L, m);
		if (!k->up) {
			struct layer_open how;
			memset(&how, 0, sizeof how);
			how.msg[0] = how.msg[1] = APPMSG_NONE;
			how.owner = APPMSG_NONE;
			if (strcmp(st->hs.alpn, "http/1.1") == 0)
				how.proto = "http";
			else if (strcmp(st->hs.alpn, "h2") == 0)
				how.proto = "http2";
			k->up = app_open(L, &how); /* whatever the plaintext is, by content */
		}
		if (k->up && plen)
			app_write(k->up, dir, out, plen, roff, rend);
	} else {
		struct appmsg *m = app_msg_begin(L, dir, "record", roff);
		n = snprintf(sum, sizeof sum, "decrypted record of content type %u, %zu bytes", it, plen);
		appmsg_set_summary(m, sum, (size_t)n);
		app_msg_end(L, m, rend);
		app_msg_done(L, m);
	}
	xfree(out);
	key_schedule(st, L, dir);
}

static struct feed_res tls_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				int flags)
{
	struct tls_state *st = vst;
	struct tls_dir *d = &st->d[dir];
	if (d->dead)
		return feed_took(n);
	size_t used = 0;
	if (d->resync) {
		size_t i = 0;
		while (i + 5 <= n && !plausible_header(p + i))
			i++;
		if (i + 5 > n) {
			size_t k = n > 4 ? n - 4 : 0;
			d->lost += k;
			if (d->lost > TLS_RESYNC_SCAN || (flags & (FEED_EOF | FEED_GAP))) {
				d->dead = 1;
				return feed_took(n);
			}
			return feed_need(k, 5 + k > n ? 5 + k : n + 1);
		}
		d->resync = 0;
		d->lost += i;
		used = i;
		struct appmsg *m = app_msg_begin(L, dir, "resync", off);
		char sum[96];
		int k = snprintf(sum, sizeof sum, "%" PRIu64 " bytes lost; the next record starts here", d->lost);
		appmsg_set_summary(m, sum, (size_t)k);
		appmsg_note(m, TLS_EV(GAP), app_conn_off(L, dir, off + i),
			    "%" PRIu64 " bytes were lost (%zu of them after the gap were skipped); records are read again from here",
			    d->lost, i);
		app_msg_end(L, m, off + i);
		app_msg_done(L, m);
		d->lost = 0;
	}
	struct enc_run run = { NULL, 0, 0, 0 };
	uint64_t run_endoff = off;
	while (n - used >= 5) {
		const uint8_t *h = p + used;
		uint64_t roff = off + used;
		struct rd r = rd_make(h, n - used);
		uint8_t type = rd_u8(&r);
		uint16_t ver = rd_be16(&r);
		size_t len = rd_be16(&r);
		if (type < 20 || type > 24 || (ver >> 8) != 3 || (ver & 0xff) > 4 || len > TLS_RECORD_MAX) {
			run_end(st, L, dir, &run, run_endoff);
			struct appmsg *m = app_msg_begin(L, dir, "malformed", roff);
			char vb[16];
			appmsg_note(m, TLS_EV(BAD_RECORD), app_conn_off(L, dir, roff),
				    "not a TLS record: type %u, version %s, length %zu; the rest of this side is not read as TLS",
				    type, vname(ver, vb, sizeof vb), len);
			appmsg_set_summary(m, "not a TLS record", 16);
			app_msg_end(L, m, off + n);
			app_msg_done(L, m);
			d->dead = 1;
			return feed_took(n);
		}
		if (len > rd_left(&r)) {
			/* the frame with its first byte, and the one that completed a cut header:
			 * Wireshark's TLS reads both (it asks TCP for one more segment) */
			app_pdu_begins(L, dir, roff);
			app_pdu_begins(L, dir, roff + 4);
			break;
		}
		const uint8_t *body = rd_bytes(&r, len);
		uint64_t rend = roff + 5 + len;
		uint64_t at = app_conn_off(L, dir, roff);
		int enc = d->encrypted && type != 20 && !(type == 21 && len == 2 && !d->encrypted);
		if (enc && st->dec && st->dec->on[dir] && !st->dec->failed[dir] && st->dec->c[dir]) {
			run_end(st, L, dir, &run, run_endoff);
			decrypt_record(st, L, dir, h, body, len, roff, rend, at);
		} else if (type == 22 && !d->encrypted && !(st->hs.version == 0x0304 && st->hs.seen_sh)) {
			run_end(st, L, dir, &run, run_endoff);
			handshake_fragment(st, L, dir, body, len, roff + 5);
		} else if (type == 20) {
			run_end(st, L, dir, &run, run_endoff);
			struct appmsg *m = app_msg_begin(L, dir, "change_cipher_spec", roff);
			/* Before a ServerHello (around a HelloRetryRequest) or in TLS 1.3, a CCS
			 * changes nothing: it is there for middleboxes. */
			if (!st->hs.seen_sh || st->hs.version == 0x0304) {
				appmsg_set_summary(m, "ChangeCipherSpec (middlebox compatibility, RFC 8446 §D.4)", 57);
			} else {
				appmsg_set_summary(m, "ChangeCipherSpec: what follows from this side is encrypted", 58);
				d->encrypted = 1;
				if (st->dec && st->dec->next[dir]) {
					st->dec->c[dir] = st->dec->next[dir];
					st->dec->next[dir] = NULL;
					st->dec->on[dir] = 1;
				}
			}
			app_msg_end(L, m, rend);
			app_msg_done(L, m);
		} else if (type == 21 && !enc && len == 2) {
			run_end(st, L, dir, &run, run_endoff);
			struct appmsg *m = app_msg_begin(L, dir, "alert", roff);
			alert(st, L, dir, m, body, at);
			app_msg_end(L, m, rend);
			app_msg_done(L, m);
		} else if (type == 24) {
			run_end(st, L, dir, &run, run_endoff);
			struct appmsg *m = app_msg_begin(L, dir, "heartbeat", roff);
			char sum[64];
			int k = snprintf(sum, sizeof sum, "Heartbeat, %zu bytes", len);
			appmsg_set_summary(m, sum, (size_t)k);
			app_msg_end(L, m, rend);
			app_msg_done(L, m);
		} else {
			/* protected: application data, or a handshake message or alert in TLS 1.3,
			 * or a Finished after CCS in TLS <= 1.2 */
			int kind = type;
			if (run.m && run.type != kind)
				run_end(st, L, dir, &run, run_endoff);
			if (!run.m) {
				const char *k = kind == 23 ? "application_data" : kind == 21 ? "encrypted_alert" : "encrypted_handshake";
				run.m = app_msg_begin(L, dir, k, roff);
				run.type = kind;
				/* the client's first protected record ends its side of the handshake */
				if (dir == 0 && st->hs.seen_sh && !st->hs.said_handshake &&
				    (kind == 22 || (st->hs.version == 0x0304 && kind == 23)))
					say_handshake(st, L, run.m, at);
			}
			run.n++;
			run.bytes += len;
			d->n_enc++;
			/* one message a record: what is decoded must not depend on how TCP
			 * cut the stream */
			run_end(st, L, dir, &run, rend);
		}
		used += 5 + len;
		run_endoff = rend;
		if (d->dead)
			break;
	}
	run_end(st, L, dir, &run, run_endoff);
	if ((flags & FEED_EOF) && st->dec && st->dec->up)
		app_write_end(st->dec->up, dir);
	if (n - used && (flags & (FEED_EOF | FEED_GAP))) {
		struct appmsg *m = app_msg_begin(L, dir, "partial", off + used);
		m->flags |= AM_INCOMPLETE;
		appmsg_set_summary(m, "record cut short", 16);
		appmsg_note(m, TLS_EV(TRUNCATED), app_conn_off(L, dir, off + used),
			    "the stream ends inside a record (%zu bytes of it seen)", n - used);
		app_msg_end(L, m, off + n);
		app_msg_done(L, m);
		return feed_took(n);
	}
	if (n - used >= 5) {
		size_t len = (size_t)p[used + 3] << 8 | p[used + 4];
		return feed_need(used, 5 + len);
	}
	if (n - used && !d->dead)
		app_pdu_begins(L, dir, off + used); /* a header cut by the segment's end */
	return feed_need(used, 5);
}

static void tls_gap(void *vst, struct layer *L, int dir, uint64_t off, uint64_t len)
{
	struct tls_state *st = vst;
	struct tls_dir *d = &st->d[dir];
	(void)L, (void)off;
	hs_drop(d);
	d->hs_skip = 0;
	d->resync = 1;
	d->lost = len;
	if (st->dec) {
		/* the record numbers (and so the nonces) are lost with the bytes */
		st->dec->failed[dir] = 1;
		if (st->dec->up)
			app_write_gap(st->dec->up, dir, len);
	}
}

static void tls_finish(void *vst, struct layer *L)
{
	struct tls_state *st = vst;
	(void)L;
	if (st->dec && st->dec->up) {
		app_close(st->dec->up);
		st->dec->up = NULL;
	}
}

const struct proto_desc proto_tls = {
	.name = "tls",
	.what = "TLS records and handshakes (SSL 3.0 - TLS 1.3): names, certificates, JA3/JA4, alerts",
	.role = PROTO_STREAM,
	.transport = 6,
	.ports = { 443, 8443, 993, 995 },
	.events = tls_events,
	.probe = tls_probe,
	.state_size = sizeof(struct tls_state),
	.feed = tls_feed,
	.gap = tls_gap,
	.finish = tls_finish,
	.fini = tls_fini,
};
