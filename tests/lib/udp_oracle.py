#!/usr/bin/env python3
"""udp_oracle.py: does chattcp group and number UDP packets as Wireshark's udp.stream?

    tests/lib/udp_oracle.py                      every capture with an oracle udp_streams.tsv
    tests/lib/udp_oracle.py CAPTURE [CHAT.json]  one capture; CHAT.json is the output of
                                                 `chattcp chat CAPTURE --json` (run when absent)
    options: --oracle DIR (the capture's oracle folder), -v (list every difference)

The oracle is tests/oracle/NAME/udp_streams.tsv (tests/oracle/make-udp-streams.sh; see
tests/oracle/README.md). For each capture it prints the number of UDP frames and streams,
then two comparisons:

- chattcp: our `conn` of each UDP packet (a UDP conversation's id, which is meant to be
  udp.stream), against udp.stream. A frame counts as a mismatch when the
  numbers differ or only one side has UDP on it. "grouping" counts the frames whose
  conversation holds other frames than tshark's stream does (a renumbering alone is not a
  grouping difference).
- 5-tuple rule: the oracle alone, numbering each frame by the first appearance of its
  5-tuple (either direction) among the frames with their own UDP header and a udp.stream
  (tshark gives none to a UDP header cut short: such a frame is only listed). Where this
  differs from udp.stream, "UDP id = order of first appearance of the 5-tuple" is not
  Wireshark's numbering; the reason is given when the oracle shows it (a stream number
  taken by an ICMP-quoted or tunnelled UDP header, listed in udp_other.tsv; a UDP header
  tshark gives no stream).

Exit status: 0 when chattcp matches udp.stream everywhere, 1 otherwise, 2 on bad use."""
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("CHATTCP_ROOT", os.path.abspath(os.path.join(HERE, "..", "..")))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

CHATTCP = os.environ.get("CHATTCP", os.path.join(ROOT, "build", "chattcp"))


def shared_corpus():
    c = oracle.corpus_dir()
    if c:
        return c
    for d in (os.path.join(ROOT, "..", "shared"), "/work/shared"):
        if os.path.isdir(os.path.join(d, "corpus")):
            return os.path.join(d, "corpus")
    return None


def oracle_name(cap):
    """The oracle folder name of a capture: its file name, or made-DIR.EXT for
    tests/captures/made/DIR/capture.EXT (the rule of make-udp-streams.sh)."""
    parts = os.path.abspath(cap).split(os.sep)
    if len(parts) >= 3 and parts[-3] == "made":
        return "made-%s.%s" % (parts[-2], cap.rsplit(".", 1)[-1])
    return os.path.basename(cap)


def all_captures():
    """(capture path, oracle dir) for every oracle udp_streams.tsv whose capture is here."""
    odirs = os.path.join(ROOT, "tests", "oracle")
    caps = {}
    cands = []
    tc = os.path.join(ROOT, "tests", "captures")
    for sub in ("", "bad"):
        d = os.path.join(tc, sub)
        if os.path.isdir(d):
            cands += [os.path.join(d, n) for n in sorted(os.listdir(d))]
    made = os.path.join(tc, "made")
    if os.path.isdir(made):
        for n in sorted(os.listdir(made)):
            for ext in ("pcap", "pcapng"):
                cands.append(os.path.join(made, n, "capture." + ext))
    corpus = shared_corpus()
    if corpus:
        cands += [os.path.join(corpus, n) for n in sorted(os.listdir(corpus))]
    for c in cands:
        if os.path.isfile(c):
            caps.setdefault(oracle_name(c), c)
    out = []
    for name in sorted(os.listdir(odirs)):
        if not os.path.exists(os.path.join(odirs, name, "udp_streams.tsv")):
            continue
        if name in caps:
            out.append((caps[name], os.path.join(odirs, name)))
        else:
            print(f"note: {name}: oracle present but the capture is not here (shared corpus missing?)")
    return out


def tuple_key(r):
    a, b = (r["src"], r["srcport"]), (r["dst"], r["dstport"])
    return (a, b) if a <= b else (b, a)


def run_chat(cap):
    p = subprocess.run([CHATTCP, "chat", cap, "--json", "--no-notes"], capture_output=True, timeout=600)
    if p.returncode not in (0, 2):
        raise SystemExit(f"udp_oracle: {CHATTCP} chat {cap} --json exited {p.returncode}: "
                         f"{p.stderr.decode('utf-8', 'replace')[:200]}")
    return p.stdout.decode("utf-8", "replace").splitlines()


def read_chat(lines):
    """(UDP packets by frame, number of TCP connections, TCP frames) from chat --json lines."""
    udp, tcp_conns, tcp_frames = {}, set(), set()
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if o.get("proto") == "tcp":
            tcp_conns.add(o["conn"])
            if "frame" in o:
                tcp_frames.add(o["frame"])
        elif o.get("proto") == "udp":
            udp[o["frame"]] = o
    return udp, len(tcp_conns), tcp_frames


def ep(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def five_tuple_rule(rows, other):
    """Frames where numbering by first appearance of the 5-tuple differs from udp.stream,
    and the reasons the oracle shows."""
    first = {}
    bad = []
    for r in rows:
        if not r["stream"]:
            continue      # no conversation at all for tshark (listed under "why")
        k = tuple_key(r)
        if k not in first:
            first[k] = len(first)
        if r["stream"] != str(first[k]):
            bad.append((int(r["frame"]), r["stream"], first[k]))
    reasons = []
    own = {r["stream"] for r in rows if r["stream"]}
    for o in other:
        if o["stream"] and o["stream"] not in own:
            reasons.append(f"stream {o['stream']} is taken by a UDP header that is not a frame's own "
                           f"({o['kind']}, frame {o['frame']}, {ep(o['src'], o['srcport'])} -> {ep(o['dst'], o['dstport'])})")
    for r in rows:
        if not r["stream"]:
            reasons.append(f"frame {r['frame']}: tshark shows UDP but no udp.stream (header cut short?)")
    # the same 5-tuple in two streams, or two 5-tuples in one stream
    by_key = collections.defaultdict(set)
    by_stream = collections.defaultdict(set)
    for r in rows:
        if r["stream"]:
            by_key[tuple_key(r)].add(r["stream"])
            by_stream[r["stream"]].add(tuple_key(r))
    for k, s in by_key.items():
        if len(s) > 1:
            reasons.append(f"5-tuple {k} is split over streams {sorted(s, key=int)}")
    for s, ks in by_stream.items():
        if len(ks) > 1:
            reasons.append(f"stream {s} holds {len(ks)} different 5-tuples")
    return bad, reasons


def compare(cap, odir, chat_lines=None, verbose=False):
    rows = oracle.read_tsv(os.path.join(odir, "udp_streams.tsv"))
    other = oracle.read_tsv(os.path.join(odir, "udp_other.tsv"))
    compact = bool(rows) and "frames" in rows[0]
    udp, n_tcp, tcp_frames = read_chat(chat_lines if chat_lines is not None else run_chat(cap))
    ours = {f: o["conn"] for f, o in udp.items()}  # UDP ids are udp.stream (no TCP offset)
    name = os.path.basename(odir)
    n_frames = sum(int(r["frames"]) for r in rows) if compact else len(rows)
    streams = {r["stream"] for r in rows if r["stream"]}
    diffs = []

    if compact:
        # one row per stream: its first frame and its number of frames
        our_first, our_count = {}, collections.Counter(ours.values())
        for f in sorted(ours):
            our_first.setdefault(ours[f], f)
        for r in rows:
            f, s = int(r["frame"]), r["stream"]
            if s == "":
                if f in ours:
                    diffs.append(f"frame {f}: tshark gives no udp.stream, we put it in {ours[f]}")
                continue
            if f not in ours:
                diffs.append(f"stream {s}: its first frame {f} has no UDP for us")
            elif str(ours[f]) != s or our_first.get(ours[f]) != f or our_count[ours[f]] != int(r["frames"]):
                diffs.append(f"stream {s} (first frame {f}, {r['frames']} frames): ours {ours[f]} "
                             f"(first frame {our_first.get(ours[f])}, {our_count[ours[f]]} frames)")
        mismatches, grouping = len(diffs), None
    else:
        want = {int(r["frame"]): r["stream"] for r in rows}
        # A frame is chattcp's innermost connection's: a UDP tunnel (VXLAN...) that
        # carries UDP is compared on the innermost UDP header's stream (the outer one's
        # number shows in it: the inner takes the next); one that carries TCP is
        # oracle-core's (tcp.stream of the inner TCP).
        for o in other:
            if o["kind"] == "inner" and o["stream"]:
                want[int(o["frame"])] = o["stream"]
        for f in tcp_frames:
            want.pop(f, None)
        for f in sorted(set(want) | set(ours)):
            w, o = want.get(f), ours.get(f)
            if w is None:
                diffs.append(f"frame {f}: we have UDP (conn {udp[f]['conn']}), tshark has no UDP header of its own")
            elif w == "" and o is not None:
                diffs.append(f"frame {f}: tshark gives no udp.stream, we put it in {o}")
            elif o is None and w != "":
                diffs.append(f"frame {f}: tshark has udp.stream {w}, we have no UDP")
            elif o is not None and str(o) != w:
                diffs.append(f"frame {f}: udp.stream {w}, ours {o}")
        mismatches = len(diffs)
        # grouping: same partition of the common frames, whatever the numbers
        common = [f for f in want if f in ours and want[f] != ""]
        ws, os_ = collections.defaultdict(set), collections.defaultdict(set)
        for f in common:
            ws[want[f]].add(f)
            os_[ours[f]].add(f)
        grouping = sum(1 for f in common if ws[want[f]] != os_[ours[f]])

    # on a compact oracle the rule sees only the first frame of each stream
    bad5, reasons = five_tuple_rule(rows, other)
    line = (f"{name}: {n_frames} UDP frames, {len(streams)} streams"
            + (f" (numbers up to {max(map(int, streams))})" if streams and max(map(int, streams)) != len(streams) - 1 else "")
            + f"; chattcp: {mismatches} mismatches" + (f" ({grouping} in grouping)" if grouping is not None else "")
            + f"; 5-tuple rule: {len(bad5)} mismatches" + (" (first frame of each stream only)" if compact else ""))
    print(line)
    for d in diffs if verbose else diffs[:8]:
        print("    chattcp: " + d)
    if not verbose and len(diffs) > 8:
        print(f"    chattcp: ... {len(diffs) - 8} more (-v)")
    for f, s, rank in bad5 if verbose else bad5[:8]:
        print(f"    5-tuple rule: frame {f}: udp.stream {s}, first-appearance number {rank}")
    if not verbose and len(bad5) > 8:
        print(f"    5-tuple rule: ... {len(bad5) - 8} more (-v)")
    for r in reasons:
        print("    why: " + r)
    return mismatches


def main(argv):
    verbose = "-v" in argv
    argv = [a for a in argv if a != "-v"]
    odir = None
    if "--oracle" in argv:
        i = argv.index("--oracle")
        if i + 1 >= len(argv):
            print(__doc__, file=sys.stderr); return 2
        odir = argv[i + 1]
        del argv[i:i + 2]
    if any(a.startswith("-") and a != "-" for a in argv) or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    if argv:
        cap = argv[0]
        odir = odir or os.path.join(ROOT, "tests", "oracle", oracle_name(cap))
        if not os.path.exists(os.path.join(odir, "udp_streams.tsv")):
            print(f"udp_oracle: no {odir}/udp_streams.tsv (no UDP in the capture, or run tests/oracle/make-udp-streams.sh)",
                  file=sys.stderr)
            return 2
        lines = open(argv[1], encoding="utf-8").read().splitlines() if len(argv) > 1 else None
        return 1 if compare(cap, odir, lines, verbose) else 0
    total = 0
    for cap, od in all_captures():
        total += compare(cap, od, None, verbose)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
