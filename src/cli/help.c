/* help.c: usage text and the exit-code table (also in docs/cli.md). */
#include "cli.h"

#include "../base/exitcodes.h"
#include "../filter/filter.h"

#include <string.h>

#define CHAT_OPTS                                                                                 \
	"-c --conn --relative --absolute -t --time --no-state --no-notes --commentary --only-analysis --fold --json " \
	"--payload-hex --payload --decode-as --follow --until-idle -Y --display-filter"

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
	"  learn NAME                 a case one packet at a time: bubble, lesson, a question first\n"
	"  quiz NAME                  a case (or FILE -c ID) as a quiz: next state, flags, seq, ack; scored\n"
	"  lesson FILE -c ID -o DIR   your own connection as a case: anonymised capture, drafted lesson.md\n"
	"  conns FILE                 the connection list (--filter TEXT, --json)\n"
	"  chat FILE [-c ID ...]      connections as chats (--absolute, -t r, --commentary, --json, ...)\n"
	"  packet FILE FRAME          one packet in full, with the TCP header diagram (--hex, --json)\n"
	"  diag FILE [-c ID ...]      per-connection diagnosis: latency, retransmissions, how it ended, why (--json)\n"
	"  graph FILE -c ID           a connection's graph points: seq, ack, window, in flight, RTT (--json)\n"
	"  stats FILE                 file statistics: connection troubles, analysis labels, top talkers (--json)\n"
	"  http FILE                  every HTTP exchange: when, request, status, body sizes, timing (-t r, --json)\n"
	"  stream FILE -c ID          one connection decoded as its protocol, Follow-Stream style (-t, --json, --raw-out)\n"
	"  export FILE --files DIR    every file carried over HTTP, decoded, Range pieces merged (--json)\n"
	"  search FILE --port N ...   frames found by fields (--ip, --flags, --payload, --http-*, --label), by connection\n"
	"  extract FILE -o OUT        the frames chosen (-c, -Y EXPR, --frames A-B) as pcap or pcapng\n"
	"  events                     every note, event and finding name, with severity and meaning (--json)\n"
	"  ui [FILE|case:NAME ...]    the window in the browser: connection list, chat, packet diagram, diagnosis, cases\n"
	"  mcp [--root DIR ...]       a local MCP server on stdio for AI assistants: tools that read captures\n"
	"  interfaces                 the interfaces one can capture on, with state and addresses (--json)\n"
	"  live -i IFACE              capture from an interface and show the chat as packets arrive (--write)\n"
	"  tcpdump-cmd                print a tcpdump command for a host, port and protocol (filter checked)\n"
	"  help [COMMAND]             this text, or a command's options\n"
	"\n"
	"options every command takes:\n"
	"  --width N                  columns to draw for (40 to 1000; default: the terminal's width, else\n"
	"                             $COLUMNS, else 80)\n"
	"  --color WHEN               auto (default: when the output is a terminal), always or never\n"
	"  --ascii                    ASCII borders and \"...\" even in a UTF-8 locale\n"
	"  --json                     JSON lines instead of text (commands that show a capture, cases)\n"
	"  --keylog FILE              decrypt TLS with the keys in FILE (SSLKEYLOGFILE format, as browsers,\n"
	"                             curl and OpenSSL write it): http, stream and export then see HTTPS\n"
	"  --plugin FILE              decode with a JavaScript decoder (ChatTCP's plugin API, docs/plugins.md);\n"
	"                             its fields work in -Y after it: NAME.field == 3 (NAME: the file's name)\n"
	"  --plugin-port N            only connections on port N for the --plugin before it\n"
	"  -h, --help                 the command's options\n"
	"\n"
	"exit status:\n"
	"  0  everything was read and shown\n"
	"  1  bad command line\n"
	"  2  the capture is missing, unreadable, damaged, truncated or unsupported; everything\n"
	"     before the damage was still shown, and one line on stderr says where it stopped\n"
	"  3  system error (out of memory, cannot write the output)\n";

static const char help_conns[] =
	"usage: chattcp conns FILE [--filter TEXT] [-t FORMAT] [--json]\n"
	"\n"
	"One line per connection: id (the number Wireshark calls tcp.stream; a UDP conversation's is\n"
	"udp.stream with a u before it: u0), client -> server, start time, duration, packets and\n"
	"payload bytes each way, the application protocol, tags (3-way incomplete, 4-way incomplete,\n"
	"RST, retransmissions, ...). Columns shrink to fit the width; cut text ends in an ellipsis.\n"
	"The last line counts the packets, including those that are not TCP or UDP.\n"
	"\n"
	"  --filter TEXT   keep connections that match every word of TEXT:\n"
	"                    port:N         either port is N (also: port N)\n"
	"                    ip:ADDR        either address is ADDR (also: ip ADDR, host ADDR)\n"
	"                    proto:NAME     tcp, udp, or a decoder: http, websocket, sse, redis,\n"
	"                                   mysql, dns (also: proto NAME)\n"
	"                    tag:NAME       a tag, spaces as dashes: tag:rst, tag:reused-ports\n"
	"                    id:N           the connection id (3, u0)\n"
	"                    WORD           WORD appears in the line (addresses, ports, protocols,\n"
	"                                   tags), as typed; case does not matter\n"
	"  -t FORMAT       the start column as chat's -t: a (default), ad, u, ud, r, e\n"
	"  -Y EXPR         only connections with a frame this display filter selects ('chattcp help filter')\n"
	"  --json          one JSON object per connection (NDJSON); see docs/json.md\n";

static const char help_chat[] =
	"usage: chattcp chat FILE [-c ID ...] [options]\n"
	"\n"
	"Each packet is a message bubble: the client on the left, the server on the right. The\n"
	"header names the sender, its TCP state after the packet and the time; the body has seq, ack,\n"
	"flags, window, length, options, the payload (\\r\\n shown) and a note in plain words.\n"
	"Numbers are relative, as in Wireshark and the lessons: seq 1 is each side's first byte\n"
	"after its SYN, and SACK blocks count from the base of the bytes they acknowledge; the window\n"
	"is the scaled value first, the field and its factor after: win 64512 (63x1024).\n"
	"\n"
	"  -c, --conn IDS    only these connections (3, 3,5, 2-4; u0 for UDP; repeatable); default: all\n"
	"  -Y EXPR           only the frames this display filter selects ('chattcp help filter')\n"
	"  --absolute        seq, ack and SACK blocks as sent; notes name them so too\n"
	"  --relative        relative numbers, each side counting from its SYN as Wireshark does\n"
	"                    (the default)\n"
	"  -t FORMAT         the time in each bubble header, tshark's -t: a (default: wall clock,\n"
	"                    local time), ad (with the date), u, ud (UTC), r (seconds since the\n"
	"                    capture's first frame; case's default, as lessons say t=0.5409), d (since\n"
	"                    the connection's previous packet), dd (since the previous bubble shown),\n"
	"                    e (epoch seconds)\n"
	"  --no-state        no TCP state in the bubble header\n"
	"  --no-notes        no note under each packet\n"
	"  --commentary      a longer explanation for learners under each packet\n"
	"  --only-analysis   only packets with an analysis label (retransmissions, dup ACKs, ...)\n"
	"  --fold N          show at most N payload bytes per packet (default 1024, 0 = all)\n"
	"  --color WHEN      auto (default), always or never\n"
	"  --width N         columns to draw for (default: the terminal's, else $COLUMNS, else 80)\n"
	"  --ascii           ASCII borders even in a UTF-8 terminal\n"
	"  --json            one JSON object per packet (NDJSON); see docs/json.md\n"
	"  --payload-hex     with --json: add each packet's captured payload as hex\n"
	"  --payload MODE    structure (default): the decoded application messages (HTTP, WebSocket,\n"
	"                    SSE, Redis, MySQL, DNS) under the packet that completes them; simple: only the\n"
	"                    application payload; raw: the bytes as captured\n"
	"  --decode-as PROTO decode the selected connections as PROTO (http, websocket, redis, mysql, dns, tls)\n"
	"  -f, --follow      FILE is still being written: show packets as they are added (Ctrl-C ends)\n"
	"  --until-idle S    with --follow or a pipe: end after S seconds without a new byte\n"
	"\n"
	"A file is shown connection by connection. A pipe or --follow is shown as it arrives, each\n"
	"packet as soon as it is processed, connections interleaved (each bubble names its id).\n";

static const char help_http[] =
	"usage: chattcp http FILE [-c IDS] [-t FORMAT] [-v] [--json] [--decode-as PROTO]\n"
	"\n"
	"Every HTTP/1.x exchange, connection by connection: when the request was sent, the request\n"
	"line (and headers with -v),\n"
	"1xx interim answers, the status line, the body size decoded and on the wire (chunked,\n"
	"gzip/deflate/br/zstd), the timing (request -> first response byte -> last byte) and notes on\n"
	"anything malformed, each with its byte offset in the sender's stream.\n"
	"HTTP/2 (over TLS with --keylog, h2c by prior knowledge or Upgrade): each stream is an\n"
	"exchange, shown with its stream id (\"GET /x HTTP/2 stream 3\"); resets and GOAWAY in words.\n"
	"\n"
	"  -t FORMAT  the exchange's time, as chat's: a (default: the wall clock, as an\n"
	"             access log), ad (with the date), u, ud (UTC), r (seconds since the\n"
	"             capture's first frame: tshark's frame.time_relative of the request),\n"
	"             d (since the connection's previous exchange), dd (since the one\n"
	"             above), e (epoch seconds)\n"
	"  --json   one object per exchange: conn, request {method, uri, version, stream (HTTP/2), headers, frame, ...},\n"
	"           response {status, reason, headers, frame, body_wire, body_size, body_decoded,\n"
	"           sha256, complete, ...}, interim, timing, notes; see docs/json.md\n";

static const char help_stream[] =
	"usage: chattcp stream FILE -c ID [-t FORMAT] [--decode-as PROTO] [--json] [--raw-out FILE [--side S]]\n"
	"       chattcp stream FILE --all [-t FORMAT] [--json]\n"
	"\n"
	"The whole connection as alternating client (>>) and server (<<) messages, each decoded:\n"
	"messages split over several packets are joined, several in one packet are split. The\n"
	"protocol is recognised from the content (port as a hint); --decode-as forces one. A\n"
	"connection nothing recognises is shown as raw runs of bytes, gaps marked.\n"
	"\n"
	"  -t FORMAT        each message's time (its first frame), as chat's: a (default, wall\n"
	"                   clock), ad, u, ud, r (since the capture's start), d (since the\n"
	"                   connection's previous message), dd (since the one above), e (epoch)\n"
	"  --raw-out FILE   write the reassembled bytes to FILE ('-': standard output, and the\n"
	"                   messages are not shown; gaps left out and counted)\n"
	"  --side S         with --raw-out: client, server or both (default: both, in stream order)\n"
	"  -Y EXPR          with --all: only connections with a frame the display filter selects\n"
	"  --json           one object per message: conn, proto, kind, dir, frames, offsets,\n"
	"                   summary, fields, notes\n";

static const char help_search[] =
	"usage: chattcp search FILE [--ip A] [--port N] [--flags SYN,RST] [--window '<1000']\n"
	"                           [--payload TEXT | --payload-hex HEX | --payload-re RE]\n"
	"                           [--http-method M] [--http-path P] [--http-header 'Name: value']\n"
	"                           [--http-status 5xx] [--http-body TEXT] [--label NAME] [-Y EXPR]\n"
	"                           [-c IDS] [--json]\n"
	"\n"
	"The frames that match every option given, grouped by connection with their counts and\n"
	"frame numbers. The options are turned into a display filter, printed first, so the same\n"
	"search can be typed as -Y on any command (see 'chattcp help filter').\n"
	"\n"
	"  --ip A              either address (IPv4 or IPv6, CIDR too: 10.0.0.0/8)\n"
	"  --port N            TCP or UDP, either side\n"
	"  --flags SYN,RST     every flag listed is set (SYN, ACK, FIN, RST, PSH, URG, ECE, CWR, NS)\n"
	"  --window OPN        the window in bytes (scaled): <1000, >=65535, 0\n"
	"  --payload TEXT      TCP or UDP payload contains TEXT (bytes as typed)\n"
	"  --payload-hex HEX   the payload contains these bytes (16 03 01, 160301)\n"
	"  --payload-re RE     the payload matches the extended regular expression (case-insensitive)\n"
	"  --http-method M     the request method (GET, POST, ...)\n"
	"  --http-path P       the request target contains P\n"
	"  --http-header H     a header: H is \"Name: value\" (the value contains value) or \"Name\" (present)\n"
	"  --http-status S     404, or 5xx for a class\n"
	"  --http-body TEXT    the decoded body (its first 4 KiB) contains TEXT\n"
	"  --label NAME        an analysis label: retransmission, duplicate_ack, zero_window, ...\n"
	"  -Y EXPR             a display filter, joined with the options by &&\n"
	"  --filters LIST      instead: every line of the file LIST a display filter, all run in one\n"
	"                      pass; one line per filter: its number, a tab, the frames it selects\n"
	"  --json              one object per connection: proto, conn, client, server, matches, frames\n";

static const char help_extract[] =
	"usage: chattcp extract FILE -o OUT.pcap|OUT.pcapng|- [-c IDS] [-Y EXPR] [--frames A-B]\n"
	"                            [--format pcap|pcapng]\n"
	"\n"
	"Writes the frames chosen (all options must hold; none: every frame) to a new capture,\n"
	"each record with its bytes, captured and wire lengths and time as read, so Wireshark\n"
	"opens it and shows the same frames. The format follows OUT's name (.pcapng, else pcap;\n"
	"'-' writes pcapng to standard output, never to a terminal). pcapng has one interface\n"
	"block per interface the written frames came from; pcap holds one link type, so a capture\n"
	"mixing link types must go to pcapng.\n"
	"\n"
	"  -c IDS         frames of these connections (3, 2-4, u0)\n"
	"  -Y EXPR        frames the display filter selects (see 'chattcp help filter')\n"
	"  --frames A-B   frame numbers A to B (A-: to the end; N: one frame)\n"
	"  --format F     pcap or pcapng, whatever OUT is called\n";

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
	"  -Y EXPR  only exchanges whose request or response ends in a frame the display filter selects\n"
	"  --json   one object per file: name, content_type, size, sha256, complete, conn, frame,\n"
	"           uri, parts, gaps, total, range\n";

static const char help_packet[] =
	"usage: chattcp packet FILE FRAME [--hex] [--json] [--absolute] [-t FORMAT]\n"
	"\n"
	"Frame FRAME (counted from 1, as Wireshark does) in full: link, IP, TCP or UDP header, the TCP\n"
	"header drawn as RFC 9293's diagram with each value in its box, every option decoded, the\n"
	"payload and a hex dump (the first 264 bytes; --hex for the whole frame). The note and the\n"
	"SACK blocks are relative unless --absolute; -t as chat's (default ad: the date and time).\n";

static const char help_cases[] =
	"usage: chattcp cases [--json]\n"
	"       chattcp cases --extract NAME OUT.pcap   ('-' for standard output)\n"
	"       chattcp case NAME [chat options]\n"
	"\n"
	"The classic cases are real captures, built into chattcp, each with a lesson. Any command\n"
	"that takes a capture file takes case:NAME too, e.g. 'chattcp chat case:handshake'.\n"
	"'chattcp case NAME' shows the lesson, wrapped to the width (headings, bold and code drawn,\n"
	"not shown as Markdown), then the chat of its capture; it takes chat's options (--width,\n"
	"--color, --absolute, -t, --json: the lesson is then one JSON object before the packets). Its\n"
	"times are seconds since the capture's start (-t r), as the lessons give them.\n";

static const char help_learn[] =
	"usage: chattcp learn NAME [--restart] [--absolute] [-t FORMAT]\n"
	"\n"
	"Lesson mode: the case NAME one packet at a time, in frame order. Each screen is the\n"
	"packet's bubble (as chat draws it, with the commentary) and the lesson's paragraphs about\n"
	"that frame. Before a frame the lesson names comes a question (\"What will the server\n"
	"answer?\", \"What is the ack number of the next packet?\"), answered on the next key.\n"
	"Keys: Enter, space or n: next; b: back; q: quit. Without a terminal each line of input is\n"
	"a key (an empty line: next), so a script can step. The last frame seen is kept per case in\n"
	"$XDG_STATE_HOME/chattcp/progress (default ~/.local/state/chattcp/progress) and the next\n"
	"'learn NAME' goes on from there; --restart starts at the first packet.\n"
	"NAME may be case:DIR, a directory 'chattcp lesson' made (capture.pcap, lesson.md).\n";

static const char help_quiz[] =
	"usage: chattcp quiz NAME|case:DIR|FILE [-c ID] [--answers FILE] [--absolute] [-t FORMAT]\n"
	"\n"
	"The chat of a case (or of your capture's connection ID) with its notes and states hidden;\n"
	"before each packet of interest a question: the sender's TCP state after it (when it\n"
	"changes), the flags it carries (SYN, FIN, RST, the handshake's third packet), or its seq\n"
	"or ack number (a retransmission, a duplicate ACK, a keep-alive, and every few packets of\n"
	"plain data). The answers are chattcp's own analysis. After each answer: right or wrong,\n"
	"and the packet shown with its state and note, which tell why. A score at the end.\n"
	"Keys: a-d (or 1-4) choose; a number is typed and ends with Enter; q quits with the score\n"
	"so far. Numbers are relative unless --absolute. The best score of each case is kept in\n"
	"$XDG_STATE_HOME/chattcp/quiz (default ~/.local/state/chattcp/quiz).\n"
	"\n"
	"  --answers FILE    one answer a line instead of keys ('-': standard input): a letter, the\n"
	"                    choice's words (SYN+ACK, ESTABLISHED), or the number; q stops. Without\n"
	"                    it, standard input and output must be a terminal\n";

static const char help_lesson[] =
	"usage: chattcp lesson FILE -c ID -o DIR [--blank-payloads] [--force]\n"
	"\n"
	"Turns connection ID of your own capture into a case you can share and step through:\n"
	"DIR/capture.pcap holds that connection's frames only, with IPv4 addresses replaced by\n"
	"10.0.0.N, IPv6 by 2001:db8::N, MACs by 02:00:00:00:00:NN and ports other than the\n"
	"server's by 40001, 40002, ... (the same original always the same replacement), and the\n"
	"IP, TCP and UDP checksums made right again. --blank-payloads zeroes every payload byte\n"
	"(same lengths), which also removes addresses written as text in them (a Host header).\n"
	"DIR/lesson.md is drafted from chattcp's notes and diagnosis of the new capture: a title,\n"
	"the findings, one paragraph per notable packet (\"Frame N\") for you to rewrite.\n"
	"Open it with 'chattcp learn case:DIR' or 'chattcp chat case:DIR'. DIR is made when\n"
	"missing; existing files are replaced only with --force. Frames inside tunnels and IP\n"
	"fragments are refused.\n";

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
	"  --absolute        sequence numbers (duplicate ACKs by number) as sent, not relative\n"
	"  --json            one JSON object per connection (NDJSON)\n";

static const char help_events[] =
	"usage: chattcp events [--json]\n"
	"\n"
	"Every name chattcp gives a diagnosis, from its closed tables: the events of each decoder\n"
	"(http.bare_lf, websocket.client_unmasked, ...), the kinds of packet notes (tcp.syn,\n"
	"tcp.retransmission, ...) and the diagnosis rules (refused, rto_backoff, ...), each with its\n"
	"severity (chat, note, warning, error: Wireshark's expert levels) and meaning. The names are\n"
	"what --json output carries; see docs/json.md.\n";

static const char help_graph[] =
	"usage: chattcp graph FILE -c ID [--json]\n"
	"\n"
	"The points the window's graphs draw for one connection, one line per packet:\n"
	"time from its first packet, direction, relative seq:end (SYN and FIN count one),\n"
	"ack, the scaled receive window, the sender's bytes in flight after it, and the RTT\n"
	"sample when its ACK first covers a segment sent once (Karn's rule).\n"
	"--json: a header naming the fields, one compact array per packet, {\"packets\": N}\n"
	"(docs/json.md).\n";

static const char help_stats[] =
	"usage: chattcp stats FILE [--json]\n"
	"\n"
	"Connections in total, with an incomplete three-way handshake, with an incomplete four-way\n"
	"close, with retransmissions, with RST; UDP conversations; packets by analysis label; the top\n"
	"connections by bytes and by retransmissions; the capture's duration.\n";

static const char help_ui[] =
	"usage: chattcp ui [FILE|case:NAME ...] [--listen ADDR:PORT] [--no-open] [--root DIR]\n"
	"                  [-i IFACE [-f BPF] | --remote URL --token-file FILE [--ca FILE | --insecure]\n"
	"                  [-i IFACE] [-f BPF]]\n"
	"\n"
	"Serves the window in the browser: connection list, chat, packet diagram, diagnosis, the\n"
	"cases. Prints one line, the address to open (it holds the token every request needs), and\n"
	"opens it unless --no-open or there is no display. Ctrl-C stops it. See docs/ui.md.\n"
	"\n"
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1 and a free port; port 0: a free one);\n"
	"                      an address that is not loopback prints a warning\n"
	"  --no-open           do not start a browser\n"
	"  --root DIR          the page may open captures by path under DIR\n"
	"  -i, --interface IF  a live view too: capture IF (as 'live' does) and show connections and\n"
	"                      bubbles as they come, with start, stop and pause (page #/live)\n"
	"  -f, --filter BPF    the live capture's filter\n"
	"  --remote URL        the live view from a capture agent ('chattcp agent'), as live --remote\n"
	"  --token-file FILE   the agent's token\n"
	"  --ca FILE           https:// agent: the certificate to trust (as live --ca)\n"
	"  --insecure          https:// agent: no verification (as live --insecure)\n"
	"  --keylog FILE       decrypt TLS in every capture opened with this SSLKEYLOGFILE\n"
	"  --plugin FILE       decode with a JavaScript plugin (--plugin-port N: only that port)\n";

static const char help_mcp[] =
	"usage: chattcp mcp [--root DIR ...] [--export-dir DIR]\n"
	"\n"
	"Speaks the Model Context Protocol (JSON-RPC 2.0, one message a line) on standard input and\n"
	"output, for an AI assistant's MCP client on this machine: nothing leaves it. Its tools list\n"
	"the cases, open a capture, list connections (with --filter's terms), and give a chat (paged),\n"
	"the diagnosis, statistics, HTTP exchanges, a decoded stream and one packet, as the same JSON\n"
	"lines as --json; resources are the cases' lessons, and the prompt explain_connection tells a\n"
	"connection to a beginner. See docs/mcp.md for a client's configuration.\n"
	"\n"
	"  --root DIR        captures may be opened under DIR (links and '..' that lead out are\n"
	"                    refused); give it again for more folders. Without it: only case:NAME\n"
	"  --export-dir DIR  export_pcap may write a connection's frames as pcapng into DIR\n";

/* Every command: the table main.c dispatches through, help prints and the man page
 * and the shell completions are made from (help --commands). */
const struct cli_command cli_commands[] = {
	{ "cases", cmd_cases, help_cases, "--json --extract" },
	{ "case", cmd_cases, help_cases, CHAT_OPTS },
	{ "learn", cmd_learn, help_learn, "--restart --relative --absolute -t --time" },
	{ "quiz", cmd_quiz, help_quiz, "--answers -c --conn --relative --absolute -t --time" },
	{ "lesson", cmd_lesson, help_lesson, "-c -o --output --blank-payloads --force" },
	{ "conns", cmd_conns, help_conns, "--filter -Y --display-filter --json -t --time" },
	{ "chat", cmd_chat, help_chat, CHAT_OPTS },
	{ "packet", cmd_packet, help_packet, "--hex --json --relative --absolute -t --time" },
	{ "diag", cmd_diag, help_diag, "-c --conn --json --relative --absolute" },
	{ "stats", cmd_stats, help_stats, "--json" },
	{ "graph", cmd_graph, help_graph, "-c --conn --json" },
	{ "http", cmd_http, help_http, "-c --conn -v --verbose --json --decode-as --relative --absolute -t --time" },
	{ "stream", cmd_stream, help_stream, "-c --conn --all --json --decode-as --raw-out --side --relative --absolute -Y --display-filter -t --time" },
	{ "export", cmd_export, help_export, "--files --force --json -Y --display-filter" },
	{ "search", cmd_search, help_search,
	  "--ip --port --flags --window --payload --payload-hex --payload-re --http-method --http-path --http-header "
	  "--http-status --http-body --label -Y --display-filter --filters -c --conn --json" },
	{ "extract", cmd_extract, help_extract, "-o --output -c --conn -Y --display-filter --frames --format" },
	{ "events", cmd_events, help_events, "--json" },
	{ "ui", cmd_ui, help_ui, "--listen --no-open --root -i --interface -f --filter --remote --token-file --ca --insecure --keylog --plugin --plugin-port" },
	{ "mcp", cmd_mcp, help_mcp, "--root --export-dir" },
	{ "interfaces", cmd_interfaces, help_interfaces, "--json" },
	{ "live", cmd_live, help_live,
	  "-i --interface --remote --token-file --ca --insecure -f --filter -w --write --ring --ring-size --duration -s --snaplen --buffer --promisc --no-diag "
	  "-c --conn --json --relative --absolute -t --time --no-state --no-notes --commentary --fold --payload" },
	{ "agent", cmd_agent, help_agent, "--listen --token-file --insecure-no-token --max-clients --buffer --user --quiet --tls-cert --tls-key" },
	{ "tcpdump-cmd", cmd_tcpdump_cmd, help_tcpdump_cmd,
	  "--tcp --udp -i --iface --host --src --dst --port --sport --dport -w --write -s --snaplen" },
	{ "help", cmd_help, NULL, "" },
	{ NULL, NULL, NULL, NULL },
};

const struct cli_command *cli_command_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Where line p[0..n)'s description starts: after its first run of two spaces past its
 * leading ones ("  --fold N          show at most..." -> the column of "show"); 0: none. */
static size_t desc_col(const char *p, size_t n)
{
	size_t lead = 0;
	while (lead < n && p[lead] == ' ')
		lead++;
	for (size_t i = lead + 1; i + 2 < n; i++)
		if (p[i] == ' ' && p[i + 1] == ' ' && p[i - 1] != ' ') {
			while (i < n && p[i] == ' ')
				i++;
			return i;
		}
	return 0;
}

static size_t lead_of(const char *p, size_t n)
{
	size_t lead = 0;
	while (lead < n && p[lead] == ' ')
		lead++;
	return lead;
}

/* Help text drawn for the width. The text is written with line breaks for 100 columns;
 * a line's continuations are joined back first (a paragraph's lines, which start at
 * column 0; an entry's description lines, which start under its description), then the
 * whole is wrapped, its continuations under its own text (an option's description under
 * the description column). Usage lines, list entries and blank lines stay as written. */
static void help_wrap(struct strbuf *b, const char *text, int width)
{
	char cont[64];
	struct strbuf l;
	sb_init(&l);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t lead = lead_of(p, n), dcol = desc_col(p, n);
		int prose = lead == 0 && n > 0 && strncmp(p, "usage:", 6) != 0 && p[n - 1] != ':';
		sb_reset(&l);
		sb_add(&l, p, n);
		p += n + (nl ? 1 : 0);
		while (*p && (prose || (lead && dcol))) {
			const char *nl2 = strchr(p, '\n');
			size_t n2 = nl2 ? (size_t)(nl2 - p) : strlen(p);
			size_t lead2 = lead_of(p, n2);
			int joins = lead2 < n2 && (prose ? lead2 == 0 : lead2 == dcol && !desc_col(p, n2));
			if (!joins)
				break;
			sb_putc(&l, ' ');
			sb_add(&l, p + lead2, n2 - lead2);
			p += n2 + (nl2 ? 1 : 0);
		}
		size_t ind = lead && dcol ? dcol : strncmp(l.s, "usage:", 6) == 0 ? 7 : lead; /* under "chattcp" */
		if (ind > (size_t)width / 2)
			ind = lead;
		if (ind > sizeof cont - 1)
			ind = sizeof cont - 1;
		memset(cont, ' ', ind);
		cont[ind] = '\0';
		if (l.len)
			width_wrap(b, l.s, l.len, (size_t)width, 0, cont);
		else
			sb_putc(b, '\n');
	}
	sb_fini(&l);
}

static const char help_filter_head[] =
	"Display filters: -Y EXPR on chat, conns, stream, export, search and extract, in\n"
	"Wireshark's syntax (docs/filter.md):\n"
	"\n"
	"  tcp.port == 80 && !tcp.analysis.flags     ip.addr == 10.0.0.0/8\n"
	"  http.request.method in {\"POST\", \"PUT\"}    tcp.payload[0:4] == \"GET \"\n"
	"  tcp.dstport in {80, 443, 8000..8080}      http.host matches \"exa.*\\\\.com$\"\n"
	"\n"
	"Operators: == != < > <= >= (eq ne lt gt le ge) === ~= contains matches (~, case-insensitive\n"
	"POSIX regex) in {...} not in {...}; && and, || or, ! not, parentheses. A bare field tests\n"
	"that it occurs. With several occurrences (ip.addr), == is true when any is equal, != when\n"
	"the field occurs and none is.\n"
	"\n"
	"Fields:\n";

static int put_help(const char *text, const struct cli_common *co);

/* help filter: the syntax, then the field table (filter_field), one line each. */
static int put_filter_help(const struct cli_common *co)
{
	struct strbuf t;
	sb_init(&t);
	sb_puts(&t, help_filter_head);
	const struct filter_field_info *fi;
	for (size_t i = 0; (fi = filter_field(i)); i++)
		sb_printf(&t, "  %-32s %s: %s\n", fi->name, fi->type, fi->what);
	int rc = put_help(t.s, co);
	sb_fini(&t);
	return rc;
}

static int put_help(const char *text, const struct cli_common *co)
{
	struct layout ly;
	cli_layout(co, &ly);
	struct strbuf b;
	sb_init(&b);
	help_wrap(&b, text, ly.width);
	cli_flush(&b);
	sb_fini(&b);
	return cli_out_check(EXIT_OK);
}

void help_usage(FILE *f)
{
	struct strbuf b;
	sb_init(&b);
	help_wrap(&b, usage, WIDTH_DEFAULT);
	fwrite(b.s, 1, b.len, f);
	sb_fini(&b);
}

int cmd_help(int argc, char **argv)
{
	struct args a;
	args_init(&a, argc, argv);
	struct cli_common co;
	cli_common_init(&co, 0);
	int commands = 0;
	const char *o;
	while ((o = args_next(&a))) {
		int c = cli_common_opt(&a, o, &co, "help");
		if (c < 0)
			return EXIT_USAGE;
		if (c == CLI_DONE)
			return EXIT_OK;
		if (c)
			continue;
		if (strcmp(o, "--commands") == 0)
			commands = 1; /* for scripts/gen-man.sh and the completions */
		else
			return cli_unknown("help", o);
	}
	if (commands) {
		struct strbuf b;
		sb_init(&b);
		for (const struct cli_command *c = cli_commands; c->name; c++)
			sb_printf(&b, "%s\t%s --width --color --ascii --keylog --plugin --plugin-port --help\n", c->name, c->options);
		cli_flush(&b);
		sb_fini(&b);
		return cli_out_check(EXIT_OK);
	}
	if (a.n_positional == 0)
		return put_help(usage, &co);
	if (a.n_positional > 1)
		return usage_error("help", "takes one command name");
	if (!strcmp(a.positional[0], "filter"))
		return put_filter_help(&co);
	const struct cli_command *c = cli_command_find(a.positional[0]);
	if (!c || !c->help) {
		if (c) /* help help */
			return put_help(usage, &co);
		fprintf(stderr, "chattcp: no help for '%s'\n", a.positional[0]);
		return EXIT_USAGE;
	}
	return put_help(c->help, &co);
}

int cli_help_for(const char *cmd)
{
	const struct cli_command *c = cli_command_find(cmd);
	struct cli_common co;
	cli_common_init(&co, 0);
	return put_help(c && c->help ? c->help : usage, &co);
}
