/* captures.c: see captures.h. */
#include "captures.h"

#include "../base/xalloc.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct kept {
	char *key;            /* the resolved name */
	struct session *s;
	char *damage;         /* why reading stopped early, or NULL */
	uint64_t used;        /* the call that last asked for it */
};

struct mcp_captures {
	char *roots[MCP_ROOTS_MAX];
	size_t n_roots;
	struct kept kept[MCP_CAPTURES_MAX];
	size_t n_kept;
	uint64_t clock;
	/* every session's opts.on_progress (the server's notifications and cancel) */
	int (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

struct mcp_captures *mcp_captures_new(void) { return xcalloc(1, sizeof(struct mcp_captures)); }

void mcp_captures_set_progress(struct mcp_captures *c, int (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx)
{
	c->progress = fn;
	c->progress_ctx = ctx;
}

static void drop(struct kept *k)
{
	session_free(k->s);
	xfree(k->key);
	xfree(k->damage);
	memset(k, 0, sizeof *k);
}

void mcp_captures_free(struct mcp_captures *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_kept; i++)
		drop(&c->kept[i]);
	for (size_t i = 0; i < c->n_roots; i++)
		xfree(c->roots[i]);
	xfree(c);
}

int mcp_captures_add_root(struct mcp_captures *c, const char *dir, struct strbuf *why)
{
	char real[PATH_MAX];
	struct stat st;
	if (c->n_roots == MCP_ROOTS_MAX) {
		sb_printf(why, "--root: at most %d folders", MCP_ROOTS_MAX);
		return -1;
	}
	if (!realpath(dir, real) || stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sb_printf(why, "--root %s: not a folder", dir);
		return -1;
	}
	c->roots[c->n_roots++] = xstrdup(real);
	return 0;
}

size_t mcp_captures_n_roots(const struct mcp_captures *c) { return c->n_roots; }
const char *mcp_captures_root(const struct mcp_captures *c, size_t i) { return i < c->n_roots ? c->roots[i] : NULL; }

/* 1 when real (a realpath) lies inside root (a realpath): root itself is a folder,
 * so only what is below it counts; "/" holds everything. */
static int inside(const char *real, const char *root)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return real[0] == '/' && real[1];
	return strncmp(real, root, n) == 0 && real[n] == '/';
}

static int try_path(const struct mcp_captures *c, const char *path, char *out)
{
	char real[PATH_MAX];
	struct stat st;
	if (!realpath(path, real))
		return 0;
	for (size_t i = 0; i < c->n_roots; i++)
		if (inside(real, c->roots[i])) {
			if (stat(real, &st) < 0 || !S_ISREG(st.st_mode))
				return -1;
			memcpy(out, real, strlen(real) + 1);
			return 1;
		}
	return 0;
}

int mcp_captures_resolve(const struct mcp_captures *c, const char *name, char *out, struct strbuf *why)
{
	if (strncmp(name, "case:", 5) == 0) {
		if (strlen(name) >= PATH_MAX) {
			sb_puts(why, "no such case (see the list_cases tool)");
			return -1;
		}
		memcpy(out, name, strlen(name) + 1);
		return 0;
	}
	if (!c->n_roots) {
		sb_puts(why, "only built-in cases (case:NAME) can be opened: this server was started without --root DIR");
		return -1;
	}
	int r = 0;
	if (!*name || strlen(name) >= PATH_MAX) {
		r = 0;
	} else if (name[0] == '/') {
		r = try_path(c, name, out);
	} else {
		char full[PATH_MAX];
		for (size_t i = 0; i < c->n_roots && r == 0; i++)
			if (snprintf(full, sizeof full, "%s/%s", c->roots[i], name) < (int)sizeof full)
				r = try_path(c, full, out);
	}
	if (r > 0)
		return 0;
	sb_puts(why, r < 0 ? "not a regular file (only capture files are opened)"
			   : "no capture file by that name under the allowed roots (a relative path is taken in each --root folder; "
			     "links and '..' that lead outside them are refused)");
	return -1;
}

static struct session *open_run(const struct mcp_captures *c, const char *spec, const struct session_opts *o,
				const struct sess_id *sel, char **damage, struct strbuf *why)
{
	struct session_opts oo = *o;
	if (!oo.on_progress) {
		oo.on_progress = c->progress;
		oo.progress_ctx = c->progress_ctx;
	}
	struct session *s = session_new(&oo);
	if (!s) {
		sb_puts(why, "out of memory");
		return NULL;
	}
	if (sel)
		session_select(s, *sel);
	if (session_open(s, spec) < 0) {
		sb_puts(why, session_error(s)->msg);
		session_free(s);
		return NULL;
	}
	int rc = session_run(s);
	if (session_stopped(s)) {
		/* Half a capture is not kept: asked again, it is read again. */
		sb_puts(why, "cancelled by the client");
		session_free(s);
		return NULL;
	}
	if (rc < 0) {
		if (session_failed(s)) {
			sb_puts(why, session_error(s)->msg[0] ? session_error(s)->msg : "the capture could not be read");
			session_free(s);
			return NULL;
		}
		if (damage && session_error(s)->msg[0])
			*damage = xstrdup(session_error(s)->msg);
	}
	return s;
}

struct session *mcp_captures_get(struct mcp_captures *c, const char *name, const char **damage, struct strbuf *why)
{
	char spec[PATH_MAX];
	if (mcp_captures_resolve(c, name, spec, why) < 0)
		return NULL;
	c->clock++;
	for (size_t i = 0; i < c->n_kept; i++)
		if (strcmp(c->kept[i].key, spec) == 0) {
			c->kept[i].used = c->clock;
			*damage = c->kept[i].damage;
			return c->kept[i].s;
		}
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.keep = SESS_KEEP_PACKETS;
	o.app = 1;
	o.diag = 1;
	o.commentary = 1;
	o.body = SESS_BODY_PREVIEW;
	o.mem_limit = MCP_SESSION_MEM_MAX;
	char *dmg = NULL;
	struct session *s = open_run(c, spec, &o, NULL, &dmg, why);
	if (!s)
		return NULL;
	size_t slot = c->n_kept;
	if (slot == MCP_CAPTURES_MAX) {
		slot = 0;
		for (size_t i = 1; i < c->n_kept; i++)
			if (c->kept[i].used < c->kept[slot].used)
				slot = i;
		drop(&c->kept[slot]);
	} else {
		c->n_kept++;
	}
	c->kept[slot] = (struct kept){ xstrdup(spec), s, dmg, c->clock };
	*damage = dmg;
	return s;
}

struct session *mcp_captures_session(const struct mcp_captures *c, const char *name, const struct session_opts *o,
				     const struct sess_id *sel, struct strbuf *why)
{
	char spec[PATH_MAX];
	if (mcp_captures_resolve(c, name, spec, why) < 0)
		return NULL;
	struct session_opts oo = *o;
	if (!oo.mem_limit)
		oo.mem_limit = MCP_SESSION_MEM_MAX;
	return open_run(c, spec, &oo, sel, NULL, why);
}
