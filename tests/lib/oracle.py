"""tests/lib/oracle.py: reading the tshark oracle tables and chattcp's JSON output.

The oracle (oracle/NAME/packets.tsv, conv_tcp.txt, ...) is what tshark 4.0 reports on a
capture; see the corpus's oracle/README.md for the columns."""
import gzip
import json
import os
import subprocess

CHATTCP = os.environ.get("CHATTCP", "build/chattcp")


def read_tsv(path):
    """Rows of a tab-separated file with a header line, as dicts; [] when absent."""
    opener = open
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path, opener = path + ".gz", gzip.open
    if not os.path.exists(path):
        return []
    with opener(path, "rt", encoding="utf-8") as f:
        lines = f.read().split("\n")
    head = lines[0].split("\t")
    return [dict(zip(head, l.split("\t"))) for l in lines[1:] if l]


def conv_count(path):
    """Number of conversation rows in a verbatim `tshark -z conv,...` table."""
    if not os.path.exists(path):
        return 0
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "<->" in line:
                n += 1
    return n


def chattcp_json(args, timeout=300):
    """Runs chattcp with --json; returns (objects, exit code, stderr)."""
    p = subprocess.run([CHATTCP] + args + ["--json"], capture_output=True, timeout=timeout)
    objs = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.strip():
            objs.append(json.loads(line))
    return objs, p.returncode, p.stderr.decode("utf-8", "replace")


FLAG_BITS = {"FIN": 0x001, "SYN": 0x002, "RST": 0x004, "PSH": 0x008, "ACK": 0x010,
             "URG": 0x020, "ECE": 0x040, "CWR": 0x080, "NS": 0x100}


def flags_value(names):
    v = 0
    for n in names:
        v |= FLAG_BITS[n]
    return v


def corpus_dir():
    shared = os.environ.get("SHARED")
    if shared and os.path.isdir(os.path.join(shared, "corpus")):
        return os.path.join(shared, "corpus")
    return None
