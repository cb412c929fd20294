/* search_json.h: one group of a search's answer (filter/filter.h, struct filter_found)
 * as a line of NDJSON: the connection, how many frames matched and their numbers.
 * Used by `chattcp search --json` and the MCP search tool, so both print the same
 * line. Field names: docs/json.md. */
#ifndef CHATTCP_SEARCH_JSON_H
#define CHATTCP_SEARCH_JSON_H

#include "../base/strbuf.h"
#include "../filter/filter.h"
#include "../model/conn.h"

/* {"proto","conn","client","server","matches","frames"}\n; c NULL (frames that are
 * not TCP/UDP): {"proto":"other","matches","frames"}. */
void search_group_json(struct strbuf *b, const struct conn *c, const struct filter_hit *h, size_t n);

#endif
