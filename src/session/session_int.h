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

/* A connection as the session follows it (allocated for selected connections). */
struct sconn {
	uint32_t *recs;            /* its packets: indexes into session.recs */
	size_t n_recs, cap_recs;
	struct note_ctx nc;        /* live notes: the running state */
	int64_t prev_ts;
	int seen;                  /* live: a packet was delivered */
	uint32_t *pend[2];         /* complete messages of each side waiting for that side's next packet */
	size_t n_pend[2], cap_pend[2];
	size_t first_open;         /* its messages before this index are all complete */
	struct sess_run *runs;     /* raw bytes (opts.raw) */
	size_t n_runs, cap_runs, raw_kept;
	size_t last_cap;           /* bytes allocated for the last run (it grows as bytes come) */
	uint64_t raw_dropped;
	const struct appmsg **sorted; /* session_msgs, made on first ask */
	size_t n_sorted;
};

struct session {
	struct session_opts o;
	struct xmem mem;
	jmp_buf *jb;               /* the entry point's, while inside a session call */
	int failed, damaged, opened, ended;
	int pushed;                /* bytes come from session_push */
	int counts_only;           /* no option asks for anything per packet (stats, conns) */
	struct err err;
	struct capfile cf;
	struct engine en;
	struct app app;
	struct diag *dg;
	/* selection */
	struct sess_id *sel;
	size_t n_sel, cap_sel;
	/* per connection (by conn idx) */
	struct sconn **sc;
	size_t n_sc;
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
	struct strbuf note, comm;
	/* connections in id order (session_conns) */
	const struct conn **order;
	size_t n_order, n_listed;
	/* on_http: requests complete and held, waiting for their response */
	uint32_t *asked;
	size_t n_asked, cap_asked;
	/* find_frame */
	struct sess_frame frame;
	uint8_t *frame_bytes, *frame_l4;
	uint32_t frame_l4_len;
};

/* session_conns without entering the session (for code already inside it). */
const struct conn *const *sess_conns(struct session *s, size_t *n);
/* The session state of connection c (made when make). */
struct sconn *sess_sconn(struct session *s, const struct conn *c, int make);
/* Client callbacks run outside the session's memory domain. */
void sess_call_out(struct session *s);
void sess_call_in(struct session *s);
/* Decodes record r of the index again into pk (its payload, options). 0 or -1. */
int sess_reread(struct session *s, const struct pktrec *r, struct pkt *pk);
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
