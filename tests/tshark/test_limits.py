"""Bounded state in a real tshark: the mptcpv.max_* preferences, the analysis.limit note and
tshark's peak memory on captures made to push the bounds (tests/craft/stress.py, generated
into a temporary directory, never committed). The same bounds at the tracker level, with
exact counts and up to 1,000,000 mappings: tests/unit/test_limits.c.

Peak RSS is tshark's own (os.wait4 on the process; as root setpriv execs tshark in place).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import mptcpvtest as m

sys.path.insert(0, os.path.join(m.SOURCE_DIR, "tests", "craft"))
import stress  # noqa: E402

CONNECTIONS = 100000
MIB = 1024 * 1024
# Peak RSS allowed for tshark + mptcpv on 100,000 connections (300,000 frames) with the
# default bounds. Measured: about 740 MiB, of which about 520 MiB is tshark's own TCP state.
RSS_BOUND = 1024 * MIB

# Preference -> default, as docs/limits.md documents them.
PREFS = {"mptcpv.max_connections": 1000000, "mptcpv.max_subflows": 2000000,
         "mptcpv.max_subflows_per_connection": 1024}


class Limits(m.TsharkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="mptcpv-limits-")
        os.chmod(cls.tmp, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def run_measured(self, capture, args):
        """tshark -r capture args: (stdout, peak RSS in bytes, seconds)."""
        argv = list(args)
        stdin = subprocess.DEVNULL
        if m.is_root():
            stdin = open(capture, "rb")
            argv = ["-r", "-"] + argv
        else:
            argv = ["-r", capture] + argv
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            start = time.monotonic()
            try:
                proc = subprocess.Popen(self.tshark.argv(argv), env=self.tshark.env(),
                                        cwd=self.tshark.home, stdin=stdin, stdout=out,
                                        stderr=err)
            finally:
                if stdin is not subprocess.DEVNULL:
                    stdin.close()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            text = out.read().decode("utf-8", "replace")
            self.assertEqual(proc.returncode, 0, err.read().decode("utf-8", "replace"))
        return text, usage.ru_maxrss * 1024, seconds

    def findings(self, capture, extra=()):
        """[(frame, 'rule: detail')] of every finding, and tshark's peak RSS."""
        out, rss, seconds = self.run_measured(
            capture, list(extra) + ["-n", "-Y", "mptcpv.rule", "-T", "fields", "-E",
                                    "occurrence=a", "-E", "aggregator=|", "-e", "frame.number",
                                    "-e", "mptcpv.finding"])
        found = []
        for line in out.splitlines():
            frame, findings = line.split("\t")
            found += [(int(frame), f) for f in findings.split("|")]
        return found, rss, seconds

    def limit_notes(self, found):
        return [(frame, f) for frame, f in found if f.startswith("analysis.limit: ")]

    def test_preferences_and_their_defaults(self):
        """The preferences exist with the defaults docs/limits.md states."""
        _, out, _ = self.tshark.run(["-G", "defaultprefs"])
        prefs = dict(re.findall(r"^#(mptcpv\.\w+): (\S+)$", out, re.M))
        # The preferences that are no limits (test_tree and test_printed check them).
        self.assertIn(prefs.pop("mptcpv.lean_tree", None), ("TRUE", "FALSE"))
        self.assertEqual(prefs.pop("mptcpv.fields_from_command_line", None), "TRUE")
        self.assertEqual({k: int(v) for k, v in prefs.items()}, PREFS)
        with open(os.path.join(m.SOURCE_DIR, "docs", "limits.md")) as f:
            doc = f.read()
        for name, default in PREFS.items():
            self.assertRegex(doc, r"\| `%s` \| %s \|" % (re.escape(name),
                                                          "{:,}".format(default)))

    def test_100k_connections(self):
        """100,000 connections: all tracked by default within the memory bound; with
        max_connections 50,000 the SYN of connection 50,001 gets the one note, and the peak
        memory is below the default run's; half the connections take no more than half the
        memory (growth at most linear)."""
        full, half = self.path("conns-100k.pcap"), self.path("conns-50k.pcap")
        info = stress.connections(full, CONNECTIONS)
        stress.connections(half, CONNECTIONS // 2)

        found, rss_default, t_default = self.findings(full)
        self.assertEqual(found, [])
        self.assertLess(rss_default, RSS_BOUND)

        found, rss_limited, t_limited = self.findings(
            full, ["-o", "mptcpv.max_connections:%d" % (CONNECTIONS // 2)])
        self.assertEqual(len(found), 1, found)
        frame, text = found[0]
        self.assertEqual(frame, info["syn"](CONNECTIONS // 2))
        self.assertTrue(text.startswith("analysis.limit: 50000 MPTCP connections tracked"),
                        text)
        self.assertLess(rss_limited, rss_default)

        _, rss_half, t_half = self.findings(half)
        self.assertLessEqual(rss_default, 2 * rss_half)
        print("\n100k connections: peak RSS default %.0f MiB (%.1f s), max_connections "
              "50000 %.0f MiB (%.1f s); 50k connections %.0f MiB (%.1f s)"
              % (rss_default / MIB, t_default, rss_limited / MIB, t_limited, rss_half / MIB,
                 t_half), file=sys.stderr)

    def test_subflow_bounds(self):
        """max_subflows_per_connection and max_subflows: the join SYN beyond the bound gets
        the note, once per connection or once per capture; the other joins stay linked."""
        capture = self.path("joins.pcap")
        info = stress.joins(capture, 2, 6)
        joins = info["joins"]
        found, _, _ = self.findings(capture, ["-o", "mptcpv.max_subflows_per_connection:4"])
        # 4 subflows: the initial one and 3 joins; the 4th join of each connection is refused.
        self.assertEqual([f for f, _ in self.limit_notes(found)], [joins[0][3], joins[1][3]])
        self.assertIn("max_subflows_per_connection", found[0][1])
        rows = self.tshark.fields(capture, ["mptcpv.connection", "mptcpv.subflow"],
                                  ["-o", "mptcpv.max_subflows_per_connection:4"])
        for c in (0, 1):
            self.assertEqual([rows[f]["mptcpv.subflow"] for f in joins[c]],
                             [["1"], ["2"], ["3"], [], [], []])

        found, _, _ = self.findings(capture, ["-o", "mptcpv.max_subflows:5"])
        # 2 initial subflows + 3 joins of connection 0; its 4th join is the 6th subflow.
        self.assertEqual([f for f, _ in self.limit_notes(found)], [joins[0][3]])
        self.assertIn("max_subflows", found[0][1])

    def test_mappings_far_ahead(self):
        """50,000 segments, each with a new mapping reaching 60,000 bytes ahead: the fifth
        drops the first open mapping (one note for the connection), nothing else is found
        and memory stays flat (1,000,000 mappings: tests/unit/test_limits.c)."""
        capture = self.path("far-ahead.pcap")
        info = stress.far_ahead(capture, 50000)
        found, rss, seconds = self.findings(capture)
        self.assertEqual([f for f, _ in found], [info["first"] + 4])
        self.assertIn("open mappings", found[0][1])
        self.assertLess(rss, 400 * MIB)
        print("\nfar-ahead mappings: 50,000 segments, peak RSS %.0f MiB (%.1f s)"
              % (rss / MIB, seconds), file=sys.stderr)

    def test_max_length_mappings(self):
        """100 mappings of data-level length 65535 repeated on each of their 47 segments:
        every checksum verifies on the mapping's last segment. Then one whose segments come
        evens first: its 9th separate range is beyond what mptcpv keeps, one note there, and
        its checksum is unverifiable."""
        capture = self.path("max-length.pcap")
        info = stress.max_length(capture, 100)
        found, _, _ = self.findings(capture)
        self.assertEqual([f for f, _ in found], [info["overflow"]])
        self.assertIn("separate ranges", found[0][1])
        rows = self.tshark.fields(capture, ["mptcpv.dss.checksum_status"])
        status = {f: r["mptcpv.dss.checksum_status"] for f, r in rows.items()
                  if r["mptcpv.dss.checksum_status"]}
        want = {f: ["1"] for f in info["completing"]}
        want[info["overflow"]] = ["3"]
        self.assertEqual(status, want)


if __name__ == "__main__":
    unittest.main()
