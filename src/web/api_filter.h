/* api_filter.h: display filters in the web UI (web/js/search.js), the same filter code as
 * `-Y` and `chattcp search` (src/filter/):
 *   GET /api/filter?cap=N&expr=EXPR: the lines of `search FILE -Y EXPR --json` (the
 *     matching frames grouped by connection), X-Chattcp-Total the frames; a bad
 *     expression 400 {"error", "col"}, the message -Y prints;
 *   GET /api/filter/pcap?cap=N[&expr=EXPR][&conn=ID][&format=pcap|pcapng]: the bytes
 *     `extract FILE [-Y EXPR] [-c ID] -o OUT.pcap` writes, as a download;
 *   GET /api/search?OPTION=VALUE...: search's options as the display filter it runs.
 * Each reads the capture again with a session of its own (the filter sees every frame
 * as the pipeline processes it: opts.on_frame), as the command line does. docs/ui.md. */
#ifndef CHATTCP_WEB_API_FILTER_H
#define CHATTCP_WEB_API_FILTER_H

#include "api.h"

/* The most bytes "download as pcap" holds in memory to send: a selection of a large
 * capture may be most of it; past this the answer is 413 "more than 512 MiB: use
 * chattcp extract", which writes to a file as it reads. */
#define UI_PCAP_MAX ((size_t)512 << 20)

void api_filter(struct web_api *a, const struct web_req *q, struct web_reply *r, int pcap);
/* GET /api/search?port=80&flags=SYN...: the search form's fields (chattcp search's
 * options, without dashes) as the display filter `search` runs: {"expr"}; a bad value
 * 400 with search's reason. The page then runs it as a filter. */
void api_search_expr(const struct web_req *q, struct web_reply *r);

#endif
