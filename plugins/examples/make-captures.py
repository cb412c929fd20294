#!/usr/bin/env python3
# make-captures.py: real traffic for the example plugins, on 127.0.0.1 (run by
# make.sh under tcpdump). A server and a client per protocol, talking over real
# sockets; the client writes some messages in pieces so a message spans segments.
import socket, struct, sys, threading, time

def serve(port, handler):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port)); s.listen(1)
    def run():
        c, _ = s.accept(); handler(c); c.close(); s.close()
    t = threading.Thread(target=run); t.start(); return t

def lp(t, seq, text):
    body = struct.pack('>BI', t, seq) + text.encode()
    return struct.pack('>H', len(body)) + body

def lenpref(port):
    def h(c):
        buf = b''
        while True:
            d = c.recv(4096)
            if not d: break
            buf += d
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack('>H', buf[:2])[0]:
                n = struct.unpack('>H', buf[:2])[0]; m = buf[2:2 + n]; buf = buf[2 + n:]
                c.sendall(lp(2, struct.unpack('>I', m[1:5])[0], 'ack ' + m[5:].decode()))
    t = serve(port, h); time.sleep(0.2)
    c = socket.create_connection(('127.0.0.1', port)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.sendall(lp(1, 1, 'hello from the client')); time.sleep(0.05)
    m = lp(2, 2, 'grüße, a message in three segments')
    for part in (m[:1], m[1:9], m[9:]):
        c.sendall(part); time.sleep(0.05)
    c.sendall(lp(2, 3, 'two') + lp(2, 4, 'in one segment')); time.sleep(0.05)
    c.sendall(lp(3, 5, 'bye')); time.sleep(0.1)
    c.shutdown(socket.SHUT_WR); c.recv(4096); time.sleep(0.05); c.close(); t.join()

def line(port):
    def h(c):
        f = c.makefile('rb')
        for l in f:
            v = l.split(b' ')[0].strip()
            c.sendall(b'-ERR unknown verb\r\n' if v == b'FLY' else b'+OK ' + v + b' done\r\n')
    t = serve(port, h); time.sleep(0.2)
    c = socket.create_connection(('127.0.0.1', port)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for l in (b'LOGIN alice secret\r\n', b'LIST /tmp\r\n', b'FLY away\r\n'):
        c.sendall(l); time.sleep(0.05)
    c.sendall(b'GET a b'); time.sleep(0.05); c.sendall(b' c\r\nQUIT\r\n'); time.sleep(0.1)
    c.shutdown(socket.SHUT_WR); time.sleep(0.1); c.close(); t.join()

{'lenpref': lenpref, 'line': line}[sys.argv[1]](int(sys.argv[2]))
