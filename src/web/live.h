/* live.h: the live view of `chattcp ui -i IFACE` and `ui --remote URL`: a capture run in a
 * thread of its own (session/livecap.h, the push-fed session `live` uses), whose packets,
 * connections and tails become JSON lines (the objects `chat --json` and `conns --json`
 * print) kept in a bounded ring; each browser reads the ring from its own place as
 * Server-Sent Events (GET /api/live/events).
 *
 * Start and stop come from the page (POST /api/live/start, /api/live/stop); pause is
 * the page's (it stops drawing and keeps what arrives). The ring keeps the last
 * WEB_LIVE_KEEP lines (at most WEB_LIVE_BYTES): a page that falls further behind is told
 * how many lines it missed, and nothing grows with the length of the capture.
 *
 * Thread-safe: the capture thread writes the ring, the server's threads read it. */
#ifndef CHATTCP_WEB_LIVE_H
#define CHATTCP_WEB_LIVE_H

#include "../base/strbuf.h"

#include <stdint.h>

/* Lines kept for the pages: a screenful of connections and many screens of bubbles. */
#define WEB_LIVE_KEEP 20000
/* And at most this many bytes of them (a payload is hex in a line). */
#define WEB_LIVE_BYTES ((size_t)64 << 20)
/* Packets whose bytes are kept for their details (GET /api/live/packet): the last
 * WEB_LIVE_FRAMES of them, at most WEB_LIVE_FRAMES_BYTES of bytes in all. A live
 * session keeps nothing per packet; this ring is what a click on a recent bubble
 * can open (an older one is told "no longer kept"), and it does not grow with the
 * capture: 16 MiB and the slots' bookkeeping at most. */
#define WEB_LIVE_FRAMES 4096
#define WEB_LIVE_FRAMES_BYTES ((size_t)16 << 20)
/* How long a diagnosis request waits for the capture thread to answer it (it asks
 * between batches, every WEB_LIVE_TICK_NS at the latest). */
#define WEB_LIVE_DIAG_WAIT_MS 3000
#define WEB_LIVE_TICK_NS ((int64_t)250 * 1000 * 1000)
/* How long an events request waits for a line before it sends the status. */
#define WEB_LIVE_TICK_MS 1000

struct web_live_opts {
	const char *iface;       /* the interface (local or the agent's) */
	const char *filter;      /* BPF, NULL for none */
	const char *remote_url;  /* a capture agent, NULL: local */
	const char *remote_token;
	const char *remote_ca;   /* https:// agent: the certificate to trust, NULL: the system's */
	int remote_insecure;     /* https:// agent: no verification */
};

struct web_live;

struct web_live *web_live_new(const struct web_live_opts *o);
void web_live_free(struct web_live *l);
/* Starts a capture when none runs (a new session: connection ids from 0 again).
 * Returns 0, or -1 with err set (the interface or agent's one line). */
int web_live_start(struct web_live *l, struct strbuf *err);
/* Stops the capture (the session's end: tails and footers are sent) and waits for it.
 * The interface is closed; the session stays, for web_live_diag, until the next start. */
void web_live_stop(struct web_live *l);
/* {"source","filter","running","generation","packets","connections","kernel_drops",
 * "chattcp_drops","error"} into b. */
void web_live_status(struct web_live *l, struct strbuf *b);
/* Appends to b, as SSE events, the lines after *cursor (0: from the oldest kept),
 * waiting up to wait_ms for one; a `status` event when none came; a `missed` event
 * when the ring moved past the cursor. Sets *cursor past what was appended. */
void web_live_read(struct web_live *l, uint64_t *cursor, struct strbuf *b, int wait_ms);
/* The details of packet `frame` of the current capture while its bytes are kept:
 * /api/packet's "frame" object (one line) into b. Returns 200, 404 (not kept: too
 * old, or no such frame) or 409 (no capture). */
int web_live_packet(struct web_live *l, uint64_t frame, struct strbuf *b);
/* The diagnosis of connection proto:id of the current capture (diag --json's object,
 * what it measured so far), asked of the capture thread, which owns the session while
 * it runs. Returns 200, 404 (no such connection), 409 (no capture) or 503 (the thread
 * did not answer in WEB_LIVE_DIAG_WAIT_MS). */
int web_live_diag(struct web_live *l, uint8_t proto, uint32_t id, struct strbuf *b);

#endif
