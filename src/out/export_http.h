/* export_http.h: every file carried over HTTP, written into a directory: named from
 * the URL (made safe), decoded (gzip/deflate/br/zstd undone), and 206 Range pieces of
 * one resource merged into one file with the gaps reported. */
#ifndef CHATTCP_EXPORT_HTTP_H
#define CHATTCP_EXPORT_HTTP_H

#include "../base/err.h"
#include "../base/strbuf.h"
#include "../model/appmsg.h"
#include "../model/conn.h"

/* A merged 206 resource larger than this is not assembled (its pieces are written
 * one by one): the total comes from the server's Content-Range and must not make us
 * allocate gigabytes on its word. */
#define EXPORT_MERGE_MAX ((uint64_t)1 << 30)

struct export_opts {
	const char *dir;
	int force;   /* overwrite files already in dir */
	int json;    /* NDJSON lines instead of a table */
};

/* conns[idx] is the connection of struct appmsg.conn == idx. Writes the files and one
 * line (or JSON object) per file into out. Returns the number of files written, or
 * -1 with e set (cannot create the directory or a file). */
long export_http(const struct applog *l, struct conn *const *conns, size_t n_conns, const struct export_opts *o,
		 struct strbuf *out, struct err *e);

#endif
