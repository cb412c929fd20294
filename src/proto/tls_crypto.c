/* tls_crypto.c: see tls_crypto.h. Sources: RFC 5246 §6.2.3 and §6.3 (key block, CBC
 * and AEAD records), RFC 5288 §3 (GCM nonce: 4 implicit + 8 explicit bytes), RFC 7905
 * §2 (ChaCha20-Poly1305 nonce), RFC 7366 (encrypt-then-MAC), RFC 8446 §5.2-5.3 and
 * §7.1-7.3 (inner plaintext, per-record nonce, HKDF-Expand-Label, key update). The
 * cipher work is libcrypto's (docs/deps.md); this file only arranges bytes. */
#include "tls_crypto.h"

#include "../base/xalloc.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

enum { K_GCM, K_CHACHA, K_CCM, K_CCM8, K_CBC };

struct suite_info {
	uint16_t id;
	uint8_t kind, key_len, mac_len, tls13;
	const char *hash; /* PRF / HKDF hash */
	const char *mac;  /* CBC: the HMAC's hash */
};

static const struct suite_info suites[] = {
	{ 0x1301, K_GCM, 16, 0, 1, "SHA256", NULL },
	{ 0x1302, K_GCM, 32, 0, 1, "SHA384", NULL },
	{ 0x1303, K_CHACHA, 32, 0, 1, "SHA256", NULL },
	{ 0x1304, K_CCM, 16, 0, 1, "SHA256", NULL },
	{ 0x1305, K_CCM8, 16, 0, 1, "SHA256", NULL },
	{ 0xc02f, K_GCM, 16, 0, 0, "SHA256", NULL }, { 0xc02b, K_GCM, 16, 0, 0, "SHA256", NULL },
	{ 0xc030, K_GCM, 32, 0, 0, "SHA384", NULL }, { 0xc02c, K_GCM, 32, 0, 0, "SHA384", NULL },
	{ 0x009c, K_GCM, 16, 0, 0, "SHA256", NULL }, { 0x009d, K_GCM, 32, 0, 0, "SHA384", NULL },
	{ 0x009e, K_GCM, 16, 0, 0, "SHA256", NULL }, { 0x009f, K_GCM, 32, 0, 0, "SHA384", NULL },
	{ 0xcca8, K_CHACHA, 32, 0, 0, "SHA256", NULL }, { 0xcca9, K_CHACHA, 32, 0, 0, "SHA256", NULL },
	{ 0xccaa, K_CHACHA, 32, 0, 0, "SHA256", NULL },
	{ 0xc013, K_CBC, 16, 20, 0, "SHA256", "SHA1" }, { 0xc014, K_CBC, 32, 20, 0, "SHA256", "SHA1" },
	{ 0xc009, K_CBC, 16, 20, 0, "SHA256", "SHA1" }, { 0xc00a, K_CBC, 32, 20, 0, "SHA256", "SHA1" },
	{ 0x002f, K_CBC, 16, 20, 0, "SHA256", "SHA1" }, { 0x0035, K_CBC, 32, 20, 0, "SHA256", "SHA1" },
	{ 0x0033, K_CBC, 16, 20, 0, "SHA256", "SHA1" }, { 0x0039, K_CBC, 32, 20, 0, "SHA256", "SHA1" },
	{ 0x003c, K_CBC, 16, 32, 0, "SHA256", "SHA256" }, { 0x003d, K_CBC, 32, 32, 0, "SHA256", "SHA256" },
	{ 0x0067, K_CBC, 16, 32, 0, "SHA256", "SHA256" }, { 0x006b, K_CBC, 32, 32, 0, "SHA256", "SHA256" },
	{ 0xc027, K_CBC, 16, 32, 0, "SHA256", "SHA256" }, { 0xc023, K_CBC, 16, 32, 0, "SHA256", "SHA256" },
	{ 0xc028, K_CBC, 32, 48, 0, "SHA384", "SHA384" }, { 0xc024, K_CBC, 32, 48, 0, "SHA384", "SHA384" },
};

static const struct suite_info *suite_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

int tls_suite_decryptable(uint16_t suite) { return suite_find(suite) != NULL; }

struct tls_cipher {
	const struct suite_info *s;
	uint64_t seq;
	int etm;
	uint16_t version;   /* TLS 1.0 chains CBC IVs from record to record (RFC 2246 §6.2.3.2) */
	uint8_t key[32], iv[16], mac_key[48];
	uint8_t secret[48]; /* TLS 1.3: the current traffic secret */
	size_t secret_len;
	EVP_CIPHER_CTX *ctx;
	int keyed;          /* ctx holds the cipher and key: a GCM/ChaCha20 record sets its nonce only */
};

static const EVP_CIPHER *evp_cipher(const struct suite_info *s)
{
	switch (s->kind) {
	case K_GCM: return s->key_len == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm();
	case K_CHACHA: return EVP_chacha20_poly1305();
	case K_CCM: case K_CCM8: return EVP_aes_128_ccm();
	default: return s->key_len == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
	}
}

static size_t hash_len(const char *h) { return strcmp(h, "SHA384") == 0 ? 48 : 32; }

/* RFC 8446 §7.1 HKDF-Expand-Label(secret, label, "", len). */
static int expand_label(const char *hash, const uint8_t *secret, size_t sl, const char *label, uint8_t *out, size_t len)
{
	uint8_t info[2 + 1 + 64 + 1];
	size_t ll = strlen(label);
	info[0] = (uint8_t)(len >> 8);
	info[1] = (uint8_t)len;
	info[2] = (uint8_t)(6 + ll);
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll);
	info[9 + ll] = 0;
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM ps[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)hash, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, sl),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 10 + ll),
		OSSL_PARAM_construct_end(),
	};
	int ok = kc && EVP_KDF_derive(kc, out, len, ps) == 1;
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static int keys13(struct tls_cipher *c)
{
	const char *h = c->s->hash;
	return expand_label(h, c->secret, c->secret_len, "key", c->key, c->s->key_len) ||
			       expand_label(h, c->secret, c->secret_len, "iv", c->iv, 12)
		       ? -1
		       : 0;
}

static struct tls_cipher *cipher_new(const struct suite_info *s)
{
	struct tls_cipher *c = xcalloc(1, sizeof *c);
	c->s = s;
	c->ctx = EVP_CIPHER_CTX_new();
	if (!c->ctx) {
		xfree(c);
		return NULL;
	}
	return c;
}

struct tls_cipher *tls_cipher13(uint16_t suite, const uint8_t *secret, size_t len)
{
	const struct suite_info *s = suite_find(suite);
	if (!s || !s->tls13 || len != hash_len(s->hash))
		return NULL;
	struct tls_cipher *c = cipher_new(s);
	if (!c)
		return NULL;
	memcpy(c->secret, secret, len);
	c->secret_len = len;
	if (keys13(c) < 0) {
		tls_cipher_free(c);
		return NULL;
	}
	return c;
}

int tls_cipher13_update(struct tls_cipher *c)
{
	uint8_t next[48];
	if (expand_label(c->s->hash, c->secret, c->secret_len, "traffic upd", next, c->secret_len) < 0)
		return -1;
	memcpy(c->secret, next, c->secret_len);
	c->seq = 0;
	c->keyed = 0;   /* the next record sets the new key */
	return keys13(c);
}

int tls_cipher12_pair(uint16_t suite, uint16_t version, int etm, const uint8_t *master, size_t mlen,
		      const uint8_t cr[32], const uint8_t sr[32], struct tls_cipher **client, struct tls_cipher **server)
{
	const struct suite_info *s = suite_find(suite);
	*client = *server = NULL;
	/* TLS 1.0 and 1.1 have CBC suites only, and their PRF is MD5 and SHA-1 together
	 * (RFC 2246 §5; OpenSSL's TLS1-PRF takes "MD5-SHA1" for it) */
	if (!s || s->tls13 || mlen != 48 || version < 0x0301 || version > 0x0303 || (version < 0x0303 && s->kind != K_CBC))
		return -1;
	size_t iv_len = s->kind == K_GCM ? 4 : s->kind == K_CHACHA ? 12 : 16;
	int take_iv = s->kind != K_CBC || version == 0x0301; /* TLS 1.1+ CBC: the IV is in each record */
	size_t need = 2 * (s->mac_len + s->key_len + (take_iv ? iv_len : 0));
	const char *prf = version < 0x0303 ? "MD5-SHA1" : s->hash;
	uint8_t kb[2 * (48 + 32 + 16)];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	static const char label[] = "key expansion";
	OSSL_PARAM ps[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)prf, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master, mlen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, sizeof label - 1),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)sr, 32),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)cr, 32),
		OSSL_PARAM_construct_end(),
	};
	int ok = kc && EVP_KDF_derive(kc, kb, need, ps) == 1;
	EVP_KDF_CTX_free(kc);
	EVP_KDF_free(kdf);
	if (!ok)
		return -1;
	struct tls_cipher *c = cipher_new(s), *v = cipher_new(s);
	if (!c || !v) {
		tls_cipher_free(c);
		tls_cipher_free(v);
		return -1;
	}
	const uint8_t *q = kb;
	memcpy(c->mac_key, q, s->mac_len), q += s->mac_len;
	memcpy(v->mac_key, q, s->mac_len), q += s->mac_len;
	memcpy(c->key, q, s->key_len), q += s->key_len;
	memcpy(v->key, q, s->key_len), q += s->key_len;
	if (take_iv) {
		memcpy(c->iv, q, iv_len), q += iv_len;
		memcpy(v->iv, q, iv_len);
	}
	c->etm = v->etm = etm;
	c->version = v->version = version;
	*client = c;
	*server = v;
	return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* AEAD open: 1 authentic, 0 not. */
static int aead_open(struct tls_cipher *c, const uint8_t nonce[12], const uint8_t *aad, size_t al, const uint8_t *ct,
		     size_t n, const uint8_t *tag, size_t tl, uint8_t *out)
{
	EVP_CIPHER_CTX *x = c->ctx;
	int l;
	int ccm = c->s->kind == K_CCM || c->s->kind == K_CCM8;
	/* The cipher and key are set once per key: a full init per record re-fetches the
	 * cipher from the provider and re-runs the key schedule (about 5 % of `http
	 * --keylog`'s CPU on bench/tls.sh's TLS 1.3 capture). CCM takes its tag before the
	 * nonce, so it is initialised in full every record. */
	if (c->keyed) {
		if (EVP_DecryptInit_ex(x, NULL, NULL, NULL, nonce) != 1)
			return 0;
	} else {
		if (EVP_DecryptInit_ex(x, evp_cipher(c->s), NULL, NULL, NULL) != 1 ||
		    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1)
			return 0;
		if (ccm && EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)tl, (void *)tag) != 1)
			return 0;
		if (EVP_DecryptInit_ex(x, NULL, NULL, c->key, nonce) != 1)
			return 0;
		c->keyed = !ccm;
	}
	if (ccm && EVP_DecryptUpdate(x, NULL, &l, NULL, (int)n) != 1)
		return 0;
	if (EVP_DecryptUpdate(x, NULL, &l, aad, (int)al) != 1)
		return 0;
	if (EVP_DecryptUpdate(x, out, &l, ct, (int)n) != 1)
		return 0;
	if (ccm)
		return 1;
	if (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, (int)tl, (void *)tag) != 1)
		return 0;
	return EVP_DecryptFinal_ex(x, out + l, &l) == 1;
}

static int hmac(const char *md, const uint8_t *key, size_t kl, const uint8_t *a, size_t an, const uint8_t *b,
		size_t bn, uint8_t *out)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mc = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM ps[] = { OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0), OSSL_PARAM_construct_end() };
	size_t ol = 0;
	int ok = mc && EVP_MAC_init(mc, key, kl, ps) == 1 && EVP_MAC_update(mc, a, an) == 1 && EVP_MAC_update(mc, b, bn) == 1 &&
		 EVP_MAC_final(mc, out, &ol, 64) == 1;
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(mac);
	return ok;
}

/* CBC: TLS 1.1+ sends each record's IV as its first block; TLS 1.0 uses the last
 * block of the record before (the key block's IV first). */
static long cbc_plain(struct tls_cipher *c, const uint8_t *p, size_t n, uint8_t *out)
{
	int chained = c->version == 0x0301;
	if (n < (chained ? 16u : 32u) || n % 16)
		return -1;
	uint8_t iv[16];
	memcpy(iv, chained ? c->iv : p, 16);
	const uint8_t *ct = chained ? p : p + 16;
	size_t cn = chained ? n : n - 16;
	if (chained)
		memcpy(c->iv, p + n - 16, 16);
	EVP_CIPHER_CTX *x = c->ctx;
	int l1 = 0, l2 = 0;
	if (EVP_DecryptInit_ex(x, evp_cipher(c->s), NULL, c->key, iv) != 1 || EVP_CIPHER_CTX_set_padding(x, 0) != 1 ||
	    EVP_DecryptUpdate(x, out, &l1, ct, (int)cn) != 1 || EVP_DecryptFinal_ex(x, out + l1, &l2) != 1)
		return -1;
	return l1 + l2;
}

long tls_decrypt(struct tls_cipher *c, const uint8_t hdr[5], const uint8_t *p, size_t n, uint8_t *out, uint8_t *type)
{
	const struct suite_info *s = c->s;
	size_t tl = s->kind == K_CCM8 ? 8 : 16;
	uint8_t nonce[12], aad[13];
	long len = -1;
	if (s->tls13) {
		if (n < tl + 1)
			return -1;
		memcpy(nonce, c->iv, 12);
		uint8_t sq[8];
		put64(sq, c->seq);
		for (int i = 0; i < 8; i++)
			nonce[4 + i] ^= sq[i];
		if (!aead_open(c, nonce, hdr, 5, p, n - tl, p + n - tl, tl, out))
			return -1;
		size_t k = n - tl;
		while (k && out[k - 1] == 0)
			k--;
		if (!k)
			return -1; /* no content type: RFC 8446 §5.4 says unexpected_message */
		*type = out[k - 1];
		c->seq++;
		return (long)(k - 1);
	}
	put64(aad, c->seq);
	aad[8] = hdr[0];
	aad[9] = hdr[1];
	aad[10] = hdr[2];
	*type = hdr[0];
	if (s->kind == K_GCM || s->kind == K_CHACHA) {
		size_t ex = s->kind == K_GCM ? 8 : 0;
		if (n < ex + tl)
			return -1;
		size_t cl = n - ex - tl;
		if (s->kind == K_GCM) {
			memcpy(nonce, c->iv, 4);
			memcpy(nonce + 4, p, 8);
		} else {
			memcpy(nonce, c->iv, 12);
			for (int i = 0; i < 8; i++)
				nonce[4 + i] ^= aad[i];
		}
		aad[11] = (uint8_t)(cl >> 8);
		aad[12] = (uint8_t)cl;
		if (!aead_open(c, nonce, aad, 13, p + ex, cl, p + n - tl, tl, out))
			return -1;
		len = (long)cl;
	} else {
		size_t ml = s->mac_len;
		uint8_t mac[64];
		if (c->etm) {
			if (n < ml + 16)
				return -1;
			size_t el = n - ml;
			aad[11] = (uint8_t)(el >> 8);
			aad[12] = (uint8_t)el;
			if (!hmac(s->mac, c->mac_key, ml, aad, 13, p, el, mac) || memcmp(mac, p + el, ml) != 0)
				return -1;
			long pl = cbc_plain(c, p, el, out);
			if (pl < 1 || (size_t)out[pl - 1] + 1 > (size_t)pl)
				return -1;
			len = pl - out[pl - 1] - 1;
		} else {
			long pl = cbc_plain(c, p, n, out);
			if (pl < 1)
				return -1;
			size_t pad = out[pl - 1];
			if (pad + 1 + ml > (size_t)pl)
				return -1;
			size_t cl = (size_t)pl - pad - 1 - ml;
			aad[11] = (uint8_t)(cl >> 8);
			aad[12] = (uint8_t)cl;
			if (!hmac(s->mac, c->mac_key, ml, aad, 13, out, cl, mac) || memcmp(mac, out + cl, ml) != 0)
				return -1;
			len = (long)cl;
		}
	}
	c->seq++;
	return len;
}

void tls_cipher_free(struct tls_cipher *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ctx);
	OPENSSL_cleanse(c, sizeof *c);
	xfree(c);
}
