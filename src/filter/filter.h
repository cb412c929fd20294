/* filter.h: display filters in Wireshark's syntax ("tcp.port == 80 && !tcp.analysis.flags"),
 * compiled once and evaluated on every frame a session hands out (opts.on_frame).
 *
 * The pipeline: lexer (lex.c) -> parser to an AST (parse.c), every field looked up in
 * the field table (fields.c: name, type, how the session's frame gives it) and every
 * literal converted to its field's type at compile time, so evaluation (eval.c) never
 * parses text and costs the same for every frame. chattcp search builds the same AST
 * from its options (search.c).
 *
 * Semantics follow Wireshark 4.0 (docs/filter.md): a field may occur several times in
 * one frame (ip.addr: source and destination, outer and inner headers); "==", "<",
 * "contains", "matches" and "in" are true when any occurrence is; "!=" when the field
 * occurs and no occurrence is equal; a bare field tests that it occurs; "matches" is a
 * case-insensitive POSIX extended regular expression.
 *
 * Ownership: filter_compile returns a struct the caller frees with filter_free; a
 * frame view is only read during filter_match. */
#ifndef CHATTCP_FILTER_H
#define CHATTCP_FILTER_H

#include "../session/session.h"

#include <stddef.h>

/* An expression longer than this is refused: a filter is typed or scripted, and 64 KiB
 * holds any real one (a set of thousands of addresses) while bounding compile time. */
#define FILTER_EXPR_MAX 65536
/* Parentheses and "not"s nested deeper than this are refused: the parser recurses, so
 * depth is bounded by a named limit rather than by the stack. */
#define FILTER_DEPTH_MAX 64
/* Occurrences of one field collected in a frame: ip.addr of a tunnel packet has four,
 * a DNS answer a name per record; past this the rest are not compared. */
#define FILTER_VALUES_MAX 32

/* What went wrong: one line, and the 1-based column it points at (0: none). */
struct filter_err {
	int col;
	char msg[320];
};

struct filter;

/* Compiles expr; NULL with e set when it is not a valid filter. */
struct filter *filter_compile(const char *expr, struct filter_err *e);
void filter_free(struct filter *f);
/* 1 when the filter reads application messages (http.*, dns.*, websocket.*): the
 * session must run its decoders (opts.app). */
int filter_needs_app(const struct filter *f);
/* 1 when the frame matches. */
int filter_match(const struct filter *f, const struct sess_frame_view *v);

/* Search without syntax (chattcp search, the web UI's form): one condition per option,
 * written into expr as a display filter (joined with &&), so a search is a filter and
 * the user can see which. opt is the option's name without dashes: ip, port, flags,
 * window, payload, payload-hex, payload-re, http-method, http-path, http-header,
 * http-status, http-body, label. Returns 0, or -1 with why (one line). */
int filter_search_add(struct strbuf *expr, const char *opt, const char *v, char *why, size_t why_n);
/* 1 when opt is one filter_search_add takes. */
int filter_search_known(const char *opt);
/* The options filter_search_add takes, i from 0, in the order of its table; NULL past
 * the end (the web UI's search form asks them all). */
const char *filter_search_opt(size_t i);

/* The field table, for help and "did you mean". */
struct filter_field_info {
	const char *name;
	const char *type;   /* "unsigned", "boolean", "IPv4 address", ... */
	const char *what;   /* a few words */
};
/* Field i of the table, or NULL past its end. */
const struct filter_field_info *filter_field(size_t i);

#endif
