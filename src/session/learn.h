/* learn.h: lesson mode's model, the one `chattcp learn` (cli/learn.c) and the web UI's
 * case stepping (web/api_learn.c, GET /api/learn) both ask: a case told one packet at a
 * time, and before each packet its lesson names, a question whose answer is that
 * packet's own facts. The lesson's paragraphs about each packet come from
 * cases/lesson_frames.h; the answer in words from out/learn_words.h.
 *
 * Who owns what: the steps point into the session's walk and live only during the call. */
#ifndef CHATTCP_SESSION_LEARN_H
#define CHATTCP_SESSION_LEARN_H

#include "session.h"

#include <stddef.h>

/* The questions, a closed table: which one is asked follows from the packet before in
 * the same connection (learn.c, `learn_question`). */
enum learn_q {
	LEARN_Q_NONE,    /* the lesson does not name this frame: no question */
	LEARN_Q_OPEN,    /* the first packet of a connection */
	LEARN_Q_ANSWER,  /* the other side speaks now */
	LEARN_Q_ACK,     /* the same side again, a plain ACK: its ack number */
	LEARN_Q_NEXT,    /* the same side again */
};

struct learn_step {
	const struct sess_packet *p; /* the packet: its bubble, its facts (valid during the call) */
	int first;                   /* the first packet of its connection (draw its header) */
	enum learn_q q;
	const char *question;        /* the question's words, NULL with LEARN_Q_NONE */
};

/* Calls step for every packet of every connection of s (a batch session with
 * SESS_KEEP_PACKETS), connection after connection in id order, and tail after each
 * connection's last packet (tail may be NULL); md/md_n: the lesson without its front
 * matter (case_lesson_body). A case of several connections is told in frame order:
 * the caller sorts the steps by p->r->frame (the questions are already chosen by then,
 * each from its own connection's packet before). Returns the steps, or -1 (session_error). */
long session_learn(struct session *s, const char *md, size_t md_n,
		   void (*step)(void *ctx, const struct learn_step *st),
		   void (*tail)(void *ctx, const struct sess_tail *t), void *ctx);

#endif
