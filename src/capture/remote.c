/* remote.c: see remote.h. HTTP/1.1 (RFC 9112): the request line and headers, a status
 * line, headers ended by an empty line, a body chunked (section 7.1) or ended by the
 * connection's close; over TLS for https:// (RFC 9110 section 4.3.4: the server's
 * identity is checked against the URL's host, RFC 6125). pcapng blocks (draft-ietf-opsawg-pcapng section 3.1): type, total
 * length, body, total length again; the agent writes them little-endian. Every block
 * body is read through the bounded reader. */
#include "remote.h"

#include "../base/exitcodes.h"
#include "../base/rd.h"
#include "../base/strbuf.h"
#include "capfile.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BT_SHB = 0x0A0D0D0A, BT_IDB = 1, BT_ISB = 5, BT_EPB = 6, BOM = 0x1A2B3C4D };
/* The longest chunk-size line taken (hex digits and extensions). */
#define CHUNK_LINE_MAX 64

enum chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

struct remote_src {
	int fd;
	SSL_CTX *tls_ctx;     /* https:// only */
	SSL *tls;
	char name[REMOTE_URL_MAX + 80];
	uint16_t linktype;
	uint32_t snaplen;
	int tsresol;          /* 9: ns, 6: us */
	int have_shb, have_idb;
	int chunked;
	enum chunk_state ch;
	uint64_t chunk_left;
	char line[CHUNK_LINE_MAX + 1];
	size_t line_n;
	struct strbuf blk;    /* the block being gathered */
	/* remote_open reads until the interface block; what came with it (an agent that
	 * already has packets sends them in the same segment) waits here for the first
	 * remote_dispatch, not lost */
	struct strbuf early;
	int opening;
	uint32_t blk_len;     /* its total length, 0 before its header is in */
	int eof;
	struct live_stats st;
	/* while dispatching */
	live_packet_fn fn;
	void *ctx;
	int handed;
	struct err *e;
};

static int64_t mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* --- the URL and the request --- */

struct url {
	int tls;              /* https:// */
	char host[256];
	char port[8];
	char prefix[REMOTE_URL_MAX];
};

static int parse_url(const char *u, struct url *out, struct err *e)
{
	if (strlen(u) >= REMOTE_URL_MAX) {
		err_set(e, EXIT_USAGE, -1, "--remote: the URL is longer than %d bytes", REMOTE_URL_MAX);
		return -1;
	}
	out->tls = strncasecmp(u, "https://", 8) == 0;
	if (!out->tls && strncasecmp(u, "http://", 7) != 0) {
		err_set(e, EXIT_USAGE, -1, "--remote takes http://HOST[:PORT] or https://HOST[:PORT] (the agent's address)");
		return -1;
	}
	const char *h = u + (out->tls ? 8 : 7), *end = h + strcspn(h, "/?#");
	const char *port = NULL, *hend = end;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb || (rb + 1 != end && rb[1] != ':')) {
			err_set(e, EXIT_USAGE, -1, "--remote: a bad IPv6 address in the URL");
			return -1;
		}
		h++, hend = rb;
		if (rb + 1 != end)
			port = rb + 2;
	} else {
		const char *c = memchr(h, ':', (size_t)(end - h));
		if (c)
			hend = c, port = c + 1;
	}
	size_t hn = (size_t)(hend - h), pn = port ? (size_t)(end - port) : 0;
	if (hn == 0 || hn >= sizeof out->host || (port && (pn == 0 || pn > 5 || strspn(port, "0123456789") < pn))) {
		err_set(e, EXIT_USAGE, -1, "--remote: no host, or a bad port, in the URL");
		return -1;
	}
	memcpy(out->host, h, hn);
	out->host[hn] = 0;
	if (port) {
		memcpy(out->port, port, pn);
		out->port[pn] = 0;
		long pv = strtol(out->port, NULL, 10);
		if (pv < 1 || pv > 65535) {
			err_set(e, EXIT_USAGE, -1, "--remote: a bad port in the URL");
			return -1;
		}
	} else {
		snprintf(out->port, sizeof out->port, "%d", REMOTE_PORT_DEFAULT);
	}
	/* a path before /api (an agent behind a proxy); the query and fragment go */
	size_t qn = strcspn(end, "?#");
	while (qn && end[qn - 1] == '/')
		qn--;
	memcpy(out->prefix, end, qn);
	out->prefix[qn] = 0;
	for (size_t i = 0; i < qn; i++)
		if ((unsigned char)out->prefix[i] <= 0x20 || (unsigned char)out->prefix[i] > 0x7e) {
			err_set(e, EXIT_USAGE, -1, "--remote: a blank or control byte in the URL's path");
			return -1;
		}
	return 0;
}

/* RFC 3986 percent-encoding of a query value: only unreserved bytes stay. */
static void put_query_value(struct strbuf *b, const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			sb_putc(b, (char)*p);
		else
			sb_printf(b, "%%%02X", *p);
	}
}

static int connect_to(const struct url *u, struct err *e)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(u->host, u->port, &hints, &res);
	if (rc != 0) {
		err_set(e, EXIT_BADINPUT, -1, "agent %s: %s", u->host, gai_strerror(rc));
		return -1;
	}
	int fd = -1, why = 0;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0) {
			why = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
			why = errno;
		} else {
			struct pollfd pf = { fd, POLLOUT, 0 };
			int soerr = 0;
			socklen_t sl = sizeof soerr;
			if (poll(&pf, 1, REMOTE_CONNECT_MS) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 &&
			    soerr == 0)
				break;
			why = soerr ? soerr : ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		err_set(e, EXIT_BADINPUT, -1, "agent %s port %s: cannot connect: %s", u->host, u->port, strerror(why));
	return fd;
}

/* --- TLS (https://) --- */

/* OpenSSL's first queued error in words, or what errno says (the queue is emptied). */
static void tls_why(char *out, size_t n)
{
	unsigned long code = ERR_get_error();
	if (code)
		ERR_error_string_n(code, out, n);
	else
		snprintf(out, n, "%s", errno ? strerror(errno) : "the connection was closed");
	ERR_clear_error();
}

/* One TLS read or write on the non-blocking socket: bytes moved, 0 when the peer
 * closed (read), -1 with errno EAGAIN when it must wait (*want: POLLIN or POLLOUT), or
 * -1 with errno EIO when TLS failed (the reason in OpenSSL's queue). */
static ssize_t tls_io(SSL *tls, int writing, void *p, size_t n, short *want)
{
	size_t done = 0;
	ERR_clear_error();
	int ok = writing ? SSL_write_ex(tls, p, n, &done) : SSL_read_ex(tls, p, n, &done);
	if (ok)
		return (ssize_t)done;
	int err = SSL_get_error(tls, 0);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		*want = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		errno = EAGAIN;
		return -1;
	}
	if (err == SSL_ERROR_ZERO_RETURN)
		return 0; /* close_notify */
	if (err == SSL_ERROR_SYSCALL && errno == 0)
		errno = ECONNRESET; /* the peer closed without close_notify */
	else if (err != SSL_ERROR_SYSCALL)
		errno = EIO;
	return -1;
}

/* Starts TLS on the connected socket and verifies the agent: its certificate chain
 * against ca_file (or the system's store) and its name or address against the URL's
 * host, unless insecure. Returns 0, or -1 with e set in words a user can act on. */
static int tls_start(struct remote_src *rs, const struct url *u, const struct remote_opts *o, struct err *e)
{
	rs->tls_ctx = SSL_CTX_new(TLS_client_method());
	if (!rs->tls_ctx || !SSL_CTX_set_min_proto_version(rs->tls_ctx, TLS1_2_VERSION)) {
		err_set(e, EXIT_SYSTEM, -1, "agent %s: cannot set up TLS (OpenSSL)", u->host);
		return -1;
	}
	/* a close without close_notify reads as the end: the chunked framing (its last
	 * chunk) is what tells a whole stream from one cut short, as over plain HTTP */
	SSL_CTX_set_options(rs->tls_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	char why[256];
	if (!o->insecure) {
		SSL_CTX_set_verify(rs->tls_ctx, SSL_VERIFY_PEER, NULL);
		int ok = o->ca_file ? SSL_CTX_load_verify_locations(rs->tls_ctx, o->ca_file, NULL)
				    : SSL_CTX_set_default_verify_paths(rs->tls_ctx);
		if (!ok) {
			tls_why(why, sizeof why);
			err_set(e, EXIT_USAGE, -1, "--ca %s: no certificate could be read from it (%s)",
				o->ca_file ? o->ca_file : "(the system's)", why);
			return -1;
		}
	}
	rs->tls = SSL_new(rs->tls_ctx);
	if (!rs->tls || !SSL_set_fd(rs->tls, rs->fd)) {
		err_set(e, EXIT_SYSTEM, -1, "agent %s: cannot set up TLS (OpenSSL)", u->host);
		return -1;
	}
	unsigned char ip[16];
	int is_ip = inet_pton(AF_INET, u->host, ip) == 1 || inet_pton(AF_INET6, u->host, ip) == 1;
	if (!is_ip)
		SSL_set_tlsext_host_name(rs->tls, u->host); /* SNI: names only (RFC 6066 section 3) */
	if (!o->insecure) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(rs->tls);
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!(is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, u->host) : X509_VERIFY_PARAM_set1_host(vp, u->host, 0))) {
			err_set(e, EXIT_SYSTEM, -1, "agent %s: cannot set the name to verify", u->host);
			return -1;
		}
	}
	int64_t deadline = mono_ms() + REMOTE_TLS_MS;
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int r = SSL_connect(rs->tls);
		if (r == 1)
			return 0;
		int err = SSL_get_error(rs->tls, r);
		short want = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
		if (!want) {
			long vr = SSL_get_verify_result(rs->tls);
			if (!o->insecure && vr != X509_V_OK) {
				const char *hint =
					vr == X509_V_ERR_HOSTNAME_MISMATCH || vr == X509_V_ERR_IP_ADDRESS_MISMATCH
						? "the certificate names another host: use the name or address it was made for"
						: o->ca_file ? "is --ca the agent's certificate, or the CA that signed it?"
							     : "give the agent's certificate (or its CA) with --ca FILE";
				err_set(e, EXIT_BADINPUT, -1, "agent %s port %s: the agent's certificate was refused: %s (%s)",
					u->host, u->port, X509_verify_cert_error_string(vr), hint);
			} else {
				tls_why(why, sizeof why);
				err_set(e, EXIT_BADINPUT, -1,
					"agent %s port %s: the TLS handshake failed: %s (does the agent listen with --tls-cert? http:// if not)",
					u->host, u->port, why);
			}
			return -1;
		}
		struct pollfd pf = { rs->fd, want, 0 };
		int64_t left = deadline - mono_ms();
		if (left <= 0 || (poll(&pf, 1, (int)left) == 0)) {
			err_set(e, EXIT_BADINPUT, -1, "agent %s port %s: the TLS handshake timed out", u->host, u->port);
			return -1;
		}
	}
}

/* --- bytes in and out, plain or TLS --- */

/* Writes all of p (the socket is non-blocking: waits for room). */
static int send_all(struct remote_src *rs, const char *p, size_t n, struct err *e)
{
	int64_t deadline = mono_ms() + REMOTE_CONNECT_MS;
	while (n) {
		short want = POLLOUT;
		ssize_t w = rs->tls ? tls_io(rs->tls, 1, (void *)p, n, &want) : send(rs->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w, n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			char why[256];
			if (rs->tls)
				tls_why(why, sizeof why);
			else
				snprintf(why, sizeof why, "%s", strerror(errno));
			err_set(e, EXIT_BADINPUT, -1, "agent: cannot send the request: %s", why);
			return -1;
		}
		struct pollfd pf = { rs->fd, want, 0 };
		int64_t left = deadline - mono_ms();
		if (left <= 0 || poll(&pf, 1, (int)left) == 0) {
			err_set(e, EXIT_BADINPUT, -1, "agent: the request could not be sent in time");
			return -1;
		}
	}
	return 0;
}

/* Reads what is there (waiting up to wait_ms) into buf. Returns bytes, 0 at the end,
 * -1 with errno (EAGAIN: nothing yet). */
static ssize_t recv_some(struct remote_src *rs, char *buf, size_t n, int wait_ms)
{
	if (!rs->tls) {
		if (wait_ms > 0) {
			struct pollfd pf = { rs->fd, POLLIN, 0 };
			if (poll(&pf, 1, wait_ms) == 0) {
				errno = EAGAIN;
				return -1;
			}
		}
		return recv(rs->fd, buf, n, MSG_DONTWAIT);
	}
	int64_t deadline = mono_ms() + (wait_ms > 0 ? wait_ms : 0);
	for (;;) {
		short want = POLLIN;
		ssize_t got = tls_io(rs->tls, 0, buf, n, &want);
		if (got >= 0 || errno != EAGAIN)
			return got;
		/* (a record may come in pieces, and TLS 1.3 sends tickets after the handshake) */
		struct pollfd pf = { rs->fd, want, 0 };
		int64_t left = deadline - mono_ms();
		if (left <= 0 || poll(&pf, 1, (int)left) == 0) {
			errno = EAGAIN;
			return -1;
		}
	}
}

/* --- the blocks --- */

static int bad(struct remote_src *rs, const char *what)
{
	err_set(rs->e, EXIT_BADINPUT, -1, "%s: %s", rs->name, what);
	return -1;
}

static int idb(struct remote_src *rs, struct rd *r)
{
	rs->linktype = rd_le16(r);
	rd_skip(r, 2);
	rs->snaplen = rd_le32(r);
	rs->tsresol = 6;
	/* options: code, length, value padded to 4 */
	while (rd_ok(r) && rd_left(r) >= 4) {
		uint16_t code = rd_le16(r), len = rd_le16(r);
		if (code == 0)
			break;
		struct rd v = rd_sub(r, len);
		rd_skip(r, (4 - len % 4) % 4);
		if (code == 9 && len == 1) {
			uint8_t res = rd_u8(&v);
			if (res != 6 && res != 9)
				return bad(rs, "the agent's interface has a clock resolution other than 10^-6 or 10^-9");
			rs->tsresol = res;
		}
	}
	if (!rd_ok(r))
		return bad(rs, "the agent's Interface Description Block is cut short");
	if (rs->have_idb)
		return bad(rs, "the agent's stream has a second interface");
	rs->have_idb = 1;
	return 0;
}

static int isb(struct remote_src *rs, struct rd *r)
{
	rd_skip(r, 12); /* interface, timestamp */
	while (rd_ok(r) && rd_left(r) >= 4) {
		uint16_t code = rd_le16(r), len = rd_le16(r);
		if (code == 0)
			break;
		struct rd v = rd_sub(r, len);
		rd_skip(r, (4 - len % 4) % 4);
		if (len != 8)
			continue;
		uint64_t x = rd_le64(&v);
		if (code == 4)
			rs->st.received = x;
		else if (code == 5)
			rs->st.if_drops = x;
		else if (code == 7)
			rs->st.kernel_drops = x;
	}
	return 0;
}

static int epb(struct remote_src *rs, struct rd *r)
{
	if (!rs->have_idb)
		return bad(rs, "a packet before the agent's Interface Description Block");
	uint32_t ifid = rd_le32(r);
	uint64_t ts = (uint64_t)rd_le32(r) << 32;
	ts |= rd_le32(r);
	uint32_t caplen = rd_le32(r), wirelen = rd_le32(r);
	const uint8_t *data = rd_bytes(r, caplen);
	if (!rd_ok(r) || ifid != 0)
		return bad(rs, "a packet block that is not the agent's (cut short, or another interface)");
	if (ts > (uint64_t)CAP_TS_MAX_NS / (rs->tsresol == 9 ? 1 : 1000))
		ts = 0;
	int64_t ns = (int64_t)ts * (rs->tsresol == 9 ? 1 : 1000);
	rs->fn(rs->ctx, ns, data, caplen, wirelen < caplen ? caplen : wirelen);
	rs->handed++;
	return 0;
}

static int block(struct remote_src *rs)
{
	const uint8_t *p = (const uint8_t *)rs->blk.s;
	struct rd r = rd_make(p + 8, rs->blk_len - 12);
	uint32_t type = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	const uint8_t *t = p + rs->blk_len - 4;
	uint32_t tail = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
	if (tail != rs->blk_len)
		return bad(rs, "a block whose two lengths differ: not a chattcp agent's stream");
	if (!rs->have_shb && type != BT_SHB)
		return bad(rs, "the answer is not a pcapng stream (is the URL a chattcp agent?)");
	switch (type) {
	case BT_SHB:
		if (rd_le32(&r) != BOM)
			return bad(rs, "a section that is not little-endian: not a chattcp agent's stream");
		rs->have_shb = 1;
		return 0;
	case BT_IDB:
		return idb(rs, &r);
	case BT_EPB:
		return epb(rs, &r);
	case BT_ISB:
		return isb(rs, &r);
	default:
		return 0; /* a block a later agent may send */
	}
}

/* Body bytes: gathered into blocks, each handled when whole. */
static int body_bytes(struct remote_src *rs, const char *p, size_t n)
{
	while (n) {
		if (rs->opening && rs->have_idb) {
			sb_add(&rs->early, p, n);
			return 0;
		}
		size_t want = rs->blk_len ? rs->blk_len - rs->blk.len : 8 - rs->blk.len;
		size_t k = n < want ? n : want;
		sb_add(&rs->blk, p, k);
		p += k, n -= k;
		if (!rs->blk_len && rs->blk.len == 8) {
			const uint8_t *h = (const uint8_t *)rs->blk.s;
			uint32_t len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
			if (len < 12 || len % 4 || len > REMOTE_BLOCK_MAX)
				return bad(rs, "a block of an impossible length: not a chattcp agent's stream");
			rs->blk_len = len;
		}
		if (rs->blk_len && rs->blk.len == rs->blk_len) {
			if (block(rs) < 0)
				return -1;
			sb_reset(&rs->blk);
			rs->blk_len = 0;
		}
	}
	return 0;
}

/* Received bytes: through the chunked framing when there is one. */
static int wire_bytes(struct remote_src *rs, const char *p, size_t n)
{
	if (!rs->chunked)
		return body_bytes(rs, p, n);
	while (n) {
		if (rs->ch == CH_DATA) {
			size_t k = rs->chunk_left < n ? (size_t)rs->chunk_left : n;
			if (body_bytes(rs, p, k) < 0)
				return -1;
			p += k, n -= k;
			rs->chunk_left -= k;
			if (!rs->chunk_left)
				rs->ch = CH_DATA_END;
			continue;
		}
		if (rs->ch == CH_DONE)
			return 0; /* nothing follows the last chunk but the close */
		char c = *p++;
		n--;
		if (c != '\n') {
			if (rs->line_n >= CHUNK_LINE_MAX)
				return bad(rs, "a chunk-size line longer than 64 bytes");
			rs->line[rs->line_n++] = c;
			continue;
		}
		while (rs->line_n && rs->line[rs->line_n - 1] == '\r')
			rs->line_n--;
		rs->line[rs->line_n] = 0;
		rs->line_n = 0;
		if (rs->ch == CH_DATA_END) {
			if (rs->line[0])
				return bad(rs, "a chunk not followed by CRLF");
			rs->ch = CH_SIZE;
		} else if (rs->ch == CH_TRAILER) {
			if (!rs->line[0])
				rs->ch = CH_DONE;
		} else {
			char *end;
			size_t digits = strspn(rs->line, "0123456789abcdefABCDEF");
			if (digits == 0 || digits > 8)
				return bad(rs, "a bad chunk-size line");
			rs->chunk_left = strtoull(rs->line, &end, 16);
			rs->ch = rs->chunk_left ? CH_DATA : CH_TRAILER;
		}
	}
	return 0;
}

static void no_packet(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	(void)ctx, (void)ts_ns, (void)data, (void)caplen, (void)wirelen;
}

/* --- the answer's head --- */

/* The agent refused: its one-line answer, quoted (the body is "chattcp agent: why"). */
static void refused(struct remote_src *rs, int status, const char *body, size_t n, struct err *e)
{
	char line[300];
	size_t k = strcspn(body, "\r\n");
	if (k > n)
		k = n;
	if (k >= sizeof line)
		k = sizeof line - 1;
	size_t j = 0;
	for (size_t i = 0; i < k; i++)
		line[j++] = (unsigned char)body[i] >= 0x20 && (unsigned char)body[i] < 0x7f ? body[i] : '?';
	line[j] = 0;
	err_set(e, EXIT_BADINPUT, -1, "%s: the agent answered %d%s%s", rs->name, status, j ? ": " : "", line);
}

/* Reads the head, and on a refusal the start of its body. Leaves what follows the head
 * in *rest. Returns 0 (200), or -1 with e set. */
static int read_head(struct remote_src *rs, struct strbuf *in, size_t *head_end, struct err *e)
{
	int64_t deadline = mono_ms() + REMOTE_HEAD_MS;
	char buf[4096];
	for (;;) {
		char *hit = in->len ? memmem(in->s, in->len, "\r\n\r\n", 4) : NULL;
		if (hit) {
			*head_end = (size_t)(hit - in->s) + 4;
			break;
		}
		if (in->len > REMOTE_HEAD_MAX) {
			err_set(e, EXIT_BADINPUT, -1, "%s: the answer's head is longer than %zu bytes", rs->name, REMOTE_HEAD_MAX);
			return -1;
		}
		int64_t left = deadline - mono_ms();
		ssize_t got = left > 0 ? recv_some(rs, buf, sizeof buf, (int)left) : -1;
		if (got == 0 || (got < 0 && errno != EINTR)) {
			/* a TLS agent closes on a plain request without a word */
			err_set(e, EXIT_BADINPUT, -1, "%s: no answer from the agent (%s)%s", rs->name,
				got == 0 ? "it closed the connection" : errno == EAGAIN ? "timed out" : strerror(errno),
				!rs->tls && got == 0 && in->len == 0 ? "; does it serve HTTPS (--tls-cert)? then https://" : "");
			return -1;
		}
		if (got > 0)
			sb_add(in, buf, (size_t)got);
	}
	int status = 0;
	if (sscanf(in->s, "HTTP/1.%*1[01] %3d", &status) != 1) {
		err_set(e, EXIT_BADINPUT, -1, "%s: the answer is not HTTP", rs->name);
		return -1;
	}
	/* headers: the one that matters is Transfer-Encoding */
	for (const char *l = strstr(in->s, "\r\n"); l && l < in->s + *head_end - 2; l = strstr(l + 2, "\r\n")) {
		if (strncasecmp(l + 2, "Transfer-Encoding:", 18) == 0) {
			const char *v = l + 20;
			size_t vn = strcspn(v, "\r\n");
			for (size_t i = 0; i + 7 <= vn; i++)
				if (strncasecmp(v + i, "chunked", 7) == 0)
					rs->chunked = 1;
		}
	}
	if (status == 200)
		return 0;
	/* a short refusal: wait a moment for its body */
	for (int i = 0; i < 20 && in->len - *head_end < 256; i++) {
		ssize_t got = recv_some(rs, buf, sizeof buf, 50);
		if (got <= 0)
			break;
		sb_add(in, buf, (size_t)got);
	}
	sb_putc(in, 0);
	refused(rs, status, in->s + *head_end, in->len - 1 - *head_end, e);
	return -1;
}

struct remote_src *remote_open(const struct remote_opts *o, struct err *e)
{
	struct url u;
	if (parse_url(o->url, &u, e) < 0)
		return NULL;
	const char *iface = o->iface ? o->iface : "any";
	int v6 = strchr(u.host, ':') != NULL;
	struct remote_src *rs = xcalloc(1, sizeof *rs);
	snprintf(rs->name, sizeof rs->name, "%s%s%s:%s/%s", v6 ? "[" : "", u.host, v6 ? "]" : "", u.port, iface);
	sb_init(&rs->blk);
	rs->fd = connect_to(&u, e);
	if (rs->fd < 0 || (u.tls && tls_start(rs, &u, o, e) < 0)) {
		remote_close(rs);
		return NULL;
	}
	struct strbuf req;
	sb_init(&req);
	sb_printf(&req, "GET %s/api/capture?format=pcapng&i=", u.prefix);
	put_query_value(&req, iface);
	if (o->filter && *o->filter) {
		sb_puts(&req, "&bpf=");
		put_query_value(&req, o->filter);
	}
	if (o->snaplen)
		sb_printf(&req, "&snaplen=%u", o->snaplen);
	sb_printf(&req, " HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: chattcp\r\nAccept: application/x-pcapng\r\n", v6 ? "[" : "",
		  u.host, v6 ? "]" : "", u.port);
	if (o->token)
		sb_printf(&req, "Authorization: Bearer %s\r\n", o->token);
	sb_puts(&req, "Connection: close\r\n\r\n");
	int rc = send_all(rs, req.s, req.len, e);
	memset(req.s, 0, req.len); /* (it held the token) */
	sb_fini(&req);
	struct strbuf in;
	sb_init(&in);
	size_t head_end = 0;
	if (rc == 0)
		rc = read_head(rs, &in, &head_end, e);
	/* the section and the interface, before anything is shown */
	rs->fn = no_packet;
	rs->e = e;
	rs->opening = 1;
	if (rc == 0)
		rc = wire_bytes(rs, in.s + head_end, in.len - head_end);
	int64_t deadline = mono_ms() + REMOTE_HEAD_MS;
	char buf[4096];
	while (rc == 0 && !rs->have_idb) {
		int64_t left = deadline - mono_ms();
		ssize_t got = left > 0 ? recv_some(rs, buf, sizeof buf, (int)left) : -1;
		if (got <= 0 && !(got < 0 && errno == EINTR)) {
			err_set(e, EXIT_BADINPUT, -1, "%s: the agent sent no capture (%s)", rs->name,
				got == 0 ? "it closed the connection" : "timed out");
			rc = -1;
		} else if (got > 0) {
			rc = wire_bytes(rs, buf, (size_t)got);
		}
	}
	sb_fini(&in);
	rs->opening = 0;
	if (rc < 0) {
		remote_close(rs);
		return NULL;
	}
	return rs;
}

void remote_close(struct remote_src *rs)
{
	if (!rs)
		return;
	if (rs->tls) {
		SSL_shutdown(rs->tls); /* a close_notify, not waited for */
		SSL_free(rs->tls);
	}
	SSL_CTX_free(rs->tls_ctx);
	if (rs->fd >= 0)
		close(rs->fd);
	sb_fini(&rs->blk);
	sb_fini(&rs->early);
	xfree(rs);
}

uint16_t remote_linktype(const struct remote_src *rs) { return rs->linktype; }
uint32_t remote_snaplen(const struct remote_src *rs) { return rs->snaplen; }
const char *remote_name(const struct remote_src *rs) { return rs->name; }
int remote_fd(const struct remote_src *rs) { return rs->fd; }
int remote_pending(const struct remote_src *rs) { return rs->early.len || (rs->tls && SSL_pending(rs->tls) > 0); }
void remote_get_stats(const struct remote_src *rs, struct live_stats *st) { *st = rs->st; }

struct remote_src *remote_parser_new(int chunked)
{
	struct remote_src *rs = xcalloc(1, sizeof *rs);
	rs->fd = -1;
	rs->chunked = chunked;
	snprintf(rs->name, sizeof rs->name, "agent stream");
	sb_init(&rs->blk);
	return rs;
}

int remote_feed(struct remote_src *rs, const void *p, size_t n, live_packet_fn fn, void *ctx, struct err *e)
{
	rs->fn = fn;
	rs->ctx = ctx;
	rs->e = e;
	rs->handed = 0;
	if (wire_bytes(rs, p, n) < 0)
		return -1;
	return rs->handed;
}

int remote_dispatch(struct remote_src *rs, live_packet_fn fn, void *ctx, struct err *e)
{
	if (rs->early.len) {
		struct strbuf b = rs->early;
		sb_init(&rs->early);
		rs->fn = fn;
		rs->ctx = ctx;
		rs->e = e;
		rs->handed = 0;
		int rc = body_bytes(rs, b.s, b.len);
		sb_fini(&b);
		return rc < 0 ? -1 : rs->handed;
	}
	if (rs->eof)
		return REMOTE_END;
	char buf[65536];
	ssize_t got = recv_some(rs, buf, sizeof buf, 0);
	/* TLS hands out a record (16 KiB at most) a read: fill buf from what is there */
	while (rs->tls && got > 0 && (size_t)got < sizeof buf) {
		ssize_t more = recv_some(rs, buf + got, sizeof buf - (size_t)got, 0);
		if (more <= 0)
			break; /* nothing more now; an end or error shows at the next call */
		got += more;
	}
	if (got < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		char why[256];
		if (rs->tls && errno == EIO)
			tls_why(why, sizeof why);
		else
			snprintf(why, sizeof why, "%s", strerror(errno));
		err_set(e, EXIT_BADINPUT, -1, "%s: the connection to the agent broke: %s", rs->name, why);
		return -1;
	}
	if (got == 0) {
		rs->eof = 1;
		if (rs->blk.len || (rs->chunked && rs->ch != CH_DONE)) {
			err_set(e, EXIT_BADINPUT, -1, "%s: the agent's stream broke off in the middle", rs->name);
			return -1;
		}
		return REMOTE_END;
	}
	return remote_feed(rs, buf, (size_t)got, fn, ctx, e);
}
