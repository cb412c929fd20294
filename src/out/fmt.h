/* fmt.h: small formatting helpers shared by the terminal and JSON outputs. */
#ifndef CHATTCP_FMT_H
#define CHATTCP_FMT_H

#include "../base/strbuf.h"
#include "../model/conn.h"

#include <stdint.h>

/* "10.0.0.1:80" or "[2001:db8::1]:80" into buf (>= 64 bytes). */
const char *fmt_endpoint(const struct endpoint *ep, char *buf, size_t n);
/* A connection's id as typed on the command line: "3" for TCP, "u3" for UDP (tshark's
 * tcp.stream and udp.stream, which both count from 0). */
const char *fmt_conn_id(const struct conn *c, char *buf, size_t n);
/* Epoch seconds with 6 decimals ("1362692526.869344"). */
void fmt_epoch(struct strbuf *b, int64_t ts_ns);
/* Local wall-clock time "2013-03-07 21:42:06.869344" (digits 6 or 9). */
void fmt_datetime(struct strbuf *b, int64_t ts_ns, int digits);
/* "HH:MM:SS.ffffff" */
void fmt_clock(struct strbuf *b, int64_t ts_ns, int digits);
/* A duration in the most readable unit: "812 us", "40.2 ms", "3.004 s", "2 min 5 s";
 * a saturated one (INT64_MAX or INT64_MIN, base/ts.h) as ">292 years" / "<-292 years". */
void fmt_duration(struct strbuf *b, int64_t ns);
/* Bytes as "6087 B", "41.2 kB", "3.1 MB". */
void fmt_bytes(struct strbuf *b, uint64_t n);
/* TCP flags as "SYN, ACK" (sep ", ") or into a JSON array of names. */
void fmt_tcp_flags(struct strbuf *b, uint16_t flags, const char *sep);
void fmt_tcp_flags_json(struct strbuf *b, uint16_t flags);
/* Tags of a connection, comma-separated words. */
void fmt_tags(struct strbuf *b, uint32_t tags, const char *sep, int json);
const char *hs_name(int hs);
const char *close_name(int close);

#endif
