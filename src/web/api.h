/* api.h: the JSON API of `chattcp ui`: the captures the server holds (one session each,
 * read once, then asked) and the questions the front end asks of them. Every answer is
 * made by the same renderers as `--json` (out/json.c, out/report.c, out/http_json.c,
 * out/cases_json.c) into a buffer, so the UI and the command line never disagree;
 * nothing here computes model data. Routes, parameters and answers: docs/ui.md.
 *
 * Not thread-safe: the server calls it from its one polling thread. */
#ifndef CHATTCP_WEB_API_H
#define CHATTCP_WEB_API_H

#include "../base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* Captures one server holds at once: a learner opens a few cases and a file or two;
 * each keeps its session (per-packet index, messages) in memory. Past it, opening one
 * more answers 409 "close the server or restart it with fewer captures". */
#define UI_CAPTURES_MAX 16
/* Memory one capture's session may hold: the per-packet index (64 bytes a packet), the
 * decoded messages with 4 kB body previews, the diagnosis. 1 GiB holds a capture of
 * several million packets; past it the capture is shown as failed ("needs more than
 * 1 GiB; read it with the terminal commands") and the server goes on. */
#define UI_SESSION_MEM_MAX ((size_t)1 << 30)
/* Packets in one page of /api/chat: the front end asks page after page, so the first
 * screen of a 100,000-packet chat comes after one page, not after all of it. */
#define UI_CHAT_PAGE_PKTS 2000
/* And at most this many bytes of JSON in a page (payloads are hex in it): a page of
 * jumbo segments ends early and the front end asks for the next one. */
#define UI_CHAT_PAGE_BYTES ((size_t)8 << 20)

struct web_api;

/* What the server passes in: the query parameters and the request body. */
struct web_req {
	const char *(*arg)(void *ctx, const char *name); /* a query parameter or NULL */
	void *ctx;
	const uint8_t *body;
	size_t body_len;
};

/* What an answer is: a status, a type, the bytes, and the paging headers of /api/chat. */
struct web_reply {
	int status;
	const char *type;
	struct strbuf body;
	char next[24];  /* X-Chattcp-Next: the index of the next page's first packet, "" when done */
	char total[24]; /* X-Chattcp-Total: packets of the connection */
	char disposition[1024]; /* Content-Disposition of a download ("" none): made safe by whoever sets it */
	/* A file's bytes instead of body (api_files.c): when has_fd, the server sends fd's
	 * fd_len bytes from its start and closes it; body is not sent. */
	int has_fd, fd;
	uint64_t fd_len;
};

/* root: the folder (a realpath) whose captures /api/open?path= may open (NULL: none);
 * upload_max: the server's cap on an upload, told to the front end by /api/info. */
struct web_api *web_api_new(const char *root, size_t upload_max);
/* Every capture opened from now on is decrypted with this TLS key log (borrowed; NULL:
 * none). */
void web_api_keylog(struct web_api *a, const char *path);
void web_api_free(struct web_api *a);
/* Opens spec (FILE or case:NAME) as a new capture, reads it to its end. Returns the
 * capture's number, or -1 with the reason in err (one line). A damaged capture opens:
 * what could be read is shown, with the damage in /api/captures. */
int web_api_open(struct web_api *a, const char *spec, struct strbuf *err);
struct pkt;
/* The packet's "frame" object of /api/packet (bytes in hex, fields with their offsets)
 * and a line break into b: the live view's packet details (live.c) use it too. */
void web_frame_json(struct strbuf *b, const struct pkt *pk);
/* The routes' shared pieces (api.c; api_stream.c uses them): an error answer
 * {"error": msg} with status; a decimal in [0, max] from a request argument, or -1 when
 * absent or malformed. */
void web_reply_error(struct web_reply *r, int status, const char *msg);
long web_num(const char *s, long max);
/* conn= as -c takes it ("3", "tcp:3", "u0", "udp:0") into *id: 0, or -1 when it is not
 * one. */
struct sess_id;
int web_conn_id(const char *v, struct sess_id *id);
/* A new session over the source of the capture cap= names, opened (not run) with o
 * (keylog and memory limit set here): the routes that read a capture again with options
 * of their own (a filter's on_frame). NULL with the error answer in r. The caller frees
 * it. */
struct session;
struct session_opts;
struct session *web_api_reopen(struct web_api *a, const struct web_req *q, struct web_reply *r, struct session_opts *o);
/* Answers method path (path starts "/api/") into r (r->body initialised by the caller). */
void web_api_handle(struct web_api *a, const char *method, const char *path, const struct web_req *q,
		    struct web_reply *r);

#endif
