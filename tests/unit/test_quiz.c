/* test_quiz.c: the quiz model (session/quiz.c) on built-in cases: which packets are
 * asked about, that every answer is the packet's own record, that the choices are in a
 * fixed order with the right one among them, and that a bulk transfer's plain packets
 * are asked ever more rarely. */
#include "harness.h"

#include "session/quiz.h"

#include <stdio.h>

struct run {
	struct session *s;
	struct quiz qz;
	struct quiz_q q[4096];
	const struct pktrec *r[4096];
	size_t n, packets;
	int bad_order, bad_right, bad_value;
};

static void on_packet(void *ctx, const struct sess_packet *p)
{
	struct run *u = ctx;
	u->packets++;
	struct quiz_q q;
	if (!quiz_ask(&u->qz, u->s, p, &q) || u->n == sizeof u->q / sizeof *u->q)
		return;
	for (int i = 1; i < q.n_choices; i++)
		if (q.choice[i - 1] >= q.choice[i])
			u->bad_order++;
	if (q.n_choices && (q.right >= q.n_choices || q.choice[q.right] != q.value || !quiz_right(&q, q.right)))
		u->bad_right++;
	const struct pktrec *r = p->r;
	uint32_t want = q.kind == QUIZ_STATE ? r->state
		      : q.kind == QUIZ_FLAGS ? (uint32_t)(r->flags & (TH_FIN | TH_SYN | TH_RST | TH_PSH | TH_ACK | TH_URG | TH_ECE | TH_CWR))
		      : q.kind == QUIZ_SEQ ? r->rseq : r->rack;
	if (q.value != want || q.frame != r->frame || q.dir != r->dir)
		u->bad_value++;
	u->q[u->n] = q;
	u->r[u->n++] = r;
}

static int run_case(const char *name, struct run *u)
{
	memset(u, 0, sizeof *u);
	struct session_opts o;
	memset(&o, 0, sizeof o);
	o.keep = SESS_KEEP_PACKETS;
	u->s = session_new(&o);
	char spec[128];
	snprintf(spec, sizeof spec, "case:%s", name);
	if (session_open(u->s, spec) < 0)
		return -1;
	session_run(u->s);
	quiz_init(&u->qz);
	size_t nc;
	const struct conn *const *all = session_conns(u->s, &nc);
	for (size_t i = 0; i < nc; i++)
		session_walk(u->s, all[i], on_packet, NULL, u);
	return 0;
}

static struct run u;

int main(void)
{
	char why[256];
	/* the handshake: states of frames 1 and 2, flags of 3, the close's states */
	check(run_case("handshake", &u) == 0, "quiz-open-handshake", "case:handshake did not open");
	snprintf(why, sizeof why, "%zu questions, first kinds %d %d %d", u.n, u.q[0].kind, u.q[1].kind, u.q[2].kind);
	check(u.n == 5 && u.q[0].frame == 1 && u.q[0].kind == QUIZ_STATE && u.q[0].value == TS_SYN_SENT &&
		      u.q[1].frame == 2 && u.q[1].value == TS_SYN_RCVD && u.q[2].frame == 3 && u.q[2].kind == QUIZ_FLAGS &&
		      u.q[2].value == TH_ACK,
	      "quiz-handshake-questions", why);
	check(u.q[0].n_choices == QUIZ_CHOICES && u.q[0].choice[0] == TS_CLOSED, "quiz-state-before-is-a-choice",
	      "the state before (CLOSED) is not among the first question's choices");
	check(!quiz_right(&u.q[0], (uint32_t)(u.q[0].right + 1) % QUIZ_CHOICES), "quiz-wrong-choice", "another choice counted right");
	check(!u.bad_order && !u.bad_right && !u.bad_value, "quiz-handshake-answers-are-the-records",
	      "a question's choices, right index or value do not match its packet");
	session_free(u.s);

	/* a bulk transfer: many packets, few questions, each still the record's */
	check(run_case("window-scaling-off", &u) == 0, "quiz-open-bulk", "case:window-scaling-off did not open");
	size_t seqack = 0;
	for (size_t i = 0; i < u.n; i++)
		seqack += u.q[i].kind == QUIZ_SEQ || u.q[i].kind == QUIZ_ACK;
	snprintf(why, sizeof why, "%zu questions (%zu seq/ack) for %zu packets", u.n, seqack, u.packets);
	check(u.packets > 900 && u.n >= 10 && u.n <= 40 && seqack >= 5, "quiz-bulk-stays-short", why);
	check(!u.bad_order && !u.bad_right && !u.bad_value, "quiz-bulk-answers-are-the-records", "mismatch");
	int typed = 1;
	for (size_t i = 0; i < u.n; i++)
		if ((u.q[i].kind == QUIZ_SEQ || u.q[i].kind == QUIZ_ACK) && u.q[i].n_choices)
			typed = 0;
	check(typed, "quiz-numbers-are-typed", "a seq/ack question has choices");
	session_free(u.s);

	/* loss: a retransmission and a duplicate ACK are asked about, as seq and ack */
	check(run_case("loss-fast-retransmit", &u) == 0, "quiz-open-loss", "case:loss-fast-retransmit did not open");
	int retx_seq = 0, dup_ack = 0;
	for (size_t i = 0; i < u.n; i++) {
		if (u.q[i].kind == QUIZ_SEQ && (u.r[i]->labels & LB_BIT(LB_FAST_RETRANSMISSION)))
			retx_seq = 1;
		if (u.q[i].kind == QUIZ_ACK && (u.r[i]->labels & LB_BIT(LB_DUPLICATE_ACK)))
			dup_ack = 1;
	}
	check(retx_seq && dup_ack, "quiz-loss-asks-the-retransmission-and-the-dup-ack", "one of them is not asked");
	check(!u.bad_order && !u.bad_right && !u.bad_value, "quiz-loss-answers-are-the-records", "mismatch");
	session_free(u.s);

	/* UDP is never asked about */
	check(run_case("tour", &u) == 0, "quiz-open-tour", "case:tour did not open");
	int udp = 0;
	for (size_t i = 0; i < u.n; i++)
		udp += u.q[i].frame <= 2; /* frames 1-2: the DNS lookup */
	check(u.n > 5 && !udp, "quiz-udp-not-asked", "a DNS datagram was asked about");
	session_free(u.s);
	return fails ? 1 : 0;
}
