/* http_json.h: HTTP exchanges (a request and its response, read from the applog) as
 * JSON objects and as terminal lines. Used by `chattcp http`. */
#ifndef CHATTCP_HTTP_JSON_H
#define CHATTCP_HTTP_JSON_H

#include "../base/strbuf.h"
#include "../model/appmsg.h"
#include "../model/conn.h"
#include "../session/session.h"

/* One exchange (the session's pairing): one line of NDJSON. Field names: docs/json.md. */
void http_exchange_json(struct strbuf *b, const struct sess_http *x);
/* The same as a few terminal lines; verbose adds the header fields. The first line
 * gives the exchange's time (http_exchange_ts) as -t says: time is an enum fmt_time
 * (out/fmt.h), base what r, d and dd count from (the capture's first frame, the
 * connection's previous exchange, the previous exchange listed; INT64_MIN: none). */
void http_exchange_term(struct strbuf *b, const struct sess_http *x, int verbose, int time, int64_t base);
/* When an exchange happened: its request's first frame, else (request not seen) its
 * first interim or its response's; INT64_MIN when it has none. */
int64_t http_exchange_ts(const struct sess_http *x);
/* Notes of a message as JSON array elements into b (no brackets). */
void json_appnotes(struct strbuf *b, int *first, const struct appmsg *m);

#endif
