/* filter_int.h: what the filter's files share: values, the field table's entries and
 * the AST. Nothing outside src/filter/ includes it. */
#ifndef CHATTCP_FILTER_INT_H
#define CHATTCP_FILTER_INT_H

#include "filter.h"

#include <regex.h>
#include <stdint.h>

/* Bytes of composed values one field may collect in a frame. */
#define FILTER_SCRATCH 8192

enum ftype {
	FT_NONE,    /* occurs or not (tcp.analysis.retransmission, a protocol without bytes) */
	FT_BOOL,    /* 0 or 1 (tcp.flags.syn) */
	FT_UINT,    /* unsigned integer (tcp.port, frame.number) */
	FT_TIME,    /* seconds, as a double (frame.time_relative, frame.time_epoch) */
	FT_IPV4,
	FT_IPV6,
	FT_STRING,  /* text (http.request.method) */
	FT_BYTES,   /* raw bytes (tcp.payload, frame) */
};

/* One occurrence of a field in a frame, or a literal of the expression. */
struct fval {
	uint8_t type;       /* enum ftype */
	uint8_t prefix;     /* addresses: a literal's CIDR prefix length (32 or 128: the host) */
	uint64_t u;
	double d;
	struct ipaddr ip;
	const uint8_t *p;   /* strings and bytes (not NUL-terminated) */
	size_t n;
};

/* The occurrences a field has in one frame. */
struct fvals {
	struct fval v[FILTER_VALUES_MAX];
	size_t n;
	/* room for values a getter composes (http.header's "Name: value"), valid as long
	 * as the struct; what does not fit is not collected */
	char scratch[FILTER_SCRATCH];
	size_t used;
};

/* A field of the table: its getter appends the field's occurrences in frame f. */
struct field_def {
	const char *name;
	uint8_t type;
	uint8_t app;        /* needs the application decoders */
	uint8_t sliceable;  /* FT_BYTES/FT_STRING and protocols whose bytes can be sliced */
	int arg;            /* a getter's parameter (a label, a flag bit) */
	void (*get)(const struct field_def *fd, const struct sess_frame_view *f, struct fvals *out);
	const char *what;
};

const struct field_def *field_lookup(const char *name, size_t n);
/* A plugin's text field's numeric twin (fields.c), or NULL for any other field. */
const struct field_def *field_plugin_number(const struct field_def *fd);
/* The table's name closest to name (edit distance), or NULL when none is near. */
const char *field_suggest(const char *name, size_t n);
const char *ftype_name(int t);

enum node_kind { N_AND, N_OR, N_NOT, N_EXISTS, N_CMP, N_IN, N_TRUE };
enum cmp_op { OP_EQ, OP_NE, OP_ALL_EQ, OP_ANY_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS, OP_MATCHES };

/* A slice of a byte or string field: [start:len], [start-end], [start], [start:]
 * (start may be negative: from the end). */
struct slice {
	int on;
	int64_t start, len; /* len -1: to the end */
};

struct node {
	uint8_t kind;
	uint8_t op;          /* enum cmp_op for N_CMP */
	const struct field_def *field;
	struct slice sl;
	/* the right side: a literal (or set members for N_IN), or another field */
	const struct field_def *rfield;
	struct fval *lits;   /* n_lits literals; a set's ranges are pairs (lo, hi) */
	size_t n_lits;
	uint8_t *is_range;   /* N_IN: lits[i], lits[i+1] are a range lo..hi when set */
	regex_t *re;
	struct node *a, *b;
};

struct filter {
	struct node *root;
	int needs_app;
};

void node_free(struct node *n);
int node_eval(const struct node *n, const struct sess_frame_view *f);

#endif
