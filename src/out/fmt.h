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
/* How a view prints a packet's time: tshark's -t choices. */
enum fmt_time {
	FMT_T_ABS,        /* a: local wall clock, "14:39:08.103681" */
	FMT_T_ABS_DATE,   /* ad: the same with the date, "2026-03-07 14:39:08.103681" */
	FMT_T_UTC,        /* u: UTC wall clock */
	FMT_T_UTC_DATE,   /* ud: UTC with the date */
	FMT_T_REL,        /* r: seconds since the capture's first frame, "15.050123" */
	FMT_T_DELTA,      /* d: seconds since the previous packet (of the same connection) */
	FMT_T_DELTA_SHOWN,/* dd: seconds since the previous packet shown */
	FMT_T_EPOCH,      /* e: seconds since 1970, "1362692526.869344" */
	FMT_T_COUNT_
};
/* The -t word ("a", "ad", "r", ...) of a mode, and the mode of a word (-1: none). */
const char *fmt_time_word(int mode);
int fmt_time_parse(const char *word);
/* ts as mode says, with `digits` decimals (6 or 9): base is the capture's first frame
 * for r, the previous packet for d/dd (INT64_MIN: none, shown as 0). Relative and
 * delta times are signed seconds ("0.540900", "-0.000012"). */
void fmt_time(struct strbuf *b, int mode, int64_t ts_ns, int64_t base_ns, int digits);
/* The same as a listing shows it beside a frame number (http, stream): "t=" before a
 * relative time, "+" before a delta that did not go back ("+0.115179", "-0.000012"). */
void fmt_time_marked(struct strbuf *b, int mode, int64_t ts_ns, int64_t base_ns, int digits);
/* ts - base in seconds with `digits` decimals, signed ("-0.000012"), exact for any two
 * times (never saturated). */
void fmt_seconds_between(struct strbuf *b, int64_t ts_ns, int64_t base_ns, int digits);
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
