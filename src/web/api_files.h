/* api_files.h: the Files view's routes, the twins of `chattcp export` (src/cli/export.c):
 *   GET /api/files?cap=[&conn=]          `export --json`'s objects, each with "id" first (its
 *       place in export's listing, capture order); conn= keeps one connection's.
 *   GET /api/file?cap=&id=               the file's bytes, exactly those `export` writes:
 *       application/octet-stream, an attachment named as export names it (sanitised
 *       again for the header: ASCII fallback and RFC 5987 filename*).
 *   GET /api/file?cap=&id=&view=image    the same bytes as image/png, image/jpeg,
 *       image/gif or image/webp, only when the first bytes are that format's signature
 *       (whatever the capture's Content-Type says), inline; else 415. Never SVG or HTML.
 *   GET /api/file/preview?cap=&id=       {"id", "kind": "image"|"text"|"hex", "size",
 *       "shown", "image_type" | "text" | "hex"}: what the preview pane shows (text: the first
 *       UI_FILES_PREVIEW bytes when they are UTF-8 without control bytes; hex otherwise).
 *   GET /api/files.zip?cap=[&conn=]      every file (or one connection's) in one zip made
 *       with libzip, under export's names.
 *
 * The files come from one export of the whole capture into a private temporary
 * directory (mkdtemp in $TMPDIR), made by the exporter `export` uses (out/export_http.h)
 * from a session of its own that reads the capture again: so names, sizes and bytes
 * are export's by construction, and a file is never held in memory (downloads and
 * zips are sent from disk). The last capture's export is kept for the requests that
 * follow; asking another capture's files removes it. */
#ifndef CHATTCP_WEB_API_FILES_H
#define CHATTCP_WEB_API_FILES_H

#include "api.h"

#include <stdint.h>

struct conn;

/* Bytes of a file the preview pane shows as text or hex: a screenful and more; the
 * rest is a download. */
#define UI_FILES_PREVIEW ((size_t)64 << 10)
/* Largest image shown in the preview (the browser decodes it): past it the pane says
 * "too large to preview" and offers the download. */
#define UI_FILES_IMAGE_MAX ((uint64_t)32 << 20)
/* Bytes of files put in one zip (before compression): the zip is written to disk next
 * to the files, then sent, so this bounds the disk an archive takes, not memory (libzip
 * reads each file in pieces). Past it /api/files.zip answers 413 ("... more than the
 * 2 GiB one zip holds: download them one by one, or chattcp export") and the window
 * says so on the button. */
#define UI_FILES_ZIP_MAX ((uint64_t)2 << 30)

struct web_files;

/* The capture to export: its slot, as opened (a name or an upload's bytes). */
struct web_files_src {
	size_t cap;
	const char *name;
	const uint8_t *mem; /* NULL unless an upload */
	size_t mem_len;
	const char *keylog; /* NULL: none */
};

struct web_files *web_files_new(void);
/* Removes the temporary directory and its files. */
void web_files_free(struct web_files *f);
/* The route index of path p (after "/api"), or -1 when it is not one of these. */
int api_files_route(const char *p);
/* Answers route k for src (cn: the connection asked with conn=, or NULL for all).
 * Errors are {"error"} with 400/404/409/413/415/500. */
void api_files(struct web_files *f, const struct web_files_src *src, const struct conn *cn, int k,
	       const struct web_req *q, struct web_reply *r);

#endif
