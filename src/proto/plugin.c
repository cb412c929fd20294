/* plugin.c: decoders in JavaScript (ChatTCP's plugin API, docs/plugins.md), run in
 * JavaScriptCore (docs/deps.md says why this engine).
 *
 * Each plugin has its own context group and global object: ECMAScript's built-ins, the
 * readers of plugin_api.js.h and nothing of the host (no require, fetch, import, file,
 * network or process access: JSC's C API gives a context none). One call of parse() is
 * one attempt on the bytes a direction holds, from the start of the message: a read past
 * the end asks the driver for more bytes (stream mode) and the next attempt starts over,
 * so a message is committed only when parse() returned it.
 *
 * Budgets. Each attempt may run PLUGIN_CALL_MS and grow the process by PLUGIN_MEM_MAX:
 * JSC's watchdog (JSContextGroupSetExecutionTimeLimit, exported by Debian's build,
 * declared in the private header JSContextRefPrivate.h that Debian does not install)
 * calls tick() every PLUGIN_TICK_MS, which checks both and stops the script. JSC has no
 * heap cap in its C API, so memory is the process's resident size, read at each tick: a
 * single allocation may pass the cap by what it allocates before the next tick.
 *
 * What an error costs (docs/plugins.md): a throw, or a result that is not an object,
 * skips the rest of that direction of that connection; a plugin that passes its time or
 * memory budget is turned off for the rest of the process (its context is released),
 * since input that makes it loop once will make it loop on every connection. Either way
 * the connection gets a message with event plugin.error and stderr one line
 * "chattcp: plugin FILE:LINE: ..." (decoders do not print otherwise: this is the user's
 * own code failing, and they need to hear of it even when the output is JSON). */
#include "plugin.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages one feed() call makes before it lets the driver go on: bounds one call's
 * time when a plugin returns many messages from one segment. */
#define PLUGIN_MSGS_PER_FEED 4096
/* Bytes a direction may hold while parse() answers null (not yet, or not mine): each new
 * segment re-runs parse() from the start, so holding costs time too; past it the bytes
 * are skipped (event plugin.skipped). 1 MiB is far above a real message header. */
#define PLUGIN_HOLD_MAX ((size_t)1 << 20)

static const struct app_event plugin_events[] = {
	{ "plugin.error", SEV_ERROR, "the plugin threw, ran past its time or memory budget, or returned a non-object" },
	{ "plugin.cut", SEV_NOTE, "the stream ended inside a message: parse() read past the end of what came" },
	{ "plugin.skipped", SEV_NOTE, "bytes parse() never returned a message for were skipped" },
	{ NULL, 0, NULL },
};
enum { PE_ERROR, PE_CUT, PE_SKIPPED };

/* The process's plugins: loaded while options are read, before any session, then only
 * read (the one piece of process state below cli/, allowed by tests/suite/source-rules:
 * a plugin is a process-wide option, as the locale is). The error count and the
 * contexts' use are under the lock. */
static struct plugin_registry {
	struct plugin *list;
	size_t n;
	uint64_t n_errors;
	pthread_mutex_t mu;
} reg = { .mu = PTHREAD_MUTEX_INITIALIZER };

uint64_t plugin_errors(void)
{
	return reg.n_errors;
}

#ifndef CHATTCP_PLUGINS

int plugin_load(const char *file, struct err *e)
{
	err_set(e, EXIT_USAGE, -1, "--plugin %s: this chattcp was built without plugins (no JavaScriptCore)", file);
	return -1;
}
void plugin_set_port(uint16_t port) { (void)port; }
const struct proto_desc *plugin_for(const struct conn *c) { (void)c; return NULL; }
int plugin_any(void) { return 0; }
int plugin_is_name(const char *name, size_t n) { (void)name; (void)n; return 0; }
/* the events exist either way (chattcp events lists a fixed table) */
const struct app_event *plugin_event_table(void);
const struct app_event *plugin_event_table(void) { return plugin_events; }

#else

#include <JavaScriptCore/JavaScript.h>
#include <jansson.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "plugin_api.js.h"

/* JSContextRefPrivate.h (exported by libjavascriptcoregtk, header not installed). */
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit, JSShouldTerminateCallback cb,
					 void *context);
void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);
JSStringRef JSContextCreateBacktrace(JSContextRef ctx, unsigned max_stack);

/* Per attempt: real programs' parse() takes microseconds; 200 ms is a loop. */
#define PLUGIN_CALL_MS 200
/* Loading (the top level) may do more (tables): 1 s. */
#define PLUGIN_LOAD_MS 1000
#define PLUGIN_TICK_MS 10
/* Growth of the resident size during one attempt: 256 MiB. */
#define PLUGIN_MEM_MAX ((long)256 << 20)
/* The result parse() returns, as JSON: 1 MiB (a message's fields, not a file). */
#define PLUGIN_RESULT_MAX ((size_t)1 << 20)

enum { STOP_NONE, STOP_TIME, STOP_MEM };

struct plugin {
	char *file;
	char name[32];
	uint16_t port;
	struct proto_desc desc;
	JSContextGroupRef group;
	JSGlobalContextRef ctx;
	JSObjectRef call;
	int dead;
	/* the attempt in progress */
	double t0, limit_s;
	long rss0;
	int stop;
	int stop_line;
};

/* JSC contexts may be used from one thread at a time; the web UI runs sessions in
 * threads, so every call into a plugin holds reg.mu. */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long size = 0, res = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * sysconf(_SC_PAGESIZE);
}

static void js_utf8(JSStringRef s, char *buf, size_t n)
{
	if (!s || !n) {
		if (n)
			buf[0] = 0;
		return;
	}
	JSStringGetUTF8CString(s, buf, n);
}

/* The line of FILE the script is in (JSC's backtrace "#0 parse() at FILE:LINE" names the
 * line where the running function begins), or 0. */
static int backtrace_line(struct plugin *pl, JSContextRef ctx)
{
	JSStringRef bt = JSContextCreateBacktrace(ctx, 16);
	char b[2048];
	js_utf8(bt, b, sizeof b);
	if (bt)
		JSStringRelease(bt);
	size_t fl = strlen(pl->file);
	for (char *p = b; (p = strstr(p, pl->file)); p += fl)
		if (p[fl] == ':')
			return (int)strtol(p + fl + 1, NULL, 10);
	return 0;
}

static bool tick(JSContextRef ctx, void *vp)
{
	struct plugin *pl = vp;
	if (now_s() - pl->t0 >= pl->limit_s)
		pl->stop = STOP_TIME;
	else if (rss_bytes() - pl->rss0 > PLUGIN_MEM_MAX)
		pl->stop = STOP_MEM;
	if (pl->stop) {
		pl->stop_line = backtrace_line(pl, ctx);
		return true;
	}
	JSContextGroupSetExecutionTimeLimit(pl->group, PLUGIN_TICK_MS / 1000.0, tick, pl);
	return false;
}

static void arm(struct plugin *pl, int ms)
{
	pl->t0 = now_s();
	pl->limit_s = ms / 1000.0;
	pl->rss0 = rss_bytes();
	pl->stop = STOP_NONE;
	pl->stop_line = 0;
	JSContextGroupSetExecutionTimeLimit(pl->group, PLUGIN_TICK_MS / 1000.0, tick, pl);
}

static void disarm(struct plugin *pl)
{
	JSContextGroupClearExecutionTimeLimit(pl->group);
}

/* The words of a stopped or thrown script, with its line. */
static void describe(struct plugin *pl, JSValueRef exc, char *out, size_t n, int *line)
{
	*line = 0;
	if (pl->stop == STOP_TIME) {
		snprintf(out, n, "parse() ran longer than its budget of %d ms (a loop?); the plugin is turned off",
			 PLUGIN_CALL_MS);
		*line = pl->stop_line;
		return;
	}
	if (pl->stop == STOP_MEM) {
		snprintf(out, n, "parse() used more than its %ld MiB of memory; the plugin is turned off",
			 PLUGIN_MEM_MAX >> 20);
		*line = pl->stop_line;
		return;
	}
	JSStringRef s = exc ? JSValueToStringCopy(pl->ctx, exc, NULL) : NULL;
	js_utf8(s, out, n);
	if (s)
		JSStringRelease(s);
	if (exc && JSValueIsObject(pl->ctx, exc)) {
		JSObjectRef o = JSValueToObject(pl->ctx, exc, NULL);
		JSStringRef k = JSStringCreateWithUTF8CString("line");
		JSValueRef v = JSObjectGetProperty(pl->ctx, o, k, NULL);
		JSStringRelease(k);
		double d = JSValueToNumber(pl->ctx, v, NULL);
		if (d > 0 && d < 1e9)
			*line = (int)d;
	}
}

/* One line on stderr for the user's own code failing (see the top of the file). */
static void report(const struct plugin *pl, int line, const char *what, const struct conn *c, uint32_t frame)
{
	reg.n_errors++;
	if (c)
		fprintf(stderr, "chattcp: plugin %s:%d: %s (connection %u, frame %u)\n", pl->file, line, what, c->id,
			frame);
	else
		fprintf(stderr, "chattcp: plugin %s:%d: %s\n", pl->file, line, what);
}

static void turn_off(struct plugin *pl)
{
	pl->dead = 1;
	JSValueUnprotect(pl->ctx, pl->call);
	JSGlobalContextRelease(pl->ctx);
	JSContextGroupRelease(pl->group);
	pl->ctx = NULL;
	pl->group = NULL;
}

/* --- loading --- */

static JSValueRef eval(struct plugin *pl, const char *src, const char *url, JSValueRef *exc)
{
	JSStringRef s = JSStringCreateWithUTF8CString(src);
	JSStringRef u = JSStringCreateWithUTF8CString(url);
	JSValueRef v = JSEvaluateScript(pl->ctx, s, NULL, u, 1, exc);
	JSStringRelease(s);
	JSStringRelease(u);
	return v;
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = xmalloc(cap);
	for (size_t k; b && (k = fread(b + n, 1, cap - n - 1, f)) > 0;) {
		n += k;
		if (n + 1 == cap) {
			if (cap >= ((size_t)16 << 20)) {
				xfree(b);
				b = NULL;
				break;
			}
			b = xrealloc(b, cap * 2);
			cap *= 2;
		}
	}
	fclose(f);
	if (b)
		b[n] = 0;
	*len = n;
	return b;
}

static void plugin_init(void *st, struct layer *L, const struct layer_open *how);
static struct feed_res plugin_feed(void *st, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				   int flags);

struct pl_state {
	struct plugin *pl;
	uint8_t off[2]; /* this direction is skipped after an error */
};

#define INIT_N(i) \
	static void init_##i(void *st, struct layer *L, const struct layer_open *how) \
	{ \
		((struct pl_state *)st)->pl = &reg.list[i]; \
		plugin_init(st, L, how); \
	}
INIT_N(0) INIT_N(1) INIT_N(2) INIT_N(3) INIT_N(4) INIT_N(5) INIT_N(6) INIT_N(7)
static void (*const inits[PLUGIN_MAX])(void *, struct layer *, const struct layer_open *) = {
	init_0, init_1, init_2, init_3, init_4, init_5, init_6, init_7,
};

int plugin_load(const char *file, struct err *e)
{
	if (!reg.list)
		reg.list = xcalloc(PLUGIN_MAX, sizeof *reg.list);
	if (reg.n == PLUGIN_MAX) {
		err_set(e, EXIT_USAGE, -1, "--plugin %s: at most %d plugins", file, PLUGIN_MAX);
		return -1;
	}
	size_t len;
	char *src = slurp(file, &len);
	if (!src) {
		err_set(e, EXIT_USAGE, -1, "--plugin %s: cannot read it (or it is over 16 MiB)", file);
		return -1;
	}
	if (strlen(src) != len) {
		xfree(src);
		err_set(e, EXIT_USAGE, -1, "--plugin %s: not a JavaScript file (it holds NUL bytes)", file);
		return -1;
	}
	struct plugin *pl = &reg.list[reg.n];
	memset(pl, 0, sizeof *pl);
	pl->file = xstrdup(file);
	/* its name: the base name without .js, as filters and JSON "proto" say it */
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t bn = strcspn(base, ".");
	if (bn >= sizeof pl->name)
		bn = sizeof pl->name - 1;
	for (size_t i = 0; i < bn; i++) {
		char ch = base[i];
		pl->name[i] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'
				      ? ch
				      : '_';
	}
	if (!bn)
		snprintf(pl->name, sizeof pl->name, "plugin");
	pl->group = JSContextGroupCreate();
	pl->ctx = JSGlobalContextCreateInGroup(pl->group, NULL);
	JSValueRef exc = NULL;
	arm(pl, PLUGIN_LOAD_MS);
	JSValueRef factory = eval(pl, plugin_api_js, "chattcp:api", &exc);
	JSValueRef call = NULL;
	if (!exc && factory && JSValueIsObject(pl->ctx, factory)) {
		JSStringRef fs = JSStringCreateWithUTF8CString(file);
		JSValueRef arg = JSValueMakeString(pl->ctx, fs);
		JSStringRelease(fs);
		call = JSObjectCallAsFunction(pl->ctx, JSValueToObject(pl->ctx, factory, NULL), NULL, 1, &arg, &exc);
	}
	if (!exc)
		eval(pl, src, file, &exc);
	JSValueRef has = NULL;
	if (!exc)
		has = eval(pl, "typeof parse === 'function'", "chattcp:check", &exc);
	disarm(pl);
	xfree(src);
	if (exc || !call || !has || !JSValueToBoolean(pl->ctx, has)) {
		char what[256] = "it defines no function parse()";
		int line = 0;
		if (exc || pl->stop)
			describe(pl, exc, what, sizeof what, &line);
		err_set(e, EXIT_USAGE, -1, "--plugin %s:%d: %s", file, line, what);
		JSGlobalContextRelease(pl->ctx);
		JSContextGroupRelease(pl->group);
		xfree(pl->file);
		return -1;
	}
	pl->call = JSValueToObject(pl->ctx, call, NULL);
	JSValueProtect(pl->ctx, pl->call);
	pl->desc.name = pl->name;
	pl->desc.what = "a JavaScript plugin (--plugin)";
	pl->desc.role = PROTO_STREAM;
	pl->desc.transport = 0;
	pl->desc.events = plugin_events;
	pl->desc.state_size = sizeof(struct pl_state);
	pl->desc.init = inits[reg.n];
	pl->desc.feed = plugin_feed;
	reg.n++;
	return 0;
}

void plugin_set_port(uint16_t port)
{
	if (reg.n)
		reg.list[reg.n - 1].port = port;
}

const struct proto_desc *plugin_for(const struct conn *c)
{
	for (size_t i = reg.n; i-- > 0;) {
		const struct plugin *pl = &reg.list[i];
		if (!pl->port || c->ep[0].port == pl->port || c->ep[1].port == pl->port)
			return &pl->desc;
	}
	return NULL;
}

int plugin_any(void)
{
	return reg.n > 0;
}

int plugin_is_name(const char *name, size_t n)
{
	for (size_t i = 0; i < reg.n; i++)
		if (strlen(reg.list[i].name) == n && !memcmp(reg.list[i].name, name, n))
			return 1;
	return 0;
}

/* --- decoding --- */

static void plugin_init(void *st, struct layer *L, const struct layer_open *how)
{
	(void)st;
	(void)L;
	(void)how;
}

enum { R_MSG, R_NONE, R_MORE, R_ERR };

struct attempt {
	int kind;
	size_t pos, want;
	int line;
	char what[256];
	json_t *v;
};

/* One attempt of parse() on p[0..n), the bytes side dir holds from offset off. */
static void attempt(struct plugin *pl, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
		    struct attempt *r)
{
	memset(r, 0, sizeof *r);
	const struct conn *c = app_conn(L);
	int64_t ts = 0;
	uint32_t frame = app_frame_at(L, dir, off, &ts);
	char info[256];
	snprintf(info, sizeof info,
		 "{\"direction\":\"%s\",\"dir\":%d,\"srcPort\":%u,\"dstPort\":%u,\"clientPort\":%u,\"serverPort\":%u,"
		 "\"frame\":%u,\"time\":%.9f,\"offset\":%llu,\"connection\":%u}",
		 dir ? "server" : "client", dir, c->ep[dir].port, c->ep[1 - dir].port, c->ep[0].port, c->ep[1].port, frame,
		 (double)ts / 1e9, (unsigned long long)off, c->id);
	JSValueRef exc = NULL;
	JSObjectRef arr = JSObjectMakeTypedArray(pl->ctx, kJSTypedArrayTypeUint8Array, n, &exc);
	if (arr && !exc && n) {
		void *dst = JSObjectGetTypedArrayBytesPtr(pl->ctx, arr, &exc);
		if (dst)
			memcpy(dst, p, n);
	}
	JSStringRef is = JSStringCreateWithUTF8CString(info);
	JSValueRef args[2] = { arr, JSValueMakeString(pl->ctx, is) };
	JSStringRelease(is);
	JSValueRef out = NULL;
	if (!exc) {
		arm(pl, PLUGIN_CALL_MS);
		out = JSObjectCallAsFunction(pl->ctx, pl->call, NULL, 2, args, &exc);
		disarm(pl);
	}
	if (exc || pl->stop || !out || !JSValueIsString(pl->ctx, out)) {
		r->kind = R_ERR;
		describe(pl, exc, r->what, sizeof r->what, &r->line);
		return;
	}
	JSStringRef os = JSValueToStringCopy(pl->ctx, out, NULL);
	size_t max = JSStringGetMaximumUTF8CStringSize(os);
	if (max > PLUGIN_RESULT_MAX) {
		JSStringRelease(os);
		r->kind = R_ERR;
		snprintf(r->what, sizeof r->what, "parse() returned more than %zu KiB of fields", PLUGIN_RESULT_MAX >> 10);
		return;
	}
	char *js = xmalloc(max);
	JSStringGetUTF8CString(os, js, max);
	JSStringRelease(os);
	json_t *root = json_loads(js, JSON_DECODE_ANY, NULL);
	xfree(js);
	const char *s = root ? json_string_value(json_object_get(root, "s")) : NULL;
	if (!s) {
		r->kind = R_ERR;
		snprintf(r->what, sizeof r->what, "parse() gave a result chattcp cannot read");
	} else if (!strcmp(s, "msg")) {
		r->kind = R_MSG;
		r->pos = (size_t)json_integer_value(json_object_get(root, "pos"));
		r->v = json_incref(json_object_get(root, "v"));
	} else if (!strcmp(s, "none")) {
		r->kind = R_NONE;
	} else if (!strcmp(s, "more")) {
		r->kind = R_MORE;
		r->want = (size_t)json_number_value(json_object_get(root, "want"));
		r->line = (int)json_integer_value(json_object_get(root, "line"));
	} else {
		r->kind = R_ERR;
		r->line = (int)json_integer_value(json_object_get(root, "line"));
		snprintf(r->what, sizeof r->what, "%s", json_string_value(json_object_get(root, "msg")) ?: "error");
	}
	json_decref(root);
}

/* A field's value as text: strings as they are, numbers and booleans as JSON writes
 * them, objects and arrays as compact JSON. */
static char *field_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_real(v)) {
		double d = json_real_value(v);
		char b[64];
		if (d == (double)(long long)d && d > -9e15 && d < 9e15)
			snprintf(b, sizeof b, "%lld", (long long)d);
		else
			snprintf(b, sizeof b, "%.17g", d);
		return xstrdup(b);
	}
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
	char *t = xmalloc(n + 1);
	json_dumpb(v, t, n, JSON_COMPACT | JSON_ENCODE_ANY);
	t[n] = 0;
	return t;
}

static void fill(struct appmsg *m, json_t *v)
{
	const char *k;
	json_t *x;
	char sum[160] = "";
	size_t sl = 0;
	json_t *given = json_object_get(v, "summary");
	if (json_is_string(given))
		snprintf(sum, sizeof sum, "%s", json_string_value(given));
	json_object_foreach(v, k, x) {
		if (x == given && json_is_string(given))
			continue; /* it is the summary line */
		char *t = field_text(x);
		if (!t)
			continue;
		appmsg_kv(m, k, t, strlen(t));
		if (!json_is_string(given) && sl < sizeof sum - 1)
			sl += (size_t)snprintf(sum + sl, sizeof sum - sl, "%s%s=%.40s", sl ? " " : "", k, t);
		xfree(t);
	}
	if (sl >= sizeof sum)
		sl = sizeof sum - 1;
	appmsg_set_summary(m, sum, strlen(sum));
}

static void error_msg(struct pl_state *st, struct layer *L, int dir, uint64_t off, size_t n, int line,
		      const char *what)
{
	struct plugin *pl = st->pl;
	int64_t ts;
	uint32_t frame = app_frame_at(L, dir, off, &ts);
	report(pl, line, what, app_conn(L), frame);
	struct appmsg *m = app_msg_begin(L, dir, "error", off);
	m->flags |= AM_INCOMPLETE;
	appmsg_note(m, &plugin_events[PE_ERROR], app_conn_off(L, dir, off), "plugin %s:%d: %s", pl->file, line, what);
	char sum[300];
	snprintf(sum, sizeof sum, "plugin error at %s:%d: %s", pl->file, line, what);
	appmsg_set_summary(m, sum, strlen(sum));
	app_msg_end(L, m, off + n);
	app_msg_done(L, m);
	st->off[dir] = 1;
}

static struct feed_res plugin_feed(void *vst, struct layer *L, int dir, const uint8_t *p, size_t n, uint64_t off,
				   int flags)
{
	struct pl_state *st = vst;
	struct plugin *pl = st->pl;
	int final = flags & (FEED_EOF | FEED_GAP | FEED_DGRAM);
	size_t at = 0;
	pthread_mutex_lock(&reg.mu);
	for (int k = 0; at < n && k < PLUGIN_MSGS_PER_FEED; k++) {
		if (pl->dead || st->off[dir]) {
			at = n;
			break;
		}
		struct attempt r;
		attempt(pl, L, dir, p + at, n - at, off + at, &r);
		if (r.kind == R_MSG) {
			size_t used = r.pos && r.pos <= n - at ? r.pos : n - at;
			struct appmsg *m = app_msg_begin(L, dir, "message", off + at);
			if (json_is_object(r.v))
				fill(m, r.v);
			json_decref(r.v);
			app_msg_end(L, m, off + at + used);
			app_msg_done(L, m);
			at += used;
			if (flags & FEED_DGRAM)
				break; /* one message per datagram; the rest is dropped */
			continue;
		}
		if (r.kind == R_ERR) {
			error_msg(st, L, dir, off + at, n - at, r.line, r.what);
			if (pl->stop)
				turn_off(pl);
			at = n;
			break;
		}
		if (!final && n - at <= PLUGIN_HOLD_MAX) {
			/* wait for more bytes and start over from this message's first byte */
			size_t want = r.kind == R_MORE && r.want > n - at ? r.want : n - at + 1;
			pthread_mutex_unlock(&reg.mu);
			return feed_need(at, at + want);
		}
		struct appmsg *m = app_msg_begin(L, dir, "partial", off + at);
		m->flags |= AM_INCOMPLETE;
		if (r.kind == R_MORE)
			appmsg_note(m, &plugin_events[PE_CUT], app_conn_off(L, dir, off + n),
				    "the stream ends inside a message: parse() at %s:%d wanted %zu bytes, %zu came",
				    pl->file, r.line, r.want, n - at);
		else
			appmsg_note(m, &plugin_events[PE_SKIPPED], app_conn_off(L, dir, off + at),
				    "%zu bytes parse() returned no message for were skipped", n - at);
		appmsg_set_summary(m, r.kind == R_MORE ? "cut message" : "skipped bytes", r.kind == R_MORE ? 11 : 13);
		app_msg_end(L, m, off + n);
		app_msg_done(L, m);
		at = n;
	}
	pthread_mutex_unlock(&reg.mu);
	return feed_took(at);
}

const struct app_event *plugin_event_table(void);
const struct app_event *plugin_event_table(void)
{
	return plugin_events;
}

#endif
