/* quiz.h: the questions of `chattcp quiz` (and, later, the web UI's), asked before the
 * packets of interest of a connection and answered from the session's own analysis:
 * the sender's TCP state after the packet, the flags it carries, its sequence or
 * acknowledgement number. A client walks the connection (session_walk) and hands each
 * packet, in order, to quiz_ask; the answer is the packet's own record, so a quiz is
 * as right as chattcp's analysis and never holds an answer of its own.
 *
 * Which packets are asked about (quiz_ask, in this order):
 *   - the sender's state changes (handshake, close, reset): its state after it;
 *   - it carries SYN, FIN or RST, or is the handshake's third packet: its flags;
 *   - its note is more than the normal flow (a retransmission, a duplicate ACK, a
 *     keep-alive, a zero window...) of a kind not asked about yet on this connection:
 *     its seq when it carries data, else its ack;
 *   - a plain data or ACK packet (or a note of a kind already asked about), enough
 *     packets after the last question: its seq (data) or its ack. "Enough" starts at
 *     QUIZ_PLAIN_GAP and doubles with each such question up to QUIZ_PLAIN_GAP_MAX, so
 *     the arithmetic (next seq = seq + length) is asked often at first and a bulk
 *     transfer of thousands of packets stays a quiz of tens of questions.
 * UDP datagrams are never asked about (they have no state or numbers to guess). */
#ifndef CHATTCP_SESSION_QUIZ_H
#define CHATTCP_SESSION_QUIZ_H

#include "session.h"

#include <stdint.h>

enum quiz_kind { QUIZ_STATE, QUIZ_FLAGS, QUIZ_SEQ, QUIZ_ACK };

/* Choices of a multiple-choice question: the right one and three likely mistakes. */
#define QUIZ_CHOICES 4
/* Plain packets between two questions about plain packets: a question every few
 * packets keeps a bulk transfer's quiz short and still asks the arithmetic of seq and
 * ack (next seq = seq + length) often enough to learn it. */
#define QUIZ_PLAIN_GAP 4
#define QUIZ_PLAIN_GAP_MAX 128
/* Note kinds remembered per connection: more than session/notes.c has. */
#define QUIZ_KINDS_MAX 32

struct quiz_q {
	uint32_t frame;
	uint8_t kind;          /* enum quiz_kind */
	uint8_t dir;           /* the sender: 0 client, 1 server */
	uint8_t n_choices;     /* QUIZ_STATE, QUIZ_FLAGS: QUIZ_CHOICES; 0: a typed number */
	uint8_t right;         /* the right choice's index */
	uint32_t choice[QUIZ_CHOICES]; /* enum tcp_state, or a set of TCP flags (TH_*), in a
					* fixed order (states in enum order, flags by value)
					* so the place of the right one tells nothing */
	uint32_t value;        /* the answer: the state, the flags, or the number as the
				* session numbers it (relative unless opts.absolute) */
	uint32_t len;          /* the packet's payload bytes (the question may say them) */
};

/* What quiz_ask remembers of the packets before, per connection. */
struct quiz {
	const struct conn *c;
	uint8_t side_state[2]; /* each side's TCP state before the next packet */
	uint32_t since;        /* packets since the last question */
	uint32_t gap;          /* packets before the next plain question */
	/* the note kinds asked about on this connection (the table is small: every kind
	 * above the normal flow fits) */
	const struct app_event *kinds[QUIZ_KINDS_MAX];
	size_t n_kinds;
	uint32_t asked;        /* questions so far, all connections */
};

void quiz_init(struct quiz *qz);
/* Call for every packet of a walk, in order (a new connection starts afresh): 1 with
 * *q filled when the learner is asked before p, else 0. */
int quiz_ask(struct quiz *qz, const struct session *s, const struct sess_packet *p, struct quiz_q *q);
/* 1 when value (a choice's index for a multiple-choice question, else the number typed)
 * is the right answer. */
int quiz_right(const struct quiz_q *q, uint32_t value);

#endif
