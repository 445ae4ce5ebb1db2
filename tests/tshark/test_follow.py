"""tshark -z follow,mptcpv,raw,N: the data-level byte stream of an MPTCP connection.

Where a kernel capture has a <capture>.pcap.sha256 sidecar (what each side's application wrote,
recorded by captures/kernel/generate.sh), the reassembled stream must match it exactly,
also when data was lost on one path and reinjected on another. Single-subflow captures
must give what Follow TCP gives."""
import collections
import glob
import hashlib
import os
import unittest

import mptcpvtest as m


def parse_follow(out):
    """(client-to-server bytes, server-to-client bytes, header dict) of a raw follow."""
    streams = {"client-to-server": bytearray(), "server-to-client": bytearray()}
    header = {}
    body = False
    for line in out.splitlines():
        if line.startswith("====="):
            if body:
                break
            continue
        if not body and ":" in line and not line.startswith("\t"):
            key, value = line.split(":", 1)
            header[key] = value.strip()
            body = key == "Node 1"
            continue
        if body and line.strip():
            direction = "server-to-client" if line.startswith("\t") else "client-to-server"
            streams[direction] += bytes.fromhex(line.strip())
    return bytes(streams["client-to-server"]), bytes(streams["server-to-client"]), header


def read_sidecar(path):
    """{direction: [(sha256, bytes), ...]} in file order (one entry per connection)."""
    found = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) == 3:
                found[words[0]].append((words[1], int(words[2])))
    return found


class Follow(m.TsharkTestCase):
    def follow(self, capture, connection, mode="raw"):
        _, out, _ = self.tshark.run(["-n", "-q", "-z", "follow,mptcpv,%s,%d" % (mode, connection)],
                                    capture)
        return parse_follow(out)

    def connections(self, capture):
        rows = self.tshark.fields(capture, ["mptcpv.connection"])
        return sorted({int(v) for r in rows.values() for v in r["mptcpv.connection"]})

    def test_streams_match_what_the_applications_wrote(self):
        sidecars = sorted(glob.glob(os.path.join(m.CAPTURES_DIR, "kernel", "*.sha256")))
        # At least the capture with loss and reinjections on another subflow.
        self.assertIn("v1-loss-reinject.pcap.sha256", [os.path.basename(s) for s in sidecars])
        for sidecar in sidecars:
            capture = sidecar[:-len(".sha256")]
            with self.subTest(capture=os.path.basename(capture)):
                want = read_sidecar(sidecar)
                conns = self.connections(capture)
                for direction, index in (("client-to-server", 0), ("server-to-client", 1)):
                    got = [self.follow(capture, c)[index] for c in conns]
                    # Connections without data in a direction write nothing there.
                    got = [(hashlib.sha256(g).hexdigest(), len(g)) for g in got
                           if g or len(want[direction]) == len(conns)]
                    self.assertEqual(got, want[direction], direction)

    def test_single_subflow_equals_follow_tcp(self):
        for name in ("v1-basic.pcap", "v1-checksum.pcap"):
            capture = os.path.join(m.CAPTURES_DIR, "kernel", name)
            with self.subTest(capture=name):
                c2s, s2c, header = self.follow(capture, 0)
                _, out, _ = self.tshark.run(["-n", "-q", "-z", "follow,tcp,raw,0"], capture)
                tcp_c2s, tcp_s2c, _ = parse_follow(out)
                self.assertGreater(len(c2s), 1000)
                self.assertEqual((c2s, s2c), (tcp_c2s, tcp_s2c))
                self.assertEqual(header["Filter"], "mptcpv.connection eq 0")

    def test_join_stream_is_contiguous_across_subflows(self):
        """Bytes of both subflows, each once: the stream length is the highest data-level
        byte the client sent (relative DSN + length - 1 of its last data segment)."""
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-join.pcap")
        rows = self.tshark.fields(capture, ["mptcpv.dsn", "tcp.len", "mptcpv.from_client",
                                            "mptcpv.subflow"])
        ends = [int(r["mptcpv.dsn"][0]) + int(r["tcp.len"][0]) - 1 for r in rows.values()
                if r["mptcpv.dsn"] and r["tcp.len"] and int(r["tcp.len"][0]) > 0
                and r["mptcpv.from_client"][0] in ("1", "True")]
        subflows = {r["mptcpv.subflow"][0] for r in rows.values() if r["mptcpv.subflow"]}
        self.assertGreater(len(subflows), 1)
        c2s, _, _ = self.follow(capture, 0)
        self.assertEqual(len(c2s), max(ends))

    def test_unknown_connection_is_empty(self):
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-basic.pcap")
        c2s, s2c, _ = self.follow(capture, 99)
        self.assertEqual((c2s, s2c), (b"", b""))

    def test_unknown_connection_says_so(self):
        """A connection number not in the capture is told on stderr (tshark itself prints an
        empty stream, as for a connection that sent nothing); one that exists is not."""
        capture = os.path.join(m.CAPTURES_DIR, "kernel", "v1-basic.pcap")
        _, _, err = self.tshark.run(["-n", "-q", "-z", "follow,mptcpv,ascii,5"], capture)
        self.assertIn("mptcpv: follow: no MPTCP connection 5: the capture has connections "
                      "0 to 0", err)
        _, _, err = self.tshark.run(["-n", "-q", "-z", "follow,mptcpv,ascii,0"], capture)
        self.assertNotIn("mptcpv: follow", err)


if __name__ == "__main__":
    unittest.main()
