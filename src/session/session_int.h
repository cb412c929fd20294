/* session_int.h: what the session's files share: the session itself and each
 * connection's session state. Nothing outside src/session/ includes it. */
#ifndef CHATTCP_SESSION_INT_H
#define CHATTCP_SESSION_INT_H

#include "../base/xalloc.h"
#include "../engine/engine.h"
#include "../proto/app.h"
#include "notes.h"
#include "session.h"

#include <setjmp.h>

/* Bytes of raw stream kept per selected connection (session_raw): the stream view of
 * an undecoded connection and --raw-out; past this the rest is counted, not kept. */
#define SESS_RAW_MAX ((size_t)256 << 20)

/* Bytes of a packet rebuilt from IP fragments, kept because reading the record back
 * would only give the last fragment. */
struct kept_payload {
	uint32_t frame;
	uint32_t len;
	uint8_t *bytes; /* the TCP/UDP header and payload */
};

/* What a live view (opts.on_packet) or a frame search keeps of a connection between
 * its packets. */
struct sconn_live {
	struct note_ctx nc;        /* the running state of the notes */
	int64_t prev_ts;
	uint32_t first_open;       /* its messages before this index are all complete */
	uint8_t seen;              /* a packet was delivered */
};

/* The SACK blocks and the window of r (a packet of c, decoded again as pk, or NULL
 * when its bytes are not readable: no blocks then), as views show them (numbers.c). */
void sess_numbers(const struct conn *c, const struct pktrec *r, const struct pkt *pk, struct sess_sacks *sk,
		  struct sess_win *w);

/* Complete messages of each side waiting for that side's next packet (kept only by
 * views that place messages under packets: sess_places). */
struct sconn_pend {
	uint32_t *ids[2];
	size_t n[2], cap[2];
};

/* The raw bytes of a connection (opts.raw). */
struct sconn_raw {
	struct sess_run *runs;
	size_t n_runs, cap_runs, kept;
	size_t last_cap;           /* bytes allocated for the last run (it grows as bytes come) */
	uint64_t dropped;
};

/* Indexes of a connection's packets held in the sconn itself up to this many: most
 * connections of a capture with very many have one or two packets. */
#define SCONN_RECS_INLINE 2

/* A connection as the session follows it: made for the selected connections of views
 * that keep something per connection (the per-packet index, a live view, raw bytes,
 * placed or sorted messages). A capture may hold 200,000 connections at once, so this
 * is 56 bytes, carved from blocks (no malloc each); what only one view needs hangs off
 * a pointer made at its first use. */
struct sconn {
	union {
		uint32_t *heap;            /* cap_recs of them, when cap_recs > 0 */
		uint32_t in[SCONN_RECS_INLINE]; /* while cap_recs == 0 */
	} recs;                    /* its packets: indexes into session.recs (sconn_recs) */
	uint32_t n_recs, cap_recs; /* 32 bits, as the index numbers packets (pktrec.frame) */
	struct sconn_live *live;
	struct sconn_pend *pend;
	struct sconn_raw *raw;
	const struct appmsg **sorted; /* session_msgs, made on first ask */
	uint32_t n_sorted;         /* 32 bits, as message ids are */
	uint8_t made;              /* this slot of its block is in use */
};
_Static_assert(sizeof(struct sconn) <= 56, "struct sconn grew: every followed connection pays for it (see its comment)");

/* Connections' sconns are carved from blocks of this many (by conn idx). */
#define SCONN_BLOCK_SHIFT 10
#define SCONN_BLOCK ((size_t)1 << SCONN_BLOCK_SHIFT)

/* sc's packet indexes (n_recs of them). */
static inline uint32_t *sconn_recs(struct sconn *sc)
{
	return sc->cap_recs ? sc->recs.heap : sc->recs.in;
}

struct session {
	struct session_opts o;
	struct xmem mem;
	jmp_buf *jb;               /* the entry point's, while inside a session call */
	int failed, damaged, opened, ended;
	int pushed;                /* bytes come from session_push */
	int stopped;               /* opts.on_progress ended session_run early */
	int counts_only;           /* no option asks for anything per packet (stats, conns) */
	struct err err;
	struct capfile cf;
	struct engine en;
	struct app app;
	struct diag *dg;
	struct keylog *keylog;     /* opts.keylog, loaded at open (owned) */
	/* selection */
	struct sess_id *sel;
	size_t n_sel, cap_sel;
	/* per connection (by conn idx): blocks of SCONN_BLOCK, made when one is needed */
	struct sconn **sc_blocks;  /* sc_blocks[i]: SCONN_BLOCK sconns from conn idx i * SCONN_BLOCK on */
	size_t cap_sc_blocks;
	/* the per-packet index */
	struct pktrec *recs;
	size_t n_recs, cap_recs;
	struct kept_payload *kept;
	size_t n_kept, cap_kept;
	/* the packet being processed */
	const struct conn *cur_c;
	const struct pktrec *cur_r;
	const struct pkt *cur_pk;
	const struct appmsg **now; /* messages it completed, of its side */
	size_t n_now, cap_now;
	const struct appmsg **parts;
	size_t n_parts, cap_parts;
	/* on_frame: messages done while processing the current frame, either side */
	const struct appmsg **done_now;
	size_t n_done_now, cap_done_now;
	/* decoders that began a PDU in the frame being processed (sess_frame_view.begun) */
	const char *begun_now[SESS_BEGUN_MAX];
	size_t n_begun_now;
	int64_t frame_first_ts, frame_prev_ts;
	struct strbuf note, comm;
	/* connections in id order (session_conns) */
	const struct conn **order;
	size_t n_order, n_listed;
	/* on_http: requests complete and held, waiting for their response (AM_ASKED set;
	 * an entry whose message lost the flag was told already and is dropped later) */
	uint64_t order_gen;        /* connections made + evicted when order was made */
	/* the messages of a connection's end (on_conn_end) */
	const struct appmsg **tail;
	size_t cap_tail;
	/* on_http: requests complete and held, waiting for their response */
	uint32_t *asked;
	size_t n_asked, cap_asked, n_asked_told;
	/* on_http: 1xx answers held until their request's exchange is told */
	struct sess_interim { uint32_t req, msg; } *interim;
	size_t n_interim, cap_interim;
	const struct appmsg **interim_out;
	size_t cap_interim_out;
	/* end_early: connections over, oldest first, told once quiet; by conn idx, 1
	 * queued there, 2 its end told */
	struct sess_over { uint32_t conn; int64_t ts; } *over;
	size_t over_head, n_over, cap_over;
	uint8_t *over_st;
	size_t cap_over_st;
	uint64_t n_late;
	/* on_conn_done: by conn idx, a bit for each connection told */
	uint8_t *conn_told;
	size_t cap_conn_told;
	/* find_frame */
	struct sess_frame frame;
	uint8_t *frame_bytes, *frame_l4;
	uint32_t frame_l4_len;
};

/* session_conns without entering the session (for code already inside it). */
const struct conn *const *sess_conns(struct session *s, size_t *n);
/* The session state of connection c (made when make; else NULL when it was not). */
struct sconn *sess_sconn(struct session *s, const struct conn *c, int make);
/* The same, never made. */
const struct sconn *sess_sconn_get(const struct session *s, const struct conn *c);
/* c's live state, made at its first use. */
struct sconn_live *sess_live(const struct session *s, struct sconn *sc);
/* 1 when the session places messages under packets (struct sconn_pend): a batch
 * index, a live view or its tails read where they go; other views never do. */
int sess_places(const struct session *s);
/* Client callbacks run outside the session's memory domain. */
void sess_call_out(struct session *s);
void sess_call_in(struct session *s);
/* Decodes record r of the index again into pk (its payload, options). 0 or -1. */
int sess_reread(struct session *s, const struct pktrec *r, struct pkt *pk);
/* session_msgs inside an entry point. */
const struct appmsg *const *sess_msgs(struct session *s, const struct conn *c, size_t *n);
/* session/tlsdiag.c: the TLS facts of c (session_tls), and its TLS findings appended to
 * out (after diag_findings). Inside an entry point. */
struct sess_tls;
struct diag_findings;
void sess_tls_facts(struct session *s, const struct conn *c, struct sess_tls *t);
void sess_tls_findings(struct session *s, const struct conn *c, struct diag_findings *out);
/* session/h2diag.c: the HTTP/2 findings of c appended to out. Inside an entry point. */
void sess_h2_findings(struct session *s, const struct conn *c, struct diag_findings *out);
/* Compares messages by first frame, then by id (qsort). */
int sess_msg_cmp(const void *a, const void *b);
/* Compares messages by id: the order they were made (qsort). */
int sess_msg_id_cmp(const void *a, const void *b);

/* Entry points: every public function that can allocate runs inside the session's
 * memory domain; a failure there lands back here. */
/* Public functions only: one must not call another (entering twice would confuse the
 * domain); code inside uses the sess_ forms. */
#define SESS_ENTER(s, failret)                        \
	jmp_buf sess_jb_;                             \
	jmp_buf *sess_prev_jb_ = (s)->jb;             \
	if ((s)->failed)                              \
		return failret;                       \
	if (setjmp(sess_jb_)) {                       \
		sess_out_of_memory(s);                \
		return failret;                       \
	}                                             \
	(s)->jb = &sess_jb_;                          \
	xmem_enter(&(s)->mem, &sess_jb_)
/* (A client callback may call into the session again: the outer call's entry point
 * is restored on the way out.) */
#define SESS_LEAVE(s) (xmem_leave(&(s)->mem), (s)->jb = sess_prev_jb_)

void sess_out_of_memory(struct session *s);

#endif
