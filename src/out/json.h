/* json.h: the one JSON writer: every --json output (and later the web API) goes
 * through these, so the formats never disagree. Objects are written one per line
 * (NDJSON). Field names are documented in docs/json.md and are API. */
#ifndef CHATTCP_JSON_H
#define CHATTCP_JSON_H

#include "../base/strbuf.h"
#include "../model/conn.h"
#include "../decode/pkt.h"

/* A connection object (conns --json). */
void json_conn(struct strbuf *b, const struct conn *c);
/* A packet object (chat --json); note may be NULL. pk (packet decoded again) adds
 * the payload and options when not NULL. */
void json_packet(struct strbuf *b, const struct conn *c, const struct pktrec *r, const char *note,
		 const struct pkt *pk, int with_payload);
/* Small helpers for other writers. */
void json_key(struct strbuf *b, int *first, const char *key);
void json_str_field(struct strbuf *b, int *first, const char *key, const char *s);
void json_u64_field(struct strbuf *b, int *first, const char *key, uint64_t v);

#endif
