/* keylog.h: TLS secrets from a key log (the SSLKEYLOGFILE format NSS defined and
 * browsers, curl and OpenSSL write: "LABEL <client_random hex> <secret hex>" per line,
 * '#' comments), for the TLS decoder to decrypt with.
 *
 * Ownership: the session loads one (session_opts.keylog) and owns it; decoders only
 * look secrets up (app_keylog in proto.h). Lookups are by the ClientHello's random. */
#ifndef CHATTCP_KEYLOG_H
#define CHATTCP_KEYLOG_H

#include "../base/err.h"

#include <stddef.h>
#include <stdint.h>

enum keylog_label {
	KL_CLIENT_RANDOM = 0,            /* TLS <= 1.2: the 48-byte master secret */
	KL_CLIENT_EARLY,                 /* TLS 1.3 client_early_traffic_secret */
	KL_CLIENT_HANDSHAKE,             /* client_handshake_traffic_secret */
	KL_SERVER_HANDSHAKE,
	KL_CLIENT_TRAFFIC_0,             /* client_application_traffic_secret_0 */
	KL_SERVER_TRAFFIC_0,
	KL_N
};

/* Secrets are at most 48 bytes (SHA-384); the longest a line may give. */
#define KEYLOG_SECRET_MAX 64
/* Entries kept: a browser's log of a day is a few thousand; a hostile or huge file is
 * cut here (the load says how many lines were left out). */
#define KEYLOG_ENTRIES_MAX ((size_t)1 << 20)

struct keylog;

/* Reads a key log file. Lines that are not key log lines are skipped and counted.
 * Returns the log (perhaps without keys), or NULL with e set when the file cannot be
 * read. */
struct keylog *keylog_load(const char *path, struct err *e);
/* Parses n bytes of key log text into kl (made when *kl is NULL): a pcapng Decryption
 * Secrets Block carries the same text. Returns the keys added. */
size_t keylog_add_text(struct keylog **kl, const char *p, size_t n);
/* The secret for (label, client_random), its length in *len; NULL when none. */
const uint8_t *keylog_find(const struct keylog *kl, int label, const uint8_t client_random[32], size_t *len);
size_t keylog_count(const struct keylog *kl);
void keylog_free(struct keylog *kl);

#endif
