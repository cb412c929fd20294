/* mysql.c: the classic MySQL client/server protocol (also MariaDB), as documented in
 * "MySQL Source Code Documentation: Client/Server Protocol"
 * (https://dev.mysql.com/doc/dev/mysql-server/latest/PAGE_PROTOCOL.html).
 *
 * Every message travels in packets: a 4-byte header (3-byte little-endian payload
 * length, 1-byte sequence id) and the payload ("MySQL Packets"). A payload of exactly
 * 0xffffff bytes continues in the next packet. The connection phase
 * ("Connection Phase") is: server greeting (Protocol::HandshakeV10), client handshake
 * response (Protocol::HandshakeResponse41, or a short SSLRequest after which the rest
 * is TLS), then the authentication exchange (AuthSwitchRequest 0xfe, AuthMoreData
 * 0x01, e.g. caching_sha2_password fast auth 0x03 / full auth 0x04) ending in OK
 * (0x00) or ERR (0xff). In the command phase each command starts with sequence id 0
 * (COM_QUERY 0x03 + SQL text, COM_QUIT, COM_INIT_DB, COM_PING, ...), answered by OK,
 * ERR, or a text result set ("Text Resultset": column count, column definitions,
 * EOF unless CLIENT_DEPRECATE_EOF, rows of length-encoded strings, EOF or OK 0xfe).
 *
 * A message is one logical unit: a greeting, a login, a command, an OK, an ERR, a
 * whole result set. Packets are consumed as they arrive, so a result set of any size
 * never waits in the driver's buffer; a packet bigger than MYSQL_KEEP is decoded from
 * its first MYSQL_KEEP bytes and the rest is passed over.
 *
 * Trust model: untrusted input read through struct rd; every count and length is
 * capped; a field that runs past its packet is a note with the stream byte offset; a
 * header that cannot be a MySQL packet breaks framing for that direction (shown as
 * unparsed bytes) until a later segment starts with a plausible packet. */
#include "proto.h"

#include "../base/rd.h"
#include "../base/strbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Payload bytes of one packet decoded; the rest of a bigger packet is passed over.
 * 64 kB holds any greeting, login, OK/ERR, column definition and the start of any
 * query or row, while a 16 MB packet (the protocol's maximum, 0xffffff) costs no
 * buffer. */
#define MYSQL_KEEP 65536
/* Characters of SQL text, a value or a summary line shown. */
#define MYSQL_SHOW_SQL 2000
#define MYSQL_SHOW_VALUE 200
#define MYSQL_SHOW_SUMMARY 400
/* Rows of a result set kept as fields ("row1", ...); the others are only counted. */
#define MYSQL_ROWS_KEPT 50
/* Rows rendered in a result set's one-line summary. */
#define MYSQL_ROWS_SUMMARY 5
/* Columns in one result set: MySQL's limit per table is 4096 columns. */
#define MYSQL_MAX_COLUMNS 4096
/* Commands awaiting their response: clients do not pipeline (the protocol has no
 * request ids, each command waits for its answer), so a handful means out of sync;
 * 64 is plenty and bounds the state. */
#define MYSQL_MAX_PENDING 64
/* Connection attributes shown from a login (libmysqlclient sends about ten). */
#define MYSQL_MAX_ATTRS 32
/* A packet header announcing more than this without a greeting or command context
 * in front is not believed when looking for a packet start after a gap. */
#define MYSQL_RESYNC_MAX ((size_t)1 << 20)

/* Capability flags ("Capabilities Flags"). */
#define CAP_CONNECT_WITH_DB 0x00000008u
#define CAP_COMPRESS 0x00000020u
#define CAP_PROTOCOL_41 0x00000200u
#define CAP_SSL 0x00000800u
#define CAP_SECURE_CONNECTION 0x00008000u
#define CAP_PLUGIN_AUTH 0x00080000u
#define CAP_CONNECT_ATTRS 0x00100000u
#define CAP_PLUGIN_AUTH_LENENC 0x00200000u
#define CAP_SESSION_TRACK 0x00800000u
#define CAP_DEPRECATE_EOF 0x01000000u
#define CAP_ZSTD 0x04000000u
#define CAP_QUERY_ATTRIBUTES 0x08000000u
/* Status flags: another result follows (multi-statements, CALL). */
#define SERVER_MORE_RESULTS_EXISTS 0x0008u
/* Status flags: session state information follows the OK packet's info. */
#define SERVER_SESSION_STATE_CHANGED 0x4000u

enum { PH_GREETING = 0, PH_AUTH, PH_COMMAND };
enum { RS_COLS = 1, RS_EOF1, RS_ROWS };

/* Commands ("Text Protocol", "Prepared Statements", "Utility Commands"). */
static const char *const com_names[] = {
	"COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST", "COM_CREATE_DB", "COM_DROP_DB",
	"COM_REFRESH", "COM_SHUTDOWN", "COM_STATISTICS", "COM_PROCESS_INFO", "COM_CONNECT", "COM_PROCESS_KILL",
	"COM_DEBUG", "COM_PING", "COM_TIME", "COM_DELAYED_INSERT", "COM_CHANGE_USER", "COM_BINLOG_DUMP",
	"COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE", "COM_STMT_PREPARE", "COM_STMT_EXECUTE",
	"COM_STMT_SEND_LONG_DATA", "COM_STMT_CLOSE", "COM_STMT_RESET", "COM_SET_OPTION", "COM_STMT_FETCH",
	"COM_DAEMON", "COM_BINLOG_DUMP_GTID", "COM_RESET_CONNECTION", "COM_CLONE",
};
#define N_COMS (sizeof com_names / sizeof com_names[0])
enum {
	COM_QUIT = 0x01, COM_INIT_DB = 0x02, COM_QUERY = 0x03, COM_FIELD_LIST = 0x04, COM_STATISTICS = 0x09,
	COM_STMT_PREPARE = 0x16, COM_STMT_EXECUTE = 0x17, COM_STMT_SEND_LONG_DATA = 0x18, COM_STMT_CLOSE = 0x19,
	COM_STMT_FETCH = 0x1c,
};

struct mysql_dir {
	uint64_t skip;  /* payload bytes of the current packet still to pass over */
	int cont;       /* the last packet was 0xffffff long: the next one continues it */
	int pend;       /* pend_ix ends where the current (skipped) packet ends */
	uint32_t pend_ix;
	uint32_t last_ix; /* the message the last packet belonged to */
	int have_last;
	int broken;     /* framing lost: bytes are unparsed until a packet start shows */
	int stopped;    /* TLS or compression: the rest is not decoded */
	const char *stop_kind;
};

/* A result set (or COM_FIELD_LIST answer) being received. */
struct mysql_rs {
	int stage;      /* 0 none, RS_COLS, RS_EOF1, RS_ROWS */
	int fieldlist;  /* COM_FIELD_LIST: definitions until EOF, no count, no rows */
	int binary;     /* COM_STMT_EXECUTE: binary rows, counted only */
	uint32_t ix;
	uint64_t n_cols, cols_seen, n_rows;
	struct strbuf names; /* "id, animal, name" (capped) */
	struct strbuf rows;  /* "(1, dog, Goofy) (2, cat, Garfield)" (capped) */
};

struct mysql_state {
	struct mysql_dir d[2];
	int phase;             /* server side: PH_* */
	int logged_in;         /* the client sent its handshake response */
	uint32_t server_caps, client_caps;
	int have_server_caps, have_client_caps;
	int compress;          /* compression negotiated: after auth nothing is readable */
	uint8_t pending[MYSQL_MAX_PENDING];
	size_t p_head, p_n;
	struct mysql_rs rs;
	uint64_t prep_left;    /* COM_STMT_PREPARE answer: definition packets to come */
	uint32_t prep_ix;
};

/* One packet handed to the per-side decoders. */
struct mpkt {
	const uint8_t *p; /* payload, `have` bytes of it present (have <= len) */
	size_t have, len;
	uint8_t seq;
	uint64_t off;     /* stream offset of the header */
	int cut;          /* the payload is cut short (kept prefix, or stream ended) */
};

enum {
	ME_MALFORMED, ME_TRUNCATED, ME_COMPRESSED, ME_TLS, ME_UNEXPECTED, ME_UNKNOWN_COMMAND, ME_QUERY_ATTRIBUTES, ME_LONG, ME_COUNT
};

static const struct app_event mysql_events[ME_COUNT + 1] = {
	[ME_MALFORMED] = { "mysql.malformed", SEV_ERROR, "a packet whose fields run past it or contradict each other" },
	[ME_TRUNCATED] = { "mysql.truncated", SEV_NOTE, "the stream ends inside a packet or a result set" },
	[ME_COMPRESSED] = { "mysql.compressed", SEV_NOTE, "compression was negotiated: the rest is not decoded" },
	[ME_TLS] = { "mysql.tls", SEV_NOTE, "the client asked for TLS: the rest is encrypted, not decoded" },
	[ME_UNEXPECTED] = { "mysql.unexpected", SEV_WARN, "a packet the authentication exchange does not expect here" },
	[ME_UNKNOWN_COMMAND] = { "mysql.unknown_command", SEV_ERROR, "a command byte that is not a MySQL command" },
	[ME_QUERY_ATTRIBUTES] = { "mysql.query_attributes", SEV_CHAT, "a query carries query attributes (CLIENT_QUERY_ATTRIBUTES)" },
	[ME_LONG] = { "mysql.long", SEV_NOTE, "a query longer than chattcp keeps: only its start is kept" },
	[ME_COUNT] = { NULL, 0, NULL },
};

#define EV(x) (&mysql_events[ME_##x])

/* Message ids for the code below, which keeps ids across packets. */
static uint32_t mbegin(struct layer *o, int dir, const char *kind, uint64_t off)
{
	return app_msg_begin(o, dir, kind, off)->id;
}

static void mend(struct layer *o, uint32_t ix, uint64_t end) { app_msg_end(o, app_msg(o, ix), end); }

static void mdone(struct layer *o, uint32_t ix) { app_msg_done(o, app_msg(o, ix)); }

/* --- small readers --- */

/* A length-encoded integer ("Protocol::LengthEncodedInteger"); *is_null for 0xfb. */
static uint64_t rd_lenenc(struct rd *r, int *is_null)
{
	if (is_null)
		*is_null = 0;
	uint8_t b = rd_u8(r);
	if (b < 0xfb)
		return b;
	if (b == 0xfb) {
		if (is_null)
			*is_null = 1;
		return 0;
	}
	if (b == 0xfc)
		return rd_le16(r);
	if (b == 0xfd)
		return rd_le24(r);
	if (b == 0xfe) {
		uint64_t lo = rd_le32(r);
		return lo | (uint64_t)rd_le32(r) << 32;
	}
	rd_fail(r, RD_BAD); /* 0xff is not a length */
	return 0;
}

/* A NUL-terminated string; without a NUL it takes the rest and returns -1. */
static int rd_cstr(struct rd *r, const uint8_t **s, size_t *n)
{
	size_t left = rd_left(r);
	const uint8_t *q = rd_here(r);
	const uint8_t *z = left ? memchr(q, 0, left) : NULL;
	*s = q;
	if (!z) {
		*n = left;
		rd_skip(r, left);
		return -1;
	}
	*n = (size_t)(z - q);
	rd_skip(r, *n + 1);
	return 0;
}

/* A length-encoded string; *n is what is present (*full says whether all of it). */
static int rd_lenstr(struct rd *r, const uint8_t **s, size_t *n, int *is_null)
{
	uint64_t l = rd_lenenc(r, is_null);
	*s = rd_here(r);
	*n = 0;
	if (!rd_ok(r))
		return -1;
	size_t left = rd_left(r);
	if (l > left) {
		*n = left;
		rd_skip(r, left);
		return -1;
	}
	*n = (size_t)l;
	rd_skip(r, *n);
	return 0;
}

/* Appends s as it came, cut to at most max bytes ("..." then): fields keep the raw value
 * (JSON escapes it as JSON); the terminal shows it escaped (out/term_text.h). */
static void put_text(struct strbuf *b, const uint8_t *s, size_t n, size_t max)
{
	if (n > max) {
		sb_add(b, (const char *)s, max);
		sb_puts(b, "...");
		return;
	}
	sb_add(b, (const char *)s, n);
}

static void kv_text(struct appmsg *m, const char *name, const uint8_t *s, size_t n, size_t max)
{
	struct strbuf b;
	sb_init(&b);
	put_text(&b, s, n, max);
	appmsg_kv(m, name, b.s ? b.s : "", b.len);
	sb_fini(&b);
}

static void kv_fmt(struct appmsg *m, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void kv_fmt(struct appmsg *m, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	appmsg_kv(m, name, buf, k < 0 ? 0 : (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
}

static void set_summary(struct appmsg *m, const struct strbuf *b) { appmsg_set_summary(m, b->s ? b->s : "", b->len); }

static void summary_fmt(struct appmsg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void summary_fmt(struct appmsg *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	appmsg_set_summary(m, buf, k < 0 ? 0 : (size_t)k < sizeof buf ? (size_t)k : sizeof buf - 1);
}

/* Stream offset of payload byte i. */
static uint64_t at(const struct mpkt *k, size_t i) { return k->off + 4 + i; }

/* A field ran past its packet: a malformed note, unless we only kept a prefix. */
static void bad_field(struct appmsg *m, const struct mpkt *k, const struct rd *r, const char *what)
{
	if (k->cut)
		return;
	appmsg_note(m, EV(MALFORMED), at(k, r->off <= k->have ? r->off : k->have),
		    "%s runs past the end of its %zu-byte packet (payload byte %zu)", what, k->len, r->off);
}

static uint32_t begin(struct layer *o, int dir, const char *kind, const struct mpkt *k)
{
	uint32_t ix = mbegin(o, dir, kind, k->off);
	kv_fmt(app_msg(o, ix), "seq", "%u", k->seq);
	return ix;
}

static int deprecate_eof(const struct mysql_state *st)
{
	if (!st->have_server_caps || !st->have_client_caps)
		return -1;
	return (st->server_caps & st->client_caps & CAP_DEPRECATE_EOF) != 0;
}

/* --- pending commands --- */

static void push_cmd(struct mysql_state *st, uint8_t c)
{
	if (st->p_n == MYSQL_MAX_PENDING) { /* out of sync: forget the oldest */
		st->p_head = (st->p_head + 1) % MYSQL_MAX_PENDING;
		st->p_n--;
	}
	st->pending[(st->p_head + st->p_n) % MYSQL_MAX_PENDING] = c;
	st->p_n++;
}

static int peek_cmd(const struct mysql_state *st) { return st->p_n ? st->pending[st->p_head] : -1; }

static void pop_cmd(struct mysql_state *st)
{
	if (st->p_n) {
		st->p_head = (st->p_head + 1) % MYSQL_MAX_PENDING;
		st->p_n--;
	}
}

/* --- server packets --- */

/* OK_Packet: header 0x00 (or 0xfe at the end of a result set), affected rows, last
 * insert id, status, warnings, info. Returns the status flags. */
static unsigned ok_fields(struct appmsg *m, const struct mpkt *k, struct strbuf *sum, int session_track)
{
	struct rd r = rd_make(k->p, k->have);
	rd_skip(&r, 1);
	uint64_t rows = rd_lenenc(&r, NULL);
	uint64_t id = rd_lenenc(&r, NULL);
	unsigned status = rd_le16(&r);
	unsigned warn = rd_le16(&r);
	if (!rd_ok(&r)) {
		/* Pre-4.1 servers may omit status/warnings: only the counts are required. */
		struct rd r2 = rd_make(k->p, k->have);
		rd_skip(&r2, 1);
		rows = rd_lenenc(&r2, NULL);
		id = rd_lenenc(&r2, NULL);
		if (!rd_ok(&r2))
			bad_field(m, k, &r2, "OK packet");
		status = warn = 0;
	}
	if (rows)
		sb_printf(sum, ", %" PRIu64 " row%s affected", rows, rows == 1 ? "" : "s");
	if (id)
		sb_printf(sum, ", insert id %" PRIu64, id);
	if (warn)
		sb_printf(sum, ", %u warning%s", warn, warn == 1 ? "" : "s");
	kv_fmt(m, "affected_rows", "%" PRIu64, rows);
	kv_fmt(m, "last_insert_id", "%" PRIu64, id);
	kv_fmt(m, "status", "0x%04x", status);
	kv_fmt(m, "warnings", "%u", warn);
	if (!rd_ok(&r) || !rd_left(&r))
		return status;
	if (session_track) {
		/* CLIENT_SESSION_TRACK: info is length-encoded, then, when the state changed
		 * (SERVER_SESSION_STATE_CHANGED), a list of {type, length-encoded data}. */
		const uint8_t *s;
		size_t n;
		if (rd_lenstr(&r, &s, &n, NULL) < 0) {
			bad_field(m, k, &r, "OK packet info");
			return status;
		}
		if (n)
			kv_text(m, "info", s, n, MYSQL_SHOW_VALUE);
		if (!(status & SERVER_SESSION_STATE_CHANGED) || !rd_left(&r))
			return status;
		const uint8_t *all;
		size_t nall;
		if (rd_lenstr(&r, &all, &nall, NULL) < 0) {
			bad_field(m, k, &r, "session state information");
			return status;
		}
		struct rd t = rd_make(all, nall);
		for (int i = 0; i < MYSQL_MAX_ATTRS && rd_left(&t); i++) {
			unsigned type = rd_u8(&t);
			const uint8_t *v;
			size_t nv;
			if (rd_lenstr(&t, &v, &nv, NULL) < 0)
				break;
			struct rd e = rd_make(v, nv);
			const uint8_t *a = NULL, *b = NULL;
			size_t na = 0, nb = 0;
			if (type == 0) { /* SESSION_TRACK_SYSTEM_VARIABLES: name, value */
				rd_lenstr(&e, &a, &na, NULL);
				rd_lenstr(&e, &b, &nb, NULL);
				struct strbuf x;
				sb_init(&x);
				put_text(&x, a, na, 64);
				sb_putc(&x, '=');
				put_text(&x, b, nb, MYSQL_SHOW_VALUE);
				appmsg_kv(m, "session_sysvar", x.s, x.len);
				sb_fini(&x);
			} else if (type == 1) { /* SESSION_TRACK_SCHEMA: the new default schema */
				rd_lenstr(&e, &a, &na, NULL);
				kv_text(m, "session_schema", a ? a : (const uint8_t *)"", na, MYSQL_SHOW_VALUE);
			} else {
				kv_fmt(m, "session_track", "type %u, %zu bytes", type, nv);
			}
		}
		return status;
	}
	kv_text(m, "info", rd_here(&r), rd_left(&r), MYSQL_SHOW_VALUE);
	return status;
}

static uint32_t do_ok(struct mysql_state *st, struct layer *o, const struct mpkt *k, const char *what)
{
	uint32_t ix = begin(o, 1, "ok", k);
	struct appmsg *m = app_msg(o, ix);
	struct strbuf s;
	sb_init(&s);
	sb_puts(&s, what);
	ok_fields(m, k, &s, st->have_server_caps && st->have_client_caps && (st->server_caps & st->client_caps & CAP_SESSION_TRACK));
	set_summary(m, &s);
	sb_fini(&s);
	return ix;
}

/* ERR_Packet: 0xff, error code, ('#' + SQL state if 4.1), message. */
static uint32_t do_err(struct layer *o, const struct mpkt *k)
{
	uint32_t ix = begin(o, 1, "error", k);
	struct appmsg *m = app_msg(o, ix);
	struct rd r = rd_make(k->p, k->have);
	rd_skip(&r, 1);
	unsigned code = rd_le16(&r);
	if (!rd_ok(&r)) {
		bad_field(m, k, &r, "ERR packet error code");
		appmsg_set_summary(m, "ERR", 3);
		return ix;
	}
	char state[6] = "";
	if (rd_left(&r) >= 6 && rd_here(&r)[0] == '#') {
		rd_skip(&r, 1);
		const uint8_t *q = rd_bytes(&r, 5);
		for (int i = 0; i < 5; i++)
			state[i] = q[i] >= 0x20 && q[i] < 0x7f ? (char)q[i] : '?';
	}
	struct strbuf s;
	sb_init(&s);
	sb_printf(&s, "ERR %u", code);
	if (state[0])
		sb_printf(&s, " (%s)", state);
	sb_puts(&s, ": ");
	put_text(&s, rd_here(&r), rd_left(&r), MYSQL_SHOW_VALUE);
	set_summary(m, &s);
	kv_fmt(m, "error_code", "%u", code);
	if (state[0])
		appmsg_kv(m, "sql_state", state, 5);
	kv_text(m, "message", rd_here(&r), rd_left(&r), MYSQL_SHOW_VALUE);
	sb_fini(&s);
	return ix;
}

/* Protocol::HandshakeV10 ("Connection Phase", "Initial Handshake Packet"). */
static uint32_t do_greeting(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	uint32_t ix = begin(o, 1, "greeting", k);
	struct appmsg *m = app_msg(o, ix);
	struct rd r = rd_make(k->p, k->have);
	unsigned proto = rd_u8(&r);
	const uint8_t *ver;
	size_t nver;
	int nul = rd_cstr(&r, &ver, &nver);
	kv_fmt(m, "protocol", "%u", proto);
	kv_text(m, "version", ver, nver, MYSQL_SHOW_VALUE);
	if (nul < 0) {
		if (!k->cut) {
			appmsg_note(m, EV(MALFORMED), at(k, 1), "server version string has no NUL terminator");
		}
		summary_fmt(m, "server %.*s", (int)(nver < 80 ? nver : 80), (const char *)ver);
		return ix;
	}
	uint32_t conn_id = rd_le32(&r);
	rd_skip(&r, 8); /* auth-plugin-data-part-1 */
	rd_skip(&r, 1); /* filler */
	uint32_t caps = rd_le16(&r);
	unsigned auth_len = 0;
	const uint8_t *plugin = NULL;
	size_t nplugin = 0;
	if (rd_ok(&r) && rd_left(&r)) {
		rd_skip(&r, 1); /* character set */
		unsigned status = rd_le16(&r);
		caps |= (uint32_t)rd_le16(&r) << 16;
		auth_len = rd_u8(&r);
		rd_skip(&r, 10); /* reserved */
		if (caps & CAP_SECURE_CONNECTION) {
			/* auth-plugin-data-part-2: max(13, length - 8) bytes */
			size_t n2 = auth_len > 21 ? auth_len - 8 : 13;
			if (n2 > rd_left(&r) && rd_ok(&r))
				n2 = rd_left(&r); /* some servers omit the trailing NUL */
			rd_skip(&r, n2);
		}
		if ((caps & CAP_PLUGIN_AUTH) && rd_ok(&r))
			rd_cstr(&r, &plugin, &nplugin); /* MySQL < 5.5.10 sent no NUL: the rest */
		kv_fmt(m, "status", "0x%04x", status);
	}
	if (!rd_ok(&r))
		bad_field(m, k, &r, "greeting");
	st->server_caps = caps;
	st->have_server_caps = 1;
	kv_fmt(m, "connection_id", "%" PRIu32, conn_id);
	kv_fmt(m, "capabilities", "0x%08" PRIx32, caps);
	if (plugin)
		kv_text(m, "auth_plugin", plugin, nplugin, MYSQL_SHOW_VALUE);
	struct strbuf s;
	sb_init(&s);
	sb_puts(&s, "server ");
	put_text(&s, ver, nver, 80);
	sb_printf(&s, ", connection %" PRIu32, conn_id);
	if (plugin) {
		sb_puts(&s, ", ");
		put_text(&s, plugin, nplugin, 64);
	}
	if (caps & CAP_SSL)
		sb_puts(&s, ", TLS offered");
	set_summary(m, &s);
	sb_fini(&s);
	return ix;
}

static void rs_reset(struct mysql_rs *rs)
{
	rs->stage = 0;
	rs->fieldlist = rs->binary = 0;
	rs->n_cols = rs->cols_seen = rs->n_rows = 0;
	sb_reset(&rs->names);
	sb_reset(&rs->rows);
}

/* Ends the result set message: summary "3 columns (id, animal, name), 2 rows: ...". */
static void rs_close(struct mysql_state *st, struct layer *o, uint64_t end, int incomplete)
{
	struct mysql_rs *rs = &st->rs;
	struct appmsg *m = app_msg(o, rs->ix);
	struct strbuf s;
	sb_init(&s);
	uint64_t nc = rs->fieldlist ? rs->cols_seen : rs->n_cols;
	sb_printf(&s, "%" PRIu64 " column%s (%s)", nc, nc == 1 ? "" : "s", rs->names.s ? rs->names.s : "");
	if (!rs->fieldlist) {
		sb_printf(&s, ", %" PRIu64 " row%s", rs->n_rows, rs->n_rows == 1 ? "" : "s");
		if (rs->rows.len)
			sb_printf(&s, ": %s", rs->rows.s);
	}
	set_summary(m, &s);
	if (rs->fieldlist || rs->stage == RS_COLS)
		appmsg_kv(m, "columns", rs->names.s ? rs->names.s : "", rs->names.len);
	if (!rs->fieldlist)
		kv_fmt(m, "rows", "%" PRIu64, rs->n_rows);
	if (incomplete) {
		m->flags |= AM_INCOMPLETE;
		appmsg_note(m, EV(TRUNCATED), end, "the stream ends inside this result set (%" PRIu64 " rows seen)",
			    rs->n_rows);
	}
	mend(o, rs->ix, end);
	mdone(o, rs->ix);
	sb_fini(&s);
	rs_reset(rs);
}

/* Protocol::ColumnDefinition41 (catalog "def", schema, table, org_table, name, ...)
 * or ColumnDefinition320 (table, name, ...): appends the name. */
static void rs_column(struct mysql_state *st, struct appmsg *m, const struct mpkt *k)
{
	struct mysql_rs *rs = &st->rs;
	struct rd r = rd_make(k->p, k->have);
	const uint8_t *s = NULL;
	size_t n = 0;
	int is41 = st->have_client_caps ? (st->client_caps & CAP_PROTOCOL_41) != 0
					: (k->have >= 4 && k->p[0] == 3 && memcmp(k->p + 1, "def", 3) == 0);
	int skip = is41 ? 4 : 1;
	int bad = 0;
	for (int i = 0; i <= skip && !bad; i++)
		bad = rd_lenstr(&r, &s, &n, NULL) < 0;
	if (bad)
		bad_field(m, k, &r, "column definition");
	if (rs->names.len < MYSQL_SHOW_SUMMARY) {
		if (rs->cols_seen)
			sb_puts(&rs->names, ", ");
		put_text(&rs->names, s ? s : (const uint8_t *)"", n, 64);
	}
	rs->cols_seen++;
}

/* ResultsetRow (text): one length-encoded string or 0xfb (NULL) per column. */
static void rs_row(struct mysql_state *st, struct appmsg *m, const struct mpkt *k)
{
	struct mysql_rs *rs = &st->rs;
	rs->n_rows++;
	if (rs->n_rows > MYSQL_ROWS_KEPT)
		return;
	struct strbuf v;
	sb_init(&v);
	if (rs->binary) {
		sb_printf(&v, "(binary row, %zu bytes)", k->len);
	} else {
		struct rd r = rd_make(k->p, k->have);
		for (uint64_t c = 0; c < rs->n_cols && c < MYSQL_MAX_COLUMNS; c++) {
			const uint8_t *s;
			size_t n;
			int is_null;
			int rc = rd_lenstr(&r, &s, &n, &is_null);
			if (c)
				sb_puts(&v, " | ");
			if (!rd_ok(&r) || (rc < 0 && !n)) {
				bad_field(m, k, &r, "row value");
				sb_puts(&v, "?");
				break;
			}
			if (is_null)
				sb_puts(&v, "NULL");
			else
				put_text(&v, s, n, MYSQL_SHOW_VALUE);
			if (rc < 0) {
				bad_field(m, k, &r, "row value");
				break;
			}
		}
		if (rd_ok(&r) && rd_left(&r) && !k->cut) {
			appmsg_note(m, EV(MALFORMED), at(k, r.off), "%zu bytes after the last column of row %" PRIu64,
				    rd_left(&r), rs->n_rows);
		}
	}
	char name[32];
	snprintf(name, sizeof name, "row%" PRIu64, rs->n_rows);
	appmsg_kv(m, name, v.s ? v.s : "", v.len);
	if (rs->n_rows <= MYSQL_ROWS_SUMMARY && rs->rows.len < MYSQL_SHOW_SUMMARY) {
		if (rs->rows.len)
			sb_putc(&rs->rows, ' ');
		sb_putc(&rs->rows, '(');
		/* " | " reads as ", " in the one-line form */
		for (size_t i = 0; i < v.len && rs->rows.len < MYSQL_SHOW_SUMMARY; i++) {
			if (i + 2 < v.len && v.s[i] == ' ' && v.s[i + 1] == '|' && v.s[i + 2] == ' ') {
				sb_puts(&rs->rows, ", ");
				i += 2;
			} else
				sb_putc(&rs->rows, v.s[i]);
		}
		sb_putc(&rs->rows, ')');
	} else if (rs->n_rows == MYSQL_ROWS_SUMMARY + 1) {
		sb_puts(&rs->rows, " ...");
	}
	sb_fini(&v);
}

static int is_eof(const struct mpkt *k) { return k->have >= 1 && k->p[0] == 0xfe && k->len < 0xffffff; }

/* The terminator of a result set: EOF_Packet (0xfe, warnings, status) or, with
 * CLIENT_DEPRECATE_EOF, an OK_Packet with header 0xfe. Returns the status flags. */
static unsigned eof_status(const struct mpkt *k)
{
	struct rd r = rd_make(k->p, k->have);
	rd_skip(&r, 1);
	if (k->len < 7) { /* EOF_Packet */
		rd_skip(&r, 2);
		return rd_le16(&r);
	}
	rd_lenenc(&r, NULL);
	rd_lenenc(&r, NULL);
	return rd_le16(&r);
}

/* A packet inside a result set. Returns 1 when it belonged to it (rs message). */
static void rs_packet(struct mysql_state *st, struct layer *o, const struct mpkt *k, uint32_t *ix)
{
	struct mysql_rs *rs = &st->rs;
	uint64_t end = k->off + 4 + k->len;
	uint8_t b0 = k->have ? k->p[0] : 0;
	*ix = rs->ix;
	if (b0 == 0xff && k->len < 0xffffff) {
		/* an error ends it (e.g. a query killed while sending rows) */
		rs_close(st, o, k->off, 0);
		*ix = do_err(o, k);
		pop_cmd(st);
		return;
	}
	struct appmsg *m = app_msg(o, rs->ix);
	if (rs->stage == RS_COLS) {
		if (rs->fieldlist && is_eof(k)) {
			rs_close(st, o, end, 0);
			pop_cmd(st);
			return;
		}
		rs_column(st, m, k);
		if (!rs->fieldlist && rs->cols_seen >= rs->n_cols) {
			rs->stage = deprecate_eof(st) == 1 ? RS_ROWS : RS_EOF1;
			appmsg_kv(m, "columns", rs->names.s ? rs->names.s : "", rs->names.len);
		}
		mend(o, rs->ix, end);
		return;
	}
	if (rs->stage == RS_EOF1) {
		/* EOF after the definitions (no CLIENT_DEPRECATE_EOF). When the capabilities
		 * are unknown, a 5-byte EOF_Packet is this one, while a longer 0xfe packet is
		 * an OK ending a result set without rows. */
		if (is_eof(k) && (deprecate_eof(st) == 0 || k->len < 7)) {
			rs->stage = RS_ROWS;
			mend(o, rs->ix, end);
			return;
		}
		rs->stage = RS_ROWS;
	}
	if (is_eof(k)) {
		unsigned status = eof_status(k);
		if (status & SERVER_MORE_RESULTS_EXISTS)
			kv_fmt(m, "more_results", "yes");
		rs_close(st, o, end, 0);
		if (!(status & SERVER_MORE_RESULTS_EXISTS))
			pop_cmd(st);
		return;
	}
	rs_row(st, m, k);
	mend(o, rs->ix, end);
}

/* Server packet in the authentication exchange. */
static uint32_t server_auth(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	uint8_t b0 = k->p[0];
	uint32_t ix;
	struct appmsg *m;
	switch (b0) {
	case 0x00:
		ix = do_ok(st, o, k, "OK: logged in");
		st->phase = PH_COMMAND;
		if (st->compress) {
			/* "Compression": from the next packet on both sides use compressed packets */
			st->d[1].stopped = 1;
			st->d[1].stop_kind = "compressed";
			appmsg_note(app_msg(o, ix), EV(COMPRESSED), k->off + 4 + k->len,
				    "compression was negotiated: the packets after this one are compressed and not decoded");
		}
		return ix;
	case 0xff:
		return do_err(o, k);
	case 0xfe: {
		/* Protocol::AuthSwitchRequest: plugin name, plugin data; a lone 0xfe is the old
		 * switch to mysql_old_password. */
		ix = begin(o, 1, "auth-switch", k);
		m = app_msg(o, ix);
		struct rd r = rd_make(k->p, k->have);
		rd_skip(&r, 1);
		const uint8_t *name = (const uint8_t *)"mysql_old_password";
		size_t n = 18;
		if (rd_left(&r))
			rd_cstr(&r, &name, &n);
		kv_text(m, "auth_plugin", name, n, MYSQL_SHOW_VALUE);
		kv_fmt(m, "auth_data_len", "%zu", rd_left(&r));
		struct strbuf s;
		sb_init(&s);
		sb_puts(&s, "auth switch to ");
		put_text(&s, name, n, 64);
		set_summary(m, &s);
		sb_fini(&s);
		return ix;
	}
	case 0x01: {
		/* Protocol::AuthMoreData; caching_sha2_password puts 0x03 (fast auth
		 * succeeded) or 0x04 (full authentication needed) here, or a PEM public key. */
		ix = begin(o, 1, "auth-more-data", k);
		m = app_msg(o, ix);
		if (k->len == 2 && k->have == 2 && k->p[1] == 0x03)
			appmsg_set_summary(m, "caching_sha2_password: fast auth succeeded (cached)", 51);
		else if (k->len == 2 && k->have == 2 && k->p[1] == 0x04)
			appmsg_set_summary(m, "caching_sha2_password: perform full authentication", 50);
		else if (k->have > 11 && memcmp(k->p + 1, "-----BEGIN ", 11) == 0)
			summary_fmt(m, "auth data: server public key (%zu bytes, PEM)", k->len - 1);
		else
			summary_fmt(m, "auth data (%zu bytes)", k->len - 1);
		return ix;
	}
	case 0x02:
		/* Protocol::AuthNextFactor (multi-factor authentication, MySQL 8.0.27) */
		ix = begin(o, 1, "auth-next-factor", k);
		appmsg_set_summary(app_msg(o, ix), "auth next factor", 16);
		return ix;
	default:
		ix = begin(o, 1, "unknown", k);
		m = app_msg(o, ix);
		appmsg_note(m, EV(UNEXPECTED), at(k, 0),
			    "0x%02x is not an authentication packet (OK 0x00, ERR 0xff, switch 0xfe, more data 0x01)", b0);
		summary_fmt(m, "unexpected packet 0x%02x during authentication", b0);
		return ix;
	}
}

/* Server packet in the command phase. Returns the message that this packet ends. */
static uint32_t server_command(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	uint32_t ix;
	if (st->rs.stage) {
		rs_packet(st, o, k, &ix);
		return ix;
	}
	if (st->prep_left) {
		/* parameter and column definitions of a prepared statement (and their EOFs) */
		st->prep_left--;
		mend(o, st->prep_ix, k->off + 4 + k->len);
		return st->prep_ix;
	}
	uint8_t b0 = k->p[0];
	int cmd = peek_cmd(st);
	if (b0 == 0xff) {
		pop_cmd(st);
		return do_err(o, k);
	}
	if (cmd == COM_STATISTICS) {
		pop_cmd(st);
		ix = begin(o, 1, "statistics", k);
		struct appmsg *m = app_msg(o, ix);
		kv_text(m, "text", k->p, k->have, MYSQL_SHOW_VALUE);
		struct strbuf s;
		sb_init(&s);
		put_text(&s, k->p, k->have, MYSQL_SHOW_VALUE);
		set_summary(m, &s);
		sb_fini(&s);
		return ix;
	}
	if (b0 == 0x00 && cmd == COM_STMT_PREPARE) {
		/* COM_STMT_PREPARE_OK: status, statement id, columns, params, filler, warnings */
		pop_cmd(st);
		ix = begin(o, 1, "prepare-ok", k);
		struct appmsg *m = app_msg(o, ix);
		struct rd r = rd_make(k->p, k->have);
		rd_skip(&r, 1);
		uint32_t id = rd_le32(&r);
		unsigned ncol = rd_le16(&r), npar = rd_le16(&r);
		if (!rd_ok(&r))
			bad_field(m, k, &r, "COM_STMT_PREPARE_OK");
		summary_fmt(m, "prepared statement %" PRIu32 ": %u parameter%s, %u column%s", id, npar, npar == 1 ? "" : "s",
			    ncol, ncol == 1 ? "" : "s");
		kv_fmt(m, "statement_id", "%" PRIu32, id);
		int eofs = deprecate_eof(st) == 1 ? 0 : 1;
		st->prep_left = (npar ? npar + (uint64_t)eofs : 0) + (ncol ? ncol + (uint64_t)eofs : 0);
		st->prep_ix = ix;
		return ix;
	}
	if (b0 == 0x00 && k->len >= 7) {
		pop_cmd(st);
		return do_ok(st, o, k, "OK");
	}
	if (is_eof(k) && k->len < 9) {
		pop_cmd(st);
		ix = begin(o, 1, "eof", k);
		appmsg_set_summary(app_msg(o, ix), "EOF", 3);
		return ix;
	}
	if (b0 == 0xfb) {
		/* LOCAL INFILE request: the client answers with the file's contents, then the
		 * server's OK answers the same command (so it stays pending). */
		ix = begin(o, 1, "infile-request", k);
		struct appmsg *m = app_msg(o, ix);
		kv_text(m, "file", k->p + 1, k->have - 1, MYSQL_SHOW_VALUE);
		struct strbuf s;
		sb_init(&s);
		sb_puts(&s, "LOCAL INFILE request: ");
		put_text(&s, k->p + 1, k->have - 1, MYSQL_SHOW_VALUE);
		set_summary(m, &s);
		sb_fini(&s);
		return ix;
	}
	if (cmd == COM_FIELD_LIST) {
		ix = begin(o, 1, "fields", k);
		st->rs.ix = ix;
		st->rs.stage = RS_COLS;
		st->rs.fieldlist = 1;
		rs_column(st, app_msg(o, ix), k);
		mend(o, ix, k->off + 4 + k->len);
		return ix;
	}
	if (cmd == -1 || cmd == COM_QUERY || cmd == COM_STMT_EXECUTE || cmd == COM_STMT_FETCH) {
		/* A result set starts with its column count (Protocol::LengthEncodedInteger). */
		struct rd r = rd_make(k->p, k->have);
		uint64_t n = rd_lenenc(&r, NULL);
		ix = begin(o, 1, "resultset", k);
		struct appmsg *m = app_msg(o, ix);
		if (!rd_ok(&r) || n == 0 || n > MYSQL_MAX_COLUMNS) {
			appmsg_note(m, EV(MALFORMED), at(k, 0),
				    "expected OK, ERR or a column count of 1..%d, found first byte 0x%02x", MYSQL_MAX_COLUMNS,
				    b0);
			summary_fmt(m, "unexpected response (%zu bytes)", k->len);
			pop_cmd(st);
			return ix;
		}
		st->rs.ix = ix;
		st->rs.stage = RS_COLS;
		st->rs.n_cols = n;
		st->rs.binary = cmd == COM_STMT_EXECUTE || cmd == COM_STMT_FETCH;
		mend(o, ix, k->off + 4 + k->len);
		return ix;
	}
	pop_cmd(st);
	ix = begin(o, 1, "response", k);
	summary_fmt(app_msg(o, ix), "response to %s (%zu bytes)", cmd >= 0 && (size_t)cmd < N_COMS ? com_names[cmd] : "?",
		    k->len);
	return ix;
}

static uint32_t server_packet(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	if (k->have == 0) {
		uint32_t ix = begin(o, 1, "empty", k);
		appmsg_set_summary(app_msg(o, ix), "empty packet", 12);
		return ix;
	}
	if (st->phase == PH_GREETING && k->seq != 0) {
		/* The greeting always has sequence id 0: this capture began after it. */
		st->phase = PH_COMMAND;
	}
	if (st->phase == PH_GREETING) {
		st->phase = PH_AUTH;
		if (k->p[0] == 0xff) /* refused before any greeting ("Too many connections") */
			return do_err(o, k);
		if (k->p[0] != 10) {
			uint32_t ix = begin(o, 1, "greeting", k);
			struct appmsg *m = app_msg(o, ix);
			if (k->p[0] == 9)
				appmsg_set_summary(m, "greeting: protocol version 9 (MySQL 3.21 and older), not decoded", 63);
			else {
				appmsg_note(m, EV(MALFORMED), at(k, 0), "protocol version %u, expected 10", k->p[0]);
				summary_fmt(m, "greeting with protocol version %u", k->p[0]);
			}
			return ix;
		}
		return do_greeting(st, o, k);
	}
	if (st->phase == PH_AUTH)
		return server_auth(st, o, k);
	return server_command(st, o, k);
}

/* --- client packets --- */

/* Protocol::HandshakeResponse41 / 320, or the SSLRequest that precedes TLS. */
static uint32_t client_login(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	struct rd r = rd_make(k->p, k->have);
	uint32_t caps = rd_le16(&r);
	int v41 = (caps & CAP_PROTOCOL_41) != 0;
	if (v41) {
		caps |= (uint32_t)rd_le16(&r) << 16;
		rd_skip(&r, 4 + 1 + 23); /* max packet size, character set, filler */
	} else {
		rd_skip(&r, 3); /* max packet size */
	}
	st->client_caps = caps;
	st->have_client_caps = 1;
	st->logged_in = 1;
	if ((caps & CAP_SSL) && rd_ok(&r) && rd_left(&r) == 0) {
		uint32_t ix = begin(o, 0, "tls-request", k);
		struct appmsg *m = app_msg(o, ix);
		kv_fmt(m, "capabilities", "0x%08" PRIx32, caps);
		appmsg_set_summary(m, "SSL request: the rest of the connection is TLS", 46);
		appmsg_note(m, EV(TLS), k->off + 4 + k->len,
			    "the client asked for TLS: from here on both sides speak TLS, not decoded");
		for (int d = 0; d < 2; d++) {
			st->d[d].stopped = 1;
			st->d[d].stop_kind = "tls";
		}
		return ix;
	}
	uint32_t ix = begin(o, 0, "login", k);
	struct appmsg *m = app_msg(o, ix);
	kv_fmt(m, "capabilities", "0x%08" PRIx32, caps);
	const uint8_t *user = NULL, *db = NULL, *plugin = NULL, *auth = NULL;
	size_t nuser = 0, ndb = 0, nplugin = 0, nauth = 0;
	rd_cstr(&r, &user, &nuser);
	if (!rd_ok(&r))
		bad_field(m, k, &r, "login header");
	if (v41 && (caps & CAP_PLUGIN_AUTH_LENENC)) {
		if (rd_lenstr(&r, &auth, &nauth, NULL) < 0)
			bad_field(m, k, &r, "auth response");
	} else if (v41 && (caps & CAP_SECURE_CONNECTION)) {
		size_t l = rd_u8(&r);
		if (l > rd_left(&r)) {
			bad_field(m, k, &r, "auth response");
			l = rd_left(&r);
		}
		nauth = l;
		auth = rd_bytes(&r, l);
	} else {
		rd_cstr(&r, &auth, &nauth);
	}
	if ((caps & CAP_CONNECT_WITH_DB) && rd_ok(&r) && rd_left(&r))
		rd_cstr(&r, &db, &ndb);
	if (v41 && (caps & CAP_PLUGIN_AUTH) && rd_ok(&r) && rd_left(&r))
		rd_cstr(&r, &plugin, &nplugin);
	kv_text(m, "user", user, nuser, MYSQL_SHOW_VALUE);
	if (db)
		kv_text(m, "database", db, ndb, MYSQL_SHOW_VALUE);
	if (plugin)
		kv_text(m, "auth_plugin", plugin, nplugin, MYSQL_SHOW_VALUE);
	kv_fmt(m, "auth_response_len", "%zu", nauth);
	if (v41 && (caps & CAP_CONNECT_ATTRS) && rd_ok(&r) && rd_left(&r)) {
		uint64_t total = rd_lenenc(&r, NULL);
		struct rd a = rd_sub(&r, total > rd_left(&r) ? rd_left(&r) : (size_t)total);
		struct strbuf s;
		sb_init(&s);
		for (int i = 0; i < MYSQL_MAX_ATTRS && rd_left(&a); i++) {
			const uint8_t *kn, *vn;
			size_t nk, nv;
			if (rd_lenstr(&a, &kn, &nk, NULL) < 0 || rd_lenstr(&a, &vn, &nv, NULL) < 0) {
				bad_field(m, k, &r, "connection attribute");
				break;
			}
			if (s.len)
				sb_putc(&s, ' ');
			put_text(&s, kn, nk, 64);
			sb_putc(&s, '=');
			put_text(&s, vn, nv, 64);
		}
		appmsg_kv(m, "attrs", s.s ? s.s : "", s.len);
		sb_fini(&s);
	}
	if ((caps & (CAP_COMPRESS | CAP_ZSTD)) && st->have_server_caps &&
	    (caps & st->server_caps & (CAP_COMPRESS | CAP_ZSTD)))
		st->compress = 1;
	struct strbuf s;
	sb_init(&s);
	sb_puts(&s, "login as ");
	put_text(&s, user ? user : (const uint8_t *)"", nuser, 64);
	if (db) {
		sb_puts(&s, ", database ");
		put_text(&s, db, ndb, 64);
	}
	if (plugin) {
		sb_puts(&s, " (");
		put_text(&s, plugin, nplugin, 64);
		sb_putc(&s, ')');
	}
	set_summary(m, &s);
	sb_fini(&s);
	return ix;
}

/* A command (sequence id 0) in the command phase. */
static uint32_t client_command(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	uint8_t c = k->p[0];
	const char *name = c < N_COMS ? com_names[c] : NULL;
	uint32_t ix = begin(o, 0, c == COM_QUERY ? "query" : "command", k);
	struct appmsg *m = app_msg(o, ix);
	char unk[16];
	if (!name) {
		snprintf(unk, sizeof unk, "COM_0x%02x", c);
		name = unk;
		appmsg_note(m, EV(UNKNOWN_COMMAND), at(k, 0), "command byte 0x%02x is not a MySQL command", c);
	}
	appmsg_kv(m, "command", name, strlen(name));
	struct rd r = rd_make(k->p, k->have);
	rd_skip(&r, 1);
	struct strbuf s;
	sb_init(&s);
	switch (c) {
	case COM_QUERY:
		if (st->have_client_caps && st->have_server_caps &&
		    (st->client_caps & st->server_caps & CAP_QUERY_ATTRIBUTES)) {
			/* CLIENT_QUERY_ATTRIBUTES: parameter count and set count come first; with
			 * no parameters (the usual case) the query follows at once. */
			uint64_t np = rd_lenenc(&r, NULL);
			rd_lenenc(&r, NULL);
			if (np) {
				appmsg_note(m, EV(QUERY_ATTRIBUTES), at(k, 1),
					    "%" PRIu64 " query attributes precede the SQL text; shown raw", np);
			}
			if (!rd_ok(&r)) {
				bad_field(m, k, &r, "query attribute counts");
				r = rd_make(k->p, k->have);
				rd_skip(&r, 1);
			}
		}
		put_text(&s, rd_here(&r), rd_left(&r), MYSQL_SHOW_SQL);
		appmsg_kv(m, "sql", s.s ? s.s : "", s.len);
		if (k->cut == 1)
			appmsg_note(m, EV(LONG), at(k, k->have), "query of %zu bytes: only the first %zu are kept", k->len - 1,
				    k->have - 1);
		push_cmd(st, c);
		break;
	case COM_INIT_DB:
	case COM_FIELD_LIST:
	case 0x05: /* COM_CREATE_DB */
	case 0x06: /* COM_DROP_DB */
	case COM_STMT_PREPARE: {
		sb_puts(&s, name);
		sb_putc(&s, ' ');
		size_t n0 = s.len;
		const uint8_t *q = rd_here(&r);
		size_t n = rd_left(&r);
		if (c == COM_FIELD_LIST) { /* table NUL wildcard */
			const uint8_t *z = memchr(q, 0, n);
			if (z)
				n = (size_t)(z - q);
		}
		put_text(&s, q, n, MYSQL_SHOW_SQL);
		appmsg_kv(m, c == COM_STMT_PREPARE ? "sql" : c == COM_FIELD_LIST ? "table" : "schema", s.s + n0, s.len - n0);
		push_cmd(st, c);
		break;
	}
	case COM_STMT_EXECUTE:
	case COM_STMT_CLOSE:
	case COM_STMT_SEND_LONG_DATA:
	case COM_STMT_FETCH:
	case 0x1a: { /* COM_STMT_RESET */
		uint32_t id = rd_le32(&r);
		if (!rd_ok(&r))
			bad_field(m, k, &r, "statement id");
		sb_printf(&s, "%s statement %" PRIu32, name, id);
		kv_fmt(m, "statement_id", "%" PRIu32, id);
		/* COM_STMT_CLOSE and COM_STMT_SEND_LONG_DATA get no answer. */
		if (c != COM_STMT_CLOSE && c != COM_STMT_SEND_LONG_DATA)
			push_cmd(st, c);
		break;
	}
	case COM_QUIT:
		sb_puts(&s, name);
		break; /* the server closes the connection without an answer */
	default:
		sb_puts(&s, name);
		if (k->have > 1)
			sb_printf(&s, " (%zu bytes of arguments)", k->len - 1);
		push_cmd(st, c);
		break;
	}
	set_summary(m, &s);
	sb_fini(&s);
	return ix;
}

static uint32_t client_packet(struct mysql_state *st, struct layer *o, const struct mpkt *k)
{
	if (k->seq == 0 && k->have) {
		if (st->compress) {
			/* compressed packets after authentication: not decoded */
			st->d[0].stopped = 1;
			st->d[0].stop_kind = "compressed";
			uint32_t ix = begin(o, 0, "compressed", k);
			struct appmsg *m = app_msg(o, ix);
			appmsg_set_summary(m, "compressed packet (not decoded)", 31);
			appmsg_note(m, EV(COMPRESSED), k->off,
				    "compression was negotiated: the client's packets from here on are compressed");
			return ix;
		}
		st->logged_in = 1; /* a capture that starts after the login */
		return client_command(st, o, k);
	}
	if (!st->logged_in)
		return client_login(st, o, k);
	uint32_t ix;
	if (st->phase == PH_COMMAND) {
		/* LOCAL INFILE contents (an empty packet ends them) */
		ix = begin(o, 0, "infile-data", k);
		summary_fmt(app_msg(o, ix), k->len ? "file data (%zu bytes)" : "end of file data", k->len);
		return ix;
	}
	/* Authentication data: an auth switch response, a caching_sha2_password public
	 * key request (0x02), a password encrypted with the server's key... */
	ix = begin(o, 0, "auth-data", k);
	struct appmsg *m = app_msg(o, ix);
	if (k->len == 1 && k->have == 1 && k->p[0] == 0x02)
		appmsg_set_summary(m, "caching_sha2_password: request the server's public key", 55);
	else
		summary_fmt(m, "auth data (%zu bytes)", k->len);
	kv_fmt(m, "auth_data_len", "%zu", k->len);
	return ix;
}

/* --- framing --- */

static int mysql_probe(const uint8_t *p, size_t n, int dir)
{
	struct rd r = rd_make(p, n);
	size_t len = rd_le24(&r);
	int seq = rd_u8(&r), b0 = rd_u8(&r);
	if (!rd_ok(&r))
		return n && dir == 1 ? PROBE_MAYBE : PROBE_NO;
	if (seq != 0 || len < 1)
		return PROBE_NO;
	if (dir == 0) {
		/* The server speaks first; a client that does is a capture started after the
		 * login: a COM_QUERY that exactly fills its packet is plausible. */
		return b0 == COM_QUERY && len == n - 4 ? PROBE_MAYBE : PROBE_NO;
	}
	if (b0 == 0xff)
		return len >= 3 ? PROBE_MAYBE : PROBE_NO; /* an ERR instead of a greeting */
	if (b0 != 10 || len < 2)
		return PROBE_NO;
	/* Protocol::HandshakeV10: 10 + "5.7.44-log\0"... a version starting with a digit */
	struct rd v = rd_sub(&r, len - 1);
	int c = rd_u8(&v);
	if (!rd_ok(&v))
		return PROBE_MAYBE; /* the version has not arrived yet */
	if (!(c >= '0' && c <= '9'))
		return PROBE_NO;
	while ((c = rd_u8(&v)), rd_ok(&v)) {
		if (c == 0)
			return PROBE_YES;
		if (c < 0x20 || c >= 0x7f)
			return PROBE_NO;
	}
	/* no NUL yet: more may come, unless the whole packet is here */
	return v.len < len - 1 ? PROBE_MAYBE : PROBE_NO;
}

static void mysql_init(void *vst, struct layer *L, const struct layer_open *how)
{
	(void)L, (void)how;
	struct mysql_state *st = vst;
	sb_init(&st->rs.names);
	sb_init(&st->rs.rows);
}

/* After a gap: does a segment start with a plausible packet of this side? */
static int plausible_start(const struct mysql_state *st, int dir, const uint8_t *p, size_t n)
{
	if (n < 5)
		return 0;
	size_t len = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
	if (len == 0 || len > MYSQL_RESYNC_MAX)
		return 0;
	if (dir == 0)
		return p[3] == 0 && p[4] < N_COMS;
	(void)st;
	return p[3] == 1 && (p[4] == 0x00 || p[4] == 0xff || (p[4] >= 1 && p[4] < 0xfb));
}

static void unparsed(struct layer *o, int dir, const uint8_t *p, size_t n, uint64_t off, const char *kind,
		     const char *summary)
{
	uint32_t ix = mbegin(o, dir, kind, off);
	struct appmsg *m = app_msg(o, ix);
	appmsg_set_summary(m, summary, strlen(summary));
	kv_fmt(m, "bytes", "%zu", n);
	(void)p;
	mend(o, ix, off + n);
	mdone(o, ix);
}

/* 1 while message ix may still grow: an open result set, the definitions of a
 * prepared statement, a payload continued in the next packet. */
static int still_open(const struct mysql_state *st, const struct mysql_dir *d, uint32_t ix)
{
	return (st->rs.stage && st->rs.ix == ix) || (st->prep_left && st->prep_ix == ix) || d->cont;
}

static size_t feed_packets(struct mysql_state *st, struct layer *o, int dir, const uint8_t *p, size_t n,
			   uint64_t off, int flags, size_t *needed);

static struct feed_res mysql_feed(void *vst, struct layer *o, int dir, const uint8_t *p, size_t n, uint64_t off,
				  int flags)
{
	size_t needed = 0;
	size_t k = feed_packets(vst, o, dir, p, n, off, flags, &needed);
	return feed_need(k, needed);
}

/* Returns consumed; *needed: bytes from p[0] the next packet needs, when waiting. */
static size_t feed_packets(struct mysql_state *st, struct layer *o, int dir, const uint8_t *p, size_t n,
			   uint64_t off, int flags, size_t *needed)
{
	struct mysql_dir *d = &st->d[dir];
	size_t used = 0;
	if (flags & FEED_DGRAM)
		return n;
	while (used < n) {
		const uint8_t *q = p + used;
		size_t left = n - used;
		uint64_t qoff = off + used;
		if (d->skip) {
			size_t take = d->skip < left ? (size_t)d->skip : left;
			d->skip -= take;
			used += take;
			if (!d->skip && d->pend) {
				mend(o, d->pend_ix, off + used);
				if (!still_open(st, d, d->pend_ix))
					mdone(o, d->pend_ix);
				d->pend = 0;
			}
			continue;
		}
		if (d->stopped) {
			unparsed(o, dir, q, left, qoff, d->stop_kind ? d->stop_kind : "unparsed",
				 d->stop_kind && strcmp(d->stop_kind, "tls") == 0 ? "TLS data (not decoded)"
										 : "compressed data (not decoded)");
			return n;
		}
		if (d->broken) {
			if (!plausible_start(st, dir, q, left)) {
				unparsed(o, dir, q, left, qoff, "unparsed", "bytes after lost framing");
				return n;
			}
			d->broken = 0;
		}
		if (left < 4) {
			if (flags & (FEED_EOF | FEED_GAP)) {
				uint32_t ix = mbegin(o, dir, "partial", qoff);
				struct appmsg *m = app_msg(o, ix);
				m->flags |= AM_INCOMPLETE;
				appmsg_set_summary(m, "(cut short)", 11);
				appmsg_note(m, EV(TRUNCATED), qoff + left, "the stream ends inside a packet header (%zu of 4 bytes)",
					    left);
				mend(o, ix, qoff + left);
				mdone(o, ix);
				return n;
			}
			*needed = used + 4;
			return used;
		}
		struct mpkt k;
		k.len = (size_t)q[0] | (size_t)q[1] << 8 | (size_t)q[2] << 16;
		k.seq = q[3];
		k.off = qoff;
		k.p = q + 4;
		k.cut = 0;
		size_t avail = left - 4;
		if (k.len <= avail) {
			k.have = k.len;
		} else if (avail >= MYSQL_KEEP) {
			k.have = MYSQL_KEEP;
			k.cut = 1;
		} else if (flags & (FEED_EOF | FEED_GAP)) {
			k.have = avail;
			k.cut = 2;
		} else {
			/* wait for the rest of the packet (or the part of it that is kept) */
			*needed = used + 4 + (k.len < MYSQL_KEEP ? k.len : MYSQL_KEEP);
			return used;
		}
		if (k.len > MYSQL_KEEP && k.have > MYSQL_KEEP) {
			k.have = MYSQL_KEEP;
			k.cut = 1;
		}
		uint32_t ix;
		if (d->cont && d->have_last) {
			/* continues a payload of 0xffffff bytes: part of the same message */
			ix = d->last_ix;
		} else if (dir == 1) {
			ix = server_packet(st, o, &k);
		} else {
			ix = client_packet(st, o, &k);
		}
		d->cont = k.len == 0xffffff;
		d->last_ix = ix;
		d->have_last = 1;
		if (k.cut == 2) {
			struct appmsg *m = app_msg(o, ix);
			m->flags |= AM_INCOMPLETE;
			appmsg_note(m, EV(TRUNCATED), qoff + left, "the stream ends inside this packet (%zu of %zu payload bytes)",
				    avail, k.len);
			mend(o, ix, qoff + left);
			if (!(st->rs.stage && st->rs.ix == ix))
				mdone(o, ix);
			return n;
		}
		if (k.have < k.len) {
			d->skip = k.len - k.have;
			d->pend = 1;
			d->pend_ix = ix;
			used += 4 + k.have;
			continue;
		}
		used += 4 + k.len;
		mend(o, ix, off + used);
		if (!still_open(st, d, ix))
			mdone(o, ix);
	}
	return used;
}

static void mysql_gap(void *vst, struct layer *o, int dir, uint64_t off, uint64_t len)
{
	struct mysql_state *st = vst;
	struct mysql_dir *d = &st->d[dir];
	(void)o, (void)off, (void)len;
	/* Packets have no sync marker: after a hole, the next segment must start with a
	 * plausible header before decoding resumes. A result set in progress is lost. */
	d->skip = 0;
	d->pend = 0;
	d->cont = 0;
	d->have_last = 0;
	if (!d->stopped)
		d->broken = 1;
	if (dir == 1 && st->rs.stage) {
		rs_close(st, o, off, 1);
		pop_cmd(st);
	}
	if (dir == 1)
		st->prep_left = 0;
}

static void mysql_finish(void *vst, struct layer *o)
{
	struct mysql_state *st = vst;
	if (st->rs.stage) {
		struct appmsg *m = app_msg(o, st->rs.ix);
		rs_close(st, o, m->end, 1);
	}
}

static void mysql_fini(void *vst)
{
	struct mysql_state *st = vst;
	sb_fini(&st->rs.names);
	sb_fini(&st->rs.rows);
}

const struct proto_desc proto_mysql = {
	.name = "mysql",
	.what = "MySQL/MariaDB classic protocol: login, queries, OK/ERR, result sets",
	.role = PROTO_STREAM,
	.transport = 6,
	.ports = { 3306, 0 },
	.events = mysql_events,
	.probe = mysql_probe,
	.state_size = sizeof(struct mysql_state),
	.init = mysql_init,
	.feed = mysql_feed,
	.gap = mysql_gap,
	.finish = mysql_finish,
	.fini = mysql_fini,
};
