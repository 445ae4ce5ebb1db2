"""tshark -z mptcpv,conns and -z mptcpv,subflows: every row agrees with the per-frame fields
of the same capture (packets, bytes per direction, subflows, findings by severity, checksum
verdicts, reinjected bytes), on every corpus capture; a -z filter restricts the counts."""
import collections
import os
import re
import unittest

import mptcpvtest as m

SEVERITY_COLUMN = {"error": "Errors", "warning": "Warnings", "info": "Infos"}


def parse_tables(out, title):
    """{filter: rows} of every stat table |title| in tshark's output, rows as dicts keyed by
    column name."""
    lines = out.splitlines()
    tables = {}
    for start in [i for i, line in enumerate(lines) if line == title + ":"]:
        zfilter = lines[start + 1][len("Filter for statistics: "):]
        header = [c.strip() for c in lines[start + 2].split("|")[:-1]]
        rows = []
        for line in lines[start + 4:]:
            if line.startswith("====="):
                break
            cells = [c.strip() for c in line.split("|")[:-1]]
            if cells:
                rows.append(dict(zip(header, cells)))
        tables[zfilter] = rows
    return tables


def parse_table(out, title):
    """Rows of the (first) stat table |title| in tshark's output."""
    return next(iter(parse_tables(out, title).values()))


class Stats(m.TsharkTestCase):
    FIELDS = ["mptcpv.connection", "mptcpv.subflow", "mptcpv.from_client", "tcp.len",
              "mptcpv.rule", "mptcpv.dss.checksum_status", "mptcpv.reinjection_of",
              "mptcpv.subflow.initial", "mptcpv.version", "mptcpv.fallback",
              "mptcpv.data_bytes", "mptcpv.reinjected_bytes", "mptcpv.subflow.established"]

    def tables(self, capture, zfilter=""):
        suffix = "," + zfilter if zfilter else ""
        _, out, _ = self.tshark.run(["-n", "-q", "-z", "mptcpv,conns" + suffix,
                                     "-z", "mptcpv,subflows" + suffix], capture)
        return (parse_table(out, "MPTCP Connections (mptcpv)"),
                parse_table(out, "MPTCP Subflows (mptcpv)"))

    def expected(self, rows):
        """Connection and subflow counters computed from per-frame fields."""
        severity = m.rules_table()
        conns = collections.defaultdict(collections.Counter)
        subflows = collections.defaultdict(collections.Counter)
        for row in rows.values():
            if not row["mptcpv.connection"]:
                continue
            conn = int(row["mptcpv.connection"][0])
            sub = int(row["mptcpv.subflow"][0])
            payload = int(row["tcp.len"][0]) if row["tcp.len"] else 0
            c2s = row["mptcpv.from_client"][0] in ("1", "True")
            reinjected = sum(int(v) for v in row["mptcpv.reinjected_bytes"])
            for table, key in ((conns, conn), (subflows, (conn, sub))):
                table[key]["Packets"] += 1
                table[key]["Bytes C>S" if c2s else "Bytes S>C"] += payload
                table[key]["Reinjected"] += reinjected
            established = bool(row["mptcpv.subflow.established"])
            conns[conn]["Estab"] += established
            subflows[(conn, sub)]["Estab"] = "yes" if established or \
                subflows[(conn, sub)]["Estab"] == "yes" else "no"
            conns[conn]["Data C>S" if c2s else "Data S>C"] += sum(
                int(v) for v in row["mptcpv.data_bytes"])
            conns[conn]["Reinj segs"] += bool(row["mptcpv.reinjection_of"])
            conns[conn]["Subflows"] = max(conns[conn]["Subflows"], sub + 1)
            for rule in row["mptcpv.rule"]:
                conns[conn][SEVERITY_COLUMN[severity[rule]]] += 1
            for status in row["mptcpv.dss.checksum_status"]:
                conns[conn]["Csum good" if status == "1" else
                            "Csum bad" if status == "2" else "Csum other"] += 1
        return conns, subflows

    def test_tables_agree_with_fields_on_every_capture(self):
        checked = 0
        for capture in m.all_captures():
            with self.subTest(capture=os.path.basename(capture)):
                rows = self.tshark.fields(capture, self.FIELDS)
                conns, subflows = self.expected(rows)
                got_conns, got_subflows = self.tables(capture)
                self.assertEqual(sorted(int(r["Conn"]) for r in got_conns), sorted(conns))
                for r in got_conns:
                    want = conns[int(r["Conn"])]
                    for column in ("Packets", "Bytes C>S", "Bytes S>C", "Subflows", "Estab",
                                   "Data C>S", "Data S>C", "Reinj segs", "Reinjected",
                                   "Errors", "Warnings", "Infos", "Csum good", "Csum bad"):
                        self.assertEqual(int(r[column]), want[column], (r["Conn"], column))
                    self.assertIn(r["Ver"], ("v0", "v1", ""))
                self.assertEqual(sorted((int(r["Conn"]), int(r["Subflow"]))
                                        for r in got_subflows), sorted(subflows))
                for r in got_subflows:
                    want = subflows[(int(r["Conn"]), int(r["Subflow"]))]
                    for column in ("Packets", "Bytes C>S", "Bytes S>C", "Reinjected"):
                        self.assertEqual(int(r[column]), want[column], (r["Conn"], column))
                    self.assertEqual(r["Estab"], want["Estab"], r["Conn"])
                checked += len(got_conns)
        self.assertGreater(checked, 20)

    def test_join_capture(self):
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-add-remove-addr.pcap")
        conns, subflows = self.tables(capture)
        self.assertEqual(len(conns), 1)
        self.assertEqual(conns[0]["Ver"], "v1")
        self.assertEqual(conns[0]["Client"].rsplit(":", 1)[0], "10.99.1.1")
        self.assertEqual(conns[0]["Server"], "10.99.1.2:47002")
        self.assertEqual(int(conns[0]["Subflows"]), 2)
        self.assertEqual([r["Kind"] for r in subflows], ["initial", "join"])
        self.assertEqual(subflows[1]["Client"].rsplit(":", 1)[0], "10.99.2.1")
        self.assertEqual(subflows[0]["End"], "FIN")
        self.assertEqual([r["Estab"] for r in subflows], ["yes", "yes"])
        self.assertEqual(conns[0]["State"], "closed")

    def test_what_the_applications_sent(self):
        """Data-level bytes are what each application wrote (captures/kernel/README.md):
        retransmissions and reinjections (12 segments, 16000 bytes) not counted twice."""
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-loss-reinject.pcap")
        conns, _ = self.tables(capture)
        self.assertEqual([(r["Data C>S"], r["Data S>C"], r["Reinj segs"], r["Reinjected"])
                          for r in conns], [("800000", "20072", "12", "16000")])
        self.assertGreater(int(conns[0]["Bytes C>S"]), 800000)
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-fallback.pcap")
        conns, _ = self.tables(capture)
        self.assertEqual([(r["Data C>S"], r["Estab"], r["State"]) for r in conns],
                         [("20000", "1", "closed")])

    def test_mp_fail_subflow(self):
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-mp-fail.pcap")
        conns, subflows = self.tables(capture)
        self.assertEqual([(r["Estab"], r["Fallback"], r["State"], r["Csum bad"]) for r in conns],
                         [("2", "", "closed", "1")])
        self.assertEqual(int(conns[0]["Data C>S"]), 600000)
        self.assertEqual([r["End"] for r in subflows],
                         ["FIN", "MP_FAIL, MP_TCPRST Middlebox interference"])

    def test_fallback_and_findings_columns(self):
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "rule-mp_fail-infinite-mapping.pcap")
        conns, _ = self.tables(capture)
        self.assertTrue(any(r["Fallback"] for r in conns), conns)
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "rule-dss.checksum_bad.pcap")
        conns, _ = self.tables(capture)
        self.assertGreaterEqual(sum(int(r["Csum bad"]) for r in conns), 1)
        self.assertGreaterEqual(sum(int(r["Errors"]) for r in conns), 1)

    def test_columns_line_up_on_every_capture(self):
        """Every cell fits its column: each row's "|" stand where the header's do (the
        longest fallback reason and subflow end included)."""
        seen = set()
        for capture in m.all_captures():
            _, out, _ = self.tshark.run(["-n", "-q", "-z", "mptcpv,conns",
                                         "-z", "mptcpv,subflows"], capture)
            header = None
            for line in out.splitlines():
                if line.startswith("Conn "):
                    header = [i for i, c in enumerate(line) if c == "|"]
                elif header and "|" in line:
                    with self.subTest(capture=os.path.basename(capture), line=line):
                        self.assertEqual([i for i, c in enumerate(line) if c == "|"], header)
                    seen.add(line.split("|")[14].strip() if line.count("|") > 14 else
                             line.split("|")[11].strip())
        self.assertIn("third ACK without MP_CAPABLE", seen)  # wider than the old column
        self.assertIn("MP_FAIL, MP_TCPRST Middlebox interference", seen)

    def test_fallback_column_fits_every_reason(self):
        """The Fallback column is as wide as the longest reason the core names."""
        _, out, _ = self.tshark.run(["-n", "-q", "-z", "mptcpv,conns"],
                                    os.path.join(m.CAPTURES_DIR, "kernel", "v1-basic.pcap"))
        header = next(line for line in out.splitlines() if line.startswith("Conn "))
        width = len(header.split("|")[14])
        with open(os.path.join(m.SOURCE_DIR, "core", "include", "mptcpv", "tracker.h")) as f:
            text = f.read()
        block = text[text.index("#define MPTCPV_FALLBACKS"):]
        block = block[:block.index("\n\n")]
        names = re.findall(r'X\(\w+, "([^"]*)"\)', block)
        self.assertIn("infinite mapping", names)
        self.assertGreaterEqual(width, max(len(n) for n in names), names)

    def test_connection_without_initial_subflow_shows_addresses(self):
        """A connection seen only through an MP_JOIN (its token in no MP_CAPABLE of the
        capture) shows that subflow's endpoints in both tables, not blanks in one."""
        capture = os.path.join(m.CAPTURES_DIR, "crafted", "rule-join.token_unknown.pcap")
        conns, subflows = self.tables(capture)
        self.assertTrue(conns and subflows)
        for r in conns + subflows:
            self.assertRegex(r["Client"], r".+:\d+$", r)
            self.assertRegex(r["Server"], r".+:\d+$", r)
        for r in conns:
            first = [s for s in subflows if s["Conn"] == r["Conn"]][0]
            self.assertEqual((r["Client"], r["Server"]), (first["Client"], first["Server"]))

    def test_severity_columns_say_info(self):
        """Severities are named as the validator names them: error, warning, info."""
        _, out, _ = self.tshark.run(["-n", "-q", "-z", "mptcpv,conns"],
                                    os.path.join(m.CAPTURES_DIR, "kernel", "v1-basic.pcap"))
        header = [c.strip() for c in next(line for line in out.splitlines()
                                          if line.startswith("Conn ")).split("|")]
        self.assertEqual(header[-4:-1], ["Errors", "Warnings", "Infos"])
        self.assertNotIn("Notes", header)

    def test_filter_restricts_counts(self):
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-add-remove-addr.pcap")
        rows = self.tshark.fields(capture, self.FIELDS)
        on_join = [r for r in rows.values() if r["mptcpv.subflow"] == ["1"]]
        conns, subflows = self.tables(capture, "mptcpv.subflow == 1")
        self.assertEqual(int(conns[0]["Packets"]), len(on_join))
        self.assertEqual([int(r["Subflow"]) for r in subflows], [1])

    def test_each_table_counts_alone(self):
        """Several -z tables in one run (as several GUI dialogs): each has its own counters
        and its own filter, as if it ran alone."""
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-add-remove-addr.pcap")
        filters = ["", "mptcpv.subflow == 1", "mptcpv.from_client == 0"]
        args = ["-n", "-q"]
        for zfilter in filters:
            for table in ("conns", "subflows"):
                args += ["-z", "mptcpv,%s%s" % (table, "," + zfilter if zfilter else "")]
        _, out, _ = self.tshark.run(args, capture)
        together = (parse_tables(out, "MPTCP Connections (mptcpv)"),
                    parse_tables(out, "MPTCP Subflows (mptcpv)"))
        self.assertEqual([sorted(t) for t in together], [sorted(filters)] * 2)
        for zfilter in filters:
            with self.subTest(zfilter=zfilter):
                alone = self.tables(capture, zfilter)
                self.assertEqual((together[0][zfilter], together[1][zfilter]), alone)
        self.assertNotEqual(together[0][""], together[0]["mptcpv.subflow == 1"])

    def test_two_passes_give_the_same_tables(self):
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-join.pcap")
        _, one, _ = self.tshark.run(["-n", "-q", "-z", "mptcpv,conns"], capture)
        _, two, _ = self.tshark.run(["-n", "-q", "-2", "-z", "mptcpv,conns"], capture)
        self.assertEqual(parse_table(one, "MPTCP Connections (mptcpv)"),
                         parse_table(two, "MPTCP Connections (mptcpv)"))



class FindingField(m.TsharkTestCase):
    """mptcpv.finding (beside the tables' findings columns): one field occurrence per finding,
    so -E aggregator and -E occurrence split a frame's findings although their details hold
    commas (tshark's default aggregator)."""

    def test_each_finding_is_its_own_occurrence(self):
        capture = os.path.join(m.CAPTURES_DIR, "crafted",
                               "rule-middlebox.mapping_off_segment.pcap")
        args = ["-n", "-Y", "mptcpv.rule", "-T", "fields", "-e", "frame.number",
                "-e", "mptcpv.rule", "-e", "mptcpv.finding", "-E", "aggregator=\x01"]
        _, out, _ = self.tshark.run(args, capture)
        # tshark turns "\\x01" into the byte, which no message holds.
        several = 0
        for line in out.splitlines():
            frame, rules, findings = line.split("\t")
            rules, findings = rules.split("\x01"), findings.split("\x01")
            self.assertEqual(len(rules), len(findings), line)
            for rule, finding in zip(rules, findings):
                self.assertTrue(finding.startswith(rule + ": "), (frame, finding))
            several += len(findings) > 1
        self.assertGreaterEqual(several, 1)
        _, out, _ = self.tshark.run(["-n", "-Y", "frame.number == 4", "-T", "fields",
                                     "-e", "mptcpv.finding", "-E", "occurrence=l"], capture)
        self.assertTrue(out.startswith("dss.mapping_missing: payload"), out)


if __name__ == "__main__":
    unittest.main()
