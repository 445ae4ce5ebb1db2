"""The lean tree (preference mptcpv.lean_tree, plugin/packet-mptcpv.h mptcpv_view): on an
ordinary data frame a visible tree leaves out the items that repeat its labels, yet every
filter and field output still sees them; every other frame shows every item."""
import re
import unittest
import xml.etree.ElementTree as ET

import mptcpvtest as m

CAPTURE = m.os.path.join(m.CAPTURES_DIR, "kernel", "v1-join.pcap")

# Left out of lean frames unless asked for (docs/fields.md, "Lean tree").
REPEATS = ["mptcpv.version", "mptcpv.summary", "mptcpv.subflow.initial",
           "mptcpv.subflow.backup", "mptcpv.conn", "mptcpv.conn.checksum",
           "mptcpv.conn.client_token", "mptcpv.conn.server_token", "mptcpv.length",
           "mptcpv.subtype", "mptcpv.dss.flags.data_fin", "mptcpv.dss.flags.dsn64",
           "mptcpv.dss.flags.mapping", "mptcpv.dss.flags.ack64", "mptcpv.dss.flags.ack"]
# Shown on every lean frame that has them.
KEPT = ["mptcpv.connection", "mptcpv.subflow", "mptcpv.from_client", "mptcpv.dss.flags",
        "mptcpv.option"]


class LeanTree(m.TsharkTestCase):
    def pdml(self, lean):
        """Per frame: (mptcpv's field names, its protocol label, TCP flags), -T pdml."""
        _, out, _ = self.tshark.run(["-n", "-o", "mptcpv.lean_tree:" + lean, "-T", "pdml"],
                                    CAPTURE)
        frames = {}
        for packet in ET.fromstring(out).iter("packet"):
            num = flags = None
            names, label = set(), None
            for proto in packet.iter("proto"):
                if proto.get("name") == "frame":
                    for f in proto.iter("field"):
                        if f.get("name") == "frame.number":
                            num = int(f.get("show"))
                if proto.get("name") == "tcp":
                    for f in proto.iter("field"):
                        if f.get("name") == "tcp.flags":
                            flags = int(f.get("show"), 16)
                if proto.get("name") == "mptcpv":
                    label = proto.get("showname")
                    names |= {f.get("name") for f in proto.iter("field")}
            frames[num] = (names, label, flags)
        return frames

    def lean_frames(self, frames):
        """Frames the plugin treats as ordinary data frames (the same test as lean_frame)."""
        out = []
        for num, (names, _, flags) in frames.items():
            if "mptcpv.connection" not in names or flags is None or flags & 0x07:
                continue
            if names & {"mptcpv.event", "mptcpv.subflow.established", "mptcpv.rule",
                        "mptcpv.truncated", "mptcpv.mpc.version", "mptcpv.join.form",
                        "mptcpv.add_addr.addr_id", "mptcpv.remove_addr.addr_id",
                        "mptcpv.prio.backup", "mptcpv.fail.dsn", "mptcpv.fastclose.receiver_key",
                        "mptcpv.tcprst.reason"}:
                continue
            out.append(num)
        return out

    def test_lean_frames_leave_out_repeats_only(self):
        full = self.pdml("FALSE")
        lean = self.pdml("TRUE")
        data = self.lean_frames(full)
        self.assertGreater(len(data), 50, "the capture has data frames")
        for num in data:
            names, label, _ = lean[num]
            self.assertFalse(names & set(REPEATS), "frame %d: %s" % (num, names & set(REPEATS)))
            for field in KEPT:
                if field in full[num][0]:
                    self.assertIn(field, names, "frame %d" % num)
            # What was left out is still on the protocol item's label.
            self.assertRegex(label, r"connection \d+, subflow \d+ of \d+ \((initial|joined), "
                                    r"(regular|backup)\), v1, checksum (on|off|unknown)$")
            self.assertEqual(label, full[num][1], "frame %d" % num)
            # Nothing else changed: the lean tree is the full one minus the repeats.
            self.assertEqual(names, full[num][0] - set(REPEATS), "frame %d" % num)
        for num in sorted(set(full) - set(data)):
            self.assertEqual(lean[num][0], full[num][0], "frame %d is not lean" % num)
        # The full tree does carry the repeats on data frames (what lean leaves out).
        self.assertIn("mptcpv.summary", full[data[0]][0])
        self.assertIn("mptcpv.length", full[data[0]][0])

    def test_filters_see_left_out_fields(self):
        for field in REPEATS:
            frames = {}
            for lean in ("TRUE", "FALSE"):
                _, out, _ = self.tshark.run(["-n", "-o", "mptcpv.lean_tree:" + lean, "-Y",
                                             field, "-T", "fields", "-e", "frame.number"],
                                            CAPTURE)
                frames[lean] = out.split()
            self.assertEqual(frames["TRUE"], frames["FALSE"], field)
            self.assertTrue(frames["TRUE"], field)

    def test_fields_output_unchanged_with_the_default(self):
        """-T fields -e of left-out fields: the release's default prints what the full tree
        gives. The default is on where tshark primes the fields it prints (4.4 and later)."""
        _, prefs, _ = self.tshark.run(["-G", "currentprefs"])
        default = re.search(r"^#?mptcpv\.lean_tree: (TRUE|FALSE)$", prefs, re.M).group(1)
        _, version, _ = self.tshark.run(["-v"])
        major, minor = map(int, re.search(r"\(Wireshark\) (\d+)\.(\d+)", version).groups())
        self.assertEqual(default, "TRUE" if (major, minor) >= (4, 4) else "FALSE")
        rows = {lean: self.tshark.fields(CAPTURE, REPEATS, ["-o", "mptcpv.lean_tree:" + lean])
                for lean in (default, "FALSE")}
        self.assertEqual(rows[default], rows["FALSE"])


if __name__ == "__main__":
    unittest.main()
