/* appmsg.h: application messages decoded from a connection (an HTTP request, an SSE
 * event, a WebSocket frame, a Redis command, a DNS answer...), as every client reads
 * them.
 *
 * Decoders in proto/ fill them through proto/proto.h; the session hands them to
 * clients, which only read. All messages of a capture live in one struct applog,
 * owned by the session, in blocks that never move: a message's address is stable for
 * the life of the log, so a decoder may keep a pointer across calls that add messages.
 * applog_fini() frees everything. Offsets are byte offsets in one direction of the
 * connection's reassembled stream (0 = the first payload byte that side sent), also for
 * messages of a stacked decoder (an SSE event inside a gzip'd HTTP body), so every
 * message can be found on the wire. */
#ifndef CHATTCP_APPMSG_H
#define CHATTCP_APPMSG_H

#include "events.h"

#include <stddef.h>
#include <stdint.h>

#define APPMSG_NONE UINT32_MAX

/* Notes kept per message: a hostile message can make a note per line (a bare LF on each
 * of 256 header lines, an unknown field on each SSE line); past this they are counted
 * and the last kept note (app.notes_capped) says how many more there were. */
#define APPMSG_NOTES_MAX 64

/* The memory budget of what messages keep (their structs, fields, notes, summaries and
 * bodies), counted as bytes kept at any time (a freed message gives its bytes back).
 * A capture is attacker input: compression and tiny messages turn a few bytes on the
 * wire into many kept bytes (an SSE stream of comment lines, 4 KiB previews of 30-byte
 * gzip bodies), so what the log keeps has a ceiling per connection and per capture.
 * Past it, messages are still made and framed (offsets, frames, summaries, HTTP
 * headers: decoding needs them), but their contents are counted, not kept: bodies keep
 * no more bytes, decoders that make messages out of decoded bytes (SSE events) stop
 * making them; the message where it happened says so (app.budget_exhausted).
 * 32 MiB per connection is about 8,000 4-KiB body previews; 128 MiB per capture keeps a
 * batch `chat` of a hostile capture under 300 MB and is more than ordinary captures of
 * tens of thousands of exchanges need. A session that keeps whole bodies (export) raises
 * both by its body size (APPLOG_BODY_MAX), so one whole body always fits. */
#define APPLOG_KEEP_MAX ((uint64_t)128 << 20)
#define APPLOG_CONN_KEEP_MAX ((uint64_t)32 << 20)
/* What an allocation costs beyond its bytes (malloc's header and rounding), so many
 * small fields are not counted as free. */
#define APPLOG_ALLOC_COST 16

/* The application layer's own events (table "app": `chattcp events`). */
enum {
	APPEV_BUDGET_EXHAUSTED, /* the connection's or the capture's memory budget is spent */
	APPEV_NOTES_CAPPED,     /* more notes on one message than APPMSG_NOTES_MAX */
	APPEV_REASM_CAPPED,     /* reassembly gave up a hole: more held out of order than it holds */
	APPEV_COUNT
};
extern const struct app_event appmsg_events[APPEV_COUNT + 1];

/* A name/value pair: an HTTP header, a DNS answer, a WebSocket frame field. The name and
 * the value are one block (appmsg.c): add pairs with appmsg_kv, change a value with
 * appmsg_kv_append only. */
struct appkv {
	char *name;
	char *value;
	size_t value_len; /* value may hold NUL bytes (binary) */
};

/* A diagnosis attached to a message: an event from its protocol's table (model/events.h),
 * the byte offset in the direction's stream it refers to, and plain words. */
struct appnote {
	const struct app_event *ev;
	uint64_t off;
	char *text;
};

/* The content a message carries (an HTTP body, a MySQL row set...), after every layer
 * that decodes it (chunking is framing and is undone before; content codings are
 * layers): what came in, what came out, and as much of it as the session keeps. */
struct appbody {
	uint64_t in;        /* bytes written into the body by the message's decoder */
	uint64_t out;       /* decoded bytes that came out of every content layer */
	uint8_t *p;         /* the first `len` decoded bytes (malloc'd) */
	size_t len, cap;
	size_t keep;        /* keep at most this many (the session's choice, see session.h) */
	uint8_t capped;     /* out > len: the rest was counted (and hashed), not kept */
	uint8_t failed;     /* a content layer could not decode: out is what came before */
	uint8_t incomplete; /* a content layer saw its input end before its own end */
	uint8_t done;       /* no more bytes will come */
	uint8_t budget_cut; /* capped because the memory budget was spent, not by keep */
	uint8_t decode_capped; /* a content layer stopped at its decode cap (contenc.capped
			       * said so): layers after it saw a cut stream, not a short one */
	struct appmsg *owner; /* the message it belongs to */
	char sha256[65];    /* hex digest of all `out` bytes, once done (hashing on) */
	struct sha256_ctx *hash; /* while hashing */
};

/* HTTP specifics of a message (request or response): every HTTP message of a capture
 * has one, and every open connection's unanswered request, so it is 88 bytes (LP64). */
struct app_http {
	/* the start line: static text (a known method, "HTTP/1.1") or copies in the same
	 * block as the struct, after it (freed with it); NULL when the line had none */
	const char *method, *version;
	const char *uri;
	const char *reason;
	char *content_encoding;       /* as sent (a copy of its own), or NULL */
	uint32_t request_msg;         /* response: id of its request, or APPMSG_NONE */
	uint32_t response_msg;        /* request: id of its final response, or APPMSG_NONE */
	uint32_t body_first_frame;
	uint32_t header_len;          /* bytes of start line + headers, incl. the empty line
				       * (at most HTTP_HEADER_MAX, 64 KiB: a longer head is cut there) */
	uint64_t body_wire;           /* body bytes on the wire (chunk framing included) */
	uint64_t lost;                /* body bytes never captured (gaps) */
	int64_t body_last_ts;         /* time of the body's last byte */
	uint16_t status;              /* response: status code (three digits) */
	uint8_t is_request : 1;
	uint8_t chunked : 1, until_close : 1, no_body : 1;
	uint8_t simple : 1;           /* HTTP/0.9: request without version, response without head */
	uint8_t body_complete : 1;    /* the whole body was seen */
	uint8_t response_lost : 1;    /* request: the start of its response fell in bytes that
				       * were not captured (http.response_lost) */
	uint32_t stream_id;           /* HTTP/2: the stream it was sent on (0: HTTP/1.x) */
};

enum appmsg_flag {
	AM_INCOMPLETE = 1, /* the connection ended (or a gap came) before the message did */
	AM_MALFORMED = 2,  /* at least one note is a protocol violation (severity warning or error) */
	AM_ASKED = 4,      /* session: held until its HTTP exchange is told (opts.on_http): a
			    * request waiting for its response, or a response for its request */
};

/* Every message of a capture is one of these (and every open connection's unanswered
 * request): 136 bytes on LP64, checked in appmsg.c. Its log is found from its block,
 * array capacities from counts, and the count of dropped notes sits after a full notes
 * array (appmsg.c). */
struct appmsg {
	uint32_t id;          /* its index in the log */
	uint32_t conn;        /* connection index (struct conn.idx) */
	uint8_t dir;          /* 0 client -> server, 1 server -> client */
	uint8_t flags;        /* enum appmsg_flag */
	uint8_t depth;        /* decoders below the one that made it (0: on the TCP/UDP stream) */
	uint8_t done;         /* its decoder finished it (app_msg_done) */
	uint16_t holds;       /* readers that still need its contents (applog_hold) */
	uint8_t cleared;      /* contents freed (appmsg_clear); 2: retired (applog_conn_retire) */
	uint8_t n_notes;      /* <= APPMSG_NOTES_MAX */
	const char *proto;    /* "http", "websocket", "sse", "redis", "dns", ... (static) */
	const char *kind;     /* "request", "response", "event", "frame", "command", ... (static) */
	uint64_t off, end;    /* [off, end) in the direction's stream (wire bytes) */
	uint32_t first_frame, last_frame; /* frames that carried its first and last byte */
	uint32_t begin_frame; /* the packet being processed when its decoder began it */
	uint32_t done_frame;  /* the packet being processed when it was finished (0: at the end) */
	uint32_t show_frame;  /* the packet a chat shows it under (0: after the last one; session) */
	uint32_t n_kv;
	int64_t first_ts, last_ts;
	char *summary;        /* one line: "GET /index.html HTTP/1.1", "PING", "A example.com" */
	struct appkv *kv;     /* the structure, in order */
	struct appnote *notes;
	uint64_t kept;        /* bytes of the budget it holds (struct applog) */
	struct appbody *body; /* NULL when it carries none */
	struct app_http *http;/* NULL unless proto is http */
};

/* Messages per block of the log. */
#define APPLOG_BLOCK 1024

/* The messages of one connection, in the order they were made: one per connection
 * index of the capture (24 bytes). Up to APPLOG_CONN_INLINE ids (a request and its
 * response) sit in place of the array pointer. */
#define APPLOG_CONN_INLINE 2
struct applog_conn {
	union {
		uint32_t in_place[APPLOG_CONN_INLINE];
		uint32_t *array;  /* n > APPLOG_CONN_INLINE: room for the next power of two */
	} ix;
	uint32_t n;
	uint8_t spent;        /* its budget was found spent at least once */
	uint64_t kept;        /* bytes its messages keep now */
};

struct applog {
	struct appmsg **blocks;    /* each the messages of a block (appmsg.c), which knows its log */
	size_t n_blocks, cap_blocks;
	size_t n;                  /* messages made */
	struct applog_conn *conns; /* by connection index */
	size_t n_conns;
	/* the budget (APPLOG_KEEP_MAX): limits set by applog_init, raised by the owner */
	uint64_t keep_max, conn_keep_max;
	uint64_t kept, peak;       /* bytes kept now, and the most at any time */
	uint64_t n_spent;          /* times something was not kept for the budget */
};

void applog_init(struct applog *l);
/* 0 while connection conn_idx's messages may keep more; 1 when its own budget is spent,
 * 2 when the capture's is. */
int applog_spent(const struct applog *l, uint32_t conn_idx);
/* Counts n more bytes kept by m (its own allocations go through the functions below;
 * a decoder that hangs memory of its own on a message counts it here). */
void appmsg_count(struct appmsg *m, size_t n);
void applog_fini(struct applog *l);
/* Appends an empty message of connection conn_idx and returns it (its id is set). */
struct appmsg *applog_add(struct applog *l, uint32_t conn_idx);
/* The message with this id (id < l->n). */
static inline struct appmsg *applog_get(const struct applog *l, uint32_t id)
{
	return &l->blocks[id / APPLOG_BLOCK][id % APPLOG_BLOCK];
}
/* Live eviction: connection conn_idx is gone. Its messages' contents are freed and
 * they are retired: a block of the log whose every message is retired is freed (its
 * entry in blocks becomes NULL), so a capture of hours keeps the messages of the
 * connections it holds. Nothing may look a retired message up after this; the index
 * conn_idx starts empty for the next connection that takes it. */
void applog_conn_retire(struct applog *l, uint32_t conn_idx);
/* The ids of connection conn_idx's messages in the order they were made (n may be 0). */
const uint32_t *applog_conn(const struct applog *l, uint32_t conn_idx, size_t *n);

void appmsg_kv(struct appmsg *m, const char *name, const char *value, size_t value_len);
/* Appends n bytes to the value of field i (an HTTP folded line, more bytes shown). */
void appmsg_kv_append(struct appmsg *m, size_t i, const char *p, size_t n);
/* Adds a note; a warning or an error marks the message malformed. Past
 * APPMSG_NOTES_MAX notes, a note is counted instead (the last kept one says so). */
void appmsg_note(struct appmsg *m, const struct app_event *ev, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void appmsg_set_summary(struct appmsg *m, const char *s, size_t n);
/* The first kv named name (ASCII case-insensitive), or NULL. */
const struct appkv *appmsg_find(const struct appmsg *m, const char *name);
/* Frees what message m owns (summary, fields, notes, body, HTTP part) and marks it
 * cleared; the fixed fields (connection, offsets, frames, flags) stay. */
void appmsg_clear(struct appmsg *m);
/* Frees h and the strings it owns. */
void app_http_free(struct app_http *h);
/* The body of m, made on first use, keeping at most keep decoded bytes (hash: also
 * hash every decoded byte). */
struct appbody *appmsg_body(struct appmsg *m, size_t keep, int hash);
/* Decoded bytes of m's body: counted, hashed, kept up to its keep size while the budget
 * allows (the first byte not kept for the budget notes app.budget_exhausted on m). */
void appbody_add(struct appbody *b, const uint8_t *p, size_t n);
/* No more bytes: the digest is final. */
void appbody_end(struct appbody *b);

#endif
