/* export_http.h: every file carried over HTTP, written into a directory: named from
 * the URL (made safe), decoded (gzip/deflate/br/zstd undone), and 206 Range pieces of
 * one resource merged into one file with the gaps reported. What is written is bounded
 * by what was received: a file never grows to a size a header only claims.
 *
 * Streaming: the exporter hears of each HTTP exchange as it completes (the session's
 * on_http). Each body is written to its file then, and the session frees it after;
 * what stays per file is a small record (URI, type, size, name, digest). Names
 * follow capture order, which export_finish settles (export_http.c says how), before
 * it lists the files. */
#ifndef CHATTCP_EXPORT_HTTP_H
#define CHATTCP_EXPORT_HTTP_H

#include "../base/err.h"
#include "../base/strbuf.h"
#include "../model/appmsg.h"
#include "../model/conn.h"
#include "width.h"

/* A merged 206 resource larger than this is not assembled (its pieces are written
 * one by one): the total comes from the server's Content-Range and must not make us
 * create gigabyte files on its word. */
#define EXPORT_MERGE_MAX ((uint64_t)1 << 30)

struct export_opts {
	const char *dir;
	int force;   /* overwrite files already in dir */
	int json;    /* NDJSON lines instead of a table */
	const struct layout *ly; /* the table's width (out/width.h); NULL: WIDTH_DEFAULT */
};

struct exporter;

/* An export into o->dir (o must outlive it). The directory is created when the first
 * file is written, or by export_finish. Freed by export_free(). */
struct exporter *export_new(const struct export_opts *o);
/* Message m of connection c is complete (rq: the request it answers, m itself for a
 * request, or NULL). Writes its body, if it has one, to a new file (a 206 piece: into
 * its resource's file, at its offset). After a failure (reported by export_finish)
 * nothing more is written. */
void export_msg(struct exporter *x, const struct conn *c, const struct appmsg *m, const struct appmsg *rq);
/* Settles the names in
 * capture order (renaming the few files that finished out of order) and lists every
 * file (a line or a JSON object) into out. Returns the number of files, or -1 with e
 * set: the directory or a file could not be created or written (then every file of
 * this export is removed), or a file could not take its name (then the files listed
 * before it stay, the others are removed). Call once. */
long export_finish(struct exporter *x, struct strbuf *out, struct err *e);
void export_free(struct exporter *x);

/* One file of a finished export, as its listing says it (strings valid until
 * export_free; the `export --json` object, docs/json.md). */
struct export_file {
	const char *name;             /* its name in the directory (export names it) */
	const char *content_type;     /* Content-Type as sent, or "" */
	const char *content_encoding; /* Content-Encoding as sent, or "" */
	const char *uri;              /* the request target, or "" */
	const char *sha256;           /* hex ("" unless the exporter was made with json) */
	const char *gaps;             /* merged 206 resource: ranges no piece covered, or "" */
	uint64_t size;                /* bytes in the file */
	uint64_t total;               /* a 206 file: the resource's claimed total; 0 otherwise */
	uint64_t first;               /* lone: the resource's first byte it holds */
	uint32_t conn, first_frame, frame; /* connection id; the message's first and last frames */
	uint8_t proto;                /* the connection's protocol (6) */
	uint8_t complete;             /* every byte of the body was captured */
	uint8_t response;             /* a response's body (else a request's) */
	uint8_t decode_failed;        /* the encoding could not be undone: the bytes before */
	uint8_t lone;                 /* a 206 piece written alone */
	size_t parts;                 /* 206 pieces merged into it (1 otherwise) */
};
/* After export_finish: the files listed, in capture order (the order of its listing),
 * and the i-th of them. */
size_t export_listed(const struct exporter *x);
void export_file(const struct exporter *x, size_t i, struct export_file *f);
/* f as `export --json`'s object and a line break into out; id >= 0 puts "id" first
 * (the web UI's handle on it). */
void export_file_json(struct strbuf *out, const struct export_file *f, int64_t id);

/* Feeding an exporter from a session: export_session sets so (memset by the caller)
 * to decode HTTP with whole bodies, freed once heard (live_release), and to hand each
 * exchange's request and response to f->x, unless f->choose (when set) says 0. f must
 * outlive the session's run. The CLI (`export`) and the web UI (Files) both use it. */
struct session_opts;
struct sess_http;
struct export_feed {
	struct exporter *x;
	int (*choose)(void *ctx, const struct sess_http *h);
	void *ctx;
};
void export_session(struct session_opts *so, struct export_feed *f);

#endif
