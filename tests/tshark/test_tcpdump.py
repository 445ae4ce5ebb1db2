"""tcpdump's MPTCP printer (print-mptcp.c) next to mptcpv: a differential test.

tcpdump -n -tt -v prints every packet of a capture in file order (a packet's first line
starts with its timestamp; -v adds indented continuation lines), so the N-th packet is frame
N. Its TCP printer shows every kind-30 option as 'mptcp <length> <subtype> <values>'. The
test parses those values for every option of every frame of every capture (the repo's
crafted and kernel captures and ../shared/captures/external) and compares them with the
same frames' mptcpv fields (mptcpvtest.Tshark.fields, every occurrence, in tree order):
option subtype and length; MP_CAPABLE version, checksum flag and keys; MP_JOIN backup flag,
address id, token, nonce, truncated HMAC and HMAC; DSS DATA_FIN flag, DATA_ACK, DSN (raw,
32 or 64 bits as on the wire), subflow sequence number, data-level length and checksum;
ADD_ADDR IPVer (v0) or echo flag (v1), address id, address, port and HMAC; REMOVE_ADDR ids;
MP_PRIO backup flag and address id; MP_FAIL DSN; MP_FASTCLOSE key; and every TCP packet's
IP addresses and ports. tcpdump -vv prints no more MPTCP detail than -v (print-mptcp.c
never looks at the verbosity).

Per frame and per field, the values of all options of one subtype are compared as ordered
lists. tcpdump keeps no per-connection state, and it stops printing a segment's options at
the first one it rejects ('[bad opt]') or that was not captured ('[|tcp]'): the options
from there on are compared only through DIFFERENCES below. Every disagreement is either
listed there, with the RFC section and which side is right, and recognised by an exact
check, or fails the test. docs/tcpdump-differential.md has the counts and verdicts.

Debian 12's tcpdump 4.99.3 prints no MP_TCPRST fields (subtype 8 is 'unknown') and no
MP_CAPABLE data-level length. The parser also reads tcpdump master's forms ('tcprst flags
[T] reason ...', '{key,key,data_len=N}', 'flags [AH]'): with a newer tcpdump
(MPTCPV_TCPDUMP=/path/to/tcpdump) those fields are compared too.
"""
import collections
import ipaddress
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import mptcpvtest as m

TCPDUMP = os.environ.get("MPTCPV_TCPDUMP") or "tcpdump"

SUBTYPES = {"capable": 0, "join": 1, "dss": 2, "add-addr": 3, "rem-addr": 4, "prio": 5,
            "fail": 6, "fast-close": 7, "tcprst": 8}
TCPRST_REASONS = {"Unspecified error": 0, "MPTCP-specific error": 1, "Lack of resources": 2,
                  "Administratively prohibited": 3, "Too much outstanding data": 4,
                  "Unacceptable performance": 5, "Middlebox interference": 6}

# mptcpv fields compared, with how tshark prints them ('int': any base, 'bool', 'addr',
# 'bytes': hex). Each parsed tcpdump value is keyed by the mptcpv field it is compared to.
FIELDS = collections.OrderedDict([
    ("mptcpv.mpc.version", "int"),
    ("mptcpv.mpc.flags.checksum", "bool"),
    ("mptcpv.mpc.flags", "int"),
    ("mptcpv.mpc.sender_key", "int"),
    ("mptcpv.mpc.receiver_key", "int"),
    ("mptcpv.mpc.data_len", "int"),
    ("mptcpv.join.backup", "bool"),
    ("mptcpv.join.addr_id", "int"),
    ("mptcpv.join.token", "int"),
    ("mptcpv.join.nonce", "int"),
    ("mptcpv.join.trunc_hmac", "int"),
    ("mptcpv.join.hmac", "bytes"),
    ("mptcpv.dss.flags.data_fin", "bool"),
    ("mptcpv.dss.data_ack", "int"),
    ("mptcpv.dss.dsn", "int"),
    ("mptcpv.dss.ssn", "int"),
    ("mptcpv.dss.data_len", "int"),
    ("mptcpv.dss.checksum", "int"),
    ("mptcpv.add_addr.ipver", "int"),
    ("mptcpv.add_addr.echo", "bool"),
    ("mptcpv.add_addr.addr_id", "int"),
    ("mptcpv.add_addr.ipv4", "addr"),
    ("mptcpv.add_addr.ipv6", "addr"),
    ("mptcpv.add_addr.port", "int"),
    ("mptcpv.add_addr.hmac", "int"),
    ("mptcpv.remove_addr.addr_id", "int"),
    ("mptcpv.prio.backup", "bool"),
    ("mptcpv.prio.addr_id", "int"),
    ("mptcpv.fail.dsn", "int"),
    ("mptcpv.fastclose.receiver_key", "int"),
    ("mptcpv.tcprst.flags", "int"),
    ("mptcpv.tcprst.reason", "int"),
])
SUBTYPE_OF_FIELD = {"mpc": 0, "join": 1, "dss": 2, "add_addr": 3, "remove_addr": 4,
                    "prio": 5, "fail": 6, "fastclose": 7, "tcprst": 8}
# Printed by tcpdump 4.99 whenever the option has them; the others only by tcpdump master.
TCPDUMP_PRINTS = set(FIELDS) - {"mptcpv.mpc.flags", "mptcpv.mpc.data_len",
                                "mptcpv.tcprst.flags", "mptcpv.tcprst.reason"}
PACKET_FIELDS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport"]
OTHER_FIELDS = ["mptcpv.subtype", "mptcpv.length", "mptcpv.rule", "mptcpv.version"]

# Every kind of disagreement between tcpdump's printer and mptcpv: who is right and why
# (RFC section; see also shared/anchors.md). 'tcpdump' entries are tcpdump limitations or
# bugs (mptcpv right); 'plugin' entries are mptcpv bugs, owned by plugin/ and core/, kept
# here as expected failures until fixed. Each is recognised by an exact check in
# Differential.classify_*; 'corpus' says whether the bundled and shared captures show it
# (else only the generated edge-case capture does). A fix on either side makes an entry
# stale, and the test says so.
DIFFERENCES = {
    "mpc-24-rejected": ("tcpdump", "corpus", (
        "tcpdump 4.99's mp_capable_print() accepts a non-SYN MP_CAPABLE of length 20 or 22 "
        "only, so the 24-byte form (third ACK with data and DSS checksum, RFC 8684 3.1 "
        "Fig. 4, sent by Linux when checksums are negotiated) is printed 'capable[bad opt]', "
        "and the segment's later options are not printed at all. mptcpv decodes its keys, "
        "data-level length and checksum: right. Fixed in tcpdump master (3ae3f2c6), in no "
        "4.99 release.")),
    "stateless-version": ("tcpdump", "corpus", (
        "tcpdump keeps no per-connection state, so it accepts a form that only the other "
        "protocol version defines: a 4-byte MP_PRIO (v0 form with an address id, RFC 6824 "
        "3.3.8) in a v1 connection (RFC 8684 3.3.8: 3 bytes only); a 22- or 24-byte "
        "MP_CAPABLE with version 0 (RFC 6824 3.1: 12 or 20 bytes); a v0 ADD_ADDR (IPVer "
        "nibble, no HMAC) in a v1 connection or a v1 ADD_ADDR in a v0 connection (RFC 8684 "
        "3.4.1 vs RFC 6824 3.4.1 lengths). mptcpv knows the connection's version, reports "
        "option.malformed and decodes no field of the option: right.")),
    "add-addr-family-from-length": ("tcpdump", "edge", (
        "tcpdump picks an ADD_ADDR's address family from the option length alone and prints "
        "a v0 option whose IPVer nibble contradicts it (IPVer 4 with 20 bytes: "
        "'v0-ip4 ... ::'). RFC 6824 3.4.1: IPVer 4 has 8 or 10 bytes, IPVer 6 20 or 22. "
        "mptcpv reports option.malformed: right.")),
    "add-addr-echo-hmac": ("tcpdump", "edge", (
        "tcpdump prints an HMAC for every ADD_ADDR of 16, 18, 28 or 30 bytes, also when the "
        "echo flag is set. RFC 8684 3.4.1: an echo (E=1) carries no HMAC (8, 10, 20 or 22 "
        "bytes). mptcpv reports option.malformed: right.")),
    "tcprst-unchecked": ("tcpdump", "corpus", (
        "tcpdump 4.99 has no MP_TCPRST printer: subtypes 8 to 15 are printed 'unknown' with "
        "no field and no length check, so an MP_TCPRST of 5 bytes passes as 'mptcp 5 "
        "unknown'. RFC 8684 3.6: MP_TCPRST is 4 bytes; mptcpv reports option.malformed: "
        "right. tcpdump master (1ac47641) rejects it too.")),
    "dss-on-syn": ("tcpdump", "edge", (
        "tcpdump refuses to print a DSS on a SYN ('dss[bad opt]'); mptcpv decodes it and "
        "reports nothing. RFC 8684 3.3 defines DSS for data transfer on an established "
        "subflow (the subflow sequence number is relative to the SYN) but states no length "
        "or placement rule for it, and no mptcpv rule covers it: not counted against either "
        "side; noted in docs/tcpdump-differential.md.")),
}
AGREED_MALFORMED = "agreed-malformed"  # both reject the option: an agreement


class TcpdumpFormatError(AssertionError):
    pass


def tcpdump_version():
    proc = subprocess.run([TCPDUMP, "--version"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, check=False)
    found = re.search(r"tcpdump version (\S+)", proc.stdout.decode("utf-8", "replace"))
    return found.group(1) if found else "?"


def run_tcpdump(capture):
    """tcpdump -n -tt -v on |capture| (read on stdin: no privilege or path question)."""
    with open(capture, "rb") as f:
        proc = subprocess.run([TCPDUMP, "-n", "-tt", "-v", "-r", "-"], stdin=f,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300,
                              check=False, env=dict(os.environ, LC_ALL="C"))
    if proc.returncode != 0:
        raise AssertionError("tcpdump failed on %s (%d): %s"
                             % (capture, proc.returncode, proc.stderr.decode()))
    return proc.stdout.decode("utf-8", "replace")


PACKET_START = re.compile(r"^\d+\.\d{6,9} ")
TCP_HEADER = re.compile(r"(\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]")


def split_packets(text):
    """One string per packet: its first line and its indented continuation lines."""
    packets = []
    for line in text.splitlines():
        if PACKET_START.match(line):
            packets.append(line)
        elif packets:
            packets[-1] += "\n" + line
        else:
            raise TcpdumpFormatError("output does not start with a timestamp: %r" % line)
    return packets


def split_options(text):
    """The TCP options after 'options [' -> (list of option strings, how the list ended:
    'ok', 'bad' (the last one was rejected: '[bad opt]') or 'trunc' ('[|tcp]'))."""
    opts, cur, depth, i = [], "", 0, 0
    while i < len(text):
        if text.startswith("[bad opt]", i):
            opts.append(cur + "[bad opt]")
            return opts, "bad"
        if text.startswith("[|tcp]", i):
            if cur.strip():
                opts.append(cur)
            return opts, "trunc"
        c = text[i]
        if c in "{[":
            depth += 1
        elif c in "}]":
            if depth == 0:
                opts.append(cur)
                return opts, "ok"
            depth -= 1
        elif c == "," and depth == 0:
            opts.append(cur)
            cur, i = "", i + 1
            continue
        cur += c
        i += 1
    raise TcpdumpFormatError("options list not closed: %r" % text)


HEX = r"([0-9a-f]+)"
CAPABLE_RE = re.compile(r"^ (?:v(\d+)|Unknown Version \((\d+)\))(?: flags \[([A-H]+|none)\])?"
                        r"( csum)?(?: \{0x" + HEX + r"(?:,0x" + HEX + r")?"
                        r"(?:,data_len=(\d+))?\})?$")
JOIN_SYN_RE = re.compile(r"^( backup)? id (\d+) token 0x" + HEX + " nonce 0x" + HEX + "$")
JOIN_SYNACK_RE = re.compile(r"^( backup)? id (\d+) hmac 0x" + HEX + " nonce 0x" + HEX + "$")
JOIN_ACK_RE = re.compile(r"^ hmac 0x([0-9a-f]{40})$")
DSS_RE = re.compile(r"^( fin)?(?: ack (\d+))?(?: seq (\d+) subseq (\d+) len (\d+)"
                    r"(?: csum 0x" + HEX + r")?)?$")
ADD_ADDR_RE = re.compile(r"^ (v0-ip6|v0-ip4|v1-echo|v1|\[bad version/echo\]) id (\d+) (\S+)"
                         r"(?: hmac 0x" + HEX + ")?$")
REM_ADDR_RE = re.compile(r"^ id((?: \d+)+)$")
PRIO_RE = re.compile(r"^ (backup|non-backup)(?: id (\d+))?$")
FAIL_RE = re.compile(r"^ seq (\d+)$")
FASTCLOSE_RE = re.compile(r"^ key 0x" + HEX + "$")
TCPRST_RE = re.compile(r"^ flags \[([UVWT]+|none)\] reason (.+)$")


def letters_to_bits(text, alphabet):
    """tcpdump master's 'flags [AH]' (bittok2str, most significant letter first)."""
    if text == "none":
        return 0
    return sum(1 << (len(alphabet) - 1 - alphabet.index(c)) for c in text)


def parse_mptcp_option(text):
    """One 'mptcp ...' option string -> dict: subtype (0-8, 'unknown' or None if not
    printed), length (None if not printed), bad (tcpdump rejected it), values {mptcpv field:
    [values]}, unprinted (fields tcpdump leaves out for this option)."""
    bad = text.endswith("[bad opt]")
    if bad:
        text = text[:-len("[bad opt]")]
    found = re.match(r"^mptcp(?: (\d+) (capable|join|dss|add-addr|rem-addr|prio|fail|"
                     r"fast-close|tcprst|unknown))?(.*)$", text, re.S)
    if not found or (found.group(1) is None and (found.group(3) or not bad)):
        raise TcpdumpFormatError("unparsed MPTCP option %r" % text)
    opt = {"subtype": None, "length": None, "bad": bad, "values": {}, "text": text,
           "unprinted": set()}
    if found.group(1) is None:
        return opt  # 'mptcp[bad opt]': a length below 3
    opt["length"] = length = int(found.group(1))
    name, rest = found.group(2), found.group(3)
    opt["subtype"] = SUBTYPES.get(name, "unknown")
    if bad:
        return opt  # partly printed, then rejected: none of its values is compared
    v = opt["values"]

    def put(field, value):
        v.setdefault(field, []).append(value)

    def need(regex):
        got = regex.match(rest)
        if not got:
            raise TcpdumpFormatError("unparsed MPTCP %s option %r" % (name, text))
        return got

    if name == "capable":
        g = need(CAPABLE_RE)
        put("mptcpv.mpc.version", int(g.group(1) if g.group(1) is not None else g.group(2)))
        if g.group(1) is None:
            # 'Unknown Version (N)' ends the printing: flags and keys are left out.
            opt["unprinted"] = {"mptcpv.mpc.flags", "mptcpv.mpc.flags.checksum",
                                "mptcpv.mpc.sender_key", "mptcpv.mpc.receiver_key",
                                "mptcpv.mpc.data_len"}
        else:
            if g.group(3) is not None:
                put("mptcpv.mpc.flags", letters_to_bits(g.group(3), "ABCDEFGH"))
            put("mptcpv.mpc.flags.checksum", 1 if g.group(4) else 0)
        if g.group(5) is not None:
            put("mptcpv.mpc.sender_key", int(g.group(5), 16))
        if g.group(6) is not None:
            put("mptcpv.mpc.receiver_key", int(g.group(6), 16))
        if g.group(7) is not None:
            put("mptcpv.mpc.data_len", int(g.group(7)))
    elif name == "join":
        if length == 12:
            g = need(JOIN_SYN_RE)
            put("mptcpv.join.backup", 1 if g.group(1) else 0)
            put("mptcpv.join.addr_id", int(g.group(2)))
            put("mptcpv.join.token", int(g.group(3), 16))
            put("mptcpv.join.nonce", int(g.group(4), 16))
        elif length == 16:
            g = need(JOIN_SYNACK_RE)
            put("mptcpv.join.backup", 1 if g.group(1) else 0)
            put("mptcpv.join.addr_id", int(g.group(2)))
            put("mptcpv.join.trunc_hmac", int(g.group(3), 16))
            put("mptcpv.join.nonce", int(g.group(4), 16))
        else:
            put("mptcpv.join.hmac", need(JOIN_ACK_RE).group(1))
    elif name == "dss":
        g = need(DSS_RE)
        put("mptcpv.dss.flags.data_fin", 1 if g.group(1) else 0)
        if g.group(2) is not None:
            put("mptcpv.dss.data_ack", int(g.group(2)))
        if g.group(3) is not None:
            put("mptcpv.dss.dsn", int(g.group(3)))
            put("mptcpv.dss.ssn", int(g.group(4)))
            put("mptcpv.dss.data_len", int(g.group(5)))
        if g.group(6) is not None:
            put("mptcpv.dss.checksum", int(g.group(6), 16))
    elif name == "add-addr":
        g = need(ADD_ADDR_RE)
        kind = g.group(1)
        if kind.startswith("v0-ip"):
            put("mptcpv.add_addr.ipver", int(kind[-1]))
        elif kind.startswith("v1"):
            put("mptcpv.add_addr.echo", 1 if kind == "v1-echo" else 0)
        else:
            # The low nibble is none of 0, 1, 4, 6 (a v1 reserved bit is set): tcpdump
            # prints '[bad version/echo]' instead of the E flag.
            opt["unprinted"] = {"mptcpv.add_addr.echo", "mptcpv.add_addr.ipver"}
        opt["kind"] = kind
        put("mptcpv.add_addr.addr_id", int(g.group(2)))
        addr = g.group(3)
        if length in (10, 18, 22, 30):  # tcpdump picks family and port by length alone
            addr, port = addr.rsplit(":", 1)
            put("mptcpv.add_addr.port", int(port))
        if length in (8, 10, 16, 18):
            put("mptcpv.add_addr.ipv4", ipaddress.IPv4Address(addr))
        else:
            put("mptcpv.add_addr.ipv6", ipaddress.IPv6Address(addr))
        if g.group(4) is not None:
            put("mptcpv.add_addr.hmac", int(g.group(4), 16))
    elif name == "rem-addr":
        for i in need(REM_ADDR_RE).group(1).split():
            put("mptcpv.remove_addr.addr_id", int(i))
    elif name == "prio":
        g = need(PRIO_RE)
        put("mptcpv.prio.backup", 1 if g.group(1) == "backup" else 0)
        if g.group(2) is not None:
            put("mptcpv.prio.addr_id", int(g.group(2)))
    elif name == "fail":
        put("mptcpv.fail.dsn", int(need(FAIL_RE).group(1)))
    elif name == "fast-close":
        put("mptcpv.fastclose.receiver_key", int(need(FASTCLOSE_RE).group(1), 16))
    elif name == "tcprst":
        g = need(TCPRST_RE)
        put("mptcpv.tcprst.flags", letters_to_bits(g.group(1), "UVWT"))
        reason = g.group(2)
        unknown = re.match(r"^unknown \(0x([0-9a-f]{2})\)$", reason)
        put("mptcpv.tcprst.reason", int(unknown.group(1), 16) if unknown
            else TCPRST_REASONS[reason])
    elif rest:
        raise TcpdumpFormatError("unparsed MPTCP option %r" % text)
    return opt


def parse_packet(text):
    """One packet's tcpdump text -> None (no TCP header printed) or a dict: src, sport,
    dst, dport, syn, ack (TCP flags), options (parsed MPTCP options in order), stop (index
    in options of the first MPTCP option tcpdump did not print completely, len(options)
    when it stopped after the last one, None when every option was printed)."""
    header = TCP_HEADER.search(text)
    if not header:
        return None
    pkt = {"src": header.group(1), "sport": int(header.group(2)), "dst": header.group(3),
           "dport": int(header.group(4)), "syn": "S" in header.group(5),
           "ack": "." in header.group(5), "options": [], "stop": None}
    rest = text[header.end():]
    start = rest.find(", options [")
    # The options list follows the header on the same line ('length N' comes after it).
    if start < 0 or "\n" in rest[:start]:
        return pkt
    opts, end = split_options(rest[start + len(", options ["):])
    for o in opts:
        if o.startswith("mptcp"):
            parsed = parse_mptcp_option(o)
            if parsed["bad"] and pkt["stop"] is None:
                pkt["stop"] = len(pkt["options"])
            pkt["options"].append(parsed)
    if end != "ok" and pkt["stop"] is None:
        pkt["stop"] = len(pkt["options"])
    return pkt


def normalize(kind, value):
    if kind == "bool":
        return 1 if value in ("1", "True", "true") else 0
    if kind == "addr":
        return ipaddress.ip_address(value)
    if kind == "bytes":
        return value.replace(":", "").lower()
    return int(value, 0)


class Differential(m.TsharkTestCase):
    """Per frame, on every capture: tcpdump's and mptcpv's values of every MPTCP option
    agree, except for the DIFFERENCES, each checked to be exactly that."""

    @classmethod
    def setUpClass(cls):
        if shutil.which(TCPDUMP) is None:
            raise unittest.SkipTest("tcpdump is not installed")
        super().setUpClass()
        cls.version = tcpdump_version()
        cls.old = cls.version.startswith("4.")  # no MP_TCPRST, no 24-byte MP_CAPABLE

    def check_capture(self, capture, counts, seen, per_frame=None):
        """Compare one capture; returns the number of values compared. |seen| counts the
        DIFFERENCES met (and agreed-malformed frames); per_frame, if a dict, gets the set
        of DIFFERENCES met per frame."""
        name = os.path.basename(capture)
        packets = split_packets(run_tcpdump(capture))
        rows = self.tshark.fields(capture, PACKET_FIELDS + OTHER_FIELDS + list(FIELDS))
        self.assertEqual(len(packets), len(rows), "%s: tcpdump printed %d packets, tshark "
                         "%d frames" % (name, len(packets), len(rows)))
        compared = 0
        for frame, text in enumerate(packets, 1):
            where = "%s frame %d" % (name, frame)
            row = rows[frame]
            pkt = parse_packet(text)
            if pkt is None:
                self.assertEqual(row["mptcpv.subtype"], [],
                                 "%s: MPTCP options, tcpdump printed no TCP header" % where)
                continue
            if len(row["tcp.srcport"]) == 1:
                compared += self.check_packet(where, row, pkt, counts)
            # (A kind-30 option too short to have a length or subtype is still one that
            # tcpdump stops at and mptcpv calls malformed.)
            if (pkt["options"] or row["mptcpv.subtype"] or row["mptcpv.length"] or
                    (pkt["stop"] is not None and "option.malformed" in row["mptcpv.rule"])):
                met = collections.Counter()
                compared += self.check_options(where, row, pkt, counts, met)
                seen.update(met)
                if per_frame is not None:
                    per_frame[frame] = set(met)
        return compared

    def check_packet(self, where, row, pkt, counts):
        """The packet's IP addresses and TCP ports."""
        family = "ipv6" if row["ipv6.src"] else "ip"
        ours = [ipaddress.ip_address(row[family + ".src"][0]),
                ipaddress.ip_address(row[family + ".dst"][0]),
                int(row["tcp.srcport"][0]), int(row["tcp.dstport"][0])]
        theirs = [ipaddress.ip_address(pkt["src"]), ipaddress.ip_address(pkt["dst"]),
                  pkt["sport"], pkt["dport"]]
        self.assertEqual(ours, theirs, "%s: addresses and ports: tshark %s, tcpdump %s"
                         % (where, ours, theirs))
        counts["IP addresses and TCP ports"] += 4
        return 4

    def check_options(self, where, row, pkt, counts, met):
        compared = 0

        def agree(label, ours, theirs):
            nonlocal compared
            self.assertEqual(ours, theirs, "%s: %s: mptcpv %s, tcpdump %s"
                             % (where, label, ours, theirs))
            counts[label] += len(ours)
            compared += len(ours)

        opts, stop = pkt["options"], pkt["stop"]
        ours_subtypes = [int(s, 0) for s in row["mptcpv.subtype"]]
        ours_lengths = [int(s) for s in row["mptcpv.length"]]
        malformed = "option.malformed" in row["mptcpv.rule"]
        printed = opts if stop is None else opts[:stop]
        theirs_subtypes = [o["subtype"] for o in printed]
        # tcpdump 4.99 prints 'unknown' for subtypes 8 (MP_TCPRST) to 15.
        ours_named = ["unknown" if s >= 8 and t == "unknown" else s
                      for s, t in zip(ours_subtypes, theirs_subtypes)]
        if stop is None and not malformed:
            agree("subtype", ours_named + ours_subtypes[len(printed):], theirs_subtypes)
            agree("option length", ours_lengths, [o["length"] for o in opts])
            compared_subtypes = set(ours_subtypes)
        elif stop is not None:
            self.classify_stop(where, row, pkt, ours_subtypes, ours_lengths, malformed, met)
            # The options tcpdump printed before it stopped; the values of a subtype are
            # compared if none of its options comes at or after the stop.
            agree("subtype", ours_named[:len(printed)], theirs_subtypes)
            agree("option length", ours_lengths[:len(printed)],
                  [o["length"] for o in printed])
            later = set(ours_subtypes[len(printed):])
            compared_subtypes = set(ours_subtypes[:len(printed)]) - later
        else:
            odd = self.classify_accepted(where, row, pkt, ours_subtypes, ours_lengths, met)
            compared_subtypes = set(ours_subtypes) - odd

        for field, kind in FIELDS.items():
            if SUBTYPE_OF_FIELD[field.split(".")[1]] not in compared_subtypes:
                continue
            ours = [normalize(kind, v) for v in row[field]]
            theirs = [v for o in printed for v in o["values"].get(field, [])]
            if not theirs and field not in TCPDUMP_PRINTS:
                continue  # tcpdump 4.99 does not print this field
            if any(field in o["unprinted"] for o in printed):
                counts["not printed by tcpdump (unknown MP_CAPABLE version, ADD_ADDR "
                       "reserved bit)"] += len(ours)
                continue
            agree(field, ours, theirs)
        return compared

    def classify_stop(self, where, row, pkt, ours_subtypes, ours_lengths, malformed, met):
        """tcpdump stopped at an option; mptcpv must reject it too or the difference must be
        a listed one."""
        opts, stop = pkt["options"], pkt["stop"]
        rejected = opts[stop] if stop < len(opts) else None
        rules = row["mptcpv.rule"]
        if malformed:
            # Both reject: tcpdump stops at (or, with no name printed, before) the option
            # mptcpv calls malformed: same length and subtype where tcpdump printed them.
            if rejected is not None and rejected["length"] is not None:
                self.assertEqual(ours_lengths[stop:stop + 1], [rejected["length"]],
                                 "%s: the option tcpdump rejected" % where)
                if rejected["subtype"] != "unknown":
                    self.assertIn(rejected["subtype"], ours_subtypes, where)
            met[AGREED_MALFORMED] += 1
            return
        self.assertIsNotNone(rejected, "%s: tcpdump stopped, mptcpv found nothing "
                                       "malformed (%s)" % (where, ours_subtypes))
        self.assertEqual(ours_lengths[stop:stop + 1], [rejected["length"]], where)
        subtype, length = rejected["subtype"], rejected["length"]
        misplaced_rules = [r for r in rules if r.startswith("option.")]
        if subtype == 0 and length == 24 and not pkt["syn"] and self.old:
            # mpc-24-rejected: mptcpv decodes the 24-byte MP_CAPABLE with its data length.
            self.assertEqual(len(row["mptcpv.mpc.data_len"]), 1, where)
            self.assertEqual(len(row["mptcpv.mpc.receiver_key"]), 1, where)
            met["mpc-24-rejected"] += 1
        elif subtype == 2 and pkt["syn"] and not misplaced_rules:
            self.assertTrue(row["mptcpv.dss.flags.data_fin"], where)
            met["dss-on-syn"] += 1
        else:
            self.fail("%s: tcpdump rejected %r, mptcpv found subtypes %s, rules %s"
                      % (where, rejected["text"], ours_subtypes, rules))

    def classify_accepted(self, where, row, pkt, ours_subtypes, ours_lengths, met):
        """tcpdump printed every option, mptcpv found one malformed: the listed tcpdump
        limitations. Returns the subtypes whose values are not compared."""
        opts = pkt["options"]
        version = [int(v) for v in row["mptcpv.version"]]
        self.assertEqual(ours_lengths, [o["length"] for o in opts], where)
        odd = set()
        for i, o in enumerate(opts):
            st, length, values = o["subtype"], o["length"], o["values"]
            kind = o.get("kind", "")
            name = None
            if ((st == 5 and length == 4 and version == [1]) or
                    (st == 0 and length in (4, 22, 24) and
                     values.get("mptcpv.mpc.version") == [0]) or
                    (st == 3 and kind.startswith("v0") and version == [1]) or
                    (st == 3 and kind.startswith("v1") and version == [0])):
                name = "stateless-version"
            elif st == 3 and ((kind == "v0-ip4" and length in (20, 22)) or
                              (kind == "v0-ip6" and length in (8, 10))):
                name = "add-addr-family-from-length"
            elif st == 3 and kind == "v1-echo" and length in (16, 18, 28, 30):
                name = "add-addr-echo-hmac"
            elif st == "unknown" and ours_subtypes[i] == 8 and length != 4 and self.old:
                name = "tcprst-unchecked"
            if name:
                met[name] += 1
                odd.add(ours_subtypes[i])
        self.assertTrue(odd, "%s: mptcpv option.malformed, tcpdump accepted %s"
                        % (where, [o["text"] for o in opts]))
        for st in odd & set(range(8)):
            if ours_subtypes.count(st) == 1:
                prefix = "mptcpv.%s." % [k for k, v in SUBTYPE_OF_FIELD.items() if v == st][0]
                self.assertEqual([f for f in FIELDS if f.startswith(prefix) and row[f]], [],
                                 "%s: mptcpv decoded a malformed option" % where)
        return odd

    def test_values_agree(self):
        self.require_external()
        counts, seen, per_capture = collections.Counter(), collections.Counter(), {}
        for capture in m.all_captures():
            with self.subTest(capture=os.path.basename(capture)):
                per_capture[os.path.relpath(capture, os.path.dirname(m.SOURCE_DIR))] = \
                    self.check_capture(capture, counts, seen)
        total = sum(per_capture.values())
        print("\ntcpdump %s differential: %d values agree on %d captures"
              % (self.version, total, len(per_capture)), file=sys.stderr)
        for capture, n in sorted(per_capture.items()):
            print("  %7d  %s" % (n, capture), file=sys.stderr)
        for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            print("  %7d  %s" % (n, label), file=sys.stderr)
        print("  differences met: %s" % dict(seen), file=sys.stderr)
        self.assertGreater(total, 100000)
        self.assertEqual([n for n in seen if n != AGREED_MALFORMED and
                          DIFFERENCES[n][1] != "corpus"], [], "edge-only difference in corpus")
        if m.repo_captures() and self.old:
            for name, (_, where, _) in DIFFERENCES.items():
                if where == "corpus":
                    self.assertGreater(seen[name], 0, "difference %s no longer seen" % name)

    def craft_modules(self):
        craft_dir = os.path.join(m.SOURCE_DIR, "tests", "craft")
        if not os.path.exists(os.path.join(craft_dir, "craft.py")):
            self.skipTest("tests/craft absent")
        sys.path.insert(0, craft_dir)
        try:
            import craft
            import options
        finally:
            sys.path.remove(craft_dir)
        return craft, options

    def test_generated_coverage(self):
        """The corpus has no ADD_ADDR with a port or an IPv6 address, no v0 MP_PRIO with an
        address id, no 32-bit DATA_ACK next to a 64-bit DSN, no REMOVE_ADDR of several ids,
        no MP_JOIN SYN/ACK with the backup flag: one capture with all of them is written
        here with tests/craft's encoders (v1 over IPv6, v0 over IPv4 with checksums), and
        tcpdump and mptcpv must agree on every value, with no difference met."""
        craft, o = self.craft_modules()
        ka, kb, ack = craft.KEY_A, craft.KEY_B, craft.ACK
        a6, b6 = "2001:db8::1", "2001:db8::2"
        extra6 = ipaddress.IPv6Address("2001:db8:1::2").packed
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "tcpdump-coverage.pcap")
            cap = craft.Capture(path)
            # v1 over IPv6: ADD_ADDR in every IPv6 and port form, echoes, DSS variants.
            f = craft.Flow(cap, a6, b6, 40020, craft.PORT, 100, 200)
            craft.handshake_v1(cap, f)
            ia, ib = craft.idsn(1, ka), craft.idsn(1, kb)
            h28, _ = craft.add_addr_hmac(kb, ka, 2, extra6)
            f.send("s", ack, o.add_addr_v1(2, extra6, hmac=h28))
            f.send("c", ack, o.add_addr_v1(2, extra6, echo=True))
            h30, _ = craft.add_addr_hmac(kb, ka, 3, extra6, 8080)
            f.send("s", ack, o.add_addr_v1(3, extra6, port=8080, hmac=h30))
            f.send("c", ack, o.add_addr_v1(3, extra6, port=8080, echo=True))
            h18, _ = craft.add_addr_hmac(kb, ka, 4, [198, 51, 100, 9], 443)
            f.send("s", ack, o.add_addr_v1(4, [198, 51, 100, 9], port=443, hmac=h18) +
                   o.NOP + o.NOP + o.dss(ack=ia + 1, ack64=True))
            f.send("c", ack, o.add_addr_v1(4, [198, 51, 100, 9], port=443, echo=True) +
                   o.NOP + o.NOP + o.dss(ack=ib + 1))
            data = craft.payload_bytes(300, 7)
            f.send("c", ack | craft.PSH,
                   o.dss(ack=ib + 1, dsn=ia + 1, dsn64=True, ssn=1, length=300), data)
            f.send("s", ack, o.dss(ack=ia + 301))
            f.send("s", ack, o.remove_addr([2, 3, 4]) + o.NOP)
            f.send("c", ack, o.dss(dsn=ia + 301, dsn64=True, ssn=0, length=1, fin=True))
            # A backup join answered with the backup flag; MP_PRIO; RST with FASTCLOSE and
            # MP_TCPRST (transient, reason 4).
            j = craft.Flow(cap, "2001:db8::3", b6, 40021, craft.PORT, 300, 400)
            j.send("c", craft.SYN, o.join_syn(5, craft.token(1, kb), craft.R_A, backup=True))
            hb = craft.join_hmac(1, kb, ka, craft.R_B, craft.R_A)
            j.send("s", craft.SYN | ack,
                   o.join_synack(0, struct.unpack("!Q", hb[:8])[0], craft.R_B, backup=True))
            j.send("c", ack, o.join_ack(craft.join_hmac(1, ka, kb, craft.R_A, craft.R_B)[:20]))
            j.send("c", ack, o.prio(True) + o.NOP)
            j.send("s", ack | craft.RST, o.fastclose(ka) + o.tcprst(4, transient=True))
            # v0 over IPv4 with checksums: ADD_ADDR v0 forms, MP_PRIO with an id, 32-bit
            # DSN and DATA_ACK, MP_FAIL.
            g = craft.Flow(cap, "192.0.2.30", "198.51.100.30", 40030, craft.PORT, 500, 600)
            craft.handshake_v0(cap, g, flags=0x81)
            ja, jb = craft.idsn(0, ka), craft.idsn(0, kb)
            g.send("s", ack, o.add_addr_v0(6, [198, 51, 100, 31], port=8443) + o.NOP +
                   o.NOP + o.dss(ack=ja + 1))
            g.send("s", ack, o.add_addr_v0(7, extra6))
            g.send("s", ack, o.add_addr_v0(8, extra6, port=9))
            data = craft.payload_bytes(200, 8)
            g.send("c", ack | craft.PSH,
                   o.dss(ack=jb + 1, dsn=ja + 1, ssn=1, length=200,
                         csum=craft.dss_csum(ja + 1, 1, 200, data)), data)
            g.send("s", ack, o.dss(ack=ja + 201, ack64=True))
            g.send("c", ack, o.prio(True, 6))
            g.send("s", ack, o.mp_fail(ja + 1) + o.dss(ack=ja + 201))
            # A SYN of a future version (RFC 8684 3.1: the responder answers with its own).
            k = craft.Flow(cap, "192.0.2.31", "198.51.100.30", 40031, craft.PORT, 700, 800)
            k.send("c", craft.SYN, o.mpc(2, 0x81))
            cap.close()
            os.chmod(path, 0o644)
            counts, seen = collections.Counter(), collections.Counter()
            compared = self.check_capture(path, counts, seen)
        self.assertEqual(dict(seen), {}, "no difference in this capture")
        expected = {"mptcpv.add_addr.ipv6": 6, "mptcpv.add_addr.ipv4": 3,
                    "mptcpv.add_addr.port": 6, "mptcpv.add_addr.hmac": 3,
                    "mptcpv.add_addr.echo": 6, "mptcpv.add_addr.ipver": 3,
                    "mptcpv.remove_addr.addr_id": 3, "mptcpv.prio.addr_id": 1,
                    "mptcpv.prio.backup": 2, "mptcpv.join.backup": 2, "mptcpv.fail.dsn": 1,
                    "mptcpv.fastclose.receiver_key": 1, "mptcpv.mpc.version": 7}
        self.assertEqual({f: counts[f] for f in expected}, expected)
        print("\ngenerated coverage capture: %d values agree" % compared, file=sys.stderr)

    def test_generated_edge_cases(self):
        """Options that tcpdump and mptcpv judge differently, one per frame, written with
        tests/craft's encoders: each frame must show exactly the difference listed for it
        (a plugin bug listed here that gets fixed shows up as a stale expectation)."""
        craft, o = self.craft_modules()
        ka, kb, syn, ack = craft.KEY_A, craft.KEY_B, craft.SYN, craft.ACK
        ib = craft.idsn(1, kb)
        expect = {}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "tcpdump-edge.pcap")
            cap = craft.Capture(path)

            def frame(flow, who, flags, opts, what, payload=b""):
                expect[flow.send(who, flags, opts, payload)] = (what, opts.hex())

            f = craft.Flow(cap, "192.0.2.1", "198.51.100.1", 40001, craft.PORT, 1000, 5000)
            craft.handshake_v1(cap, f)
            frame(f, "c", ack, o.mpc(1, 0x01, [ka]), AGREED_MALFORMED)
            frame(f, "c", ack, o.mpc(1, 0x01), AGREED_MALFORMED)
            frame(f, "c", ack, o.join_synack(1, 7, 8), AGREED_MALFORMED)
            frame(f, "c", ack, o.add_addr_v1(1, [198, 51, 100, 2], hmac=1, echo=True),
                  "add-addr-echo-hmac")
            frame(f, "c", ack, bytes([30, 8, 0x34, 1, 198, 51, 100, 2]), "stateless-version")
            frame(f, "c", ack, bytes([30, 16, 0x32, 1, 198, 51, 100, 2]) + bytes(8), None)
            frame(f, "c", ack, o.prio(True, 1), "stateless-version")
            frame(f, "c", ack | craft.RST, bytes([30, 5, 0x80, 1, 0]),
                  "tcprst-unchecked" if self.old else AGREED_MALFORMED)
            data = craft.payload_bytes(10, 1)
            frame(f, "c", ack, o.mpc(1, 0x81, [ka, kb], 10, 0x1234), "mpc-24-rejected"
                  if self.old else None, data)
            frame(f, "s", ack, o.dss(ack=ib + 1, ack64=True, dsn=ib + 1, dsn64=True, ssn=1,
                                     length=0, csum=0) + o.raw([30, 3, 0x40]),
                  AGREED_MALFORMED)
            g = craft.Flow(cap, "192.0.2.2", "198.51.100.1", 40002, craft.PORT, 7000, 9000)
            frame(g, "c", syn, o.mpc(1, 0x01, [ka, kb]), AGREED_MALFORMED)
            frame(g, "c", syn, o.mpc(1, 0x01, [ka, kb], 10), AGREED_MALFORMED)
            frame(g, "c", syn, o.join_ack(bytes(range(20))), AGREED_MALFORMED)
            frame(g, "c", syn, o.dss(ack=5), "dss-on-syn")
            frame(g, "c", syn, o.mpc(2, 0x01), None)
            v = craft.Flow(cap, "192.0.2.3", "198.51.100.1", 40003, craft.PORT, 100, 200)
            craft.handshake_v0(cap, v)
            frame(v, "s", ack, bytes([30, 20, 0x34, 1]) + bytes(16),
                  "add-addr-family-from-length")
            frame(v, "s", ack, bytes([30, 8, 0x36, 1, 198, 51, 100, 2]),
                  "add-addr-family-from-length")
            frame(v, "s", ack, o.add_addr_v1(1, [198, 51, 100, 2], hmac=0),
                  "stateless-version")
            frame(v, "c", ack, o.mpc(0, 0x01, [ka, kb], 0), "stateless-version")
            frame(v, "c", ack, bytes([30, 8, 0x20, 0x04, 0, 0, 0, 1]), AGREED_MALFORMED)
            cap.close()
            os.chmod(path, 0o644)
            counts, seen, per_frame = collections.Counter(), collections.Counter(), {}
            self.check_capture(path, counts, seen, per_frame)
        for n, (what, opts) in sorted(expect.items()):
            got = per_frame.get(n, set())
            want = {what} if what else set()
            hint = (" (a fixed plugin bug? update DIFFERENCES)"
                    if what and DIFFERENCES.get(what, ("",))[0] == "plugin" else "")
            self.assertEqual(got, want, "edge frame %d (option %s): differences%s"
                             % (n, opts, hint))
        for name, (_, where, _) in DIFFERENCES.items():
            if where == "edge":
                self.assertGreater(seen[name], 0, "difference %s not exercised" % name)
        print("\nedge cases: %s" % dict(seen), file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
