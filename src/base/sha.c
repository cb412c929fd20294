/* sha.c: digests through libcrypto's EVP interface (hardware SHA instructions where
 * the CPU has them: hashing every exported body must not cost more than writing it),
 * and Base64 written here (a dozen lines, not worth a library call). */
#include "sha.h"

#include "xalloc.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void digest(const EVP_MD *md, const void *p, size_t n, uint8_t *out)
{
	unsigned int len = 0;
	/* EVP_Digest only fails on allocation failure; leave a recognisable zero digest. */
	if (!EVP_Digest(p, n, out, &len, md, NULL))
		memset(out, 0, (size_t)EVP_MD_get_size(md));
}

static void to_hex(const uint8_t d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

void sha256_hex(const void *p, size_t n, char hex[65])
{
	uint8_t d[32];
	digest(EVP_sha256(), p, n, d);
	to_hex(d, hex);
}

void sha1(const void *p, size_t n, uint8_t out[20])
{
	digest(EVP_sha1(), p, n, out);
}

/* libcrypto's EVP_MD_CTX plus whether a step failed (then the digest is zeros). */
struct sha256_ctx {
	EVP_MD_CTX *md;
	EVP_MD *alg; /* fetched once: EVP_sha256() looks the algorithm up at every init */
	int failed;
};

struct sha256_ctx *sha256_new(void)
{
	struct sha256_ctx *c = xcalloc(1, sizeof *c);
	c->md = EVP_MD_CTX_new();
	c->alg = EVP_MD_fetch(NULL, "SHA256", NULL);
	c->failed = !c->md || !c->alg;
	return c;
}

void sha256_free(struct sha256_ctx *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->alg);
	xfree(c);
}

void sha256_start(struct sha256_ctx *c)
{
	c->failed = !c->md || !c->alg || !EVP_DigestInit_ex(c->md, c->alg, NULL);
}

void sha256_add(struct sha256_ctx *c, const void *p, size_t n)
{
	if (!c->failed && n && !EVP_DigestUpdate(c->md, p, n))
		c->failed = 1;
}

void sha256_end(struct sha256_ctx *c, char hex[65])
{
	uint8_t d[32];
	unsigned int len = 0;
	if (c->failed || !EVP_DigestFinal_ex(c->md, d, &len))
		memset(d, 0, sizeof d);
	to_hex(d, hex);
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
