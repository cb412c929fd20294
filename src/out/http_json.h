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
/* The same as a few terminal lines; verbose adds the header fields. */
void http_exchange_term(struct strbuf *b, const struct sess_http *x, int verbose);
/* Notes of a message as JSON array elements into b (no brackets). */
void json_appnotes(struct strbuf *b, int *first, const struct appmsg *m);

#endif
