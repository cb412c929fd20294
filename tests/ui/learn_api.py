#!/usr/bin/env python3
"""learn_api.py URL: the routes of case stepping and display filters (src/web/api_learn.c,
src/web/api_filter.c) against the command line, without a browser (tests/suite/ui-learn
runs it before the browser test, so it runs where chromium is missing too).

Prints "ok NAME" / "FAIL NAME: why" lines like every test group."""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

URL = sys.argv[1]
CHATTCP = os.environ.get("CHATTCP", "build/chattcp")
base = URL.split("/?token=")[0]
token = URL.split("token=")[1]
LOSS = "case:loss-fast-retransmit"


def get(path, **params):
    params["token"] = token
    req = base + path + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def lines(b):
    return [json.loads(l) for l in b.decode().split("\n") if l]


def cli(*args, stdin=None):
    return subprocess.run([CHATTCP, *args], input=stdin, capture_output=True)


def check(name, fn):
    try:
        fn()
        print("ok " + name)
    except Exception as e:  # a failed check, not a crash of the group
        print("FAIL %s: %s" % (name, " ".join(str(e).split())[:600]))


def eq(a, b, what):
    if a != b:
        raise AssertionError("%s: got %r, want %r" % (what, str(a)[:300], str(b)[:300]))


def caps():
    return {c["name"]: c["cap"] for c in lines(get("/api/captures")[2])}


def t_learn():
    t_learn_numbers({}, [])
    t_learn_numbers({"numbers": "absolute"}, ["--absolute"])


def t_learn_numbers(params, flags):
    st, _, body = get("/api/learn", name="handshake", **params)
    eq(st, 200, "status")
    head, *steps = lines(body)
    eq(head["steps"], len(steps), "steps")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([CHATTCP, "learn", "handshake", "--restart", "--width", "1000", *flags], input=b"\n" * 100,
                             capture_output=True, env={**os.environ, "HOME": tmp, "XDG_STATE_HOME": tmp}).stdout.decode()
    eq([s.get("question") for s in steps if s.get("question")], re.findall(r"^Question: (.*)$", out, re.M), "questions")
    eq([s.get("answer") for s in steps if s.get("answer")], re.findall(r"^Answer: (.*)$", out, re.M), "answers")
    frames = [int(f) for f in re.findall(r"^Lesson handshake - packet \d+ of \d+ \(frame (\d+)\)$", out, re.M)]
    eq([s["frame"] for s in steps], sorted(set(frames)), "frames")
    chat = [o for o in lines(cli("chat", "case:handshake", "--json", "--commentary", *flags).stdout) if "frame" in o]
    eq([s["packet"]["note"] for s in steps], [o["note"] for o in chat], "packets' notes as chat --json")


def t_filter():
    c = caps()[LOSS]
    expr = "tcp.analysis.retransmission || tcp.analysis.duplicate_ack"
    st, h, body = get("/api/filter", cap=c, expr=expr)
    eq(st, 200, "status")
    eq(body, cli("search", LOSS, "-Y", expr, "--json").stdout, "/api/filter is search --json")
    eq(h.get("X-Chattcp-Total"), str(sum(g["matches"] for g in lines(body))), "X-Chattcp-Total")


def t_pcap():
    c = caps()[LOSS]
    expr = "tcp.analysis.retransmission"
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, q, args in (("pcap", {"expr": expr}, ["-Y", expr]), ("pcapng", {"expr": expr, "format": "pcapng"}, ["-Y", expr]),
                             ("pcap", {"conn": "tcp:0"}, ["-c", "0"]), ("pcap", {"conn": "0", "expr": expr}, ["-c", "0", "-Y", expr])):
            st, h, body = get("/api/filter/pcap", cap=c, **q)
            eq(st, 200, "status of %r" % q)
            path = os.path.join(tmp, "x." + fmt)
            cli("extract", LOSS, *args, "-o", path)
            with open(path, "rb") as f:
                eq(hashlib.sha256(body).hexdigest(), hashlib.sha256(f.read()).hexdigest(), "sha256 of %r" % q)
            if not re.match(r'^attachment; filename="(filtered|tcp0|tcp0-filtered)\.' + fmt + '"$', h.get("Content-Disposition", "")):
                raise AssertionError("disposition %r" % h.get("Content-Disposition"))


def t_search():
    st, _, body = get("/api/search", port="7070", flags="SYN,ACK", label="retransmission")
    eq(st, 200, "status")
    want = cli("search", LOSS, "--port", "7070", "--flags", "SYN,ACK", "--label", "retransmission").stdout.decode().split("\n")[0]
    eq("display filter: " + json.loads(body)["expr"], want, "the filter")


def t_errors():
    c = caps()[LOSS]
    st, _, body = get("/api/filter", cap=c, expr="tcp.flag.syn == 1")
    msg = cli("search", LOSS, "-Y", "tcp.flag.syn == 1").stderr.decode().strip()
    eq(st, 400, "bad expression status")
    eq("chattcp search: -Y: " + json.loads(body)["error"], msg, "message as -Y")
    eq(json.loads(body)["col"], 1, "column")
    bad = [("/api/filter", {"cap": c}), ("/api/filter", {"cap": "99", "expr": "tcp"}), ("/api/filter", {"cap": "x", "expr": "tcp"}),
           ("/api/filter/pcap", {"cap": c}), ("/api/filter/pcap", {"cap": c, "expr": "tcp", "format": "../x"}),
           ("/api/filter/pcap", {"cap": c, "conn": "tcp:x"}), ("/api/filter/pcap", {"cap": c, "conn": "tcp:99"}),
           ("/api/filter", {"cap": c, "expr": "(" * 100 + "tcp"}), ("/api/filter", {"cap": c, "expr": "x" * 70000}),
           ("/api/learn", {"name": "../../etc/passwd"}), ("/api/learn", {}), ("/api/search", {}), ("/api/search", {"port": "80 || 1"})]
    for path, q in bad:
        st, _, body = get(path, **q)
        if not 400 <= st < 500:
            raise AssertionError("%s %r: status %d" % (path, q, st))
    eq(get("/api/captures")[0], 200, "the server goes on")


check("ui-learn api: /api/learn has chattcp learn's questions, answers and frames (and --absolute's)", t_learn)
check("ui-learn api: /api/filter is search -Y --json", t_filter)
check("ui-learn api: /api/filter/pcap has the sha256 of extract (-Y, pcapng, -c)", t_pcap)
check("ui-learn api: /api/search makes search's display filter", t_search)
check("ui-learn api: bad requests get a 4xx with a reason, and the server goes on", t_errors)
