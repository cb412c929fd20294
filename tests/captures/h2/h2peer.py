#!/usr/bin/python3
"""h2peer.py: the two HTTP/2 peers make.sh needs that curl, nginx and nghttp2's tools
do not play (python3-h2, Debian's build of the h2 library, frames them):
  upgrade-server PORT DIR   an h2c server that takes HTTP/1.1 `Upgrade: h2c` (RFC 7540
                            §3.2), answers 101 and then the upgraded request on stream 1
                            with the file DIR/PATH; one connection, then it exits
  cancel-client PORT        a TLS client (ALPN h2, key log to $SSLKEYLOGFILE) that asks
                            for /big.bin, resets the stream with CANCEL once the response
                            headers and its first DATA came, then asks for /index.html,
                            reads it whole and closes with GOAWAY
  grpc-server PORT          an h2c server answering each request as a gRPC server does:
                            HEADERS, two length-prefixed messages, trailers grpc-status
  grpc-client PORT          an h2c client (prior knowledge) making one gRPC call of two
                            messages, then GOAWAY
"""
import os
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events
import h2.errors


def upgrade_server(port, root):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    s, _ = ls.accept()
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(65536)
    head, rest = head.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    path = lines[0].split()[1]
    fields = dict(l.split(": ", 1) for l in lines[1:])
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
    conn.initiate_upgrade_connection(fields["HTTP2-Settings"])
    s.sendall(conn.data_to_send())

    def answer(sid, p):
        body = open(os.path.join(root, p.lstrip("/")), "rb").read()
        conn.send_headers(sid, [(":status", "200"), ("content-type", "text/plain"),
                                ("content-length", str(len(body)))])
        for i in range(0, len(body), 16384):
            conn.send_data(sid, body[i:i + 16384], end_stream=i + 16384 >= len(body))
        s.sendall(conn.data_to_send())

    answer(1, path)
    data = rest
    done = False
    while not done:
        for ev in conn.receive_data(data) if data else []:
            if isinstance(ev, (h2.events.ConnectionTerminated,)):
                done = True
        s.sendall(conn.data_to_send())
        if done:
            break
        data = s.recv(65536)
        if not data:
            break
    s.close()


def cancel_client(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    if os.environ.get("SSLKEYLOGFILE"):
        ctx.keylog_filename = os.environ["SSLKEYLOGFILE"]
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="example.com")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    hdr = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com:%d" % port)]
    conn.send_headers(1, hdr + [(":path", "/big.bin")], end_stream=True)
    s.sendall(conn.data_to_send())
    state = 0
    while state < 2:
        data = s.recv(65536)
        if not data:
            break
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
                if ev.stream_id == 1 and state == 0:
                    conn.reset_stream(1, h2.errors.ErrorCodes.CANCEL)
                    conn.send_headers(3, hdr + [(":path", "/index.html")], end_stream=True)
                    state = 1
            if isinstance(ev, h2.events.StreamEnded) and ev.stream_id == 3:
                state = 2
        s.sendall(conn.data_to_send())
    conn.close_connection()
    s.sendall(conn.data_to_send())
    s.close()


def grpc_msg(payload):
    return b"\x00" + len(payload).to_bytes(4, "big") + payload


def grpc_server(port):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    s, _ = ls.accept()
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    s.sendall(conn.data_to_send())
    done = False
    while not done:
        data = s.recv(65536)
        if not data:
            break
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            if isinstance(ev, h2.events.StreamEnded):
                sid = ev.stream_id
                conn.send_headers(sid, [(":status", "200"), ("content-type", "application/grpc")])
                conn.send_data(sid, grpc_msg(b"\x0a\x05hello") + grpc_msg(b"\x0a\x05world" * 40))
                conn.send_headers(sid, [("grpc-status", "0"), ("grpc-message", "OK")], end_stream=True)
            if isinstance(ev, h2.events.ConnectionTerminated):
                done = True
        s.sendall(conn.data_to_send())
    s.close()


def grpc_client(port):
    s = socket.create_connection(("127.0.0.1", port))
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":authority", "127.0.0.1:%d" % port),
                          (":path", "/chattcp.Echo/Say"), ("content-type", "application/grpc"), ("te", "trailers")])
    conn.send_data(1, grpc_msg(b"\x0a\x02hi") + grpc_msg(b"\x0a\x03bye"), end_stream=True)
    s.sendall(conn.data_to_send())
    ended = False
    while not ended:
        data = s.recv(65536)
        if not data:
            break
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            if isinstance(ev, h2.events.StreamEnded):
                ended = True
        s.sendall(conn.data_to_send())
    conn.close_connection()
    s.sendall(conn.data_to_send())
    s.close()


if __name__ == "__main__":
    if sys.argv[1] == "upgrade-server":
        upgrade_server(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "cancel-client":
        cancel_client(int(sys.argv[2]))
    elif sys.argv[1] == "grpc-server":
        grpc_server(int(sys.argv[2]))
    elif sys.argv[1] == "grpc-client":
        grpc_client(int(sys.argv[2]))
    else:
        sys.exit("usage: h2peer.py upgrade-server PORT DIR | cancel-client PORT | grpc-server PORT | grpc-client PORT")
