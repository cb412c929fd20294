/* packet_term.h: one frame in full, for `chattcp packet`: link, IP, TCP or UDP header,
 * the TCP header as RFC 9293's diagram, options, the note told in context, the payload
 * and a hex dump. */
#ifndef CHATTCP_PACKET_TERM_H
#define CHATTCP_PACKET_TERM_H

#include "../base/strbuf.h"
#include "../session/session.h"

/* hex: the whole frame in the hex dump (else its first 256 bytes); width: the columns
 * the payload view is drawn for (the caller wraps longer lines, out/width.h). */
/* time: enum fmt_time (r counts from the capture's first frame; d and dd, with no
 * packet before in this view, show 0); absolute: the view numbers seq as sent (the
 * relative line and SACK blocks then come second). */
void packet_term(struct strbuf *b, const struct sess_frame *f, int hex, int width, int time, int absolute);

#endif
