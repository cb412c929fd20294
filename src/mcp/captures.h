/* captures.h: the captures an MCP server may open and the sessions it keeps on them.
 *
 * A capture is named as the client names it: "case:NAME" (a built-in case), or a path
 * that must resolve (realpath: symlinks and ".." followed) to a regular file inside one
 * of the --root folders; a relative path is taken in each root in turn. Nothing else
 * is opened: no "-", no FIFO or device (reading one would block the server), nothing
 * outside the roots, whichever way it is spelled.
 *
 * Each capture opened is read once into a session that keeps everything the tools ask
 * (per-packet index, decoders, diagnosis, commentary, body previews) and is kept for
 * later calls; past MCP_CAPTURES_MAX the one used least recently is closed. */
#ifndef CHATTCP_MCP_CAPTURES_H
#define CHATTCP_MCP_CAPTURES_H

#include "../base/strbuf.h"
#include "../session/session.h"

#include <stddef.h>

/* Sessions kept at once: an assistant looks at a few captures in a conversation; each
 * holds its index and messages in memory. The least recently used is closed past it
 * (and opened again if asked for). */
#define MCP_CAPTURES_MAX 8
/* Memory one session may hold (as the web UI's): past it the capture fails with "needs
 * more than 1 GiB" and the server goes on. */
#define MCP_SESSION_MEM_MAX ((size_t)1 << 30)
/* Roots one server takes (--root given more times is a usage error). */
#define MCP_ROOTS_MAX 16

struct mcp_captures;

struct mcp_captures *mcp_captures_new(void);
void mcp_captures_free(struct mcp_captures *c);
/* Adds a root folder; 0, or -1 with why (not a folder, too many). */
int mcp_captures_add_root(struct mcp_captures *c, const char *dir, struct strbuf *why);
size_t mcp_captures_n_roots(const struct mcp_captures *c);
const char *mcp_captures_root(const struct mcp_captures *c, size_t i);

/* Every session opened from now on reports its reading to fn (opts.on_progress: bytes
 * read, the file's size; non-zero stops it, and the capture is then not kept and the
 * call fails with "cancelled"). fn NULL: none. */
void mcp_captures_set_progress(struct mcp_captures *c, int (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx);

/* Resolves name to what session_open takes ("case:NAME", or the real path of a file
 * under a root) into out (PATH_MAX bytes). 0, or -1 with why (one line; the same words
 * whether a path outside the roots exists or not). */
int mcp_captures_resolve(const struct mcp_captures *c, const char *name, char *out, struct strbuf *why);

/* The kept session of name, opened and read now when it is not kept yet. Returns it
 * (valid until the next mcp_captures_get), or NULL with why. A damaged capture is
 * returned (what could be read), its damage in *damage (NULL when none). */
struct session *mcp_captures_get(struct mcp_captures *c, const char *name, const char **damage, struct strbuf *why);

/* A session made for one question on name (the stream's raw bytes, one frame),
 * configured by o, selected to sel (NULL: all), opened and run. The caller frees it.
 * NULL with why when it cannot be opened. */
struct session *mcp_captures_session(const struct mcp_captures *c, const char *name, const struct session_opts *o,
				     const struct sess_id *sel, struct strbuf *why);

#endif
