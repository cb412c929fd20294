/* sha.h: SHA-1 (for the WebSocket handshake, RFC 6455 §4.2.2) and SHA-256 (to name
 * exported files' content, as tshark and sha256sum do), from FIPS 180-4. */
#ifndef CHATTCP_SHA_H
#define CHATTCP_SHA_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t n;
};
void sha256_init(struct sha256 *s);
void sha256_add(struct sha256 *s, const void *p, size_t n);
void sha256_done(struct sha256 *s, uint8_t out[32]);
/* Lowercase hex of the SHA-256 of p[0..n) into hex (65 bytes). */
void sha256_hex(const void *p, size_t n, char hex[65]);

void sha1(const void *p, size_t n, uint8_t out[20]);
/* Base64 (RFC 4648 §4) of p[0..n) into out (4*((n+2)/3)+1 bytes). */
void base64_encode(const uint8_t *p, size_t n, char *out);

#endif
