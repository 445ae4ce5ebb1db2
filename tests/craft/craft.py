#!/usr/bin/env python3
"""Write the crafted captures of captures/crafted/ and their .expected files.

Each capture is built segment by segment with coherent TCP sequence numbers, correct
checksums and MPTCP values computed here with Python's hashlib/hmac from the RFC formulas
(RFC 8684 3.1, 3.2, 3.3.1, 3.4.1), independently of mptcpv's C core. A violation is placed at
a known frame and written to <capture>.pcap.expected as '<frame> <rule-id>' lines, together with
every other finding the scenario must cause, so a test compares mptcpv against intent, not
against its own output. The sidecar then lists each MPTCP connection and subflow as crafted
(mptcpv-validate(1), EXPECTED RESULTS): version, endpoints, checksum negotiation, the keys
chosen and their tokens (hashlib), fallback reason, initial or join, backup, address ids,
derived from the segments written, not from mptcpv's report. Deterministic: same bytes on
every run.

usage: craft.py OUTDIR
"""
import hashlib
import hmac
import ipaddress
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import options as o  # noqa: E402
from pcapwriter import Writer, ones_sum  # noqa: E402

KEY_A = 0x96e576198c475350  # seed 000, client
KEY_B = 0xd7b705e4d86c1a66  # seed 000, server
R_A, R_B = 0x01020304, 0x0a0b0c0d  # spec 4.3
PORT = 47001  # no Wireshark dissector claims it


def key_hash(version, key):
    return (hashlib.sha1 if version == 0 else hashlib.sha256)(struct.pack("!Q", key)).digest()


def token(version, key):
    return struct.unpack("!I", key_hash(version, key)[:4])[0]


def idsn(version, key):
    return struct.unpack("!Q", key_hash(version, key)[-8:])[0]


def join_hmac(version, key_own, key_peer, nonce_own, nonce_peer):
    algo = hashlib.sha1 if version == 0 else hashlib.sha256
    return hmac.new(struct.pack("!QQ", key_own, key_peer), struct.pack("!II", nonce_own,
                                                                        nonce_peer), algo).digest()


def add_addr_hmac(key_sender, key_receiver, addr_id, addr4, port=0):
    d = hmac.new(struct.pack("!QQ", key_sender, key_receiver),
                 bytes([addr_id]) + bytes(addr4) + struct.pack("!H", port), hashlib.sha256).digest()
    return struct.unpack("!Q", d[-8:])[0], struct.unpack("!Q", d[:8])[0]


def dss_csum(dsn64, ssn, length, payload):
    total = ones_sum(struct.pack("!QIHH", dsn64, ssn, length, 0) + payload)
    return ~total & 0xffff


def payload_bytes(n, seed=0):
    return bytes((seed * 31 + i * 7 + 13) & 0xff for i in range(n))


class Flow:
    """One TCP subflow: addresses, ports, next sequence numbers in both directions."""

    def __init__(self, cap, client, server, cport, sport, isn_c, isn_s, mss=1460):
        self.cap, self.client, self.server = cap, client, server
        self.cport, self.sport = cport, sport
        self.isn = {"c": isn_c, "s": isn_s}
        self.next = {"c": isn_c, "s": isn_s}
        self.mss = mss

    def send(self, who, flags, opts=b"", payload=b"", seq=None, **kw):
        peer = "s" if who == "c" else "c"
        seq = self.next[who] if seq is None else seq
        ack = self.next[peer] if flags & 0x10 else 0
        src, dst = (self.client, self.server) if who == "c" else (self.server, self.client)
        sp, dp = (self.cport, self.sport) if who == "c" else (self.sport, self.cport)
        frame = self.cap.tcp(self.cap.time, src, dst, sp, dp, seq, ack, flags, opts, payload, **kw)
        self.cap.time += 0.001
        end = seq + len(payload) + (1 if flags & 0x03 else 0)  # SYN and FIN count one
        if (end - self.next[who]) & 0x80000000 == 0:
            self.next[who] = end & 0xffffffff
        return frame

    def rel(self, who):
        return (self.next[who] - self.isn[who]) & 0xffffffff


SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


# Why a connection fell back to TCP: mptcpv's reason strings (mptcpv_fallback_name in
# core/src/tracker.c), the sidecar's "fallback" value.
FALLBACK_NO_SYNACK_MPC = "SYN/ACK without MP_CAPABLE"  # RFC 8684 3.1
FALLBACK_NO_ECHO = "third ACK without MP_CAPABLE"  # RFC 8684 3.1
FALLBACK_MP_FAIL = "MP_FAIL"  # RFC 8684 3.7


class Subflow:
    """A subflow as crafted: opened by MP_CAPABLE (initial) or MP_JOIN; client = the host
    that sent the SYN; backup as the MP_JOIN B flags, then the last MP_PRIO, leave it;
    address ids of client and server (the initial subflow's are 0, RFC 8684 3.4.1; a join's
    are the ids its SYN and SYN/ACK carry; None: unknown)."""

    def __init__(self, client, server, initial, backup, ids, why):
        self.client, self.server, self.initial = client, server, initial
        self.backup, self.ids, self.why = backup, ids, why


class Conn:
    """An MPTCP connection as crafted. version: 0, 1, or None when no MP_CAPABLE says it;
    keys: as the segments carry them, None if never sent; checksum: True, False, or None
    when the handshake did not negotiate it; fallback: one of FALLBACK_* or None."""

    def __init__(self, version, client_key, server_key, checksum, fallback, why):
        self.version, self.client_key, self.server_key = version, client_key, server_key
        self.checksum, self.fallback, self.why = checksum, fallback, why
        self.subflows = []

    def subflow(self, flow, initial=False, backup=False, ids=(0, 0), why=None):
        """Add |flow| (a Flow, or ((client address, port), (server address, port)))."""
        ends = flow if isinstance(flow, tuple) else ((flow.client, flow.cport),
                                                     (flow.server, flow.sport))
        sf = Subflow(ends[0], ends[1], initial, backup, ids, why)
        self.subflows.append(sf)
        return sf


def mpc_handshake(syn, synack, ack):
    """What an MP_CAPABLE handshake establishes (RFC 8684 3.1, RFC 6824 3.1), from the
    (version, flags, keys) of the MP_CAPABLE each of SYN, SYN/ACK and third ACK carries (None:
    the segment has none). Returns (version, client key, server key, checksum, fallback).
    The version is the SYN/ACK's, else the SYN's offer; checksums are on if either SYN or
    SYN/ACK sets A, unknown without both; Key-A is in a v0 SYN or the third ACK's first key,
    Key-B in the SYN/ACK (an echo that differs is handshake.key_mismatch, not the key)."""
    version = synack[0] if synack is not None else syn[0]
    checksum = bool((syn[1] | synack[1]) & 0x80) if synack is not None else None
    client_key = syn[2][0] if syn[2] else None
    server_key = synack[2][0] if synack is not None and synack[2] else None
    fallback = None
    if synack is None:
        fallback = FALLBACK_NO_SYNACK_MPC
    elif ack is None:
        fallback = FALLBACK_NO_ECHO
    elif client_key is None:
        client_key = ack[2][0]
    return version, client_key, server_key, checksum, fallback


class Capture(Writer):
    def __init__(self, path, t0=1700000000.0):
        super().__init__(path)
        self.time = t0
        self.expected = []
        self.connections = []  # in the order of their first segment, as mptcpv numbers them

    def expect(self, frame, rule, why):
        self.expected.append((frame, rule, why))

    def connection(self, version, client_key=None, server_key=None, checksum=None,
                   fallback=None, why=None):
        c = Conn(version, client_key, server_key, checksum, fallback, why)
        self.connections.append(c)
        return c

    def handshake(self, flow, syn, synack, ack, why=None):
        """Send an MP_CAPABLE handshake on |flow| (syn, synack, ack as in mpc_handshake) and
        add its connection with |flow| as the initial subflow. Returns (connection, frames)."""
        frames = [flow.send("c", SYN, o.mpc(*syn)),
                  flow.send("s", SYN | ACK, o.mpc(*synack) if synack is not None else b""),
                  flow.send("c", ACK, o.mpc(*ack) if ack is not None else b"")]
        c = self.connection(*mpc_handshake(syn, synack, ack), why=why)
        c.subflow(flow, initial=True)
        return c, frames


def handshake_v1(cap, flow, flags=0x01, csum=False):
    """v1 MP_CAPABLE handshake (RFC 8684 3.1): SYN 4 bytes, SYN/ACK server key, ACK both.
    Returns the connection."""
    f = flags | (0x80 if csum else 0)
    return cap.handshake(flow, (1, f, []), (1, f, [KEY_B]), (1, f, [KEY_A, KEY_B]))[0]


def handshake_v0(cap, flow, flags=0x01):
    return cap.handshake(flow, (0, flags, [KEY_A]), (0, flags, [KEY_B]),
                         (0, flags, [KEY_A, KEY_B]))[0]


def hex_or_dash(value, digits):
    return "-" if value is None else "0x%0*x" % (digits, value)


def endpoint(ep):
    a = ipaddress.ip_address(ep[0])
    return ("[%s]:%d" if a.version == 6 else "%s:%d") % (a.compressed, ep[1])


def quoted(text):
    return '"%s"' % "".join("\\" + ch if ch in '"\\' else "\\x%02x" % ord(ch)
                            if ord(ch) < 0x20 or ord(ch) == 0x7f else ch for ch in text)


def fact_lines(cap):
    """The connection and subflow lines, in mptcpv-validate --write-expected's canonical form
    and order; tokens are the keys' (v0: SHA-1, v1: SHA-256, most significant 32 bits)."""
    lines = []
    for n, c in enumerate(cap.connections):
        first = c.subflows[0]
        tok = [None if k is None or c.version is None else token(c.version, k)
               for k in (c.client_key, c.server_key)]
        line = ("connection %d version %s client %s server %s subflows %d checksum %s "
                "client_key %s server_key %s client_token %s server_token %s fallback %s" % (
                    n, "?" if c.version is None else c.version, endpoint(first.client),
                    endpoint(first.server), len(c.subflows),
                    "?" if c.checksum is None else "on" if c.checksum else "off",
                    hex_or_dash(c.client_key, 16), hex_or_dash(c.server_key, 16),
                    hex_or_dash(tok[0], 8), hex_or_dash(tok[1], 8),
                    "-" if c.fallback is None else quoted(c.fallback)))
        lines.append(line + ("  # " + c.why if c.why else ""))
        for k, sf in enumerate(c.subflows):
            line = "subflow %d.%d %s client %s server %s backup %d address_ids %s/%s" % (
                n, k, "initial" if sf.initial else "join", endpoint(sf.client),
                endpoint(sf.server), sf.backup, *("?" if i is None else i for i in sf.ids))
            lines.append(line + ("  # " + sf.why if sf.why else ""))
    return lines


def write(cap, out, name, description):
    cap.close()
    lines = ["# %s: %s" % (name, description),
             "# Written by tests/craft/craft.py; '<frame> <rule-id>' per expected finding, "
             "then each connection and subflow as crafted."]
    for frame, rule, why in sorted(cap.expected):
        lines.append("%d %s  # %s" % (frame, rule, why))
    facts = fact_lines(cap)
    if facts:
        lines += [""] + facts
    with open(os.path.join(out, name + ".pcap.expected"), "w") as f:
        f.write("\n".join(lines) + "\n")


def seed000(out):
    """Seed 000 (iOS 7 Siri, v0): the seven segments tcpdump printed, made-up addresses."""
    cap = Capture(os.path.join(out, "seed000-siri-v0.pcap"), t0=1379508211.311061)
    c, s, cp = "192.0.2.10", "198.51.100.20", 51234
    isn_c, isn_s = 2739181685, 1880401460
    mpc = (0, 0x01, [KEY_A]), (0, 0x01, [KEY_B]), (0, 0x01, [KEY_A, KEY_B])
    cap.connection(*mpc_handshake(*mpc)).subflow(((c, cp), (s, PORT)), initial=True)
    ts = b"\x08\x0a" + struct.pack("!II", 1363555813, 0)
    syn_opts = (b"\x02\x04\x05\xb4" + o.NOP + b"\x03\x03\x03" + o.mpc(*mpc[0]) +
                o.NOP + o.NOP + ts + b"\x04\x02" + b"\x00")
    cap.tcp(1379508211.311061, c, s, cp, PORT, isn_c, 0, SYN, syn_opts, window=65535, ttl=64,
            ip_id=54778)
    synack_opts = (b"\x02\x04\x05\xb4" + o.NOP + b"\x03\x03\x04" + o.NOP + o.NOP + b"\x04\x02" +
                   o.mpc(*mpc[1]))
    cap.tcp(1379508211.342236, s, c, PORT, cp, isn_s, isn_c + 1, SYN | ACK, synack_opts,
            window=8190, ttl=244, ip_id=52382)
    cap.tcp(1379508211.345448, c, s, cp, PORT, isn_c + 1, isn_s + 1, ACK,
            o.mpc(*mpc[2]), window=8280, ttl=64, ip_id=47496)
    cap.tcp(1379508211.357386, c, s, cp, PORT, isn_c + 1, isn_s + 1, ACK | PSH,
            o.dss(ack=2248627404, dsn=3845908739, ssn=1, length=144) + b"\x00",
            payload_bytes(144, 1), window=8280, ttl=64, ip_id=53779)
    cap.tcp(1379508211.357430, c, s, cp, PORT, isn_c + 145, isn_s + 1, ACK | PSH,
            o.dss(ack=2248627404, dsn=3845908883, ssn=145, length=40) + b"\x00",
            payload_bytes(40, 2), window=8280, ttl=64, ip_id=23748)
    cap.tcp(1379508211.385032, s, c, PORT, cp, isn_s + 1, isn_c + 145, ACK,
            o.dss(ack=3845908883), window=2221, ttl=244, ip_id=30705)
    cap.tcp(1379508211.389460, s, c, PORT, cp, isn_s + 1, isn_c + 185, ACK,
            o.dss(ack=3845908923), window=2219, ttl=244, ip_id=31058)
    write(cap, out, "seed000-siri-v0", "seed 000's iOS 7 Siri handshake and first data (clean)")


# Seed 001 (iOS 11 beta 2, v0). The post states the scenario and these values: MSS 1410,
# SACK, window scale 6, a 64 KB window and timestamps on the iPhone's LTE SYN, no checksum
# requested there; the Linux server's SYN/ACK with SACK, timestamps, window scale 7 and the
# checksum flag; the third ACK confirming the checksum; 32-bit DSNs and DATA_ACKs both ways;
# MP_PRIO marking the cellular subflow backup in the trace's fourth packet; an MP_JOIN with
# the server's token and the backup flag clear when WiFi comes up at 4.74 s, with a larger
# MSS than on LTE and window scale 6 again; no ADD_ADDR, REMOVE_ADDR or MP_FASTCLOSE. Its
# screenshots (keys, addresses, ports, nonces, the exact segments) are not in the text: the
# values below are chosen, and tokens, IDSNs, HMACs and checksums are computed from them.
S1_KEY_C = 0x3f9a61d2c4b8e705  # chosen: iPhone's key, token 0x3b9c2b26 (v0: SHA-1)
S1_KEY_S = 0x8c21e4f07a5d3b96  # chosen: server's key, token 0xcd9cc70d
S1_R_C, S1_R_S = 0x6b8e21f4, 0xd2470a9c  # chosen MP_JOIN nonces
S1_LTE, S1_WIFI, S1_SERVER = "100.71.12.34", "192.168.1.23", "198.51.100.80"  # chosen
S1_LTE_PORT, S1_WIFI_PORT = 62150, 57412  # chosen (iOS ephemeral range)


def seed001(out):
    """Seed 001 (iOS 11, v0): an iPhone on LTE opens an MPTCP connection to a Linux server
    that requires DSS checksums, marks the cellular subflow backup with MP_PRIO in the
    fourth packet, and joins over WiFi (token of the server's key, backup clear) at 4.74 s;
    TLS-sized exchanges on LTE, then on WiFi, DATA_FIN both ways and both subflows closed.
    Each segment carries its own 32-bit DSS mapping with checksum (the multipath-tcp.org
    kernel maps per segment; so does iOS)."""
    t0 = 1498471200.0  # chosen: 2017-06-26 (iOS 11 beta 2); the post gives relative times
    cap = Capture(os.path.join(out, "seed001-ios11-v0.pcap"), t0=t0)
    ia, ib = idsn(0, S1_KEY_C), idsn(0, S1_KEY_S)
    nxt = {"c": 1, "s": 1}  # next relative DSN each way
    ts_peer = {}  # (flow, who) -> last TSval received from the peer on that flow
    ip_id = {"c": 0x3a17, "s": 0x51c2}

    def ts(flow, who, t):
        val = (3180431000 + int(round(t * 1000))) if who == "c" else \
              (412750000 + int(round(t * 250)))  # iPhone 1 kHz, Linux HZ 250
        ts_peer[(id(flow), "s" if who == "c" else "c")] = val
        return b"\x08\x0a" + struct.pack("!II", val, ts_peer.get((id(flow), who), 0))

    def send(flow, t, who, flags, opts=b"", payload=b"", window=None):
        cap.time = t0 + t
        ip_id[who] = (ip_id[who] + 1) & 0xffff
        if window is None:
            window = 2048 if who == "c" else 229  # x64 / x128 once scaled
        return flow.send(who, flags, opts, payload, window=window,
                         ttl=64 if who == "c" else 52, ip_id=ip_id[who])

    def dack(who):
        return (ib if who == "c" else ia) + nxt["s" if who == "c" else "c"]

    def data(flow, t, who, size, seedn, mss, step=0.000010):
        """|size| bytes in segments of at most |mss|, one 32-bit mapping with checksum
        each; returns the last frame."""
        base = ia if who == "c" else ib
        payload = payload_bytes(size, seedn)
        frame = None
        for off in range(0, size, mss):
            chunk = payload[off:off + mss]
            dsn, ssn = base + nxt[who], flow.rel(who)
            opts = o.NOP + o.NOP + ts(flow, who, t) + o.dss(
                ack=dack(who), dsn=dsn, ssn=ssn, length=len(chunk),
                csum=dss_csum(dsn, ssn, len(chunk), chunk))
            last = off + mss >= size
            frame = send(flow, t, who, ACK | (PSH if last else 0), opts, chunk)
            nxt[who] += len(chunk)
            t += step
        return frame

    def ack(flow, t, who, flags=ACK):
        return send(flow, t, who, flags, o.NOP + o.NOP + ts(flow, who, t) + o.dss(ack=dack(who)))

    def data_fin(flow, t, who):
        dsn = (ia if who == "c" else ib) + nxt[who]
        frame = send(flow, t, who, ACK, o.NOP + o.NOP + ts(flow, who, t) + o.dss(
            ack=dack(who), dsn=dsn, ssn=0, length=1, csum=dss_csum(dsn, 0, 1, b""), fin=True))
        nxt[who] += 1
        return frame

    def syn_opts(flow, t, mss, mptcp):  # iOS layout, as in seed 000's SYN
        return (b"\x02\x04" + struct.pack("!H", mss) + o.NOP + b"\x03\x03\x06" + mptcp +
                o.NOP + o.NOP + ts(flow, "c", t) + b"\x04\x02")

    def synack_opts(flow, t, mptcp):  # Linux layout
        return (b"\x02\x04\x05\xb4" + b"\x04\x02" + ts(flow, "s", t) + o.NOP + b"\x03\x03\x07" +
                mptcp)

    # LTE: the handshake; the iPhone asks for no checksum, the server requires it (A flag),
    # the third ACK confirms it.
    lte = Flow(cap, S1_LTE, S1_SERVER, S1_LTE_PORT, PORT, 0x9e3c1a57, 0x1b7f2c40)
    mpc = (0, 0x01, [S1_KEY_C]), (0, 0x81, [S1_KEY_S]), (0, 0x81, [S1_KEY_C, S1_KEY_S])
    conn = cap.connection(*mpc_handshake(*mpc))
    lte_sf = conn.subflow(lte, initial=True)
    send(lte, 0.0, "c", SYN, syn_opts(lte, 0.0, 1410, o.mpc(*mpc[0])), window=65535)
    send(lte, 0.061874, "s", SYN | ACK, synack_opts(lte, 0.061874, o.mpc(*mpc[1])),
         window=28560)
    send(lte, 0.062310, "c", ACK, o.NOP + o.NOP + ts(lte, "c", 0.062310) + o.mpc(*mpc[2]))
    # Fourth packet: MP_PRIO (3-byte form: this subflow) makes the cellular subflow backup.
    lte_sf.backup, lte_sf.why = True, "MP_PRIO B=1 in the fourth packet"
    send(lte, 0.062398, "c", ACK, o.NOP + o.NOP + ts(lte, "c", 0.062398) +
         o.prio(lte_sf.backup) + o.NOP + o.dss(ack=dack("c")))
    # TLS-sized exchanges on LTE: segments of at most 1410 - 32 option bytes.
    data(lte, 0.063012, "c", 517, 11, 1378)
    data(lte, 0.128450, "s", 3856, 12, 1378)
    ack(lte, 0.129020, "c")
    data(lte, 0.190311, "c", 126, 13, 1378)
    data(lte, 0.252870, "s", 51, 14, 1378)
    data(lte, 0.253402, "c", 350, 15, 1378)
    data(lte, 0.331125, "s", 1978, 16, 1378)
    ack(lte, 0.331890, "c")
    # WiFi comes up at 4.74 s: MP_JOIN with the server's token, backup clear, MSS 1460.
    # Address ids: the iPhone's WiFi address is its id 1, the server's is the initial one, 0.
    wifi = Flow(cap, S1_WIFI, S1_SERVER, S1_WIFI_PORT, PORT, 0x4d02e8b1, 0x7aa3910c)
    wifi_sf = conn.subflow(wifi, backup=False, ids=(1, 0))
    send(wifi, 4.74, "c", SYN, syn_opts(wifi, 4.74, 1460, o.join_syn(
        wifi_sf.ids[0], token(0, S1_KEY_S), S1_R_C, backup=wifi_sf.backup)), window=65535)
    hs = struct.unpack("!Q", join_hmac(0, S1_KEY_S, S1_KEY_C, S1_R_S, S1_R_C)[:8])[0]
    send(wifi, 4.768204, "s", SYN | ACK, synack_opts(wifi, 4.768204, o.join_synack(
        wifi_sf.ids[1], hs, S1_R_S)), window=28560)
    send(wifi, 4.768655, "c", ACK, o.NOP + o.NOP + ts(wifi, "c", 4.768655) +
         o.join_ack(join_hmac(0, S1_KEY_C, S1_KEY_S, S1_R_C, S1_R_S)))
    ack(wifi, 4.796310, "s")  # the fourth ACK: the join is accepted
    # The WiFi subflow is preferred now: the next exchange runs over it (MSS 1460).
    data(wifi, 4.797034, "c", 420, 17, 1428)
    data(wifi, 4.825518, "s", 5120, 18, 1428)
    ack(wifi, 4.826101, "c")
    # Clean close: DATA_FIN both ways on WiFi, then both subflows' FINs.
    data_fin(wifi, 5.102447, "c")
    data_fin(wifi, 5.130652, "s")
    ack(wifi, 5.131004, "c")
    ack(wifi, 5.131120, "c", ACK | FIN)
    ack(wifi, 5.159008, "s", ACK | FIN)
    ack(wifi, 5.159390, "c")
    ack(lte, 5.159502, "c", ACK | FIN)
    ack(lte, 5.221875, "s", ACK | FIN)
    ack(lte, 5.222301, "c")
    write(cap, out, "seed001-ios11-v0", "seed 001's iOS 11 connection: LTE with MSS 1410 and "
          "DSS checksums required by the server, MP_PRIO backup, a WiFi MP_JOIN at 4.74 s "
          "(clean)")


def v1_full(out):
    """A clean v1 connection with DSS checksums: MP_CAPABLE with data, a join, ADD_ADDR and
    its echo, MP_PRIO, REMOVE_ADDR, data on both subflows and DATA_FIN both ways."""
    cap = Capture(os.path.join(out, "v1-full-csum.pcap"))
    f0 = Flow(cap, "192.0.2.1", "198.51.100.1", 40001, PORT, 1000, 5000)
    conn = handshake_v1(cap, f0, csum=True)
    ia, ib = idsn(1, KEY_A), idsn(1, KEY_B)
    data = b"GET / HTTP/1.0\r\n\r\n"
    # First data carries MP_CAPABLE with data (RFC 8684 3.1); checksum 0x1a85 (spec 4.5).
    f0.send("c", ACK | PSH, o.mpc(1, 0x81, [KEY_A, KEY_B], len(data), dss_csum(ia + 1, 1, 18,
                                                                               data)), data)
    resp = payload_bytes(3000, 3)
    # Server: one mapping over two segments, checksum over both.
    csum = dss_csum(ib + 1, 1, 3000, resp)
    opts = o.dss(ack=ia + 1 + 18, ack64=True, dsn=ib + 1, dsn64=True, ssn=1, length=3000,
                 csum=csum)
    f0.send("s", ACK, opts, resp[:1400])
    f0.send("s", ACK | PSH, opts, resp[1400:])
    f0.send("c", ACK, o.dss(ack=ib + 1 + 3000, ack64=True))
    # Server announces 198.51.100.2 with HMAC; the client echoes it.
    h, _ = add_addr_hmac(KEY_B, KEY_A, 1, [198, 51, 100, 2])
    f0.send("s", ACK, o.add_addr_v1(1, [198, 51, 100, 2], hmac=h))
    f0.send("c", ACK, o.add_addr_v1(1, [198, 51, 100, 2], echo=True))
    # The client joins from 192.0.2.2 to the announced address (token of Key-B).
    # Address ids: the client's 192.0.2.2 is its id 2, the server's 198.51.100.2 the id 1 it
    # announced. The client asks for a backup subflow.
    f1 = Flow(cap, "192.0.2.2", "198.51.100.2", 40002, PORT, 7000, 9000)
    joined = conn.subflow(f1, backup=True, ids=(2, 1))
    f1.send("c", SYN, o.join_syn(joined.ids[0], token(1, KEY_B), R_A, backup=joined.backup))
    hb = join_hmac(1, KEY_B, KEY_A, R_B, R_A)
    f1.send("s", SYN | ACK, o.join_synack(joined.ids[1], struct.unpack("!Q", hb[:8])[0], R_B))
    f1.send("c", ACK, o.join_ack(join_hmac(1, KEY_A, KEY_B, R_A, R_B)[:20]))
    f1.send("s", ACK, o.dss(ack=ia + 19, ack64=True))
    # Data on the joined subflow, then the client makes it a regular subflow again.
    more = payload_bytes(500, 4)
    f1.send("c", ACK | PSH, o.dss(ack=ib + 3001, ack64=True, dsn=ia + 19, dsn64=True, ssn=1,
                                   length=500, csum=dss_csum(ia + 19, 1, 500, more)), more)
    f1.send("s", ACK, o.dss(ack=ia + 519, ack64=True))
    joined.backup, joined.why = False, "the SYN's B flag, cleared by MP_PRIO"
    f1.send("c", ACK, o.prio(joined.backup) + o.NOP)
    # Server removes address id 1: the joined subflow goes.
    f0.send("s", ACK, o.remove_addr([1]) + o.NOP)
    # DATA_FIN both ways on the initial subflow (RFC 8684 3.3.3: SSN 0, length 1).
    f0.send("c", ACK, o.dss(ack=ib + 3001, ack64=True, dsn=ia + 519, dsn64=True, ssn=0,
                             length=1, csum=dss_csum(ia + 519, 0, 1, b""), fin=True))
    f0.send("s", ACK, o.dss(ack=ia + 520, ack64=True, dsn=ib + 3001, dsn64=True, ssn=0,
                             length=1, csum=dss_csum(ib + 3001, 0, 1, b""), fin=True))
    f0.send("c", ACK, o.dss(ack=ib + 3002, ack64=True))
    write(cap, out, "v1-full-csum", "clean v1 connection with checksums, join, ADD_ADDR, "
          "MP_PRIO, REMOVE_ADDR, DATA_FIN")


def dsn32_wrap(out):
    """v0, 32-bit DSNs whose low 32 bits wrap: the client key is chosen so its IDSN's low
    32 bits are within 1000 bytes of 2^32 (RFC 8684 3.3, 32-bit forms)."""
    key = next(k for k in range(1, 10**7)
               if (idsn(0, k) + 1) & 0xffffffff > 0xffffffff - 1000)
    cap = Capture(os.path.join(out, "v0-dsn32-wrap.pcap"))
    f = Flow(cap, "192.0.2.5", "198.51.100.5", 40005, PORT, 100, 200)
    cap.handshake(f, (0, 0x01, [key]), (0, 0x01, [KEY_B]), (0, 0x01, [key, KEY_B]))
    ia, ib = idsn(0, key), idsn(0, KEY_B)
    rel = 1
    for i in range(4):
        chunk = payload_bytes(600, i)
        f.send("c", ACK | PSH, o.dss(ack=ib + 1, dsn=ia + rel, ssn=rel, length=600), chunk)
        rel += 600
        f.send("s", ACK, o.dss(ack=ia + rel))
    write(cap, out, "v0-dsn32-wrap", "32-bit DSNs and DATA_ACKs across the 2^32 boundary "
          "(client key 0x%x) (clean)" % key)


def rule_captures(out):
    """One capture per rule: a clean v1 handshake, then the violation at a known frame."""
    ia, ib = idsn(1, KEY_A), idsn(1, KEY_B)

    def new(name):
        cap = Capture(os.path.join(out, "rule-%s.pcap" % name))
        return cap, Flow(cap, "192.0.2.1", "198.51.100.1", 40001, PORT, 1000, 5000)

    cap, f = new("handshake.key_mismatch")
    _, frames = cap.handshake(f, (1, 0x01, []), (1, 0x01, [KEY_B]),
                              (1, 0x01, [KEY_A, KEY_B ^ 0x10]),
                              why="server_key: the SYN/ACK's, not the third ACK's echo")
    cap.expect(frames[2], "handshake.key_mismatch", "third ACK echoes another server key")
    write(cap, out, "rule-handshake.key_mismatch", "echoed key differs from the SYN/ACK's")

    cap, f = new("handshake.echo_missing")
    frame = cap.handshake(f, (1, 0x01, []), (1, 0x01, [KEY_B]), None,
                          why="no client_key: v1 sends it only in the third ACK")[1][2]
    cap.expect(frame, "handshake.echo_missing", "third ACK without MP_CAPABLE")
    cap.expect(frame, "connection.fallback", "falls back to TCP")
    write(cap, out, "rule-handshake.echo_missing", "third ACK lacks MP_CAPABLE")

    cap, f = new("handshake.version_mismatch")
    _, frames = cap.handshake(f, (0, 0x01, [KEY_A]), (1, 0x01, [KEY_B]),
                              (1, 0x01, [KEY_A, KEY_B]),
                              why="version 1: the SYN/ACK's, which the third ACK repeats; "
                                  "tokens of SHA-256")
    cap.expect(frames[1], "handshake.version_mismatch", "SYN/ACK version 1 above the SYN's 0")
    write(cap, out, "rule-handshake.version_mismatch", "SYN/ACK answers a higher version")

    for which in ("synack", "ack", "token"):
        name = {"synack": "join.hmac_bad", "ack": "join.hmac_bad-ack",
                "token": "join.token_unknown"}[which]
        cap, f = new(name)
        conn = handshake_v1(cap, f)
        j = Flow(cap, "192.0.2.2", "198.51.100.1", 40002, PORT, 7000, 9000)
        tok = token(1, KEY_B) ^ (1 if which == "token" else 0)
        # Address ids: the client's second address is 2, the server's initial one 0.
        if which == "token":
            # No connection has the token: the join is a connection of its own, of which
            # nothing is known (MP_JOIN carries no version, key or checksum flag).
            sf = cap.connection(None, why="no connection has the join's token: one of its "
                                          "own; MP_JOIN carries no version, key or checksum "
                                          "flag").subflow(j, ids=(2, 0))
        else:
            sf = conn.subflow(j, ids=(2, 0), why="the token links it; the bad HMAC does not "
                                                 "undo that")
        frame = j.send("c", SYN, o.join_syn(sf.ids[0], tok, R_A, backup=sf.backup))
        if which == "token":
            cap.expect(frame, "join.token_unknown", "token of no connection")
        hb = struct.unpack("!Q", join_hmac(1, KEY_B, KEY_A, R_B, R_A)[:8])[0]
        frame = j.send("s", SYN | ACK, o.join_synack(sf.ids[1],
                                                     hb ^ (1 if which == "synack" else 0), R_B))
        if which == "synack":
            cap.expect(frame, "join.hmac_bad", "SYN/ACK truncated HMAC off by one bit")
        ha = bytearray(join_hmac(1, KEY_A, KEY_B, R_A, R_B)[:20])
        if which == "ack":
            ha[19] ^= 1
        frame = j.send("c", ACK, o.join_ack(bytes(ha)))
        if which == "ack":
            cap.expect(frame, "join.hmac_bad", "third-ACK HMAC off by one bit")
        write(cap, out, "rule-" + name, "MP_JOIN with a corrupted %s" % which)

    for legacy in (False, True):
        name = "add_addr.hmac_legacy" if legacy else "add_addr.hmac_bad"
        cap, f = new(name)
        handshake_v1(cap, f)
        right, left = add_addr_hmac(KEY_B, KEY_A, 1, [198, 51, 100, 2])
        cap.expect(f.send("s", ACK, o.add_addr_v1(1, [198, 51, 100, 2],
                                                  hmac=left if legacy else right ^ 1)),
                   name, "left-most 64 bits" if legacy else "HMAC off by one bit")
        write(cap, out, "rule-" + name, "ADD_ADDR with a wrong truncated HMAC")

    cap, f = new("fastclose.key_bad")
    handshake_v1(cap, f)
    cap.expect(f.send("c", ACK | RST, o.fastclose(KEY_A) + o.tcprst(1)), "fastclose.key_bad",
               "client sends its own key instead of the server's")
    write(cap, out, "rule-fastclose.key_bad", "MP_FASTCLOSE with the sender's key")

    data = payload_bytes(1000, 9)
    cap, f = new("dss.checksum_bad")
    handshake_v1(cap, f, csum=True)
    good = dss_csum(ia + 1, 1, 1000, data)
    opts = o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=1000, csum=good)
    f.send("c", ACK, opts, data[:600])
    changed = data[600:700] + bytes([data[700] ^ 0x20]) + data[701:]
    cap.expect(f.send("c", ACK | PSH, opts, changed), "dss.checksum_bad",
               "one payload byte changed in flight; verdict on the segment completing it")
    write(cap, out, "rule-dss.checksum_bad", "payload rewritten by a middlebox")

    cap, f = new("dss.checksum_missing")
    handshake_v1(cap, f, csum=True)
    cap.expect(f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1,
                                       length=100), data[:100]),
               "dss.checksum_missing", "negotiated, absent")
    write(cap, out, "rule-dss.checksum_missing", "mapping without the negotiated checksum")

    cap, f = new("dss.checksum_unexpected")
    handshake_v1(cap, f)
    cap.expect(f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1,
                                       length=100, csum=dss_csum(ia + 1, 1, 100, data[:100])),
                      data[:100]), "dss.checksum_unexpected", "not negotiated, present")
    write(cap, out, "rule-dss.checksum_unexpected", "checksum nobody negotiated")

    cap, f = new("dss.mapping_missing")
    handshake_v1(cap, f)
    f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=100),
           data[:100])
    cap.expect(f.send("c", ACK, o.dss(ack=ib + 1, ack64=True), data[100:200]),
               "dss.mapping_missing", "new bytes, DSS without mapping")
    write(cap, out, "rule-dss.mapping_missing", "data no mapping covers")

    cap, f = new("dss.mapping_conflict")
    handshake_v1(cap, f)
    f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=100),
           data[:100])
    cap.expect(f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 51, dsn64=True, ssn=1,
                                       length=100), data[:100], seq=1001),
               "dss.mapping_conflict", "the same subflow bytes mapped to other DSNs")
    write(cap, out, "rule-dss.mapping_conflict", "a mapping changed after it was sent")

    cap, f = new("dss.ack_unsent")
    handshake_v1(cap, f)
    f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=100),
           data[:100])
    cap.expect(f.send("s", ACK, o.dss(ack=ia + 1 + 500, ack64=True)), "dss.ack_unsent",
               "acknowledges 400 bytes never sent")
    write(cap, out, "rule-dss.ack_unsent", "DATA_ACK beyond the data sent")

    cap, f = new("dss.data_fin_invalid")
    handshake_v1(cap, f)
    cap.expect(f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=7,
                                       length=1, fin=True)), "dss.data_fin_invalid",
               "data-less DATA_FIN with SSN 7")
    write(cap, out, "rule-dss.data_fin_invalid", "DATA_FIN mapped with a non-zero SSN")

    cap, f = new("middlebox.coalesced")
    handshake_v1(cap, f)
    f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=100),
           data[:100])
    f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 101, dsn64=True, ssn=101,
                           length=100), data[100:200])
    cap.expect(f.send("c", ACK, o.dss(ack=ib + 1, ack64=True), data[50:150], seq=1051),
               "middlebox.coalesced", "one segment with bytes of two mappings")
    write(cap, out, "rule-middlebox.coalesced", "segments merged in flight")

    cap, f = new("middlebox.mapping_off_segment")
    handshake_v1(cap, f)
    frame = f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=90001,
                                    length=100), data[:100])
    cap.expect(frame, "middlebox.mapping_off_segment", "mapping far from its segment")
    cap.expect(frame, "dss.mapping_missing", "so the segment's own bytes are unmapped")
    write(cap, out, "rule-middlebox.mapping_off_segment", "subflow sequence numbers rewritten")

    cap, f = new("connection.fallback")
    frame = cap.handshake(f, (1, 0x01, []), None, None,
                          why="version 1: the SYN's offer; no keys and no checksum "
                              "negotiation without the SYN/ACK's MP_CAPABLE")[1][1]
    cap.expect(frame, "connection.fallback", "server without MPTCP")
    f.send("c", ACK | PSH, b"", data[:100])
    write(cap, out, "rule-connection.fallback", "server answers without MP_CAPABLE")

    # MP_FAIL and infinite mapping after a checksum failure (RFC 8684 3.7).
    cap, f = new("mp_fail-infinite-mapping")
    conn = handshake_v1(cap, f, csum=True)
    opts = o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=100, csum=0x1234)
    cap.expect(f.send("c", ACK, opts, data[:100]), "dss.checksum_bad", "wrong checksum")
    cap.expect(f.send("s", ACK, o.mp_fail(ia + 1)), "connection.fallback", "MP_FAIL")
    conn.fallback = FALLBACK_MP_FAIL
    conn.why = "MP_FAIL is the reason, not the infinite mapping that follows it"
    f.send("c", ACK, o.dss(ack=ib + 1, ack64=True, dsn=ia + 1, dsn64=True, ssn=1, length=0,
                           csum=0), data[:100], seq=1001)
    write(cap, out, "rule-mp_fail-infinite-mapping", "checksum failure, MP_FAIL, fallback")


def option_captures(out):
    """Option syntax: malformed lengths, unknown and experimental subtypes (v1 and v0)."""
    cap = Capture(os.path.join(out, "option-syntax.pcap"))
    f = Flow(cap, "192.0.2.1", "198.51.100.1", 40001, PORT, 1000, 5000)
    handshake_v1(cap, f)
    cases = [
        (bytes([30, 13, 0x01, 0x01]) + bytes(9), "option.malformed", "MP_CAPABLE v1 length 13"),
        (bytes([30, 13, 0x10, 0]) + bytes(9), "option.malformed", "MP_JOIN length 13"),
        (bytes([30, 8, 0x20, 0x05]) + bytes(4), "option.malformed", "DSS shorter than flags"),
        (bytes([30, 17, 0x30, 1]) + bytes(13), "option.malformed", "ADD_ADDR v1 length 17"),
        (bytes([30, 3, 0x40]), "option.malformed", "REMOVE_ADDR without ids"),
        (bytes([30, 4, 0x51, 1]), "option.malformed", "MP_PRIO length 4 in v1"),
        (bytes([30, 11, 0x60, 0]) + bytes(7), "option.malformed", "MP_FAIL length 11"),
        (bytes([30, 13, 0x70, 0]) + bytes(9), "option.malformed", "MP_FASTCLOSE length 13"),
        (bytes([30, 5, 0x80, 1, 0]), "option.malformed", "MP_TCPRST length 5"),
        (bytes([30, 2]), "option.malformed", "length 2: no subtype"),
        (bytes([30, 0]), "option.malformed", "length 0"),
        (bytes([30, 255, 0x20, 0]), "option.malformed", "length 255 past the block"),
        (bytes([1, 1, 1, 30]), "option.malformed", "block ends after the kind byte"),
        (bytes([30, 3, 0x90]), "option.unknown_subtype", "subtype 0x9"),
        (bytes([30, 4, 0xe0, 0]), "option.unknown_subtype", "subtype 0xe"),
        (bytes([30, 3, 0xf0]), "option.experimental", "MP_EXPERIMENTAL, 3 bytes"),
        (bytes([30, 10, 0xf0]) + b"private", "option.experimental", "MP_EXPERIMENTAL, 10 bytes"),
    ]
    for opts, rule, why in cases:
        cap.expect(f.send("c", ACK, opts), rule, why)
    # v0: MP_CAPABLE lengths 4 and 22 do not exist, and MP_TCPRST is not a v0 subtype.
    g = Flow(cap, "192.0.2.1", "198.51.100.1", 40002, PORT, 3000, 4000)
    handshake_v0(cap, g)
    cap.expect(g.send("c", ACK, bytes([30, 4, 0x00, 0x01])), "option.malformed",
               "MP_CAPABLE v0 length 4")
    cap.expect(g.send("c", ACK, bytes([30, 22, 0x00, 0x01]) + bytes(18)), "option.malformed",
               "MP_CAPABLE v0 length 22")
    cap.expect(g.send("c", ACK | RST, o.tcprst(1)), "option.unknown_subtype",
               "MP_TCPRST in a v0 connection")
    write(cap, out, "option-syntax", "every subtype with an illegal length; unknown and "
          "experimental subtypes")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "captures", "crafted")
    os.makedirs(out, exist_ok=True)
    seed000(out)
    seed001(out)
    v1_full(out)
    dsn32_wrap(out)
    rule_captures(out)
    option_captures(out)


if __name__ == "__main__":
    main()
