/* sha.h: SHA-1 (for the WebSocket handshake, RFC 6455 section 4.2.2) and SHA-256 (to
 * identify exported files' content, as tshark and sha256sum do), computed by OpenSSL's
 * libcrypto (see docs/deps.md), plus Base64 (RFC 4648 section 4). */
#ifndef CHATTCP_SHA_H
#define CHATTCP_SHA_H

#include <stddef.h>
#include <stdint.h>

/* Lowercase hex of the SHA-256 of p[0..n) into hex (65 bytes). */
void sha256_hex(const void *p, size_t n, char hex[65]);

/* SHA-256 fed piece by piece (a file hashed while it is written), with one context
 * reused for many digests: sha256_new() (freed by sha256_free(), NULL is a no-op),
 * then for each digest sha256_start, sha256_add..., sha256_end. If libcrypto fails
 * (allocation only) the digest is all zeros, as sha256_hex gives then. */
struct sha256_ctx;
struct sha256_ctx *sha256_new(void);
void sha256_free(struct sha256_ctx *c);
void sha256_start(struct sha256_ctx *c);
void sha256_add(struct sha256_ctx *c, const void *p, size_t n);
void sha256_end(struct sha256_ctx *c, char hex[65]);
void sha1(const void *p, size_t n, uint8_t out[20]);
/* Base64 of p[0..n) into out (4*((n+2)/3)+1 bytes). */
void base64_encode(const uint8_t *p, size_t n, char *out);

#endif
