/* api_stream.h: the stream window's routes (Follow Stream), the twins of `chattcp
 * stream` (src/cli/stream.c), answered from the capture's session:
 *   GET /api/stream?cap=&conn=[&from=&n=]   a page of `stream --json`'s lines: one object
 *       per decoded message, or per run of raw bytes / gap when nothing decoded it;
 *       X-Chattcp-Next (index of the next page's first line, "" when done), X-Chattcp-Total.
 *   GET /api/stream?cap=&conn=&bytes=1[&from=&n=]   the raw bytes in stream order, both
 *       sides, even when decoded: a line per piece of a run (UI_STREAM_PIECE), with hex.
 *   GET /api/stream/raw?cap=&conn=[&side=client|server|both]   the reassembled bytes of
 *       one side (or both, in stream order), gaps left out: the bytes of
 *       `stream -c ID --raw-out FILE --side S`, as application/octet-stream, an attachment
 *       named by the connection id and side (never by a string from the capture). */
#ifndef CHATTCP_WEB_API_STREAM_H
#define CHATTCP_WEB_API_STREAM_H

#include "api.h"

struct session;
struct conn;

/* Lines in one page of /api/stream: a page is a screenful and more; the window asks
 * the next as the reader scrolls, so a stream of 100,000 messages opens at once. */
#define UI_STREAM_PAGE_LINES 500
/* And at most this many bytes of JSON in a page (a raw run is hex, up to its length):
 * a page of big runs ends early. */
#define UI_STREAM_PAGE_BYTES ((size_t)8 << 20)

/* Bytes in one line of /api/stream?bytes=1 (hex, so twice this in the page): a run
 * longer is cut into pieces, so a page never holds a whole 100 MB run. */
#define UI_STREAM_PIECE ((size_t)64 << 10)

/* raw: 0 the page of messages, 1 the download. Errors are {"error"} with 400/404. */
void api_stream(struct session *s, const struct conn *c, const struct web_req *q, struct web_reply *r, int raw);

#endif
