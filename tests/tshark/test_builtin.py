"""Wireshark's own MPTCP decoding next to mptcpv.

BuiltinUnchanged: with mptcpv loaded, every tcp.options.mptcp.* and mptcp.* field keeps
exactly its values on every capture (also with the costly analysis preferences on).

Differential: both decoders agree on every value they both decode. Where Wireshark 4.0's
built-in decoder is wrong, the disagreement is listed in KNOWN_BUILTIN_BUGS below with the
RFC section, and the test asserts that the disagreement is exactly that bug (the built-in
value is the one the bug predicts), never a blanket skip.
"""
import collections
import os
import sys
import tempfile
import unittest

import mptcpvtest as m

ANALYSIS_PREFS = ["-o", "mptcp.analyze_mappings:TRUE",
                  "-o", "mptcp.intersubflows_retransmission:TRUE"]


def builtin_fields(rows):
    """Every tcp.options.mptcp.* and mptcp.* field with a value (not FT_NONE experts)."""
    return sorted(r[2] for r in rows if r[0] == "F" and len(r) > 3 and r[3] != "FT_NONE" and
                  (r[2].startswith("tcp.options.mptcp.") or r[2].startswith("mptcp.")))


class BuiltinUnchanged(m.TsharkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bare = m.Tshark(plugins=False)
        cls.names = builtin_fields(cls.bare.glossary())

    @classmethod
    def tearDownClass(cls):
        cls.bare.close()
        super().tearDownClass()

    def test_field_list(self):
        self.assertGreater(len(self.names), 40)
        for name in ("tcp.options.mptcp.subtype", "tcp.options.mptcp.rawdataseqno",
                     "mptcp.dss.dsn", "mptcp.stream"):
            self.assertIn(name, self.names)

    def test_same_values_with_and_without_plugin(self):
        captures = m.all_captures()
        if not captures:
            self.skipTest("no captures")
        self.require_external()
        for capture in captures:
            for prefs in ([], ANALYSIS_PREFS):
                with self.subTest(capture=os.path.relpath(capture, m.SHARED_DIR + "/.."),
                                  analysis=bool(prefs)):
                    bare = self.bare.fields(capture, self.names, prefs)
                    ours = self.tshark.fields(capture, self.names, prefs)
                    disabled = self.tshark.fields(
                        capture, self.names, ["--disable-protocol", "mptcpv"] + list(prefs))
                    self.assertTrue(any(v for row in bare.values() for v in row.values()) or
                                    "crafted" in capture, "no MPTCP field at all?")
                    self.assertEqual(ours, bare)
                    self.assertEqual(disabled, bare)


def num(value):
    try:
        return int(value, 0)
    except ValueError:
        return value  # addresses, byte strings


# (name, mptcpv fields, built-in field). The built-in shows some values of several subtypes
# under one name (e.g. tcp.options.mptcp.addrid for MP_JOIN, ADD_ADDR, REMOVE_ADDR and
# MP_PRIO), so values are compared per frame as multisets of the fields listed.
PAIRS = [
    ("subtype", ["mptcpv.subtype"], "tcp.options.mptcp.subtype"),
    ("MP_CAPABLE version", ["mptcpv.mpc.version"], "tcp.options.mptcp.version"),
    ("MP_CAPABLE sender key", ["mptcpv.mpc.sender_key"], "tcp.options.mptcp.sendkey"),
    ("MP_CAPABLE receiver key, FASTCLOSE key",
     ["mptcpv.mpc.receiver_key", "mptcpv.fastclose.receiver_key"], "tcp.options.mptcp.recvkey"),
    ("MP_JOIN token", ["mptcpv.join.token"], "tcp.options.mptcp.recvtok"),
    ("MP_JOIN nonce", ["mptcpv.join.nonce"], "tcp.options.mptcp.sendrand"),
    ("MP_JOIN truncated HMAC", ["mptcpv.join.trunc_hmac"], "tcp.options.mptcp.sendtrunchmac"),
    ("MP_JOIN HMAC", ["mptcpv.join.hmac"], "tcp.options.mptcp.sendhmac"),
    ("address id", ["mptcpv.join.addr_id", "mptcpv.add_addr.addr_id",
                    "mptcpv.remove_addr.addr_id", "mptcpv.prio.addr_id"],
     "tcp.options.mptcp.addrid"),
    ("backup (MP_JOIN, MP_PRIO)", ["mptcpv.join.backup", "mptcpv.prio.backup"],
     "tcp.options.mptcp.backup.flag"),
    ("DSS raw DATA_ACK", ["mptcpv.dss.data_ack"], "tcp.options.mptcp.rawdataack"),
    ("DSS raw DSN, MP_FAIL DSN", ["mptcpv.dss.dsn", "mptcpv.fail.dsn"],
     "tcp.options.mptcp.rawdataseqno"),
    ("subflow sequence number", ["mptcpv.dss.ssn"], "tcp.options.mptcp.subflowseqno"),
    ("data-level length", ["mptcpv.dss.data_len", "mptcpv.mpc.data_len"],
     "tcp.options.mptcp.datalvllen"),
    ("checksum (DSS, MP_CAPABLE)", ["mptcpv.dss.checksum", "mptcpv.mpc.checksum"],
     "tcp.options.mptcp.checksum"),
    ("ADD_ADDR IP version", ["mptcpv.add_addr.ipver"], "tcp.options.mptcp.ipver"),
    ("ADD_ADDR echo", ["mptcpv.add_addr.echo"], "tcp.options.mptcp.echo"),
    ("ADD_ADDR IPv4", ["mptcpv.add_addr.ipv4"], "tcp.options.mptcp.ipv4"),
    ("ADD_ADDR IPv6", ["mptcpv.add_addr.ipv6"], "tcp.options.mptcp.ipv6"),
    ("ADD_ADDR port", ["mptcpv.add_addr.port"], "tcp.options.mptcp.port"),
    ("ADD_ADDR HMAC", ["mptcpv.add_addr.hmac"], "tcp.options.mptcp.addaddrtrunchmac"),
    ("MP_TCPRST reason", ["mptcpv.tcprst.reason"], "tcp.options.mptcp.rst_reason"),
    ("MP_TCPRST transient", ["mptcpv.tcprst.transient"], "tcp.options.mptcp.flag_T.flag"),
]
# Relative (to the sender's IDSN) data sequence numbers: mptcp.dss.dsn is the mapping's
# DSN, mptcpv.dsn the segment's first byte's: compared where the mapping starts at the
# segment's first byte. DATA_ACKs compared wherever both show one.
RELATIVE = ["mptcpv.dsn", "mptcpv.dsn64", "mptcpv.data_ack", "mptcp.dss.dsn", "mptcp.ack",
            "mptcpv.dss.flags", "tcp.seq", "tcp.len"]

U64 = 1 << 64
U32 = 1 << 32

# Every disagreement between Wireshark 4.0.17's built-in MPTCP decoder and mptcpv, with the
# reason and the RFC section; see also shared/anchors.md. Each entry names the check that
# recognises it; anything else that disagrees fails the test.
KNOWN_BUILTIN_BUGS = {
    "dss-checksum-hidden": (
        "The built-in never shows a DSS checksum: its test 'optlen >= offset - start + 4' is "
        "off by two (the checksum is the option's last 2 bytes), so tcp.options.mptcp.checksum "
        "only ever holds MP_CAPABLE's. RFC 8684 3.3 Fig. 5 / RFC 6824 3.3: the checksum "
        "follows the data-level length when negotiated. mptcpv is right."),
    "dsn32-no-wrap": (
        "A 32-bit DSN or DATA_ACK is expanded by pasting the IDSN's upper 32 bits, ignoring a "
        "wrap of the lower 32 bits since the IDSN, so after 2^32 the relative value is off by "
        "a multiple of 2^32. RFC 8684 3.3 / RFC 6824 3.3: the 32-bit forms carry the low "
        "32 bits of the 64-bit sequence space, which the receiver must expand. mptcpv is "
        "right (the capture's DSNs are 1, 601, 1201, 1801 by construction)."),
    "dsn-width-from-ack-flag": (
        "The relative DSN is converted with the DATA_ACK's 8-octet flag (a) instead of the "
        "DSN's (m): a 32-bit DSN next to a 64-bit DATA_ACK is taken as a full 64-bit DSN and "
        "mptcp.dss.dsn becomes (raw32 - IDSN) mod 2^64. RFC 8684 3.3 Fig. 5: flag m alone "
        "gives the DSN's width. mptcpv is right."),
    "malformed-option": (
        "An option whose length is illegal for its subtype (mptcpv: option.malformed, RFC 8684 "
        "3 / RFC 6824 3) is decoded by the built-in field by field as far as the bytes go, "
        "and one that runs past the TCP header is not decoded at all; mptcpv lists the "
        "subtype of every kind-30 option but decodes no field of an illegal one. Not a "
        "value disagreement: on such frames each side's values must be a sub-multiset of "
        "the other's, nothing else."),
}


def multiset_minus(a, b):
    return list((collections.Counter(a) - collections.Counter(b)).elements())


class Differential(m.TsharkTestCase):
    """Per frame, on every capture: the subtype lists are equal and every value both decode
    agrees, except for the known built-in bugs, each checked to be exactly that bug."""

    def check_rows(self, name, rows, seen):
        compared = 0
        for frame, row in rows.items():
            where = "%s frame %d" % (name, frame)
            malformed = "option.malformed" in row["mptcpv.rule"]
            for label, ours_fields, theirs_field in PAIRS:
                ours = [num(v) for f in ours_fields for v in row[f]]
                theirs = [num(v) for v in row[theirs_field]]
                if label == "subtype" and not malformed:
                    self.assertEqual(ours, theirs, "%s: subtype lists" % where)
                    compared += len(ours)
                    continue
                if sorted(map(str, ours)) == sorted(map(str, theirs)):
                    compared += len(ours)
                    continue
                if malformed and (not multiset_minus(ours, theirs) or
                                  not multiset_minus(theirs, ours)):
                    seen["malformed-option"] += 1
                    continue
                if label.startswith("checksum") and row["mptcpv.dss.checksum"]:
                    # dss-checksum-hidden: the built-in has exactly MP_CAPABLE's checksums.
                    self.assertEqual(sorted(theirs),
                                     sorted(num(v) for v in row["mptcpv.mpc.checksum"]),
                                     "%s: checksums other than the known bug" % where)
                    seen["dss-checksum-hidden"] += 1
                    continue
                self.fail("%s: %s: mptcpv %s %s, built-in %s %s" % (
                    where, label, "+".join(ours_fields), ours, theirs_field, theirs))
            compared += self.check_relative(where, row, seen)
        return compared

    def check_relative(self, where, row, seen):
        if len(row["mptcpv.dss.flags"]) != 1:
            return 0
        flags = num(row["mptcpv.dss.flags"][0])
        compared = 0
        pairs = []
        if row["mptcpv.data_ack"] and row["mptcp.ack"]:
            pairs.append(("DATA_ACK", flags & 0x02, None,
                          num(row["mptcpv.data_ack"][0]), num(row["mptcp.ack"][0])))
        if (row["mptcpv.dsn"] and row["mptcp.dss.dsn"] and row["mptcpv.dss.ssn"] and
                row["tcp.len"] and num(row["tcp.len"][0]) > 0 and
                row["mptcpv.dss.ssn"] == row["tcp.seq"]):
            pairs.append(("DSN", flags & 0x08, flags & 0x02, num(row["mptcpv.dsn"][0]),
                          num(row["mptcp.dss.dsn"][0])))
        for label, wide, ack_wide, ours, theirs in pairs:
            if ours == theirs:
                compared += 1
                continue
            if label == "DSN" and not wide and ack_wide:
                # dsn-width-from-ack-flag: the built-in subtracted the IDSN from the raw 32
                # bits taken as a 64-bit number.
                idsn = (num(row["mptcpv.dsn64"][0]) - ours) % U64
                raw32 = num(row["mptcpv.dss.dsn"][0])
                self.assertEqual(theirs, (raw32 - idsn) % U64,
                                 "%s: relative DSN, not the known width bug" % where)
                seen["dsn-width-from-ack-flag"] += 1
                continue
            if not wide and (theirs - ours) % U32 == 0:
                seen["dsn32-no-wrap"] += 1  # same low 32 bits, other upper half
                continue
            self.fail("%s: relative %s: mptcpv %d, built-in %d (flags 0x%02x)"
                      % (where, label, ours, theirs, flags))
        return compared

    def fields(self):
        names = {f for _, ours, theirs in PAIRS for f in ours + [theirs]}
        names |= set(RELATIVE) | {"mptcpv.rule", "mptcpv.dss.ssn", "mptcpv.dss.dsn"}
        return sorted(names)

    def test_values_agree(self):
        self.require_external()
        seen = collections.Counter()
        compared = 0
        for capture in m.all_captures():
            with self.subTest(capture=os.path.basename(capture)):
                rows = self.tshark.fields(capture, self.fields())
                compared += self.check_rows(os.path.basename(capture), rows, seen)
        self.assertGreater(compared, 10000)
        print("\ndifferential: %d values agree; known built-in bugs seen: %s"
              % (compared, dict(seen)), file=sys.stderr)
        # Every allow-list entry is still needed by some capture (a fixed built-in or a
        # removed capture makes the entry stale), the width bug by the generated capture.
        if m.repo_captures():
            for bug in ("dss-checksum-hidden", "dsn32-no-wrap", "malformed-option"):
                self.assertGreater(seen[bug], 0, "allow-list entry %s no longer seen" % bug)

    def test_dsn_width_bug_on_generated_capture(self):
        """No capture has a 32-bit DSN next to a 64-bit DATA_ACK (Linux sends both 64-bit
        or the ACK alone), so one is written here with tests/craft's encoders: mptcpv
        decodes it right and the built-in shows exactly the known width bug."""
        craft_dir = os.path.join(m.SOURCE_DIR, "tests", "craft")
        if not os.path.exists(os.path.join(craft_dir, "craft.py")):
            self.skipTest("tests/craft absent")
        sys.path.insert(0, craft_dir)
        try:
            import craft
            import options as o
        finally:
            sys.path.remove(craft_dir)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "dsn-width.pcap")
            cap = craft.Capture(path)
            flow = craft.Flow(cap, "192.0.2.7", "198.51.100.7", 40007, craft.PORT, 700, 900)
            craft.handshake_v1(cap, flow)
            ia, ib = craft.idsn(1, craft.KEY_A), craft.idsn(1, craft.KEY_B)
            rel = 1
            for i in range(3):
                payload = craft.payload_bytes(500, i)
                flow.send("c", craft.ACK | craft.PSH,
                          o.dss(ack=ib + 1, ack64=True, dsn=ia + rel, dsn64=False, ssn=rel,
                                length=len(payload)), payload)
                rel += len(payload)
                flow.send("s", craft.ACK, o.dss(ack=ia + rel, ack64=True))
            cap.close()
            os.chmod(path, 0o644)
            rows = self.tshark.fields(path, self.fields())
            seen = collections.Counter()
            self.check_rows("generated dsn-width.pcap", rows, seen)
            dsns = [num(r["mptcpv.dsn"][0]) for _, r in sorted(rows.items())
                    if r["mptcpv.dsn"]]
            self.assertEqual(dsns, [1, 501, 1001])
            self.assertEqual(rows[8]["mptcpv.rule"], [])
            self.assertEqual(seen["dsn-width-from-ack-flag"], 3, dict(seen))


if __name__ == "__main__":
    unittest.main()
