/* server.h: the HTTP server of `chattcp ui` (libmicrohttpd, one polling thread): the
 * front end's files (web/, embedded) and the JSON API (api.h), behind the checks of
 * docs/security.md "The web UI": a random token on every request, the Host and Origin
 * headers, a Content-Security-Policy without inline script, capped uploads.
 *
 * The server owns the api once started; web_server_stop() frees both. */
#ifndef CHATTCP_WEB_SERVER_H
#define CHATTCP_WEB_SERVER_H

#include "../base/strbuf.h"
#include "api.h"
#include "live.h"

#include <stdint.h>

/* An upload (a capture dropped on the page) is held in memory while it is read, then
 * kept by its session: 256 MiB is a long capture of a learner's own traffic; a bigger
 * one answers 413 "start chattcp ui FILE instead", which maps the file. */
#define UI_UPLOAD_MAX ((size_t)256 << 20)
/* Connections served at once: a browser opens about 6 per host; the rest wait in the
 * kernel's backlog. Also bounds what a local flood can take. */
#define UI_CONN_MAX 64
/* Seconds an idle connection is kept: a slow client cannot hold a slot for ever. */
#define UI_CONN_TIMEOUT_S 60
/* Bytes libmicrohttpd may use per connection for the request line and headers: 64 kB
 * is far past any browser's request; a longer one is answered 431 by the library. */
#define UI_REQUEST_MEM_MAX ((size_t)64 << 10)

struct web_server;

/* Listens on addr ("127.0.0.1", "::1", "0.0.0.0"...) and port (0: a free one) and starts
 * serving api. Returns NULL with err set (one line) when the address cannot be used. */
struct web_server *web_server_start(const char *addr, uint16_t port, struct web_api *api, struct strbuf *err);
/* Gives the server the live view (`ui -i`, `ui --remote`): the /api/live/ requests answer from it.
 * The server owns it from then on (web_server_stop frees it). */
void web_server_set_live(struct web_server *w, struct web_live *l);
/* The address to open: "http://127.0.0.1:PORT/?token=TOKEN". */
const char *web_server_url(const struct web_server *w);
/* Stops serving (waits for the thread), frees the server and its api. */
void web_server_stop(struct web_server *w);

#endif
