/* search_json.h: one connection's matches as `search --json` prints them, and the web
 * UI's /api/filter lists them (one schema, docs/json.md):
 * {"proto", "conn", "client", "server", "matches", "frames": [...]}, or {"proto":
 * "other", ...} for the frames that are not TCP or UDP (c NULL). */
#ifndef CHATTCP_SEARCH_JSON_H
#define CHATTCP_SEARCH_JSON_H

#include "../base/strbuf.h"
#include "../model/conn.h"

#include <stddef.h>
#include <stdint.h>

/* frames[i * stride] for i < n: the frame numbers, stride uint32_ts apart (a caller's
 * array of structs holding them). A line break ends it. */
void search_json_group(struct strbuf *b, const struct conn *c, const uint32_t *frames, size_t stride, size_t n);

#endif
