"""Connection close (RFC 8684 3.3.3): every clean kernel connection shows its first DATA_FIN
(mptcpv.close == 1), the DATA_ACKs that first cover each host's DATA_FIN
(mptcpv.data_fin.ack_of, pointing at a frame whose DSS has the F flag) and the frame where
both are acknowledged (mptcpv.close == 2), in that order. A fast-closed connection ends
fast-closed (3) and never closes that way; one that fell back to TCP closes (2) when its
last subflow has closed with TCP FINs, with no DATA_FIN."""
import collections
import os
import unittest

import mptcpvtest as m

# Kernel captures whose connections do not close with DATA_FINs: their close events.
NOT_CLOSED = {"v1-fastclose.pcap": [("close", 3)], "v1-fallback.pcap": [("close", 2)]}


class Close(m.TsharkTestCase):
    FIELDS = ["mptcpv.connection", "mptcpv.close", "mptcpv.data_fin.ack_of",
              "mptcpv.dss.flags.data_fin", "mptcpv.from_client"]

    def test_kernel_connections_close(self):
        checked = 0
        kernel = os.path.join(m.CAPTURES_DIR, "kernel")
        for name in sorted(os.listdir(kernel)):
            if not name.endswith(".pcap"):
                continue
            with self.subTest(capture=name):
                rows = self.tshark.fields(os.path.join(kernel, name), self.FIELDS)
                events = collections.defaultdict(list)
                for frame, row in sorted(rows.items()):
                    if not row["mptcpv.connection"]:
                        continue
                    conn = int(row["mptcpv.connection"][0])
                    for fin in row["mptcpv.data_fin.ack_of"]:
                        fin = int(fin)
                        self.assertTrue(any(v in ("1", "True") for v in
                                            rows[fin]["mptcpv.dss.flags.data_fin"]), fin)
                        self.assertLess(fin, frame)
                        self.assertNotEqual(rows[fin]["mptcpv.from_client"],
                                            row["mptcpv.from_client"])
                        events[conn].append(("ack_of", fin, frame))
                    for state in row["mptcpv.close"]:
                        events[conn].append(("close", int(state), frame))
                if name in NOT_CLOSED:
                    self.assertEqual([e[:2] for es in events.values() for e in es],
                                     NOT_CLOSED[name])
                    continue
                conns = {int(r["mptcpv.connection"][0]) for r in rows.values()
                         if r["mptcpv.connection"]}
                self.assertTrue(conns)
                for conn in conns:
                    kinds = [e[:2] if e[0] == "close" else ("ack_of",) for e in events[conn]]
                    self.assertEqual(kinds, [("close", 1), ("ack_of",), ("ack_of",),
                                             ("close", 2)], (conn, events[conn]))
                    self.assertEqual(events[conn][2][2], events[conn][3][2])
                    checked += 1
        self.assertGreaterEqual(checked, 25)


if __name__ == "__main__":
    unittest.main()
