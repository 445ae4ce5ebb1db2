"""One truth in every view: on every capture of the corpus (and the external ones), the facts
the core decides about connections and subflows are the same in mptcpv-validate's JSON and
JUnit, in the -z mptcpv,conns / -z mptcpv,subflows tables and in the per-frame fields they
come from (text, HTML and CSV are written from the same result as JSON and JUnit).

Facts: close state, fallback, subflows seen and established, how each subflow ended,
data-level bytes per direction, reinjected segments and bytes, DSS checksum verdicts, the
connection events (type, frame, subflow), and per file the frames with MPTCP options.
"""
import collections
import json
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ET

import mptcpvtest as m
from test_stats import parse_table

VALIDATE = os.path.join(m.BUILD_DIR, "validator", "mptcpv-validate")
FIELDS = ["mptcpv.connection", "mptcpv.subflow", "mptcpv.from_client", "mptcpv.subtype",
          "mptcpv.close", "mptcpv.subflow.end", "mptcpv.subflow.established",
          "mptcpv.data_bytes", "mptcpv.reinjection_of", "mptcpv.reinjected_bytes",
          "mptcpv.dss.checksum_status", "mptcpv.event", "mptcpv.fallback"]
CLOSE = ["open", "closing", "closed", "fast-closed", "reset"]
END = ["open", "FIN", "RST", "MP_TCPRST", "MP_FAIL", "MP_FASTCLOSE"]


def true(values):
    return any(v in ("1", "True") for v in values)


def from_fields(rows):
    """{connection: facts} and the file's MPTCP-option frames, from per-frame fields."""
    conns = collections.defaultdict(lambda: {
        "close": "open", "data": [0, 0], "reinjected": [0, 0], "checksums": [0, 0, 0],
        "events": [], "subflows": collections.defaultdict(lambda: {"established": False,
                                                                   "end": "open"}),
        "fallback": None})
    option_frames = 0
    for frame, row in sorted(rows.items()):
        option_frames += bool(row["mptcpv.subtype"])
        if not row["mptcpv.connection"]:
            continue
        c = conns[int(row["mptcpv.connection"][0])]
        sub = int(row["mptcpv.subflow"][0])
        s = c["subflows"][sub]
        if row["mptcpv.close"]:
            c["close"] = CLOSE[int(row["mptcpv.close"][-1])]
        if row["mptcpv.subflow.end"]:
            s["end"] = END[int(row["mptcpv.subflow.end"][-1])]
        s["established"] |= true(row["mptcpv.subflow.established"])
        c["data"][0 if true(row["mptcpv.from_client"]) else 1] += sum(
            int(v) for v in row["mptcpv.data_bytes"])
        c["reinjected"][0] += bool(row["mptcpv.reinjection_of"])
        c["reinjected"][1] += sum(int(v) for v in row["mptcpv.reinjected_bytes"])
        for status in row["mptcpv.dss.checksum_status"]:
            c["checksums"][int(status) - 1] += 1
        for event in row["mptcpv.event"]:
            c["events"].append((event, frame, sub))
        if row["mptcpv.fallback"] and c["fallback"] is None:
            c["fallback"] = row["mptcpv.fallback"][-1]
    return conns, option_frames


class Views(m.TsharkTestCase):
    def validate(self, capture, fmt):
        p = subprocess.run([VALIDATE, "--plugin-dir", m.PLUGIN_ROOT, "-f", fmt,
                            "--fail-on", "none", capture], capture_output=True, text=True,
                           timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def junit_facts(self, capture):
        """{connection: its facts line in the JUnit "capture" testcase's system-out}
        (linked connections; an unlinked one says only that it is one)."""
        facts = {}
        for case in ET.fromstring(self.validate(capture, "junit")).iter("testcase"):
            out = case.find("system-out")
            if case.get("name") != "capture" or out is None:
                continue
            for line in out.text.splitlines():
                m_ = re.fullmatch(r"connection (\d+): (.*)", line)
                if m_ and not m_.group(2).startswith("fallback (no MPTCP session linked)"):
                    facts[int(m_.group(1))] = m_.group(2)
        return facts

    @staticmethod
    def facts_line(report):
        """The JUnit facts line the JSON |report| of a connection implies."""
        c = report["checksums"]
        return ("%s; data %d/%d bytes (client/server); reinjected %d segments, %d bytes; "
                "checksums %d good, %d bad, %d unverifiable; subflows %d (%d established):%s"
                % (report["close"], report["data_bytes_from_client"],
                   report["data_bytes_from_server"], report["reinjected_segments"],
                   report["reinjected_bytes"], c["good"], c["bad"], c["unverifiable"],
                   len(report["subflows"]), sum(s["established"] for s in report["subflows"]),
                   "".join(" %d %s" % (s["id"], s["end_reason"]) for s in report["subflows"])))

    def tables(self, capture):
        _, out, _ = self.tshark.run(["-n", "-q", "-z", "mptcpv,conns", "-z", "mptcpv,subflows"],
                                    capture)
        return (parse_table(out, "MPTCP Connections (mptcpv)"),
                parse_table(out, "MPTCP Subflows (mptcpv)"))

    def check_connection(self, want, report, row, subflow_rows):
        """One connection: per-frame facts |want|, its JSON |report|, its table rows."""
        self.assertEqual(report["close"], want["close"])
        self.assertEqual(row["State"] or "open", want["close"])
        self.assertEqual(report["fallback"], want["fallback"])
        self.assertEqual(row["Fallback"] or None, want["fallback"])
        self.assertEqual([report["data_bytes_from_client"], report["data_bytes_from_server"]],
                         want["data"])
        self.assertEqual([int(row["Data C>S"]), int(row["Data S>C"])], want["data"])
        self.assertEqual([report["reinjected_segments"], report["reinjected_bytes"]],
                         want["reinjected"])
        self.assertEqual([int(row["Reinj segs"]), int(row["Reinjected"])], want["reinjected"])
        checksums = report["checksums"]
        self.assertEqual([checksums["good"], checksums["bad"], checksums["unverifiable"]],
                         want["checksums"])
        self.assertEqual([int(row["Csum good"]), int(row["Csum bad"])], want["checksums"][:2])
        self.assertEqual([(e["type"], e["frame"], e["subflow"]) for e in report["events"]],
                         want["events"])
        subflows = sorted(want["subflows"].items())
        self.assertEqual(int(row["Subflows"]), len(report["subflows"]))
        self.assertEqual([s["id"] for s in report["subflows"]], [k for k, _ in subflows])
        established = [s["established"] for _, s in subflows]
        self.assertEqual([s["established"] for s in report["subflows"]], established)
        self.assertEqual(int(row["Estab"]), sum(established))
        self.assertEqual([r["Estab"] for r in subflow_rows],
                         ["yes" if e else "no" for e in established])
        ends = [s["end"] for _, s in subflows]
        self.assertEqual([s["end_reason"] for s in report["subflows"]], ends)
        self.assertEqual([(r["End"] or "open").split(",")[0].split(" ")[0]
                          for r in subflow_rows], ends)

    def test_views_agree_on_every_capture(self):
        if not os.access(VALIDATE, os.X_OK):
            self.skipTest("mptcpv-validate not built")
        checked = collections.Counter()
        for capture in m.all_captures() + m.external_captures():
            with self.subTest(capture=os.path.relpath(capture, m.SOURCE_DIR)):
                want, option_frames = from_fields(self.tshark.fields(capture, FIELDS))
                report = json.loads(self.validate(capture, "json"))["files"][0]
                self.assertEqual(report["mptcp_option_packets"], option_frames)
                conns, subflows = self.tables(capture)
                linked = {c["id"]: c for c in report["connections"] if c["linked"]}
                self.assertEqual(sorted(linked), sorted(want))
                self.assertEqual(self.junit_facts(capture),
                                 {k: self.facts_line(c) for k, c in linked.items()})
                self.assertEqual(sorted(int(r["Conn"]) for r in conns), sorted(want))
                for row in conns:
                    conn = int(row["Conn"])
                    with self.subTest(connection=conn):
                        self.check_connection(
                            want[conn], linked[conn], row,
                            [r for r in subflows if int(r["Conn"]) == conn])
                    if capture.startswith(m.CAPTURES_DIR):
                        checked["connections"] += 1
                        checked["events"] += len(want[conn]["events"])
                        checked["closed"] += want[conn]["close"] != "open"
                checked["captures"] += capture.startswith(m.CAPTURES_DIR)
                checked["external captures"] += not capture.startswith(m.CAPTURES_DIR)
        # captures/ alone when written: 37 captures, 58 linked connections, 116 events, 36
        # closed (with the external corpus: 61, 90, 354, 68).
        self.assertGreaterEqual(checked["captures"], 35, checked)
        self.assertGreater(checked["connections"], 50, checked)
        self.assertGreater(checked["events"], 100, checked)
        self.assertGreater(checked["closed"], 30, checked)
        print("views agree:", dict(checked))


if __name__ == "__main__":
    unittest.main()
