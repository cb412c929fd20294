/* tls_hs.h: what the TLS decoder's files share: its events (the table is in tls.c),
 * the facts of one connection's handshake that later messages and notes need, and the
 * handshake message parser (tls_hs.c), the fingerprints (tls_fp.c) and the certificate
 * reader (tls_cert.c).
 *
 * Ownership: struct tls_hs lives inside the decoder's per-connection state (tls.c) and
 * owns nothing: it is fixed size (about 400 bytes), so a connection's TLS state stays
 * small whatever the peer sends. */
#ifndef CHATTCP_TLS_HS_H
#define CHATTCP_TLS_HS_H

#include "proto.h"

#include <stddef.h>
#include <stdint.h>

enum {
	TE_HANDSHAKE,        /* the handshake in words (on the ServerHello) */
	TE_HRR,              /* HelloRetryRequest */
	TE_RESUMED,          /* a session resumed */
	TE_EARLY_DATA,       /* 0-RTT data offered or accepted */
	TE_CLOSE_NOTIFY,     /* close_notify alert */
	TE_ALERT_WARNING,    /* a warning-level alert */
	TE_ALERT_FATAL,      /* a fatal alert */
	TE_REFUSED,          /* the server answered a ClientHello with an alert */
	TE_CERT_EXPIRED,     /* a certificate past its notAfter at capture time */
	TE_CERT_NOT_YET,     /* a certificate before its notBefore */
	TE_CERT_BAD,         /* a certificate libcrypto cannot read */
	TE_SNI_MISMATCH,     /* the server certificate does not name the SNI */
	TE_BAD_RECORD,       /* a record header that is not TLS */
	TE_BAD_HANDSHAKE,    /* a handshake message that contradicts its own lengths */
	TE_TRUNCATED,        /* the stream ends inside a record */
	TE_HS_TOO_LONG,      /* a handshake message longer than TLS_HS_MAX */
	TE_GAP,              /* bytes were lost: record boundaries found again, or not */
	TE_OLD_VERSION,      /* SSL 3.0 / TLS 1.0 / TLS 1.1 negotiated */
	TE_DECRYPTED,        /* records decrypted with the key log */
	TE_DECRYPT_FAILED,   /* a record that does not authenticate with the logged key */
	TE_NO_KEYS,          /* keys given, but none for this connection */
	TE_COUNT
};
extern const struct app_event tls_events[TE_COUNT + 1];
#define TLS_EV(x) (&tls_events[TE_##x])

/* Host names kept (SNI, certificate names compared with it): RFC 1035's 253 characters. */
#define TLS_NAME_MAX 254
/* ALPN protocol names kept: real ones are a few bytes ("h2", "http/1.1"). */
#define TLS_ALPN_MAX 32

struct tls_hs {
	uint16_t ch_version;     /* ClientHello legacy_version */
	uint16_t ch_max_version; /* the highest version the client offered (supported_versions) */
	uint16_t version;        /* negotiated: ServerHello's supported_versions, else its legacy_version */
	uint16_t suite;          /* chosen cipher suite */
	uint16_t group;          /* ServerHello key_share group, or HRR's selected group */
	uint16_t ch_suites;      /* suites the client offered */
	uint8_t client_random[32], server_random[32];
	uint8_t sid[32];         /* the client's legacy_session_id */
	uint8_t sid_len;
	uint8_t seen_ch, seen_sh, hrr, resumed, early_offered, early_accepted, psk_offered, ticket_offered;
	uint8_t ch_only_old;     /* every suite the client offered predates TLS 1.2 (no AEAD, no SHA-2) */
	uint8_t etm, ems;        /* encrypt_then_mac, extended_master_secret agreed (TLS <= 1.2) */
	uint8_t cert_checked;    /* the server certificate was compared with the SNI */
	uint8_t said_handshake;
	char sni[TLS_NAME_MAX + 1];
	char alpn_offered[TLS_ALPN_MAX + 1]; /* the client's first ALPN name */
	char alpn[TLS_ALPN_MAX + 1];         /* the server's choice */
	int64_t ch_ts, sh_ts;
	uint64_t ch_frame_unused;
};

/* Parses one handshake message (type, body of n bytes) sent by side dir, whose first
 * byte is at offset at of the connection's stream, into m's fields and notes, and
 * records what the connection must remember in hs. Never reads past n; a body that
 * contradicts its own lengths gets a tls.bad_handshake note with the offset. */
void tls_hs_parse(struct tls_hs *hs, struct layer *L, struct appmsg *m, int dir, uint8_t type, const uint8_t *p,
		  size_t n, uint64_t at);

/* The ClientHello's lists, as the fingerprints need them (wire order, GREASE kept:
 * the fingerprint code drops it). Arrays point into the message being parsed. */
struct tls_ch_lists {
	uint16_t version;  /* legacy_version */
	const uint8_t *suites; size_t n_suites;   /* 2 bytes each */
	uint16_t *exts; size_t n_exts;            /* extension types (malloc'd by the parser) */
	const uint8_t *groups; size_t n_groups;   /* 2 bytes each */
	const uint8_t *formats; size_t n_formats; /* 1 byte each */
	const uint8_t *sigalgs; size_t n_sigalgs; /* 2 bytes each */
	uint16_t max_version;                     /* supported_versions' highest, non-GREASE (0: none) */
	int has_sni;
	const uint8_t *alpn0; size_t alpn0_len;   /* the first ALPN name */
};
/* JA3 (the string and its MD5 in hex, 33 bytes) and JA4 (36 bytes + NUL) of a
 * ClientHello over TCP. ja3 receives the full string (sb). */
struct strbuf;
void tls_ja3(const struct tls_ch_lists *c, struct strbuf *text, char md5hex[33]);
void tls_ja4(const struct tls_ch_lists *c, char out[40]);
/* The JA4 hash part: the first 12 hex digits of SHA-256 of s ("000000000000" when s is
 * empty), as the spec defines each of its b and c parts. */
void tls_ja4_hash12(const char *s, size_t n, char out[13]);

/* A Certificate chain entry (DER, n bytes) at index i: its subject, issuer, names,
 * validity and key into m; the first (the server's own) is compared with hs->sni and
 * with the capture time ts (ns). Returns 0, -1 when libcrypto cannot read it. */
int tls_cert_add(struct tls_hs *hs, struct appmsg *m, unsigned i, const uint8_t *der, size_t n, int64_t ts,
		 uint64_t at);

#endif
