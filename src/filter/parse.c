/* parse.c: the display-filter compiler: a lexer over the expression, a recursive-descent
 * parser to the AST of filter_int.h, and the type check that converts every literal to
 * its field's type once. Errors name the column (1-based) of the token at fault.
 *
 * Grammar (Wireshark's, for the operators it has):
 *   expr     := and { ("||" | "or") and }
 *   and      := unary { ("&&" | "and") unary }
 *   unary    := ("!" | "not") unary | "(" expr ")" | relation
 *   relation := field [slice] [ cmpop value | "contains" value | ("matches" | "~") string
 *                               | ["not"] "in" "{" member { [","] member } "}" ]
 *   member   := value [ ".." value ]
 *   value    := literal | "quoted string" | field */
#include "filter_int.h"

#include "../base/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok {
	TK_END, TK_LP, TK_RP, TK_LBRACE, TK_RBRACE, TK_LSQ, TK_RSQ, TK_COMMA,
	TK_CMP, TK_AND, TK_OR, TK_NOT, TK_STR, TK_WORD, TK_BAD,
};

struct lexer {
	const char *s;
	size_t n, pos;
	/* the current token */
	int tok;
	size_t at, len;   /* where it starts, how long (words: the text) */
	int op;           /* TK_CMP: enum cmp_op */
	struct filter_err *e;
	int failed;
	int depth;
};

static void fail(struct lexer *L, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct lexer *L, size_t at, const char *fmt, ...)
{
	if (L->failed)
		return;
	L->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(L->e->msg, sizeof L->e->msg, fmt, ap);
	va_end(ap);
	L->e->col = (int)at + 1;
}

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

/* Keywords that are operators when they stand alone as a word. */
static const struct { const char *w; int tok, op; } keywords[] = {
	{ "and", TK_AND, 0 }, { "or", TK_OR, 0 }, { "not", TK_NOT, 0 },
	{ "eq", TK_CMP, OP_EQ }, { "ne", TK_CMP, OP_NE }, { "lt", TK_CMP, OP_LT }, { "le", TK_CMP, OP_LE },
	{ "gt", TK_CMP, OP_GT }, { "ge", TK_CMP, OP_GE }, { "any_eq", TK_CMP, OP_EQ },
	{ "all_ne", TK_CMP, OP_NE }, { "all_eq", TK_CMP, OP_ALL_EQ }, { "any_ne", TK_CMP, OP_ANY_NE },
	{ "contains", TK_CMP, OP_CONTAINS }, { "matches", TK_CMP, OP_MATCHES },
};

static void next(struct lexer *L)
{
	while (L->pos < L->n && isspace((unsigned char)L->s[L->pos]))
		L->pos++;
	L->at = L->pos;
	L->len = 0;
	if (L->pos >= L->n) {
		L->tok = TK_END;
		return;
	}
	const char *p = L->s + L->pos;
	size_t left = L->n - L->pos;
	static const struct { const char *t; int tok, op; } puncts[] = {
		{ "===", TK_CMP, OP_ALL_EQ }, { "!==", TK_CMP, OP_NE }, { "==", TK_CMP, OP_EQ },
		{ "!=", TK_CMP, OP_NE }, { "~=", TK_CMP, OP_ANY_NE }, { "<=", TK_CMP, OP_LE },
		{ ">=", TK_CMP, OP_GE }, { "&&", TK_AND, 0 }, { "||", TK_OR, 0 }, { "<", TK_CMP, OP_LT },
		{ ">", TK_CMP, OP_GT }, { "~", TK_CMP, OP_MATCHES }, { "=", TK_CMP, OP_EQ },
		{ "!", TK_NOT, 0 }, { "(", TK_LP, 0 }, { ")", TK_RP, 0 }, { "{", TK_LBRACE, 0 },
		{ "}", TK_RBRACE, 0 }, { "[", TK_LSQ, 0 }, { "]", TK_RSQ, 0 }, { ",", TK_COMMA, 0 },
	};
	for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
		size_t k = strlen(puncts[i].t);
		if (k <= left && !memcmp(p, puncts[i].t, k)) {
			L->tok = puncts[i].tok;
			L->op = puncts[i].op;
			L->len = k;
			L->pos += k;
			return;
		}
	}
	if (*p == '"') {
		size_t i = 1;
		while (i < left && p[i] != '"') {
			if (p[i] == '\\' && i + 1 < left)
				i++;
			i++;
		}
		if (i >= left) {
			fail(L, L->at, "a string that is not closed (\") at %zu", L->at + 1);
			L->tok = TK_BAD;
			return;
		}
		L->tok = TK_STR;
		L->len = i + 1;
		L->pos += i + 1;
		return;
	}
	if (word_char((unsigned char)*p)) {
		size_t i = 0;
		while (i < left && word_char((unsigned char)p[i]))
			i++;
		L->tok = TK_WORD;
		L->len = i;
		L->pos += i;
		for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
			if (strlen(keywords[k].w) == i && !strncasecmp(p, keywords[k].w, i)) {
				L->tok = keywords[k].tok;
				L->op = keywords[k].op;
			}
		return;
	}
	fail(L, L->at, "unexpected character '%c' at %zu", isprint((unsigned char)*p) ? *p : '?', L->at + 1);
	L->tok = TK_BAD;
}

/* --- literals --- */

/* The text of a quoted string with its escapes undone (\" \\ \n \t \r \xHH \ooo), into
 * a malloc'd buffer; NULL with the error set when an escape is bad. */
static uint8_t *unquote(struct lexer *L, size_t at, size_t len, size_t *out_n)
{
	const char *p = L->s + at + 1;
	size_t n = len - 2;
	uint8_t *o = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\\') {
			o[k++] = (uint8_t)p[i];
			continue;
		}
		if (++i >= n)
			break;
		char c = p[i];
		if (c == 'n') o[k++] = '\n';
		else if (c == 't') o[k++] = '\t';
		else if (c == 'r') o[k++] = '\r';
		else if (c == '0' && !(i + 1 < n && isdigit((unsigned char)p[i + 1]))) o[k++] = 0;
		else if (c == 'x' && i + 2 < n + 1 && i + 1 < n && isxdigit((unsigned char)p[i + 1])) {
			unsigned v = 0;
			int d = 0;
			while (d < 2 && i + 1 < n && isxdigit((unsigned char)p[i + 1])) {
				char h = p[++i];
				v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
				d++;
			}
			o[k++] = (uint8_t)v;
		} else if (c >= '0' && c <= '7') {
			unsigned v = (unsigned)(c - '0');
			for (int d = 0; d < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; d++)
				v = v * 8 + (unsigned)(p[++i] - '0');
			o[k++] = (uint8_t)v;
		} else
			o[k++] = (uint8_t)c; /* \" \\ and any other: the character itself */
	}
	o[k] = 0;
	*out_n = k;
	return o;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* "16:03:01", "16-03-01", "16.03.01", "160301": bytes; NULL when not. */
static uint8_t *hex_bytes(const char *w, size_t n, size_t *out_n)
{
	uint8_t *o = xmalloc(n / 2 + 2);
	size_t k = 0, i = 0;
	char sep = 0;
	while (i < n) {
		int h = hexval((unsigned char)w[i]);
		int l = i + 1 < n ? hexval((unsigned char)w[i + 1]) : -1;
		if (h < 0) {
			xfree(o);
			return NULL;
		}
		if (l < 0) { /* one digit: a byte alone between separators */
			o[k++] = (uint8_t)h;
			i++;
		} else {
			o[k++] = (uint8_t)(h * 16 + l);
			i += 2;
		}
		if (i < n) {
			char c = w[i];
			if (c == ':' || c == '-' || c == '.') {
				if (sep && c != sep) {
					xfree(o);
					return NULL;
				}
				sep = c;
				i++;
				if (i == n) {
					xfree(o);
					return NULL;
				}
			} else if (sep) {
				xfree(o);
				return NULL;
			}
		}
	}
	*out_n = k;
	return o;
}

/* A literal (word at/len, or quoted string) as a value of type t into *v (strings and
 * bytes malloc'd into v->p). 0, or -1 with the error set. */
static int literal(struct lexer *L, int quoted, size_t at, size_t len, int t, const char *fname, struct fval *v)
{
	memset(v, 0, sizeof *v);
	v->type = (uint8_t)t;
	const char *w = L->s + at;
	char tmp[80];
	if (quoted && t != FT_STRING && t != FT_BYTES) {
		/* Wireshark takes "80" for a number too: read the text inside */
		size_t n;
		uint8_t *u = unquote(L, at, len, &n);
		if (n >= sizeof tmp) {
			xfree(u);
			fail(L, at, "\"%.*s\" is not a valid %s for %s at %zu", (int)(len < 40 ? len : 40), w, ftype_name(t), fname, at + 1);
			return -1;
		}
		memcpy(tmp, u, n + 1);
		xfree(u);
	} else if (!quoted) {
		if (len >= sizeof tmp && t != FT_STRING && t != FT_BYTES) {
			fail(L, at, "'%.40s...' is not a valid %s for %s at %zu", w, ftype_name(t), fname, at + 1);
			return -1;
		}
		if (len < sizeof tmp) {
			memcpy(tmp, w, len);
			tmp[len] = 0;
		}
	}
	switch (t) {
	case FT_NONE:
		fail(L, at, "%s is a protocol or label: it has no value to compare (test it alone: '%s') at %zu", fname,
		     fname, at + 1);
		return -1;
	case FT_BOOL:
		if (!strcasecmp(tmp, "1") || !strcasecmp(tmp, "true"))
			v->u = 1;
		else if (!strcasecmp(tmp, "0") || !strcasecmp(tmp, "false"))
			v->u = 0;
		else
			goto bad;
		return 0;
	case FT_UINT: {
		char *end;
		errno = 0;
		if (tmp[0] == '-' || !tmp[0])
			goto bad;
		unsigned long long u = strtoull(tmp, &end, 0);
		if (errno || *end)
			goto bad;
		v->u = u;
		return 0;
	}
	case FT_TIME: {
		char *end;
		errno = 0;
		double d = strtod(tmp, &end);
		if (errno || *end || end == tmp)
			goto bad;
		v->d = d;
		return 0;
	}
	case FT_IPV4:
	case FT_IPV6: {
		int fam = t == FT_IPV4 ? 4 : 6;
		int maxp = fam == 4 ? 32 : 128;
		char *slash = strchr(tmp, '/');
		long pl = maxp;
		if (slash) {
			char *end;
			*slash = 0;
			pl = strtol(slash + 1, &end, 10);
			if (*end || end == slash + 1 || pl < 0 || pl > maxp)
				goto bad;
		}
		v->ip.family = (uint8_t)fam;
		if (inet_pton(fam == 4 ? AF_INET : AF_INET6, tmp, v->ip.a) != 1)
			goto bad;
		v->prefix = (uint8_t)pl;
		return 0;
	}
	case FT_STRING:
		if (quoted) {
			v->p = unquote(L, at, len, &v->n);
		} else {
			uint8_t *o = xmalloc(len + 1);
			memcpy(o, w, len);
			o[len] = 0;
			v->p = o;
			v->n = len;
		}
		return 0;
	case FT_BYTES:
		if (quoted) {
			v->p = unquote(L, at, len, &v->n);
			return 0;
		}
		if (!(v->p = hex_bytes(w, len, &v->n)))
			goto bad;
		return 0;
	}
bad:
	fail(L, at, "'%.*s' is not a valid %s for %s at %zu", (int)(len < 60 ? len : 60), w, ftype_name(t), fname, at + 1);
	return -1;
}

/* --- the parser --- */

static struct node *new_node(int kind)
{
	struct node *n = xcalloc(1, sizeof *n);
	n->kind = (uint8_t)kind;
	return n;
}

static struct node *parse_or(struct lexer *L, struct filter *f);

/* A word where a field must be: the field, or an error that says what was meant. */
static const struct field_def *want_field(struct lexer *L, struct filter *f)
{
	if (L->tok != TK_WORD) {
		if (L->tok == TK_END)
			fail(L, L->at, "the expression ends where a field was expected at %zu", L->at + 1);
		else
			fail(L, L->at, "expected a field name at %zu, found '%.*s'", L->at + 1, (int)(L->len ? L->len : 1),
			     L->s + L->at);
		return NULL;
	}
	const struct field_def *fd = field_lookup(L->s + L->at, L->len);
	if (!fd) {
		const char *sug = field_suggest(L->s + L->at, L->len);
		int shown = L->len < 80 ? (int)L->len : 80;
		if (sug)
			fail(L, L->at, "unknown field '%.*s' at %zu; did you mean %s?", shown, L->s + L->at, L->at + 1, sug);
		else
			fail(L, L->at, "unknown field '%.*s' at %zu (see 'chattcp help filter' for the fields)", shown,
			     L->s + L->at, L->at + 1);
		return NULL;
	}
	if (fd->app)
		f->needs_app = 1;
	next(L);
	return fd;
}

/* [a:b] [a-b] [a] [a:] [:b] on the word inside the brackets. */
static int parse_slice(struct lexer *L, const struct field_def *fd, struct slice *sl)
{
	size_t at = L->at;
	if (!fd->sliceable) {
		fail(L, at, "%s is a %s: it cannot be sliced at %zu", fd->name, ftype_name(fd->type), at + 1);
		return -1;
	}
	next(L);
	char buf[48];
	if (L->tok != TK_WORD || L->len >= sizeof buf) {
		fail(L, L->at, "a slice is [start:length], [start-end] or [start] at %zu", L->at + 1);
		return -1;
	}
	memcpy(buf, L->s + L->at, L->len);
	buf[L->len] = 0;
	char *end;
	long long a = 0, b = -1;
	const char *p = buf;
	int sep = 0;
	if (*p != ':') {
		a = strtoll(p, &end, 10);
		if (end == p)
			goto bad;
		p = end;
	}
	if (*p == ':' || (*p == '-' && p != buf)) {
		sep = *p++;
		if (*p) {
			long long x = strtoll(p, &end, 10);
			if (end == p || *end || x < 0)
				goto bad;
			b = sep == ':' ? x : x - a + 1;
			if (sep == '-' && (a < 0 || b <= 0))
				goto bad;
		}
	} else if (*p) {
		goto bad;
	} else {
		b = 1;
	}
	sl->on = 1;
	sl->start = a;
	sl->len = b;
	next(L);
	if (L->tok != TK_RSQ) {
		fail(L, L->at, "a slice ends with ']' at %zu", L->at + 1);
		return -1;
	}
	next(L);
	return 0;
bad:
	fail(L, L->at, "'%s' is not a slice ([start:length], [start-end], [start]) at %zu", buf, L->at + 1);
	return -1;
}

/* The value side of a relation with field fd (type t: the slice makes it bytes). */
static int parse_value(struct lexer *L, struct node *n, int t, struct fval *v, const struct field_def **rf)
{
	*rf = NULL;
	if (L->tok == TK_WORD) {
		const struct field_def *other = field_lookup(L->s + L->at, L->len);
		/* a field on the right compares two fields; contains takes a value only */
		if (other && n->kind == N_CMP && n->op != OP_CONTAINS) {
			if (other->type != t || t == FT_NONE) {
				fail(L, L->at, "%s (%s) cannot be compared with %s (%s) at %zu", n->field->name, ftype_name(t),
				     other->name, ftype_name(other->type), L->at + 1);
				return -1;
			}
			*rf = other;
			next(L);
			return 0;
		}
		if (literal(L, 0, L->at, L->len, t, n->field->name, v) < 0)
			return -1;
		next(L);
		return 0;
	}
	if (L->tok == TK_STR) {
		if (literal(L, 1, L->at, L->len, t, n->field->name, v) < 0)
			return -1;
		next(L);
		return 0;
	}
	fail(L, L->at, "expected a value after the operator at %zu", L->at + 1);
	return -1;
}

static void add_lit(struct node *n, const struct fval *v, size_t *cap)
{
	xgrow(&n->lits, cap, n->n_lits + 1, sizeof *n->lits);
	n->lits[n->n_lits++] = *v;
}

static struct node *parse_set(struct lexer *L, struct node *n, int t)
{
	size_t cap = 0, cap_r = 0;
	n->kind = N_IN;
	next(L);
	if (L->tok != TK_LBRACE) {
		fail(L, L->at, "'in' takes a set: {80 443 8000..8080} at %zu", L->at + 1);
		return NULL;
	}
	next(L);
	while (L->tok != TK_RBRACE) {
		if (L->tok == TK_COMMA) {
			next(L);
			continue;
		}
		if (L->tok != TK_WORD && L->tok != TK_STR) {
			fail(L, L->at, L->tok == TK_END ? "the set is not closed with '}' at %zu" : "expected a set member at %zu",
			     L->at + 1);
			return NULL;
		}
		struct fval lo, hi;
		const char *dots = NULL;
		if (L->tok == TK_WORD)
			dots = memmem(L->s + L->at, L->len, "..", 2);
		if (dots) {
			size_t k = (size_t)(dots - (L->s + L->at));
			if (t != FT_UINT && t != FT_TIME && t != FT_IPV4 && t != FT_IPV6) {
				fail(L, L->at, "a range (a..b) needs numbers or addresses at %zu", L->at + 1);
				return NULL;
			}
			if (literal(L, 0, L->at, k, t, n->field->name, &lo) < 0 ||
			    literal(L, 0, L->at + k + 2, L->len - k - 2, t, n->field->name, &hi) < 0)
				return NULL;
			xgrow(&n->is_range, &cap_r, n->n_lits + 2, 1);
			n->is_range[n->n_lits] = 1;
			n->is_range[n->n_lits + 1] = 0;
			add_lit(n, &lo, &cap);
			add_lit(n, &hi, &cap);
		} else {
			if (literal(L, L->tok == TK_STR, L->at, L->len, t, n->field->name, &lo) < 0)
				return NULL;
			xgrow(&n->is_range, &cap_r, n->n_lits + 1, 1);
			n->is_range[n->n_lits] = 0;
			add_lit(n, &lo, &cap);
		}
		next(L);
	}
	next(L);
	return n;
}

static struct node *parse_relation(struct lexer *L, struct filter *f)
{
	size_t at = L->at;
	const struct field_def *fd = want_field(L, f);
	if (!fd)
		return NULL;
	struct node *n = new_node(N_EXISTS);
	n->field = fd;
	if (L->tok == TK_LSQ && parse_slice(L, fd, &n->sl) < 0)
		goto fail;
	int t = n->sl.on ? FT_BYTES : fd->type;
	int negate_in = 0;
	if (L->tok == TK_NOT) {
		/* "not in" */
		size_t save = L->pos, sat = L->at;
		next(L);
		if (L->tok != TK_WORD || L->len != 2 || strncasecmp(L->s + L->at, "in", 2)) {
			L->pos = save;
			L->at = sat;
			L->tok = TK_NOT;
			fail(L, sat, "'not' here must be 'not in' at %zu", sat + 1);
			goto fail;
		}
		negate_in = 1;
	}
	if (L->tok == TK_WORD && L->len == 2 && !strncasecmp(L->s + L->at, "in", 2)) {
		n->kind = N_IN;
		if (t == FT_NONE) {
			fail(L, at, "%s is a protocol or label: it has no value to compare at %zu", fd->name, at + 1);
			goto fail;
		}
		if (!parse_set(L, n, t))
			goto fail;
		if (negate_in) {
			struct node *x = new_node(N_NOT);
			x->a = n;
			return x;
		}
		return n;
	}
	if (L->tok != TK_CMP)
		return n; /* a bare field: it occurs */
	n->kind = N_CMP;
	n->op = (uint8_t)L->op;
	size_t op_at = L->at;
	next(L);
	/* a plugin's field compared with a number compares numbers */
	if (field_plugin_number(fd) && L->tok == TK_WORD && n->op != OP_CONTAINS && n->op != OP_MATCHES &&
	    !n->sl.on && L->len && strspn(L->s + L->at, "0123456789") >= L->len) {
		n->field = fd = field_plugin_number(fd);
		t = FT_UINT;
	}
	if (t == FT_NONE) {
		fail(L, at, "%s is a protocol or label: it has no value to compare (test it alone: '%s') at %zu", fd->name,
		     fd->name, at + 1);
		goto fail;
	}
	if (n->op == OP_CONTAINS || n->op == OP_MATCHES) {
		if (t != FT_STRING && t != FT_BYTES) {
			fail(L, op_at, "%s is a %s: '%s' needs a string or byte field at %zu", fd->name, ftype_name(t),
			     n->op == OP_CONTAINS ? "contains" : "matches", op_at + 1);
			goto fail;
		}
	}
	if (n->op == OP_MATCHES) {
		if (L->tok != TK_STR) {
			fail(L, L->at, "'matches' takes a quoted regular expression at %zu", L->at + 1);
			goto fail;
		}
		size_t rn;
		size_t rat = L->at;
		char *pat = (char *)unquote(L, L->at, L->len, &rn);
		n->re = xmalloc(sizeof *n->re);
		/* Wireshark's matches is case-insensitive (PCRE2 with CASELESS) */
		int rc = regcomp(n->re, pat, REG_EXTENDED | REG_ICASE | REG_NOSUB);
		xfree(pat);
		if (rc) {
			char why[128];
			regerror(rc, n->re, why, sizeof why);
			xfree(n->re);
			n->re = NULL;
			fail(L, rat, "bad regular expression at %zu: %s", rat + 1, why);
			goto fail;
		}
		next(L);
		return n;
	}
	if (t == FT_BOOL && n->op >= OP_LT && n->op <= OP_GE) {
		fail(L, op_at, "%s is a boolean: compare it with == or != at %zu", fd->name, op_at + 1);
		goto fail;
	}
	struct fval v;
	size_t cap = 0;
	/* contains on a string or byte field takes the literal as bytes of that field */
	if (parse_value(L, n, t, &v, &n->rfield) < 0)
		goto fail;
	if (!n->rfield)
		add_lit(n, &v, &cap);
	return n;
fail:
	node_free(n);
	return NULL;
}

static struct node *parse_unary(struct lexer *L, struct filter *f)
{
	if (++L->depth > FILTER_DEPTH_MAX) {
		fail(L, L->at, "nested more than %d deep at %zu", FILTER_DEPTH_MAX, L->at + 1);
		return NULL;
	}
	struct node *r = NULL;
	if (L->tok == TK_NOT) {
		next(L);
		struct node *a = parse_unary(L, f);
		if (a) {
			r = new_node(N_NOT);
			r->a = a;
		}
	} else if (L->tok == TK_LP) {
		size_t at = L->at;
		next(L);
		r = parse_or(L, f);
		if (r && L->tok != TK_RP) {
			fail(L, L->tok == TK_END ? at : L->at, L->tok == TK_END ? "'(' at %zu is not closed" : "expected ')' at %zu",
			     (L->tok == TK_END ? at : L->at) + 1);
			node_free(r);
			r = NULL;
		} else if (r) {
			next(L);
		}
	} else {
		r = parse_relation(L, f);
	}
	L->depth--;
	return r;
}

static struct node *parse_and(struct lexer *L, struct filter *f)
{
	struct node *a = parse_unary(L, f);
	while (a && L->tok == TK_AND) {
		next(L);
		struct node *b = parse_unary(L, f);
		if (!b) {
			node_free(a);
			return NULL;
		}
		struct node *x = new_node(N_AND);
		x->a = a;
		x->b = b;
		a = x;
	}
	return a;
}

static struct node *parse_or(struct lexer *L, struct filter *f)
{
	struct node *a = parse_and(L, f);
	while (a && L->tok == TK_OR) {
		next(L);
		struct node *b = parse_and(L, f);
		if (!b) {
			node_free(a);
			return NULL;
		}
		struct node *x = new_node(N_OR);
		x->a = a;
		x->b = b;
		a = x;
	}
	return a;
}

struct filter *filter_compile(const char *expr, struct filter_err *e)
{
	memset(e, 0, sizeof *e);
	size_t n = strlen(expr);
	if (n > FILTER_EXPR_MAX) {
		snprintf(e->msg, sizeof e->msg, "the expression is %zu bytes, more than the %d a filter may have", n,
			 FILTER_EXPR_MAX);
		return NULL;
	}
	struct filter *f = xcalloc(1, sizeof *f);
	struct lexer L = { .s = expr, .n = n, .e = e };
	next(&L);
	if (L.tok == TK_END) {
		f->root = new_node(N_TRUE); /* an empty filter keeps every frame, as in Wireshark */
		return f;
	}
	f->root = L.failed ? NULL : parse_or(&L, f);
	if (f->root && !L.failed && L.tok != TK_END) {
		if (L.tok == TK_WORD && !field_lookup(L.s + L.at, L.len) && L.at > 0)
			fail(&L, L.at, "unexpected '%.*s' at %zu (an operator such as ==, && or || was expected)",
			     (int)(L.len < 60 ? L.len : 60), L.s + L.at, L.at + 1);
		else
			fail(&L, L.at, "unexpected '%.*s' at %zu", (int)(L.len ? (L.len < 60 ? L.len : 60) : 1), L.s + L.at,
			     L.at + 1);
	}
	if (L.failed || !f->root) {
		if (!L.failed)
			snprintf(e->msg, sizeof e->msg, "not a valid filter");
		filter_free(f);
		return NULL;
	}
	return f;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	for (size_t i = 0; i < n->n_lits; i++)
		xfree((void *)(uintptr_t)n->lits[i].p);
	xfree(n->lits);
	xfree(n->is_range);
	if (n->re) {
		regfree(n->re);
		xfree(n->re);
	}
	xfree(n);
}

void filter_free(struct filter *f)
{
	if (!f)
		return;
	node_free(f->root);
	xfree(f);
}

int filter_needs_app(const struct filter *f) { return f->needs_app; }
