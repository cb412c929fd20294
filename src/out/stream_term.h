/* stream_term.h: decoded application messages (model/appmsg.h) for people and for
 * JSON: used by `chattcp stream` (the whole connection, Follow-Stream style) and by
 * the chat bubbles (--payload structure). */
#ifndef CHATTCP_STREAM_TERM_H
#define CHATTCP_STREAM_TERM_H

#include "../base/strbuf.h"
#include "../model/appmsg.h"
#include "../model/conn.h"

/* Lines (each ending in '\n') showing m: the summary, then with detail its fields
 * (headers, frame fields), a short body preview and its notes ("! ..."). width is
 * the room for a line (values are cut to it). */
void appmsg_lines(struct strbuf *b, const struct appmsg *m, int detail, int width);
/* Only the application payload of m, as text (simple mode): the summary, and for
 * messages with a body or data field, that content. */
void appmsg_simple(struct strbuf *b, const struct appmsg *m, int width);
/* One NDJSON object for m of connection c. */
void appmsg_json(struct strbuf *b, const struct appmsg *m, const struct conn *c);
/* One message in the stream view: a header line naming the side, frames, time and
 * offsets, then appmsg_lines indented. time: enum fmt_time (out/fmt.h) of the message's
 * first frame; base what r, d and dd count from (INT64_MIN: none). */
void stream_term_msg(struct strbuf *b, const struct appmsg *m, const struct conn *c, int width, int time,
		     int64_t base);

#endif
