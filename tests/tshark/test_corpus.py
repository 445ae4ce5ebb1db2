"""Findings on the corpus: expected findings per capture, clean real captures, corrupted
copies flagged at the right frame, pass consistency and snaplen cuts."""
import collections
import os
import subprocess
import tempfile
import unittest

import mptcpvtest as m
import pcapedit

# Fuzzer-made malformed options (tcpdump's out-of-bounds-read regression): not clean traffic.
NOT_CLEAN = {"mptcp-dss-oobr.pcap"}


def read_expected(path):
    """Multiset of (frame, rule) from a '<frame> <rule-id>' file; other lines are ignored."""
    found = collections.Counter()
    with open(path) as f:
        lines = f.readlines()
    for line in lines:
        words = line.split("#", 1)[0].split()
        if len(words) >= 2 and words[0].isdigit():
            found[(int(words[0]), words[1])] += 1
    return found


class Corpus(m.TsharkTestCase):
    def findings(self, capture, extra=()):
        rows = self.tshark.fields(capture, ["mptcpv.rule"], extra)
        return collections.Counter((frame, rule) for frame, row in rows.items()
                                   for rule in row["mptcpv.rule"])

    def test_expected_findings(self):
        checked = 0
        for capture in m.all_captures():
            expected = os.path.splitext(capture)[0] + ".expected"
            if not os.path.exists(expected):
                continue
            with self.subTest(capture=os.path.basename(capture)):
                self.assertEqual(self.findings(capture), read_expected(expected))
                checked += 1
        if checked == 0:
            self.skipTest("no capture with a .expected file yet")

    def test_real_captures_raise_no_error(self):
        self.require_external()
        severity = m.rules_table()
        kernel = [c for c in m.all_captures() if os.sep + "kernel" + os.sep in c]
        for capture in m.external_captures() + kernel:
            if os.path.basename(capture) in NOT_CLEAN:
                continue
            with self.subTest(capture=os.path.basename(capture)):
                errors = [(f, r) for (f, r) in self.findings(capture)
                          if severity[r] == "error"]
                self.assertEqual(errors, [])

    def test_two_passes_show_the_same(self):
        """Single pass (tshark) and two passes (-2, like the GUI's revisits) agree on every
        mptcpv field except mptcpv.reinjected_in, which needs a later frame."""
        _, out, _ = self.tshark.run(["-G", "fields"])
        names = [line.split("\t")[2] for line in out.splitlines()
                 if line.startswith("F\t") and line.split("\t")[2].startswith("mptcpv.")
                 and line.split("\t")[3] != "FT_NONE"
                 and line.split("\t")[2] != "mptcpv.reinjected_in"]
        for capture in m.all_captures():
            with self.subTest(capture=os.path.basename(capture)):
                one = self.tshark.fields(capture, names)
                two = self.tshark.fields(capture, names, ["-2"])
                self.assertEqual(one, two)

    def test_snaplen_cuts_make_nothing_bad(self):
        """Cutting frames never creates a finding that depends on bytes the cut removed:
        no malformed option, no bad checksum; checksums become unverifiable."""
        self.require_external()
        for name in ("tcpdump/mptcp-v0.pcap", "pymptcpanalyzer/iperf-mptcp-0-0.pcap",
                     "tcpdump/mptcp-v1.pcap"):
            capture = os.path.join(m.EXTERNAL_DIR, name)
            for snap in (54, 66, 80, 120):
                with self.subTest(capture=name, snaplen=snap):
                    with tempfile.TemporaryDirectory() as tmp:
                        cut = os.path.join(tmp, "cut.pcap")
                        subprocess.run(["editcap", "-s", str(snap), capture, cut], check=True)
                        rows = self.tshark.fields(cut, ["mptcpv.rule",
                                                        "mptcpv.dss.checksum_status"])
                        rules = {r for row in rows.values() for r in row["mptcpv.rule"]}
                        self.assertNotIn("option.malformed", rules)
                        self.assertNotIn("dss.checksum_bad", rules)
                        statuses = {s for row in rows.values()
                                    for s in row["mptcpv.dss.checksum_status"]}
                        self.assertNotIn("2", statuses)  # 2 = bad


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
