/* tcp_diagram.h: the TCP header drawn as RFC 9293's 32-bit field diagram, each
 * field's value in its box, followed by every option decoded. */
#ifndef CHATTCP_TCP_DIAGRAM_H
#define CHATTCP_TCP_DIAGRAM_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* hdr points at the TCP header; n is the captured bytes from there. */
void tcp_diagram(struct strbuf *b, const uint8_t *hdr, size_t n);
/* Every option in opts[0..n), one line each, with kind, length and meaning. */
void tcp_options_list(struct strbuf *b, const uint8_t *opts, size_t n, const char *indent);

#endif
