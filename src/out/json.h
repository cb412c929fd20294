/* json.h: the one JSON writer: every --json output (and later the web API) goes
 * through these, so the formats never disagree. Objects are written one per line
 * (NDJSON). Field names are documented in docs/json.md and are API. */
#ifndef CHATTCP_JSON_H
#define CHATTCP_JSON_H

#include "../base/strbuf.h"
#include "../model/appmsg.h"
#include "../model/conn.h"
#include "../decode/pkt.h"
#include "../session/session.h"

/* A connection object (conns --json). */
void json_conn(struct strbuf *b, const struct conn *c);
/* The same object with "app": the decoders it was decoded with ("http > websocket", ""
 * when none), for a client whose session ran the decoders (the web UI's list). */
void json_conn_app(struct strbuf *b, const struct conn *c, const char *stack);
enum {
	JSON_PKT_NOTE = 1,    /* "note" and "note_kind" */
	JSON_PKT_PAYLOAD = 2, /* "payload_hex" */
	JSON_PKT_APP = 4,     /* "app": the messages shown under the packet (empty array when none) */
	JSON_PKT_COMMENTARY = 8, /* "commentary": the learners' explanation, when the note has one */
	JSON_PKT_ABSOLUTE = 16,  /* the "options" words number SACK blocks as sent (the view is
				  * --absolute); the numeric fields carry both numberings always */
};
/* A packet object (chat --json, packet --json). p->pk (the packet decoded again) adds
 * the options and payload when not NULL. */
void json_packet(struct strbuf *b, const struct sess_packet *p, int flags);
/* The messages of a connection completed only at the end of the capture (chat --json):
 * {"conn", "proto", "at_end": true, "app": [...]}. */
void json_tail(struct strbuf *b, const struct sess_tail *t);
/* One frame (packet --json): the packet object with its note told in context, or
 * {"frame", "proto"} for a frame that is not TCP or UDP; absolute: --absolute's numbers. */
void json_frame(struct strbuf *b, const struct sess_frame *f, int absolute);
/* One run of a connection's raw stream bytes (stream --json when nothing decoded it):
 * {"conn", "proto": "raw", "kind": "bytes"|"gap", "dir", "offset", "length", "data"}. */
void json_raw_run(struct strbuf *b, const struct sess_run *r, const struct conn *c);

/* One application message as a JSON object (no newline): conn, then the message
 * fields of json_appmsg_pos, fields, body size/sha256, notes. The only writer of a
 * decoded message: stream --json lines and chat --json "app" entries use it. */
void json_appmsg(struct strbuf *b, const struct appmsg *m, const struct conn *c);
/* Where a message lies and what it is, as fields of the object being written:
 * first_frame, last_frame, ts, offset, length, summary, incomplete, malformed
 * (also in http --json's request and response objects). */
void json_appmsg_pos(struct strbuf *b, int *first, const struct appmsg *m);
/* Small helpers for other writers. */
void json_key(struct strbuf *b, int *first, const char *key);
void json_str_field(struct strbuf *b, int *first, const char *key, const char *s);
void json_u64_field(struct strbuf *b, int *first, const char *key, uint64_t v);

#endif
