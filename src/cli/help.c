/* help.c: usage text and the exit-code table (also in docs/cli.md). */
#include "cli.h"

#include "../base/exitcodes.h"

#include <string.h>

static const char usage[] =
	"chattcp: read packets like a chat.\n"
	"\n"
	"usage: chattcp COMMAND [options] FILE\n"
	"\n"
	"FILE is a pcap or pcapng capture (gzip'd too), '-' for standard input, or case:NAME for a\n"
	"built-in classic case (see 'chattcp cases'). A pipe is shown as it arrives.\n"
	"Connection ids are Wireshark's: 3 is tcp.stream 3, u3 is udp.stream 3.\n"
	"\n"
	"commands:\n"
	"  cases                      the built-in classic cases, to learn TCP without capturing anything\n"
	"  case NAME                  a case's lesson followed by its annotated chat\n"
	"  conns FILE                 the connection list (--filter TEXT, --json)\n"
	"  chat FILE [-c ID ...]      connections as chats (--relative, --commentary, --json, ...)\n"
	"  packet FILE FRAME          one packet in full, with the TCP header diagram (--hex, --json)\n"
	"  diag FILE [-c ID ...]      per-connection diagnosis: latency, retransmissions, how it ended, why (--json)\n"
	"  stats FILE                 file statistics: connection troubles, analysis labels, top talkers (--json)\n"
	"  http FILE                  every HTTP exchange: request, status, headers, body sizes, timing (--json)\n"
	"  stream FILE -c ID          one connection decoded as its protocol, Follow-Stream style (--json, --raw-out)\n"
	"  export FILE --files DIR    every file carried over HTTP, decoded, Range pieces merged (--json)\n"
	"  events                     every note, event and finding name, with severity and meaning (--json)\n"
	"  ui [FILE|case:NAME ...]    the window in the browser: connection list, chat, packet diagram, diagnosis, cases\n"
	"  interfaces                 the interfaces one can capture on, with state and addresses (--json)\n"
	"  live -i IFACE              capture from an interface and show the chat as packets arrive (--write)\n"
	"  tcpdump-cmd                print a tcpdump command for a host, port and protocol (filter checked)\n"
	"  help [COMMAND]             this text, or a command's options\n"
	"\n"
	"exit status:\n"
	"  0  everything was read and shown\n"
	"  1  bad command line\n"
	"  2  the capture is missing, unreadable, damaged, truncated or unsupported; everything\n"
	"     before the damage was still shown, and one line on stderr says where it stopped\n"
	"  3  system error (out of memory, cannot write the output)\n";

static const char help_conns[] =
	"usage: chattcp conns FILE [--filter TEXT] [--json]\n"
	"\n"
	"One line per connection: id (the number Wireshark calls tcp.stream; a UDP conversation's is\n"
	"udp.stream with a u before it: u0), client -> server, start time, duration, packets and\n"
	"payload bytes each way, tags (3-way incomplete, 4-way incomplete, RST, retransmissions, ...).\n"
	"The last line counts the packets, including those that are not TCP or UDP.\n"
	"\n"
	"  --filter TEXT   keep connections whose addresses, ports, protocol or tags match every word\n"
	"                  of TEXT (a substring, or its letters in order: fuzzy)\n"
	"  --json          one JSON object per connection (NDJSON); see docs/json.md\n";

static const char help_chat[] =
	"usage: chattcp chat FILE [-c ID ...] [options]\n"
	"\n"
	"Each packet is a message bubble: the client on the left, the server on the right. The\n"
	"header names the sender, its TCP state after the packet and the time; the body has seq, ack,\n"
	"flags, window, length, options, the payload (\\r\\n shown) and a note in plain words.\n"
	"\n"
	"  -c, --conn IDS    only these connections (3, 3,5, 2-4; u0 for UDP; repeatable); default: all\n"
	"  --relative        relative seq/ack as Wireshark shows them (default: the real values)\n"
	"  --no-state        no TCP state in the bubble header\n"
	"  --no-notes        no note under each packet\n"
	"  --commentary      a longer explanation for learners under each packet\n"
	"  --only-analysis   only packets with an analysis label (retransmissions, dup ACKs, ...)\n"
	"  --fold N          show at most N payload bytes per packet (default 1024, 0 = all)\n"
	"  --color WHEN      auto (default), always or never\n"
	"  --width N         columns to draw for (default: the terminal's, or 100)\n"
	"  --ascii           ASCII borders even in a UTF-8 terminal\n"
	"  --json            one JSON object per packet (NDJSON); see docs/json.md\n"
	"  --payload-hex     with --json: add each packet's captured payload as hex\n"
	"  --payload MODE    structure (default): the decoded application messages (HTTP, WebSocket,\n"
	"                    SSE, Redis, MySQL, DNS) under the packet that completes them; simple: only the\n"
	"                    application payload; raw: the bytes as captured\n"
	"  --decode-as PROTO decode the selected connections as PROTO (http, websocket, redis, mysql, dns)\n"
	"  -f, --follow      FILE is still being written: show packets as they are added (Ctrl-C ends)\n"
	"  --until-idle S    with --follow or a pipe: end after S seconds without a new byte\n"
	"\n"
	"A file is shown connection by connection. A pipe or --follow is shown as it arrives, each\n"
	"packet as soon as it is processed, connections interleaved (each bubble names its id).\n";

static const char help_http[] =
	"usage: chattcp http FILE [-c IDS] [-v] [--json] [--decode-as PROTO]\n"
	"\n"
	"Every HTTP/1.x exchange, connection by connection: the request line (and headers with -v),\n"
	"1xx interim answers, the status line, the body size decoded and on the wire (chunked,\n"
	"gzip/deflate/br/zstd), the timing (request -> first response byte -> last byte) and notes on\n"
	"anything malformed, each with its byte offset in the sender's stream.\n"
	"\n"
	"  --json   one object per exchange: conn, request {method, uri, version, headers, frame, ...},\n"
	"           response {status, reason, headers, frame, body_wire, body_size, body_decoded,\n"
	"           sha256, complete, ...}, interim, timing, notes; see docs/json.md\n";

static const char help_stream[] =
	"usage: chattcp stream FILE -c ID [--decode-as PROTO] [--json] [--raw-out FILE [--side S]]\n"
	"       chattcp stream FILE --all [--json]\n"
	"\n"
	"The whole connection as alternating client (>>) and server (<<) messages, each decoded:\n"
	"messages split over several packets are joined, several in one packet are split. The\n"
	"protocol is recognised from the content (port as a hint); --decode-as forces one. A\n"
	"connection nothing recognises is shown as raw runs of bytes, gaps marked.\n"
	"\n"
	"  --raw-out FILE   write the reassembled bytes to FILE (gaps left out and counted)\n"
	"  --side S         client, server or both (default: both, in stream order)\n"
	"  --json           one object per message: conn, proto, kind, dir, frames, offsets,\n"
	"                   summary, fields, notes\n";

static const char help_export[] =
	"usage: chattcp export FILE --files DIR [--force] [--json]\n"
	"\n"
	"Writes every body carried over HTTP into DIR, decoded (gzip, deflate, br, zstd), named after\n"
	"the last part of the URL (made safe: no '/', '..' or control bytes, no leading '.' or '-', no\n"
	"Windows device names; repeats get (1), (2)...). Nothing is written outside DIR; existing\n"
	"files are never overwritten unless --force. 206 Range answers for the same resource are\n"
	"merged into one file holding only the bytes received (never the claimed total); the byte\n"
	"ranges no piece covered are reported, a piece too far from the others is a file of its own.\n"
	"\n"
	"  --json   one object per file: name, content_type, size, sha256, complete, conn, frame,\n"
	"           uri, parts, gaps, total, range\n";

static const char help_packet[] =
	"usage: chattcp packet FILE FRAME [--hex] [--json]\n"
	"\n"
	"Frame FRAME (counted from 1, as Wireshark does) in full: link, IP, TCP or UDP header, the TCP\n"
	"header drawn as RFC 9293's diagram with each value in its box, every option decoded, the\n"
	"payload and a hex dump (the first 264 bytes; --hex for the whole frame).\n";

static const char help_cases[] =
	"usage: chattcp cases [--json]\n"
	"       chattcp cases --extract NAME OUT.pcap\n"
	"       chattcp case NAME\n"
	"\n"
	"The classic cases are real captures, built into chattcp, each with a lesson. Any command\n"
	"that takes a capture file takes case:NAME too, e.g. 'chattcp chat case:handshake'.\n";

static const char help_diag[] =
	"usage: chattcp diag FILE [-c ID ...] [--json]\n"
	"\n"
	"Per connection: handshake RTT; each way, packets and bytes with and without retransmissions,\n"
	"the retransmission rate, ACK latency (segment to the ACK that covers it; retransmitted\n"
	"segments timed from their last send, Karn), duplicate ACKs by number, zero-window periods,\n"
	"keep-alive cadence; time to first byte after a request; how the connection ended; and a\n"
	"diagnosis in words (SYN unanswered, refused, third handshake lost, zero window, timeouts with\n"
	"backoff, keep-alive defaults, RST after FIN, delayed-ACK stalls). See docs/analysis.md.\n"
	"\n"
	"  -c, --conn IDS    only these connections (3, 3,5, 2-4; u0 for UDP)\n"
	"  --json            one JSON object per connection (NDJSON)\n";

static const char help_events[] =
	"usage: chattcp events [--json]\n"
	"\n"
	"Every name chattcp gives a diagnosis, from its closed tables: the events of each decoder\n"
	"(http.bare_lf, websocket.client_unmasked, ...), the kinds of packet notes (tcp.syn,\n"
	"tcp.retransmission, ...) and the diagnosis rules (refused, rto_backoff, ...), each with its\n"
	"severity (chat, note, warning, error: Wireshark's expert levels) and meaning. The names are\n"
	"what --json output carries; see docs/json.md.\n";

static const char help_stats[] =
	"usage: chattcp stats FILE [--json]\n"
	"\n"
	"Connections in total, with an incomplete three-way handshake, with an incomplete four-way\n"
	"close, with retransmissions, with RST; UDP conversations; packets by analysis label; the top\n"
	"connections by bytes and by retransmissions; the capture's duration.\n";

void help_usage(FILE *f) { fputs(usage, f); }

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	const char *c = argv[1];
	if (strcmp(c, "conns") == 0)
		fputs(help_conns, stdout);
	else if (strcmp(c, "chat") == 0)
		fputs(help_chat, stdout);
	else if (strcmp(c, "packet") == 0)
		fputs(help_packet, stdout);
	else if (strcmp(c, "diag") == 0)
		fputs(help_diag, stdout);
	else if (strcmp(c, "stats") == 0)
		fputs(help_stats, stdout);
	else if (strcmp(c, "http") == 0)
		fputs(help_http, stdout);
	else if (strcmp(c, "stream") == 0)
		fputs(help_stream, stdout);
	else if (strcmp(c, "export") == 0)
		fputs(help_export, stdout);
	else if (strcmp(c, "events") == 0)
		fputs(help_events, stdout);
	else if (strcmp(c, "interfaces") == 0)
		fputs(help_interfaces, stdout);
	else if (strcmp(c, "live") == 0)
		fputs(help_live, stdout);
	else if (strcmp(c, "tcpdump-cmd") == 0)
		fputs(help_tcpdump_cmd, stdout);
	else if (strcmp(c, "cases") == 0 || strcmp(c, "case") == 0)
		fputs(help_cases, stdout);
	else {
		fprintf(stderr, "chattcp: no help for '%s'\n", c);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
