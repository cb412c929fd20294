/* http_json.h: HTTP exchanges (a request and its response, read from the applog) as
 * JSON objects and as terminal lines. Used by `chattcp http`. */
#ifndef CHATTCP_HTTP_JSON_H
#define CHATTCP_HTTP_JSON_H

#include "../base/strbuf.h"
#include "../model/appmsg.h"
#include "../model/conn.h"

/* One exchange of connection c: req and resp are log indexes or UINT32_MAX (not
 * seen); interim lists 1xx responses. One line of NDJSON. Field names: docs/json.md. */
void http_exchange_json(struct strbuf *b, const struct applog *l, const struct conn *c, uint32_t req, uint32_t resp,
			const uint32_t *interim, size_t n_interim);
/* The same as a few terminal lines; verbose adds the header fields. */
void http_exchange_term(struct strbuf *b, const struct applog *l, const struct conn *c, uint32_t req, uint32_t resp,
			const uint32_t *interim, size_t n_interim, int verbose);
/* Notes of a message as JSON array elements into b (no brackets). */
void json_appnotes(struct strbuf *b, int *first, const struct appmsg *m);

#endif
