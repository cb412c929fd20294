/* learn_words.h: the answer to lesson mode's question (session/learn.h) in words, the
 * same for the terminal (cli/learn.c) and the browser (GET /api/learn): "The server
 * sends SYN+ACK, seq=0, ack=1, 0 bytes of data; its state is now SYN_RECEIVED.
 * chattcp's note: second handshake." */
#ifndef CHATTCP_LEARN_WORDS_H
#define CHATTCP_LEARN_WORDS_H

#include "../base/strbuf.h"
#include "../session/learn.h"

/* Appends the answer of st to b. term: the note goes through term_text (the terminal's
 * one escaping rule); otherwise as it is (a JSON string escapes it). */
void learn_answer_words(struct strbuf *b, struct session *s, const struct learn_step *st, int term);

#endif
