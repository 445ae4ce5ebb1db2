#!/usr/bin/env python3
"""A small MPTCP (IPPROTO_MPTCP = 262) or plain TCP client/server for the kernel captures.

server: accept CONNS connections; read each to EOF (or reset); answer with the byte count
        and SHA-256 of what arrived ("<bytes> <sha256>\n"), followed by REPLY bytes of the
        seeded pattern (seed REPLY_SEED; --reply 0, the default, sends the line alone);
        print them.
client: CONNS times: connect, send SIZE bytes of a seeded pattern in CHUNK pieces with
        PAUSE seconds between them, half-close, read the answer to EOF; with --abort, set
        SO_LINGER 0 and close mid-transfer (RST with MP_FASTCLOSE). Prints byte count and
        SHA-256 of what it sent. Every loop is bounded; every socket has a timeout.

The pattern of SIZE bytes with seed S is random.Random(S).getrandbits(8) per byte
(deterministic for a given seed); connection i of a client uses seed SEED + i.
With --record FILE each side appends, per connection, what its application wrote and read:
"wrote <direction> <sha256> <bytes>" and "read <direction> <sha256> <bytes>", direction
client-to-server or server-to-client (generate.sh checks that both sides agree).
"""
import argparse
import hashlib
import random
import socket
import struct
import sys
import time

IPPROTO_MPTCP = 262


def make_socket(family, plain):
    return socket.socket(family, socket.SOCK_STREAM, 0 if plain else IPPROTO_MPTCP)


def pattern(size, seed):
    if size > 1000000:  # bench sizes: a seeded 1 MiB block, repeated (fast)
        block = random.Random(seed).randbytes(1 << 20)
        return (block * (size // len(block) + 1))[:size]
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(size))


def record(args, verb, direction, data_hash, n):
    if args.record:
        with open(args.record, "a") as f:
            f.write("%s %s %s %d\n" % (verb, direction, data_hash.hexdigest(), n))


def server(args):
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    s = make_socket(family, args.plain)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.addr, args.port))
    s.listen(16)
    s.settimeout(args.timeout)
    for _ in range(args.conns):
        c, _ = s.accept()
        c.settimeout(args.timeout)
        h, n = hashlib.sha256(), 0
        try:
            for _ in range(1000000):
                data = c.recv(65536)
                if not data:
                    break
                h.update(data)
                n += len(data)
            answer = ("%d %s\n" % (n, h.hexdigest())).encode()
            if args.reply:
                answer += pattern(args.reply, args.reply_seed)
            c.sendall(answer)
            c.shutdown(socket.SHUT_WR)
            record(args, "read", "client-to-server", h, n)
            record(args, "wrote", "server-to-client", hashlib.sha256(answer), len(answer))
        except OSError:
            pass  # the abortive-close scenario resets
        print("server received %d bytes sha256 %s" % (n, h.hexdigest()), flush=True)
        c.close()
    s.close()


def client(args):
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    for i in range(args.conns):
        data = pattern(args.size, args.seed + i)
        touched = False
        c = make_socket(family, args.plain)
        c.settimeout(args.timeout)
        c.connect((args.addr, args.port))
        sent = 0
        for off in range(0, len(data), args.chunk):
            if args.abort and off >= len(data) // 2:
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                break
            c.sendall(data[off:off + args.chunk])
            sent += len(data[off:off + args.chunk])
            if args.touch and i == 0 and not touched and sent >= args.touch_after:
                open(args.touch, "w").close()  # tells generate.sh how far the transfer is
                touched = True
            time.sleep(args.pause)
        if not args.abort:
            c.shutdown(socket.SHUT_WR)
            h, n, answer = hashlib.sha256(), 0, b""
            for _ in range(1000000):
                got = c.recv(65536)
                if not got:
                    break
                h.update(got)
                n += len(got)
                if len(answer) < 200:
                    answer += got[:200 - len(answer)]
            answer = answer.split(b"\n")[0].decode()
            record(args, "wrote", "client-to-server", hashlib.sha256(data[:sent]), sent)
            record(args, "read", "server-to-client", h, n)
            print("client sent %d bytes sha256 %s, server: %s; received %d bytes"
                  % (sent, hashlib.sha256(data[:sent]).hexdigest(), answer, n), flush=True)
        else:
            print("client sent %d bytes, then aborted" % sent, flush=True)
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=("server", "client"))
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--plain", action="store_true", help="plain TCP instead of MPTCP")
    ap.add_argument("--conns", type=int, default=1)
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--chunk", type=int, default=4000)
    ap.add_argument("--pause", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--abort", action="store_true")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--reply", type=int, default=0,
                    help="server: pattern bytes to send after the answer line")
    ap.add_argument("--reply-seed", type=int, default=1000)
    ap.add_argument("--record", help="append what was written and read to this file")
    ap.add_argument("--touch", metavar="FILE",
                    help="client: create FILE once --touch-after bytes are written (first "
                         "connection)")
    ap.add_argument("--touch-after", type=int, default=0, metavar="BYTES")
    args = ap.parse_args()
    (server if args.role == "server" else client)(args)


if __name__ == "__main__":
    sys.exit(main())
