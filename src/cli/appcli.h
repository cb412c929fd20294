/* appcli.h: what the application-layer commands (http, export, stream, chat's
 * payload structure) share: running the capture with the decoders attached, and
 * walking HTTP exchanges. */
#ifndef CHATTCP_APPCLI_H
#define CHATTCP_APPCLI_H

#include "../proto/app.h"
#include "cli.h"

/* Opens spec, attaches the decoders (force: --decode-as name or NULL, for the
 * connections sel accepts, all when sel is NULL), runs the engine and ends the
 * decoders. Returns 0, or -1 after printing why (bad --decode-as name: rc is then
 * EXIT_USAGE, unreadable file: EXIT_BADINPUT). On success the caller owns en and a:
 * app_fini(a) then cli_finish(en, ...). */
int appcli_run(struct engine *en, struct app *a, const char *spec, const char *force,
	       int (*sel)(void *ctx, const struct conn *c), void *sel_ctx, int *rc);
/* The same in the app layer's sink mode (proto/app.h msg_sink): each HTTP message
 * goes to sink(sink_ctx, ...) as it ends and is freed behind it, so memory follows
 * the messages in progress (export). */
/* As appcli_run for a listing of every message (http): bodies are hashed and dropped
 * as their messages end (app keep_messages), the messages stay. */
int appcli_run_listing(struct engine *en, struct app *a, const char *spec, const char *force, int *rc);
int appcli_run_sink(struct engine *en, struct app *a, const char *spec,
		    void (*sink)(void *ctx, const struct applog *l, uint32_t ix), void *sink_ctx, int *rc);

/* Calls fn for every HTTP exchange, connection by connection, in order of the
 * request's (or lone response's) first frame. */
void appcli_http_exchanges(const struct engine *en, const struct applog *l,
			   void (*fn)(void *ctx, const struct conn *c, uint32_t req, uint32_t resp,
				      const uint32_t *interim, size_t n_interim),
			   void *ctx);

/* The connection with user-facing id, or NULL. */
struct conn *appcli_conn_by_id(const struct engine *en, uint32_t id);

/* --decode-as names for help/usage: "http, websocket, ..." */
void appcli_proto_names(char *buf, size_t n);

#endif
