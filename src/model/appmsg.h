/* appmsg.h: application messages decoded from a connection (HTTP request, SSE event,
 * WebSocket frame, Redis command, DNS answer...), as every output reads them.
 *
 * Decoders in proto/ fill these through proto/proto.h; out/ and cli/ only read them.
 * Everything here lives in one struct applog for the life of the capture and is
 * freed by applog_fini(). Offsets are byte offsets in one direction's reassembled
 * stream (0 = the first payload byte that direction sent), so a note can say "at byte
 * 51 of the client's stream". */
#ifndef CHATTCP_APPMSG_H
#define CHATTCP_APPMSG_H

#include <stddef.h>
#include <stdint.h>

/* A name/value pair: an HTTP header, a DNS answer, a WebSocket frame field. */
struct appkv {
	char *name;
	char *value;
	size_t value_len; /* value may hold NUL bytes (binary) */
};

/* A diagnosis attached to a message: a stable event name (API: JSON "notes"),
 * the byte offset in the direction's stream it refers to, and plain words. */
struct appnote {
	const char *event; /* "http.bare_lf", "http.length_mismatch", ... (static) */
	uint64_t off;
	char *text;
};

/* HTTP specifics of a message (request or response). */
struct app_http {
	int is_request;
	char *method, *uri, *version; /* request line */
	int status;                   /* response: status code */
	char *reason;
	uint32_t request_msg;         /* response: index of its request in the log, or UINT32_MAX */
	uint32_t response_msg;        /* request: index of its response, or UINT32_MAX */
	uint64_t header_len;          /* bytes of start line + headers, incl. the empty line */
	uint64_t body_wire;           /* body bytes on the wire (chunk framing included) */
	uint64_t body_content;        /* body after de-chunking */
	uint64_t body_decoded;        /* body after content decoding (== content when none) */
	int chunked, until_close, no_body;
	uint64_t lost;                /* body bytes never captured (gaps) */
	int simple;                   /* HTTP/0.9: request without version, response without head */
	char *content_encoding;       /* as sent, or NULL */
	int decode_failed;            /* Content-Encoding could not be undone */
	int body_complete;            /* the whole body was seen */
	int body_capped;              /* more than APPLOG_BODY_MAX: the kept copy is cut */
	uint8_t *body;                /* decoded body as far as kept (malloc'd) */
	char body_sha256[65];         /* hex digest of the kept body, when it was hashed and
	                               * dropped (app keep_messages mode); "" otherwise */
	size_t body_len, body_cap;
	/* timing: first/last byte of the body (for responses, first byte of the message is
	 * the message's first_ts) */
	int64_t body_last_ts;
	uint32_t body_first_frame;
};

enum appmsg_flag {
	AM_INCOMPLETE = 1, /* the connection ended (or a gap came) before the message did */
	AM_MALFORMED = 2,  /* at least one note is a protocol violation */
};

struct appmsg {
	uint32_t conn;        /* connection index (struct conn.idx) */
	uint8_t dir;          /* 0 client -> server, 1 server -> client */
	uint8_t flags;        /* enum appmsg_flag */
	uint8_t sunk;         /* app sink mode (proto/app.h): handed to the sink, body freed */
	const char *proto;    /* "http", "websocket", "sse", "redis", "dns", ... (static) */
	const char *kind;     /* "request", "response", "event", "frame", "command", ... (static) */
	uint64_t off, end;    /* [off, end) in the direction's stream (wire bytes) */
	uint32_t first_frame, last_frame;
	int64_t first_ts, last_ts;
	char *summary;        /* one line: "GET /index.html HTTP/1.1", "PING", "A example.com" */
	struct appkv *kv;     /* the structure, in order */
	size_t n_kv, cap_kv;
	struct appnote *notes;
	size_t n_notes, cap_notes;
	struct app_http *http;/* NULL unless proto is http */
};

/* Keep at most this much decoded body per message: enough for any file in a test
 * corpus and for export, bounded so a 10 GB download cannot exhaust memory. */
#define APPLOG_BODY_MAX ((size_t)256 << 20)

struct applog {
	struct appmsg *m;
	size_t n, cap;
	/* Messages grouped by connection, built on first use (applog_conn_msgs) for the
	 * n messages logged then: by_conn[first[c]..first[c+1]) are connection c's. */
	uint32_t *by_conn, *first;
	size_t indexed_n, n_first;
};

void applog_init(struct applog *l);
void applog_fini(struct applog *l);
/* Appends an empty message and returns its index (pointers into l->m move on the
 * next append: hold indexes, not pointers). */
uint32_t applog_add(struct applog *l);
void appmsg_kv(struct appmsg *m, const char *name, const char *value, size_t value_len);
void appmsg_note(struct appmsg *m, const char *event, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void appmsg_set_summary(struct appmsg *m, const char *s, size_t n);
/* Frees what message m owns (summary, fields, notes, HTTP part and body) and sets
 * those pointers to NULL / counts to 0; the fixed fields (connection, offsets, frames,
 * flags) stay. For the app layer's sink mode, once nothing will read m again. */
void appmsg_clear(struct appmsg *m);
/* The value of the first kv named name (ASCII case-insensitive), or NULL. */
const struct appkv *appmsg_find(const struct appmsg *m, const char *name);
/* Message indexes of connection conn_idx ordered by first frame (then log order);
 * malloc'd array of *n entries, caller frees. */
uint32_t *applog_conn_msgs(const struct applog *l, uint32_t conn_idx, size_t *n);

#endif
