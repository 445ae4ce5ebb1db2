#!/usr/bin/env python3
"""Write large captures that drive mptcpv into its state bounds (docs/limits.md).

They are generated at test time (tests/tshark/test_limits.py), never committed: a few are
tens of megabytes. Built with the same writer and option encoders as craft.py; every
function returns what a test needs to know about the capture (frame numbers of interest).
Deterministic: same bytes on every run.

usage: stress.py KIND OUT.pcap [COUNT]   (KIND: connections, far-ahead, max-length, joins)
"""
import hashlib
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import options as o  # noqa: E402
from pcapwriter import Writer, ones_sum  # noqa: E402

SYN, ACK, PSH = 0x02, 0x10, 0x08
PORT = 47001  # no Wireshark dissector claims it
SERVER = "198.51.100.1"
ISN_C, ISN_S = 1000, 5000
T0 = 1700000000.0


def key(i, side):
    """A distinct 64-bit key per connection and side (splitmix64)."""
    z = (i * 2 + side + 1) * 0x9e3779b97f4a7c15 & (2**64 - 1)
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9 & (2**64 - 1)
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb & (2**64 - 1)
    return z ^ (z >> 31)


def token(k):
    return struct.unpack("!I", hashlib.sha256(struct.pack("!Q", k)).digest()[:4])[0]


def idsn(k):
    return struct.unpack("!Q", hashlib.sha256(struct.pack("!Q", k)).digest()[-8:])[0]


def dss_csum(dsn64, ssn, length, payload):
    return ~ones_sum(struct.pack("!QIHH", dsn64, ssn, length, 0) + payload) & 0xffff


def client_addr(i):
    """10.x.y.z with x.y.z = 0x100000 + i: one address per connection."""
    n = 0x100000 + i
    return "10.%d.%d.%d" % ((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)


def handshake(w, t, client, cport, key_a, key_b, csum=False):
    """v1 MP_CAPABLE handshake (RFC 8684 3.1); returns the SYN's frame number."""
    f = 0x01 | (0x80 if csum else 0)
    syn = w.tcp(t, client, SERVER, cport, PORT, ISN_C, 0, SYN, o.mpc(1, f))
    w.tcp(t, SERVER, client, PORT, cport, ISN_S, ISN_C + 1, SYN | ACK, o.mpc(1, f, [key_b]))
    w.tcp(t, client, SERVER, cport, PORT, ISN_C + 1, ISN_S + 1, ACK,
          o.mpc(1, f, [key_a, key_b]))
    return syn


def connections(path, count):
    """|count| v1 connections, one handshake (3 frames) each: connection i's SYN is frame
    3i + 1."""
    w = Writer(path)
    for i in range(count):
        handshake(w, T0 + i * 1e-4, client_addr(i), 40000, key(i, 0), key(i, 1))
    w.close()
    return {"frames": 3 * count, "syn": lambda i: 3 * i + 1}


def far_ahead(path, count, length=60000):
    """One connection whose client sends |count| 1-byte segments, each with a new mapping of
    |length| bytes starting at it: mappings reaching far ahead that never complete. Segment
    k (0-based) is frame 4 + k; the (MPTCPV_OPEN_MAPPINGS + 1)st drops the first."""
    w = Writer(path)
    ka, kb = key(0, 0), key(0, 1)
    c = client_addr(0)
    handshake(w, T0, c, 40000, ka, kb)
    base = idsn(ka)
    for k in range(count):
        rel = 1 + k
        w.tcp(T0 + 0.001 + k * 1e-5, c, SERVER, 40000, PORT, ISN_C + rel, ISN_S + 1, ACK,
              o.dss(dsn=base + rel, dsn64=True, ssn=rel, length=length), b"x")
    w.close()
    return {"frames": 3 + count, "first": 4}


def max_length(path, mappings, seg=1400, scattered=True):
    """One connection with DSS checksums whose client sends |mappings| mappings of the
    largest data-level length, 65535, each repeated on every one of its segments. Each
    mapping's checksum verifies on its last segment. With |scattered|, one more mapping
    follows whose segments come evens first, then odds: its bytes arrive in more separate
    ranges than mptcpv keeps (MPTCPV_MAPPING_RANGES = 8)."""
    w = Writer(path)
    ka, kb = key(1, 0), key(1, 1)
    c = client_addr(1)
    handshake(w, T0, c, 40001, ka, kb, csum=True)
    base = idsn(ka)
    length = 65535
    t = T0 + 0.001
    completing = []
    rel = 1
    order_scattered = None
    for m in range(mappings + (1 if scattered else 0)):
        data = bytes((m * 7 + i * 13) & 0xff for i in range(length))
        dsn = base + rel
        opts = o.dss(dsn=dsn, dsn64=True, ssn=rel, length=length,
                     csum=dss_csum(dsn, rel, length, data))
        pieces = [(off, data[off:off + seg]) for off in range(0, length, seg)]
        order = list(range(len(pieces)))
        if m == mappings:  # the scattered one
            order = order[0::2] + order[1::2]
            order_scattered = []
        for n, idx in enumerate(order):
            off, piece = pieces[idx]
            frame = w.tcp(t, c, SERVER, 40001, PORT, ISN_C + rel + off, ISN_S + 1, ACK | PSH,
                          opts, piece)
            t += 1e-5
            if order_scattered is not None:
                order_scattered.append(frame)
            elif n == len(order) - 1:
                completing.append(frame)
        rel += length
    w.close()
    # The scattered mapping's 9th separate range (every even piece is separate while the odd
    # ones are missing) makes it overflow.
    overflow = order_scattered[8] if order_scattered else None
    return {"frames": w.frames, "completing": completing, "overflow": overflow}


def joins(path, connections_count, joins_per_connection):
    """|connections_count| connections, then |joins_per_connection| MP_JOIN SYNs to each
    (token of its server key) from distinct ports. Returns the join SYN frames per
    connection."""
    w = Writer(path)
    t = T0
    for i in range(connections_count):
        handshake(w, t, client_addr(i), 40000, key(i, 0), key(i, 1))
        t += 1e-3
    frames = {}
    for i in range(connections_count):
        frames[i] = []
        for k in range(joins_per_connection):
            frames[i].append(w.tcp(t, client_addr(i), SERVER, 50000 + k, PORT, 7000, 0, SYN,
                                   o.join_syn(1, token(key(i, 1)), 0x01020304 + k)))
            t += 1e-4
    w.close()
    return {"frames": w.frames, "joins": frames}


def main(argv):
    kind, out = argv[1], argv[2]
    count = int(argv[3]) if len(argv) > 3 else None
    if kind == "connections":
        info = connections(out, count or 100000)
    elif kind == "far-ahead":
        info = far_ahead(out, count or 100000)
    elif kind == "max-length":
        info = max_length(out, count or 100)
    elif kind == "joins":
        info = joins(out, 2, count or 10)
    else:
        sys.exit(__doc__)
    print("%s: %d frames" % (out, info["frames"]))


if __name__ == "__main__":
    main(sys.argv)
