/* sha.c: digests through libcrypto's EVP interface (hardware SHA instructions where
 * the CPU has them: hashing every exported body must not cost more than writing it),
 * and Base64 written here (a dozen lines, not worth a library call). */
#include "sha.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void digest(const EVP_MD *md, const void *p, size_t n, uint8_t *out)
{
	unsigned int len = 0;
	/* EVP_Digest only fails on allocation failure; leave a recognisable zero digest. */
	if (!EVP_Digest(p, n, out, &len, md, NULL))
		memset(out, 0, (size_t)EVP_MD_get_size(md));
}

void sha256_hex(const void *p, size_t n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[32];
	digest(EVP_sha256(), p, n, d);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

void sha1(const void *p, size_t n, uint8_t out[20])
{
	digest(EVP_sha1(), p, n, out);
}

void base64_encode(const uint8_t *p, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = tab[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}
