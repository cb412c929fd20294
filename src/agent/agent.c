/* agent.c: see agent.h. libmicrohttpd serves (as src/web/server.c does), in thread per
 * connection mode: a capture's content callback may wait in poll(2) for packets, which
 * the library's own polling mode would not allow. */
#include "agent.h"

#include "../base/exitcodes.h"
#include "../base/xalloc.h"
#include "../capture/live.h"
#include "../capture/pcapng_write.h"
#include "packet_json.h"
#include "params.h"
#include "privs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct agent {
	struct MHD_Daemon *d;
	int fd;
	uint16_t port;
	struct agent_opts o;
	char token[AGENT_TOKEN_MAX + 1];
	size_t token_len;
	char *tls_cert, *tls_key; /* the PEM texts (the library reads them at the start) */
	struct agent_self self;
	atomic_uint captures;  /* running now */
	atomic_ullong started; /* since the start */
	atomic_int stopping;   /* agent_stop: every capture ends */
};

struct capture {
	struct agent *a;
	struct live_src *ls;
	struct agent_params p;
	uint16_t linktype;
	int client_fd;
	char client[64];       /* "ADDR:PORT" of the client, for the log */
	struct strbuf q;       /* bytes waiting for the client */
	size_t qoff;           /* of q, sent already */
	uint64_t delivered;    /* packets put in q */
	int64_t start_ns, next_stats_ns;
	int opened;            /* the first bytes (pcapng head, SSE open event) are out */
	int ended;             /* nothing more after q */
	const char *reason;    /* why it ended (for the log); NULL: the client went away */
	char failure[256];
};

static int64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t wall_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* --- the token --- */

/* 1 when s is the token. Every one of AGENT_TOKEN_MAX bytes is compared whatever
 * differs (and the lengths folded in), so the time says nothing about the token. */
static int token_ok(const struct agent *a, const char *s)
{
	if (!s)
		return 0;
	size_t n = strnlen(s, AGENT_TOKEN_MAX + 1);
	if (n > AGENT_TOKEN_MAX)
		return 0;
	volatile unsigned diff = (unsigned)(n ^ a->token_len);
	for (size_t i = 0; i < AGENT_TOKEN_MAX; i++) {
		unsigned char x = i < n ? (unsigned char)s[i] : 0;
		unsigned char y = i < a->token_len ? (unsigned char)a->token[i] : 0;
		diff |= (unsigned)(x ^ y);
	}
	return diff == 0;
}

/* 1 when the request presents the token: "Authorization: Bearer TOKEN" (RFC 6750
 * section 2.1; the scheme's case does not matter), or ?token= for an EventSource. */
static int authorized(const struct agent *a, struct MHD_Connection *conn)
{
	if (!a->o.token)
		return 1;
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h && strncasecmp(h, "Bearer ", 7) == 0 && token_ok(a, h + 7))
		return 1;
	return token_ok(a, MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token"));
}

/* --- short answers --- */

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *type, const char *body,
				 size_t n)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (status == 401)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"chattcp agent\"");
	enum MHD_Result ok = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result refuse(struct MHD_Connection *conn, unsigned status, const char *why)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg, "chattcp agent: %s\n", why);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof msg)
		n = (int)sizeof msg - 1;
	return send_text(conn, status, "text/plain; charset=utf-8", msg, (size_t)n);
}

static void json_str(struct strbuf *b, const char *s)
{
	sb_json_str(b, s, strlen(s));
}

static enum MHD_Result answer_interfaces(struct MHD_Connection *conn)
{
	struct live_iface *v;
	struct err e;
	err_clear(&e);
	long n = live_ifaces(&v, &e);
	if (n < 0)
		return refuse(conn, 500, e.msg);
	struct strbuf b;
	sb_init(&b);
	sb_puts(&b, "{\"interfaces\":[");
	for (long i = 0; i < n; i++) {
		const struct live_iface *f = &v[i];
		sb_puts(&b, i ? ",{\"name\":" : "{\"name\":");
		json_str(&b, f->name);
		sb_puts(&b, ",\"description\":");
		if (f->description)
			json_str(&b, f->description);
		else
			sb_puts(&b, "null");
		sb_printf(&b, ",\"up\":%s,\"running\":%s,\"loopback\":%s,\"wireless\":%s,\"status\":", f->up ? "true" : "false",
			  f->running ? "true" : "false", f->loopback ? "true" : "false", f->wireless ? "true" : "false");
		json_str(&b, f->status);
		sb_puts(&b, ",\"addresses\":[");
		for (size_t j = 0; j < f->n_addrs; j++) {
			sb_printf(&b, "%s{\"family\":%d,\"address\":", j ? "," : "", f->addrs[j].family);
			json_str(&b, f->addrs[j].addr);
			sb_printf(&b, ",\"prefix\":%d}", f->addrs[j].prefix);
		}
		sb_puts(&b, "]}");
	}
	sb_puts(&b, "]}\n");
	live_ifaces_free(v, (size_t)n);
	enum MHD_Result ok = send_text(conn, 200, "application/json", b.s, b.len);
	sb_fini(&b);
	return ok;
}

static enum MHD_Result answer_status(struct agent *a, struct MHD_Connection *conn)
{
	char body[200];
	int n = snprintf(body, sizeof body, "{\"captures\":%u,\"max_captures\":%u,\"started\":%llu}\n",
			 atomic_load(&a->captures), a->o.max_captures, (unsigned long long)atomic_load(&a->started));
	return send_text(conn, 200, "application/json", body, (size_t)n);
}

/* --- one capture --- */

static void stats_now(struct capture *c, struct pcapng_isb *st)
{
	struct live_stats ls;
	live_get_stats(c->ls, &ls);
	st->ifrecv = ls.received;
	st->ifdrop = ls.if_drops;
	st->osdrop = ls.kernel_drops;
	st->usrdeliv = c->delivered;
}

static void put_stats_json(struct strbuf *b, const struct capture *c, const struct pcapng_isb *st)
{
	sb_printf(b, "{\"seconds\":%.3f,\"packets\":%llu,\"received\":%llu,\"kernel_drops\":%llu,\"interface_drops\":%llu}",
		  (double)(mono_ns() - c->start_ns) / 1e9, (unsigned long long)st->usrdeliv,
		  (unsigned long long)st->ifrecv, (unsigned long long)st->osdrop, (unsigned long long)st->ifdrop);
}

static void put_event(struct capture *c, const char *name)
{
	sb_printf(&c->q, "event: %s\ndata: ", name);
}

/* The counters: an SSE `stats` event, or an Interface Statistics Block. */
static void put_stats(struct capture *c)
{
	struct pcapng_isb st;
	stats_now(c, &st);
	if (c->p.format == AGENT_PCAPNG) {
		pcapng_put_isb(&c->q, 0, wall_ns(), &st);
		return;
	}
	put_event(c, "stats");
	put_stats_json(&c->q, c, &st);
	sb_puts(&c->q, "\n\n");
}

/* The end of the stream, said: an SSE `close` (or `error`) event with the counters, or a
 * last Interface Statistics Block. */
static void put_end(struct capture *c, const char *reason, const char *error)
{
	c->reason = reason;
	c->ended = 1;
	if (c->p.format == AGENT_PCAPNG) {
		put_stats(c);
		return;
	}
	if (error) {
		put_event(c, "error");
		sb_puts(&c->q, "{\"message\":");
		json_str(&c->q, error);
		sb_puts(&c->q, "}\n\n");
	}
	struct pcapng_isb st;
	stats_now(c, &st);
	put_event(c, "close");
	sb_puts(&c->q, "{\"reason\":");
	json_str(&c->q, reason);
	sb_puts(&c->q, ",\"stats\":");
	put_stats_json(&c->q, c, &st);
	sb_puts(&c->q, "}\n\n");
}

static void put_open(struct capture *c)
{
	uint32_t snap = live_snaplen(c->ls);
	if (c->p.format == AGENT_PCAPNG) {
		pcapng_put_shb(&c->q, "chattcp agent");
		pcapng_put_idb(&c->q, c->linktype, snap, c->p.iface);
		return;
	}
	/* EventSource reconnects by itself after a close; a capture is not resumable,
	 * so the client is told to wait long before it would */
	sb_puts(&c->q, "retry: 86400000\n\n");
	put_event(c, "open");
	sb_puts(&c->q, "{\"interface\":");
	json_str(&c->q, c->p.iface);
	sb_puts(&c->q, ",\"filter\":");
	json_str(&c->q, c->p.filter.s);
	const char *d = live_linktype_desc(c->linktype);
	sb_printf(&c->q, ",\"linktype\":%u,\"linktype_name\":", c->linktype);
	json_str(&c->q, d ? d : "");
	sb_printf(&c->q, ",\"snaplen\":%u}\n\n", snap);
}

static void on_packet(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct capture *c = ctx;
	c->delivered++;
	if (c->p.format == AGENT_PCAPNG) {
		pcapng_put_epb(&c->q, 0, ts_ns, data, caplen, wirelen);
		return;
	}
	put_event(c, "packet");
	agent_packet_json(&c->q, c->delivered, c->linktype, ts_ns, data, caplen, wirelen);
	sb_puts(&c->q, "\n\n");
}

/* Fills c->q with what is next: the head, packets, counters or the end. Waits in poll
 * for packets (AGENT_POLL_MS at a time). Returns 0, or -1 when the client is gone. */
static int refill(struct capture *c)
{
	sb_reset(&c->q);
	c->qoff = 0;
	if (!c->opened) {
		c->opened = 1;
		put_open(c);
		return 0;
	}
	while (!c->q.len) {
		int64_t now = mono_ns();
		if (atomic_load(&c->a->stopping)) {
			put_end(c, "the agent is stopping", NULL);
			return 0;
		}
		if (c->p.duration_ns && now - c->start_ns >= c->p.duration_ns) {
			put_end(c, "duration", NULL);
			return 0;
		}
		if (now >= c->next_stats_ns) {
			c->next_stats_ns = now + AGENT_STATS_NS;
			put_stats(c);
			return 0;
		}
		/* what the ring holds first: poll(2) on a TPACKET_V3 socket only says when
		 * the kernel retires a new block, not that the block in hand has more; a
		 * packet at a time once the queue is long, so q stays within
		 * AGENT_QUEUE_BYTES plus one packet */
		for (int i = 0; i < LIVE_BATCH && c->q.len < AGENT_QUEUE_BYTES; i++) {
			struct err e;
			err_clear(&e);
			int n = live_dispatch(c->ls, 1, on_packet, c, &e);
			if (n < 0) {
				snprintf(c->failure, sizeof c->failure, "%s", e.msg);
				put_end(c, "the capture failed", c->failure);
				return 0;
			}
			if (n == 0)
				break;
			if (c->p.count && c->delivered >= c->p.count) {
				put_end(c, "count", NULL);
				return 0;
			}
		}
		if (c->q.len)
			break;
		int64_t wait = (c->next_stats_ns - now + 999999) / 1000000;
		if (wait > AGENT_POLL_MS)
			wait = AGENT_POLL_MS;
		struct pollfd pf[2] = { { live_fd(c->ls), POLLIN, 0 }, { c->client_fd, POLLRDHUP, 0 } };
		if (poll(pf, 2, (int)(wait < 1 ? 1 : wait)) < 0 && errno != EINTR)
			return -1;
		if (pf[1].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))
			return -1;
	}
	return 0;
}

static ssize_t capture_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct capture *c = cls;
	if (c->qoff >= c->q.len) {
		if (c->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (refill(c) < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = c->q.len - c->qoff;
	if (n > max)
		n = max;
	memcpy(buf, c->q.s + c->qoff, n);
	c->qoff += n;
	return (ssize_t)n;
}

static void capture_free(void *cls)
{
	struct capture *c = cls;
	if (c->a->o.log) {
		struct live_stats st;
		live_get_stats(c->ls, &st);
		fprintf(stderr, "chattcp agent: capture on %s for %s ended (%s): %llu packets, kernel drops %llu\n",
			c->p.iface, c->client, c->reason ? c->reason : "the client went away",
			(unsigned long long)c->delivered, (unsigned long long)st.kernel_drops);
	}
	live_close(c->ls);
	agent_params_fini(&c->p);
	sb_fini(&c->q);
	atomic_fetch_sub(&c->a->captures, 1);
	xfree(c);
}

/* The query's names and values, in order (libmicrohttpd has them unescaped). */
struct kv_list {
	struct agent_kv kv[AGENT_PARAMS_MAX + 1];
	size_t n;
};

static enum MHD_Result collect_kv(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
				  const char *value, size_t value_size)
{
	struct kv_list *l = cls;
	if (l->n <= AGENT_PARAMS_MAX) {
		l->kv[l->n].key = key;
		l->kv[l->n].value = value;
		/* a %00 in the query: the C string would end early, so say so */
		l->kv[l->n].nul = (key && strlen(key) != key_size) || (value && strlen(value) != value_size);
	}
	l->n++;
	return MHD_YES;
}

/* 1 when the interface is one libpcap lists (so "no such interface" is a 400, told
 * apart from a capture that cannot start). */
static int iface_known(const char *name)
{
	struct live_iface *v;
	struct err e;
	err_clear(&e);
	long n = live_ifaces(&v, &e);
	int found = 0;
	for (long i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			found = 1;
	if (n >= 0)
		live_ifaces_free(v, (size_t)n);
	return found;
}

static void client_name(struct MHD_Connection *conn, char *out, size_t n)
{
	snprintf(out, n, "?");
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	char a[48];
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
		snprintf(out, n, "%s:%u", a, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
		snprintf(out, n, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
}

static enum MHD_Result answer_capture(struct agent *a, struct MHD_Connection *conn)
{
	struct kv_list l;
	l.n = 0;
	MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, collect_kv, &l);
	struct capture *c = xcalloc(1, sizeof *c);
	char why[512];
	if (agent_params_parse(l.kv, l.n, &a->self, &c->p, why, sizeof why) < 0) {
		agent_params_fini(&c->p);
		xfree(c);
		return refuse(conn, 400, why);
	}
	if (!iface_known(c->p.iface)) {
		snprintf(why, sizeof why, "no such interface '%s' (GET /api/interfaces lists them)", c->p.iface);
		agent_params_fini(&c->p);
		xfree(c);
		return refuse(conn, 400, why);
	}
	/* a slot first, so a flood of requests cannot open more rings than the limit */
	unsigned running = atomic_fetch_add(&a->captures, 1);
	if (running >= a->o.max_captures) {
		atomic_fetch_sub(&a->captures, 1);
		snprintf(why, sizeof why, "%u captures are running, the most this agent allows (--max-clients)",
			 a->o.max_captures);
		agent_params_fini(&c->p);
		xfree(c);
		return refuse(conn, 503, why);
	}
	c->a = a;
	sb_init(&c->q);
	struct live_opts lo = { c->p.iface, NULL, c->p.snaplen, a->o.buffer, 0 };
	struct err e;
	err_clear(&e);
	c->ls = live_open(&lo, &e);
	unsigned status = 500;
	if (c->ls && c->p.filter.len && live_set_filter(c->ls, c->p.filter.s, &e) < 0)
		status = 400;
	else if (c->ls)
		status = 0;
	if (status) {
		atomic_fetch_sub(&a->captures, 1);
		live_close(c->ls);
		agent_params_fini(&c->p);
		sb_fini(&c->q);
		xfree(c);
		return refuse(conn, status, e.msg);
	}
	c->linktype = live_linktype(c->ls);
	const union MHD_ConnectionInfo *fi = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	c->client_fd = fi ? fi->connect_fd : -1;
	client_name(conn, c->client, sizeof c->client);
	c->start_ns = mono_ns();
	c->next_stats_ns = c->start_ns + AGENT_STATS_NS;
	atomic_fetch_add(&a->started, 1);
	if (a->o.log)
		fprintf(stderr, "chattcp agent: capture on %s for %s started (%s, filter '%s')\n", c->p.iface, c->client,
			c->p.format == AGENT_PCAPNG ? "pcapng" : "events", c->p.filter.s);
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, capture_read, c,
								    capture_free);
	if (!r) {
		capture_free(c);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				c->p.format == AGENT_PCAPNG ? "application/x-pcapng" : "text/event-stream; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	enum MHD_Result ok = MHD_queue_response(conn, 200, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **req)
{
	struct agent *a = cls;
	if (!authorized(a, conn))
		return refuse(conn, 401, "a token is needed: Authorization: Bearer TOKEN (the one in --token-file)");
	if (strcmp(method, "GET") != 0)
		return refuse(conn, 405, "the agent answers GET only");
	if (*size)
		return refuse(conn, 400, "a GET has no body");
	if (strcmp(url, "/api/capture") == 0)
		return answer_capture(a, conn);
	if (strcmp(url, "/api/interfaces") == 0)
		return answer_interfaces(conn);
	if (strcmp(url, "/api/status") == 0)
		return answer_status(a, conn);
	return refuse(conn, 404, "no such path (GET /api/interfaces, /api/capture, /api/status)");
}

/* --- starting and stopping --- */

static int listen_on(struct agent *a, struct strbuf *err)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t sl;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	static const uint8_t any6[16] = { 0 };
	int wildcard;
	if (inet_pton(AF_INET, a->o.addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->o.port);
		sl = sizeof *s4;
		wildcard = s4->sin_addr.s_addr == htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET6, a->o.addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->o.port);
		sl = sizeof *s6;
		wildcard = memcmp(&s6->sin6_addr, any6, 16) == 0;
	} else {
		sb_printf(err, "--listen: '%s' is not an IP address", a->o.addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		sb_printf(err, "cannot listen on %s port %u: %s", a->o.addr, a->o.port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	a->fd = fd;
	a->port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	a->self.port = a->port;
	if (!wildcard)
		inet_ntop(ss.ss_family, ss.ss_family == AF_INET ? (void *)&s4->sin_addr : (void *)&s6->sin6_addr,
			  a->self.addr, sizeof a->self.addr);
	return 0;
}

/* Checks the PEM certificate and key with OpenSSL first, so a wrong file is a clear
 * line rather than the library's "cannot start": they parse, the key is the
 * certificate's, and the certificate is within its validity. Returns 0 or -1. */
static int tls_check(const char *cert_pem, const char *key_pem, struct strbuf *err)
{
	BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	int rc = -1;
	if (!x)
		sb_puts(err, "--tls-cert: no PEM certificate in the file (-----BEGIN CERTIFICATE-----)");
	else if (!k)
		sb_puts(err, "--tls-key: no PEM private key in the file, or it is encrypted (the agent takes no passphrase)");
	else if (X509_check_private_key(x, k) != 1)
		sb_puts(err, "--tls-key is not the key of --tls-cert's certificate");
	else if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
		sb_puts(err, "--tls-cert: the certificate has expired");
	else
		rc = 0;
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(cb);
	BIO_free(kb);
	return rc;
}

static void agent_free(struct agent *a)
{
	if (a->tls_key)
		memset(a->tls_key, 0, strlen(a->tls_key));
	xfree(a->tls_cert);
	xfree(a->tls_key);
	memset(a->token, 0, sizeof a->token);
	xfree(a);
}

struct agent *agent_start(const struct agent_opts *o, struct strbuf *err)
{
	struct agent *a = xcalloc(1, sizeof *a);
	a->o = *o;
	if (o->token) {
		a->token_len = strlen(o->token);
		if (a->token_len < AGENT_TOKEN_MIN || a->token_len > AGENT_TOKEN_MAX) {
			sb_printf(err, "the token must be %d to %d bytes", AGENT_TOKEN_MIN, AGENT_TOKEN_MAX);
			agent_free(a);
			return NULL;
		}
		memcpy(a->token, o->token, a->token_len);
		a->o.token = a->token;
	}
	if ((o->tls_cert_pem != NULL) != (o->tls_key_pem != NULL)) {
		sb_puts(err, "--tls-cert and --tls-key go together");
		agent_free(a);
		return NULL;
	}
	if (o->tls_cert_pem) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			sb_puts(err, "this libmicrohttpd was built without TLS (GnuTLS): use plain HTTP and an SSH tunnel");
			agent_free(a);
			return NULL;
		}
		if (tls_check(o->tls_cert_pem, o->tls_key_pem, err) < 0) {
			agent_free(a);
			return NULL;
		}
		a->tls_cert = xstrdup(o->tls_cert_pem);
		a->tls_key = xstrdup(o->tls_key_pem);
		a->o.tls_cert_pem = a->tls_cert;
		a->o.tls_key_pem = a->tls_key;
	}
	if (!a->o.max_captures)
		a->o.max_captures = AGENT_CAPTURES_DEFAULT;
	agent_self_ssh(&a->self, getenv("SSH_CONNECTION"));
	if (listen_on(a, err) < 0) {
		agent_free(a);
		return NULL;
	}
	if (o->user && agent_drop_privs(o->user, err) < 0) {
		close(a->fd);
		agent_free(a);
		return NULL;
	}
	int v6 = strchr(o->addr, ':') != NULL;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			 (v6 ? MHD_USE_IPv6 : 0);
	if (a->tls_cert)
		/* (the key and certificate are given as text: the files were read before the
		 * privileges went, and nobody cannot read them again) */
		a->d = MHD_start_daemon(flags | MHD_USE_TLS, 0, NULL, NULL, on_request, a, MHD_OPTION_LISTEN_SOCKET,
					a->fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)AGENT_CONN_MAX,
					MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)AGENT_CONN_TIMEOUT_S,
					MHD_OPTION_CONNECTION_MEMORY_LIMIT, AGENT_REQUEST_MEM_MAX,
					MHD_OPTION_HTTPS_MEM_CERT, a->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, a->tls_key,
					MHD_OPTION_HTTPS_PRIORITIES, AGENT_TLS_PRIORITIES, MHD_OPTION_END);
	else
		a->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, a, MHD_OPTION_LISTEN_SOCKET, a->fd,
					MHD_OPTION_CONNECTION_LIMIT, (unsigned)AGENT_CONN_MAX,
					MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)AGENT_CONN_TIMEOUT_S,
					MHD_OPTION_CONNECTION_MEMORY_LIMIT, AGENT_REQUEST_MEM_MAX, MHD_OPTION_END);
	if (!a->d) {
		sb_puts(err, a->tls_cert ? "cannot start the HTTPS server (libmicrohttpd with GnuTLS refused the certificate or key)"
					 : "cannot start the HTTP server (libmicrohttpd)");
		close(a->fd);
		agent_free(a);
		return NULL;
	}
	return a;
}

uint16_t agent_port(const struct agent *a) { return a->port; }

void agent_stop(struct agent *a)
{
	if (!a)
		return;
	atomic_store(&a->stopping, 1);
	/* every capture sees the flag within AGENT_POLL_MS and sends its close event */
	for (int i = 0; i < 20 && atomic_load(&a->captures); i++)
		usleep(50 * 1000);
	MHD_stop_daemon(a->d);
	close(a->fd);
	agent_free(a);
}
