/* learn.c: see learn.h. Moved down from cli/learn.c so the terminal and the browser ask
 * the same questions before the same packets. */
#include "learn.h"

#include "../cases/lesson_frames.h"

struct learn_walk {
	const char *md;
	size_t md_n;
	void (*step)(void *ctx, const struct learn_step *st);
	void (*tail)(void *ctx, const struct sess_tail *t);
	void *ctx;
	const struct conn *prev_c; /* the connection of the packet before, in walk order */
	int prev_dir;
	long n;
};

static const char *const q_words[] = {
	[LEARN_Q_NONE] = NULL,
	[LEARN_Q_OPEN] = "A new conversation: what does the client send first?",
	[LEARN_Q_ANSWER] = NULL, /* by side: q_answer */
	[LEARN_Q_ACK] = "What is the ack number of the next packet?",
	[LEARN_Q_NEXT] = NULL,   /* by side: q_next */
};
static const char *const q_answer[2] = { "What will the client answer?", "What will the server answer?" };
static const char *const q_next[2] = { "What will the client send next?", "What will the server send next?" };

/* The question before p, from the packet before it in its connection. */
static enum learn_q learn_question(const struct learn_walk *w, const struct sess_packet *p)
{
	const struct pktrec *r = p->r;
	if (p->c != w->prev_c)
		return LEARN_Q_OPEN;
	if (r->dir != w->prev_dir)
		return LEARN_Q_ANSWER;
	if (p->c->proto == 6 && (r->flags & TH_ACK) && !(r->flags & (TH_SYN | TH_FIN | TH_RST)))
		return LEARN_Q_ACK;
	return LEARN_Q_NEXT;
}

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct learn_walk *w = ctx;
	struct learn_step st = { p, p->c != w->prev_c, LEARN_Q_NONE, NULL };
	if (lesson_names_frame(w->md, w->md_n, p->r->frame)) {
		st.q = learn_question(w, p);
		int dir = p->r->dir ? 1 : 0;
		st.question = st.q == LEARN_Q_ANSWER ? q_answer[dir] : st.q == LEARN_Q_NEXT ? q_next[dir] : q_words[st.q];
	}
	w->step(w->ctx, &st);
	w->prev_c = p->c;
	w->prev_dir = p->r->dir;
	w->n++;
}

static void on_tail(void *ctx, const struct sess_tail *t)
{
	struct learn_walk *w = ctx;
	if (w->tail)
		w->tail(w->ctx, t);
}

long session_learn(struct session *s, const char *md, size_t md_n,
		   void (*step)(void *ctx, const struct learn_step *st),
		   void (*tail)(void *ctx, const struct sess_tail *t), void *ctx)
{
	struct learn_walk w = { md, md_n, step, tail, ctx, NULL, -1, 0 };
	size_t nc;
	const struct conn *const *all = session_conns(s, &nc);
	for (size_t i = 0; i < nc; i++)
		if (session_walk(s, all[i], on_packet, on_tail, &w) < 0)
			return -1;
	return w.n;
}
