/* quiz.c: see quiz.h. */
#include "quiz.h"

#include <stdlib.h>
#include <string.h>

void quiz_init(struct quiz *qz) { memset(qz, 0, sizeof *qz); }

/* Three states a learner is likely to give instead of st: the lifecycle's neighbours
 * (RFC 9293 section 3.3.2's diagram), the state before first when it differs. */
static const uint8_t state_mistakes[TS_COUNT][3] = {
	[TS_CLOSED] = { TS_TIME_WAIT, TS_LAST_ACK, TS_ESTABLISHED },
	[TS_LISTEN] = { TS_CLOSED, TS_SYN_RCVD, TS_ESTABLISHED },
	[TS_SYN_SENT] = { TS_CLOSED, TS_SYN_RCVD, TS_ESTABLISHED },
	[TS_SYN_RCVD] = { TS_LISTEN, TS_SYN_SENT, TS_ESTABLISHED },
	[TS_ESTABLISHED] = { TS_SYN_SENT, TS_SYN_RCVD, TS_FIN_WAIT_1 },
	[TS_FIN_WAIT_1] = { TS_ESTABLISHED, TS_CLOSE_WAIT, TS_FIN_WAIT_2 },
	[TS_FIN_WAIT_2] = { TS_FIN_WAIT_1, TS_CLOSING, TS_TIME_WAIT },
	[TS_CLOSE_WAIT] = { TS_ESTABLISHED, TS_FIN_WAIT_1, TS_LAST_ACK },
	[TS_CLOSING] = { TS_FIN_WAIT_2, TS_TIME_WAIT, TS_LAST_ACK },
	[TS_LAST_ACK] = { TS_CLOSE_WAIT, TS_FIN_WAIT_1, TS_CLOSED },
	[TS_TIME_WAIT] = { TS_FIN_WAIT_2, TS_CLOSING, TS_CLOSED },
};

/* The flags a question is about: those that change what a packet means. */
#define QUIZ_FLAG_MASK (TH_FIN | TH_SYN | TH_RST | TH_PSH | TH_ACK | TH_URG | TH_ECE | TH_CWR)

/* Likely mistakes for a packet's flags, by what the packet does. */
static const uint32_t flags_open[] = { TH_SYN, TH_SYN | TH_ACK, TH_ACK, TH_RST | TH_ACK };
static const uint32_t flags_close[] = { TH_FIN | TH_ACK, TH_ACK, TH_FIN | TH_PSH | TH_ACK, TH_RST | TH_ACK };
static const uint32_t flags_reset[] = { TH_RST, TH_RST | TH_ACK, TH_FIN | TH_ACK, TH_ACK };
static const uint32_t flags_data[] = { TH_ACK, TH_PSH | TH_ACK, TH_FIN | TH_ACK, TH_SYN | TH_ACK };

static int has(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The choices: right, then each candidate not already there, up to QUIZ_CHOICES, in
 * value order. */
static void choices(struct quiz_q *q, uint32_t right, const uint32_t *cand, size_t n)
{
	q->n_choices = 0;
	q->choice[q->n_choices++] = right;
	for (size_t i = 0; i < n && q->n_choices < QUIZ_CHOICES; i++)
		if (!has(q->choice, q->n_choices, cand[i]))
			q->choice[q->n_choices++] = cand[i];
	qsort(q->choice, q->n_choices, sizeof *q->choice, u32_cmp);
	for (uint8_t i = 0; i < q->n_choices; i++)
		if (q->choice[i] == right)
			q->right = i;
	q->value = right;
}

static void ask_state(struct quiz_q *q, int before, int after)
{
	uint32_t cand[4];
	size_t n = 0;
	if (before != after && before < TS_COUNT)
		cand[n++] = (uint32_t)before;
	for (int i = 0; i < 3; i++)
		cand[n++] = state_mistakes[after][i];
	q->kind = QUIZ_STATE;
	choices(q, (uint32_t)after, cand, n);
}

static void ask_flags(struct quiz_q *q, uint32_t flags)
{
	const uint32_t *cand = flags & TH_SYN ? flags_open : flags & TH_RST ? flags_reset
							     : flags & TH_FIN ? flags_close : flags_data;
	q->kind = QUIZ_FLAGS;
	choices(q, flags, cand, 4);
}

int quiz_ask(struct quiz *qz, const struct session *s, const struct sess_packet *p, struct quiz_q *q)
{
	const struct conn *c = p->c;
	const struct pktrec *r = p->r;
	int dir = r->dir;
	if (c->proto != 6)
		return 0;
	if (c != qz->c) {
		qz->c = c;
		qz->since = qz->gap = QUIZ_PLAIN_GAP; /* a new connection may be asked at once */
		qz->n_kinds = 0;
		if (r->flags & TH_SYN) {
			qz->side_state[0] = TS_CLOSED;
			qz->side_state[1] = TS_LISTEN;
		} else { /* seen midstream: no guess about how it got here */
			qz->side_state[dir] = r->state;
			qz->side_state[!dir] = r->peer_state;
		}
	}
	int before = qz->side_state[dir], after = r->state;
	qz->side_state[dir] = r->state;
	qz->side_state[!dir] = r->peer_state;
	memset(q, 0, sizeof *q);
	q->frame = r->frame;
	q->dir = (uint8_t)dir;
	q->len = r->len;
	uint32_t flags = r->flags & QUIZ_FLAG_MASK;
	int sev = p->note.kind ? p->note.kind->severity : SEV_CHAT;
	int new_kind = sev > SEV_CHAT;
	for (size_t i = 0; new_kind && i < qz->n_kinds; i++)
		if (qz->kinds[i] == p->note.kind)
			new_kind = 0;
	if (before != after && after < TS_COUNT) {
		ask_state(q, before, after);
	} else if ((flags & (TH_SYN | TH_FIN | TH_RST)) || (r->events & (EV_HS3 | EV_HS3_RETX))) {
		ask_flags(q, flags);
	} else if (new_kind || qz->since >= qz->gap) {
		if (new_kind && qz->n_kinds < QUIZ_KINDS_MAX)
			qz->kinds[qz->n_kinds++] = p->note.kind;
		else if (!new_kind && qz->gap < QUIZ_PLAIN_GAP_MAX)
			qz->gap *= 2;
		if (r->len) {
			q->kind = QUIZ_SEQ;
			q->value = session_show_seq(s, c, dir, r->rseq);
		} else if (r->flags & TH_ACK) {
			q->kind = QUIZ_ACK;
			q->value = session_show_seq(s, c, !dir, r->rack);
		} else {
			qz->since++;
			return 0;
		}
	} else {
		qz->since++;
		return 0;
	}
	qz->since = 0;
	qz->asked++;
	return 1;
}

int quiz_right(const struct quiz_q *q, uint32_t value)
{
	if (q->n_choices)
		return value == q->right;
	return value == q->value;
}
