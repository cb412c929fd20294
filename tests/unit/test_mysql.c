/* test_mysql.c: unit tests for the MySQL decoder (proto/mysql.c). Each conversation is
 * decoded whole and split at every byte of each side (two segments), and the decoded
 * messages must not change: where TCP cut the stream must not matter. The input sits
 * at the end of a page followed by a PROT_NONE page, so an over-read faults at once.
 * Prints "ok NAME" / "FAIL NAME: why". */
#include "base/strbuf.h"
#include "proto/app.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* --- building packets --- */

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof b->b) {
		fprintf(stderr, "test buffer too small\n");
		exit(1);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_u8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;
	put(b, &c, 1);
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		put_u8(b, (unsigned)(v >> (8 * i)) & 0xff);
}

static void put_z(struct buf *b, const char *s) { put(b, s, strlen(s) + 1); }

static void put_lenstr(struct buf *b, const char *s)
{
	put_u8(b, (unsigned)strlen(s)); /* test strings are short: one-byte length */
	put(b, s, strlen(s));
}

/* Appends one packet (header + payload) to out. */
static void packet(struct buf *out, unsigned seq, const struct buf *pl)
{
	put_le(out, pl->n, 3);
	put_u8(out, seq);
	put(out, pl->b, pl->n);
}

#define CAPS_BASE 0x000fa20fu /* LONG_PASSWORD..CONNECT_WITH_DB, PROTOCOL_41, SECURE_CONNECTION, PLUGIN_AUTH */

static void greeting(struct buf *out, const char *version, uint32_t caps)
{
	struct buf p = { .n = 0 };
	put_u8(&p, 10);
	put_z(&p, version);
	put_le(&p, 42, 4);            /* connection id */
	put(&p, "abcdefgh", 8);       /* auth-plugin-data-part-1 */
	put_u8(&p, 0);                /* filler */
	put_le(&p, caps & 0xffff, 2); /* capabilities, low */
	put_u8(&p, 0x21);             /* charset */
	put_le(&p, 2, 2);             /* status: autocommit */
	put_le(&p, caps >> 16, 2);    /* capabilities, high */
	put_u8(&p, 21);               /* auth data length */
	put(&p, "\0\0\0\0\0\0\0\0\0\0", 10);
	put(&p, "ijklmnopqrst", 12);
	put_u8(&p, 0);
	put_z(&p, "mysql_native_password");
	packet(out, 0, &p);
}

static void login(struct buf *out, const char *user, const char *db, uint32_t caps)
{
	struct buf p = { .n = 0 };
	put_le(&p, caps, 4);
	put_le(&p, 16777216, 4);
	put_u8(&p, 0x21);
	for (int i = 0; i < 23; i++)
		put_u8(&p, 0);
	put_z(&p, user);
	put_u8(&p, 20);
	put(&p, "01234567890123456789", 20);
	put_z(&p, db);
	put_z(&p, "mysql_native_password");
	packet(out, 1, &p);
}

static void command(struct buf *out, unsigned cmd, const char *arg)
{
	struct buf p = { .n = 0 };
	put_u8(&p, cmd);
	put(&p, arg, strlen(arg));
	packet(out, 0, &p);
}

static void ok(struct buf *out, unsigned seq, unsigned affected)
{
	struct buf p = { .n = 0 };
	put_u8(&p, 0);
	put_u8(&p, affected);
	put_u8(&p, 0);
	put_le(&p, 2, 2);
	put_le(&p, 0, 2);
	packet(out, seq, &p);
}

static void eof(struct buf *out, unsigned seq)
{
	struct buf p = { .n = 0 };
	put_u8(&p, 0xfe);
	put_le(&p, 0, 2);
	put_le(&p, 2, 2);
	packet(out, seq, &p);
}

static void coldef(struct buf *out, unsigned seq, const char *name)
{
	struct buf p = { .n = 0 };
	put_lenstr(&p, "def");
	put_lenstr(&p, "shop");
	put_lenstr(&p, "t");
	put_lenstr(&p, "t");
	put_lenstr(&p, name);
	put_lenstr(&p, name);
	put_u8(&p, 0x0c);
	put_le(&p, 0x21, 2);
	put_le(&p, 80, 4);
	put_u8(&p, 0xfd);
	put_le(&p, 0, 2);
	put_u8(&p, 0);
	put_le(&p, 0, 2);
	packet(out, seq, &p);
}

/* A text row; NULL values are given as NULL pointers. */
static void row(struct buf *out, unsigned seq, const char *a, const char *b)
{
	struct buf p = { .n = 0 };
	if (a)
		put_lenstr(&p, a);
	else
		put_u8(&p, 0xfb);
	if (b)
		put_lenstr(&p, b);
	else
		put_u8(&p, 0xfb);
	packet(out, seq, &p);
}

/* --- decoding --- */

static void digest(const struct applog *l, struct strbuf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct appmsg *m = applog_get(l, (uint32_t)i);
		sb_printf(b, "%d %s %s [%llu,%llu) f%u-%u %s", m->dir, m->proto, m->kind, (unsigned long long)m->off,
			  (unsigned long long)m->end, m->first_frame ? 1u : 0u, m->flags, m->summary ? m->summary : "");
		for (size_t k = 0; k < m->n_kv; k++)
			sb_printf(b, " |%s=%.*s", m->kv[k].name, (int)m->kv[k].value_len, m->kv[k].value);
		for (size_t k = 0; k < m->n_notes; k++)
			sb_printf(b, " !%s@%llu", m->notes[k].ev->name, (unsigned long long)m->notes[k].off);
		sb_putc(b, '\n');
	}
}

/* Client bytes c, then server bytes s, each cut in two at cut_c / cut_s (0 = whole).
 * proto NULL: detection decides. */
static void run(const char *proto, const uint8_t *c, size_t nc, size_t cut_c, const uint8_t *s, size_t ns,
		size_t cut_s, struct strbuf *out)
{
	struct app a;
	app_init(&a);
	a.body_keep = 1 << 20;
	a.body_hash = 1;
	const uint8_t *ch[4];
	size_t len[4];
	int dirs[4];
	size_t k = 0;
	if (!proto) { /* the server speaks first: let detection see its greeting */
		k = harness_cut(s, ns, cut_s, 1, ch, len, dirs, k);
		ns = 0;
	}
	k = harness_cut(c, nc, cut_c, 0, ch, len, dirs, k);
	k = harness_cut(s, ns, cut_s, 1, ch, len, dirs, k);
	app_decode_chunks(&a, proto ? proto_find(proto) : NULL, 6, ch, len, dirs, k);
	digest(&a.log, out);
	app_fini(&a);
}

static void splits(const char *name, const char *proto, const struct buf *cb, const struct buf *sb,
		   struct strbuf *whole)
{
	harness_splits(name, run, proto, cb->b, cb->n, sb->b, sb->n, whole);
}

int main(void)
{
	struct strbuf w;
	sb_init(&w);

	/* Login, a query with a result set (NULL value, EOF after definitions), an ERR,
	 * COM_INIT_DB, COM_PING, COM_QUIT: detection by the greeting alone. */
	{
		struct buf c = { .n = 0 }, s = { .n = 0 };
		greeting(&s, "5.7.44-log", CAPS_BASE);
		login(&c, "alice", "shop", CAPS_BASE);
		ok(&s, 2, 0);
		command(&c, 0x03, "SELECT id, name FROM t");
		put_le(&s, 1, 3), put_u8(&s, 1), put_u8(&s, 2); /* column count 2 */
		coldef(&s, 2, "id");
		coldef(&s, 3, "name");
		eof(&s, 4);
		row(&s, 5, "1", "dog");
		row(&s, 6, "2", NULL);
		eof(&s, 7);
		command(&c, 0x03, "SELEC oops");
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 0xff);
			put_le(&p, 1064, 2);
			put(&p, "#42000You have an error in your SQL syntax", 42);
			packet(&s, 1, &p);
		}
		command(&c, 0x02, "shop");
		ok(&s, 1, 0);
		command(&c, 0x0e, "");
		ok(&s, 1, 0);
		command(&c, 0x01, "");
		splits("mysql-session", NULL, &c, &s, &w);
		has(&w, "1 mysql greeting [0,", "mysql-detect-greeting");
		has(&w, "|version=5.7.44-log", "mysql-greeting-version");
		has(&w, "|auth_plugin=mysql_native_password", "mysql-greeting-plugin");
		has(&w, "login as alice, database shop (mysql_native_password)", "mysql-login-user");
		has(&w, "OK: logged in", "mysql-auth-ok");
		has(&w, "0 mysql query [", "mysql-query-kind");
		has(&w, "|sql=SELECT id, name FROM t", "mysql-query-sql");
		has(&w, "2 columns (id, name), 2 rows: (1, dog) (2, NULL)", "mysql-resultset-summary");
		has(&w, "|row2=2 | NULL", "mysql-resultset-null");
		has(&w, "ERR 1064 (42000): You have an error in your SQL syntax", "mysql-err");
		has(&w, "COM_INIT_DB shop", "mysql-init-db");
		has(&w, "COM_PING", "mysql-ping");
		has(&w, "COM_QUIT", "mysql-quit");
		lacks(&w, "!mysql.", "mysql-session-no-notes");
	}

	/* Two packets per segment and one packet over two: CLIENT_DEPRECATE_EOF result
	 * set (no EOF after definitions, OK 0xfe at the end), given as one server blob. */
	{
		uint32_t caps = CAPS_BASE | 0x01000000u;
		struct buf c = { .n = 0 }, s = { .n = 0 };
		greeting(&s, "8.0.36", caps);
		login(&c, "bob", "db", caps);
		ok(&s, 2, 0);
		command(&c, 0x03, "select a from t");
		put_le(&s, 1, 3), put_u8(&s, 1), put_u8(&s, 1);
		coldef(&s, 2, "a");
		row(&s, 3, "x", "y"); /* two values for one column: an extra byte string */
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 0xfe), put_u8(&p, 0), put_u8(&p, 0), put_le(&p, 2, 2), put_le(&p, 0, 2);
			packet(&s, 4, &p);
		}
		splits("mysql-deprecate-eof", "mysql", &c, &s, &w);
		has(&w, "1 column (a), 1 row: (x)", "mysql-deprecate-eof-rows");
		has(&w, "!mysql.malformed", "mysql-row-extra-bytes-noted");
	}

	/* Auth switch and caching_sha2_password exchanges (server AuthMoreData 0x01). */
	{
		struct buf c = { .n = 0 }, s = { .n = 0 };
		greeting(&s, "8.0.32", CAPS_BASE);
		login(&c, "root", "test", CAPS_BASE);
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 0xfe);
			put_z(&p, "caching_sha2_password");
			put(&p, "01234567890123456789", 20);
			put_u8(&p, 0);
			packet(&s, 2, &p);
		}
		{
			struct buf p = { .n = 0 };
			put(&p, "0123456789abcdef0123456789abcdef", 32);
			packet(&c, 3, &p);
		}
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 1), put_u8(&p, 4);
			packet(&s, 4, &p);
		}
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 2);
			packet(&c, 5, &p);
		}
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 1);
			put(&p, "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", 57);
			packet(&s, 6, &p);
		}
		ok(&s, 8, 0);
		splits("mysql-auth-switch", "mysql", &c, &s, &w);
		has(&w, "auth switch to caching_sha2_password", "mysql-auth-switch-plugin");
		has(&w, "perform full authentication", "mysql-sha2-full-auth");
		has(&w, "request the server's public key", "mysql-sha2-pubkey-request");
		has(&w, "server public key (57 bytes, PEM)", "mysql-sha2-pubkey");
		has(&w, "OK: logged in", "mysql-auth-switch-ok");
	}

	/* TLS: a 32-byte SSLRequest, then TLS records both ways are not decoded. */
	{
		uint32_t caps = CAPS_BASE | 0x800u;
		struct buf c = { .n = 0 }, s = { .n = 0 };
		greeting(&s, "10.11.6-MariaDB", caps);
		{
			struct buf p = { .n = 0 };
			put_le(&p, caps, 4), put_le(&p, 16777216, 4), put_u8(&p, 0x21);
			for (int i = 0; i < 23; i++)
				put_u8(&p, 0);
			packet(&c, 1, &p);
		}
		put(&c, "\x16\x03\x01\x00\x05hello", 10);
		put(&s, "\x16\x03\x03\x00\x05world", 10);
		run("mysql", c.b, c.n, 0, s.b, s.n, 0, (sb_reset(&w), &w));
		has(&w, "mysql tls-request", "mysql-tls-request");
		has(&w, "!mysql.tls@", "mysql-tls-note");
		has(&w, "0 mysql tls [36,46)", "mysql-tls-client-rest");
		has(&w, "TLS data (not decoded)", "mysql-tls-server-rest");
	}

	/* Malformed and cut short: a greeting without its version NUL, a column count of 0,
	 * a packet the stream ends in. Never a crash; notes carry offsets. */
	{
		struct buf c = { .n = 0 }, s = { .n = 0 };
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 10);
			put(&p, "5.5.5-broken", 12);
			packet(&s, 0, &p);
		}
		command(&c, 0x03, "select 1");
		{
			struct buf p = { .n = 0 };
			put_u8(&p, 0x00); /* 1-byte OK: too short */
			packet(&s, 2, &p);
		}
		put(&c, "\x20\x00\x00\x00\x03sel", 8); /* 32-byte query, 4 bytes present */
		splits("mysql-malformed", "mysql", &c, &s, &w);
		has(&w, "!mysql.malformed@5", "mysql-greeting-no-nul");
		has(&w, "!mysql.truncated@21", "mysql-cut-short");
		has(&w, "!mysql.malformed@", "mysql-short-ok-noted");
	}

	/* A packet longer than what is kept (64 kB): decoded from its start, the rest passed. */
	{
		size_t qlen = 70000;
		char *q = malloc(qlen + 1);
		memset(q, 'x', qlen);
		memcpy(q, "select '", 8);
		q[qlen] = 0;
		uint8_t *c = malloc(qlen + 5 + 9);
		c[0] = (uint8_t)((qlen + 1) & 0xff), c[1] = (uint8_t)((qlen + 1) >> 8 & 0xff), c[2] = (uint8_t)((qlen + 1) >> 16);
		c[3] = 0, c[4] = 0x03;
		memcpy(c + 5, q, qlen);
		memcpy(c + 5 + qlen, "\x05\x00\x00\x00\x02shop", 9);
		struct strbuf a, b;
		sb_init(&a), sb_init(&b);
		run("mysql", c, qlen + 14, 0, NULL, 0, 0, &a);
		run("mysql", c, qlen + 14, 40000, NULL, 0, 0, &b);
		check(a.len == b.len && memcmp(a.s, b.s, a.len) == 0, "mysql-big-packet-split", b.s ? b.s : "");
		has(&a, "COM_INIT_DB shop", "mysql-big-packet-next");
		has(&a, "0 mysql query [0,70005)", "mysql-big-packet-extent");
		sb_fini(&a), sb_fini(&b);
		free(c);
		free(q);
	}

	sb_fini(&w);
	return fails ? 1 : 0;
}
