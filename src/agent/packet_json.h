/* packet_json.h: one captured packet as the JSON object of an SSE `packet` event of the
 * capture agent (docs/live.md "The agent's API" lists every field).
 *
 * The packet is decoded by decode/ (the same decoder as everything else, bounded by
 * the captured bytes), and only its header fields and payload go out: no connection
 * state, which is the client's to build. Strings are JSON-escaped, the payload is
 * Base64, so the object is one line whatever the packet holds. */
#ifndef CHATTCP_AGENT_PACKET_JSON_H
#define CHATTCP_AGENT_PACKET_JSON_H

#include "../base/strbuf.h"

#include <stdint.h>

/* Appends the object (no line break) of packet number n (from 1) of the capture. */
void agent_packet_json(struct strbuf *b, uint64_t n, uint16_t linktype, int64_t ts_ns, const uint8_t *data,
		       uint32_t caplen, uint32_t wirelen);

#endif
