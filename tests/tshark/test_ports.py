"""Our test traffic keeps to TCP ports that no dissector of the running tshark claims.

A claimed port hands the payload to that dissector: Wireshark 4.4 decodes tcp/5201 as iPerf3
(15x slower on a bulk capture), tcp/5000 is GSM over IP. Captures and benchmarks must measure
and show MPTCP over plain TCP on every release, so the committed captures and the capture
generators (kernel captures, benchmark state capture) are checked against this tshark's own
port table (tshark -G decodes): on the host (4.0) and in the release chroots (4.4, 4.6).
"""
import os
import re
import sys
import unittest

import mptcpvtest


def claimed_tcp_ports(tshark):
    """{port: dissector} of every 'tcp.port' entry in tshark -G decodes."""
    _, out, _ = tshark.run(["-G", "decodes"])
    claimed = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and cols[0] == "tcp.port":
            claimed[int(cols[1])] = cols[2]
    return claimed


class Ports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tshark = mptcpvtest.Tshark(plugins=False)
        cls.claimed = claimed_tcp_ports(cls.tshark)
        assert 80 in cls.claimed, "tshark -G decodes lists no tcp.port table"

    @classmethod
    def tearDownClass(cls):
        cls.tshark.close()

    def assert_unclaimed(self, ports, where):
        taken = {p: self.claimed[p] for p in ports if p in self.claimed}
        self.assertEqual(taken, {}, "%s uses TCP ports a dissector claims" % where)

    def test_committed_captures(self):
        for capture in mptcpvtest.repo_captures():
            rows = self.tshark.fields(capture, ["tcp.srcport", "tcp.dstport"])
            ports = {int(p) for r in rows.values() for f in r.values() for p in f}
            self.assert_unclaimed(ports, os.path.relpath(capture, mptcpvtest.SOURCE_DIR))

    def test_kernel_capture_generator(self):
        path = os.path.join(mptcpvtest.SOURCE_DIR, "captures", "kernel", "generate.sh")
        with open(path) as f:
            ports = {int(p) for p in re.findall(r"^port=(\d+)", f.read(), re.M)}
        self.assertTrue(ports, "no port= line in generate.sh")
        self.assert_unclaimed(ports, "captures/kernel/generate.sh")

    def test_benchmark_state_capture(self):
        sys.path.insert(0, os.path.join(mptcpvtest.SOURCE_DIR, "bench"))
        try:
            import make_state_capture as state
        finally:
            sys.path.pop(0)
        self.assert_unclaimed(set(state.CLIENT_PORTS) | {state.SERVER_PORT},
                              "bench/make_state_capture.py")


if __name__ == "__main__":
    unittest.main()
