"""Findings on the corpus: expected findings per capture, seed 000's values, clean real
captures, corrupted copies flagged at the right frame, linking, one pass = two passes.
(Snaplen cuts and other bad input: test_badinput.py.)"""
import collections
import os
import tempfile
import unittest

import mptcpvtest as m
import pcapedit

# Not clean traffic: exactly these findings, nothing else, are expected there.
NOT_CLEAN = {
    # Fuzzer-made malformed options (tcpdump's out-of-bounds-read regression).
    "mptcp-dss-oobr.pcap": {"option.malformed"},
    # captures/kernel/generate.sh corrupts one payload byte on the join subflow (nft).
    "v1-mp-fail.pcap": {"dss.checksum_bad", "subflow.failed"},
}

# Rules whose capture is too big to commit: the test that generates it and trips the rule.
TRIPPED_ELSEWHERE = {"analysis.limit": "test_limits.py (-o mptcpv.max_connections:50000 on "
                                       "100,000 connections, and the fixed bounds)"}


def read_expected(path):
    return m.read_expected(path)


class Corpus(m.TsharkTestCase):
    def findings(self, capture, extra=()):
        rows = self.tshark.fields(capture, ["mptcpv.rule"], extra)
        return collections.Counter((frame, rule) for frame, row in rows.items()
                                   for rule in row["mptcpv.rule"])

    def test_expected_findings(self):
        checked = 0
        for capture in m.all_captures():
            expected = m.expected_file(capture)
            if expected is None:
                continue
            with self.subTest(capture=os.path.basename(capture)):
                self.assertEqual(self.findings(capture), read_expected(expected))
                checked += 1
        if checked == 0:
            self.skipTest("no capture with a .expected file yet")

    def test_every_rule_is_tripped_by_a_capture(self):
        """Each rule of the table is expected somewhere in captures/ (issue: corpus)."""
        tripped = set()
        for capture in m.all_captures():
            expected = m.expected_file(capture)
            if expected is not None:
                tripped |= {rule for _, rule in read_expected(expected)}
        if not tripped:
            self.skipTest("no capture with a .expected file yet")
        self.assertEqual(set(m.rules_table()) - tripped - set(TRIPPED_ELSEWHERE), set())

    def test_seed000_values(self):
        """Seed 000 decodes with the values tcpdump printed there, and the tokens and
        relative numbers the spec derives from its keys (spec 4.1)."""
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "seed000-siri-v0.pcap")
        if not os.path.exists(capture):
            self.skipTest("seed capture absent")
        rows = self.tshark.fields(capture, [
            "mptcpv.mpc.sender_key", "mptcpv.mpc.receiver_key", "mptcpv.mpc.flags",
            "mptcpv.dss.dsn", "mptcpv.dss.data_ack", "mptcpv.dss.ssn", "mptcpv.dss.data_len",
            "mptcpv.conn.client_token", "mptcpv.conn.server_token", "mptcpv.dsn",
            "mptcpv.data_ack", "mptcpv.connection", "mptcpv.mpc.flags.hmac_sha",
            "mptcpv.mpc.version", "mptcpv.dss.flags", "mptcpv.subtype", "mptcpv.rule"])
        self.assertEqual(sorted(rows), list(range(1, 8)))
        self.assertEqual([[int(v, 0) for v in rows[f]["mptcpv.subtype"]] for f in rows],
                         [[0], [0], [0], [2], [2], [2], [2]])
        for f in (1, 2, 3):
            self.assertEqual(rows[f]["mptcpv.mpc.version"], ["0"])
            self.assertEqual([int(v, 0) for v in rows[f]["mptcpv.mpc.flags.hmac_sha"]], [1])
        self.assertEqual(rows[3]["mptcpv.mpc.sender_key"], ["0x96e576198c475350"])
        self.assertEqual([int(rows[f]["mptcpv.dss.flags"][0], 0) for f in (4, 5, 6, 7)],
                         [0x05, 0x05, 0x01, 0x01])  # tcpdump: flags:MA, MA, A, A
        self.assertEqual([v for r in rows.values() for v in r["mptcpv.rule"]], [])
        self.assertEqual(rows[1]["mptcpv.mpc.sender_key"], ["0x96e576198c475350"])
        self.assertEqual(rows[2]["mptcpv.mpc.sender_key"], ["0xd7b705e4d86c1a66"])
        self.assertEqual(rows[3]["mptcpv.mpc.receiver_key"], ["0xd7b705e4d86c1a66"])
        self.assertEqual(rows[1]["mptcpv.mpc.flags"], ["0x01"])  # flags:H
        self.assertEqual([rows[f]["mptcpv.dss.dsn"] for f in (4, 5)],
                         [["3845908739"], ["3845908883"]])
        self.assertEqual([rows[f]["mptcpv.dss.data_ack"] for f in (4, 5, 6, 7)],
                         [["2248627404"], ["2248627404"], ["3845908883"], ["3845908923"]])
        self.assertEqual([rows[f]["mptcpv.dss.ssn"] for f in (4, 5)], [["1"], ["145"]])
        self.assertEqual([rows[f]["mptcpv.dss.data_len"] for f in (4, 5)], [["144"], ["40"]])
        self.assertEqual(rows[7]["mptcpv.conn.client_token"], ["0xa421f0da"])
        self.assertEqual(rows[7]["mptcpv.conn.server_token"], ["0x4c4d4173"])
        self.assertEqual([rows[f]["mptcpv.dsn"] for f in (4, 5)], [["1"], ["145"]])
        self.assertEqual([rows[f]["mptcpv.data_ack"] for f in (4, 6, 7)],
                         [["1"], ["145"], ["185"]])
        self.assertEqual({v for r in rows.values() for v in r["mptcpv.connection"]}, {"0"})

    def test_checksums_verify_where_present(self):
        """Every DSS checksum of a clean capture that carries them verifies (zero false
        positives), and many are checked."""
        good = 0
        clean = [c for c in m.all_captures() if os.path.basename(c) not in NOT_CLEAN and
                 not os.path.basename(c).startswith("rule-") and
                 not os.path.basename(c).startswith("option-")]
        for capture in clean:
            rows = self.tshark.fields(capture, ["mptcpv.dss.checksum_status"])
            statuses = [v for r in rows.values() for v in r["mptcpv.dss.checksum_status"]]
            self.assertNotIn("2", statuses, capture)  # 2 = bad
            good += statuses.count("1")
        self.assertGreater(good, 0)

    def test_dsn32_wrap(self):
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "v0-dsn32-wrap.pcap")
        if not os.path.exists(capture):
            self.skipTest("capture absent")
        rows = self.tshark.fields(capture, ["mptcpv.dsn", "mptcpv.dss.dsn"])
        dsns = [int(r["mptcpv.dsn"][0]) for _, r in sorted(rows.items()) if r["mptcpv.dsn"]]
        raw = [int(r["mptcpv.dss.dsn"][0]) for _, r in sorted(rows.items())
               if r["mptcpv.dss.dsn"]]
        self.assertEqual(dsns, [1, 601, 1201, 1801])
        self.assertTrue(any(b < a for a, b in zip(raw, raw[1:])), "raw 32-bit DSNs wrap")

    def test_real_captures_raise_no_error(self):
        self.require_external()
        severity = m.rules_table()
        kernel = [c for c in m.all_captures() if os.sep + "kernel" + os.sep in c]
        for capture in m.external_captures() + kernel:
            if os.path.basename(capture) in NOT_CLEAN:
                with self.subTest(capture=os.path.basename(capture)):
                    self.assertEqual(set(r for _, r in self.findings(capture)),
                                     NOT_CLEAN[os.path.basename(capture)])
                continue
            with self.subTest(capture=os.path.basename(capture)):
                errors = [(f, r) for (f, r) in self.findings(capture)
                          if severity[r] == "error"]
                self.assertEqual(errors, [])

    def test_two_passes_show_the_same(self):
        """Single pass (tshark) and two passes (-2, like the GUI's revisits) give identical
        mptcpv.* output on every capture. One documented exception: mptcpv.reinjected_in
        points forward to a later frame, so a single pass cannot know it; it may only be
        added by the second pass, never changed."""
        names = [r[2] for r in self.tshark.glossary() if r[0] == "F" and len(r) > 4 and
                 r[4] == "mptcpv" and r[3] != "FT_NONE"]
        forward = "mptcpv.reinjected_in"
        self.assertIn(forward, names)
        for capture in m.all_captures():
            with self.subTest(capture=os.path.basename(capture)):
                one = self.tshark.fields(capture, names)
                two = self.tshark.fields(capture, names, ["-2"])
                self.assertEqual(sorted(one), sorted(two))
                for frame in one:
                    if one[frame] != two[frame]:
                        self.assertEqual(one[frame][forward], [], frame)
                        one[frame][forward] = two[frame][forward]
                    self.assertEqual(one[frame], two[frame], "frame %d" % frame)


# Expected linking: capture -> subflows per MPTCP connection, in connection order. Written
# from the captures' contents (handshakes and MP_JOIN tokens, checked by hand against the
# MANIFEST's counts of MPTCP TCP streams), not from mptcpv's output.
TOPOLOGY = {
    "mptcp.pcap": [1], "mptcp-v0.pcap": [2], "mptcp-v1.pcap": [1], "mptcp-aa-v1.pcap": [1],
    "mptcp-fclose.pcap": [1], "mptcp-aa-echo.pcap": [], "mptcp-tcprst.pcap": [],
    "mptcp-dss-oobr.pcap": [],
    "iperf-mptcp-0-0.pcap": [4],  # 4 subflows, 2 of them never established
    "client_2.pcap": [4, 4, 4, 4],
    "server_2.pcap": [4, 3, 4, 4],  # tcp.stream 2 has no SYN in this capture: unlinkable
    "wireshark-wiki_redundant_stream1.pcapng": [4, 4],
    "seed000-siri-v0.pcap": [1], "v1-full-csum.pcap": [2], "v0-dsn32-wrap.pcap": [1],
    "rule-join.hmac_bad.pcap": [2], "rule-join.hmac_bad-ack.pcap": [2],
    "rule-join.token_unknown.pcap": [1, 1],  # the join's unknown token: a second connection
    "option-syntax.pcap": [1, 1],
    "v1-basic.pcap": [1], "v1-checksum.pcap": [1], "v1-join.pcap": [2],
    "v1-add-remove-addr.pcap": [2], "v1-backup-prio.pcap": [2], "v1-fastclose.pcap": [2],
    "v1-fallback.pcap": [1], "v1-ipv6.pcap": [1], "v1-many-short.pcap": [2] * 20,
    "v1-loss-reinject.pcap": [2],
    "seed001-ios11-v0.pcap": [2],  # LTE initial subflow, WiFi join at 4.74 s
    "v1-ipv6-join.pcap": [2],  # IPv6 on both paths: the join over the second one
}


class Linking(m.TsharkTestCase):
    def test_connections_and_subflows(self):
        """Every capture's subflows are assigned to the expected connections; the other
        rule-* captures hold one connection of one subflow."""
        for capture in m.all_captures():
            name = os.path.basename(capture)
            expected = TOPOLOGY.get(name, [1] if name.startswith("rule-") else None)
            if expected is None:
                continue
            with self.subTest(capture=name):
                rows = self.tshark.fields(capture, ["mptcpv.connection", "mptcpv.subflow"])
                pairs = {(int(r["mptcpv.connection"][0]), int(r["mptcpv.subflow"][0]))
                         for r in rows.values() if r["mptcpv.connection"]}
                counts = collections.Counter(c for c, _ in pairs)
                self.assertEqual([counts[i] for i in range(len(counts))], expected)
                self.assertEqual(sorted(counts), list(range(len(counts))), "0-based, dense")

    def test_joined_frames_show_the_connection_version(self):
        """A join's SYN is decoded before its token links it; it still shows the version of
        the connection it joins, like every other frame of the connection."""
        for capture in m.repo_captures():
            name = os.path.basename(capture)
            with self.subTest(capture=name):
                rows = self.tshark.fields(capture, ["mptcpv.connection", "mptcpv.version",
                                                    "mptcpv.join.token"])
                versions = collections.defaultdict(set)
                for r in rows.values():
                    if r["mptcpv.connection"] and r["mptcpv.version"]:
                        versions[r["mptcpv.connection"][0]].add(r["mptcpv.version"][0])
                for frame, r in rows.items():
                    conn = r["mptcpv.connection"][0] if r["mptcpv.connection"] else None
                    if r["mptcpv.join.token"] and conn is not None and versions[conn]:
                        self.assertEqual(r["mptcpv.version"], sorted(versions[conn]),
                                         "frame %d" % frame)


class Corruptions(m.TsharkTestCase):
    """One byte changed in a copy of a real capture is flagged at exactly that frame."""

    CASES = [
        # (capture, frame, subtype, offset in option or None, payload offset, rule)
        ("tcpdump/mptcp-v0.pcap", 9, 1, 6, None, "join.hmac_bad"),      # SYN/ACK HMAC
        ("tcpdump/mptcp-v0.pcap", 10, 1, 10, None, "join.hmac_bad"),    # third-ACK HMAC
        ("tcpdump/mptcp-v0.pcap", 3, 0, 15, None, "handshake.key_mismatch"),  # echoed key
        ("tcpdump/mptcp-v0.pcap", 8, 1, 5, None, "join.token_unknown"),  # token
        ("tcpdump/mptcp-v0.pcap", 6, None, None, 3, "dss.checksum_bad"),  # payload
        ("tcpdump/mptcp-fclose.pcap", 10, 7, 6, None, "fastclose.key_bad"),
    ]

    def test_each_corruption_flagged_at_its_frame(self):
        self.require_external()
        with tempfile.TemporaryDirectory() as tmp:
            for name, frame, subtype, offset, payload, rule in self.CASES:
                with self.subTest(capture=name, frame=frame, rule=rule):
                    src = os.path.join(m.EXTERNAL_DIR, name)
                    dst = os.path.join(tmp, "%s-%d-%s.pcap" % (os.path.basename(name), frame,
                                                               rule))
                    pcapedit.patch(src, dst, frame, subtype=subtype, offset=offset or 0,
                                   payload_offset=payload)
                    rows = self.tshark.fields(dst, ["mptcpv.rule"])
                    clean = self.tshark.fields(src, ["mptcpv.rule"])
                    new = {(f, r) for f, row in rows.items() for r in row["mptcpv.rule"]} - \
                        {(f, r) for f, row in clean.items() for r in row["mptcpv.rule"]}
                    self.assertIn((frame, rule), new)
                    errors = {(f, r) for f, r in new if r != rule}
                    self.assertEqual(errors, set(), "other new findings")


if __name__ == "__main__":
    unittest.main()
