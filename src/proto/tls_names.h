/* tls_names.h: the IANA names of TLS code points (TLS parameters registry, RFC 8446
 * §B, RFC 5246 §A, RFC 8422, RFC 7905): cipher suites, named groups, signature
 * schemes, extensions, handshake types, alerts, versions. Each returns a static string,
 * or NULL for a value the table does not know (the caller shows the number). */
#ifndef CHATTCP_TLS_NAMES_H
#define CHATTCP_TLS_NAMES_H

#include <stddef.h>
#include <stdint.h>

const char *tls_suite_name(uint16_t v);
const char *tls_group_name(uint16_t v);
const char *tls_sigalg_name(uint16_t v);
const char *tls_ext_name(uint16_t v);
const char *tls_hs_name(uint8_t v);    /* "client_hello" */
const char *tls_alert_name(uint8_t v); /* "handshake_failure" */
/* "TLS 1.2", "SSL 3.0", "DTLS 1.2"; writes "0x7f1c" style into buf for others. */
const char *tls_version_name(uint16_t v, char *buf, size_t n);
/* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa are GREASE values, not real ones. */
static inline int tls_is_grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

#endif
