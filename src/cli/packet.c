/* packet.c: `chattcp packet FILE FRAME [--hex] [--json]`: one packet in full, its
 * note told with what its connection did before. */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../out/fmt.h"
#include "../out/json.h"
#include "../out/packet_term.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int cmd_packet(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init_time(&co, CLI_JSON | CLI_NUMBERS, FMT_T_ABS_DATE);
	int hex = 0;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "packet");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--hex") == 0)
			hex = 1;
		else
			return cli_unknown("packet", o);
	}
	if (a.n_positional != 2)
		return usage_error("packet", "expected a capture file and a frame number");
	long frame;
	if (cli_number(a.positional[1], 1, 0xffffffffL, &frame) < 0)
		return usage_error("packet", "FRAME is a frame number (counted from 1, as Wireshark does), not '%s'",
				   a.positional[1]);
	struct session_opts so;
	memset(&so, 0, sizeof so);
	so.find_frame = (uint32_t)frame;
	so.absolute = co.absolute;
	int rc;
	so.keylog = co.keylog;
	struct session *s = cli_session(&so, a.positional[0], NULL, 0, &rc);
	if (!s)
		return rc;
	cli_run(s);
	const struct sess_frame *f = session_frame(s);
	if (!f->found) {
		struct sess_counts k;
		session_counts(s, &k);
		fprintf(stderr, "chattcp: %s: no frame %ld (the capture has %llu)\n", session_name(s), frame,
			(unsigned long long)k.frames);
		return cli_finish(s, session_damaged(s) ? EXIT_BADINPUT : EXIT_USAGE);
	}
	struct strbuf b;
	sb_init(&b);
	if (co.json) {
		json_frame(&b, f, co.absolute);
	} else {
		struct layout ly;
		cli_layout(&co, &ly);
		struct strbuf t;
		sb_init(&t);
		packet_term(&t, f, hex, ly.width, co.time, co.absolute);
		width_wrap_lines(&b, t.s, t.len, (size_t)ly.width, 2);
		sb_fini(&t);
	}
	cli_flush(&b);
	sb_fini(&b);
	return cli_finish(s, EXIT_OK);
}
