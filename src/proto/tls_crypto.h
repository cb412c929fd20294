/* tls_crypto.h: record protection undone with keys from a key log, through libcrypto
 * (EVP AEAD and CBC ciphers, HMAC, and the TLS 1.0-1.2 PRF and HKDF as EVP_KDFs): TLS
 * 1.2 AES-GCM, ChaCha20-Poly1305 (RFC 7905) and AES-CBC with HMAC (MAC-then-encrypt, or
 * encrypt-then-MAC, RFC 7366), TLS 1.0 and 1.1 AES-CBC, and TLS 1.3's five suites with
 * key updates (RFC 8446
 * §7). A struct tls_cipher is one direction's keys and sequence number: about 200
 * bytes, made only for connections the key log has keys for. */
#ifndef CHATTCP_TLS_CRYPTO_H
#define CHATTCP_TLS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

struct tls_cipher;

/* 1 when the suite's records can be decrypted here. */
int tls_suite_decryptable(uint16_t suite);
/* TLS 1.3: one direction from its traffic secret (the suite's hash length). NULL when
 * the suite is unknown or the secret has the wrong length. */
struct tls_cipher *tls_cipher13(uint16_t suite, const uint8_t *secret, size_t len);
/* TLS 1.3 KeyUpdate: the next generation of traffic secret and keys (§7.2). */
int tls_cipher13_update(struct tls_cipher *c);
/* TLS 1.0-1.2: both directions from the master secret (48 bytes) and the hellos'
 * randoms (§6.3 of RFC 5246); etm: encrypt_then_mac was agreed. 0, or -1 (a suite or
 * version not decrypted here). */
int tls_cipher12_pair(uint16_t suite, uint16_t version, int etm, const uint8_t *master, size_t mlen,
		      const uint8_t cr[32], const uint8_t sr[32], struct tls_cipher **client, struct tls_cipher **server);
/* Decrypts the record hdr (5 bytes) + p[0..n) into out (room for n bytes) and steps
 * the sequence number. Returns the plaintext's length with its content type in *type
 * (TLS 1.3: the inner type), or -1 when it does not authenticate (or is too short to). */
long tls_decrypt(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *p, size_t n, uint8_t *out, uint8_t *type);
void tls_cipher_free(struct tls_cipher *c);

#endif
