/* tls_names.c: code point names from the IANA TLS parameters registry. Only names are
 * here; what a suite means to decryption is in tls_crypto.c. */
#include "tls_names.h"

#include <stdio.h>

struct name16 { uint16_t v; const char *name; };

static const char *find16(const struct name16 *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}

#define FIND(t, v) find16(t, sizeof t / sizeof t[0], v)

static const struct name16 suites[] = {
	{ 0x0000, "TLS_NULL_WITH_NULL_NULL" },
	{ 0x0001, "TLS_RSA_WITH_NULL_MD5" },
	{ 0x0002, "TLS_RSA_WITH_NULL_SHA" },
	{ 0x0004, "TLS_RSA_WITH_RC4_128_MD5" },
	{ 0x0005, "TLS_RSA_WITH_RC4_128_SHA" },
	{ 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA" },
	{ 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA" },
	{ 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0x003b, "TLS_RSA_WITH_NULL_SHA256" },
	{ 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA" },
	{ 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
	{ 0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA" },
	{ 0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA" },
	{ 0x008d, "TLS_PSK_WITH_AES_256_CBC_SHA" },
	{ 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256" },
	{ 0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384" },
	{ 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" },
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
	{ 0x5600, "TLS_FALLBACK_SCSV" },
	{ 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
	{ 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
	{ 0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA" },
	{ 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
	{ 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
	{ 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
	{ 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
	{ 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
	{ 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
	{ 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA" },
	{ 0xc036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA" },
	{ 0xc09c, "TLS_RSA_WITH_AES_128_CCM" },
	{ 0xc09d, "TLS_RSA_WITH_AES_256_CCM" },
	{ 0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM" },
	{ 0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM" },
	{ 0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8" },
	{ 0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8" },
	{ 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
	{ 0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM" },
	{ 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
	{ 0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8" },
	{ 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
};

static const struct name16 groups[] = {
	{ 0x0017, "secp256r1" }, { 0x0018, "secp384r1" }, { 0x0019, "secp521r1" },
	{ 0x001d, "x25519" },    { 0x001e, "x448" },      { 0x0100, "ffdhe2048" },
	{ 0x0101, "ffdhe3072" }, { 0x0102, "ffdhe4096" }, { 0x0103, "ffdhe6144" },
	{ 0x0104, "ffdhe8192" }, { 0x001a, "brainpoolP256r1" }, { 0x001b, "brainpoolP384r1" },
	{ 0x001c, "brainpoolP512r1" }, { 0x0016, "secp256k1" }, { 0x6399, "X25519Kyber768Draft00" },
	{ 0x11ec, "X25519MLKEM768" }, { 0x0200, "MLKEM512" }, { 0x0201, "MLKEM768" }, { 0x0202, "MLKEM1024" },
};

static const struct name16 sigalgs[] = {
	{ 0x0201, "rsa_pkcs1_sha1" },        { 0x0203, "ecdsa_sha1" },
	{ 0x0401, "rsa_pkcs1_sha256" },      { 0x0403, "ecdsa_secp256r1_sha256" },
	{ 0x0501, "rsa_pkcs1_sha384" },      { 0x0503, "ecdsa_secp384r1_sha384" },
	{ 0x0601, "rsa_pkcs1_sha512" },      { 0x0603, "ecdsa_secp521r1_sha512" },
	{ 0x0804, "rsa_pss_rsae_sha256" },   { 0x0805, "rsa_pss_rsae_sha384" },
	{ 0x0806, "rsa_pss_rsae_sha512" },   { 0x0807, "ed25519" },
	{ 0x0808, "ed448" },                 { 0x0809, "rsa_pss_pss_sha256" },
	{ 0x080a, "rsa_pss_pss_sha384" },    { 0x080b, "rsa_pss_pss_sha512" },
	{ 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" }, { 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
	{ 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" }, { 0x0303, "ecdsa_sha224" },
	{ 0x0301, "rsa_pkcs1_sha224" },      { 0x0302, "dsa_sha224" },
	{ 0x0202, "dsa_sha1" },              { 0x0402, "dsa_sha256" },
	{ 0x0502, "dsa_sha384" },            { 0x0602, "dsa_sha512" },
};

static const struct name16 exts[] = {
	{ 0, "server_name" },           { 1, "max_fragment_length" },   { 5, "status_request" },
	{ 10, "supported_groups" },     { 11, "ec_point_formats" },     { 13, "signature_algorithms" },
	{ 14, "use_srtp" },             { 15, "heartbeat" },            { 16, "application_layer_protocol_negotiation" },
	{ 17, "status_request_v2" },    { 18, "signed_certificate_timestamp" }, { 19, "client_certificate_type" },
	{ 20, "server_certificate_type" }, { 21, "padding" },           { 22, "encrypt_then_mac" },
	{ 23, "extended_master_secret" }, { 27, "compress_certificate" }, { 28, "record_size_limit" },
	{ 34, "delegated_credentials" }, { 35, "session_ticket" },      { 41, "pre_shared_key" },
	{ 42, "early_data" },           { 43, "supported_versions" },   { 44, "cookie" },
	{ 45, "psk_key_exchange_modes" }, { 47, "certificate_authorities" }, { 48, "oid_filters" },
	{ 49, "post_handshake_auth" },  { 50, "signature_algorithms_cert" }, { 51, "key_share" },
	{ 57, "quic_transport_parameters" }, { 0x4469, "application_settings" }, { 0xfe0d, "encrypted_client_hello" },
	{ 0xff01, "renegotiation_info" },
};

static const char *const hs_names[] = {
	[0] = "hello_request", [1] = "client_hello", [2] = "server_hello", [3] = "hello_verify_request",
	[4] = "new_session_ticket", [5] = "end_of_early_data", [8] = "encrypted_extensions",
	[11] = "certificate", [12] = "server_key_exchange", [13] = "certificate_request",
	[14] = "server_hello_done", [15] = "certificate_verify", [16] = "client_key_exchange",
	[20] = "finished", [21] = "certificate_url", [22] = "certificate_status", [24] = "key_update",
	[25] = "compressed_certificate",
};

static const char *const alert_names[] = {
	[0] = "close_notify", [10] = "unexpected_message", [20] = "bad_record_mac",
	[21] = "decryption_failed", [22] = "record_overflow", [30] = "decompression_failure",
	[40] = "handshake_failure", [41] = "no_certificate", [42] = "bad_certificate",
	[43] = "unsupported_certificate", [44] = "certificate_revoked", [45] = "certificate_expired",
	[46] = "certificate_unknown", [47] = "illegal_parameter", [48] = "unknown_ca",
	[49] = "access_denied", [50] = "decode_error", [51] = "decrypt_error",
	[60] = "export_restriction", [70] = "protocol_version", [71] = "insufficient_security",
	[80] = "internal_error", [86] = "inappropriate_fallback", [90] = "user_canceled",
	[100] = "no_renegotiation", [109] = "missing_extension", [110] = "unsupported_extension",
	[111] = "certificate_unobtainable", [112] = "unrecognized_name",
	[113] = "bad_certificate_status_response", [114] = "bad_certificate_hash_value",
	[115] = "unknown_psk_identity", [116] = "certificate_required", [120] = "no_application_protocol",
};

const char *tls_suite_name(uint16_t v) { return FIND(suites, v); }
const char *tls_group_name(uint16_t v) { return FIND(groups, v); }
const char *tls_sigalg_name(uint16_t v) { return FIND(sigalgs, v); }
const char *tls_ext_name(uint16_t v) { return FIND(exts, v); }

const char *tls_hs_name(uint8_t v)
{
	return v < sizeof hs_names / sizeof hs_names[0] ? hs_names[v] : NULL;
}

const char *tls_alert_name(uint8_t v)
{
	return v < sizeof alert_names / sizeof alert_names[0] ? alert_names[v] : NULL;
}

const char *tls_version_name(uint16_t v, char *buf, size_t n)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	case 0xfeff: return "DTLS 1.0";
	case 0xfefd: return "DTLS 1.2";
	case 0xfefc: return "DTLS 1.3";
	}
	snprintf(buf, n, "0x%04x", v);
	return buf;
}
