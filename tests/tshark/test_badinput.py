"""Bad input: non-TCP traffic, garbage, empty and cut-short files, snaplen-cut captures.

tshark with mptcpv must never crash (a signal) and must exit with the code tshark gives for
that input without the plugin. On snaplen cuts, mptcpv must not call an option malformed
because the capture stopped in it (option.malformed only where the uncut frame has it), and
must say mptcpv.truncated exactly where the cut falls in the TCP options.
"""
import glob
import os
import random
import shutil
import struct
import subprocess
import tempfile
import unittest

import mptcpvtest as m
import pcapwriter  # tests/pylib, on the path through mptcpvtest

CUTS = (60, 70, 80)


def pcap(records, linktype=1):
    """A classic pcap file's bytes from raw link-layer frames."""
    return pcapwriter.pcap_bytes(records, linktype)


def ip_csum(data):
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def ipv4(proto, payload, src=b"\xc0\x00\x02\x01", dst=b"\xc6\x33\x64\x01"):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", ip_csum(hdr)) + hdr[12:]
    return hdr + payload


def ether(ethertype, payload):
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ethertype) + \
        payload


def non_tcp_frames():
    """ARP, UDP (DNS query), ICMP echo, IPv6 UDP, SCTP-less proto 132 and an IPv4 packet that
    claims TCP but is only 8 bytes long after the IP header."""
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\x02" * 6, b"\xc0\x00\x02\x01",
                      b"\0" * 6, b"\xc6\x33\x64\x01")
    dns = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x07example\x03com\x00" + \
        struct.pack("!HH", 1, 1)
    udp = struct.pack("!HHHH", 40000, 53, 8 + len(dns), 0) + dns
    icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"
    icmp = icmp[:2] + struct.pack("!H", ip_csum(icmp)) + icmp[4:]
    ip6 = struct.pack("!IHBB16s16s", 0x60000000, len(udp), 17, 64, b"\x20\x01\x0d\xb8" + b"\0" * 11
                      + b"\x01", b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02") + udp
    # Kind 30 bytes inside a UDP payload must not be taken for MPTCP.
    fake = struct.pack("!HHHH", 40001, 47001, 8 + 12, 0) + b"\x1e\x0c\x00\x01" + b"\x11" * 8
    return [ether(0x0806, arp), ether(0x0800, ipv4(17, udp)), ether(0x0800, ipv4(1, icmp)),
            ether(0x86dd, ip6), ether(0x0800, ipv4(17, fake)),
            ether(0x0800, ipv4(6, b"\x9c\x40\xb7\x99\x00\x00\x00\x01"))]


class BadInput(m.TsharkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bare = m.Tshark(plugins=False)
        cls.tmp = tempfile.mkdtemp(prefix="mptcpv-badinput-")
        os.chmod(cls.tmp, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        cls.bare.close()
        super().tearDownClass()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        return path

    def same_exit(self, path, args=("-n", "-V")):
        """Dissect |path| in full with and without mptcpv; same exit code, no signal."""
        code, out, err = self.tshark.run(list(args), path, check=False, timeout=300)
        bare_code, _, bare_err = self.bare.run(list(args), path, check=False, timeout=300)
        self.assertGreaterEqual(code, 0, "tshark killed by signal %d: %s" % (-code, err[-2000:]))
        self.assertEqual(code, bare_code, "exit code %d with mptcpv, %d without\n%s\n%s"
                         % (code, bare_code, err[-1000:], bare_err[-1000:]))
        self.assertNotIn("dissector bug", out.lower())
        return code, out

    def fields_and_exit(self, path, fields):
        """(rows as Tshark.fields gives them, exit code, stderr) of one run."""
        args = ["-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|",
                "-E", "separator=/t", "-e", "frame.number"]
        for f in fields:
            args += ["-e", f]
        code, out, err = self.tshark.run(args, path, check=False)
        rows = {}
        for line in out.splitlines():
            cols = line.split("\t")
            rows[int(cols[0])] = {f: (cols[i + 1].split("|") if i + 1 < len(cols) and
                                      cols[i + 1] else []) for i, f in enumerate(fields)}
        return rows, code, err

    def test_non_tcp_traffic(self):
        path = self.write("non-tcp.pcap", pcap(non_tcp_frames()))
        code, out = self.same_exit(path)
        self.assertEqual(code, 0)
        self.assertNotIn("mptcpv", out.lower().replace("mptcpv.so", ""))
        rows = self.tshark.fields(path, ["mptcpv.subtype", "mptcpv.rule"])
        self.assertEqual(len(rows), len(non_tcp_frames()))
        self.assertEqual([v for r in rows.values() for vs in r.values() for v in vs], [])

    def test_garbage_file(self):
        rnd = random.Random(30)
        for size in (24, 100, 4096):
            with self.subTest(size=size):
                path = self.write("garbage-%d.bin" % size,
                                  bytes(rnd.randrange(256) for _ in range(size)))
                code, _ = self.same_exit(path)
                self.assertNotEqual(code, 0)

    def test_garbage_records_in_valid_file(self):
        """A valid pcap header followed by random frames (Ethernet, raw IP, SLL)."""
        rnd = random.Random(8684)
        for linktype in (1, 101, 113):
            frames = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 120)))
                      for _ in range(300)]
            # Half of them start like IPv4/TCP with kind-30 options, to reach the plugin.
            for i in range(0, 300, 2):
                tcp = struct.pack("!HHIIBBHHH", 1, 2, 3, 4, 0xf0, 0x10, 5, 0, 0)
                tcp += bytes([30, rnd.randrange(256), rnd.randrange(256)]) + bytes(
                    rnd.randrange(256) for _ in range(37))
                ip = ipv4(6, tcp)
                frames[i] = (ether(0x0800, ip) if linktype == 1 else
                             ip if linktype == 101 else b"\0\0\0\1\0\6" + b"\0" * 8 +
                             b"\x08\x00" + ip)[:rnd.randrange(40, 120)]
            with self.subTest(linktype=linktype):
                path = self.write("garbage-records-%d.pcap" % linktype, pcap(frames, linktype))
                self.same_exit(path)

    def test_empty_file(self):
        path = self.write("empty.pcap", b"")
        self.same_exit(path)

    def test_file_cut_short(self):
        """A capture file whose last record is cut in the middle."""
        source = os.path.join(m.CAPTURES_DIR, "crafted", "seed000-siri-v0.pcap")
        self.require_capture(source)
        with open(source, "rb") as f:
            data = f.read()
        for keep in (30, len(data) - 50, len(data) - 1):
            with self.subTest(bytes=keep):
                self.same_exit(self.write("short-%d.pcap" % keep, data[:keep]))

    def test_crafted_snaplen_capture(self):
        found = sorted(glob.glob(os.path.join(m.CAPTURES_DIR, "crafted", "*snap*.pcap*")))
        found = [f for f in found if m.CAPTURE_RE.search(f)]
        if not found:
            self.skipTest("no captures/crafted/*snap*.pcap yet")
        for capture in found:
            with self.subTest(capture=os.path.basename(capture)):
                self.same_exit(capture)
                rows = self.tshark.fields(capture, ["mptcpv.truncated", "mptcpv.rule",
                                                    "frame.cap_len", "frame.len"])
                cut = [f for f, r in rows.items()
                       if int(r["frame.cap_len"][0]) < int(r["frame.len"][0])]
                self.assertTrue(cut, "no frame is cut")
                self.assertTrue(any(rows[f]["mptcpv.truncated"] for f in cut))
                expected = m.expected_file(capture)
                if expected is None:
                    self.assertNotIn("option.malformed",
                                     [v for r in rows.values() for v in r["mptcpv.rule"]])

    def test_editcap_snaplen_cuts(self):
        """editcap -s 60/70/80 over every external capture (and the repo's kernel ones)."""
        self.require_external()
        if shutil.which("editcap") is None:
            self.skipTest("editcap is not installed")
        fields = ["frame.cap_len", "frame.len", "mptcpv.rule", "mptcpv.truncated",
                  "mptcpv.subtype", "mptcpv.connection", "_ws.short",
                  "mptcpv.dss.checksum_status"]
        captures = m.external_captures() + [c for c in m.repo_captures()
                                            if os.sep + "kernel" + os.sep in c]
        truncated_seen = 0
        for capture in captures:
            uncut = self.tshark.fields(capture, ["mptcpv.rule"])
            for snap in CUTS:
                name = "%s-s%d%s" % (os.path.basename(capture), snap,
                                     os.path.splitext(capture)[1])
                cut_path = os.path.join(self.tmp, name)
                subprocess.run(["editcap", "-s", str(snap), capture, cut_path], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                os.chmod(cut_path, 0o644)
                with self.subTest(capture=os.path.basename(capture), snaplen=snap):
                    rows, code, err = self.fields_and_exit(cut_path, fields)
                    bare_code, _, _ = self.bare.run(["-n", "-q"], cut_path, check=False)
                    self.assertGreaterEqual(code, 0, "signal %d: %s" % (-code, err[-2000:]))
                    self.assertEqual(code, bare_code, err[-1000:])
                    for frame, row in rows.items():
                        where = "%s -s %d frame %d" % (os.path.basename(capture), snap, frame)
                        for rule in ("option.malformed", "dss.checksum_bad"):
                            if rule in row["mptcpv.rule"]:
                                self.assertIn(rule, uncut[frame]["mptcpv.rule"],
                                              where + ": %s only because of the cut" % rule)
                        # A checksum over bytes the capture lacks is unverifiable, not bad.
                        self.assertNotIn("2", row["mptcpv.dss.checksum_status"], where)
                        is_cut = int(row["frame.cap_len"][0]) < int(row["frame.len"][0])
                        short = " ".join(row["_ws.short"])
                        in_options = is_cut and ("TCP truncated" in short or
                                                 "MPTCP truncated" in short)
                        shown = bool(row["mptcpv.subtype"] or row["mptcpv.connection"])
                        if row["mptcpv.truncated"]:
                            truncated_seen += 1
                            self.assertTrue(in_options, where + ": truncated, but the cut is "
                                            "not in the TCP options (%r)" % short)
                        elif in_options and ("MPTCP truncated" in short or shown):
                            self.fail(where + ": the cut falls in the options (%r) but "
                                      "mptcpv.truncated is absent" % short)
                    os.remove(cut_path)
        self.assertGreater(truncated_seen, 100)


if __name__ == "__main__":
    unittest.main()
