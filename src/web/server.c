/* server.c: see server.h. Every request passes the same gate (check_request) before
 * anything is read from its body or answered: the Host header names this server (no
 * DNS rebinding), the Origin, when the browser sends one, is this server (no
 * cross-site request), and the token is presented (query or cookie), compared in
 * constant time. Then "/" and the embedded files, or the API. Every answer carries the
 * same security headers. */
#include "server.h"

#include "../base/xalloc.h"
#include "assets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

/* The token: 32 random bytes, as hex. */
#define TOKEN_BYTES 32
#define TOKEN_HEX (2 * TOKEN_BYTES)
/* Host names a request may carry: the listen address, 127.0.0.1, [::1], localhost. */
#define HOSTS_MAX 4

struct web_server {
	struct MHD_Daemon *d;
	int fd;
	struct web_api *api;
	uint16_t port;
	int wildcard; /* listening on 0.0.0.0 or :: : any IP literal is a right Host */
	char token[TOKEN_HEX + 1];
	char cookie[32];            /* the cookie's name: chattcp_PORT, one per server */
	char hosts[HOSTS_MAX][80];  /* "127.0.0.1:PORT" ... */
	int n_hosts;
	char url[224];
	/* Requests are served one thread each (a live events stream waits for lines);
	 * the api is not thread-safe, so one request asks it at a time. */
	pthread_mutex_t api_mu;
	struct web_live *live;
};

/* What a live events stream holds between calls: its place in the ring and the bytes
 * not sent yet. */
struct live_stream {
	struct web_live *l;
	uint64_t cursor;
	struct strbuf q;
	size_t qoff;
};

/* What a request holds while its body arrives. */
struct upload {
	uint8_t *p;
	size_t n, cap;
	int too_big;
};

const struct web_asset *web_asset_find(const char *path)
{
	if (!web_asset_table) /* weak: absent outside the chattcp binary */
		return NULL;
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	size_t n;
	const struct web_asset *t = web_asset_table(&n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].path, path) == 0)
			return &t[i];
	return NULL;
}

/* --- the gate --- */

/* 1 when s is the token: every byte compared whatever differs, so the time taken
 * says nothing about how much of a guess was right. */
static int token_ok(const struct web_server *w, const char *s)
{
	if (!s || strlen(s) != TOKEN_HEX)
		return 0;
	unsigned diff = 0;
	for (size_t i = 0; i < TOKEN_HEX; i++)
		diff |= (unsigned char)(s[i] ^ w->token[i]);
	return diff == 0;
}

/* 1 when host ("name:port") names this server. */
static int host_ok(const struct web_server *w, const char *host)
{
	if (!host)
		return 0;
	for (int i = 0; i < w->n_hosts; i++)
		if (strcmp(host, w->hosts[i]) == 0)
			return 1;
	if (!w->wildcard)
		return 0;
	/* Listening on every address: an IP literal with our port (a DNS name could be
	 * rebound to us by a foreign page; a literal cannot). */
	char name[64], port[8];
	const char *colon = strrchr(host, ':');
	if (!colon || (size_t)(colon - host) >= sizeof name || strlen(colon + 1) >= sizeof port)
		return 0;
	memcpy(name, host, (size_t)(colon - host));
	name[colon - host] = 0;
	snprintf(port, sizeof port, "%u", w->port);
	if (strcmp(colon + 1, port) != 0)
		return 0;
	uint8_t a[16];
	size_t nl = strlen(name);
	if (nl > 2 && name[0] == '[' && name[nl - 1] == ']') {
		name[nl - 1] = 0;
		return inet_pton(AF_INET6, name + 1, a) == 1;
	}
	return inet_pton(AF_INET, name, a) == 1;
}

/* 1 when origin is "http://" + a host of this server. */
static int origin_ok(const struct web_server *w, const char *origin)
{
	return strncmp(origin, "http://", 7) == 0 && host_ok(w, origin + 7);
}

static void security_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
				"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cache-Control", "no-store");
}

static enum MHD_Result send_bytes(struct MHD_Connection *conn, int status, const char *type, const void *p,
				  size_t n, const char *cookie, const struct web_reply *rep)
{
	struct MHD_Response *r = rep && rep->has_fd ? MHD_create_response_from_fd64(rep->fd_len, rep->fd)
						     : MHD_create_response_from_buffer(n, (void *)p, MHD_RESPMEM_MUST_COPY);
	if (!r) {
		if (rep && rep->has_fd)
			close(rep->fd);
		return MHD_NO;
	}
	security_headers(r);
	MHD_add_response_header(r, "Content-Type", type);
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	if (rep && rep->next[0])
		MHD_add_response_header(r, "X-Chattcp-Next", rep->next);
	if (rep && rep->total[0])
		MHD_add_response_header(r, "X-Chattcp-Total", rep->total);
	if (rep && rep->disposition[0])
		MHD_add_response_header(r, "Content-Disposition", rep->disposition);
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result refuse(struct MHD_Connection *conn, int status, const char *why)
{
	char msg[256];
	int n = snprintf(msg, sizeof msg, "chattcp: %s\n", why);
	return send_bytes(conn, status, "text/plain; charset=utf-8", msg, (size_t)n, NULL, NULL);
}

/* NULL when the request may go on, else why not (answered 403). Sets *via_query when
 * the token came in the address (the page is then sent on with a cookie). */
static const char *check_request(const struct web_server *w, struct MHD_Connection *conn, int *via_query)
{
	if (!host_ok(w, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host")))
		return "the Host header does not name this server (open the address chattcp ui printed)";
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (origin && !origin_ok(w, origin))
		return "requests from another site are refused";
	const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site && strcmp(site, "cross-site") == 0)
		return "requests from another site are refused";
	*via_query = 0;
	if (token_ok(w, MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, w->cookie)))
		return NULL;
	if (token_ok(w, MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token"))) {
		*via_query = 1;
		return NULL;
	}
	return "this server needs the token in the address chattcp ui printed";
}

/* --- answering --- */

static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result answer_api(struct web_server *w, struct MHD_Connection *conn, const char *url,
				  const char *method, const struct upload *up)
{
	if (up && up->too_big) {
		char why[160];
		snprintf(why, sizeof why, "the upload is larger than %zu MiB: start chattcp ui FILE instead", UI_UPLOAD_MAX >> 20);
		return refuse(conn, 413, why);
	}
	struct web_req q = { query_arg, conn, up ? up->p : NULL, up ? up->n : 0 };
	struct web_reply rep;
	memset(&rep, 0, sizeof rep);
	sb_init(&rep.body);
	rep.status = 500;
	rep.type = "text/plain";
	pthread_mutex_lock(&w->api_mu);
	web_api_handle(w->api, method, url, &q, &rep);
	pthread_mutex_unlock(&w->api_mu);
	enum MHD_Result ok = send_bytes(conn, rep.status, rep.type, rep.body.s ? rep.body.s : "", rep.body.len, NULL, &rep);
	sb_fini(&rep.body);
	return ok;
}

static ssize_t live_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct live_stream *ls = cls;
	if (ls->qoff >= ls->q.len) {
		sb_reset(&ls->q);
		ls->qoff = 0;
		web_live_read(ls->l, &ls->cursor, &ls->q, WEB_LIVE_TICK_MS);
	}
	size_t n = ls->q.len - ls->qoff;
	if (n > max)
		n = max;
	memcpy(buf, ls->q.s + ls->qoff, n);
	ls->qoff += n;
	return (ssize_t)n;
}

static void live_free(void *cls)
{
	struct live_stream *ls = cls;
	sb_fini(&ls->q);
	xfree(ls);
}

/* A decimal number of at most max, or -1. */
static long long live_num(const char *s, unsigned long long max)
{
	if (!s || !*s || strlen(s) > 20 || strspn(s, "0123456789") != strlen(s))
		return -1;
	unsigned long long v = strtoull(s, NULL, 10);
	return v > max ? -1 : (long long)v;
}

/* GET /api/live/packet?frame=N and /api/live/diag?conn=tcp:ID|udp:ID: a recent packet's
 * details, a connection's diagnosis so far (live.h). */
static enum MHD_Result answer_live_query(struct web_live *l, struct MHD_Connection *conn, const char *what)
{
	struct strbuf b;
	sb_init(&b);
	int status;
	if (strcmp(what, "packet") == 0) {
		long long fr = live_num(MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "frame"), UINT32_MAX);
		if (fr < 1) {
			sb_fini(&b);
			return refuse(conn, 400, "packet takes frame=N (a frame number of the live capture)");
		}
		status = web_live_packet(l, (uint64_t)fr, &b);
	} else {
		const char *c = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "conn");
		int tcp = c && strncmp(c, "tcp:", 4) == 0, udp = c && strncmp(c, "udp:", 4) == 0;
		long long id = tcp || udp ? live_num(c + 4, UINT32_MAX) : -1;
		if (id < 0) {
			sb_fini(&b);
			return refuse(conn, 400, "diag takes conn=tcp:ID or conn=udp:ID");
		}
		status = web_live_diag(l, tcp ? 6 : 17, (uint32_t)id, &b);
	}
	enum MHD_Result ok;
	if (status == 200)
		ok = send_bytes(conn, 200, "application/json", b.s, b.len, NULL, NULL);
	else
		ok = refuse(conn, status,
			    status == 404 ? (what[0] == 'p' ? "that packet's bytes are no longer kept (the live view keeps the last 4096 packets, 16 MiB)"
							    : "no such connection in this capture")
			    : status == 409 ? "no capture yet: start one"
					    : "the capture did not answer in time: try again");
	sb_fini(&b);
	return ok;
}

/* /api/live/status, /api/live/start, /api/live/stop (POST), /api/live/events (SSE),
 * /api/live/packet, /api/live/diag. */
static enum MHD_Result answer_live(struct web_server *w, struct MHD_Connection *conn, const char *url, int get)
{
	pthread_mutex_lock(&w->api_mu);
	struct web_live *l = w->live;
	pthread_mutex_unlock(&w->api_mu);
	const char *what = url + 10;
	if (!l && get && strcmp(what, "status") == 0) /* the page asks on every load */
		return send_bytes(conn, 200, "application/json", "{\"available\":false}\n", 20, NULL, NULL);
	if (!l)
		return refuse(conn, 404, "no live capture: start chattcp ui -i IFACE or ui --remote URL");
	if (strcmp(what, "events") == 0 && get) {
		struct live_stream *ls = xcalloc(1, sizeof *ls);
		ls->l = l;
		sb_init(&ls->q);
		struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, live_read, ls, live_free);
		if (!r) {
			live_free(ls);
			return MHD_NO;
		}
		security_headers(r);
		MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
		enum MHD_Result ok = MHD_queue_response(conn, 200, r);
		MHD_destroy_response(r);
		return ok;
	}
	if (get && (strcmp(what, "packet") == 0 || strcmp(what, "diag") == 0))
		return answer_live_query(l, conn, what);
	struct strbuf b;
	sb_init(&b);
	int status = 200;
	if (strcmp(what, "start") == 0 && !get) {
		pthread_mutex_lock(&w->api_mu);
		struct strbuf err;
		sb_init(&err);
		if (web_live_start(l, &err) < 0)
			status = 502;
		sb_fini(&err);
		pthread_mutex_unlock(&w->api_mu);
	} else if (strcmp(what, "stop") == 0 && !get) {
		pthread_mutex_lock(&w->api_mu);
		web_live_stop(l);
		pthread_mutex_unlock(&w->api_mu);
	} else if (strcmp(what, "status") != 0 || !get) {
		sb_fini(&b);
		return refuse(conn, 404, "no such live request (status, events, packet, diag; POST start, stop)");
	}
	web_live_status(l, &b);
	sb_putc(&b, '\n');
	enum MHD_Result ok = send_bytes(conn, status, "application/json", b.s, b.len, NULL, NULL);
	sb_fini(&b);
	return ok;
}

static enum MHD_Result answer(struct web_server *w, struct MHD_Connection *conn, const char *url,
			      const char *method, const struct upload *up, int via_query)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	if (strncmp(url, "/api/live/", 10) == 0)
		return answer_live(w, conn, url, get);
	if (strncmp(url, "/api/", 5) == 0) {
		if (!get && strcmp(method, "POST") != 0)
			return refuse(conn, 405, "the API answers GET and POST");
		return answer_api(w, conn, url, method, up);
	}
	if (!get)
		return refuse(conn, 405, "files answer GET only");
	if (via_query && strcmp(url, "/") == 0) {
		/* Trade the token in the address for a cookie, and take it out of the address
		 * bar (and the history) with a redirect. */
		char cookie[160];
		snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict", w->cookie, w->token);
		struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		security_headers(r);
		MHD_add_response_header(r, "Set-Cookie", cookie);
		MHD_add_response_header(r, "Location", "/");
		enum MHD_Result ok = MHD_queue_response(conn, 303, r);
		MHD_destroy_response(r);
		return ok;
	}
	const struct web_asset *a = web_asset_find(url);
	if (!a)
		return refuse(conn, 404, "no such page");
	return send_bytes(conn, 200, a->type, a->data, a->len, NULL, NULL);
}

static void upload_add(struct upload *up, const char *p, size_t n)
{
	if (up->too_big)
		return;
	if (n > UI_UPLOAD_MAX - up->n) {
		up->too_big = 1;
		xfree(up->p);
		up->p = NULL;
		up->n = up->cap = 0;
		return;
	}
	xgrow(&up->p, &up->cap, up->n + n, 1);
	memcpy(up->p + up->n, p, n);
	up->n += n;
}

/* libmicrohttpd calls this once when the headers are in, again for each piece of the
 * body, and once more when the body is complete (*size 0). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *data, size_t *size, void **req)
{
	struct web_server *w = cls;
	if (!*req) {
		int via_query;
		const char *why = check_request(w, conn, &via_query);
		if (why)
			return refuse(conn, 403, why);
		if (strcmp(method, "POST") != 0)
			return answer(w, conn, url, method, NULL, via_query);
		const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (len && strtoull(len, NULL, 10) > UI_UPLOAD_MAX) {
			char why413[160];
			snprintf(why413, sizeof why413, "the upload is larger than %zu MiB: start chattcp ui FILE instead",
				 UI_UPLOAD_MAX >> 20);
			return refuse(conn, 413, why413);
		}
		*req = xcalloc(1, sizeof(struct upload));
		return MHD_YES;
	}
	struct upload *up = *req;
	if (*size) {
		upload_add(up, data, *size);
		*size = 0;
		return MHD_YES;
	}
	return answer(w, conn, url, method, up, 0);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **req, enum MHD_RequestTerminationCode why)
{
	struct upload *up = *req;
	if (up) {
		xfree(up->p);
		xfree(up);
		*req = NULL;
	}
}

/* --- starting --- */

static int listen_on(const char *addr, uint16_t port, struct web_server *w, struct strbuf *err)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	socklen_t sl;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	uint8_t any6[16] = { 0 };
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof *s4;
		w->wildcard = s4->sin_addr.s_addr == htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof *s6;
		w->wildcard = memcmp(&s6->sin6_addr, any6, 16) == 0;
	} else {
		sb_printf(err, "--listen: '%s' is not an IP address", addr);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
		sb_printf(err, "cannot listen on %s port %u: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	w->fd = fd;
	w->port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return 0;
}

static void add_host(struct web_server *w, const char *name)
{
	if (w->n_hosts < HOSTS_MAX)
		snprintf(w->hosts[w->n_hosts++], sizeof w->hosts[0], "%s:%u", name, w->port);
}

struct web_server *web_server_start(const char *addr, uint16_t port, struct web_api *api, struct strbuf *err)
{
	struct web_server *w = xcalloc(1, sizeof *w);
	uint8_t raw[TOKEN_BYTES];
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		sb_printf(err, "cannot read random bytes for the token: %s", strerror(errno));
		xfree(w);
		return NULL;
	}
	for (size_t i = 0; i < TOKEN_BYTES; i++)
		snprintf(w->token + 2 * i, 3, "%02x", raw[i]);
	if (listen_on(addr, port, w, err) < 0) {
		xfree(w);
		return NULL;
	}
	int v6 = strchr(addr, ':') != NULL;
	char lit[64];
	snprintf(lit, sizeof lit, v6 ? "[%s]" : "%s", addr);
	add_host(w, lit);
	add_host(w, "127.0.0.1");
	add_host(w, "[::1]");
	add_host(w, "localhost");
	snprintf(w->cookie, sizeof w->cookie, "chattcp_%u", w->port);
	snprintf(w->url, sizeof w->url, "http://%s:%u/?token=%s", w->wildcard ? (v6 ? "[::1]" : "127.0.0.1") : lit,
		 w->port, w->token);
	pthread_mutex_init(&w->api_mu, NULL);
	w->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					(v6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL,
				on_request, w, MHD_OPTION_LISTEN_SOCKET, w->fd, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)UI_CONN_MAX, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)UI_CONN_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, UI_REQUEST_MEM_MAX, MHD_OPTION_NOTIFY_COMPLETED,
				on_done, w, MHD_OPTION_END);
	if (!w->d) {
		sb_puts(err, "cannot start the HTTP server (libmicrohttpd)");
		close(w->fd);
		xfree(w);
		return NULL;
	}
	w->api = api;
	return w;
}

const char *web_server_url(const struct web_server *w) { return w->url; }

void web_server_set_live(struct web_server *w, struct web_live *l)
{
	pthread_mutex_lock(&w->api_mu);
	w->live = l;
	pthread_mutex_unlock(&w->api_mu);
}

void web_server_stop(struct web_server *w)
{
	if (!w)
		return;
	if (w->live)
		web_live_stop(w->live); /* (the events streams still read the ring) */
	MHD_stop_daemon(w->d);
	close(w->fd);
	web_live_free(w->live);
	web_api_free(w->api);
	pthread_mutex_destroy(&w->api_mu);
	xfree(w);
}
