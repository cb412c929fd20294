/* learn_words.c: see learn_words.h. */
#include "learn_words.h"

#include "fmt.h"
#include "term_text.h"

void learn_answer_words(struct strbuf *b, struct session *s, const struct learn_step *st, int term)
{
	const struct sess_packet *p = st->p;
	const struct pktrec *r = p->r;
	const struct conn *c = p->c;
	int dir = r->dir;
	sb_printf(b, "The %s sends ", dir ? "server" : "client");
	if (c->proto == 6) {
		fmt_tcp_flags(b, r->flags, "+");
		sb_printf(b, ", seq=%u", session_show_seq(s, c, dir, r->rseq));
		if (r->flags & TH_ACK)
			sb_printf(b, ", ack=%u", session_show_seq(s, c, !dir, r->rack));
		sb_printf(b, ", %u bytes of data; its state is now %s.", r->len, tcp_state_name(r->state));
	} else {
		sb_printf(b, "a datagram of %u bytes.", r->len);
	}
	if (p->note.text && *p->note.text) {
		sb_puts(b, " chattcp's note: ");
		if (term)
			term_text_str(b, p->note.text);
		else
			sb_puts(b, p->note.text);
		sb_putc(b, '.');
	}
}
