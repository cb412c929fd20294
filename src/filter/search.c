/* search.c: the search options as display-filter text. Each option becomes one
 * condition in Wireshark's syntax, values quoted with the lexer's escapes, so search
 * compiles to the same AST as -Y and prints the filter it ran. */
#include "filter_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* v as a quoted string literal: " and \ escaped, bytes outside printable ASCII as \xHH. */
static void quote(struct strbuf *b, const char *v, size_t n)
{
	sb_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(b, "\\x%02x", c);
		else
			sb_add(b, (const char *)&c, 1);
	}
	sb_add(b, "\"", 1);
}

/* A regular expression that matches s literally. */
static void re_literal(struct strbuf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr(".[]{}()\\*+?^$|", s[i]))
			sb_add(b, "\\", 1);
		sb_add(b, s + i, 1);
	}
}

static const struct { const char *word, *field; } flag_words[] = {
	{ "SYN", "syn" }, { "ACK", "ack" }, { "FIN", "fin" }, { "RST", "reset" }, { "RESET", "reset" },
	{ "PSH", "push" }, { "PUSH", "push" }, { "URG", "urg" }, { "ECE", "ece" }, { "CWR", "cwr" }, { "NS", "ns" },
};

static const char *const opts[] = { "ip", "port", "flags", "window", "payload", "payload-hex", "payload-re",
				    "http-method", "http-path", "http-header", "http-status", "http-body", "label" };

const char *filter_search_opt(size_t i) { return i < sizeof opts / sizeof opts[0] ? opts[i] : NULL; }

int filter_search_known(const char *opt)
{
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (!strcmp(opts[i], opt))
			return 1;
	return 0;
}

int filter_search_add(struct strbuf *e, const char *opt, const char *v, char *why, size_t why_n)
{
	size_t vn = strlen(v);
	/* values written into the filter unquoted must be what their option says, so an
	 * option cannot smuggle filter syntax in */
	static const struct { const char *opt, *chars, *what; } plain[] = {
		{ "ip", "0123456789abcdefABCDEF:./", "an IPv4 or IPv6 address (CIDR too)" },
		{ "port", "0123456789", "a port number" },
		{ "window", "0123456789<>=! ", "a number with an operator (<1000, >=65535)" },
		{ "http-status", "0123456789xX", "a status (404) or a class (5xx)" },
	};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (!strcmp(opt, plain[i].opt) && (!vn || strspn(v, plain[i].chars) != vn)) {
			snprintf(why, why_n, "--%s takes %s, not '%.40s'", opt, plain[i].what, v);
			return -1;
		}
	if (e->len)
		sb_add(e, " && ", 4);
	if (!strcmp(opt, "ip")) {
		sb_printf(e, strchr(v, ':') ? "ipv6.addr == %s" : "ip.addr == %s", v);
	} else if (!strcmp(opt, "port")) {
		sb_printf(e, "(tcp.port == %s || udp.port == %s)", v, v);
	} else if (!strcmp(opt, "flags")) {
		sb_add(e, "(", 1);
		const char *p = v;
		int n = 0;
		while (*p) {
			size_t k = strcspn(p, ",+| ");
			if (k) {
				size_t i;
				for (i = 0; i < sizeof flag_words / sizeof flag_words[0]; i++)
					if (strlen(flag_words[i].word) == k && !strncasecmp(p, flag_words[i].word, k))
						break;
				if (i == sizeof flag_words / sizeof flag_words[0]) {
					snprintf(why, why_n, "--flags takes SYN, ACK, FIN, RST, PSH, URG, ECE, CWR, NS (comma-separated), "
						 "not '%.*s'", (int)(k < 40 ? k : 40), p);
					return -1;
				}
				sb_printf(e, "%stcp.flags.%s == 1", n++ ? " && " : "", flag_words[i].field);
			}
			p += k;
			if (*p)
				p++;
		}
		if (!n) {
			snprintf(why, why_n, "--flags needs at least one flag (SYN,RST)");
			return -1;
		}
		sb_add(e, ")", 1);
	} else if (!strcmp(opt, "window")) {
		const char *p = v;
		while (*p == ' ')
			p++;
		const char *op = "==";
		static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">", "=" };
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (!strncmp(p, ops[i], strlen(ops[i]))) {
				op = strcmp(ops[i], "=") ? ops[i] : "==";
				p += strlen(ops[i]);
				break;
			}
		while (*p == ' ')
			p++;
		sb_printf(e, "tcp.window_size %s %s", op, p);
	} else if (!strcmp(opt, "payload")) {
		sb_add(e, "(tcp.payload contains ", 22);
		quote(e, v, vn);
		sb_add(e, " || udp.payload contains ", 25);
		quote(e, v, vn);
		sb_add(e, ")", 1);
	} else if (!strcmp(opt, "payload-hex")) {
		/* "16 03 01", "160301", "16:03:01": bytes */
		struct strbuf h;
		sb_init(&h);
		int digits = 0;
		for (const char *p = v; *p; p++) {
			if (isxdigit((unsigned char)*p)) {
				if (digits && digits % 2 == 0)
					sb_add(&h, ":", 1);
				sb_add(&h, p, 1);
				digits++;
			} else if (!strchr(" :-.", *p)) {
				snprintf(why, why_n, "--payload-hex takes hex bytes (16 03 01, 160301), not '%.40s'", v);
				sb_fini(&h);
				return -1;
			}
		}
		if (!digits || digits % 2) {
			snprintf(why, why_n, "--payload-hex takes whole bytes (an even number of hex digits), not '%.40s'", v);
			sb_fini(&h);
			return -1;
		}
		sb_printf(e, "(tcp.payload contains %s || udp.payload contains %s)", h.s, h.s);
		sb_fini(&h);
	} else if (!strcmp(opt, "payload-re")) {
		sb_add(e, "(tcp.payload matches ", 21);
		quote(e, v, vn);
		sb_add(e, " || udp.payload matches ", 24);
		quote(e, v, vn);
		sb_add(e, ")", 1);
	} else if (!strcmp(opt, "http-method")) {
		sb_add(e, "http.request.method == ", 23);
		quote(e, v, vn);
	} else if (!strcmp(opt, "http-path")) {
		sb_add(e, "http.request.uri contains ", 26);
		quote(e, v, vn);
	} else if (!strcmp(opt, "http-header")) {
		/* "Name: value": that header containing value; "Name": the header present */
		const char *colon = strchr(v, ':');
		size_t nl = colon ? (size_t)(colon - v) : vn;
		while (nl && v[nl - 1] == ' ')
			nl--;
		const char *val = colon ? colon + 1 : "";
		while (*val == ' ')
			val++;
		struct strbuf re;
		sb_init(&re);
		sb_add(&re, "^", 1);
		re_literal(&re, v, nl);
		sb_add(&re, ": ", 2);
		if (*val) {
			sb_add(&re, ".*", 2);
			re_literal(&re, val, strlen(val));
		}
		sb_add(e, "http.header matches ", 20);
		quote(e, re.s, re.len);
		sb_fini(&re);
	} else if (!strcmp(opt, "http-status")) {
		if (vn == 3 && isdigit((unsigned char)v[0]) && (v[1] == 'x' || v[1] == 'X') && (v[2] == 'x' || v[2] == 'X'))
			sb_printf(e, "http.response.code in {%c00..%c99}", v[0], v[0]);
		else
			sb_printf(e, "http.response.code == %s", v);
	} else if (!strcmp(opt, "http-body")) {
		sb_add(e, "http.file_data contains ", 24);
		quote(e, v, vn);
	} else if (!strcmp(opt, "label")) {
		char name[64];
		snprintf(name, sizeof name, "tcp.analysis.%s", v);
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		if (!field_lookup(name, strlen(name)) || vn > 40) {
			snprintf(why, why_n, "--label takes an analysis label (retransmission, duplicate_ack, zero_window, ...), "
				 "not '%.40s'", v);
			return -1;
		}
		sb_add(e, name, strlen(name));
	} else {
		snprintf(why, why_n, "not a search option: %s", opt);
		return -1;
	}
	return 0;
}
