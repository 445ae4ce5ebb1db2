"""tshark -T fields before 4.4 (preference mptcpv.fields_from_command_line,
plugin/packet-mptcpv-printed.c): the plugin reads the -e fields from tshark's command line and
builds only those items. Every mptcpv field, printed alone, must give what the full tree gives;
the tests see which way the plugin went in its debug log."""
import concurrent.futures
import os
import subprocess
import unittest

import mptcpvtest as m

# Between them every option subtype, v0 and v1, joins, findings and closes.
PARTS = [os.path.join(m.CAPTURES_DIR, "kernel", "v1-join.pcap"),
         os.path.join(m.CAPTURES_DIR, "kernel", "v1-add-remove-addr.pcap"),
         os.path.join(m.CAPTURES_DIR, "kernel", "v1-fastclose.pcap"),
         os.path.join(m.CAPTURES_DIR, "crafted", "option-syntax.pcap"),
         os.path.join(m.CAPTURES_DIR, "crafted", "seed000-siri-v0.pcap"),
         os.path.join(m.CAPTURES_DIR, "crafted", "rule-mp_fail-infinite-mapping.pcap"),
         os.path.join(m.CAPTURES_DIR, "crafted", "rule-dss.checksum_bad.pcap")]
LOG = ["--log-level=debug", "--log-domains=mptcpv"]
ONLY_PRINTED = "-T fields from the command line: only the printed mptcpv fields"
FULL = "-T fields from the command line: full trees"


def digits(values):
    """Booleans as 1/0 on every release (4.2 and later print True/False)."""
    return [{"True": "1", "False": "0"}.get(v, v) for v in values]


class PrintedFields(m.TsharkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.capture = os.path.join(cls.tshark.tmp, "parts.pcapng")
        subprocess.run(["mergecap", "-F", "pcapng", "-a", "-w", cls.capture] + PARTS, check=True)
        os.chmod(cls.capture, 0o644)
        _, version, _ = cls.tshark.run(["-v"])
        cls.acts = "(Wireshark) 4.0." in version or "(Wireshark) 4.2." in version

    def decision(self, args):
        _, _, err = self.tshark.run(LOG + args, self.capture)
        return ONLY_PRINTED if ONLY_PRINTED in err else FULL if FULL in err else None

    def test_decision(self):
        fields = ["-T", "fields", "-e", "frame.number", "-e", "mptcpv.connection"]
        if not self.acts:
            # 4.4 and later prime the printed fields themselves: nothing to read.
            self.assertIsNone(self.decision(fields))
            return
        self.assertEqual(self.decision(fields), ONLY_PRINTED)
        self.assertEqual(self.decision(["-o", "mptcpv.fields_from_command_line:FALSE"] +
                                       fields), FULL)
        # The protocol item's label, another output format, an option not understood.
        self.assertEqual(self.decision(["-T", "fields", "-e", "mptcpv"]), FULL)
        self.assertEqual(self.decision(["-T", "pdml", "-e", "mptcpv.connection"]), FULL)
        self.assertEqual(self.decision(["--disable-prot", "http"] + fields), FULL)

    def test_every_field_alone_as_in_the_full_tree(self):
        names = sorted(row[2] for row in self.tshark.glossary()
                       if row[0] == "F" and row[4] == "mptcpv")
        self.assertGreater(len(names), 100)
        full = self.tshark.fields(self.capture, names,
                                  ["-o", "mptcpv.fields_from_command_line:FALSE"])
        self.assertTrue(any(v for row in full.values() for v in row.values()))

        def alone(name):
            return name, self.tshark.fields(self.capture, [name])

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for name, rows in pool.map(alone, names):
                self.assertEqual(rows.keys(), full.keys(), name)
                for frame, row in rows.items():
                    self.assertEqual(digits(row[name]), digits(full[frame][name]),
                                     "%s, frame %d" % (name, frame))

    def test_other_outputs_beside_printed_fields(self):
        """A display filter, the expert infos and the Info column beside -T fields."""
        args = ["-Y", "mptcpv.rule", "-T", "fields", "-e", "frame.number", "-e",
                "mptcpv.connection", "-e", "_ws.expert.message", "-e", "_ws.col.Info"]
        _, out, _ = self.tshark.run(args, self.capture)
        _, ref, _ = self.tshark.run(["-o", "mptcpv.fields_from_command_line:FALSE"] + args,
                                    self.capture)
        self.assertTrue(out.strip())
        self.assertEqual(out, ref)


if __name__ == "__main__":
    unittest.main()
